// SPDX-License-Identifier: GPL-2.0
/*
 * genl_fuzz: random requests to the dslite_aftr generic netlink family.
 *
 * Every command (and numbers past the last), with the attributes it takes
 * drawn from a small universe of addresses so that some requests succeed
 * and move the state, then damaged: attributes left out, of the wrong size,
 * oversized, unknown, repeated, nested tens of levels deep, cut off at the
 * end of the message; random netlink flags, genl versions and reserved
 * bytes. Dumps are sometimes abandoned after their first part (the socket
 * is closed, so the kernel must end the dump on its own).
 *
 * The check: a request that is refused, and any request that only reads,
 * changes nothing. The state (the dumps of DEV_GET, POOL_GET, B4_GET,
 * DET_GET, STATIC_GET and BINDING_GET for every instance) is taken after
 * each request that changed it and before the next request that may; a
 * difference blames the requests in between, which are printed. What time
 * alone changes (expiry, hold-down, idle B4s retiring, blocks coming back)
 * is left out of the comparison.
 *
 * The namespace (given with -N, made by fuzz_netlink.sh) holds the
 * instances and their starting configuration. Requests are drawn from the
 * seed only, never from the replies: the same seed sends the same requests.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/dslite_aftr.h>

#include "fuzz.h"

#define MSG_MAX		16384
#define RECV_BUF	8192	/* small: dumps come in several parts */
#define MAX_DEVS	4
#define NCMDS		(DSLITE_AFTR_CMD_MAX + 4)	/* and a few unknown ones */
/* Refused requests looked at together, at least, before a change. */
#define CHECK_BATCH	4

static const char *const cmd_names[NCMDS] = {
	[DSLITE_AFTR_CMD_UNSPEC] = "unspec",
	[DSLITE_AFTR_CMD_DEV_GET] = "dev-get",
	[DSLITE_AFTR_CMD_DEV_SET] = "dev-set",
	[DSLITE_AFTR_CMD_B4_ALLOW] = "b4-allow",
	[DSLITE_AFTR_CMD_B4_DENY] = "b4-deny",
	[DSLITE_AFTR_CMD_B4_GET] = "b4-get",
	[DSLITE_AFTR_CMD_POOL_ADD] = "pool-add",
	[DSLITE_AFTR_CMD_POOL_DEL] = "pool-del",
	[DSLITE_AFTR_CMD_POOL_GET] = "pool-get",
	[DSLITE_AFTR_CMD_BINDING_GET] = "binding-get",
	[DSLITE_AFTR_CMD_BINDING_FLUSH] = "binding-flush",
	[DSLITE_AFTR_CMD_STATS_GET] = "stats-get",
	[DSLITE_AFTR_CMD_DET_ADD] = "det-add",
	[DSLITE_AFTR_CMD_DET_DEL] = "det-del",
	[DSLITE_AFTR_CMD_DET_GET] = "det-get",
	[DSLITE_AFTR_CMD_DET_LOOKUP] = "det-lookup",
	[DSLITE_AFTR_CMD_STATIC_ADD] = "static-add",
	[DSLITE_AFTR_CMD_STATIC_DEL] = "static-del",
	[DSLITE_AFTR_CMD_STATIC_GET] = "static-get",
	[DSLITE_AFTR_CMD_EVENT] = "event",
	[DSLITE_AFTR_CMD_ALLOWED_GET] = "allowed-get",
	[DSLITE_AFTR_CMD_EXEMPT_ADD] = "exempt-add",
	[DSLITE_AFTR_CMD_EXEMPT_DEL] = "exempt-del",
	[DSLITE_AFTR_CMD_EXEMPT_GET] = "exempt-get",
	[DSLITE_AFTR_CMD_EXEMPT_FLUSH] = "exempt-flush",
	[DSLITE_AFTR_CMD_MAX + 1] = "unknown-1",
	[DSLITE_AFTR_CMD_MAX + 2] = "unknown-2",
	[DSLITE_AFTR_CMD_MAX + 3] = "unknown-3",
};

/* The commands whose success may change the state. */
static bool cmd_writes(uint8_t cmd)
{
	switch (cmd) {
	case DSLITE_AFTR_CMD_DEV_SET:
	case DSLITE_AFTR_CMD_B4_ALLOW:
	case DSLITE_AFTR_CMD_B4_DENY:
	case DSLITE_AFTR_CMD_POOL_ADD:
	case DSLITE_AFTR_CMD_POOL_DEL:
	case DSLITE_AFTR_CMD_BINDING_FLUSH:
	case DSLITE_AFTR_CMD_DET_ADD:
	case DSLITE_AFTR_CMD_DET_DEL:
	case DSLITE_AFTR_CMD_STATIC_ADD:
	case DSLITE_AFTR_CMD_STATIC_DEL:
	case DSLITE_AFTR_CMD_EXEMPT_ADD:
	case DSLITE_AFTR_CMD_EXEMPT_DEL:
	case DSLITE_AFTR_CMD_EXEMPT_FLUSH:
		return true;
	}
	return false;
}

