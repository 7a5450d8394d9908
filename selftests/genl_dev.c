// SPDX-License-Identifier: GPL-2.0
/*
 * genl_dev: the generic netlink contract for instances, seen from a raw
 * socket. The family resolves by name (autoloading the module), DEV_GET
 * answers for an instance by index and by name and lists it in a dump, and
 * an unknown instance or a device of another kind is refused with an extack
 * message. Bad configuration (prefix lengths, host bits, port ranges,
 * overlapping pools, out-of-range tunables) is refused with an extack
 * message and changes nothing, not even the valid part of the request.
 * Every test runs in a network namespace of its own.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/dslite_aftr.h>

#include "kselftest_harness.h"

/* Room for any message we send, and for a batch of dump replies. */
#define BUF_SIZE 32768

/* What a request brought back. */
struct reply {
	int error;		/* 0, or the negative errno of the refusal */
	char extack[256];	/* the refusal's message */
	int ndevs;		/* DEV_GET messages seen */
	int nmsgs;		/* messages of any command seen */
	uint32_t ifindex;	/* ... and the attributes of the last one */
	char ifname[IFNAMSIZ];
	uint32_t timeout_udp;
	uint16_t family;	/* CTRL_CMD_GETFAMILY */
};

static int extack_attr(const struct nlattr *attr, void *data)
{
	struct reply *r = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG)
		snprintf(r->extack, sizeof(r->extack), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int on_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct reply *r = data;
	unsigned int off = sizeof(*err);

	r->error = err->error;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, off, extack_attr, r);
	return err->error ? MNL_CB_ERROR : MNL_CB_STOP;
}

/* A dump ends with its error code, and the extack after it. */
static int on_done(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	r->error = err;
	if (err && (nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		mnl_attr_parse(nlh, sizeof(err), extack_attr, r);
	return MNL_CB_STOP;
}

static int dev_attr(const struct nlattr *attr, void *data)
{
	struct reply *r = data;

	switch (mnl_attr_get_type(attr)) {
	case DSLITE_AFTR_A_IFINDEX:
		r->ifindex = mnl_attr_get_u32(attr);
		break;
	case DSLITE_AFTR_A_IFNAME:
		snprintf(r->ifname, sizeof(r->ifname), "%s", mnl_attr_get_str(attr));
		break;
	case DSLITE_AFTR_A_TIMEOUT_UDP:
		r->timeout_udp = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int on_dev(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;

	r->ndevs++;
	return mnl_attr_parse(nlh, GENL_HDRLEN, dev_attr, r);
}

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;

	(void)nlh;
	r->nmsgs++;
	return MNL_CB_OK;
}

static int family_attr(const struct nlattr *attr, void *data)
{
	struct reply *r = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
		r->family = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int on_family(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, GENL_HDRLEN, family_attr, data);
}

/* Sends @nlh and reads replies until the answer is complete. */
static int transact(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		    struct reply *r)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = on_error,
		[NLMSG_DONE] = on_done,
	};
	char buf[BUF_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret;

	memset(r, 0, sizeof(*r));
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(buf, n, nlh->nlmsg_seq, portid, cb, r, ctl,
				  MNL_ARRAY_SIZE(ctl));
	} while (ret == MNL_CB_OK);
	return r->error;
}

static struct nlmsghdr *genl_request(char *buf, uint16_t type, uint8_t cmd,
				     uint8_t version)
{
	static unsigned int seq;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static struct mnl_socket *socket_open(int bus)
{
	struct mnl_socket *nl = mnl_socket_open(bus);
	int one = 1;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one)) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

/* ip link add @name type dslite; returns its ifindex, or 0. */
static unsigned int link_create(const char *name)
{
	char buf[BUF_SIZE];
	struct mnl_socket *nl = socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh;
	struct nlattr *info;
	struct ifinfomsg *ifi;
	struct reply r;
	int err;

	if (!nl)
		return 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = 1;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, DSLITE_AFTR_LINK_KIND);
	mnl_attr_nest_end(nlh, info);
	err = transact(nl, nlh, NULL, &r);
	mnl_socket_close(nl);
	return err ? 0 : if_nametoindex(name);
}

