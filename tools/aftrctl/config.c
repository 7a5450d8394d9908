// SPDX-License-Identifier: GPL-2.0
/*
 * "aftrctl config": one instance's whole configuration as a file
 * (aftrctl.conf(5)): check it, apply it, dump the running one.
 *
 * Every statement of a file and every object of a running instance becomes
 * an item: a key (what it configures: "pool 198.51.100.0/28") and a
 * canonical line (how: "pool 198.51.100.0/28 ports 1024-65535"). A file's
 * statements are read by the very commands that would configure them, with
 * their request caught instead of sent (nl_capture), so a file accepts
 * exactly what the command line does; requests and dump replies carry the
 * same attributes, and one function makes items of both. Applying is then
 * a difference of two item lists: what only the instance has goes, what
 * only the file has comes, a changed line is replaced, and what is the
 * same is not touched, so its bindings stay. A change the kernel refuses
 * undoes the ones before it, in reverse, and the result is compared with
 * the state before.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aftrctl.h"

static void usage(void)
{
	fputs("Usage: aftrctl config apply FILE [ [dev] DEV ]\n"
	      "       aftrctl config check FILE [ [dev] DEV ]\n"
	      "       aftrctl config dump [ [dev] DEV ]\n"
	      "FILE is aftrctl.conf(5); - reads standard input.\n", stdout);
}

/* Statement kinds, in the order their additions are applied. */
enum kind { K_SET, K_ALLOW, K_POOL, K_DET, K_STATIC, K_EXEMPT, K_COUNT };

/* A statement's words as a command: OBJECT VERB dev DEV REST. */
static const struct {
	const char *name;	/* the statement's first word */
	const char *object;
	const char *add, *del;	/* del NULL: undone by setting the old value */
} kinds[K_COUNT] = {
	[K_SET] = { "set", "dev", "set", NULL },
	[K_ALLOW] = { "allow", "b4", "allow", "deny" },
	[K_POOL] = { "pool", "pool", "add", "del" },
	[K_DET] = { "det", "det", "add", "del" },
	[K_STATIC] = { "static", "static", "add", "del" },
	[K_EXEMPT] = { "exempt", "exempt", "add", "del" },
};

#define LINE_MAX_LEN	512
/* Every setting's line in one command: they fit, with room. */
#define WORDS_LEN	(2 * LINE_MAX_LEN)

/*
 * A static mapping's B4 is known by its subscriber prefix: its line shows
 * the address the B4 last sent from, which may move inside the prefix.
 * So items compare by @b4 within the subscriber length, and by the line
 * from @cmp on.
 */
struct item {
	enum kind kind;
	char key[96];		/* without the statement word */
	char line[LINE_MAX_LEN];	/* the same */
	size_t cmp;
	struct in6_addr b4;
	unsigned long lineno;	/* in the file; 0 if none */
};

struct conf {
	char ifname[IF_NAMESIZE];
	struct item *item;
	size_t n;
	unsigned long lineno;	/* where items come from now */
};

/* The device name the file's statements are read with: never sent. */
#define PARSE_DEV	"-"

/*
 * A zeroed element of @size added to the array whose pointer is at @arrayp
 * and length at @n. These arrays are small: out of memory, exit.
 */
static void *append_zeroed(void *arrayp, size_t *n, size_t size)
{
	char *grown = realloc(*(void **)arrayp, (*n + 1) * size);

	if (!grown) {
		perror("aftrctl");
		exit(EXIT_KERNEL);
	}
	*(void **)arrayp = grown;
	return memset(grown + (*n)++ * size, 0, size);
}

static struct item *conf_add(struct conf *c, enum kind kind)
{
	struct item *it = append_zeroed(&c->item, &c->n, sizeof(*it));

	it->kind = kind;
	it->lineno = c->lineno;
	return it;
}

static void append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

#define APPEND(buf, ...) append(buf, sizeof(buf), __VA_ARGS__)