static bool cmd_dumps(uint8_t cmd)
{
	switch (cmd) {
	case DSLITE_AFTR_CMD_DEV_GET:
	case DSLITE_AFTR_CMD_B4_GET:
	case DSLITE_AFTR_CMD_POOL_GET:
	case DSLITE_AFTR_CMD_BINDING_GET:
	case DSLITE_AFTR_CMD_DET_GET:
	case DSLITE_AFTR_CMD_STATIC_GET:
	case DSLITE_AFTR_CMD_ALLOWED_GET:
	case DSLITE_AFTR_CMD_EXEMPT_GET:
		return true;
	}
	return false;
}

/*
 * The dumps that make up the state, and what time alone changes in each:
 * attributes left out, and for B4s, those without bindings, which retire
 * once idle for the hold-down time.
 */
static const struct {
	uint8_t cmd;
	uint16_t volatile_attrs[3];
	uint16_t zero_skips;	/* the message is left out when this is 0 */
} state_dumps[] = {
	{ .cmd = DSLITE_AFTR_CMD_DEV_GET, .volatile_attrs = { DSLITE_AFTR_A_B4_COUNT } },
	{ .cmd = DSLITE_AFTR_CMD_POOL_GET,
	  .volatile_attrs = { DSLITE_AFTR_A_B4_COUNT, DSLITE_AFTR_A_BLOCK_COUNT } },
	{ .cmd = DSLITE_AFTR_CMD_B4_GET, .volatile_attrs = { DSLITE_AFTR_A_BLOCK_COUNT },
	  .zero_skips = DSLITE_AFTR_A_BINDING_COUNT },
	{ .cmd = DSLITE_AFTR_CMD_DET_GET, .volatile_attrs = { DSLITE_AFTR_A_B4_COUNT } },
	{ .cmd = DSLITE_AFTR_CMD_STATIC_GET },
	{ .cmd = DSLITE_AFTR_CMD_EXEMPT_GET },
	{ .cmd = DSLITE_AFTR_CMD_BINDING_GET, .volatile_attrs = { DSLITE_AFTR_A_EXPIRES_MS } },
};
#define NDUMPS (sizeof(state_dumps) / sizeof(state_dumps[0]))

/* The state: one digest per instance and dump. */
struct state {
	uint64_t part[MAX_DEVS][NDUMPS];
};

struct fuzz {
	struct rng r;
	struct mnl_socket *nl;
	uint16_t family;
	unsigned int seq;
	char devs[MAX_DEVS][IFNAMSIZ];
	unsigned int ifindex[MAX_DEVS], ndevs;
	/* tallies */
	unsigned long by_cmd[NCMDS], by_errno[200], no_reply, unanswered, dumps_cut;
	unsigned long state_dumps;
	unsigned long checked, unchecked, failures;
	bool verbose;
};

/* --- the socket --- */

static struct mnl_socket *socket_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	struct timeval tv = { .tv_sec = 20 };
	int one = 1;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one)) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

static void socket_renew(struct fuzz *f)
{
	mnl_socket_close(f->nl);
	f->nl = socket_open();
	if (!f->nl) {
		perror("genl_fuzz: socket");
		exit(1);
	}
}

static struct nlmsghdr *request(struct fuzz *f, char *buf, uint16_t type, uint8_t cmd,
				uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = ++f->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = DSLITE_AFTR_GENL_VERSION;
	return nlh;
}

/* What answer() found besides an errno. */
#define ANSWER_NONE	1	/* the request had no answer (none was asked for) */
#define ANSWER_CUT	2	/* the dump was abandoned after its first part */

/*
 * Reads what came back for request @seq, with @cb called on each of its
 * messages, and returns its error (0 for an acknowledgment or the end of a
 * dump). When @sync is not 0, it is a request sent right after @seq that
 * is always answered: if its answer comes before anything of @seq, @seq got
 * no answer, or all of it when @seq was no @dump. With @cut, returns after
 * the first part of a dump.
 */
