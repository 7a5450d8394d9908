// SPDX-License-Identifier: GPL-2.0
/*
 * "aftrctl monitor": the compliance log. Prints each event of the events
 * multicast group as it comes, one line each: text like "conntrack -E",
 * one JSON object per line with -j, or RFC 5424 syslog lines with
 * structured data, to standard output or to a syslog socket such as
 * /dev/log. Lost events are never silent: a gap in a compliance log must
 * show.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "aftrctl.h"

static void usage(void)
{
	fputs("Usage: aftrctl [ -j ] monitor [ [ dev ] DEV ] [ syslog [ SOCKET ] ]\n", stdout);
}

/* Names of enum dslite_aftr_event; also the syslog MSGID. */
static const char *const event_names[] = {
	[DSLITE_AFTR_EVENT_BLOCK_ALLOC] = "block-alloc",
	[DSLITE_AFTR_EVENT_BLOCK_FREE] = "block-free",
	[DSLITE_AFTR_EVENT_BINDING_CREATE] = "binding-create",
	[DSLITE_AFTR_EVENT_BINDING_EXPIRE] = "binding-expire",
	[DSLITE_AFTR_EVENT_QUOTA] = "quota",
	[DSLITE_AFTR_EVENT_POOL_EXHAUSTED] = "pool-exhausted",
};

_Static_assert(ARRAY_SIZE(event_names) == __DSLITE_AFTR_EVENT_MAX,
	       "every enum dslite_aftr_event needs a name");

enum kind { ADDR6, ADDR4, PORT, PROTO };

/* What an event may carry, in the order printed; absent ones are skipped. */
static const struct field {
	uint16_t attr;
	enum kind kind;
	const char *key;	/* JSON member and syslog SD-PARAM name */
	const char *fmt;	/* text */
} fields[] = {
	{ DSLITE_AFTR_A_B4_ADDR, ADDR6, "b4-addr", " b4 %s" },
	{ DSLITE_AFTR_A_PROTO, PROTO, "proto", " proto %s" },
	{ DSLITE_AFTR_A_INNER_ADDR, ADDR4, "inner-addr", " inner %s" },
	{ DSLITE_AFTR_A_INNER_PORT, PORT, "inner-port", ":%s" },
	{ DSLITE_AFTR_A_OUTER_ADDR, ADDR4, "outer-addr", " ext %s" },
	{ DSLITE_AFTR_A_OUTER_PORT, PORT, "outer-port", ":%s" },
	{ DSLITE_AFTR_A_PORT_MIN, PORT, "port-min", " ports %s" },
	{ DSLITE_AFTR_A_PORT_MAX, PORT, "port-max", "-%s" },
};

/* RFC 5424: facility local0; SD-ID with the documentation enterprise number. */
#define SYSLOG_FACILITY		16
#define SYSLOG_WARNING		4
#define SYSLOG_INFO		6
#define SYSLOG_SD_ID		"dslite@32473"
#define SYSLOG_LINE_MAX		1024

struct monitor {
	uint32_t ifindex;		/* 0: every instance */
	bool syslog, help;
	const char *socket_path;	/* NULL: standard output */
	int fd;
	char host[256];
	uint32_t name_ifindex;		/* the last instance named, cached */
	char ifname[IF_NAMESIZE];
};

