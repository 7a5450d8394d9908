// SPDX-License-Identifier: GPL-2.0
/* "aftrctl pool": the IPv4 prefixes and port ranges bindings get. */
#include <stdio.h>
#include <string.h>

#include "aftrctl.h"

static void usage(void)
{
	fputs("Usage: aftrctl pool add [ dev ] DEV PREFIX4 [ ports MIN-MAX ]\n"
	      "       aftrctl pool { del | delete } [ dev ] DEV PREFIX4\n"
	      "       aftrctl pool show [ [ dev ] DEV ]\n", stdout);
}

enum { KW_DEV, KW_PORTS };
static const char *const keywords[] = { [KW_DEV] = "dev", [KW_PORTS] = "ports" };

/* "[dev] DEV PREFIX4 [ports MIN-MAX]", in any order; ports only on add. */
static int pool_change(struct args *a, uint8_t cmd)
{
	const char *word, *ifname = NULL, *prefix = NULL, *ports = NULL;
	uint16_t port_min, port_max;
	struct nlmsghdr *req;
	struct nlattr *nest;
	struct in_addr addr;
	uint8_t len;

	while ((word = args_next(a))) {
		if (is_address(word)) {
			if (prefix)
				return usage_error("one prefix at a time (\"%s\")", word);
			if (parse_prefix4(word, &addr, &len) ||
			    (cmd == DSLITE_AFTR_CMD_POOL_ADD && check_pool(word, addr, len)))
				return EXIT_USAGE;
			prefix = word;
			continue;
		}
		switch (ARGS_KEYWORD(a, word, keywords, &ifname)) {
		case KW_DEVICE:
			break;
		case KW_PORTS:
			if (cmd != DSLITE_AFTR_CMD_POOL_ADD)
				return usage_error("\"ports\" goes with \"pool add\" only");
			if (ports)
				return usage_error("\"ports\" given twice");
			if (args_value(a, "ports", &ports) || parse_ports(ports, &port_min, &port_max))
				return EXIT_USAGE;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (!ifname)
		return usage_error("\"dev DEV\" is needed");
	if (!prefix)
		return usage_error("an IPv4 prefix is needed");
	req = nl_request(cmd, NLM_F_ACK);
	nl_put_dev(req, 0, ifname);
	nest = mnl_attr_nest_start(req, DSLITE_AFTR_A_PREFIX);
	mnl_attr_put(req, DSLITE_AFTR_PREFIX_A_ADDR4, sizeof(addr), &addr);
	mnl_attr_put_u8(req, DSLITE_AFTR_PREFIX_A_LEN, len);
	mnl_attr_nest_end(req, nest);
	if (ports) {
		mnl_attr_put_u16(req, DSLITE_AFTR_A_PORT_MIN, port_min);
		mnl_attr_put_u16(req, DSLITE_AFTR_A_PORT_MAX, port_max);
	}
	return nl_talk(req, NULL, NULL);
}

static int pool_add(struct args *a)
{
	return pool_change(a, DSLITE_AFTR_CMD_POOL_ADD);
}

static int pool_del(struct args *a)
{
	return pool_change(a, DSLITE_AFTR_CMD_POOL_DEL);
}

static int print_pool(const struct nlattr **tb, void *data)
{
	const struct dev_ref *dev = data;

	out_obj_begin(NULL);
	out_str("ifname", "%-15s ", dev->ifname);
	out_prefix("prefix", "%-18s ", tb[DSLITE_AFTR_A_PREFIX]);
	out_attr_u16("port-min", "%5s", tb[DSLITE_AFTR_A_PORT_MIN]);
	out_attr_u16("port-max", "-%-5s ", tb[DSLITE_AFTR_A_PORT_MAX]);
	out_attr_u32("b4-count", "%6s ", tb[DSLITE_AFTR_A_B4_COUNT]);
	out_attr_u32("block-count", "%6s ", tb[DSLITE_AFTR_A_BLOCK_COUNT]);
	out_attr_u32("block-total", "%6s\n", tb[DSLITE_AFTR_A_BLOCK_TOTAL]);
	out_obj_end();
	return 0;
}

static int show_one(const struct dev_ref *dev, void *data)
{
	struct nlmsghdr *req = nl_request(DSLITE_AFTR_CMD_POOL_GET, NLM_F_DUMP);

	(void)data;
	nl_put_dev(req, dev->ifindex, NULL);
	return nl_talk(req, print_pool, (void *)dev);
}

static int pool_show(struct args *a)
{
	const char *ifname = NULL;
	char header[96];

	if (parse_dev_filter(a, &ifname))
		return EXIT_USAGE;
	snprintf(header, sizeof(header), "%-15s %-18s %-11s %6s %6s %6s", "dev", "prefix",
		 "ports", "b4s", "blocks", "total");
	return for_each_dev(ifname, header, show_one, NULL);
}

static const struct command commands[] = {
	{ "show", pool_show },
	{ "add", pool_add },
	{ "del", pool_del },
	{ "help", NULL },
};

int do_pool(struct args *a)
{
	return run_command(a, commands, ARRAY_SIZE(commands), "pool command", usage);
}
