// SPDX-License-Identifier: GPL-2.0
/* "aftrctl b4": the prefixes softwires are accepted from, and active B4s. */
#include <stdio.h>
#include <string.h>

#include "aftrctl.h"

static void usage(void)
{
	fputs("Usage: aftrctl b4 { allow | deny } [ dev ] DEV PREFIX6\n"
	      "       aftrctl b4 show [ [ dev ] DEV ]\n", stdout);
}

static int b4_allow(struct args *a)
{
	return prefix_change(a, DSLITE_AFTR_CMD_B4_ALLOW, AF_INET6);
}

static int b4_deny(struct args *a)
{
	return prefix_change(a, DSLITE_AFTR_CMD_B4_DENY, AF_INET6);
}

/* The ports a subscriber holds: "1024-1087,2048-2111" in text. */
static void print_ranges(const struct nlattr *attr)
{
	const struct nlattr *tb[DSLITE_AFTR_A_MAX + 1];
	const char *sep = " ";

	out_arr_begin("port-range");
	for (; attr; attr = nl_next_same(attr)) {
		if (nl_parse_nested(attr, tb) || !tb[DSLITE_AFTR_A_PORT_MIN] ||
		    !tb[DSLITE_AFTR_A_PORT_MAX])
			continue;
		out_obj_begin(NULL);
		out_text("%s", sep);
		out_attr_u16("port-min", "%s", tb[DSLITE_AFTR_A_PORT_MIN]);
		out_attr_u16("port-max", "-%s", tb[DSLITE_AFTR_A_PORT_MAX]);
		out_obj_end();
		sep = ",";
	}
	out_arr_end();
}

static int print_b4(const struct nlattr **tb, void *data)
{
	const struct dev_ref *dev = data;

	out_obj_begin(NULL);
	out_str("ifname", "%-15s ", dev->ifname);
	out_prefix("b4-prefix", "%-24s ", tb[DSLITE_AFTR_A_B4_PREFIX]);
	out_addr6("b4-addr", "%-25s ", tb[DSLITE_AFTR_A_B4_ADDR]);
	out_addr6("endpoint", "%-25s ", tb[DSLITE_AFTR_A_ENDPOINT]);
	out_addr4("outer-addr", "%-15s ", tb[DSLITE_AFTR_A_OUTER_ADDR]);
	out_attr_u32("block-count", "%6s ", tb[DSLITE_AFTR_A_BLOCK_COUNT]);
	out_attr_u32("binding-count", "%8s", tb[DSLITE_AFTR_A_BINDING_COUNT]);
	print_ranges(tb[DSLITE_AFTR_A_PORT_RANGE]);
	out_text("\n");
	out_obj_end();
	return 0;
}

static int show_one(const struct dev_ref *dev, void *data)
{
	struct nlmsghdr *req = nl_request(DSLITE_AFTR_CMD_B4_GET, NLM_F_DUMP);

	(void)data;
	nl_put_dev(req, dev->ifindex, NULL);
	return nl_talk(req, print_b4, (void *)dev);
}

static int b4_show(struct args *a)
{
	const char *ifname = NULL;
	char header[160];

	if (parse_dev_filter(a, &ifname))
		return EXIT_USAGE;
	snprintf(header, sizeof(header), "%-15s %-24s %-25s %-25s %-15s %6s %8s %s", "dev",
		 "subscriber", "b4", "endpoint", "outer", "blocks", "bindings", "ports");
	return for_each_dev(ifname, header, show_one, NULL);
}

static const struct command commands[] = {
	{ "show", b4_show },
	{ "allow", b4_allow },
	{ "deny", b4_deny },
	{ "help", NULL },
};

int do_b4(struct args *a)
{
	return run_command(a, commands, ARRAY_SIZE(commands), "b4 command", usage);
}