/* "ADDR/LEN" of a prefix nest, "" if malformed. */
static void prefix_str(const struct nlattr *nest, char *buf, size_t size)
{
	const struct nlattr *tb[DSLITE_AFTR_PREFIX_A_MAX + 1];
	const struct nlattr *a6, *a4;
	char addr[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	if (!nest || nl_parse_prefix(nest, tb) || !tb[DSLITE_AFTR_PREFIX_A_LEN])
		return;
	a6 = tb[DSLITE_AFTR_PREFIX_A_ADDR6];
	a4 = tb[DSLITE_AFTR_PREFIX_A_ADDR4];
	if (!a6 && !a4)
		return;
	inet_ntop(a6 ? AF_INET6 : AF_INET, mnl_attr_get_payload(a6 ? a6 : a4), addr,
		  sizeof(addr));
	snprintf(buf, size, "%s/%u", addr, mnl_attr_get_u8(tb[DSLITE_AFTR_PREFIX_A_LEN]));
}

static const char *addr_str(const struct nlattr *attr, int family, char *buf)
{
	if (!attr)
		return "";
	return inet_ntop(family, mnl_attr_get_payload(attr), buf, INET6_ADDRSTRLEN);
}

/* " ports MIN-MAX", the kernel's default range when a request had none. */
static void ports_str(const struct nlattr **tb, char *line, size_t size)
{
	unsigned int lo = DSLITE_AFTR_DEF_PORT_MIN, hi = DSLITE_AFTR_DEF_PORT_MAX;

	if (tb[DSLITE_AFTR_A_PORT_MIN] && tb[DSLITE_AFTR_A_PORT_MAX]) {
		lo = mnl_attr_get_u16(tb[DSLITE_AFTR_A_PORT_MIN]);
		hi = mnl_attr_get_u16(tb[DSLITE_AFTR_A_PORT_MAX]);
	}
	append(line, size, " ports %u-%u", lo, hi);
}

static void pool_item(struct conf *c, const struct nlattr **tb)
{
	struct item *it = conf_add(c, K_POOL);

	prefix_str(tb[DSLITE_AFTR_A_PREFIX], it->key, sizeof(it->key));
	APPEND(it->line, "%s", it->key);
	ports_str(tb, it->line, sizeof(it->line));
}

/* An allowed B4 prefix or an exempt destination: the prefix is all of it. */
static void prefix_item(struct conf *c, enum kind kind, const struct nlattr *prefix)
{
	struct item *it = conf_add(c, kind);

	prefix_str(prefix, it->key, sizeof(it->key));
	APPEND(it->line, "%s", it->key);
}

static void det_item(struct conf *c, const struct nlattr **tb)
{
	struct item *it = conf_add(c, K_DET);
	char pool[INET6_ADDRSTRLEN + 4];

	APPEND(it->key, "b4 ");
	prefix_str(tb[DSLITE_AFTR_A_B4_PREFIX], it->key + 3, sizeof(it->key) - 3);
	prefix_str(tb[DSLITE_AFTR_A_PREFIX], pool, sizeof(pool));
	APPEND(it->line, "%s len %u pool %s", it->key,
	       tb[DSLITE_AFTR_A_B4_LEN] ? mnl_attr_get_u8(tb[DSLITE_AFTR_A_B4_LEN]) : 0, pool);
	ports_str(tb, it->line, sizeof(it->line));
}

static void static_item(struct conf *c, const struct nlattr **tb)
{
	struct item *it = conf_add(c, K_STATIC);
	const struct nlattr *proto = tb[DSLITE_AFTR_A_PROTO];
	char b4[INET6_ADDRSTRLEN], in[INET6_ADDRSTRLEN], out[INET6_ADDRSTRLEN];

	APPEND(it->key, "proto %s outer %s:%u", proto ? proto_name(mnl_attr_get_u8(proto)) : "",
	       addr_str(tb[DSLITE_AFTR_A_OUTER_ADDR], AF_INET, out),
	       tb[DSLITE_AFTR_A_OUTER_PORT] ? mnl_attr_get_u16(tb[DSLITE_AFTR_A_OUTER_PORT]) : 0);
	APPEND(it->line, "b4 %s ", addr_str(tb[DSLITE_AFTR_A_B4_ADDR], AF_INET6, b4));
	if (tb[DSLITE_AFTR_A_B4_ADDR])
		memcpy(&it->b4, mnl_attr_get_payload(tb[DSLITE_AFTR_A_B4_ADDR]), sizeof(it->b4));
	it->cmp = strlen(it->line);
	APPEND(it->line, "inner %s:%u %s", addr_str(tb[DSLITE_AFTR_A_INNER_ADDR], AF_INET, in),
	       tb[DSLITE_AFTR_A_INNER_PORT] ? mnl_attr_get_u16(tb[DSLITE_AFTR_A_INNER_PORT]) : 0,
	       it->key);
}

/* The settings of "dev set", with the values an instance starts with. */
static const struct {
	const char *name;
	uint16_t attr;
	uint32_t def;
} settings[] = {
	{ "timeout udp", DSLITE_AFTR_A_TIMEOUT_UDP, DSLITE_AFTR_DEF_TIMEOUT_UDP },
	{ "timeout tcp-est", DSLITE_AFTR_A_TIMEOUT_TCP_EST, DSLITE_AFTR_DEF_TIMEOUT_TCP_EST },
	{ "timeout tcp-trans", DSLITE_AFTR_A_TIMEOUT_TCP_TRANS, DSLITE_AFTR_DEF_TIMEOUT_TCP_TRANS },
	{ "timeout icmp", DSLITE_AFTR_A_TIMEOUT_ICMP, DSLITE_AFTR_DEF_TIMEOUT_ICMP },
	{ "holddown", DSLITE_AFTR_A_HOLDDOWN, DSLITE_AFTR_DEF_HOLDDOWN },
	{ "block-size", DSLITE_AFTR_A_BLOCK_SIZE, DSLITE_AFTR_DEF_BLOCK_SIZE },
	{ "max-blocks", DSLITE_AFTR_A_MAX_BLOCKS, DSLITE_AFTR_DEF_MAX_BLOCKS },
	{ "max-bindings", DSLITE_AFTR_A_MAX_BINDINGS, DSLITE_AFTR_DEF_MAX_BINDINGS },
	{ "max-new-rate", DSLITE_AFTR_A_MAX_NEW_RATE, DSLITE_AFTR_DEF_MAX_NEW_RATE },
	{ "subscriber-len", DSLITE_AFTR_A_SUBSCRIBER_LEN, DSLITE_AFTR_DEF_SUBSCRIBER_LEN },
	{ "max-subscribers", DSLITE_AFTR_A_MAX_SUBSCRIBERS, DSLITE_AFTR_DEF_MAX_SUBSCRIBERS },
	{ "max-new-subscribers", DSLITE_AFTR_A_MAX_NEW_SUBSCRIBERS,
	  DSLITE_AFTR_DEF_MAX_NEW_SUBSCRIBERS },
	{ "events-bindings", DSLITE_AFTR_A_EVENTS_BINDINGS, 0 },
	{ "mss-clamp", DSLITE_AFTR_A_MSS_CLAMP, DSLITE_AFTR_MSS_CLAMP_PMTU },
	{ "dscp", DSLITE_AFTR_A_DSCP, DSLITE_AFTR_DSCP_MODEL_UNIFORM },
	{ "icmp-rate", DSLITE_AFTR_A_ICMP_RATE, DSLITE_AFTR_DEF_ICMP_RATE },
	{ "icmp-burst", DSLITE_AFTR_A_ICMP_BURST, DSLITE_AFTR_DEF_ICMP_BURST },
	{ "frag", DSLITE_AFTR_A_FRAG, DSLITE_AFTR_FRAG_POLICY_OUTER },
	{ "filtering", DSLITE_AFTR_A_FILTERING, DSLITE_AFTR_FILTERING_ENDPOINT_INDEPENDENT },
};

static void setting_item(struct conf *c, const char *name, const char *val)
{
	struct item *it = conf_add(c, K_SET);

	APPEND(it->key, "%s", name);
	APPEND(it->line, "%s %s", name, val);
}

static void endpoints_item(struct conf *c, const struct nlattr *nest)
{
	struct item *it = conf_add(c, K_SET);
	const struct nlattr *attr;
	char buf[INET6_ADDRSTRLEN];
	bool any = false;

	APPEND(it->key, "endpoint");
	if (!nest) {
		APPEND(it->line, "endpoint none");
		return;
	}
	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_payload_len(attr) != sizeof(struct in6_addr))
			continue;
		APPEND(it->line, "%sendpoint %s", any ? " " : "",
		       addr_str(attr, AF_INET6, buf));
		any = true;
	}
	if (!any)
		APPEND(it->line, "endpoint none");
}

