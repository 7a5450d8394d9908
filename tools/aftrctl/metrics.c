// SPDX-License-Identifier: GPL-2.0
/*
 * "aftrctl -o prometheus stats": every counter, and the gauges of the
 * tables, in the Prometheus text format (version 0.0.4), for
 * node_exporter's textfile collector.
 *
 * The format wants each metric family in one group, across instances: the
 * numbers of all instances are read first, then printed family by family.
 * The kernel keeps no count of bindings by protocol nor of pool addresses
 * in use; they are counted from the binding and subscriber dumps, which on
 * a large AFTR take a moment (as "binding show" would).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "aftrctl.h"

#define PREFIX "dslite_aftr_"

/* HELP of each counter; "drop-" ones are one family, by reason. */
static const char *const stat_help[] = {
	[DSLITE_AFTR_STAT_FROM_B4_PACKETS] = "Softwire packets from B4s to an endpoint.",
	[DSLITE_AFTR_STAT_FROM_B4_TRANSLATED] = "Packets from B4s translated to IPv4.",
	[DSLITE_AFTR_STAT_TO_B4_PACKETS] = "IPv4 packets routed to the instance.",
	[DSLITE_AFTR_STAT_TO_B4_TRANSLATED] = "IPv4 packets translated and sent to a B4.",
	[DSLITE_AFTR_STAT_HAIRPIN] = "Packets from a B4 to a pool address, turned around.",
	[DSLITE_AFTR_STAT_BINDINGS_CREATED] = "Bindings (NAT mappings) created.",
	[DSLITE_AFTR_STAT_BINDINGS_EXPIRED] = "Bindings ended, for any reason.",
	[DSLITE_AFTR_STAT_B4S_CREATED] = "Subscribers created.",
	[DSLITE_AFTR_STAT_BLOCKS_ALLOCATED] = "Port blocks handed to subscribers.",
	[DSLITE_AFTR_STAT_ICMP_SENT] = "ICMP errors sent.",
	[DSLITE_AFTR_STAT_ICMP_RATELIMITED] = "ICMP errors not sent for the rate limit.",
	[DSLITE_AFTR_STAT_ICMP_RELAYED] = "ICMPv6 errors about softwires relayed as ICMPv4.",
	[DSLITE_AFTR_STAT_FROM_B4_EXEMPT] = "Packets from B4s to exempt destinations, untranslated.",
	[DSLITE_AFTR_STAT_TO_B4_EXEMPT] = "Packets from exempt sources sent to a B4 untranslated.",
	[DSLITE_AFTR_STAT_EXEMPT_FLOWS_CREATED] = "Flows to exempt destinations given return state.",
	[DSLITE_AFTR_STAT_EXEMPT_FLOWS_EXPIRED] = "Flows to exempt destinations that expired.",
};

#define DROPS "drop-"

struct pool {
	char prefix[24];		/* "198.51.100.0/28", a label value */
	uint32_t first, size;		/* addresses, host order */
	uint32_t b4s, blocks, blocks_total, addrs_used;
};

struct inst {
	struct dev_ref dev;
	uint64_t stat[__DSLITE_AFTR_STAT_MAX];
	bool has_stat[__DSLITE_AFTR_STAT_MAX];
	uint32_t subscribers;
	uint64_t bindings[3];		/* by protos[] */
	struct pool *pool;
	size_t npools;
	uint32_t *outer;		/* subscribers' external addresses */
	size_t nouter;
};

struct insts {
	struct inst *inst;
	size_t n;
};

static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };

/* @base of @n elements of @size with room for one more, zeroed; NULL: no memory. */
static void *grow(void *base, size_t n, size_t size)
{
	char *p = realloc(base, (n + 1) * size);

	if (p)
		memset(p + n * size, 0, size);
	return p;
}

/* An IPv4 address attribute, in host order. */
static uint32_t attr_addr4(const struct nlattr *attr)
{
	uint32_t a;

	memcpy(&a, mnl_attr_get_payload(attr), sizeof(a));
	return ntohl(a);
}

static int read_stats(const struct nlattr **tb, void *data)
{
	struct inst *in = data;
	const struct nlattr *attr;

	if (!tb[DSLITE_AFTR_A_STATS])
		return 0;
	mnl_attr_for_each_nested(attr, tb[DSLITE_AFTR_A_STATS]) {
		unsigned int i = mnl_attr_get_type(attr) - 1u;

		/* A counter newer than this tool has no name to export under. */
		if (i >= __DSLITE_AFTR_STAT_MAX ||
		    mnl_attr_get_payload_len(attr) != sizeof(uint64_t))
			continue;
		in->stat[i] = mnl_attr_get_u64(attr);
		in->has_stat[i] = true;
	}
	return 0;
}

static int read_dev(const struct nlattr **tb, void *data)
{
	struct inst *in = data;

	if (tb[DSLITE_AFTR_A_B4_COUNT])
		in->subscribers = mnl_attr_get_u32(tb[DSLITE_AFTR_A_B4_COUNT]);
	return 0;
}

