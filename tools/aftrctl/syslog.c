// SPDX-License-Identifier: GPL-2.0
/*
 * Records as syslog messages, in the two forms daemons accept.
 *
 * RFC 3164, the default: "<PRI>Mmm dd hh:mm:ss aftrctl[PID]: MSG", what
 * syslog(3) writes to /dev/log. It is the only form that both rsyslog's
 * imuxsock (with its stock special parser) and journald read from a local
 * socket: both take RFC 5424 for a tag of "1" and keep the rest as text.
 *
 * RFC 5424, on request: "<PRI>1 TIMESTAMP HOSTNAME aftrctl PID MSGID SD
 * MSG", for inputs that parse it (rsyslog's imuxsock with
 * UseSpecialParser="off", its network inputs). Its structured data is
 * written only under an SD-ID the operator names: this project has no IANA
 * Private Enterprise Number to name one of its own, and the number for
 * documentation (32473, RFC 5612) is not for real logs. The MSG is the
 * same in both forms, so nothing depends on the structured data surviving.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aftrctl.h"

#define SYSLOG_SIZE	2048

/* RFC 5424 6.3.2: SD-NAME, 1 to 32 printable ASCII but '=', ' ', ']', '"'. */
static bool sd_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > 32)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] <= ' ' || s[i] > '~' || strchr("=]\"", s[i]))
			return false;
	}
	return true;
}

/*
 * "NAME@PEN" (RFC 5424 7.2.2): only IANA registers names without '@', and
 * it has registered none for these fields.
 */
int syslog_parse_sd_id(const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || !at[1] || strspn(at + 1, "0123456789") != strlen(at + 1) ||
	    !sd_name_ok(s, strlen(s)) || strchr(at + 1, '@'))
		return usage_error("SD-ID \"%s\" is not NAME@PEN (your enterprise number, "
				   "at most 32 characters in all)", s);
	return 0;
}

/* "Mmm dd hh:mm:ss" in local time, as syslog(3) writes it; C locale month. */
static void bsd_time(uint64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;

	localtime_r(&sec, &tm);
	strftime(buf, size, "%b %e %H:%M:%S", &tm);
}

static void rfc3164(const struct log_record *r, const char *msg, char *buf, size_t size)
{
	char time[32];

	bsd_time(r->ns, time, sizeof(time));
	snprintf(buf, size, "<%d>%s aftrctl[%d]: ", r->priority, time, (int)getpid());
	log_append(buf, size, "%s", msg);
}

/* Appends PARAM="VALUE" with '"', '\' and ']' escaped (RFC 5424 6.3.3). */
static void sd_param(char *buf, size_t size, const char *name, const char *value)
{
	size_t n = strlen(buf);
	int w = snprintf(buf + n, size - n, " %s=\"", name);

	if (w < 0 || (size_t)w >= size - n)
		return;		/* the record is full: truncated, still a string */
	for (n += (size_t)w; *value && n + 3 < size; value++) {
		if (*value == '"' || *value == '\\' || *value == ']')
			buf[n++] = '\\';
		buf[n++] = *value;
	}
	if (n + 1 < size)
		buf[n++] = '"';
	buf[n] = '\0';
}

static void rfc5424(const struct syslog_form *f, const struct log_record *r, const char *msg,
		    char *buf, size_t size)
{
	size_t i;

	snprintf(buf, size, "<%d>1 %s %s aftrctl %d %s ", r->priority, r->time, f->host,
		 (int)getpid(), r->event);
	if (!f->sd_id) {
		log_append(buf, size, "- %s", msg);
		return;
	}
	log_append(buf, size, "[%s", f->sd_id);
	for (i = 0; i < r->n; i++)
		sd_param(buf, size, r->field[i].key, r->field[i].value);
	log_append(buf, size, "] %s", msg);
}

void syslog_send(const struct syslog_form *f, struct log_sink *s, const struct log_record *r)
{
	char msg[SYSLOG_SIZE], buf[SYSLOG_SIZE];

	log_msg(r, msg, sizeof(msg));
	if (f->rfc5424)
		rfc5424(f, r, msg, buf, sizeof(buf));
	else
		rfc3164(r, msg, buf, sizeof(buf));
	log_sink_send(s, buf, strlen(buf));
}
