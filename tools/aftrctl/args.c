// SPDX-License-Identifier: GPL-2.0
/*
 * Command words: keyword lookup by unambiguous prefix, and parsers that
 * validate every value before anything is sent to the kernel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aftrctl.h"

const char *args_peek(const struct args *a)
{
	return a->argc > 0 ? a->argv[0] : NULL;
}

const char *args_next(struct args *a)
{
	if (a->argc <= 0)
		return NULL;
	a->argc--;
	return *a->argv++;
}

/* The value that must follow a keyword. */
int args_value(struct args *a, const char *keyword, const char **val)
{
	*val = args_next(a);
	if (!*val)
		return usage_error("\"%s\" needs a value", keyword);
	return 0;
}

/* A word holding ':', '.' or '/' is an address or prefix, never a keyword. */
bool is_address(const char *word)
{
	return strpbrk(word, ":./") != NULL;
}

/*
 * Index of @word in a table of structs whose first member is the name, by
 * exact match or else unambiguous prefix; -1 (with the error printed) if
 * none or several entries match.
 */
int lookup(const char *word, const void *table, size_t n, size_t stride, const char *what)
{
	size_t len = strlen(word), i;
	int found = -1, count = 0;
	char cands[256] = "";

	for (i = 0; i < n; i++) {
		const char *name = *(const char *const *)((const char *)table + i * stride);

		if (strcmp(word, name) == 0)
			return (int)i;
		if (len && strncmp(word, name, len) == 0) {
			size_t used = strlen(cands);

			snprintf(cands + used, sizeof(cands) - used, "%s\"%s\"",
				 count ? ", " : "", name);
			found = (int)i;
			count++;
		}
	}
	if (count == 1)
		return found;
	if (count > 1)
		usage_error("%s \"%s\" is ambiguous: %s", what, word, cands);
	else
		usage_error("unknown %s \"%s\"", what, word);
	return -1;
}

/* Long forms of commands, as ip(8) takes them: "delete" is "del". */
static const struct {
	const char *name, *to;
} aliases[] = {
	{ "delete", "del" },
};

/*
 * The command of @cmds that @word names as an alias (the long form or a
 * prefix of it longer than the short form), or else @word itself.
 */
static const char *unalias(const char *word, const struct command *cmds, size_t n)
{
	size_t len = strlen(word), i, j;

	for (i = 0; i < ARRAY_SIZE(aliases); i++) {
		if (len <= strlen(aliases[i].to) || strncmp(word, aliases[i].name, len))
			continue;
		for (j = 0; j < n; j++) {
			if (!strcmp(cmds[j].name, aliases[i].to))
				return cmds[j].name;
		}
	}
	return word;
}

/* The command @a names (the first of @cmds when none does), or its help. */
int run_command(struct args *a, const struct command *cmds, size_t n, const char *what,
		void (*usage)(void))
{
	const char *word = args_next(a);
	int i = 0;

	if (word) {
		i = lookup(unalias(word, cmds, n), &cmds[0].name, n, sizeof(cmds[0]), what);
		if (i < 0)
			return EXIT_USAGE;
	}
	if (!cmds[i].fn) {
		usage();
		return EXIT_OK;
	}
	return cmds[i].fn(a);
}

/*
 * The keyword @word is of @keywords (by unambiguous prefix); "dev" is read
 * here with its value. And as ip(8) reads "ip link show eth0", a word that
 * is no keyword, no prefix of one and no address (is_address) names the
 * device, if none is named yet. Returns the keyword's index, KW_DEVICE, or
 * -1 after an error.
 */
int args_keyword(struct args *a, const char *word, const char *const *keywords, size_t n,
		 const char **ifname)
{
	size_t len = strlen(word), i;
	bool keyword = false;
	int kw;

	for (i = 0; i < n; i++)
		keyword |= !strncmp(word, keywords[i], len);
	if (!keyword && !is_address(word) && !*ifname)
		return parse_ifname(word, ifname) ? -1 : KW_DEVICE;
	kw = lookup(word, keywords, n, sizeof(*keywords), "keyword");
	if (kw < 0 || strcmp(keywords[kw], "dev"))
		return kw;
	if (*ifname) {
		usage_error("\"dev\" given twice");
		return -1;
	}
	if (args_value(a, "dev", &word) || parse_ifname(word, ifname))
		return -1;
	return KW_DEVICE;
}

