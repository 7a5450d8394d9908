// SPDX-License-Identifier: GPL-2.0
/*
 * "aftrctl binding": the NAT table, streamed; and flushing parts of it.
 * The kernel selects by B4, protocol, and outer and inner address and port
 * ("who has 198.51.100.7:40001" is a few lookups there, not a dump of the
 * table); the outer and inner filters are matched here again, so that a
 * module that predates them, and dumps everything, still gives the answer.
 */
#include <stdio.h>
#include <string.h>

#include "aftrctl.h"

static void usage(void)
{
	fputs("Usage: aftrctl binding show [ [ dev ] DEV ] [ b4 ADDR6 ] [ proto PROTO ]\n"
	      "                           [ outer ADDR4[:PORT] ] [ inner ADDR4[:PORT] ]\n"
	      "       aftrctl binding flush [ [ dev ] DEV ] [ b4 ADDR6 ] [ proto PROTO ]\n"
	      "where  PROTO := { tcp | udp | icmp | 6 | 17 | 1 }\n", stdout);
}

/* Names of enum dslite_aftr_state, lowercase and dash-separated. */
static const char *const state_names[] = {
	[DSLITE_AFTR_STATE_OPEN] = "open",
	[DSLITE_AFTR_STATE_TCP_SYN_OUT] = "tcp-syn-out",
	[DSLITE_AFTR_STATE_TCP_SYN_IN] = "tcp-syn-in",
	[DSLITE_AFTR_STATE_TCP_EST] = "tcp-est",
	[DSLITE_AFTR_STATE_TCP_FIN_OUT] = "tcp-fin-out",
	[DSLITE_AFTR_STATE_TCP_FIN_IN] = "tcp-fin-in",
	[DSLITE_AFTR_STATE_TCP_CLOSED] = "tcp-closed",
};

_Static_assert(ARRAY_SIZE(state_names) == __DSLITE_AFTR_STATE_MAX,
	       "every enum dslite_aftr_state needs a name");

/* An address and port to match a binding's outer or inner one with. */
struct addr_port {
	const char *given;	/* NULL: any */
	struct in_addr addr;
	int port;		/* -1: any */
};

struct filter {
	const char *ifname;
	struct in6_addr b4;
	bool has_b4;
	uint8_t proto;		/* 0: any */
	struct addr_port outer, inner;
	const struct dev_ref *dev;	/* the instance being walked */
};

enum { KW_DEV, KW_B4, KW_PROTO, KW_OUTER, KW_INNER };
static const char *const keywords[] = {
	[KW_DEV] = "dev", [KW_B4] = "b4", [KW_PROTO] = "proto", [KW_OUTER] = "outer",
	[KW_INNER] = "inner",
};

static int parse_addr_filter(struct args *a, const char *keyword, struct addr_port *ap)
{
	if (ap->given)
		return usage_error("\"%s\" given twice", keyword);
	if (args_value(a, keyword, &ap->given) ||
	    parse_addr_port(ap->given, keyword, 0, true, &ap->addr, &ap->port))
		return -1;
	return 0;
}

