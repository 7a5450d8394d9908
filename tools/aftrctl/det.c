// SPDX-License-Identifier: GPL-2.0
/*
 * "aftrctl det": deterministic rules (RFC 7422), where a B4 prefix maps to
 * one pool address and one port range by arithmetic, and the lookups that
 * answer "whose was this address and port?" without any log.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "aftrctl.h"

static void usage(void)
{
	fputs("Usage: aftrctl det add [ dev ] DEV b4 PREFIX6 len N pool PREFIX4 [ ports MIN-MAX ]\n"
	      "       aftrctl det { del | delete } [ dev ] DEV b4 PREFIX6\n"
	      "       aftrctl det show [ [ dev ] DEV ]\n"
	      "       aftrctl det lookup [ dev ] DEV { ADDR4 PORT | b4 ADDR6 }\n", stdout);
}

/* Everything "det add" takes; "det del" takes dev and b4 only. */
struct det_rule {
	const char *ifname;
	const char *b4, *pool, *ports;	/* as given, NULL if not */
	struct in6_addr b4_addr;
	uint8_t b4_plen;
	uint32_t len;
	struct in_addr pool_addr;
	uint8_t pool_plen;
	uint16_t port_min, port_max;
};

enum { KW_DEV, KW_B4, KW_LEN, KW_POOL, KW_PORTS };
static const char *const keywords[] = {
	[KW_DEV] = "dev", [KW_B4] = "b4", [KW_LEN] = "len", [KW_POOL] = "pool",
	[KW_PORTS] = "ports",
};

static int once(const char **seen, const char *keyword, struct args *a)
{
	if (*seen)
		return usage_error("\"%s\" given twice", keyword);
	return args_value(a, keyword, seen);
}

/*
 * The sizing of uapi/linux/dslite_aftr.h, checked before sending so that a
 * rule that cannot fit is refused with the numbers on every kernel (older
 * ones have no room for them in their extack messages).
 */
static int check_fit(struct det_rule *r)
{
	unsigned int bits = r->len - r->b4_plen;
	uint64_t naddr = 1ULL << (32 - r->pool_plen), share, need, ports;

	if (bits > DSLITE_AFTR_DET_MAX_BITS)
		return usage_error("%s split into /%u is 2^%u B4 prefixes, at most 2^%d",
				   r->b4, r->len, bits, DSLITE_AFTR_DET_MAX_BITS);
	if (!r->ports) {
		r->port_min = DSLITE_AFTR_DEF_PORT_MIN;
		r->port_max = DSLITE_AFTR_DEF_PORT_MAX;
	}
	ports = r->port_max - r->port_min + 1U;
	share = ((1ULL << bits) + naddr - 1) / naddr;
	need = share * DSLITE_AFTR_DET_MIN_PORTS;
	if (ports / share < DSLITE_AFTR_DET_MIN_PORTS)
		return usage_error("%llu B4s per address of %s need %llu ports (%d each), "
				   "ports %u-%u has %llu: %llu ports short",
				   (unsigned long long)share, r->pool, (unsigned long long)need,
				   DSLITE_AFTR_DET_MIN_PORTS, r->port_min, r->port_max,
				   (unsigned long long)ports, (unsigned long long)(need - ports));
	return 0;
}

static int parse_rule(struct args *a, struct det_rule *r, bool add)
{
	const char *word, *len = NULL;
	int kw;

	while ((word = args_next(a))) {
		kw = ARGS_KEYWORD(a, word, keywords, &r->ifname);
		if (kw < 0)
			return -1;
		if (!add && kw != KW_DEVICE && kw != KW_B4)
			return usage_error("\"%s\" goes with \"det add\" only", keywords[kw]);
		switch (kw) {
		case KW_B4:
			if (once(&r->b4, "b4", a) || parse_prefix6(r->b4, &r->b4_addr, &r->b4_plen))
				return -1;
			break;
		case KW_LEN:
			if (once(&len, "len", a) || parse_u32(len, 1, 128, "len", &r->len))
				return -1;
			break;
		case KW_POOL:
			if (once(&r->pool, "pool", a) ||
			    parse_prefix4(r->pool, &r->pool_addr, &r->pool_plen) ||
			    check_pool(r->pool, r->pool_addr, r->pool_plen))
				return -1;
			break;
		case KW_PORTS:
			if (once(&r->ports, "ports", a) ||
			    parse_ports(r->ports, &r->port_min, &r->port_max))
				return -1;
			break;
		}
	}
	if (!r->ifname)
		return usage_error("\"dev DEV\" is needed");
	if (!r->b4)
		return usage_error("\"b4 PREFIX6\" is needed");
	if (!add)
		return 0;
	if (!len || !r->pool)
		return usage_error("\"len N\" and \"pool PREFIX4\" are needed");
	if (r->len < r->b4_plen)
		return usage_error("len %u is shorter than the B4 prefix %s", r->len, r->b4);
	return check_fit(r);
}