static const char *const dev_keyword[] = { "dev" };

/* Arguments of commands whose only keyword is "dev DEV" ("DEV" alone too). */
int parse_dev_filter(struct args *a, const char **ifname)
{
	const char *word;

	while ((word = args_next(a))) {
		if (ARGS_KEYWORD(a, word, dev_keyword, ifname) < 0)
			return -1;
	}
	return 0;
}

int parse_u32(const char *s, uint32_t min, uint32_t max, const char *what, uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno)
		return usage_error("%s \"%s\" is not a number", what, s);
	if (v < min || v > max)
		return usage_error("%s %s out of range [%" PRIu32 ", %" PRIu32 "]",
				   what, s, min, max);
	*out = (uint32_t)v;
	return 0;
}

/* As the kernel's dev_valid_name(): quoted words may hold blanks. */
int parse_ifname(const char *s, const char **out)
{
	if (!*s || strlen(s) >= IF_NAMESIZE || strpbrk(s, "/: \t\r\n\v\f") ||
	    !strcmp(s, ".") || !strcmp(s, ".."))
		return usage_error("\"%s\" is not a valid device name", s);
	*out = s;
	return 0;
}

int parse_addr6(const char *s, const char *what, struct in6_addr *out)
{
	if (inet_pton(AF_INET6, s, out) != 1)
		return usage_error("%s \"%s\" is not an IPv6 address", what, s);
	return 0;
}

/*
 * "ADDR/LEN" or a bare address (a full-length prefix). Host bits must be
 * clear: a typo there would silently match another set of addresses.
 */
static int parse_prefix(const char *s, int family, void *addr, uint8_t *len)
{
	unsigned int bits = family == AF_INET6 ? 128 : 32, i;
	const char *fam = family == AF_INET6 ? "IPv6" : "IPv4";
	const char *slash = strchr(s, '/');
	char buf[INET6_ADDRSTRLEN];
	uint8_t *b = addr;
	uint32_t l = bits;

	if ((slash ? (size_t)(slash - s) : strlen(s)) >= sizeof(buf))
		return usage_error("\"%s\" is not an %s prefix", s, fam);
	snprintf(buf, sizeof(buf), "%.*s", slash ? (int)(slash - s) : (int)strlen(s), s);
	if (inet_pton(family, buf, addr) != 1)
		return usage_error("\"%s\" is not an %s prefix", s, fam);
	if (slash && parse_u32(slash + 1, 0, bits, "prefix length", &l))
		return -1;
	for (i = l; i < bits; i++) {
		if (b[i / 8] & (0x80 >> (i % 8)))
			return usage_error("%s has host bits set beyond /%" PRIu32, s, l);
	}
	*len = (uint8_t)l;
	return 0;
}

int parse_prefix6(const char *s, struct in6_addr *addr, uint8_t *len)
{
	return parse_prefix(s, AF_INET6, addr, len);
}

int parse_prefix4(const char *s, struct in_addr *addr, uint8_t *len)
{
	if (parse_prefix(s, AF_INET, addr, len))
		return -1;
	if (*len < DSLITE_AFTR_MIN_POOL_PREFIX_LEN)
		return usage_error("pool %s is too large: the shortest prefix is /%d",
				   s, DSLITE_AFTR_MIN_POOL_PREFIX_LEN);
	return 0;
}

/* An exempt destination prefix (CGN-8): any length but /0. */
int parse_exempt(const char *s, struct in_addr *addr, uint8_t *len)
{
	if (parse_prefix(s, AF_INET, addr, len))
		return -1;
	if (!*len)
		return usage_error("exempt %s would exempt every destination", s);
	return 0;
}

/*
 * Where no pool may be: addresses no host sends from, and the range
 * DS-Lite keeps for the ends of its softwires (RFC 6333 5.7). The rest
 * of 240.0.0.0/4 is left: Linux routes it as unicast, and some networks
 * number hosts there.
 */