static uint32_t attr_u32(const struct nlattr *attr)
{
	return attr ? mnl_attr_get_u32(attr) : 0;
}

static int read_pool(const struct nlattr **tb, void *data)
{
	const struct nlattr *ptb[DSLITE_AFTR_PREFIX_A_MAX + 1];
	struct inst *in = data;
	struct pool *p;
	uint8_t len;

	if (!tb[DSLITE_AFTR_A_PREFIX] || nl_parse_prefix(tb[DSLITE_AFTR_A_PREFIX], ptb) ||
	    !ptb[DSLITE_AFTR_PREFIX_A_ADDR4] || !ptb[DSLITE_AFTR_PREFIX_A_LEN])
		return 0;
	len = mnl_attr_get_u8(ptb[DSLITE_AFTR_PREFIX_A_LEN]);
	if (len > 32)
		return 0;
	p = grow(in->pool, in->npools, sizeof(*p));
	if (!p)
		return -1;
	in->pool = p;
	p += in->npools++;
	nl_prefix_str(tb[DSLITE_AFTR_A_PREFIX], p->prefix, sizeof(p->prefix));
	p->first = attr_addr4(ptb[DSLITE_AFTR_PREFIX_A_ADDR4]);
	p->size = (uint32_t)(1ull << (32 - len));
	p->b4s = attr_u32(tb[DSLITE_AFTR_A_B4_COUNT]);
	p->blocks = attr_u32(tb[DSLITE_AFTR_A_BLOCK_COUNT]);
	p->blocks_total = attr_u32(tb[DSLITE_AFTR_A_BLOCK_TOTAL]);
	return 0;
}

static int read_b4(const struct nlattr **tb, void *data)
{
	struct inst *in = data;
	uint32_t *a;

	if (!tb[DSLITE_AFTR_A_OUTER_ADDR])
		return 0;
	a = grow(in->outer, in->nouter, sizeof(*a));
	if (!a)
		return -1;
	in->outer = a;
	a[in->nouter++] = attr_addr4(tb[DSLITE_AFTR_A_OUTER_ADDR]);
	return 0;
}