/* The settings a DEV_SET request or a DEV_GET reply carries. */
static void setting_items(struct conf *c, const struct nlattr **tb)
{
	const struct nlattr *attr;
	char buf[16];
	size_t i;

	if (tb[DSLITE_AFTR_A_ENDPOINTS])
		endpoints_item(c, tb[DSLITE_AFTR_A_ENDPOINTS]);
	for (i = 0; i < ARRAY_SIZE(settings); i++) {
		attr = tb[settings[i].attr];
		if (attr)
			setting_item(c, settings[i].name,
				     dev_setting_str(settings[i].attr, nl_get_uint(attr), buf,
						     sizeof(buf)));
	}
}

/* A statement's request, caught: its items. */
static int caught(uint8_t cmd, const struct nlattr **tb, void *data)
{
	struct conf *c = data;

	switch (cmd) {
	case DSLITE_AFTR_CMD_DEV_SET:
		setting_items(c, tb);
		break;
	case DSLITE_AFTR_CMD_B4_ALLOW:
		prefix_item(c, K_ALLOW, tb[DSLITE_AFTR_A_PREFIX]);
		break;
	case DSLITE_AFTR_CMD_EXEMPT_ADD:
		prefix_item(c, K_EXEMPT, tb[DSLITE_AFTR_A_PREFIX]);
		break;
	case DSLITE_AFTR_CMD_POOL_ADD:
		pool_item(c, tb);
		break;
	case DSLITE_AFTR_CMD_DET_ADD:
		det_item(c, tb);
		break;
	case DSLITE_AFTR_CMD_STATIC_ADD:
		static_item(c, tb);
		break;
	}
	return 0;
}