static int answer(struct fuzz *f, unsigned int seq, unsigned int sync, bool dump, bool cut,
		  void (*cb)(const struct nlmsghdr *nlh, void *data), void *data)
{
	unsigned int portid = mnl_socket_get_portid(f->nl);
	bool seen = false, done = false, synced = !sync;
	char buf[RECV_BUF];
	int result = 0;

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(f->nl, buf, sizeof(buf));
		const struct nlmsghdr *nlh;
		int len = n;

		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			bool end = nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE;

			if (nlh->nlmsg_pid != portid)
				continue;
			if (nlh->nlmsg_seq == sync && nlh->nlmsg_type == NLMSG_ERROR) {
				synced = true;
			} else if (nlh->nlmsg_seq == seq && end) {
				done = true;
				if (nlh->nlmsg_type == NLMSG_ERROR)
					result = ((const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;
			} else if (nlh->nlmsg_seq == seq) {
				seen = true;
				if (cb)
					cb(nlh, data);
			}
		}
		if (done && synced)
			return result;
		/* A dump goes on after the first part; a do-request was over. */
		if (synced && (!seen || !dump))
			return seen ? 0 : ANSWER_NONE;
		if (cut && seen && !done)
			return ANSWER_CUT;
	}
}

/* Sends @nlh; -errno or the number of bytes. */
static int send_msg(struct fuzz *f, const struct nlmsghdr *nlh, size_t len)
{
	return mnl_socket_sendto(f->nl, nlh, len) < 0 ? -errno : 0;
}

static int resolve_family(struct fuzz *f)
{
	char buf[256];
	struct nlmsghdr *nlh = request(f, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
				       NLM_F_REQUEST | NLM_F_ACK);
	char reply[RECV_BUF];
	const struct nlattr *attr;
	ssize_t n;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, DSLITE_AFTR_GENL_NAME);
	if (send_msg(f, nlh, nlh->nlmsg_len))
		return -1;
	n = mnl_socket_recvfrom(f->nl, reply, sizeof(reply));
	if (n <= 0)
		return -1;
	nlh = (struct nlmsghdr *)reply;
	if (nlh->nlmsg_type != GENL_ID_CTRL)
		return -1;
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
			f->family = mnl_attr_get_u16(attr);
	answer(f, nlh->nlmsg_seq, 0, false, false, NULL, NULL);
	return f->family ? 0 : -1;
}

/* --- the state --- */

struct digest {
	uint64_t sum;		/* of the messages' hashes: order does not matter */
	unsigned long msgs;
	bool intr;
	const uint16_t *skip;
	uint16_t zero_skips;
};

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static void digest_msg(const struct nlmsghdr *nlh, void *data)
{
	struct digest *d = data;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	uint64_t h = fnv(&g->cmd, 1, 0xcbf29ce484222325ULL);
	unsigned int i;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		uint16_t type = mnl_attr_get_type(attr);

		if (type == d->zero_skips && mnl_attr_get_payload_len(attr) == 4 &&
		    !mnl_attr_get_u32(attr))
			return;
		for (i = 0; i < 3 && d->skip[i]; i++)
			if (d->skip[i] == type)
				break;
		if (i < 3 && d->skip[i])
			continue;
		h = fnv(attr, attr->nla_len, h);
	}
	d->sum += h;
	d->msgs++;
}

/* Takes the state into @st; false when a dump failed. */
static bool state(struct fuzz *f, struct state *st)
{
	char buf[256];
	unsigned int d, i, tries;
	int err;

	f->state_dumps++;
	for (d = 0; d < f->ndevs; d++) {
		for (i = 0; i < NDUMPS; i++) {
			struct digest dg;

			for (tries = 0; tries < 10; tries++) {
				struct nlmsghdr *nlh = request(f, buf, f->family, state_dumps[i].cmd,
							       NLM_F_REQUEST | NLM_F_DUMP);

				dg = (struct digest){ .skip = state_dumps[i].volatile_attrs,
						      .zero_skips = state_dumps[i].zero_skips };
				mnl_attr_put_u32(nlh, DSLITE_AFTR_A_IFINDEX, f->ifindex[d]);
				if (send_msg(f, nlh, nlh->nlmsg_len))
					return false;
				err = answer(f, nlh->nlmsg_seq, 0, true, false, digest_msg, &dg);
				if (err) {
					fprintf(stderr, "genl_fuzz: state dump %s: %s\n",
						cmd_names[state_dumps[i].cmd], strerror(-err));
					return false;
				}
				if (!dg.intr)
					break;
			}
			st->part[d][i] = fnv(&dg.sum, sizeof(dg.sum),
					     fnv(&dg.msgs, sizeof(dg.msgs), 0xcbf29ce484222325ULL));
		}
	}
	return true;
}

