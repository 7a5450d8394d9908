// SPDX-License-Identifier: GPL-2.0
/*
 * "aftrctl dev": instances, their endpoints and tunables; and the list of
 * instances every other object iterates when no "dev" is given.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aftrctl.h"

static void usage(void)
{
	fputs("Usage: aftrctl dev show [ [dev] DEV ]\n"
	      "       aftrctl dev set [dev] DEV [ endpoint ADDR6 ]... [ endpoint none ]\n"
	      "                  [ timeout { udp | tcp-est | tcp-trans | icmp } SECS ]...\n"
	      "                  [ holddown SECS ] [ block-size N ] [ max-blocks N ]\n"
	      "                  [ max-bindings N ] [ max-new-rate N ] [ events-bindings { 0 | 1 } ]\n"
	      "                  [ subscriber-len N ] [ max-subscribers N ] [ max-new-subscribers N ]\n"
	      "                  [ mss-clamp { on | off | MSS } ] [ dscp { uniform | pipe } ]\n"
	      "                  [ icmp-rate N ] [ icmp-burst N ] [ frag { outer | inner } ]\n"
	      "                  [ filtering { endpoint-independent | address-dependent |\n"
	      "                                address-port-dependent } ]\n",
	      stdout);
}

struct dev_list {
	size_t n;
	struct dev_ref *dev;
};

static int collect(const struct nlattr **tb, void *data)
{
	struct dev_list *list = data;
	struct dev_ref *dev;

	if (!tb[DSLITE_AFTR_A_IFINDEX] || !tb[DSLITE_AFTR_A_IFNAME]) {
		errno = EBADMSG;
		return -1;
	}
	dev = realloc(list->dev, (list->n + 1) * sizeof(*dev));
	if (!dev)
		return -1;
	list->dev = dev;
	dev += list->n++;
	dev->ifindex = mnl_attr_get_u32(tb[DSLITE_AFTR_A_IFINDEX]);
	snprintf(dev->ifname, sizeof(dev->ifname), "%s", mnl_attr_get_str(tb[DSLITE_AFTR_A_IFNAME]));
	return 0;
}

static void dev_list_free(struct dev_list *list)
{
	free(list->dev);
	list->dev = NULL;
	list->n = 0;
}

/* The instance named @ifname, or every instance if NULL. */
static int dev_list_get(const char *ifname, struct dev_list *list)
{
	struct nlmsghdr *req;
	int ret;

	list->n = 0;
	list->dev = NULL;
	req = nl_request(DSLITE_AFTR_CMD_DEV_GET, ifname ? NLM_F_ACK : NLM_F_DUMP);
	if (ifname)
		nl_put_dev(req, 0, ifname);
	ret = nl_talk(req, collect, list);
	if (ret)
		dev_list_free(list);
	return ret;
}

/*
 * Run @fn on the instance named @ifname, or on all; stop at the first error.
 * Unless @header is NULL, the output is one list (a JSON array) across
 * instances, under @header in text ("" for none).
 */
int for_each_dev(const char *ifname, const char *header,
		 int (*fn)(const struct dev_ref *dev, void *data), void *data)
{
	struct dev_list list;
	size_t i;
	int ret;

	ret = dev_list_get(ifname, &list);
	if (ret)
		return ret;
	if (header) {
		out_arr_begin(NULL);
		if (*header)
			out_text("%s\n", header);
	}
	for (i = 0; i < list.n && !ret; i++)
		ret = fn(&list.dev[i], data);
	if (header)
		out_arr_end();
	dev_list_free(&list);
	return ret;
}

/* "[dev] NAME": the object's own argument, with the keyword optional. */
static int dev_arg(struct args *a, const char **ifname)
{
	const char *word = args_next(a);

	if (word && !strcmp(word, "dev"))
		word = args_next(a);
	if (!word)
		return usage_error("a device name is needed");
	return parse_ifname(word, ifname);
}