static const struct item *find(const struct conf *c, enum kind kind, const char *key)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->item[i].kind == kind && !strcmp(c->item[i].key, key))
			return &c->item[i];
	}
	return NULL;
}

/* The same configuration, for subscribers of /@plen. */
static bool item_same(const struct item *a, const struct item *b, unsigned int plen)
{
	return !strcmp(a->line + a->cmp, b->line + b->cmp) && prefix_equal(&a->b4, &b->b4, plen);
}

/* The subscriber length @c configures. */
static unsigned int subscriber_len(const struct conf *c)
{
	const struct item *it = find(c, K_SET, "subscriber-len");

	return it ? (unsigned int)atoi(it->line + strlen(it->key)) : 128;
}

/* One statement: its command, run with its request caught. */
static int statement(struct conf *c, char **words, int n, size_t first)
{
	char *cmd[LINE_MAX_LEN / 2 + 3];
	const struct item *dup;
	enum kind k;
	size_t i;
	int ret;

	k = (enum kind)LOOKUP(words[0], kinds, "statement");
	if ((int)k < 0)
		return EXIT_USAGE;
	if (n < 2)
		return usage_error("\"%s\" alone configures nothing", kinds[k].name);
	/* "OBJECT ADD dev - WORDS...", the words as the file grouped them */
	cmd[0] = (char *)kinds[k].object;
	cmd[1] = (char *)kinds[k].add;
	cmd[2] = "dev";
	cmd[3] = PARSE_DEV;
	for (i = 1; i < (size_t)n; i++)
		cmd[i + 3] = words[i];
	nl_capture(caught, c);
	ret = run_words(n + 3, cmd);
	nl_capture(NULL, NULL);
	if (ret)
		return ret;
	if (c->n == first)
		return usage_error("\"%s\" configures nothing", kinds[k].name);
	for (i = first; i < c->n; i++) {
		dup = find(c, c->item[i].kind, c->item[i].key);
		if (dup != &c->item[i])
			return usage_error("%s %s is given twice (line %lu)",
					   kinds[c->item[i].kind].name, c->item[i].key,
					   dup->lineno);
	}
	return 0;
}