FIXTURE(dev) {
	struct mnl_socket *nl;
	uint16_t family;
	unsigned int ifindex;
	char buf[BUF_SIZE];
	struct reply r;
};

FIXTURE_SETUP(dev)
{
	struct nlmsghdr *nlh;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	self->nl = socket_open(NETLINK_GENERIC);
	ASSERT_NE(NULL, self->nl);

	nlh = genl_request(self->buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, DSLITE_AFTR_GENL_NAME);
	ASSERT_EQ(0, transact(self->nl, nlh, on_family, &self->r))
		TH_LOG("family %s: %s", DSLITE_AFTR_GENL_NAME, strerror(-self->r.error));
	self->family = self->r.family;
	ASSERT_NE(0, self->family);

	self->ifindex = link_create("aftr0");
	ASSERT_NE(0U, self->ifindex);
}

FIXTURE_TEARDOWN(dev)
{
	/* The instance dies with the test's namespace. */
	mnl_socket_close(self->nl);
}

static struct nlmsghdr *dev_get(FIXTURE_DATA(dev) *self)
{
	return genl_request(self->buf, self->family, DSLITE_AFTR_CMD_DEV_GET,
			    DSLITE_AFTR_GENL_VERSION);
}

TEST_F(dev, get_by_ifindex)
{
	struct nlmsghdr *nlh = dev_get(self);

	mnl_attr_put_u32(nlh, DSLITE_AFTR_A_IFINDEX, self->ifindex);
	ASSERT_EQ(0, transact(self->nl, nlh, on_dev, &self->r))
		TH_LOG("refused: %s", self->r.extack);
	EXPECT_EQ(1, self->r.ndevs);
	EXPECT_EQ(self->ifindex, self->r.ifindex);
	EXPECT_STREQ("aftr0", self->r.ifname);
	/* NAT-6: the UDP timeout defaults to 300 s. */
	EXPECT_EQ((uint32_t)DSLITE_AFTR_DEF_TIMEOUT_UDP, self->r.timeout_udp);
}

TEST_F(dev, get_by_name)
{
	struct nlmsghdr *nlh = dev_get(self);

	mnl_attr_put_strz(nlh, DSLITE_AFTR_A_IFNAME, "aftr0");
	ASSERT_EQ(0, transact(self->nl, nlh, on_dev, &self->r))
		TH_LOG("refused: %s", self->r.extack);
	EXPECT_EQ(1, self->r.ndevs);
	EXPECT_EQ(self->ifindex, self->r.ifindex);
}

TEST_F(dev, dump_lists_the_instance)
{
	struct nlmsghdr *nlh = dev_get(self);

	nlh->nlmsg_flags = NLM_F_DUMP;
	ASSERT_EQ(0, transact(self->nl, nlh, on_dev, &self->r))
		TH_LOG("refused: %s", self->r.extack);
	EXPECT_EQ(1, self->r.ndevs);
	EXPECT_STREQ("aftr0", self->r.ifname);
}

TEST_F(dev, unknown_ifindex_refused)
{
	struct nlmsghdr *nlh = dev_get(self);

	mnl_attr_put_u32(nlh, DSLITE_AFTR_A_IFINDEX, self->ifindex + 1000);
	EXPECT_GT(0, transact(self->nl, nlh, on_dev, &self->r));
	EXPECT_EQ(0, self->r.ndevs);
	EXPECT_NE(0, self->r.extack[0]) TH_LOG("a refusal without an extack message");
	TH_LOG("refused as expected: %s", self->r.extack);
}