/* Compares @now with @known, saying which dumps differ; true when equal. */
static bool state_same(struct fuzz *f, const struct state *known, const struct state *now)
{
	unsigned int d, i;
	bool same = true;

	for (d = 0; d < f->ndevs; d++) {
		for (i = 0; i < NDUMPS; i++) {
			if (known->part[d][i] == now->part[d][i])
				continue;
			printf("  %s of %s differs\n", cmd_names[state_dumps[i].cmd], f->devs[d]);
			same = false;
		}
	}
	return same;
}

/* --- the requests --- */

/* Addresses from a small universe, so that requests meet existing objects. */
static void b4_prefix_addr(struct rng *r, uint8_t *a, uint8_t *len)
{
	static const uint8_t lens[] = { 40, 48, 56, 64, 128, 0, 32, 127 };

	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[4] = 0x01;
	a[5] = rng_below(r, 4);
	*len = lens[rng_below(r, rng_percent(r, 80) ? 4 : sizeof(lens))];
	if (*len == 128)
		a[15] = rng_below(r, 8);
	if (rng_percent(r, 5))
		a[15] |= 1;	/* host bits */
}

static void b4_host_addr(struct rng *r, uint8_t *a)
{
	uint8_t len;

	b4_prefix_addr(r, a, &len);
	a[15] = 1 + rng_below(r, 8);
}

static uint32_t pool_addr(struct rng *r, uint8_t *len)
{
	static const uint8_t lens[] = { 28, 29, 30, 32, 20, 24, 19, 33 };

	*len = lens[rng_below(r, rng_percent(r, 85) ? 4 : sizeof(lens))];
	return htonl(0xc6336400 | (rng_below(r, 4) << 4) | (rng_percent(r, 5) ? 1 : 0));
}

static void put_prefix6(struct nlmsghdr *nlh, struct rng *r, uint16_t type)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	uint8_t a[16], len;

	b4_prefix_addr(r, a, &len);
	if (!rng_percent(r, 5))
		mnl_attr_put(nlh, DSLITE_AFTR_PREFIX_A_ADDR6, 16, a);
	if (!rng_percent(r, 5))
		mnl_attr_put_u8(nlh, DSLITE_AFTR_PREFIX_A_LEN, len);
	if (rng_percent(r, 3))
		mnl_attr_put_u32(nlh, DSLITE_AFTR_PREFIX_A_ADDR4, rng_next(r));
	mnl_attr_nest_end(nlh, nest);
}

static void put_prefix4(struct nlmsghdr *nlh, struct rng *r, uint16_t type)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	uint8_t len;
	uint32_t a = pool_addr(r, &len);

	if (!rng_percent(r, 5))
		mnl_attr_put(nlh, DSLITE_AFTR_PREFIX_A_ADDR4, 4, &a);
	if (!rng_percent(r, 5))
		mnl_attr_put_u8(nlh, DSLITE_AFTR_PREFIX_A_LEN, len);
	mnl_attr_nest_end(nlh, nest);
}

static void put_endpoints(struct nlmsghdr *nlh, struct rng *r)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, DSLITE_AFTR_A_ENDPOINTS);
	unsigned int n = rng_below(r, rng_percent(r, 90) ? 3 : DSLITE_AFTR_MAX_ENDPOINTS + 3), i;
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	for (i = 0; i < n; i++) {
		a[15] = 1 + rng_below(r, 4);
		mnl_attr_put(nlh, i + 1, 16, a);
	}
	mnl_attr_nest_end(nlh, nest);
}

static void put_u32_attr(struct nlmsghdr *nlh, struct rng *r, uint16_t type)
{
	static const uint32_t v[] = { 0, 1, 7, 8, 60, 64, 120, 300, 4096, 4097, 65535,
				      DSLITE_AFTR_MAX_TIMEOUT, DSLITE_AFTR_MAX_TIMEOUT + 1,
				      0xffffffff };

	mnl_attr_put_u32(nlh, type, rng_percent(r, 70) ? v[rng_below(r, sizeof(v) / 4)] :
				    (uint32_t)rng_next(r));
}

static void put_port(struct nlmsghdr *nlh, struct rng *r, uint16_t type)
{
	mnl_attr_put_u16(nlh, type, rng_percent(r, 80) ? 1024 + 64 * rng_below(r, 16) :
				    rng_below(r, 65536));
}

/* PORT_MIN and PORT_MAX, @percent of the time. */
static void put_port_range(struct nlmsghdr *nlh, struct rng *r, unsigned int percent)
{
	if (rng_percent(r, percent)) {
		put_port(nlh, r, DSLITE_AFTR_A_PORT_MIN);
		put_port(nlh, r, DSLITE_AFTR_A_PORT_MAX);
	}
}