static void print_endpoints(const struct nlattr *nest)
{
	const struct nlattr *attr;

	out_arr_begin("endpoints");
	out_text("    endpoints");
	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_payload_len(attr) == sizeof(struct in6_addr))
			out_addr6(NULL, " %s", attr);
	}
	out_text("%s\n", mnl_attr_get_payload_len(nest) ? "" : " none");
	out_arr_end();
}

static void print_allowed(const struct nlattr *nest)
{
	const struct nlattr *attr;

	out_arr_begin("allowed");
	out_text("    allowed");
	mnl_attr_for_each_nested(attr, nest)
		out_prefix(NULL, " %s", attr);
	out_text("%s\n", mnl_attr_get_payload_len(nest) ? "" : " none");
	out_arr_end();
}

static int print_allowed_one(const struct nlattr **tb, void *data)
{
	(void)data;
	out_prefix(NULL, " %s", tb[DSLITE_AFTR_A_PREFIX]);
	return 0;
}

/* More allowed prefixes than DEV_GET carries: their own dump. */
static int print_allowed_dump(const struct dev_ref *dev)
{
	struct nlmsghdr *req = nl_request(DSLITE_AFTR_CMD_ALLOWED_GET, NLM_F_DUMP);
	int ret;

	nl_put_dev(req, dev->ifindex, NULL);
	out_arr_begin("allowed");
	out_text("    allowed");
	ret = nl_talk(req, print_allowed_one, NULL);
	out_text("\n");
	out_arr_end();
	return ret;
}

/* Words that settings take instead of a number, indexed by the number. */
static const char *const mss_clamp_words[] = {
	[DSLITE_AFTR_MSS_CLAMP_OFF] = "off",
	[DSLITE_AFTR_MSS_CLAMP_PMTU] = "on",
};

static const char *const dscp_words[] = {
	[DSLITE_AFTR_DSCP_MODEL_UNIFORM] = "uniform",
	[DSLITE_AFTR_DSCP_MODEL_PIPE] = "pipe",
};

static const char *const frag_words[] = {
	[DSLITE_AFTR_FRAG_POLICY_OUTER] = "outer",
	[DSLITE_AFTR_FRAG_POLICY_INNER] = "inner",
};

static const char *const filtering_words[] = {
	[DSLITE_AFTR_FILTERING_ENDPOINT_INDEPENDENT] = "endpoint-independent",
	[DSLITE_AFTR_FILTERING_ADDRESS_DEPENDENT] = "address-dependent",
	[DSLITE_AFTR_FILTERING_ADDRESS_PORT_DEPENDENT] = "address-port-dependent",
};

static const struct setting_words {
	uint16_t attr;
	const char *const *words;
	size_t n;
} setting_words[] = {
	{ DSLITE_AFTR_A_MSS_CLAMP, mss_clamp_words, ARRAY_SIZE(mss_clamp_words) },
	{ DSLITE_AFTR_A_DSCP, dscp_words, ARRAY_SIZE(dscp_words) },
	{ DSLITE_AFTR_A_FRAG, frag_words, ARRAY_SIZE(frag_words) },
	{ DSLITE_AFTR_A_FILTERING, filtering_words, ARRAY_SIZE(filtering_words) },
};

/* The words setting @attr takes, NULL if none. */
static const struct setting_words *words_of(uint16_t attr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(setting_words); i++) {
		if (setting_words[i].attr == attr)
			return &setting_words[i];
	}
	return NULL;
}