/* "2026-11-22T09:00:00.123456Z": RFC 5424 allows six digits of fraction. */
static void format_time(uint64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%06uZ", (unsigned int)(ns % 1000000000 / 1000));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static const char *dev_name(struct monitor *m, uint32_t ifindex)
{
	if (ifindex != m->name_ifindex) {
		if (!if_indextoname(ifindex, m->ifname))
			snprintf(m->ifname, sizeof(m->ifname), "if%u", ifindex);
		m->name_ifindex = ifindex;
	}
	return m->ifname;
}

static void field_value(const struct field *f, const struct nlattr *attr, char *buf,
			size_t size)
{
	switch (f->kind) {
	case ADDR6:
		inet_ntop(AF_INET6, mnl_attr_get_payload(attr), buf, (socklen_t)size);
		break;
	case ADDR4:
		inet_ntop(AF_INET, mnl_attr_get_payload(attr), buf, (socklen_t)size);
		break;
	case PORT:
		snprintf(buf, size, "%u", mnl_attr_get_u16(attr));
		break;
	case PROTO:
		snprintf(buf, size, "%s", proto_name(mnl_attr_get_u8(attr)));
		break;
	}
}

/* Text or JSON, through the output layer that "show" uses. */
static void print_event(const char *time, uint64_t ns, const char *event, const char *ifname,
			const struct nlattr **tb)
{
	char val[INET6_ADDRSTRLEN];
	size_t i;

	out_obj_begin(NULL);
	out_str("time", "[%s]", time);
	out_uint("timestamp-ns", NULL, ns);
	out_str("event", " %s", event);
	out_str("ifname", " dev %s", ifname);
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct nlattr *attr = tb[fields[i].attr];

		if (!attr)
			continue;
		if (fields[i].kind == PORT) {
			out_uint(fields[i].key, fields[i].fmt, mnl_attr_get_u16(attr));
		} else {
			field_value(&fields[i], attr, val, sizeof(val));
			out_str(fields[i].key, fields[i].fmt, val);
		}
	}
	out_text("\n");
	out_obj_end();
	out_flush();
}

/* Appends PARAM="VALUE" with '"', '\' and ']' escaped (RFC 5424 6.3.3). */
static void sd_param(char *line, size_t size, const char *name, const char *value)
{
	size_t n = strlen(line);
	int w = snprintf(line + n, size - n, " %s=\"", name);

	if (w < 0 || (size_t)w >= size - n)
		return;		/* the line is full: truncated, still a string */
	for (n += (size_t)w; *value && n + 3 < size; value++) {
		if (*value == '"' || *value == '\\' || *value == ']')
			line[n++] = '\\';
		line[n++] = *value;
	}
	if (n + 1 < size)
		line[n++] = '"';
	line[n] = '\0';
}

static void syslog_connect(struct monitor *m)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (m->fd >= 0)
		close(m->fd);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", m->socket_path);
	m->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (m->fd >= 0 && connect(m->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(m->fd);
		m->fd = -1;
	}
}

/* One line to standard output, or one datagram (reconnecting once: syslogd restarts). */
static void syslog_emit(struct monitor *m, const char *line)
{
	size_t len = strlen(line);

	if (!m->socket_path) {
		printf("%s\n", line);
		out_flush();
		return;
	}
	if (m->fd >= 0 && send(m->fd, line, len, 0) == (ssize_t)len)
		return;
	syslog_connect(m);
	if (m->fd < 0 || send(m->fd, line, len, 0) != (ssize_t)len)
		warning("cannot log to %s: %s; lost: %s", m->socket_path, strerror(errno), line);
}

/* "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID" */
static void syslog_header(const struct monitor *m, char *line, size_t size, int severity,
			  const char *time, const char *msgid)
{
	snprintf(line, size, "<%d>1 %s %s aftrctl %d %s", SYSLOG_FACILITY * 8 + severity, time,
		 m->host, (int)getpid(), msgid);
}

static void syslog_event(struct monitor *m, const char *time, uint8_t type, const char *event,
			 const char *ifname, const struct nlattr **tb)
{
	bool alarm = type == DSLITE_AFTR_EVENT_QUOTA || type == DSLITE_AFTR_EVENT_POOL_EXHAUSTED;
	char line[SYSLOG_LINE_MAX], val[INET6_ADDRSTRLEN];
	size_t i;

	syslog_header(m, line, sizeof(line), alarm ? SYSLOG_WARNING : SYSLOG_INFO, time, event);
	snprintf(line + strlen(line), sizeof(line) - strlen(line), " [" SYSLOG_SD_ID);
	sd_param(line, sizeof(line), "ifname", ifname);
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (!tb[fields[i].attr])
			continue;
		field_value(&fields[i], tb[fields[i].attr], val, sizeof(val));
		sd_param(line, sizeof(line), fields[i].key, val);
	}
	snprintf(line + strlen(line), sizeof(line) - strlen(line), "]");
	syslog_emit(m, line);
}