static void put_proto(struct nlmsghdr *nlh, struct rng *r)
{
	static const uint8_t p[] = { 6, 17, 1, 0, 58, 255 };

	mnl_attr_put_u8(nlh, DSLITE_AFTR_A_PROTO, p[rng_below(r, rng_percent(r, 90) ? 3 : 6)]);
}

static void put_addr4(struct nlmsghdr *nlh, struct rng *r, uint16_t type, bool pool)
{
	uint8_t len;
	uint32_t a = pool ? pool_addr(r, &len) | htonl(rng_below(r, 16)) :
			    htonl(0xc0a80100 | rng_below(r, 8));

	mnl_attr_put(nlh, type, 4, &a);
}

/* The attributes @cmd takes, with values from the universe. */
static void put_cmd_attrs(struct nlmsghdr *nlh, struct rng *r, uint8_t cmd)
{
	static const uint16_t tunables[] = {
		DSLITE_AFTR_A_TIMEOUT_UDP, DSLITE_AFTR_A_TIMEOUT_TCP_EST,
		DSLITE_AFTR_A_TIMEOUT_TCP_TRANS, DSLITE_AFTR_A_TIMEOUT_ICMP,
		DSLITE_AFTR_A_HOLDDOWN, DSLITE_AFTR_A_BLOCK_SIZE, DSLITE_AFTR_A_MAX_BLOCKS,
		DSLITE_AFTR_A_MAX_BINDINGS, DSLITE_AFTR_A_MAX_NEW_RATE,
		DSLITE_AFTR_A_MAX_SUBSCRIBERS, DSLITE_AFTR_A_MAX_NEW_SUBSCRIBERS,
		DSLITE_AFTR_A_ICMP_RATE, DSLITE_AFTR_A_ICMP_BURST,
	};
	uint8_t a[16];
	unsigned int i;

	switch (cmd) {
	case DSLITE_AFTR_CMD_DEV_SET:
		for (i = 0; i < sizeof(tunables) / sizeof(tunables[0]); i++)
			if (rng_percent(r, 25))
				put_u32_attr(nlh, r, tunables[i]);
		if (rng_percent(r, 20))
			put_endpoints(nlh, r);
		if (rng_percent(r, 15))
			mnl_attr_put_u8(nlh, DSLITE_AFTR_A_EVENTS_BINDINGS, rng_below(r, 3));
		if (rng_percent(r, 15))
			mnl_attr_put_u8(nlh, DSLITE_AFTR_A_SUBSCRIBER_LEN, rng_below(r, 130));
		if (rng_percent(r, 15))
			mnl_attr_put_u16(nlh, DSLITE_AFTR_A_MSS_CLAMP, rng_below(r, 1500));
		if (rng_percent(r, 15))
			mnl_attr_put_u8(nlh, DSLITE_AFTR_A_DSCP, rng_below(r, 3));
		if (rng_percent(r, 15))
			mnl_attr_put_u8(nlh, DSLITE_AFTR_A_FRAG, rng_below(r, 3));
		if (rng_percent(r, 15))
			mnl_attr_put_u8(nlh, DSLITE_AFTR_A_FILTERING, rng_below(r, 4));
		break;
	case DSLITE_AFTR_CMD_B4_ALLOW:
	case DSLITE_AFTR_CMD_B4_DENY:
		put_prefix6(nlh, r, DSLITE_AFTR_A_PREFIX);
		break;
	case DSLITE_AFTR_CMD_POOL_ADD:
		put_port_range(nlh, r, 50);
		/* fall through */
	case DSLITE_AFTR_CMD_POOL_DEL:
	case DSLITE_AFTR_CMD_EXEMPT_ADD:
	case DSLITE_AFTR_CMD_EXEMPT_DEL:
		put_prefix4(nlh, r, DSLITE_AFTR_A_PREFIX);
		break;
	case DSLITE_AFTR_CMD_BINDING_GET:
	case DSLITE_AFTR_CMD_BINDING_FLUSH:
		if (rng_percent(r, 40)) {
			b4_host_addr(r, a);
			mnl_attr_put(nlh, DSLITE_AFTR_A_B4_ADDR, 16, a);
		}
		if (rng_percent(r, 40))
			put_proto(nlh, r);
		break;
	case DSLITE_AFTR_CMD_DET_ADD:
		mnl_attr_put_u8(nlh, DSLITE_AFTR_A_B4_LEN, 48 + rng_below(r, 24));
		put_port_range(nlh, r, 40);
		put_prefix4(nlh, r, DSLITE_AFTR_A_PREFIX);
		/* fall through */
	case DSLITE_AFTR_CMD_DET_DEL:
		put_prefix6(nlh, r, DSLITE_AFTR_A_B4_PREFIX);
		break;
	case DSLITE_AFTR_CMD_DET_LOOKUP:
		if (rng_percent(r, 50)) {
			b4_host_addr(r, a);
			mnl_attr_put(nlh, DSLITE_AFTR_A_B4_ADDR, 16, a);
		} else {
			put_addr4(nlh, r, DSLITE_AFTR_A_OUTER_ADDR, true);
			put_port(nlh, r, DSLITE_AFTR_A_OUTER_PORT);
		}
		break;
	case DSLITE_AFTR_CMD_STATIC_ADD:
		b4_host_addr(r, a);
		mnl_attr_put(nlh, DSLITE_AFTR_A_B4_ADDR, 16, a);
		put_addr4(nlh, r, DSLITE_AFTR_A_INNER_ADDR, false);
		put_port(nlh, r, DSLITE_AFTR_A_INNER_PORT);
		/* fall through */
	case DSLITE_AFTR_CMD_STATIC_DEL:
		put_proto(nlh, r);
		put_addr4(nlh, r, DSLITE_AFTR_A_OUTER_ADDR, true);
		put_port(nlh, r, DSLITE_AFTR_A_OUTER_PORT);
		break;
	}
}