static int split(char *line, char **words, int max)
{
	char *save, *w;
	int n = 0;

	for (w = strtok_r(line, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return -1;
		words[n++] = w;
	}
	return n;
}

/* Runs the aftrctl command @line; PARSE_DEV stands for @ifname. */
static int run_line(char *line, const char *ifname)
{
	char *words[LINE_MAX_LEN / 2];
	int n = split(line, words, ARRAY_SIZE(words)), i;

	if (n < 0)
		return usage_error("too many words");
	for (i = 0; i < n; i++) {
		if (!strcmp(words[i], PARSE_DEV))
			words[i] = (char *)ifname;
	}
	return run_words(n, words);
}

static int dev_statement(struct conf *c, char **words, int n)
{
	const char *ifname;

	if (n != 2)
		return usage_error("\"dev\" takes one device name");
	if (c->ifname[0])
		return usage_error("one instance per file: \"dev\" is given twice");
	if (parse_ifname(words[1], &ifname))
		return EXIT_USAGE;
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	return 0;
}

/* Settings the file leaves out are the instance's defaults. */
static void default_settings(struct conf *c)
{
	char buf[16];
	size_t i;

	c->lineno = 0;
	if (!find(c, K_SET, "endpoint"))
		endpoints_item(c, NULL);
	for (i = 0; i < ARRAY_SIZE(settings); i++) {
		if (!find(c, K_SET, settings[i].name))
			setting_item(c, settings[i].name,
				     dev_setting_str(settings[i].attr, settings[i].def, buf,
						     sizeof(buf)));
	}
}

/*
 * Reads @name into @c, all of it: every error is reported with its line,
 * and any fails the read.
 */
static int conf_read(const char *name, struct conf *c)
{
	char *words[LINE_MAX_LEN / 2];
	struct reader r;
	int n, ret, worst = EXIT_OK;

	if (reader_open(&r, name))
		return EXIT_USAGE;
	while ((n = reader_next(&r, words, ARRAY_SIZE(words)))) {
		c->lineno = r.start;
		if (n < 0)
			ret = EXIT_USAGE;
		else if (!strcmp(words[0], "dev"))
			ret = dev_statement(c, words, n);
		else
			ret = statement(c, words, n, c->n);
		if (ret > worst)
			worst = ret;
	}
	reader_close(&r);
	if (!worst)
		default_settings(c);
	return worst;
}

/* The running configuration of instance @ifname, as items. */
static int dump_dev(const struct nlattr **tb, void *data)
{
	setting_items(data, tb);
	return 0;
}

static int dump_allowed(const struct nlattr **tb, void *data)
{
	prefix_item(data, K_ALLOW, tb[DSLITE_AFTR_A_PREFIX]);
	return 0;
}

static int dump_exempt(const struct nlattr **tb, void *data)
{
	prefix_item(data, K_EXEMPT, tb[DSLITE_AFTR_A_PREFIX]);
	return 0;
}

static int dump_pool(const struct nlattr **tb, void *data)
{
	pool_item(data, tb);
	return 0;
}

static int dump_det(const struct nlattr **tb, void *data)
{
	det_item(data, tb);
	return 0;
}

static int dump_static(const struct nlattr **tb, void *data)
{
	static_item(data, tb);
	return 0;
}

static int conf_running(const char *ifname, struct conf *c)
{
	static const struct {
		uint8_t cmd;
		nl_msg_cb cb;
	} parts[] = {
		{ DSLITE_AFTR_CMD_DEV_GET, dump_dev },
		{ DSLITE_AFTR_CMD_ALLOWED_GET, dump_allowed },
		{ DSLITE_AFTR_CMD_POOL_GET, dump_pool },
		{ DSLITE_AFTR_CMD_DET_GET, dump_det },
		{ DSLITE_AFTR_CMD_STATIC_GET, dump_static },
		{ DSLITE_AFTR_CMD_EXEMPT_GET, dump_exempt },
	};
	struct nlmsghdr *req;
	size_t i;
	int ret;

	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		req = nl_request(parts[i].cmd, i ? NLM_F_DUMP : NLM_F_ACK);
		nl_put_dev(req, 0, ifname);
		ret = nl_talk(req, parts[i].cb, c);
		if (ret)
			return ret;
	}
	default_settings(c);
	return 0;
}