static const struct setting {
	const char *name;
	uint16_t attr;
	uint32_t min, max;	/* min > max: words only */
} settings[] = {
	{ "endpoint", DSLITE_AFTR_A_ENDPOINTS, 0, 0 },
	{ "timeout", 0, 0, 0 },
	{ "holddown", DSLITE_AFTR_A_HOLDDOWN, 0, DSLITE_AFTR_MAX_TIMEOUT },
	{ "block-size", DSLITE_AFTR_A_BLOCK_SIZE, DSLITE_AFTR_MIN_BLOCK_SIZE,
	  DSLITE_AFTR_MAX_BLOCK_SIZE },
	{ "max-blocks", DSLITE_AFTR_A_MAX_BLOCKS, 1, UINT32_MAX },
	{ "max-bindings", DSLITE_AFTR_A_MAX_BINDINGS, 1, UINT32_MAX },
	{ "max-new-rate", DSLITE_AFTR_A_MAX_NEW_RATE, 1, UINT32_MAX },
	{ "events-bindings", DSLITE_AFTR_A_EVENTS_BINDINGS, 0, 1 },
	{ "subscriber-len", DSLITE_AFTR_A_SUBSCRIBER_LEN, DSLITE_AFTR_MIN_SUBSCRIBER_LEN, 128 },
	{ "max-subscribers", DSLITE_AFTR_A_MAX_SUBSCRIBERS, 0, UINT32_MAX },
	{ "max-new-subscribers", DSLITE_AFTR_A_MAX_NEW_SUBSCRIBERS, 0, UINT32_MAX },
	{ "mss-clamp", DSLITE_AFTR_A_MSS_CLAMP, DSLITE_AFTR_MIN_MSS, UINT16_MAX },
	{ "dscp", DSLITE_AFTR_A_DSCP, 1, 0 },
	{ "icmp-rate", DSLITE_AFTR_A_ICMP_RATE, 1, UINT32_MAX },
	{ "icmp-burst", DSLITE_AFTR_A_ICMP_BURST, 1, UINT32_MAX },
	{ "frag", DSLITE_AFTR_A_FRAG, 1, 0 },
	{ "filtering", DSLITE_AFTR_A_FILTERING, 1, 0 },
}, timeouts[] = {
	{ "udp", DSLITE_AFTR_A_TIMEOUT_UDP, 1, DSLITE_AFTR_MAX_TIMEOUT },
	{ "tcp-est", DSLITE_AFTR_A_TIMEOUT_TCP_EST, 1, DSLITE_AFTR_MAX_TIMEOUT },
	{ "tcp-trans", DSLITE_AFTR_A_TIMEOUT_TCP_TRANS, 1, DSLITE_AFTR_MAX_TIMEOUT },
	{ "icmp", DSLITE_AFTR_A_TIMEOUT_ICMP, 1, DSLITE_AFTR_MAX_TIMEOUT },
};

const char *dev_setting_str(uint16_t attr, uint32_t val, char *buf, size_t size)
{
	const struct setting_words *w = words_of(attr);

	if (w && val < w->n)
		return w->words[val];
	snprintf(buf, size, "%" PRIu32, val);
	return buf;
}

/*
 * A setting that may be a word: text has what dev set takes, JSON what the
 * spec says (the enum's name for dscp, frag and filtering, the number for
 * mss-clamp).
 */
static void print_setting(const char *key, const char *fmt, const struct nlattr *attr)
{
	const char *str;
	char buf[16];

	if (!attr)
		return;
	str = dev_setting_str(mnl_attr_get_type(attr), nl_get_uint(attr), buf, sizeof(buf));
	if (mnl_attr_get_type(attr) != DSLITE_AFTR_A_MSS_CLAMP) {
		out_str(key, fmt, str);
	} else {
		out_uint(key, NULL, nl_get_uint(attr));
		out_text(fmt, str);
	}
}

