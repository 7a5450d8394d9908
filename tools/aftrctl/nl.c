// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing: resolve the family once, send one request,
 * hand each validated reply to a callback as it arrives, and turn errors
 * (with the kernel's extack message) into "Error:" lines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>

#include "aftrctl.h"

static struct mnl_socket *sock;
static uint16_t family;
static uint32_t events_group;	/* 0: the kernel offers no events group */
static uint32_t seq;
/* Requests are small; dump replies come in skbs of up to 32 KiB. */
#define REQ_SIZE	4096
#define RECV_SIZE	32768

static char req_buf[REQ_SIZE];

/* What one request ended with. */
static struct {
	int err;			/* positive errno, 0 if none */
	char msg[256];			/* extack message, "" if none */
	bool intr;			/* a dump was interrupted */
	const char *end;		/* of the reply being read */
	nl_msg_cb cb;
	void *data;
} talk;

/* Payload length each attribute must have; 0 = a nest, -1 = a string. */
static const int attr_len[DSLITE_AFTR_A_MAX + 1] = {
	[DSLITE_AFTR_A_IFINDEX] = 4,
	[DSLITE_AFTR_A_IFNAME] = -1,
	[DSLITE_AFTR_A_TIMEOUT_UDP] = 4,
	[DSLITE_AFTR_A_TIMEOUT_TCP_EST] = 4,
	[DSLITE_AFTR_A_TIMEOUT_TCP_TRANS] = 4,
	[DSLITE_AFTR_A_TIMEOUT_ICMP] = 4,
	[DSLITE_AFTR_A_HOLDDOWN] = 4,
	[DSLITE_AFTR_A_BLOCK_SIZE] = 4,
	[DSLITE_AFTR_A_MAX_BLOCKS] = 4,
	[DSLITE_AFTR_A_MAX_BINDINGS] = 4,
	[DSLITE_AFTR_A_MAX_NEW_RATE] = 4,
	[DSLITE_AFTR_A_PORT_MIN] = 2,
	[DSLITE_AFTR_A_PORT_MAX] = 2,
	[DSLITE_AFTR_A_B4_ADDR] = 16,
	[DSLITE_AFTR_A_ENDPOINT] = 16,
	[DSLITE_AFTR_A_PROTO] = 1,
	[DSLITE_AFTR_A_INNER_ADDR] = 4,
	[DSLITE_AFTR_A_INNER_PORT] = 2,
	[DSLITE_AFTR_A_OUTER_ADDR] = 4,
	[DSLITE_AFTR_A_OUTER_PORT] = 2,
	[DSLITE_AFTR_A_STATE] = 1,
	[DSLITE_AFTR_A_EXPIRES_MS] = 4,
	[DSLITE_AFTR_A_B4_COUNT] = 4,
	[DSLITE_AFTR_A_BINDING_COUNT] = 4,
	[DSLITE_AFTR_A_POOL_COUNT] = 4,
	[DSLITE_AFTR_A_BLOCK_COUNT] = 4,
	[DSLITE_AFTR_A_BLOCK_TOTAL] = 4,
	[DSLITE_AFTR_A_EVENTS_BINDINGS] = 1,
	[DSLITE_AFTR_A_B4_PREFIX] = 0,
	[DSLITE_AFTR_A_B4_LEN] = 1,
	[DSLITE_AFTR_A_B4_PER_ADDR] = 4,
	[DSLITE_AFTR_A_PORTS_PER_B4] = 4,
	[DSLITE_AFTR_A_EVENT] = 1,
	[DSLITE_AFTR_A_TIMESTAMP_NS] = 8,
	[DSLITE_AFTR_A_SUBSCRIBER_LEN] = 1,
	[DSLITE_AFTR_A_MAX_SUBSCRIBERS] = 4,
	[DSLITE_AFTR_A_MAX_NEW_SUBSCRIBERS] = 4,
	[DSLITE_AFTR_A_ALLOWED_COUNT] = 4,
	[DSLITE_AFTR_A_EVENT_SEQ] = 8,
	[DSLITE_AFTR_A_PORT_RANGE] = 0,
	[DSLITE_AFTR_A_MSS_CLAMP] = 2,
	[DSLITE_AFTR_A_DSCP] = 1,
	[DSLITE_AFTR_A_ICMP_RATE] = 4,
	[DSLITE_AFTR_A_ICMP_BURST] = 4,
	[DSLITE_AFTR_A_FRAG] = 1,
	[DSLITE_AFTR_A_FILTERING] = 1,
};

static const int prefix_attr_len[DSLITE_AFTR_PREFIX_A_MAX + 1] = {
	[DSLITE_AFTR_PREFIX_A_ADDR6] = 16,
	[DSLITE_AFTR_PREFIX_A_ADDR4] = 4,
	[DSLITE_AFTR_PREFIX_A_LEN] = 1,
};

struct parse_ctx {
	const struct nlattr **tb;
	const int *len;
	unsigned int max;
};

/* Attributes newer than this tool are skipped; malformed ones fail the reply. */
static int parse_attr(const struct nlattr *attr, void *data)
{
	const struct parse_ctx *ctx = data;
	unsigned int type = mnl_attr_get_type(attr);
	int want;

	if (type == 0 || type > ctx->max)
		return MNL_CB_OK;
	want = ctx->len[type];
	if (want > 0 && mnl_attr_get_payload_len(attr) != (uint16_t)want)
		goto bad;
	if (want < 0 && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		goto bad;
	if (want == 0 && mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		goto bad;
	/* The first of a list (multi-attr): nl_next_same() finds the others. */
	if (!ctx->tb[type])
		ctx->tb[type] = attr;
	return MNL_CB_OK;
bad:
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

int nl_parse_prefix(const struct nlattr *nest, const struct nlattr **tb)
{
	struct parse_ctx ctx = { tb, prefix_attr_len, DSLITE_AFTR_PREFIX_A_MAX };

	memset(tb, 0, sizeof(*tb) * (DSLITE_AFTR_PREFIX_A_MAX + 1));
	return mnl_attr_parse_nested(nest, parse_attr, &ctx) < 0 ? -1 : 0;
}

int nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb)
{
	struct parse_ctx ctx = { tb, attr_len, DSLITE_AFTR_A_MAX };

	memset(tb, 0, sizeof(*tb) * (DSLITE_AFTR_A_MAX + 1));
	return mnl_attr_parse_nested(nest, parse_attr, &ctx) < 0 ? -1 : 0;
}

const struct nlattr *nl_next_same(const struct nlattr *attr)
{
	const struct nlattr *a = mnl_attr_next(attr);

	for (; mnl_attr_ok(a, (int)(talk.end - (const char *)a)); a = mnl_attr_next(a))
		if (mnl_attr_get_type(a) == mnl_attr_get_type(attr))
			return a;
	return NULL;
}

/* A prefix nest as "ADDR/LEN"; false if it is absent or malformed. */
bool nl_prefix_str(const struct nlattr *nest, char *buf, size_t size)
{
	const struct nlattr *tb[DSLITE_AFTR_PREFIX_A_MAX + 1];
	const struct nlattr *a6, *a4, *len;
	size_t n;

	if (!nest || nl_parse_prefix(nest, tb))
		return false;
	a6 = tb[DSLITE_AFTR_PREFIX_A_ADDR6];
	a4 = tb[DSLITE_AFTR_PREFIX_A_ADDR4];
	len = tb[DSLITE_AFTR_PREFIX_A_LEN];
	if (!len || !(a6 || a4) ||
	    !inet_ntop(a6 ? AF_INET6 : AF_INET, mnl_attr_get_payload(a6 ? a6 : a4), buf,
		       (socklen_t)size))
		return false;
	n = strlen(buf);
	snprintf(buf + n, size - n, "/%u", mnl_attr_get_u8(len));
	return true;
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	(void)data;
	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(talk.msg, sizeof(talk.msg), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static void extack_parse(const struct nlmsghdr *nlh, size_t offset)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    offset > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, (unsigned int)offset, extack_attr, NULL);
}

static int cb_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t offset = sizeof(*e);

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	talk.err = -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	extack_parse(nlh, offset);
	return MNL_CB_STOP;
}

/* A dump ends with an error code, and extack attributes after it. */
static int cb_done(const struct nlmsghdr *nlh, void *data)
{
	int err;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err) {
		talk.err = -err;
		extack_parse(nlh, sizeof(err));
	}
	return MNL_CB_STOP;
}

static int cb_data(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[DSLITE_AFTR_A_MAX + 1] = { NULL };
	struct parse_ctx ctx = { tb, attr_len, DSLITE_AFTR_A_MAX };

	(void)data;
	if ((nlh->nlmsg_flags & NLM_F_DUMP_INTR) && !talk.intr) {
		talk.intr = true;
		warning("the table changed during the dump: output may be inconsistent");
	}
	if (mnl_attr_parse(nlh, GENL_HDRLEN, parse_attr, &ctx) < 0)
		return MNL_CB_ERROR;
	talk.end = (const char *)nlh + nlh->nlmsg_len;
	if (talk.cb && talk.cb(tb, talk.data) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = cb_error,
	[NLMSG_DONE] = cb_done,
};

/* Send and read replies until the ack, the end of the dump, or an error. */
static int exchange(struct nlmsghdr *req, mnl_cb_t cb)
{
	static char buf[RECV_SIZE];
	uint32_t portid = mnl_socket_get_portid(sock);
	ssize_t n;
	int ret;

	req->nlmsg_seq = ++seq;
	talk.err = 0;
	talk.msg[0] = '\0';
	talk.intr = false;
	if (mnl_socket_sendto(sock, req, req->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(sock, buf, sizeof(buf));
		if (n < 0)
			return -1;
		ret = mnl_cb_run2(buf, (size_t)n, seq, portid, cb, NULL,
				  ctl_cbs, ARRAY_SIZE(ctl_cbs));
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		return -1;
	if (talk.err) {
		errno = talk.err;
		return -1;
	}
	return 0;
}

/* One CTRL_ATTR_MCAST_GROUPS entry: keep the id of the events group. */
static void mcast_group(const struct nlattr *grp)
{
	const struct nlattr *attr, *name = NULL, *id = NULL;

	mnl_attr_for_each_nested(attr, grp) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			name = attr;
		else if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			id = attr;
	}
	if (name && id && !strcmp(mnl_attr_get_str(name), DSLITE_AFTR_MCGRP_EVENTS))
		events_group = mnl_attr_get_u32(id);
}

static int cb_family(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr, *grp;

	(void)data;
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			family = mnl_attr_get_u16(attr);
		if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GROUPS &&
		    mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0) {
			mnl_attr_for_each_nested(grp, attr)
				mcast_group(grp);
		}
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *put_header(char *buf, uint16_t type, uint8_t cmd, uint8_t version,
				   uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/* Open the socket and find the family; asking the kernel loads the module. */
static int nl_open(void)
{
	static char buf[MNL_NLMSG_HDRLEN + GENL_HDRLEN + 64];
	static const int one = 1;
	struct nlmsghdr *req;
	int err;

	sock = mnl_socket_open(NETLINK_GENERIC);
	if (!sock)
		return kernel_error("cannot open a generic netlink socket: %s", strerror(errno));
	mnl_socket_setsockopt(sock, NETLINK_EXT_ACK, (void *)&one, sizeof(one));
	mnl_socket_setsockopt(sock, NETLINK_CAP_ACK, (void *)&one, sizeof(one));
	if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;

	req = put_header(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, DSLITE_AFTR_GENL_NAME);
	if (exchange(req, cb_family) == 0) {
		if (family)
			return 0;
		errno = EBADMSG;
	}
fail:
	err = errno;
	nl_close();
	if (err == ENOENT)
		return kernel_error("%s module not loaded (try: modprobe %s)",
				    DSLITE_AFTR_GENL_NAME, DSLITE_AFTR_GENL_NAME);
	return kernel_error("cannot reach the %s family: %s", DSLITE_AFTR_GENL_NAME,
			    strerror(err));
}

void nl_close(void)
{
	if (sock)
		mnl_socket_close(sock);
	sock = NULL;
	family = 0;
	events_group = 0;
}

/* A request to fill with attributes; the family is set when it is sent. */
struct nlmsghdr *nl_request(uint8_t cmd, uint16_t flags)
{
	return put_header(req_buf, 0, cmd, DSLITE_AFTR_GENL_VERSION, flags);
}

void nl_put_dev(struct nlmsghdr *req, uint32_t ifindex, const char *ifname)
{
	if (ifindex)
		mnl_attr_put_u32(req, DSLITE_AFTR_A_IFINDEX, ifindex);
	else
		mnl_attr_put_strz(req, DSLITE_AFTR_A_IFNAME, ifname);
}

/*
 * "[dev] DEV PREFIX", in any order: an IPv6 prefix (@af AF_INET6, allowed
 * B4s) or an IPv4 one (exempt destinations).
 */
int prefix_change(struct args *a, uint8_t cmd, int af)
{
	static const char *const keywords[] = { "dev" };
	const char *word, *ifname = NULL, *prefix = NULL;
	union {
		struct in6_addr v6;
		struct in_addr v4;
	} addr;
	struct nlmsghdr *req;
	struct nlattr *nest;
	uint8_t len;

	while ((word = args_next(a))) {
		if (is_address(word)) {
			if (prefix)
				return usage_error("one prefix at a time (\"%s\")", word);
			if (af == AF_INET6 ? parse_prefix6(word, &addr.v6, &len) :
					     parse_exempt(word, &addr.v4, &len))
				return EXIT_USAGE;
			prefix = word;
		} else if (ARGS_KEYWORD(a, word, keywords, &ifname) < 0) {
			return EXIT_USAGE;
		}
	}
	if (!ifname)
		return usage_error("\"dev DEV\" is needed");
	if (!prefix)
		return usage_error(af == AF_INET6 ? "an IPv6 prefix is needed" :
				   "an IPv4 prefix is needed");
	req = nl_request(cmd, NLM_F_ACK);
	nl_put_dev(req, 0, ifname);
	nest = mnl_attr_nest_start(req, DSLITE_AFTR_A_PREFIX);
	if (af == AF_INET6)
		mnl_attr_put(req, DSLITE_AFTR_PREFIX_A_ADDR6, sizeof(addr.v6), &addr.v6);
	else
		mnl_attr_put(req, DSLITE_AFTR_PREFIX_A_ADDR4, sizeof(addr.v4), &addr.v4);
	mnl_attr_put_u8(req, DSLITE_AFTR_PREFIX_A_LEN, len);
	mnl_attr_nest_end(req, nest);
	return nl_talk(req, NULL, NULL);
}

uint32_t nl_get_uint(const struct nlattr *attr)
{
	switch (mnl_attr_get_payload_len(attr)) {
	case 1:
		return mnl_attr_get_u8(attr);
	case 2:
		return mnl_attr_get_u16(attr);
	}
	return mnl_attr_get_u32(attr);
}

static struct {
	nl_capture_cb cb;
	void *data;
} capture;

void nl_capture(nl_capture_cb cb, void *data)
{
	capture.cb = cb;
	capture.data = data;
}

bool nl_capturing(void)
{
	return capture.cb;
}

static int captured(const struct nlmsghdr *req)
{
	const struct nlattr *tb[DSLITE_AFTR_A_MAX + 1] = { NULL };
	struct parse_ctx ctx = { tb, attr_len, DSLITE_AFTR_A_MAX };
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(req);

	if (mnl_attr_parse(req, GENL_HDRLEN, parse_attr, &ctx) < 0)
		return usage_error("cannot read back our own request");
	return capture.cb(genl->cmd, tb, capture.data) ? EXIT_USAGE : EXIT_OK;
}

/*
 * Run one request; @cb sees each reply's attributes (indexed by enum
 * dslite_aftr_attr) as it arrives. Returns an exit code, error printed.
 */
int nl_talk(struct nlmsghdr *req, nl_msg_cb cb, void *data)
{
	int ret, err;

	if (capture.cb)
		return captured(req);
	if (!sock) {
		ret = nl_open();
		if (ret)
			return ret;
	}
	req->nlmsg_type = family;
	talk.cb = cb;
	talk.data = data;
	if (exchange(req, cb_data) == 0)
		return EXIT_OK;
	err = errno;
	/* Unread replies would confuse the next request: start afresh. */
	if (!talk.err)
		nl_close();
	if (talk.msg[0])
		return kernel_error("%s", talk.msg);
	if (err == EBADMSG)
		return kernel_error("malformed reply from the kernel");
	return kernel_error("%s", strerror(err));
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Waits for an event, running @l->tick each @l->interval_ms meanwhile. */
static int events_wait(struct mnl_socket *ev, const struct nl_listener *l, uint64_t *next)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(ev), .events = POLLIN };
	uint64_t now;
	int n;

	for (;;) {
		now = now_ms();
		if (l->tick && now >= *next) {
			l->tick(l->data);
			*next = now + l->interval_ms;
		}
		n = poll(&pfd, 1, l->tick ? (int)(*next - now) : -1);
		if (n > 0 || (n < 0 && errno != EINTR))
			return n;
	}
}

/*
 * Join the events group and hand each notification to @l->cb, for as long
 * as the socket lives; @l->lost is told each time the kernel dropped some
 * because we read too slowly (ENOBUFS), and reading goes on. Events come on
 * a socket of their own, so that @l->tick may send requests on another.
 * Returns an exit code.
 */
int nl_listen(const struct nl_listener *l)
{
	static char buf[RECV_SIZE];
	struct mnl_socket *ev;
	uint64_t next = 0;
	ssize_t n;
	int ret;

	if (!sock) {
		ret = nl_open();
		if (ret)
			return ret;
	}
	if (!events_group)
		return kernel_error("the %s module sends no events (too old?)",
				    DSLITE_AFTR_GENL_NAME);
	if (mnl_socket_setsockopt(sock, NETLINK_ADD_MEMBERSHIP, &events_group,
				  sizeof(events_group)) < 0)
		return kernel_error("cannot join the events group: %s", strerror(errno));
	/* The socket is the listener's now; a tick's requests open another. */
	ev = sock;
	sock = NULL;
	for (;;) {
		if (events_wait(ev, l, &next) < 0) {
			ret = kernel_error("waiting for events: %s", strerror(errno));
			break;
		}
		n = mnl_socket_recvfrom(ev, buf, sizeof(buf));
		if (n < 0 && errno == ENOBUFS) {
			l->lost(l->data);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = kernel_error("reading events: %s", strerror(errno));
			break;
		}
		talk.cb = l->cb;	/* a tick's request may have changed them */
		talk.data = l->data;
		ret = mnl_cb_run2(buf, (size_t)n, 0, 0, cb_data, NULL, ctl_cbs,
				  ARRAY_SIZE(ctl_cbs));
		if (ret < 0 && errno != EBADMSG) {
			ret = kernel_error("reading events: %s", strerror(errno));
			break;
		}
		if (ret < 0)
			warning("skipped a malformed event");
	}
	mnl_socket_close(ev);
	return ret;
}