/* @show: the outer and inner filters are for "binding show" only. */
static int parse_filter(struct args *a, struct filter *f, bool show)
{
	const char *word, *val;
	int kw;

	while ((word = args_next(a))) {
		kw = ARGS_KEYWORD(a, word, keywords, &f->ifname);
		if (!show && (kw == KW_OUTER || kw == KW_INNER))
			return usage_error("\"%s\" goes with \"binding show\" only: the kernel "
					   "flushes by b4 and proto", keywords[kw]);
		switch (kw) {
		case KW_DEVICE:
			break;
		case KW_B4:
			if (f->has_b4)
				return usage_error("\"b4\" given twice");
			if (args_value(a, "b4", &val) || parse_addr6(val, "b4", &f->b4))
				return -1;
			f->has_b4 = true;
			break;
		case KW_PROTO:
			if (f->proto)
				return usage_error("\"proto\" given twice");
			if (args_value(a, "proto", &val) || parse_proto(val, &f->proto))
				return -1;
			break;
		case KW_OUTER:
			if (parse_addr_filter(a, "outer", &f->outer))
				return -1;
			break;
		case KW_INNER:
			if (parse_addr_filter(a, "inner", &f->inner))
				return -1;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static void put_addr_port(struct nlmsghdr *req, const struct addr_port *ap, uint16_t addr_type,
			  uint16_t port_type)
{
	if (!ap->given)
		return;
	mnl_attr_put(req, addr_type, sizeof(ap->addr), &ap->addr);
	if (ap->port >= 0)
		mnl_attr_put_u16(req, port_type, (uint16_t)ap->port);
}

static void put_filter(struct nlmsghdr *req, const struct filter *f, const struct dev_ref *dev)
{
	nl_put_dev(req, dev->ifindex, NULL);
	if (f->has_b4)
		mnl_attr_put(req, DSLITE_AFTR_A_B4_ADDR, sizeof(f->b4), &f->b4);
	if (f->proto)
		mnl_attr_put_u8(req, DSLITE_AFTR_A_PROTO, f->proto);
	put_addr_port(req, &f->outer, DSLITE_AFTR_A_OUTER_ADDR, DSLITE_AFTR_A_OUTER_PORT);
	put_addr_port(req, &f->inner, DSLITE_AFTR_A_INNER_ADDR, DSLITE_AFTR_A_INNER_PORT);
}

static bool addr_port_match(const struct addr_port *ap, const struct nlattr *addr,
			    const struct nlattr *port)
{
	return !ap->given ||
	       (addr && !memcmp(mnl_attr_get_payload(addr), &ap->addr, sizeof(ap->addr)) &&
		(ap->port < 0 || (port && mnl_attr_get_u16(port) == ap->port)));
}

/* Called for each message of the dump as it arrives: nothing is kept. */
static int print_binding(const struct nlattr **tb, void *data)
{
	const struct filter *f = data;
	const struct nlattr *state = tb[DSLITE_AFTR_A_STATE];
	const struct nlattr *proto = tb[DSLITE_AFTR_A_PROTO];
	uint8_t s = state ? mnl_attr_get_u8(state) : 0;

	if (!addr_port_match(&f->outer, tb[DSLITE_AFTR_A_OUTER_ADDR],
			     tb[DSLITE_AFTR_A_OUTER_PORT]) ||
	    !addr_port_match(&f->inner, tb[DSLITE_AFTR_A_INNER_ADDR],
			     tb[DSLITE_AFTR_A_INNER_PORT]))
		return 0;

	out_obj_begin(NULL);
	out_str("ifname", "%-15s ", f->dev->ifname);
	out_str("proto", "%-5s ", proto ? proto_name(mnl_attr_get_u8(proto)) : "-");
	out_addr6("b4-addr", "%-25s ", tb[DSLITE_AFTR_A_B4_ADDR]);
	out_addr4("inner-addr", "%-15s ", tb[DSLITE_AFTR_A_INNER_ADDR]);
	out_attr_u16("inner-port", "%-5s ", tb[DSLITE_AFTR_A_INNER_PORT]);
	out_addr4("outer-addr", "%-15s ", tb[DSLITE_AFTR_A_OUTER_ADDR]);
	out_attr_u16("outer-port", "%-5s ", tb[DSLITE_AFTR_A_OUTER_PORT]);
	out_str("state", "%-11s ",
		!state ? "-" : s < ARRAY_SIZE(state_names) ? state_names[s] : "unknown");
	out_attr_u32("expires-ms", "%10s\n", tb[DSLITE_AFTR_A_EXPIRES_MS]);
	out_obj_end();
	return 0;
}

static int show_one(const struct dev_ref *dev, void *data)
{
	struct nlmsghdr *req = nl_request(DSLITE_AFTR_CMD_BINDING_GET, NLM_F_DUMP);
	struct filter *f = data;

	f->dev = dev;
	put_filter(req, f, dev);
	return nl_talk(req, print_binding, f);
}

static int binding_show(struct args *a)
{
	struct filter f = { .ifname = NULL };
	char header[160];

	if (parse_filter(a, &f, true))
		return EXIT_USAGE;
	snprintf(header, sizeof(header), "%-15s %-5s %-25s %-15s %-5s %-15s %-5s %-11s %10s",
		 "dev", "proto", "b4", "inner", "port", "outer", "port", "state", "expires-ms");
	return for_each_dev(f.ifname, header, show_one, &f);
}

static int flush_one(const struct dev_ref *dev, void *data)
{
	struct nlmsghdr *req = nl_request(DSLITE_AFTR_CMD_BINDING_FLUSH, NLM_F_ACK);

	put_filter(req, data, dev);
	return nl_talk(req, NULL, NULL);
}

static int binding_flush(struct args *a)
{
	struct filter f = { .ifname = NULL };

	if (parse_filter(a, &f, false))
		return EXIT_USAGE;
	return for_each_dev(f.ifname, NULL, flush_one, &f);
}

static const struct command commands[] = {
	{ "show", binding_show },
	{ "flush", binding_flush },
	{ "help", NULL },
};

int do_binding(struct args *a)
{
	return run_command(a, commands, ARRAY_SIZE(commands), "binding command", usage);
}