static const struct {
	uint32_t addr;		/* host order */
	uint8_t len;
	const char *name;
} not_pools[] = {
	{ 0x00000000, 8, "\"this network\" 0.0.0.0/8" },
	{ 0x7f000000, 8, "loopback 127.0.0.0/8" },
	{ 0xc0000000, 29, "DS-Lite's own 192.0.0.0/29 (RFC 6333)" },
	{ 0xe0000000, 4, "multicast 224.0.0.0/4" },
	{ 0xffffffff, 32, "the limited broadcast address 255.255.255.255" },
};

/* A pool to add (pool add, det add) holds none of them. */
int check_pool(const char *s, struct in_addr addr, uint8_t len)
{
	uint32_t a = ntohl(addr.s_addr), mask;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(not_pools); i++) {
		mask = ~0U << (32 - (len < not_pools[i].len ? len : not_pools[i].len));
		if (!((a ^ not_pools[i].addr) & mask))
			return usage_error("pool %s overlaps %s: no pool may", s,
					   not_pools[i].name);
	}
	return 0;
}

/*
 * "ADDR4:PORT", the port @min_port to 65535; with @port_optional, "ADDR4"
 * alone too, *port then -1.
 */
int parse_addr_port(const char *s, const char *what, uint32_t min_port, bool port_optional,
		    struct in_addr *addr, int *port)
{
	const char *colon = strrchr(s, ':');
	const char *form = port_optional ? "ADDR4[:PORT]" : "ADDR4:PORT";
	char buf[INET_ADDRSTRLEN];
	uint32_t p;

	*port = -1;
	if ((!colon && !port_optional) ||
	    (colon ? (size_t)(colon - s) : strlen(s)) >= sizeof(buf))
		return usage_error("%s \"%s\" is not %s", what, s, form);
	snprintf(buf, sizeof(buf), "%.*s", colon ? (int)(colon - s) : (int)strlen(s), s);
	if (inet_pton(AF_INET, buf, addr) != 1)
		return usage_error("%s \"%s\" is not %s", what, s, form);
	if (colon && parse_u32(colon + 1, min_port, 65535, "port", &p))
		return -1;
	if (colon)
		*port = (int)p;
	return 0;
}

/* "MIN-MAX", or one port "N". */
int parse_ports(const char *s, uint16_t *min, uint16_t *max)
{
	const char *dash = strchr(s, '-');
	char lo[8];
	uint32_t a, b;

	if (!dash) {
		if (parse_u32(s, 1, 65535, "port", &a))
			return -1;
		b = a;
	} else {
		if ((size_t)(dash - s) >= sizeof(lo))
			return usage_error("\"%s\" is not a port range MIN-MAX", s);
		snprintf(lo, sizeof(lo), "%.*s", (int)(dash - s), s);
		if (parse_u32(lo, 1, 65535, "port", &a) ||
		    parse_u32(dash + 1, 1, 65535, "port", &b))
			return -1;
	}
	if (a > b)
		return usage_error("port range %s is empty (MIN > MAX)", s);
	*min = (uint16_t)a;
	*max = (uint16_t)b;
	return 0;
}

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP },
};

/* A protocol by name (or prefix), or by number as /etc/protocols has it. */
int parse_proto(const char *s, uint8_t *proto)
{
	uint32_t nr;
	int i;

	if (*s >= '0' && *s <= '9') {
		if (parse_u32(s, 0, 255, "protocol", &nr))
			return -1;
		if (!strcmp(proto_name((uint8_t)nr), "unknown"))
			return usage_error("protocol %s is none of tcp (6), udp (17) or icmp (1)",
					   s);
		*proto = (uint8_t)nr;
		return 0;
	}
	i = LOOKUP(s, protos, "protocol");
	if (i < 0)
		return -1;
	*proto = protos[i].proto;
	return 0;
}

/* @a and @b agree in their first @len bits. */
bool prefix_equal(const struct in6_addr *a, const struct in6_addr *b, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		if ((a->s6_addr[i / 8] ^ b->s6_addr[i / 8]) & (0x80 >> (i % 8)))
			return false;
	}
	return true;
}

const char *proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		if (protos[i].proto == proto)
			return protos[i].name;
	}
	return "unknown";
}
