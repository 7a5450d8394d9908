// SPDX-License-Identifier: GPL-2.0
/*
 * "aftrctl static": port forwarding. A static mapping holds one pool
 * address and port for a host behind a B4, so that connections from the
 * IPv4 side reach it with no outbound packet first.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "aftrctl.h"

static void usage(void)
{
	fputs("Usage: aftrctl static add [ dev ] DEV b4 ADDR6 proto PROTO\n"
	      "                          inner ADDR4:PORT outer ADDR4:PORT\n"
	      "       aftrctl static { del | delete } [ dev ] DEV [ b4 ADDR6 ] proto PROTO\n"
	      "                          [ inner ADDR4:PORT ] outer ADDR4:PORT\n"
	      "       aftrctl static show [ [ dev ] DEV ]\n"
	      "where  PROTO := { tcp | udp | 6 | 17 }\n", stdout);
}

struct mapping {
	const char *ifname, *b4, *proto, *inner, *outer;	/* as given */
	struct in6_addr b4_addr;
	uint8_t proto_nr;
	struct in_addr inner_addr, outer_addr;
	uint16_t inner_port, outer_port;
};

enum { KW_DEV, KW_B4, KW_PROTO, KW_INNER, KW_OUTER };
static const char *const keywords[] = {
	[KW_DEV] = "dev", [KW_B4] = "b4", [KW_PROTO] = "proto", [KW_INNER] = "inner",
	[KW_OUTER] = "outer",
};

/* "ADDR4:PORT" of a mapping: a port 1 to 65535. */
static int mapping_addr(const char *s, const char *what, struct in_addr *addr, uint16_t *port)
{
	int p;

	if (parse_addr_port(s, what, 1, false, addr, &p))
		return -1;
	*port = (uint16_t)p;
	return 0;
}

static int value(struct args *a, const char *keyword, const char **seen)
{
	if (*seen)
		return usage_error("\"%s\" given twice", keyword);
	return args_value(a, keyword, seen);
}

static int parse_one(struct args *a, int kw, struct mapping *m)
{
	switch (kw) {
	case KW_B4:
		return value(a, "b4", &m->b4) || parse_addr6(m->b4, "b4", &m->b4_addr);
	case KW_PROTO:
		if (value(a, "proto", &m->proto) || parse_proto(m->proto, &m->proto_nr))
			return -1;
		if (m->proto_nr != IPPROTO_TCP && m->proto_nr != IPPROTO_UDP)
			return usage_error("static mappings are for tcp (6) or udp (17), "
					   "not %s (%u)", proto_name(m->proto_nr), m->proto_nr);
		return 0;
	case KW_INNER:
		return value(a, "inner", &m->inner) ||
		       mapping_addr(m->inner, "inner", &m->inner_addr, &m->inner_port);
	case KW_OUTER:
		return value(a, "outer", &m->outer) ||
		       mapping_addr(m->outer, "outer", &m->outer_addr, &m->outer_port);
	}
	return -1;
}

/* Add needs every keyword; del only dev, proto and outer (it checks b4 and inner). */
static int parse_mapping(struct args *a, struct mapping *m, bool add)
{
	const char *word;
	int kw;

	while ((word = args_next(a))) {
		kw = ARGS_KEYWORD(a, word, keywords, &m->ifname);
		if (kw < 0)
			return -1;
		if (kw == KW_DEVICE)
			continue;
		if (parse_one(a, kw, m))
			return -1;
	}
	if (!m->ifname)
		return usage_error("\"dev DEV\" is needed");
	if (!m->proto || !m->outer)
		return usage_error("\"proto\" and \"outer ADDR4:PORT\" are needed");
	if (add && (!m->b4 || !m->inner))
		return usage_error("\"b4 ADDR6\" and \"inner ADDR4:PORT\" are needed");
	return 0;
}

static void put_outer(struct nlmsghdr *req, const struct mapping *m)
{
	nl_put_dev(req, 0, m->ifname);
	mnl_attr_put_u8(req, DSLITE_AFTR_A_PROTO, m->proto_nr);
	mnl_attr_put(req, DSLITE_AFTR_A_OUTER_ADDR, sizeof(m->outer_addr), &m->outer_addr);
	mnl_attr_put_u16(req, DSLITE_AFTR_A_OUTER_PORT, m->outer_port);
}

static int static_add(struct args *a)
{
	struct mapping m = { .ifname = NULL };
	struct nlmsghdr *req;

	if (parse_mapping(a, &m, true))
		return EXIT_USAGE;
	req = nl_request(DSLITE_AFTR_CMD_STATIC_ADD, NLM_F_ACK);
	put_outer(req, &m);
	mnl_attr_put(req, DSLITE_AFTR_A_B4_ADDR, sizeof(m.b4_addr), &m.b4_addr);
	mnl_attr_put(req, DSLITE_AFTR_A_INNER_ADDR, sizeof(m.inner_addr), &m.inner_addr);
	mnl_attr_put_u16(req, DSLITE_AFTR_A_INNER_PORT, m.inner_port);
	return nl_talk(req, NULL, NULL);
}

/* The mapping of a "static del" given b4 or inner, as the kernel has it. */
struct found {
	const struct mapping *m;
	unsigned int plen;	/* the instance's subscriber length */
	bool found;
	struct in6_addr b4;
	struct in_addr inner;
	uint16_t inner_port;
};

static int subscriber_len(const struct nlattr **tb, void *data)
{
	struct found *f = data;

	if (tb[DSLITE_AFTR_A_SUBSCRIBER_LEN])
		f->plen = mnl_attr_get_u8(tb[DSLITE_AFTR_A_SUBSCRIBER_LEN]);
	return 0;
}