/* @data: set when the allowed prefixes were too many to come inline. */
static int print_dev(const struct nlattr **tb, void *data)
{
	bool *allowed_later = data;

	out_attr_str("ifname", "%s:", tb[DSLITE_AFTR_A_IFNAME]);
	out_attr_u32("ifindex", " ifindex %s", tb[DSLITE_AFTR_A_IFINDEX]);
	out_attr_u32("b4-count", " b4s %s", tb[DSLITE_AFTR_A_B4_COUNT]);
	out_attr_u32("binding-count", " bindings %s", tb[DSLITE_AFTR_A_BINDING_COUNT]);
	out_attr_u32("pool-count", " pools %s", tb[DSLITE_AFTR_A_POOL_COUNT]);
	out_attr_u32("exempt-count", " exempt %s", tb[DSLITE_AFTR_A_EXEMPT_COUNT]);
	out_attr_u32("exempt-flow-count", " exempt-flows %s\n",
		     tb[DSLITE_AFTR_A_EXEMPT_FLOW_COUNT]);
	if (tb[DSLITE_AFTR_A_ENDPOINTS])
		print_endpoints(tb[DSLITE_AFTR_A_ENDPOINTS]);
	if (tb[DSLITE_AFTR_A_ALLOWED])
		print_allowed(tb[DSLITE_AFTR_A_ALLOWED]);
	else
		*allowed_later = tb[DSLITE_AFTR_A_ALLOWED_COUNT] &&
				 mnl_attr_get_u32(tb[DSLITE_AFTR_A_ALLOWED_COUNT]);
	out_attr_u32("timeout-udp", "    timeout udp %s", tb[DSLITE_AFTR_A_TIMEOUT_UDP]);
	out_attr_u32("timeout-tcp-est", " tcp-est %s", tb[DSLITE_AFTR_A_TIMEOUT_TCP_EST]);
	out_attr_u32("timeout-tcp-trans", " tcp-trans %s", tb[DSLITE_AFTR_A_TIMEOUT_TCP_TRANS]);
	out_attr_u32("timeout-icmp", " icmp %s", tb[DSLITE_AFTR_A_TIMEOUT_ICMP]);
	out_attr_u32("holddown", " holddown %s\n", tb[DSLITE_AFTR_A_HOLDDOWN]);
	out_attr_u32("block-size", "    block-size %s", tb[DSLITE_AFTR_A_BLOCK_SIZE]);
	out_attr_u32("max-blocks", " max-blocks %s", tb[DSLITE_AFTR_A_MAX_BLOCKS]);
	out_attr_u32("max-bindings", " max-bindings %s", tb[DSLITE_AFTR_A_MAX_BINDINGS]);
	out_attr_u32("max-new-rate", " max-new-rate %s\n", tb[DSLITE_AFTR_A_MAX_NEW_RATE]);
	if (tb[DSLITE_AFTR_A_SUBSCRIBER_LEN])
		out_uint("subscriber-len", "    subscriber-len %s",
			 mnl_attr_get_u8(tb[DSLITE_AFTR_A_SUBSCRIBER_LEN]));
	out_attr_u32("max-subscribers", " max-subscribers %s", tb[DSLITE_AFTR_A_MAX_SUBSCRIBERS]);
	out_attr_u32("max-new-subscribers", " max-new-subscribers %s\n",
		     tb[DSLITE_AFTR_A_MAX_NEW_SUBSCRIBERS]);
	if (tb[DSLITE_AFTR_A_EVENTS_BINDINGS])
		out_uint("events-bindings", "    events-bindings %s\n",
			 mnl_attr_get_u8(tb[DSLITE_AFTR_A_EVENTS_BINDINGS]));
	print_setting("mss-clamp", "    mss-clamp %s", tb[DSLITE_AFTR_A_MSS_CLAMP]);
	print_setting("dscp", " dscp %s", tb[DSLITE_AFTR_A_DSCP]);
	out_attr_u32("icmp-rate", " icmp-rate %s", tb[DSLITE_AFTR_A_ICMP_RATE]);
	out_attr_u32("icmp-burst", " icmp-burst %s", tb[DSLITE_AFTR_A_ICMP_BURST]);
	print_setting("frag", " frag %s", tb[DSLITE_AFTR_A_FRAG]);
	out_text("\n");
	print_setting("filtering", "    filtering %s\n", tb[DSLITE_AFTR_A_FILTERING]);
	return 0;
}

static int print_dev_stats(const struct nlattr **tb, void *data)
{
	(void)data;
	if (tb[DSLITE_AFTR_A_STATS])
		stats_print(tb[DSLITE_AFTR_A_STATS]);
	return 0;
}