static int read_binding(const struct nlattr **tb, void *data)
{
	struct inst *in = data;
	size_t i;

	for (i = 0; tb[DSLITE_AFTR_A_PROTO] && i < ARRAY_SIZE(protos); i++) {
		if (mnl_attr_get_u8(tb[DSLITE_AFTR_A_PROTO]) == protos[i])
			in->bindings[i]++;
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Distinct external addresses of subscribers, per pool they lie in. */
static void count_addrs_used(struct inst *in)
{
	size_t i, j;

	if (in->nouter)
		qsort(in->outer, in->nouter, sizeof(*in->outer), cmp_u32);
	for (i = 0; i < in->nouter; i++) {
		if (i && in->outer[i] == in->outer[i - 1])
			continue;
		for (j = 0; j < in->npools; j++) {
			if (in->outer[i] - in->pool[j].first < in->pool[j].size)
				in->pool[j].addrs_used++;
		}
	}
}

/* What is read of each instance: the pools before their subscribers. */
static const struct {
	uint8_t cmd;
	uint16_t flags;
	nl_msg_cb cb;
} reads[] = {
	{ DSLITE_AFTR_CMD_STATS_GET, NLM_F_ACK, read_stats },
	{ DSLITE_AFTR_CMD_DEV_GET, NLM_F_ACK, read_dev },
	{ DSLITE_AFTR_CMD_POOL_GET, NLM_F_DUMP, read_pool },
	{ DSLITE_AFTR_CMD_B4_GET, NLM_F_DUMP, read_b4 },
	{ DSLITE_AFTR_CMD_BINDING_GET, NLM_F_DUMP, read_binding },
};

static int read_inst(const struct dev_ref *dev, void *data)
{
	struct insts *all = data;
	struct nlmsghdr *req;
	struct inst *in;
	size_t i;
	int ret = 0;

	in = grow(all->inst, all->n, sizeof(*in));
	if (!in)
		return kernel_error("out of memory");
	all->inst = in;
	in += all->n++;
	in->dev = *dev;
	for (i = 0; i < ARRAY_SIZE(reads) && !ret; i++) {
		req = nl_request(reads[i].cmd, reads[i].flags);
		nl_put_dev(req, dev->ifindex, NULL);
		ret = nl_talk(req, reads[i].cb, in);
	}
	if (!ret)
		count_addrs_used(in);
	return ret;
}

static void insts_free(struct insts *all)
{
	size_t i;

	for (i = 0; i < all->n; i++) {
		free(all->inst[i].pool);
		free(all->inst[i].outer);
	}
	free(all->inst);
}

/* A label value: '\', '"' and newline escaped, as the format wants. */
static void label(const char *name, const char *value)
{
	printf("%s=\"", name);
	for (; *value; value++) {
		if (*value == '\n')
			fputs("\\n", stdout);
		else if (*value == '\\' || *value == '"')
			printf("\\%c", *value);
		else
			putchar(*value);
	}
	putchar('"');
}

static void family(const char *name, const char *type, const char *help)
{
	printf("# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n", name, help, name, type);
}

/* "NAME{ifname="...",KEY="VALUE"} ", KEY NULL for none; the value follows. */
static void sample(const char *name, const struct inst *in, const char *key, const char *value)
{
	printf(PREFIX "%s{", name);
	label("ifname", in->dev.ifname);
	if (key) {
		putchar(',');
		label(key, value);
	}
	fputs("} ", stdout);
}

/* "from-b4-packets" -> "from_b4_packets_total" */
static void counter_name(const char *stat, char *buf, size_t size)
{
	size_t n;

	snprintf(buf, size, "%s_total", stat);
	for (n = 0; buf[n]; n++)
		buf[n] = buf[n] == '-' ? '_' : buf[n];
}

static void print_counters(const struct insts *all)
{
	char name[64];
	size_t i, s;

	for (s = 0; s < __DSLITE_AFTR_STAT_MAX; s++) {
		if (!strncmp(stat_name(s), DROPS, strlen(DROPS)))
			continue;
		counter_name(stat_name(s), name, sizeof(name));
		family(name, "counter", s < ARRAY_SIZE(stat_help) && stat_help[s] ? stat_help[s] :
		       "A counter of aftrctl stats.");
		for (i = 0; i < all->n; i++) {
			if (!all->inst[i].has_stat[s])
				continue;
			sample(name, &all->inst[i], NULL, NULL);
			printf("%" PRIu64 "\n", all->inst[i].stat[s]);
		}
	}
}

static void print_drops(const struct insts *all)
{
	size_t i, s;

	family("dropped_packets_total", "counter",
	       "Packets dropped, by reason (the drop- counters of aftrctl stats).");
	for (i = 0; i < all->n; i++) {
		for (s = 0; s < __DSLITE_AFTR_STAT_MAX; s++) {
			if (!all->inst[i].has_stat[s] ||
			    strncmp(stat_name(s), DROPS, strlen(DROPS)))
				continue;
			sample("dropped_packets_total", &all->inst[i], "reason",
			       stat_name(s) + strlen(DROPS));
			printf("%" PRIu64 "\n", all->inst[i].stat[s]);
		}
	}
}

static void print_tables(const struct insts *all)
{
	size_t i, p;

	family("subscribers", "gauge", "Subscribers active.");
	for (i = 0; i < all->n; i++) {
		sample("subscribers", &all->inst[i], NULL, NULL);
		printf("%" PRIu32 "\n", all->inst[i].subscribers);
	}
	family("bindings", "gauge", "Bindings in the table, by protocol.");
	for (i = 0; i < all->n; i++) {
		for (p = 0; p < ARRAY_SIZE(protos); p++) {
			sample("bindings", &all->inst[i], "proto", proto_name(protos[p]));
			printf("%" PRIu64 "\n", all->inst[i].bindings[p]);
		}
	}
}

/* The pool gauges, one family per member of struct pool. */
static const struct {
	const char *name, *help;
	size_t offset;
} pool_gauges[] = {
	{ "pool_addresses", "Addresses in the pool.", offsetof(struct pool, size) },
	{ "pool_addresses_used", "Addresses of the pool held by a subscriber.",
	  offsetof(struct pool, addrs_used) },
	{ "pool_subscribers", "Subscribers paired with an address of the pool.",
	  offsetof(struct pool, b4s) },
	{ "pool_blocks", "Port blocks in the pool.", offsetof(struct pool, blocks_total) },
	{ "pool_blocks_used", "Port blocks of the pool held by subscribers.",
	  offsetof(struct pool, blocks) },
};

static void print_pools(const struct insts *all)
{
	const struct pool *p;
	size_t g, i, j;

	for (g = 0; g < ARRAY_SIZE(pool_gauges); g++) {
		family(pool_gauges[g].name, "gauge", pool_gauges[g].help);
		for (i = 0; i < all->n; i++) {
			for (j = 0, p = all->inst[i].pool; j < all->inst[i].npools; j++, p++) {
				sample(pool_gauges[g].name, &all->inst[i], "pool", p->prefix);
				printf("%" PRIu32 "\n",
				       *(const uint32_t *)((const char *)p + pool_gauges[g].offset));
			}
		}
	}
	family("pool_utilisation_ratio", "gauge", "Port blocks of the pool in use, 0 to 1.");
	for (i = 0; i < all->n; i++) {
		for (j = 0, p = all->inst[i].pool; j < all->inst[i].npools; j++, p++) {
			sample("pool_utilisation_ratio", &all->inst[i], "pool", p->prefix);
			printf("%.6f\n", p->blocks_total ? (double)p->blocks / p->blocks_total : 0.0);
		}
	}
}

/* Everything about the instance named @ifname, or about all. */
int metrics_print(const char *ifname)
{
	struct insts all = { NULL, 0 };
	int ret = for_each_dev(ifname, NULL, read_inst, &all);

	if (!ret) {
		print_counters(&all);
		print_drops(&all);
		print_tables(&all);
		print_pools(&all);
		out_flush();
	}
	insts_free(&all);
	return ret;
}