static void put_prefix(struct nlmsghdr *req, uint16_t type, uint16_t addr_type,
		       const void *addr, size_t size, uint8_t len)
{
	struct nlattr *nest = mnl_attr_nest_start(req, type);

	mnl_attr_put(req, addr_type, size, addr);
	mnl_attr_put_u8(req, DSLITE_AFTR_PREFIX_A_LEN, len);
	mnl_attr_nest_end(req, nest);
}

static void put_b4_prefix(struct nlmsghdr *req, const struct det_rule *r)
{
	put_prefix(req, DSLITE_AFTR_A_B4_PREFIX, DSLITE_AFTR_PREFIX_A_ADDR6, &r->b4_addr,
		   sizeof(r->b4_addr), r->b4_plen);
}

static int det_add(struct args *a)
{
	struct det_rule r = { .ifname = NULL };
	struct nlmsghdr *req;

	if (parse_rule(a, &r, true))
		return EXIT_USAGE;
	req = nl_request(DSLITE_AFTR_CMD_DET_ADD, NLM_F_ACK);
	nl_put_dev(req, 0, r.ifname);
	put_b4_prefix(req, &r);
	mnl_attr_put_u8(req, DSLITE_AFTR_A_B4_LEN, (uint8_t)r.len);
	put_prefix(req, DSLITE_AFTR_A_PREFIX, DSLITE_AFTR_PREFIX_A_ADDR4, &r.pool_addr,
		   sizeof(r.pool_addr), r.pool_plen);
	if (r.ports) {
		mnl_attr_put_u16(req, DSLITE_AFTR_A_PORT_MIN, r.port_min);
		mnl_attr_put_u16(req, DSLITE_AFTR_A_PORT_MAX, r.port_max);
	}
	return nl_talk(req, NULL, NULL);
}

static int det_del(struct args *a)
{
	struct det_rule r = { .ifname = NULL };
	struct nlmsghdr *req;

	if (parse_rule(a, &r, false))
		return EXIT_USAGE;
	req = nl_request(DSLITE_AFTR_CMD_DET_DEL, NLM_F_ACK);
	nl_put_dev(req, 0, r.ifname);
	put_b4_prefix(req, &r);
	return nl_talk(req, NULL, NULL);
}

static int print_rule(const struct nlattr **tb, void *data)
{
	const struct dev_ref *dev = data;
	const struct nlattr *len = tb[DSLITE_AFTR_A_B4_LEN];

	out_obj_begin(NULL);
	out_str("ifname", "%-15s ", dev->ifname);
	out_prefix("b4-prefix", "%-24s ", tb[DSLITE_AFTR_A_B4_PREFIX]);
	if (len)
		out_uint("b4-len", "%3s ", mnl_attr_get_u8(len));
	else
		out_str(NULL, "%3s ", "-");
	out_prefix("prefix", "%-18s ", tb[DSLITE_AFTR_A_PREFIX]);
	out_attr_u16("port-min", "%5s", tb[DSLITE_AFTR_A_PORT_MIN]);
	out_attr_u16("port-max", "-%-5s ", tb[DSLITE_AFTR_A_PORT_MAX]);
	out_attr_u32("b4-per-addr", "%8s ", tb[DSLITE_AFTR_A_B4_PER_ADDR]);
	out_attr_u32("ports-per-b4", "%8s ", tb[DSLITE_AFTR_A_PORTS_PER_B4]);
	out_attr_u32("b4-count", "%6s\n", tb[DSLITE_AFTR_A_B4_COUNT]);
	out_obj_end();
	return 0;
}