static void conf_free(struct conf *c)
{
	free(c->item);
	c->item = NULL;
	c->n = 0;
}

static void conf_print(const struct conf *c)
{
	enum kind k;
	size_t i;

	printf("dev %s\n", c->ifname);
	for (k = 0; k < K_COUNT; k++) {
		for (i = 0; i < c->n; i++) {
			if (c->item[i].kind == k)
				printf("%s %s\n", kinds[k].name, c->item[i].line);
		}
	}
}

/*
 * A change to the running instance and how to undo it, both aftrctl
 * commands with PARSE_DEV for the device.
 */
struct change {
	char cmd[WORDS_LEN + 64];
	char undo[WORDS_LEN + 64];
	unsigned long lineno;
};

struct plan {
	struct change *v;
	size_t n;
};

static struct change *plan_add(struct plan *p, unsigned long lineno)
{
	struct change *ch = append_zeroed(&p->v, &p->n, sizeof(*ch));

	ch->lineno = lineno;
	return ch;
}

/* "OBJECT VERB dev - WORDS" */
static void command(char *buf, size_t size, enum kind k, bool add, const char *words)
{
	snprintf(buf, size, "%s %s dev " PARSE_DEV " %s", kinds[k].object,
		 add ? kinds[k].add : kinds[k].del, words);
}

static void plan_del(struct plan *p, const struct item *old)
{
	struct change *ch = plan_add(p, 0);

	command(ch->cmd, sizeof(ch->cmd), old->kind, false, old->key);
	command(ch->undo, sizeof(ch->undo), old->kind, true, old->line);
}

static void plan_new(struct plan *p, const struct item *new)
{
	struct change *ch = plan_add(p, new->lineno);

	command(ch->cmd, sizeof(ch->cmd), new->kind, true, new->line);
	command(ch->undo, sizeof(ch->undo), new->kind, false, new->key);
}

/* Changed settings, in one DEV_SET each way: the kernel takes it whole. */
static void plan_settings(struct plan *p, const struct conf *run, const struct conf *file)
{
	char cmd[WORDS_LEN] = "", undo[WORDS_LEN] = "";
	const struct item *old;
	struct change *ch;
	size_t i;

	for (i = 0; i < file->n; i++) {
		if (file->item[i].kind != K_SET)
			continue;
		old = find(run, K_SET, file->item[i].key);
		if (old && !strcmp(old->line, file->item[i].line))
			continue;
		APPEND(cmd, " %s", file->item[i].line);
		if (old)
			APPEND(undo, " %s", old->line);
	}
	if (!cmd[0])
		return;
	ch = plan_add(p, 0);
	command(ch->cmd, sizeof(ch->cmd), K_SET, true, cmd + 1);
	command(ch->undo, sizeof(ch->undo), K_SET, true, undo + 1);
}

/*
 * What turns @run into @file: removals (most dependent first), settings,
 * additions (least dependent first). A changed line is a removal and an
 * addition of its key.
 */
static void plan_make(struct plan *p, const struct conf *run, const struct conf *file)
{
	unsigned int plen = subscriber_len(file);
	const struct item *it, *other;
	int k;
	size_t i;

	for (k = K_COUNT - 1; k > K_SET; k--) {
		for (i = 0; i < run->n; i++) {
			it = &run->item[i];
			other = find(file, it->kind, it->key);
			if (it->kind == (enum kind)k && (!other || !item_same(other, it, plen)))
				plan_del(p, it);
		}
	}
	plan_settings(p, run, file);
	for (k = K_SET + 1; k < K_COUNT; k++) {
		for (i = 0; i < file->n; i++) {
			it = &file->item[i];
			other = find(run, it->kind, it->key);
			if (it->kind == (enum kind)k && (!other || !item_same(other, it, plen)))
				plan_new(p, it);
		}
	}
}