/* One instance: its settings, and with -s its counters. */
static int show_one(const struct dev_ref *dev, void *data)
{
	bool allowed_later = false;
	struct nlmsghdr *req;
	int ret;

	(void)data;
	out_obj_begin(NULL);
	req = nl_request(DSLITE_AFTR_CMD_DEV_GET, NLM_F_ACK);
	nl_put_dev(req, dev->ifindex, NULL);
	ret = nl_talk(req, print_dev, &allowed_later);
	if (!ret && allowed_later)
		ret = print_allowed_dump(dev);
	if (!ret && opt_stats) {
		req = nl_request(DSLITE_AFTR_CMD_STATS_GET, NLM_F_ACK);
		nl_put_dev(req, dev->ifindex, NULL);
		ret = nl_talk(req, print_dev_stats, NULL);
	}
	out_obj_end();
	return ret;
}

static int dev_show(struct args *a)
{
	const char *ifname = NULL;

	if (args_peek(a) && dev_arg(a, &ifname))
		return EXIT_USAGE;
	if (args_peek(a))
		return usage_error("unexpected \"%s\"", args_peek(a));
	return for_each_dev(ifname, "", show_one, NULL);
}

/* What "dev set" sends: each attribute at most once. */
struct dev_set {
	uint32_t val[DSLITE_AFTR_A_MAX + 1];
	bool set[DSLITE_AFTR_A_MAX + 1];
	struct in6_addr endpoint[DSLITE_AFTR_MAX_ENDPOINTS];
	unsigned int n_endpoints;
	bool endpoints_none;
};

static int parse_endpoint(struct args *a, struct dev_set *s)
{
	struct in6_addr addr;
	const char *word;
	unsigned int i;

	if (args_value(a, "endpoint", &word))
		return -1;
	if (!strcmp(word, "none")) {
		s->endpoints_none = true;
	} else {
		if (parse_addr6(word, "endpoint", &addr))
			return -1;
		if (IN6_IS_ADDR_UNSPECIFIED(&addr) || IN6_IS_ADDR_MULTICAST(&addr))
			return usage_error("endpoint %s is not a unicast address", word);
		for (i = 0; i < s->n_endpoints; i++) {
			if (!memcmp(&s->endpoint[i], &addr, sizeof(addr)))
				return usage_error("endpoint %s given twice", word);
		}
		if (s->n_endpoints == DSLITE_AFTR_MAX_ENDPOINTS)
			return usage_error("at most %d endpoints", DSLITE_AFTR_MAX_ENDPOINTS);
		s->endpoint[s->n_endpoints++] = addr;
	}
	if (s->endpoints_none && s->n_endpoints)
		return usage_error("\"endpoint none\" clears the endpoints: give no others");
	return 0;
}

static int parse_setting(struct args *a, const char *what, const struct setting *st,
			 struct dev_set *s)
{
	const struct setting_words *w = words_of(st->attr);
	const char *word;
	char kind[48];
	int i;

	if (s->set[st->attr])
		return usage_error("\"%s\" given twice", what);
	if (args_value(a, what, &word))
		return -1;
	if (w && (st->min > st->max || *word < '0' || *word > '9')) {
		snprintf(kind, sizeof(kind), "%s value", what);
		i = lookup(word, w->words, w->n, sizeof(*w->words), kind);
		if (i < 0)
			return -1;
		s->val[st->attr] = (uint32_t)i;
	} else if (parse_u32(word, st->min, st->max, what, &s->val[st->attr])) {
		return -1;
	}
	s->set[st->attr] = true;
	return 0;
}