static int show_one(const struct dev_ref *dev, void *data)
{
	struct nlmsghdr *req = nl_request(DSLITE_AFTR_CMD_DET_GET, NLM_F_DUMP);

	(void)data;
	nl_put_dev(req, dev->ifindex, NULL);
	return nl_talk(req, print_rule, (void *)dev);
}

static int det_show(struct args *a)
{
	const char *ifname = NULL;
	char header[160];

	if (parse_dev_filter(a, &ifname))
		return EXIT_USAGE;
	snprintf(header, sizeof(header), "%-15s %-24s %3s %-18s %-11s %8s %8s %6s", "dev",
		 "b4", "len", "pool", "ports", "b4s/addr", "ports/b4", "active");
	return for_each_dev(ifname, header, show_one, NULL);
}

static int print_lookup(const struct nlattr **tb, void *data)
{
	(void)data;
	out_obj_begin(NULL);
	out_prefix("b4-prefix", "b4 %s ", tb[DSLITE_AFTR_A_B4_PREFIX]);
	out_addr4("outer-addr", "addr %s ", tb[DSLITE_AFTR_A_OUTER_ADDR]);
	out_attr_u16("port-min", "ports %s", tb[DSLITE_AFTR_A_PORT_MIN]);
	out_attr_u16("port-max", "-%s\n", tb[DSLITE_AFTR_A_PORT_MAX]);
	out_obj_end();
	return 0;
}

/* "[dev] DEV" and either "b4 ADDR6" or "ADDR4 PORT", in any order. */
static int det_lookup(struct args *a)
{
	const char *word, *ifname = NULL, *b4 = NULL, *addr4 = NULL, *port = NULL;
	struct in6_addr b4_addr;
	struct in_addr outer;
	struct nlmsghdr *req;
	uint32_t port_nr = 0;
	int ret;

	while ((word = args_next(a))) {
		if (is_address(word)) {
			if (addr4)
				return usage_error("one IPv4 address at a time (\"%s\")", word);
			if (inet_pton(AF_INET, word, &outer) != 1)
				return usage_error("\"%s\" is not an IPv4 address", word);
			addr4 = word;
			continue;
		}
		if (addr4 && !port && word[0] >= '0' && word[0] <= '9') {
			if (parse_u32(word, 1, 65535, "port", &port_nr))
				return EXIT_USAGE;
			port = word;
			continue;
		}
		ret = ARGS_KEYWORD(a, word, keywords, &ifname);
		if (ret < 0)
			return EXIT_USAGE;
		if (ret == KW_B4 && (once(&b4, "b4", a) || parse_addr6(b4, "b4", &b4_addr)))
			return EXIT_USAGE;
		if (ret != KW_DEVICE && ret != KW_B4)
			return usage_error("\"%s\" goes with \"det add\" only", keywords[ret]);
	}
	if (!ifname)
		return usage_error("\"dev DEV\" is needed");
	if (!b4 == !addr4)
		return usage_error("look up either \"b4 ADDR6\" or \"ADDR4 PORT\"");
	if (addr4 && !port)
		return usage_error("a port is needed after %s", addr4);
	req = nl_request(DSLITE_AFTR_CMD_DET_LOOKUP, NLM_F_ACK);
	nl_put_dev(req, 0, ifname);
	if (b4) {
		mnl_attr_put(req, DSLITE_AFTR_A_B4_ADDR, sizeof(b4_addr), &b4_addr);
	} else {
		mnl_attr_put(req, DSLITE_AFTR_A_OUTER_ADDR, sizeof(outer), &outer);
		mnl_attr_put_u16(req, DSLITE_AFTR_A_OUTER_PORT, (uint16_t)port_nr);
	}
	out_arr_begin(NULL);
	ret = nl_talk(req, print_lookup, NULL);
	out_arr_end();
	return ret;
}

static const struct command commands[] = {
	{ "show", det_show },
	{ "add", det_add },
	{ "del", det_del },
	{ "lookup", det_lookup },
	{ "help", NULL },
};

int do_det(struct args *a)
{
	return run_command(a, commands, ARRAY_SIZE(commands), "det command", usage);
}