/* Attributes of any type and size, some nested deeper than any policy goes. */
static void put_junk(struct nlmsghdr *nlh, struct rng *r, unsigned int room)
{
	uint8_t data[4096];
	uint16_t type = rng_below(r, DSLITE_AFTR_A_MAX + 8);
	unsigned int depth, i, len;
	struct nlattr *nest[64];

	if (rng_percent(r, 30))
		type |= rng_percent(r, 50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
	switch (rng_below(r, 4)) {
	case 0:		/* deeply nested */
		depth = 1 + rng_below(r, 48);
		if (room < depth * 4 + 64)
			return;
		for (i = 0; i < depth; i++)
			nest[i] = mnl_attr_nest_start(nlh, i ? rng_below(r, 6) : type);
		mnl_attr_put_u32(nlh, rng_below(r, 6), rng_next(r));
		while (depth--)
			mnl_attr_nest_end(nlh, nest[depth]);
		return;
	case 1:		/* oversized */
		len = 64 + rng_below(r, 3000);
		break;
	default:	/* a size no type has, or any */
		len = (const unsigned int[]){ 0, 1, 2, 3, 5, 6, 7, 9, 15, 17, 20, 33 }[rng_below(r, 12)];
	}
	if (len + 64 > room)
		return;
	rng_bytes(r, data, len);
	mnl_attr_put(nlh, type, len, data);
}

static void put_ident(struct fuzz *f, struct nlmsghdr *nlh, struct rng *r)
{
	unsigned int d = rng_below(r, f->ndevs);
	char name[64];

	switch (rng_below(r, 10)) {
	case 0:		/* none */
		break;
	case 1:		/* both, disagreeing */
		mnl_attr_put_u32(nlh, DSLITE_AFTR_A_IFINDEX, f->ifindex[d]);
		mnl_attr_put_strz(nlh, DSLITE_AFTR_A_IFNAME, f->devs[(d + 1) % f->ndevs]);
		break;
	case 2:		/* a device of another kind, or none */
		mnl_attr_put_u32(nlh, DSLITE_AFTR_A_IFINDEX,
				 rng_percent(r, 50) ? 1u : (uint32_t)rng_next(r));
		break;
	case 3:		/* a name too long, or not terminated */
		memset(name, 'a' + rng_below(r, 26), sizeof(name));
		mnl_attr_put(nlh, DSLITE_AFTR_A_IFNAME, rng_below(r, sizeof(name)), name);
		break;
	case 4: case 5:
		mnl_attr_put_strz(nlh, DSLITE_AFTR_A_IFNAME, f->devs[d]);
		break;
	default:
		mnl_attr_put_u32(nlh, DSLITE_AFTR_A_IFINDEX, f->ifindex[d]);
	}
}

struct sent {
	uint8_t cmd;
	uint16_t flags;
	bool dump, writes;
};

/* One request drawn from the seed, into @buf; its length. */
static size_t draw(struct fuzz *f, char *buf, struct sent *s)
{
	struct rng *r = &f->r;
	/* Mostly the family's commands, so that most requests reach our code. */
	uint8_t cmd = rng_percent(r, 90) ? 1 + rng_below(r, DSLITE_AFTR_CMD_EVENT - 1) :
					   rng_below(r, NCMDS);
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	unsigned int n, i;
	size_t len;

	if (rng_percent(r, cmd_dumps(cmd) ? 50 : 3))
		flags |= NLM_F_DUMP;
	if (rng_percent(r, 10))
		flags ^= 1u << rng_below(r, 12);	/* any flag, REQUEST and ACK too */
	nlh = request(f, buf, f->family, cmd, flags);
	g = mnl_nlmsg_get_payload(nlh);
	if (rng_percent(r, 3))
		g->version = rng_below(r, 256);
	if (rng_percent(r, 3))
		g->reserved = rng_below(r, 65536);
	if (rng_percent(r, 2))
		nlh->nlmsg_type = rng_below(r, 65536);	/* another family, or none */
	put_ident(f, nlh, r);
	put_cmd_attrs(nlh, r, rng_percent(r, 90) ? cmd : rng_below(r, NCMDS));
	/* Damage: attributes left out, repeated, resized; junk added. */
	if (rng_percent(r, 40)) {
		struct nlattr *attr, *attrs[64];
		uint16_t lens[64];	/* before the damage, which may hit them */
		unsigned int k;

		n = 0;
		mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
			if (n < 64) {
				lens[n] = attr->nla_len;
				attrs[n++] = attr;
			}
		for (i = 0; n && i < 1 + rng_below(r, 3); i++) {
			k = rng_below(r, n);
			attr = attrs[k];
			switch (rng_below(r, 3)) {
			case 0:		/* flags on the type */
				attr->nla_type ^= rng_percent(r, 50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
				break;
			case 1:		/* another type */
				attr->nla_type = rng_below(r, DSLITE_AFTR_A_MAX + 4);
				break;
			default:	/* a byte changed */
				((uint8_t *)attr)[rng_below(r, lens[k])] ^= 1 << rng_below(r, 8);
			}
		}
	}
	n = rng_percent(r, 50) ? 0 : 1 + rng_below(r, 4);
	for (i = 0; i < n; i++)
		put_junk(nlh, r, MSG_MAX - nlh->nlmsg_len);
	len = nlh->nlmsg_len;
	if (rng_percent(r, 3)) {	/* cut off, the header telling or not */
		len = sizeof(*nlh) + rng_below(r, len - sizeof(*nlh) + 1);
		if (rng_percent(r, 50))
			nlh->nlmsg_len = len;
	}
	s->cmd = cmd;
	s->flags = flags;
	s->dump = (flags & NLM_F_DUMP) == NLM_F_DUMP && (flags & NLM_F_REQUEST);
	s->writes = cmd_writes(cmd) && !s->dump;
	return len;
}

/*
 * Sends one request and settles its answer: its error, 0, or ANSWER_*.
 * Without NLM_F_ACK (or NLM_F_REQUEST) a request may go unanswered, so a
 * request that is always answered follows it.
 */
static int transact(struct fuzz *f, const char *buf, size_t len, const struct sent *s)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	bool cut = s->dump && rng_percent(&f->r, 40);
	struct nlmsghdr *sync;
	char sbuf[256];
	int err;

	sync = request(f, sbuf, f->family, DSLITE_AFTR_CMD_DEV_GET, NLM_F_REQUEST | NLM_F_ACK);
	mnl_attr_put_u32(sync, DSLITE_AFTR_A_IFINDEX, f->ifindex[0]);
	err = send_msg(f, nlh, len);
	if (err)
		return err;
	if (send_msg(f, sync, sync->nlmsg_len))
		return -EIO;
	err = answer(f, nlh->nlmsg_seq, sync->nlmsg_seq, s->dump, cut, NULL, NULL);
	/* Abandoned, or stuck: start afresh (the kernel ends the dump). */
	if (err == ANSWER_CUT || err == -ETIMEDOUT)
		socket_renew(f);
	return err;
}

/* --- the run --- */

static void usage(void)
{
	fputs("usage: genl_fuzz -N NETNS -d DEV [-d DEV...] [-s SEED] [-n MESSAGES] [-v]\n"
	      "Sends MESSAGES (default 10000) requests drawn from SEED (default 1) to the\n"
	      "instances DEV in NETNS; fails when a refused or read-only request changed\n"
	      "the state. Prints the requests by command and the replies by errno.\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static struct fuzz fz;
	static char buf[MSG_MAX];
	struct fuzz *f = &fz;
	unsigned long long seed = 1;
	unsigned long limit = 10000, i, first_unchecked = 0, unchecked = 0;
	struct tally t[NCMDS + 203];
	const char *netns = NULL;
	char names[200][16];
	struct state known, now;
	double start, took;
	struct sent s;
	int c, err;

	while ((c = getopt(argc, argv, "N:d:s:n:v")) != -1) {
		switch (c) {
		case 'N': netns = optarg; break;
		case 'd':
			if (f->ndevs == MAX_DEVS)
				usage();
			snprintf(f->devs[f->ndevs++], IFNAMSIZ, "%s", optarg);
			break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': limit = strtoul(optarg, NULL, 0); break;
		case 'v': f->verbose = true; break;
		default: usage();
		}
	}
	if (!netns || !f->ndevs)
		usage();
	if (netns_enter(netns)) {
		fprintf(stderr, "genl_fuzz: namespace %s: %m\n", netns);
		return 1;
	}
	for (i = 0; i < f->ndevs; i++) {
		f->ifindex[i] = if_nametoindex(f->devs[i]);
		if (!f->ifindex[i]) {
			fprintf(stderr, "genl_fuzz: no device %s\n", f->devs[i]);
			return 1;
		}
	}
	f->nl = socket_open();
	if (!f->nl || resolve_family(f)) {
		fprintf(stderr, "genl_fuzz: family %s not found\n", DSLITE_AFTR_GENL_NAME);
		return 1;
	}
	rng_seed(&f->r, seed, 0);
	printf("genl_fuzz: seed %llu, %lu requests\n", seed, limit);
	fflush(stdout);

	start = now_seconds();
	if (!state(f, &known))
		return 1;
	for (i = 0; i < limit; i++) {
		size_t len = draw(f, buf, &s);

		/*
		 * The requests since the last look must have changed nothing:
		 * looked at before a request that may change the state (after a
		 * few, to save dumps) or after many.
		 */
		if ((s.writes && unchecked >= CHECK_BATCH) || unchecked >= 256) {
			if (!state(f, &now))
				return 1;
			f->checked += unchecked;
			if (!state_same(f, &known, &now)) {
				printf("FAIL: the state changed over requests %lu-%lu, each refused "
				       "or read-only (rerun with -s %llu -n %lu -v)\n",
				       first_unchecked, i - 1, seed, i);
				f->failures++;
				known = now;
			}
			unchecked = 0;
		}
		f->by_cmd[s.cmd]++;
		took = now_seconds();
		err = transact(f, buf, len, &s);
		took = now_seconds() - took;
		if (f->verbose || took > 1)
			printf("#%lu %s flags %#x: %d%s (%.2f s)\n", i, cmd_names[s.cmd], s.flags,
			       err, took > 1 ? " slow" : "", took);
		if (err == -ETIMEDOUT)
			f->no_reply++;
		else if (err == ANSWER_NONE)
			f->unanswered++;
		else if (err == ANSWER_CUT)
			f->dumps_cut++;
		else if (-err >= 0 && -err < 200)
			f->by_errno[-err]++;
		if (s.writes && (err == 0 || err == ANSWER_NONE)) {
			/* It may have changed the state: the new reference. */
			f->unchecked += unchecked;
			unchecked = 0;
			if (!state(f, &known))
				return 1;
		} else {
			if (!unchecked)
				first_unchecked = i;
			unchecked++;
		}
		if ((i + 1) % 10000 == 0) {
			printf("genl_fuzz: %lu sent\n", i + 1);
			fflush(stdout);
		}
	}
	if (unchecked) {
		if (!state(f, &now))
			return 1;
		if (!state_same(f, &known, &now)) {
			printf("FAIL: the state changed over requests %lu-%lu, each refused or "
			       "read-only (rerun with -s %llu -n %lu -v)\n", first_unchecked,
			       limit - 1, seed, limit);
			f->failures++;
		}
		f->checked += unchecked;
	}
	took = now_seconds() - start;

	for (i = 0; i < NCMDS; i++)
		t[i] = (struct tally){ cmd_names[i], f->by_cmd[i] };
	tally_print("requests by command:", t, NCMDS);
	for (i = 0; i < 200; i++) {
		if (i)
			snprintf(names[i], sizeof(names[i]), "%s", strerrorname_np(i) ?: "?");
		else
			snprintf(names[i], sizeof(names[i]), "ok");
		t[i] = (struct tally){ names[i], f->by_errno[i] };
	}
	t[200] = (struct tally){ "none (no ACK asked)", f->unanswered };
	t[201] = (struct tally){ "dump abandoned", f->dumps_cut };
	t[202] = (struct tally){ "timed out", f->no_reply };
	tally_print("replies by errno:", t, 203);
	printf("requests %lu state-dumps %lu refused-or-read-only: checked %lu, unchecked %lu "
	       "(followed by a change); failures %lu seconds %.1f rate %.0f\n", limit,
	       f->state_dumps, f->checked, f->unchecked, f->failures, took,
	       took > 0 ? limit / took : 0);
	return f->failures ? 1 : 0;
}
