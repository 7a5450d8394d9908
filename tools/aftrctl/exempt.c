// SPDX-License-Identifier: GPL-2.0
/* "aftrctl exempt": IPv4 destinations reached untranslated (CGN-8). */
#include <stdio.h>
#include <string.h>

#include "aftrctl.h"

static void usage(void)
{
	fputs("Usage: aftrctl exempt add [ dev ] DEV PREFIX4\n"
	      "       aftrctl exempt { del | delete } [ dev ] DEV PREFIX4\n"
	      "       aftrctl exempt flush [ dev ] DEV\n"
	      "       aftrctl exempt show [ [ dev ] DEV ]\n", stdout);
}

static int exempt_add(struct args *a)
{
	return prefix_change(a, DSLITE_AFTR_CMD_EXEMPT_ADD, AF_INET);
}

static int exempt_del(struct args *a)
{
	return prefix_change(a, DSLITE_AFTR_CMD_EXEMPT_DEL, AF_INET);
}

static int exempt_flush(struct args *a)
{
	const char *ifname = NULL;
	struct nlmsghdr *req;

	if (parse_dev_filter(a, &ifname))
		return EXIT_USAGE;
	if (!ifname)
		return usage_error("\"dev DEV\" is needed");
	req = nl_request(DSLITE_AFTR_CMD_EXEMPT_FLUSH, NLM_F_ACK);
	nl_put_dev(req, 0, ifname);
	return nl_talk(req, NULL, NULL);
}

static int print_exempt(const struct nlattr **tb, void *data)
{
	const struct dev_ref *dev = data;

	out_obj_begin(NULL);
	out_str("ifname", "%-15s ", dev->ifname);
	out_prefix("prefix", "%s\n", tb[DSLITE_AFTR_A_PREFIX]);
	out_obj_end();
	return 0;
}

static int show_one(const struct dev_ref *dev, void *data)
{
	struct nlmsghdr *req = nl_request(DSLITE_AFTR_CMD_EXEMPT_GET, NLM_F_DUMP);

	(void)data;
	nl_put_dev(req, dev->ifindex, NULL);
	return nl_talk(req, print_exempt, (void *)dev);
}

static int exempt_show(struct args *a)
{
	const char *ifname = NULL;
	char header[64];

	if (parse_dev_filter(a, &ifname))
		return EXIT_USAGE;
	snprintf(header, sizeof(header), "%-15s %s", "dev", "prefix");
	return for_each_dev(ifname, header, show_one, NULL);
}

static const struct command commands[] = {
	{ "show", exempt_show },
	{ "add", exempt_add },
	{ "del", exempt_del },
	{ "flush", exempt_flush },
	{ "help", NULL },
};

int do_exempt(struct args *a)
{
	return run_command(a, commands, ARRAY_SIZE(commands), "exempt command", usage);
}