TEST_F(dev, unknown_name_refused)
{
	struct nlmsghdr *nlh = dev_get(self);

	mnl_attr_put_strz(nlh, DSLITE_AFTR_A_IFNAME, "nosuch0");
	EXPECT_GT(0, transact(self->nl, nlh, on_dev, &self->r));
	EXPECT_NE(0, self->r.extack[0]) TH_LOG("a refusal without an extack message");
}

TEST_F(dev, other_kind_refused)
{
	struct nlmsghdr *nlh = dev_get(self);

	mnl_attr_put_u32(nlh, DSLITE_AFTR_A_IFINDEX, if_nametoindex("lo"));
	EXPECT_GT(0, transact(self->nl, nlh, on_dev, &self->r));
	EXPECT_NE(0, self->r.extack[0]) TH_LOG("a refusal without an extack message");
}

static struct nlmsghdr *command(FIXTURE_DATA(dev) *self, uint8_t cmd)
{
	struct nlmsghdr *nlh = genl_request(self->buf, self->family, cmd,
					    DSLITE_AFTR_GENL_VERSION);

	mnl_attr_put_u32(nlh, DSLITE_AFTR_A_IFINDEX, self->ifindex);
	return nlh;
}

/* A do-request that must be refused with an extack message. */
static int refused(FIXTURE_DATA(dev) *self, struct nlmsghdr *nlh)
{
	int err = transact(self->nl, nlh, NULL, &self->r);

	fprintf(stderr, "#  refused with errno %d: %s\n", -err, self->r.extack);
	return err < 0 && self->r.extack[0];
}

/* A prefix nest @type of an IPv6 (@family AF_INET6) or IPv4 prefix. */
static void put_prefix_at(struct nlmsghdr *nlh, uint16_t type, int family,
			  const char *addr, uint8_t len)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	unsigned char a[sizeof(struct in6_addr)];

	inet_pton(family, addr, a);
	if (family == AF_INET6)
		mnl_attr_put(nlh, DSLITE_AFTR_PREFIX_A_ADDR6, sizeof(struct in6_addr), a);
	else
		mnl_attr_put(nlh, DSLITE_AFTR_PREFIX_A_ADDR4, sizeof(struct in_addr), a);
	mnl_attr_put_u8(nlh, DSLITE_AFTR_PREFIX_A_LEN, len);
	mnl_attr_nest_end(nlh, nest);
}

static void put_prefix(struct nlmsghdr *nlh, int family, const char *addr,
		       uint8_t len)
{
	put_prefix_at(nlh, DSLITE_AFTR_A_PREFIX, family, addr, len);
}

static int pool_add(FIXTURE_DATA(dev) *self, const char *addr, uint8_t len,
		    uint16_t pmin, uint16_t pmax)
{
	struct nlmsghdr *nlh = command(self, DSLITE_AFTR_CMD_POOL_ADD);

	put_prefix(nlh, AF_INET, addr, len);
	if (pmin || pmax) {
		mnl_attr_put_u16(nlh, DSLITE_AFTR_A_PORT_MIN, pmin);
		mnl_attr_put_u16(nlh, DSLITE_AFTR_A_PORT_MAX, pmax);
	}
	return transact(self->nl, nlh, NULL, &self->r);
}

/* How many messages a dump of @cmd for our instance returns. */
static int dump_count(FIXTURE_DATA(dev) *self, uint8_t cmd)
{
	struct nlmsghdr *nlh = command(self, cmd);

	nlh->nlmsg_flags = NLM_F_DUMP;
	if (transact(self->nl, nlh, on_msg, &self->r))
		return -1;
	return self->r.nmsgs;
}

TEST_F(dev, b4_prefix_too_long_refused)
{
	struct nlmsghdr *nlh = command(self, DSLITE_AFTR_CMD_B4_ALLOW);

	put_prefix(nlh, AF_INET6, "2001:db8::", 129);
	EXPECT_TRUE(refused(self, nlh));
}

