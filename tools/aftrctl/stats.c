// SPDX-License-Identifier: GPL-2.0
/* "aftrctl stats": the counters of each instance, by name. */
#include <stdio.h>
#include <string.h>

#include "aftrctl.h"

/* Names are the enum's, lowercase and dash-separated. */
static const char *const stat_names[] = {
	[DSLITE_AFTR_STAT_FROM_B4_PACKETS] = "from-b4-packets",
	[DSLITE_AFTR_STAT_FROM_B4_TRANSLATED] = "from-b4-translated",
	[DSLITE_AFTR_STAT_TO_B4_PACKETS] = "to-b4-packets",
	[DSLITE_AFTR_STAT_TO_B4_TRANSLATED] = "to-b4-translated",
	[DSLITE_AFTR_STAT_HAIRPIN] = "hairpin",
	[DSLITE_AFTR_STAT_BINDINGS_CREATED] = "bindings-created",
	[DSLITE_AFTR_STAT_BINDINGS_EXPIRED] = "bindings-expired",
	[DSLITE_AFTR_STAT_B4S_CREATED] = "b4s-created",
	[DSLITE_AFTR_STAT_BLOCKS_ALLOCATED] = "blocks-allocated",
	[DSLITE_AFTR_STAT_ICMP_SENT] = "icmp-sent",
	[DSLITE_AFTR_STAT_ICMP_RATELIMITED] = "icmp-ratelimited",
	[DSLITE_AFTR_STAT_DROP_B4_DENIED] = "drop-b4-denied",
	[DSLITE_AFTR_STAT_DROP_BAD_INNER] = "drop-bad-inner",
	[DSLITE_AFTR_STAT_DROP_BAD_SRC] = "drop-bad-src",
	[DSLITE_AFTR_STAT_DROP_UNSUPP_PROTO] = "drop-unsupp-proto",
	[DSLITE_AFTR_STAT_DROP_NO_BINDING] = "drop-no-binding",
	[DSLITE_AFTR_STAT_DROP_QUOTA] = "drop-quota",
	[DSLITE_AFTR_STAT_DROP_RATE] = "drop-rate",
	[DSLITE_AFTR_STAT_DROP_POOL_EXHAUSTED] = "drop-pool-exhausted",
	[DSLITE_AFTR_STAT_DROP_ECN] = "drop-ecn",
	[DSLITE_AFTR_STAT_DROP_NO_ROUTE] = "drop-no-route",
	[DSLITE_AFTR_STAT_DROP_NOMEM] = "drop-nomem",
	[DSLITE_AFTR_STAT_DROP_ICMP_ERROR] = "drop-icmp-error",
	[DSLITE_AFTR_STAT_DROP_SUBSCRIBERS] = "drop-subscribers",
	[DSLITE_AFTR_STAT_DROP_POLICY] = "drop-policy",
	[DSLITE_AFTR_STAT_DROP_BAD_DST] = "drop-bad-dst",
	[DSLITE_AFTR_STAT_ICMP_RELAYED] = "icmp-relayed",
	[DSLITE_AFTR_STAT_ICMP_RELAY_DROPPED] = "icmp-relay-dropped",
	[DSLITE_AFTR_STAT_DROP_TOO_BIG] = "drop-too-big",
	[DSLITE_AFTR_STAT_FROM_B4_EXEMPT] = "from-b4-exempt",
	[DSLITE_AFTR_STAT_TO_B4_EXEMPT] = "to-b4-exempt",
	[DSLITE_AFTR_STAT_EXEMPT_FLOWS_CREATED] = "exempt-flows-created",
	[DSLITE_AFTR_STAT_EXEMPT_FLOWS_EXPIRED] = "exempt-flows-expired",
	[DSLITE_AFTR_STAT_DROP_EXEMPT_CLASH] = "drop-exempt-clash",
	[DSLITE_AFTR_STAT_DROP_FILTERED] = "drop-filtered",
};

_Static_assert(ARRAY_SIZE(stat_names) == __DSLITE_AFTR_STAT_MAX,
	       "every enum dslite_aftr_stat needs a name");

/* The name of counter @i (enum dslite_aftr_stat). */
const char *stat_name(size_t i)
{
	return i < ARRAY_SIZE(stat_names) ? stat_names[i] : NULL;
}

/* The STATS nest: attribute type is the counter + 1. */
void stats_print(const struct nlattr *nest)
{
	const struct nlattr *attr;
	char other[16];

	out_obj_begin("stats");
	mnl_attr_for_each_nested(attr, nest) {
		unsigned int i = mnl_attr_get_type(attr) - 1u;
		const char *name = i < ARRAY_SIZE(stat_names) ? stat_names[i] : NULL;

		if (mnl_attr_get_payload_len(attr) != sizeof(uint64_t))
			continue;
		if (!name) {	/* a counter newer than this tool */
			snprintf(other, sizeof(other), "stat-%u", i);
			name = other;
		}
		out_text("    %-24s", name);
		out_uint(name, " %s\n", mnl_attr_get_u64(attr));
	}
	out_obj_end();
}

static int print_stats(const struct nlattr **tb, void *data)
{
	(void)data;
	out_attr_str("ifname", "%s:\n", tb[DSLITE_AFTR_A_IFNAME]);
	out_attr_u32("ifindex", NULL, tb[DSLITE_AFTR_A_IFINDEX]);
	if (tb[DSLITE_AFTR_A_STATS])
		stats_print(tb[DSLITE_AFTR_A_STATS]);
	return 0;
}

static int stats_one(const struct dev_ref *dev, void *data)
{
	struct nlmsghdr *req = nl_request(DSLITE_AFTR_CMD_STATS_GET, NLM_F_ACK);
	int ret;

	(void)data;
	nl_put_dev(req, dev->ifindex, NULL);
	out_obj_begin(NULL);
	ret = nl_talk(req, print_stats, NULL);
	out_obj_end();
	return ret;
}

static void usage(void)
{
	fputs("Usage: aftrctl [ -o prometheus ] stats [ show ] [ [ dev ] DEV ]\n", stdout);
}

static const char *const keywords[] = { "dev", "show", "help" };

int do_stats(struct args *a)
{
	const char *word, *ifname = NULL;

	while ((word = args_next(a))) {
		switch (ARGS_KEYWORD(a, word, keywords, &ifname)) {
		case KW_DEVICE:
			break;
		case 1:
			break;
		case 2:
			usage();
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (opt_prometheus)
		return metrics_print(ifname);
	return for_each_dev(ifname, "", stats_one, NULL);
}
