// SPDX-License-Identifier: GPL-2.0
/*
 * Records in journald's native protocol: one datagram of FIELD=VALUE lines
 * to /run/systemd/journal/socket. Unlike syslog, which journald keeps as a
 * MESSAGE string, each field of the event becomes a journal field
 * (AFTR_B4_ADDR=..., matched by "journalctl AFTR_B4_ADDR=..."); MESSAGE is
 * the same text as in syslog, and SYSLOG_IDENTIFIER makes "journalctl -t
 * aftrctl" find it. The protocol is simple enough not to need libsystemd:
 * values here never hold a newline, so the plain form does.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "aftrctl.h"

#define JOURNAL_SIZE	4096

/* "b4-addr" -> "AFTR_B4_ADDR": journal field names are [A-Z0-9_]. */
static void field_name(const char *key, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "AFTR_");

	for (; *key && n + 1 < size; key++)
		buf[n++] = *key == '-' ? '_' : (char)toupper((unsigned char)*key);
	buf[n] = '\0';
}

static void put(char *buf, size_t size, const char *name, const char *value)
{
	log_append(buf, size, "%s=%s\n", name, value);
}

void journal_send(struct log_sink *s, const struct log_record *r)
{
	char buf[JOURNAL_SIZE] = "", msg[JOURNAL_SIZE / 2], name[64], num[16];
	size_t i;

	log_msg(r, msg, sizeof(msg));
	put(buf, sizeof(buf), "MESSAGE", msg);
	snprintf(num, sizeof(num), "%d", LOG_PRI(r->priority));
	put(buf, sizeof(buf), "PRIORITY", num);
	snprintf(num, sizeof(num), "%d", LOG_FAC(r->priority));
	put(buf, sizeof(buf), "SYSLOG_FACILITY", num);
	put(buf, sizeof(buf), "SYSLOG_IDENTIFIER", "aftrctl");
	put(buf, sizeof(buf), "AFTR_EVENT", r->event);
	put(buf, sizeof(buf), "AFTR_TIME", r->time);
	for (i = 0; i < r->n; i++) {
		field_name(r->field[i].key, name, sizeof(name));
		put(buf, sizeof(buf), name, r->field[i].value);
	}
	log_sink_send(s, buf, strlen(buf));
}