static int find_mapping(const struct nlattr **tb, void *data)
{
	struct found *f = data;
	const struct mapping *m = f->m;

	if (!tb[DSLITE_AFTR_A_PROTO] || !tb[DSLITE_AFTR_A_OUTER_ADDR] ||
	    !tb[DSLITE_AFTR_A_OUTER_PORT] || !tb[DSLITE_AFTR_A_B4_ADDR] ||
	    !tb[DSLITE_AFTR_A_INNER_ADDR] || !tb[DSLITE_AFTR_A_INNER_PORT] ||
	    mnl_attr_get_u8(tb[DSLITE_AFTR_A_PROTO]) != m->proto_nr ||
	    memcmp(mnl_attr_get_payload(tb[DSLITE_AFTR_A_OUTER_ADDR]), &m->outer_addr,
		   sizeof(m->outer_addr)) ||
	    mnl_attr_get_u16(tb[DSLITE_AFTR_A_OUTER_PORT]) != m->outer_port)
		return 0;
	f->found = true;
	memcpy(&f->b4, mnl_attr_get_payload(tb[DSLITE_AFTR_A_B4_ADDR]), sizeof(f->b4));
	memcpy(&f->inner, mnl_attr_get_payload(tb[DSLITE_AFTR_A_INNER_ADDR]), sizeof(f->inner));
	f->inner_port = mnl_attr_get_u16(tb[DSLITE_AFTR_A_INNER_PORT]);
	return 0;
}

/*
 * "static del" with the words of its add: the mapping must have them, the
 * inner address and port exactly, the B4 within its subscriber prefix (its
 * address moves inside it). Without a mapping, the kernel says so.
 */
static int check_mapping(const struct mapping *m)
{
	struct found f = { .m = m, .plen = 128 };
	char buf[INET6_ADDRSTRLEN];
	struct nlmsghdr *req;
	int ret;

	req = nl_request(DSLITE_AFTR_CMD_DEV_GET, NLM_F_ACK);
	nl_put_dev(req, 0, m->ifname);
	ret = nl_talk(req, subscriber_len, &f);
	if (ret)
		return ret;
	req = nl_request(DSLITE_AFTR_CMD_STATIC_GET, NLM_F_DUMP);
	nl_put_dev(req, 0, m->ifname);
	ret = nl_talk(req, find_mapping, &f);
	if (ret || !f.found)
		return ret;
	if (m->inner && (f.inner.s_addr != m->inner_addr.s_addr || f.inner_port != m->inner_port))
		return kernel_error("the mapping of %s outer %s has inner %s:%u, not %s",
				    proto_name(m->proto_nr), m->outer,
				    inet_ntop(AF_INET, &f.inner, buf, sizeof(buf)), f.inner_port,
				    m->inner);
	if (m->b4 && !prefix_equal(&f.b4, &m->b4_addr, f.plen))
		return kernel_error("the mapping of %s outer %s has b4 %s, not %s "
				    "(subscribers are /%u)", proto_name(m->proto_nr), m->outer,
				    inet_ntop(AF_INET6, &f.b4, buf, sizeof(buf)), m->b4, f.plen);
	return 0;
}

static int static_del(struct args *a)
{
	struct mapping m = { .ifname = NULL };
	struct nlmsghdr *req;
	int ret;

	if (parse_mapping(a, &m, false))
		return EXIT_USAGE;
	if (m.b4 || m.inner) {
		ret = check_mapping(&m);
		if (ret)
			return ret;
	}
	req = nl_request(DSLITE_AFTR_CMD_STATIC_DEL, NLM_F_ACK);
	put_outer(req, &m);
	return nl_talk(req, NULL, NULL);
}

static int print_mapping(const struct nlattr **tb, void *data)
{
	const struct dev_ref *dev = data;
	const struct nlattr *proto = tb[DSLITE_AFTR_A_PROTO];

	out_obj_begin(NULL);
	out_str("ifname", "%-15s ", dev->ifname);
	out_str("proto", "%-5s ", proto ? proto_name(mnl_attr_get_u8(proto)) : "-");
	out_addr6("b4-addr", "%-25s ", tb[DSLITE_AFTR_A_B4_ADDR]);
	out_addr4("inner-addr", "%15s", tb[DSLITE_AFTR_A_INNER_ADDR]);
	out_attr_u16("inner-port", ":%-5s ", tb[DSLITE_AFTR_A_INNER_PORT]);
	out_addr4("outer-addr", "%15s", tb[DSLITE_AFTR_A_OUTER_ADDR]);
	out_attr_u16("outer-port", ":%s\n", tb[DSLITE_AFTR_A_OUTER_PORT]);
	out_obj_end();
	return 0;
}

static int show_one(const struct dev_ref *dev, void *data)
{
	struct nlmsghdr *req = nl_request(DSLITE_AFTR_CMD_STATIC_GET, NLM_F_DUMP);

	(void)data;
	nl_put_dev(req, dev->ifindex, NULL);
	return nl_talk(req, print_mapping, (void *)dev);
}

static int static_show(struct args *a)
{
	const char *ifname = NULL;
	char header[128];

	if (parse_dev_filter(a, &ifname))
		return EXIT_USAGE;
	snprintf(header, sizeof(header), "%-15s %-5s %-25s %21s %21s", "dev", "proto", "b4",
		 "inner", "outer");
	return for_each_dev(ifname, header, show_one, NULL);
}

static const struct command commands[] = {
	{ "show", static_show },
	{ "add", static_add },
	{ "del", static_del },
	{ "help", NULL },
};

int do_static(struct args *a)
{
	return run_command(a, commands, ARRAY_SIZE(commands), "static command", usage);
}