/* Both hold the same items, whatever their order. */
static bool conf_same(const struct conf *a, const struct conf *b)
{
	unsigned int plen = subscriber_len(a);
	const struct item *other;
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		other = find(b, a->item[i].kind, a->item[i].key);
		if (!other || !item_same(other, &a->item[i], plen))
			return false;
	}
	return true;
}

/* Undoes the first @done changes of @p, last first; checks the result. */
static int rollback(const struct plan *p, size_t done, const struct conf *before)
{
	struct conf after = { .n = 0 };
	char undo[sizeof(p->v->undo)];
	bool same;

	while (done--) {
		snprintf(undo, sizeof(undo), "%s", p->v[done].undo);
		run_line(undo, before->ifname);
	}
	if (conf_running(before->ifname, &after))
		return EXIT_KERNEL;
	same = conf_same(before, &after);
	conf_free(&after);
	if (!same)
		return kernel_error("%s could not be restored: compare \"aftrctl config dump %s\" "
				    "with the file", before->ifname, before->ifname);
	warning("nothing changed on %s", before->ifname);
	return EXIT_KERNEL;
}

static int plan_run(const struct plan *p, const char *name, const struct conf *before)
{
	char cmd[sizeof(p->v->cmd)];
	size_t i;
	int ret;

	for (i = 0; i < p->n; i++) {
		snprintf(cmd, sizeof(cmd), "%s", p->v[i].cmd);
		location_set(p->v[i].lineno ? name : NULL, p->v[i].lineno);
		ret = run_line(cmd, before->ifname);
		location_set(NULL, 0);
		if (ret)
			return rollback(p, i, before);
	}
	return EXIT_OK;
}

/* "FILE [[dev] DEV]": the file read, its device settled. */
static int file_args(struct args *a, const char **name, struct conf *c)
{
	const char *ifname = NULL;
	int ret;

	if (args_value(a, "config", name) || parse_dev_filter(a, &ifname))
		return EXIT_USAGE;
	ret = conf_read(*name, c);
	if (ret)
		return ret;
	if (ifname && c->ifname[0] && strcmp(ifname, c->ifname))
		return usage_error("%s is for dev %s, not %s", *name, c->ifname, ifname);
	if (ifname)
		snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	if (!c->ifname[0])
		return usage_error("%s names no device: add \"dev NAME\" to it, or give it here",
				   *name);
	return 0;
}

static int config_check(struct args *a)
{
	struct conf file = { .n = 0 };
	const char *name;
	int ret = file_args(a, &name, &file);

	conf_free(&file);
	return ret;
}

static int config_apply(struct args *a)
{
	struct conf file = { .n = 0 }, run = { .n = 0 };
	struct plan plan = { .n = 0 };
	const char *name;
	int ret;

	ret = file_args(a, &name, &file);
	if (!ret)
		ret = conf_running(file.ifname, &run);
	if (!ret) {
		plan_make(&plan, &run, &file);
		ret = plan_run(&plan, name, &run);
	}
	free(plan.v);
	conf_free(&run);
	conf_free(&file);
	return ret;
}

static int dump_one(const struct dev_ref *dev, void *data)
{
	struct conf c = { .n = 0 };
	int ret = conf_running(dev->ifname, &c);

	if (!ret) {
		if (*(bool *)data)
			putchar('\n');
		conf_print(&c);
		*(bool *)data = true;
	}
	conf_free(&c);
	return ret;
}

static int config_dump(struct args *a)
{
	const char *ifname = NULL;
	bool printed = false;

	if (parse_dev_filter(a, &ifname))
		return EXIT_USAGE;
	if (opt_json)
		return usage_error("config dump prints aftrctl.conf(5), not JSON");
	return for_each_dev(ifname, NULL, dump_one, &printed);
}

static const struct command commands[] = {
	{ "dump", config_dump },
	{ "apply", config_apply },
	{ "check", config_check },
	{ "help", NULL },
};

int do_config(struct args *a)
{
	return run_command(a, commands, ARRAY_SIZE(commands), "config command", usage);
}