TEST_F(dev, b4_prefix_host_bits_refused)
{
	struct nlmsghdr *nlh = command(self, DSLITE_AFTR_CMD_B4_ALLOW);

	put_prefix(nlh, AF_INET6, "2001:db8::1", 32);
	EXPECT_TRUE(refused(self, nlh));
}

TEST_F(dev, b4_deny_unknown_refused)
{
	struct nlmsghdr *nlh = command(self, DSLITE_AFTR_CMD_B4_DENY);

	put_prefix(nlh, AF_INET6, "2001:db8:100::", 40);
	EXPECT_TRUE(refused(self, nlh));
}

TEST_F(dev, pool_prefix_too_short_refused)
{
	EXPECT_GT(0, pool_add(self, "10.0.0.0", DSLITE_AFTR_MIN_POOL_PREFIX_LEN - 1, 0, 0));
	EXPECT_NE(0, self->r.extack[0]);
	EXPECT_EQ(0, dump_count(self, DSLITE_AFTR_CMD_POOL_GET));
}

TEST_F(dev, pool_host_bits_refused)
{
	EXPECT_GT(0, pool_add(self, "198.51.100.1", 28, 0, 0));
	EXPECT_NE(0, self->r.extack[0]);
}

/* Addresses no host has, and DS-Lite's own, are no pool's (aftrctl checks too). */
TEST_F(dev, pool_special_ranges_refused)
{
	static const struct {
		const char *addr;
		uint8_t len;
	} bad[] = {
		{ "0.0.0.0", 24 }, { "127.0.0.0", 24 }, { "192.0.0.0", 28 },
		{ "192.0.0.0", 24 }, { "224.0.0.0", 24 }, { "255.255.255.255", 32 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_GT(0, pool_add(self, bad[i].addr, bad[i].len, 0, 0));
		EXPECT_NE(0, self->r.extack[0]);
		TH_LOG("%s/%u: %s", bad[i].addr, bad[i].len, self->r.extack);
	}
	EXPECT_EQ(0, dump_count(self, DSLITE_AFTR_CMD_POOL_GET));
	EXPECT_EQ(0, pool_add(self, "192.0.0.8", 29, 0, 0)) TH_LOG("%s", self->r.extack);
}

TEST_F(dev, pool_port_range_refused)
{
	EXPECT_GT(0, pool_add(self, "198.51.100.0", 28, 2000, 1000));
	EXPECT_NE(0, self->r.extack[0]);
	EXPECT_GT(0, pool_add(self, "198.51.100.0", 28, 0, 1000));
	EXPECT_NE(0, self->r.extack[0]);
	EXPECT_EQ(0, dump_count(self, DSLITE_AFTR_CMD_POOL_GET));
}

TEST_F(dev, pool_overlap_refused)
{
	ASSERT_EQ(0, pool_add(self, "198.51.100.0", 28, 0, 0))
		TH_LOG("refused: %s", self->r.extack);
	EXPECT_GT(0, pool_add(self, "198.51.100.8", 29, 0, 0));
	EXPECT_NE(0, self->r.extack[0]);
	TH_LOG("refused as expected: %s", self->r.extack);
	EXPECT_GT(0, pool_add(self, "198.51.100.0", 24, 0, 0));
	EXPECT_NE(0, self->r.extack[0]);
	EXPECT_EQ(1, dump_count(self, DSLITE_AFTR_CMD_POOL_GET));
}

TEST_F(dev, pool_on_unknown_device_refused)
{
	struct nlmsghdr *nlh = genl_request(self->buf, self->family,
					    DSLITE_AFTR_CMD_POOL_ADD,
					    DSLITE_AFTR_GENL_VERSION);

	mnl_attr_put_strz(nlh, DSLITE_AFTR_A_IFNAME, "nosuch0");
	put_prefix(nlh, AF_INET, "198.51.100.0", 28);
	EXPECT_TRUE(refused(self, nlh));
	EXPECT_EQ(0, dump_count(self, DSLITE_AFTR_CMD_POOL_GET));
}

/* A request with one good and one bad value changes neither. */
TEST_F(dev, dev_set_is_all_or_nothing)
{
	struct nlmsghdr *nlh = command(self, DSLITE_AFTR_CMD_DEV_SET);

	mnl_attr_put_u32(nlh, DSLITE_AFTR_A_TIMEOUT_UDP, 100);
	mnl_attr_put_u32(nlh, DSLITE_AFTR_A_BLOCK_SIZE, DSLITE_AFTR_MIN_BLOCK_SIZE - 1);
	EXPECT_TRUE(refused(self, nlh));

	nlh = dev_get(self);
	mnl_attr_put_u32(nlh, DSLITE_AFTR_A_IFINDEX, self->ifindex);
	ASSERT_EQ(0, transact(self->nl, nlh, on_dev, &self->r));
	EXPECT_EQ((uint32_t)DSLITE_AFTR_DEF_TIMEOUT_UDP, self->r.timeout_udp);
}

TEST_F(dev, too_many_endpoints_refused)
{
	struct nlmsghdr *nlh = command(self, DSLITE_AFTR_CMD_DEV_SET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, DSLITE_AFTR_A_ENDPOINTS);
	struct in6_addr a;
	int i;

	inet_pton(AF_INET6, "2001:db8::1", &a);
	for (i = 0; i <= DSLITE_AFTR_MAX_ENDPOINTS; i++) {
		a.s6_addr[15] = i + 1;
		mnl_attr_put(nlh, i + 1, sizeof(a), &a);
	}
	mnl_attr_nest_end(nlh, nest);
	EXPECT_TRUE(refused(self, nlh));
}

/*
 * A det rule whose B4s are /0: the arithmetic would shift a 64-bit half of
 * an address by 64. The request is refused and no rule is made.
 */
TEST_F(dev, det_b4_len_zero_refused)
{
	struct nlmsghdr *nlh = command(self, DSLITE_AFTR_CMD_DET_ADD);

	put_prefix_at(nlh, DSLITE_AFTR_A_B4_PREFIX, AF_INET6, "::", 0);
	mnl_attr_put_u8(nlh, DSLITE_AFTR_A_B4_LEN, 0);
	put_prefix(nlh, AF_INET, "198.51.100.0", 28);
	EXPECT_TRUE(refused(self, nlh));
	EXPECT_EQ(0, dump_count(self, DSLITE_AFTR_CMD_DET_GET));
}

static void put_addr(struct nlmsghdr *nlh, uint16_t type, int family, const char *addr)
{
	unsigned char a[sizeof(struct in6_addr)];

	inet_pton(family, addr, a);
	mnl_attr_put(nlh, type, family == AF_INET6 ? 16 : 4, a);
}

/* B4 2001:db8:100::2's UDP INNER:IPORT mapped to 198.51.100.1:OPORT. */
static int static_udp(FIXTURE_DATA(dev) *self, const char *inner, uint16_t iport,
		      uint16_t oport)
{
	struct nlmsghdr *nlh = command(self, DSLITE_AFTR_CMD_STATIC_ADD);

	mnl_attr_put_u8(nlh, DSLITE_AFTR_A_PROTO, IPPROTO_UDP);
	put_addr(nlh, DSLITE_AFTR_A_B4_ADDR, AF_INET6, "2001:db8:100::2");
	put_addr(nlh, DSLITE_AFTR_A_INNER_ADDR, AF_INET, inner);
	mnl_attr_put_u16(nlh, DSLITE_AFTR_A_INNER_PORT, iport);
	put_addr(nlh, DSLITE_AFTR_A_OUTER_ADDR, AF_INET, "198.51.100.1");
	mnl_attr_put_u16(nlh, DSLITE_AFTR_A_OUTER_PORT, oport);
	return transact(self->nl, nlh, NULL, &self->r);
}

/* A BINDING_GET dump with an address and port filter (NULL, 0: none). */
static int bindings_where(FIXTURE_DATA(dev) *self, uint16_t addr_type, const char *addr,
			  uint16_t port_type, uint16_t port)
{
	struct nlmsghdr *nlh = command(self, DSLITE_AFTR_CMD_BINDING_GET);

	nlh->nlmsg_flags = NLM_F_DUMP;
	if (addr)
		put_addr(nlh, addr_type, AF_INET, addr);
	if (port)
		mnl_attr_put_u16(nlh, port_type, port);
	if (transact(self->nl, nlh, on_msg, &self->r))
		return -1;
	return self->r.nmsgs;
}

#define OUTER(a, p) bindings_where(self, DSLITE_AFTR_A_OUTER_ADDR, a, DSLITE_AFTR_A_OUTER_PORT, p)
#define INNER(a, p) bindings_where(self, DSLITE_AFTR_A_INNER_ADDR, a, DSLITE_AFTR_A_INNER_PORT, p)

/*
 * "Who has 198.51.100.1:5002": the kernel answers with that binding alone
 * (a module without the filters sends all three), by outer or inner
 * address, with or without the port; a port without its address, and the
 * filters on a flush (which would end everything if ignored), are refused.
 */
TEST_F(dev, binding_dump_filters_by_outer_and_inner)
{
	struct nlmsghdr *nlh = command(self, DSLITE_AFTR_CMD_DEV_SET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, DSLITE_AFTR_A_ENDPOINTS);

	put_addr(nlh, 1, AF_INET6, "2001:db8::1");
	mnl_attr_nest_end(nlh, nest);
	ASSERT_EQ(0, transact(self->nl, nlh, NULL, &self->r)) TH_LOG("%s", self->r.extack);
	nlh = command(self, DSLITE_AFTR_CMD_B4_ALLOW);
	put_prefix(nlh, AF_INET6, "2001:db8:100::", 40);
	ASSERT_EQ(0, transact(self->nl, nlh, NULL, &self->r)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, pool_add(self, "198.51.100.0", 28, 0, 0)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, static_udp(self, "192.168.1.2", 1001, 5001)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, static_udp(self, "192.168.1.2", 1002, 5002));
	ASSERT_EQ(0, static_udp(self, "192.168.1.3", 1003, 5003));

	EXPECT_EQ(3, OUTER(NULL, 0));
	EXPECT_EQ(1, OUTER("198.51.100.1", 5002));
	EXPECT_EQ(3, OUTER("198.51.100.1", 0));
	EXPECT_EQ(0, OUTER("198.51.100.2", 0));
	EXPECT_EQ(0, OUTER("198.51.100.1", 5004));
	EXPECT_EQ(2, INNER("192.168.1.2", 0));
	EXPECT_EQ(1, INNER("192.168.1.3", 1003));
	EXPECT_EQ(0, INNER("192.168.1.3", 1001));

	EXPECT_EQ(-1, bindings_where(self, 0, NULL, DSLITE_AFTR_A_OUTER_PORT, 5002));
	nlh = command(self, DSLITE_AFTR_CMD_BINDING_FLUSH);
	put_addr(nlh, DSLITE_AFTR_A_OUTER_ADDR, AF_INET, "198.51.100.1");
	EXPECT_TRUE(refused(self, nlh));
	EXPECT_EQ(3, OUTER(NULL, 0));
}

/* Reserved fields of the genl header must be zero, in every command. */
TEST_F(dev, reserved_header_refused)
{
	struct nlmsghdr *nlh = dev_get(self);
	struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	mnl_attr_put_u32(nlh, DSLITE_AFTR_A_IFINDEX, self->ifindex);
	g->reserved = 1;
	EXPECT_TRUE(refused(self, nlh));
}

TEST_HARNESS_MAIN