static int on_event(const struct nlattr **tb, void *data)
{
	const struct nlattr *type = tb[DSLITE_AFTR_A_EVENT];
	const struct nlattr *ts = tb[DSLITE_AFTR_A_TIMESTAMP_NS];
	const struct nlattr *ifindex = tb[DSLITE_AFTR_A_IFINDEX];
	struct monitor *m = data;
	uint64_t ns = ts ? mnl_attr_get_u64(ts) : now_ns();
	char time[40], unknown[16];
	const char *event, *ifname;
	uint8_t t;

	if (!type || !ifindex)
		return 0;	/* not an event this tool knows how to read */
	if (m->ifindex && mnl_attr_get_u32(ifindex) != m->ifindex)
		return 0;
	t = mnl_attr_get_u8(type);
	if (t < ARRAY_SIZE(event_names)) {
		event = event_names[t];
	} else {
		snprintf(unknown, sizeof(unknown), "event-%u", t);
		event = unknown;
	}
	ifname = dev_name(m, mnl_attr_get_u32(ifindex));
	format_time(ns, time, sizeof(time));
	if (m->syslog)
		syslog_event(m, time, t, event, ifname, tb);
	else
		print_event(time, ns, event, ifname, tb);
	return 0;
}

/* The kernel dropped events (ENOBUFS): say so where the log goes, too. */
static void on_lost(void *data)
{
	struct monitor *m = data;
	char time[40], line[SYSLOG_LINE_MAX];

	warning("events were lost: the kernel dropped them while this monitor fell behind "
		"(ENOBUFS), so the log has a gap");
	if (!m->syslog)
		return;
	format_time(now_ns(), time, sizeof(time));
	syslog_header(m, line, sizeof(line), SYSLOG_WARNING, time, "events-lost");
	snprintf(line + strlen(line), sizeof(line) - strlen(line),
		 " - events were lost (ENOBUFS): the log has a gap");
	syslog_emit(m, line);
}

static int remember_ifindex(const struct dev_ref *dev, void *data)
{
	*(uint32_t *)data = dev->ifindex;
	return 0;
}

enum { KW_DEV, KW_SYSLOG, KW_HELP };
static const char *const keywords[] = {
	[KW_DEV] = "dev", [KW_SYSLOG] = "syslog", [KW_HELP] = "help",
};

static int parse_monitor(struct args *a, struct monitor *m, const char **ifname)
{
	const char *word;

	while ((word = args_next(a))) {
		switch (ARGS_KEYWORD(a, word, keywords, ifname)) {
		case KW_DEVICE:
			break;
		case KW_SYSLOG:
			if (m->syslog)
				return usage_error("\"syslog\" given twice");
			m->syslog = true;
			if (args_peek(a) && args_peek(a)[0] == '/')
				m->socket_path = args_next(a);
			break;
		case KW_HELP:
			m->help = true;
			return 0;
		default:
			return -1;
		}
	}
	if (m->syslog && opt_json)
		return usage_error("syslog output is not JSON: drop -j");
	if (m->socket_path && strlen(m->socket_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return usage_error("socket path \"%s\" is too long", m->socket_path);
	return 0;
}

int do_monitor(struct args *a)
{
	struct monitor m = { .fd = -1 };
	const char *ifname = NULL;
	int ret;

	if (parse_monitor(a, &m, &ifname))
		return EXIT_USAGE;
	if (m.help) {
		usage();
		return EXIT_OK;
	}
	if (ifname) {
		ret = for_each_dev(ifname, NULL, remember_ifindex, &m.ifindex);
		if (ret)
			return ret;
	}
	if (m.socket_path) {
		syslog_connect(&m);
		if (m.fd < 0)
			return usage_error("cannot log to %s: %s", m.socket_path, strerror(errno));
	}
	if (gethostname(m.host, sizeof(m.host)) < 0 || !m.host[0])
		snprintf(m.host, sizeof(m.host), "-");
	ret = nl_listen(on_event, on_lost, &m);
	if (m.fd >= 0)
		close(m.fd);
	return ret;
}
