// SPDX-License-Identifier: GPL-2.0
/*
 * "aftrctl monitor": the compliance log. Prints each event of the events
 * multicast group as it comes, one line each: text like "conntrack -E" or
 * one JSON object per line with -j; or sends it as a record to syslog
 * (syslog.c) or the journal (journal.c), or as IPFIX to a collector
 * (ipfix.c). Lost events are never silent: a gap in a compliance log must
 * show.
 */
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "aftrctl.h"
#include "ipfix.h"

static void usage(void)
{
	fputs("Usage: aftrctl [ -j ] monitor [ [ dev ] DEV ]\n"
	      "               [ pool-threshold PCT ]... [ hysteresis PCT ] [ interval SECS ]\n"
	      "               [ syslog [ SOCKET ] [ format { rfc3164 | rfc5424 } ] [ sd-id NAME@PEN ] |\n"
	      "                 journal [ SOCKET ] |\n"
	      "                 ipfix HOST[:PORT] [ transport { udp | tcp } ] [ domain ID ]\n"
	      "                       [ template-refresh SECS ] [ template-messages N ] ]\n", stdout);
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
	const char *key;	/* JSON member, log key and SD-PARAM name */
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

enum dest { DEST_STDOUT, DEST_SYSLOG, DEST_JOURNAL, DEST_IPFIX };

/* The number of the last event seen from an instance. */
struct seen {
	uint32_t ifindex;
	uint64_t seq;
};

struct monitor {
	uint32_t ifindex;		/* 0: every instance */
	struct seen *seen;		/* by instance, in the order first heard */
	size_t nseen;
	enum dest dest;
	bool help, watch_opts;
	const char *socket_path;	/* NULL: standard output */
	struct syslog_form syslog;
	struct log_sink sink;
	struct ipfix_exporter ipfix;
	struct pool_watch watch;
	uint32_t name_ifindex;		/* the last instance named, cached */
	char ifname[IF_NAMESIZE];
};

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
static void print_event(const struct log_record *r, const char *ifname, uint64_t seq,
			const struct nlattr **tb)
{
	char val[INET6_ADDRSTRLEN];
	size_t i;

	out_obj_begin(NULL);
	out_str("time", "[%s]", r->time);
	out_uint("timestamp-ns", NULL, r->ns);
	out_str("event", " %s", r->event);
	out_str("ifname", " dev %s", ifname);
	out_uint("seq", " seq %s", seq);
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

/* A record to the syslog or the journal. */
static void log_event(struct monitor *m, const struct log_record *r)
{
	if (m->dest == DEST_JOURNAL)
		journal_send(&m->sink, r);
	else
		syslog_send(&m->syslog, &m->sink, r);
}

/*
 * A record of this tool's own (a pool threshold crossed), where the events
 * go: text as "KEY VALUE" pairs after the instance, or JSON.
 */
static void on_record(const struct log_record *r, void *data)
{
	struct monitor *m = data;
	size_t i;

	if (m->dest != DEST_STDOUT) {
		log_event(m, r);
		return;
	}
	out_obj_begin(NULL);
	out_str("time", "[%s]", r->time);
	out_uint("timestamp-ns", NULL, r->ns);
	out_str("event", " %s", r->event);
	for (i = 0; i < r->n; i++) {
		const char *key = r->field[i].key, *val = r->field[i].value;

		out_text(" %s %s", strcmp(key, "ifname") ? key : "dev", val);
		if (r->field[i].number)
			out_number(key, NULL, val);
		else
			out_str(key, NULL, val);
	}
	out_text("\n");
	out_obj_end();
	out_flush();
}

static void on_tick(void *data)
{
	struct monitor *m = data;

	pool_watch_tick(&m->watch);
}

/* The event's fields, named as in JSON, in the order printed. */
static void record_fields(struct log_record *r, const char *ifname, uint64_t seq,
			  const struct nlattr **tb)
{
	char val[INET6_ADDRSTRLEN];
	size_t i;

	log_record_add(r, "ifname", ifname);
	snprintf(val, sizeof(val), "%" PRIu64, seq);
	log_record_add_number(r, "seq", val);
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (!tb[fields[i].attr])
			continue;
		field_value(&fields[i], tb[fields[i].attr], val, sizeof(val));
		log_record_add(r, fields[i].key, val);
	}
}

/*
 * How many events of @ifindex were missed before @seq: an instance numbers
 * its events from 1 with no hole, counting those no one heard, so a jump
 * is a gap of the log, whether the socket overflowed or no monitor ran.
 * The first event heard from an instance, or a number that went back (a
 * new instance with the same index), starts afresh. -1: out of memory.
 */
static int64_t events_missed(struct monitor *m, uint32_t ifindex, uint64_t seq)
{
	struct seen *s;
	uint64_t last;
	size_t i;

	for (i = 0; i < m->nseen && m->seen[i].ifindex != ifindex; i++)
		;
	if (i == m->nseen) {
		s = realloc(m->seen, (m->nseen + 1) * sizeof(*s));
		if (!s)
			return -1;
		m->seen = s;
		m->seen[m->nseen++] = (struct seen){ ifindex, seq };
		return 0;
	}
	last = m->seen[i].seq;
	m->seen[i].seq = seq;
	return seq > last ? (int64_t)(seq - last - 1) : 0;
}

/* A gap in the numbers, where the events go: "events-lost ... lost N". */
static void report_gap(struct monitor *m, const char *ifname, uint64_t lost, uint64_t seq)
{
	struct log_record r;
	char num[24];

	log_record_init(&r, "events-lost", log_now_ns(), true);
	log_record_add(&r, "ifname", ifname);
	snprintf(num, sizeof(num), "%" PRIu64, lost);
	log_record_add_number(&r, "lost", num);
	snprintf(num, sizeof(num), "%" PRIu64, seq - lost);
	log_record_add_number(&r, "first-seq", num);
	on_record(&r, m);
}

static int on_event(const struct nlattr **tb, void *data)
{
	const struct nlattr *type = tb[DSLITE_AFTR_A_EVENT];
	const struct nlattr *ts = tb[DSLITE_AFTR_A_TIMESTAMP_NS];
	const struct nlattr *ifindex = tb[DSLITE_AFTR_A_IFINDEX];
	const struct nlattr *seq = tb[DSLITE_AFTR_A_EVENT_SEQ];
	struct monitor *m = data;
	struct log_record r;
	char unknown[16];
	const char *event, *ifname;
	int64_t missed;
	uint8_t t;

	if (!type || !ifindex || !seq)
		return 0;	/* not an event this tool knows how to read */
	if (m->ifindex && mnl_attr_get_u32(ifindex) != m->ifindex)
		return 0;
	ifname = dev_name(m, mnl_attr_get_u32(ifindex));
	missed = events_missed(m, mnl_attr_get_u32(ifindex), mnl_attr_get_u64(seq));
	if (missed < 0)
		return -1;
	if (missed && m->dest == DEST_IPFIX)
		ipfix_lost(&m->ipfix, mnl_attr_get_u32(ifindex), (uint64_t)missed);
	else if (missed)
		report_gap(m, ifname, (uint64_t)missed, mnl_attr_get_u64(seq));
	if (m->dest == DEST_IPFIX) {
		ipfix_event(&m->ipfix, tb);
		return 0;
	}
	t = mnl_attr_get_u8(type);
	if (t < ARRAY_SIZE(event_names)) {
		event = event_names[t];
	} else {
		snprintf(unknown, sizeof(unknown), "event-%u", t);
		event = unknown;
	}
	log_record_init(&r, event, ts ? mnl_attr_get_u64(ts) : log_now_ns(),
			t == DSLITE_AFTR_EVENT_QUOTA || t == DSLITE_AFTR_EVENT_POOL_EXHAUSTED);
	record_fields(&r, ifname, mnl_attr_get_u64(seq), tb);
	if (m->dest == DEST_STDOUT)
		print_event(&r, ifname, mnl_attr_get_u64(seq), tb);
	else
		log_event(m, &r);
	return 0;
}

/* The kernel dropped events (ENOBUFS): say so where the log goes, too. */
static void on_lost(void *data)
{
	struct monitor *m = data;
	struct log_record r;

	warning("events were lost: the kernel dropped them while this monitor fell behind "
		"(ENOBUFS), so the log has a gap");
	/* IPFIX counts them once the next event's number shows how many. */
	if (m->dest == DEST_STDOUT || m->dest == DEST_IPFIX)
		return;
	log_record_init(&r, "events-lost", log_now_ns(), true);
	log_record_add(&r, "reason", "ENOBUFS");
	log_event(m, &r);
}

static int remember_ifindex(const struct dev_ref *dev, void *data)
{
	*(uint32_t *)data = dev->ifindex;
	return 0;
}

enum { KW_DEV, KW_SYSLOG, KW_JOURNAL, KW_IPFIX, KW_FORMAT, KW_SD_ID, KW_TRANSPORT,
       KW_DOMAIN, KW_REFRESH, KW_REFRESH_MESSAGES, KW_THRESHOLD, KW_HYSTERESIS,
       KW_INTERVAL, KW_HELP };
static const char *const keywords[] = {
	[KW_DEV] = "dev", [KW_SYSLOG] = "syslog", [KW_JOURNAL] = "journal",
	[KW_IPFIX] = "ipfix", [KW_FORMAT] = "format", [KW_SD_ID] = "sd-id",
	[KW_TRANSPORT] = "transport", [KW_DOMAIN] = "domain",
	[KW_REFRESH] = "template-refresh", [KW_REFRESH_MESSAGES] = "template-messages",
	[KW_THRESHOLD] = "pool-threshold", [KW_HYSTERESIS] = "hysteresis",
	[KW_INTERVAL] = "interval", [KW_HELP] = "help",
};

static const char *const formats[] = { "rfc3164", "rfc5424" };
static const char *const transports[] = { "udp", "tcp" };

/* "syslog" or "journal" and the socket that may follow, "ipfix" and its collector. */
static int parse_dest(struct args *a, struct monitor *m, enum dest dest)
{
	const char *val;

	if (m->dest != DEST_STDOUT)
		return usage_error("one of \"syslog\", \"journal\" and \"ipfix\", once");
	m->dest = dest;
	if (dest == DEST_IPFIX)
		return args_value(a, "ipfix", &val) || ipfix_parse_dest(&m->ipfix, val) ? -1 : 0;
	if (args_peek(a) && args_peek(a)[0] == '/')
		m->socket_path = args_next(a);
	return 0;
}

/* "transport", "domain", "template-refresh" and "template-messages". */
static int parse_ipfix_kw(struct args *a, struct monitor *m, int kw)
{
	struct ipfix_exporter *x = &m->ipfix;
	const char *val;
	int i;

	if (m->dest != DEST_IPFIX)
		return usage_error("\"%s\" goes after \"ipfix\"", keywords[kw]);
	if (args_value(a, keywords[kw], &val))
		return -1;
	switch (kw) {
	case KW_TRANSPORT:
		i = LOOKUP_WORD(val, transports, "transport");
		x->tcp = i == 1;
		return i < 0 ? -1 : 0;
	case KW_DOMAIN:
		x->fixed_domain = true;
		return parse_u32(val, 0, UINT32_MAX, "observation domain", &x->domain) ? -1 : 0;
	case KW_REFRESH:
		return parse_u32(val, 1, 86400, "template-refresh", &x->refresh) ? -1 : 0;
	default:
		return parse_u32(val, 1, UINT32_MAX, "template-messages",
				 &x->refresh_messages) ? -1 : 0;
	}
}

/* "format" and "sd-id", which shape syslog records. */
static int parse_syslog_kw(struct args *a, struct monitor *m, int kw)
{
	const char *val;
	int i;

	if (m->dest != DEST_SYSLOG)
		return usage_error("\"%s\" goes after \"syslog\"", keywords[kw]);
	if (args_value(a, keywords[kw], &val))
		return -1;
	if (kw == KW_SD_ID) {
		if (m->syslog.sd_id)
			return usage_error("\"sd-id\" given twice");
		m->syslog.sd_id = val;
		return syslog_parse_sd_id(val);
	}
	i = LOOKUP_WORD(val, formats, "syslog format");
	if (i < 0)
		return -1;
	m->syslog.rfc5424 = i == 1;
	return 0;
}

static int parse_monitor(struct args *a, struct monitor *m, const char **ifname)
{
	const char *word;
	int kw;

	while ((word = args_next(a))) {
		switch ((kw = ARGS_KEYWORD(a, word, keywords, ifname))) {
		case KW_DEVICE:
			break;
		case KW_SYSLOG:
		case KW_JOURNAL:
		case KW_IPFIX:
			if (parse_dest(a, m, kw == KW_SYSLOG ? DEST_SYSLOG :
				       kw == KW_JOURNAL ? DEST_JOURNAL : DEST_IPFIX))
				return -1;
			break;
		case KW_TRANSPORT:
		case KW_DOMAIN:
		case KW_REFRESH:
		case KW_REFRESH_MESSAGES:
			if (parse_ipfix_kw(a, m, kw))
				return -1;
			break;
		case KW_FORMAT:
		case KW_SD_ID:
			if (parse_syslog_kw(a, m, kw))
				return -1;
			break;
		case KW_THRESHOLD:
		case KW_HYSTERESIS:
		case KW_INTERVAL:
			if (pool_watch_parse(&m->watch, a, kw == KW_THRESHOLD ? WATCH_THRESHOLD :
					     kw == KW_HYSTERESIS ? WATCH_HYSTERESIS :
					     WATCH_INTERVAL))
				return -1;
			m->watch_opts = true;
			break;
		case KW_HELP:
			m->help = true;
			return 0;
		default:
			return -1;
		}
	}
	if (m->dest != DEST_STDOUT && opt_json)
		return usage_error("syslog, journal and IPFIX records are not JSON: drop -j");
	if (m->dest == DEST_IPFIX && m->watch_opts)
		return usage_error("IPFIX has no record of pool thresholds: drop \"pool-threshold\"");
	if (m->syslog.sd_id && !m->syslog.rfc5424)
		return usage_error("structured data needs \"format rfc5424\"");
	if (m->watch_opts && !m->watch.n)
		return usage_error("\"hysteresis\" and \"interval\" go with \"pool-threshold\"");
	if (m->dest == DEST_JOURNAL && !m->socket_path)
		m->socket_path = JOURNAL_SOCKET;
	return 0;
}

int do_monitor(struct args *a)
{
	struct monitor m = { .dest = DEST_STDOUT, .sink.fd = -1 };
	struct nl_listener l = { on_event, on_lost, NULL, 0, &m };
	const char *ifname = NULL;
	int ret;

	pool_watch_init(&m.watch);
	ipfix_init(&m.ipfix);
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
	if (m.dest == DEST_IPFIX && ipfix_open(&m.ipfix))
		return EXIT_USAGE;
	if ((m.dest == DEST_SYSLOG || m.dest == DEST_JOURNAL) &&
	    log_sink_open(&m.sink, m.socket_path))
		return EXIT_USAGE;
	if (gethostname(m.syslog.host, sizeof(m.syslog.host)) < 0 || !m.syslog.host[0])
		snprintf(m.syslog.host, sizeof(m.syslog.host), "-");
	if (m.watch.n) {
		m.watch.ifname = ifname;
		m.watch.emit = on_record;
		m.watch.data = &m;
		l.tick = on_tick;
		l.interval_ms = m.watch.interval * 1000;
	}
	ret = nl_listen(&l);
	log_sink_close(&m.sink);
	ipfix_close(&m.ipfix);
	pool_watch_free(&m.watch);
	free(m.seen);
	return ret;
}