static int parse_dev_set(struct args *a, struct dev_set *s)
{
	const char *word;
	char what[32];
	int i;

	while ((word = args_next(a))) {
		i = LOOKUP(word, settings, "keyword");
		if (i < 0)
			return -1;
		if (settings[i].attr == DSLITE_AFTR_A_ENDPOINTS) {
			if (parse_endpoint(a, s))
				return -1;
			continue;
		}
		if (!settings[i].attr) {
			if (args_value(a, "timeout", &word))
				return -1;
			i = LOOKUP(word, timeouts, "timeout class");
			if (i < 0)
				return -1;
			snprintf(what, sizeof(what), "timeout %s", timeouts[i].name);
			if (parse_setting(a, what, &timeouts[i], s))
				return -1;
			continue;
		}
		if (parse_setting(a, settings[i].name, &settings[i], s))
			return -1;
	}
	return 0;
}

static bool local_address(const struct ifaddrs *ifa, const struct in6_addr *addr)
{
	for (; ifa; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr && ifa->ifa_addr->sa_family == AF_INET6 &&
		    !memcmp(&((const struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr, addr,
			    sizeof(*addr)))
			return true;
	}
	return false;
}

/*
 * Softwires reach the module only once delivered locally: an endpoint that
 * is no address of the namespace receives nothing. Not an error, as the
 * address may come later (an interface still down, DAD, configuration
 * applied before the network's).
 */
static void warn_nonlocal(const struct dev_set *s)
{
	char buf[INET6_ADDRSTRLEN];
	struct ifaddrs *ifa;
	unsigned int i;

	if (getifaddrs(&ifa))
		return;
	for (i = 0; i < s->n_endpoints; i++) {
		if (!local_address(ifa, &s->endpoint[i]))
			warning("endpoint %s is not a local address: softwires to it "
				"reach nothing until it is",
				inet_ntop(AF_INET6, &s->endpoint[i], buf, sizeof(buf)));
	}
	freeifaddrs(ifa);
}

/* As wide as the spec makes each setting. */
static void put_setting(struct nlmsghdr *req, uint16_t attr, uint32_t val)
{
	switch (attr) {
	case DSLITE_AFTR_A_EVENTS_BINDINGS:
	case DSLITE_AFTR_A_SUBSCRIBER_LEN:
	case DSLITE_AFTR_A_DSCP:
	case DSLITE_AFTR_A_FRAG:
	case DSLITE_AFTR_A_FILTERING:
		mnl_attr_put_u8(req, attr, (uint8_t)val);
		break;
	case DSLITE_AFTR_A_MSS_CLAMP:
		mnl_attr_put_u16(req, attr, (uint16_t)val);
		break;
	default:
		mnl_attr_put_u32(req, attr, val);
	}
}

static int dev_set(struct args *a)
{
	struct dev_set s = { .n_endpoints = 0 };
	struct nlmsghdr *req;
	struct nlattr *nest;
	const char *ifname;
	uint16_t attr;
	bool any = false;
	unsigned int i;
	int ret;

	if (dev_arg(a, &ifname) || parse_dev_set(a, &s))
		return EXIT_USAGE;
	req = nl_request(DSLITE_AFTR_CMD_DEV_SET, NLM_F_ACK);
	nl_put_dev(req, 0, ifname);
	if (s.n_endpoints || s.endpoints_none) {
		nest = mnl_attr_nest_start(req, DSLITE_AFTR_A_ENDPOINTS);
		for (i = 0; i < s.n_endpoints; i++)
			mnl_attr_put(req, i + 1, sizeof(s.endpoint[i]), &s.endpoint[i]);
		mnl_attr_nest_end(req, nest);
		any = true;
	}
	for (attr = 0; attr <= DSLITE_AFTR_A_MAX; attr++) {
		if (!s.set[attr])
			continue;
		put_setting(req, attr, s.val[attr]);
		any = true;
	}
	if (!any)
		return usage_error("nothing to set on %s", ifname);
	ret = nl_talk(req, NULL, NULL);
	if (!ret && !nl_capturing())
		warn_nonlocal(&s);
	return ret;
}

static const struct command commands[] = {
	{ "show", dev_show },
	{ "set", dev_set },
	{ "help", NULL },
};

int do_dev(struct args *a)
{
	return run_command(a, commands, ARRAY_SIZE(commands), "dev command", usage);
}
