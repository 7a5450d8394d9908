// SPDX-License-Identifier: GPL-2.0
/*
 * What every log form of "aftrctl monitor" shares: the event as a record,
 * its MSG text, and the Unix datagram socket of a log daemon that records
 * go to (or standard output).
 *
 * The MSG text carries every field as key=value, the event time first, so
 * that a record stands alone whatever a daemon keeps of the header around
 * it: rsyslog's imuxsock and journald replace the header's time with the
 * time they received it, and rsyslog's default file templates drop RFC 5424
 * structured data.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "aftrctl.h"

uint64_t log_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* "2026-11-22T09:00:00.123456Z": RFC 3339 in UTC, as RFC 5424 allows it. */
void log_record_init(struct log_record *r, const char *event, uint64_t ns, bool alarm)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;
	size_t n;

	memset(r, 0, sizeof(*r));
	r->event = event;
	r->ns = ns;
	r->priority = LOG_LOCAL0 | (alarm ? LOG_WARNING : LOG_INFO);
	gmtime_r(&sec, &tm);
	n = strftime(r->time, sizeof(r->time), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(r->time + n, sizeof(r->time) - n, ".%06uZ",
		 (unsigned int)(ns % 1000000000 / 1000));
}

/* Values are addresses, numbers and names without blanks: none needs quoting. */
void log_record_add(struct log_record *r, const char *key, const char *value)
{
	if (r->n == ARRAY_SIZE(r->field))
		return;		/* more than any event has: a bug, not input */
	r->field[r->n].key = key;
	snprintf(r->field[r->n].value, sizeof(r->field[r->n].value), "%s", value);
	r->field[r->n].number = false;
	r->n++;
}

/* A value that JSON shows as a number ("62.5"). */
void log_record_add_number(struct log_record *r, const char *key, const char *value)
{
	log_record_add(r, key, value);
	r->field[r->n - 1].number = true;
}

/* printf at the end of the string in @buf; what does not fit is cut. */
void log_append(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strnlen(buf, size);
	va_list ap;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* "event=block-alloc time=... ifname=aftr0 b4-addr=..."; cut if too long. */
void log_msg(const struct log_record *r, char *buf, size_t size)
{
	size_t i;

	snprintf(buf, size, "event=%s time=%s", r->event, r->time);
	for (i = 0; i < r->n; i++)
		log_append(buf, size, " %s=%s", r->field[i].key, r->field[i].value);
}

static void sink_connect(struct log_sink *s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (s->fd >= 0)
		close(s->fd);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->path);
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd >= 0 && connect(s->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(s->fd);
		s->fd = -1;
	}
}

/* A sink of @path, or of standard output when NULL; 0 or an exit code. */
int log_sink_open(struct log_sink *s, const char *path)
{
	s->path = path;
	s->fd = -1;
	if (!path)
		return 0;
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return usage_error("socket path \"%s\" is too long", path);
	sink_connect(s);
	if (s->fd < 0)
		return usage_error("cannot log to %s: %s", path, strerror(errno));
	return 0;
}

void log_sink_close(struct log_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/*
 * One record: a line on standard output, or a datagram. A daemon that
 * restarted has a new socket at the same path: reconnect once.
 */
void log_sink_send(struct log_sink *s, const char *buf, size_t len)
{
	if (!s->path) {
		fwrite(buf, 1, len, stdout);
		putchar('\n');
		out_flush();
		return;
	}
	if (s->fd >= 0 && send(s->fd, buf, len, 0) == (ssize_t)len)
		return;
	sink_connect(s);
	if (s->fd < 0 || send(s->fd, buf, len, 0) != (ssize_t)len)
		warning("cannot log to %s: %s; lost: %.*s", s->path, strerror(errno), (int)len,
			buf);
}
