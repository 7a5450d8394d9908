// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "dslite_aftr" (Documentation/netlink.rst, and
 * the spec the uapi header is made from). Every request that names an
 * instance runs under RTNL, the lock that serializes all configuration
 * writers, except the ends of subscribers a change causes, which drop it
 * (aftr_genl_end_b4s()); dumps of the big tables take it for each chunk
 * only, and hold a walker on the table between chunks.
 */
#include <linux/inetdevice.h>
#include <linux/rtnetlink.h>
#include <linux/stringify.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "b4.h"
#include "binding.h"
#include "det.h"
#include "device.h"
#include "event.h"
#include "exempt.h"
#include "filter.h"
#include "netlink.h"
#include "pool.h"
#include "prefix.h"
#include "static.h"

/* Padding inside the STATS nest: type 0, which no counter uses. */
#define STATS_PAD	0

static struct netlink_range_validation timeout_range = {
	.min = 1,
	.max = DSLITE_AFTR_MAX_TIMEOUT,
};

static struct netlink_range_validation holddown_range = {
	.min = 0,
	.max = DSLITE_AFTR_MAX_TIMEOUT,
};

static const struct nla_policy prefix_policy[DSLITE_AFTR_PREFIX_A_MAX + 1] = {
	[DSLITE_AFTR_PREFIX_A_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[DSLITE_AFTR_PREFIX_A_ADDR4] = { .type = NLA_BE32 },
	[DSLITE_AFTR_PREFIX_A_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* Attributes only ever sent by the kernel stay NLA_UNSPEC: refused in requests. */
static const struct nla_policy aftr_policy[DSLITE_AFTR_A_MAX + 1] = {
	[DSLITE_AFTR_A_IFINDEX] = { .type = NLA_U32 },
	[DSLITE_AFTR_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[DSLITE_AFTR_A_ENDPOINTS] = { .type = NLA_NESTED_ARRAY },
	[DSLITE_AFTR_A_PREFIX] = NLA_POLICY_NESTED(prefix_policy),
	[DSLITE_AFTR_A_TIMEOUT_UDP] = NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[DSLITE_AFTR_A_TIMEOUT_TCP_EST] = NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[DSLITE_AFTR_A_TIMEOUT_TCP_TRANS] = NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[DSLITE_AFTR_A_TIMEOUT_ICMP] = NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[DSLITE_AFTR_A_HOLDDOWN] = NLA_POLICY_FULL_RANGE(NLA_U32, &holddown_range),
	[DSLITE_AFTR_A_BLOCK_SIZE] = NLA_POLICY_RANGE(NLA_U32, DSLITE_AFTR_MIN_BLOCK_SIZE,
						      DSLITE_AFTR_MAX_BLOCK_SIZE),
	[DSLITE_AFTR_A_MAX_BLOCKS] = NLA_POLICY_MIN(NLA_U32, 1),
	[DSLITE_AFTR_A_MAX_BINDINGS] = NLA_POLICY_MIN(NLA_U32, 1),
	[DSLITE_AFTR_A_MAX_NEW_RATE] = NLA_POLICY_MIN(NLA_U32, 1),
	[DSLITE_AFTR_A_PORT_MIN] = NLA_POLICY_MIN(NLA_U16, 1),
	[DSLITE_AFTR_A_PORT_MAX] = NLA_POLICY_MIN(NLA_U16, 1),
	[DSLITE_AFTR_A_B4_ADDR] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[DSLITE_AFTR_A_PROTO] = { .type = NLA_U8 },
	[DSLITE_AFTR_A_INNER_ADDR] = { .type = NLA_BE32 },
	[DSLITE_AFTR_A_INNER_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[DSLITE_AFTR_A_OUTER_ADDR] = { .type = NLA_BE32 },
	[DSLITE_AFTR_A_OUTER_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[DSLITE_AFTR_A_EVENTS_BINDINGS] = NLA_POLICY_MAX(NLA_U8, 1),
	[DSLITE_AFTR_A_B4_PREFIX] = NLA_POLICY_NESTED(prefix_policy),
	/* At least 1: det.c's arithmetic on /0 B4s would shift a u64 by 64. */
	[DSLITE_AFTR_A_B4_LEN] = NLA_POLICY_RANGE(NLA_U8, 1, 128),
	[DSLITE_AFTR_A_SUBSCRIBER_LEN] = NLA_POLICY_RANGE(NLA_U8, DSLITE_AFTR_MIN_SUBSCRIBER_LEN,
							  128),
	[DSLITE_AFTR_A_MAX_SUBSCRIBERS] = { .type = NLA_U32 },
	[DSLITE_AFTR_A_MAX_NEW_SUBSCRIBERS] = { .type = NLA_U32 },
	/* Fixed values below DSLITE_AFTR_MIN_MSS are refused by dev_set_doit(). */
	[DSLITE_AFTR_A_MSS_CLAMP] = { .type = NLA_U16 },
	[DSLITE_AFTR_A_DSCP] = NLA_POLICY_MAX(NLA_U8, DSLITE_AFTR_DSCP_MODEL_PIPE),
	[DSLITE_AFTR_A_ICMP_RATE] = NLA_POLICY_MIN(NLA_U32, 1),
	[DSLITE_AFTR_A_ICMP_BURST] = NLA_POLICY_MIN(NLA_U32, 1),
	[DSLITE_AFTR_A_FRAG] = NLA_POLICY_MAX(NLA_U8, DSLITE_AFTR_FRAG_POLICY_INNER),
	[DSLITE_AFTR_A_FILTERING] = NLA_POLICY_MAX(NLA_U8,
						   DSLITE_AFTR_FILTERING_ADDRESS_PORT_DEPENDENT),
};

static const u16 timeout_attr[AFTR_TIMEOUT_COUNT] = {
	[AFTR_TIMEOUT_UDP] = DSLITE_AFTR_A_TIMEOUT_UDP,
	[AFTR_TIMEOUT_TCP_EST] = DSLITE_AFTR_A_TIMEOUT_TCP_EST,
	[AFTR_TIMEOUT_TCP_TRANS] = DSLITE_AFTR_A_TIMEOUT_TCP_TRANS,
	[AFTR_TIMEOUT_ICMP] = DSLITE_AFTR_A_TIMEOUT_ICMP,
};

/* The instance a request names, or an ERR_PTR with extack set. Under RTNL. */
static struct aftr_dev *dev_from_attrs(struct net *net, struct nlattr **attrs,
				       struct netlink_ext_ack *extack)
{
	struct nlattr *attr = attrs[DSLITE_AFTR_A_IFINDEX];
	struct aftr_dev *ad;

	if (attr) {
		ad = aftr_dev_find(net, nla_get_u32(attr), NULL);
		if (!ad)
			AFTR_SET_ERR_MSG_FMT(extack, "no dslite device with this ifindex",
					     "no dslite device with ifindex %u",
					     nla_get_u32(attr));
	} else if (attrs[DSLITE_AFTR_A_IFNAME]) {
		attr = attrs[DSLITE_AFTR_A_IFNAME];
		ad = aftr_dev_find(net, 0, nla_data(attr));
		if (!ad)
			AFTR_SET_ERR_MSG_FMT(extack, "no dslite device with this name",
					     "no dslite device named %s",
					     (char *)nla_data(attr));
	} else {
		NL_SET_ERR_MSG_MOD(extack, "IFINDEX or IFNAME required");
		return ERR_PTR(-EINVAL);
	}
	if (!ad) {
		NL_SET_BAD_ATTR(extack, attr);
		return ERR_PTR(-ENODEV);
	}
	return ad;
}

struct aftr_dev *aftr_genl_dump_dev(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dev_from_attrs(sock_net(skb->sk), aftr_compat_dump_attrs(cb), cb->extack);
}

static int pre_doit(const struct aftr_compat_genl_ops *ops, struct sk_buff *skb,
		    struct genl_info *info)
{
	struct aftr_dev *ad;

	rtnl_lock();
	ad = dev_from_attrs(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(ad)) {
		rtnl_unlock();
		return PTR_ERR(ad);
	}
	info->user_ptr[0] = ad;
	return 0;
}

static void post_doit(const struct aftr_compat_genl_ops *ops, struct sk_buff *skb,
		      struct genl_info *info)
{
	rtnl_unlock();
}

static int put_ident(struct sk_buff *skb, const struct aftr_dev *ad)
{
	return nla_put_u32(skb, DSLITE_AFTR_A_IFINDEX, ad->dev->ifindex) ||
	       nla_put_string(skb, DSLITE_AFTR_A_IFNAME, ad->dev->name);
}

/* Array members are numbered from 1; receivers ignore the numbers. */
static int put_endpoints(struct sk_buff *skb, const struct aftr_addr6_set *eps)
{
	struct nlattr *nest = nla_nest_start(skb, DSLITE_AFTR_A_ENDPOINTS);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; eps && i < eps->n; i++)
		if (nla_put_in6_addr(skb, i + 1, &eps->addr[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_prefix6(struct sk_buff *skb, u16 type, const struct aftr_prefix6 *p)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest || nla_put_in6_addr(skb, DSLITE_AFTR_PREFIX_A_ADDR6, &p->addr) ||
	    nla_put_u8(skb, DSLITE_AFTR_PREFIX_A_LEN, p->len))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* An IPv4 prefix kept mapped into IPv6 (prefix.h), as IPv4. */
static int put_prefix4_mapped(struct sk_buff *skb, u16 type, const struct aftr_prefix6 *p)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest || nla_put_in_addr(skb, DSLITE_AFTR_PREFIX_A_ADDR4, p->addr.s6_addr32[3]) ||
	    nla_put_u8(skb, DSLITE_AFTR_PREFIX_A_LEN, p->len - 96))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static unsigned int prefix_set_len(const struct aftr_prefix6_set *set)
{
	return set ? set->n : 0;
}

/*
 * The allowed prefixes, when few enough that the reply fits one message
 * (a nest is at most 64 KiB, a dump message one buffer): ALLOWED_GET lists
 * any number.
 */
static int put_allowed(struct sk_buff *skb, const struct aftr_prefix6_set *set)
{
	unsigned int i, n = set ? set->n : 0;
	struct nlattr *nest;

	if (nla_put_u32(skb, DSLITE_AFTR_A_ALLOWED_COUNT, n))
		return -EMSGSIZE;
	if (n > DSLITE_AFTR_MAX_ALLOWED_INLINE)
		return 0;
	nest = nla_nest_start(skb, DSLITE_AFTR_A_ALLOWED);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (put_prefix6(skb, i + 1, &set->p[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_params(struct sk_buff *skb, const struct aftr_params *p)
{
	unsigned int i;

	for (i = 0; i < AFTR_TIMEOUT_COUNT; i++)
		if (nla_put_u32(skb, timeout_attr[i], p->timeout[i] / HZ))
			return -EMSGSIZE;
	if (nla_put_u32(skb, DSLITE_AFTR_A_HOLDDOWN, p->holddown / HZ) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_BLOCK_SIZE, p->block_size) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_MAX_BLOCKS, p->max_blocks) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_MAX_BINDINGS, p->max_bindings) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_MAX_NEW_RATE, p->max_new_rate) ||
	    nla_put_u8(skb, DSLITE_AFTR_A_SUBSCRIBER_LEN, p->subscriber_len) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_MAX_SUBSCRIBERS, p->max_subscribers) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_MAX_NEW_SUBSCRIBERS, p->max_new_subscribers) ||
	    nla_put_u8(skb, DSLITE_AFTR_A_EVENTS_BINDINGS, p->events_bindings) ||
	    nla_put_u16(skb, DSLITE_AFTR_A_MSS_CLAMP, p->mss_clamp) ||
	    nla_put_u8(skb, DSLITE_AFTR_A_DSCP, p->dscp) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_ICMP_RATE, p->icmp_rate) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_ICMP_BURST, p->icmp_burst) ||
	    nla_put_u8(skb, DSLITE_AFTR_A_FRAG, p->frag) ||
	    nla_put_u8(skb, DSLITE_AFTR_A_FILTERING, p->filtering))
		return -EMSGSIZE;
	return 0;
}

/* Under RTNL. */
static int dev_fill(struct sk_buff *skb, struct aftr_dev *ad, u32 portid, u32 seq,
		    int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &aftr_genl_family, flags,
			  DSLITE_AFTR_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (put_ident(skb, ad) ||
	    put_endpoints(skb, rtnl_dereference(ad->endpoints)) ||
	    put_allowed(skb, rtnl_dereference(ad->allowed)) ||
	    put_params(skb, &ad->params) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_B4_COUNT, aftr_b4s_count(ad)) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_BINDING_COUNT, aftr_bindings_count(ad)) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_POOL_COUNT, aftr_pools_count(ad)) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_EXEMPT_COUNT,
			prefix_set_len(rtnl_dereference(ad->exempt))) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_EXEMPT_FLOW_COUNT, aftr_exempt_count(ad))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}


static int dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aftr_dev *ad = info->user_ptr[0];
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = dev_fill(msg, ad, info->snd_portid, info->snd_seq, 0);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned int idx = cb->args[0];
	struct aftr_dev *ad;

	rtnl_lock();
	while ((ad = aftr_dev_nth(sock_net(skb->sk), idx))) {
		if (dev_fill(skb, ad, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			     NLM_F_MULTI))
			break;
		idx++;
	}
	rtnl_unlock();
	cb->args[0] = idx;
	/* An instance that fits no message ends the dump loudly, not silently. */
	return ad && !skb->len ? -EMSGSIZE : skb->len;
}

/* Dumps the allowed prefixes (ALLOWED_GET) or the exempt ones (EXEMPT_GET). */
static int prefix_set_dumpit(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	int (*put)(struct sk_buff *skb, u16 type, const struct aftr_prefix6 *p);
	const struct aftr_prefix6_set *set;
	unsigned int idx = cb->args[0];
	struct aftr_dev *ad;
	void *hdr;

	rtnl_lock();
	ad = aftr_genl_dump_dev(skb, cb);
	if (IS_ERR(ad)) {
		rtnl_unlock();
		return PTR_ERR(ad);
	}
	if (cmd == DSLITE_AFTR_CMD_EXEMPT_GET) {
		set = rtnl_dereference(ad->exempt);
		put = put_prefix4_mapped;
	} else {
		set = rtnl_dereference(ad->allowed);
		put = put_prefix6;
	}
	for (; set && idx < set->n; idx++) {
		hdr = aftr_genl_dump_put(skb, cb, cmd);
		if (!hdr)
			break;
		if (put(skb, DSLITE_AFTR_A_PREFIX, &set->p[idx])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rtnl_unlock();
	cb->args[0] = idx;
	return skb->len;
}

static int allowed_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return prefix_set_dumpit(skb, cb, DSLITE_AFTR_CMD_ALLOWED_GET);
}

static int exempt_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return prefix_set_dumpit(skb, cb, DSLITE_AFTR_CMD_EXEMPT_GET);
}

static int endpoint_check(struct aftr_dev *ad, const struct aftr_addr6_set *set,
			  const struct in6_addr *addr, const struct nlattr *attr,
			  struct netlink_ext_ack *extack)
{
	int type = ipv6_addr_type(addr);
	struct aftr_dev *owner;
	unsigned int i;

	if (type & (IPV6_ADDR_ANY | IPV6_ADDR_MULTICAST | IPV6_ADDR_LOOPBACK |
		    IPV6_ADDR_MAPPED)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "an endpoint must be a unicast IPv6 address");
		return -EINVAL;
	}
	for (i = 0; i < set->n; i++) {
		if (ipv6_addr_equal(&set->addr[i], addr)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "endpoint given twice");
			return -EINVAL;
		}
	}
	rcu_read_lock();
	owner = aftr_dev_by_endpoint(ad->net, addr);
	rcu_read_unlock();
	if (owner && owner != ad) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "endpoint already used by another dslite device");
		return -EADDRINUSE;
	}
	return 0;
}

/* Builds the new endpoint set; *out is NULL for an empty nest. */
static int endpoints_parse(struct aftr_dev *ad, const struct nlattr *nest,
			   struct aftr_addr6_set **out, struct netlink_ext_ack *extack)
{
	struct aftr_addr6_set *set;
	const struct nlattr *attr;
	struct in6_addr addr;
	unsigned int n = 0;
	int rem, err;

	nla_for_each_nested(attr, nest, rem) {
		if (nla_len(attr) != sizeof(struct in6_addr)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "an endpoint is a 16-byte IPv6 address");
			return -EINVAL;
		}
		if (++n > DSLITE_AFTR_MAX_ENDPOINTS) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "too many endpoints");
			return -EINVAL;
		}
	}
	*out = NULL;
	if (!n)
		return 0;
	set = kzalloc(struct_size(set, addr, n), GFP_KERNEL_ACCOUNT);
	if (!set)
		return -ENOMEM;
	nla_for_each_nested(attr, nest, rem) {
		nla_memcpy(&addr, attr, sizeof(addr));
		err = endpoint_check(ad, set, &addr, attr, extack);
		if (err) {
			kfree(set);
			return err;
		}
		set->addr[set->n++] = addr;
	}
	*out = set;
	return 0;
}

static void params_apply(struct aftr_params *p, struct nlattr **attrs)
{
	unsigned int i;

	for (i = 0; i < AFTR_TIMEOUT_COUNT; i++)
		if (attrs[timeout_attr[i]])
			WRITE_ONCE(p->timeout[i], nla_get_u32(attrs[timeout_attr[i]]) * HZ);
	if (attrs[DSLITE_AFTR_A_HOLDDOWN])
		WRITE_ONCE(p->holddown, nla_get_u32(attrs[DSLITE_AFTR_A_HOLDDOWN]) * HZ);
	if (attrs[DSLITE_AFTR_A_BLOCK_SIZE])
		WRITE_ONCE(p->block_size, nla_get_u32(attrs[DSLITE_AFTR_A_BLOCK_SIZE]));
	if (attrs[DSLITE_AFTR_A_MAX_BLOCKS])
		WRITE_ONCE(p->max_blocks, nla_get_u32(attrs[DSLITE_AFTR_A_MAX_BLOCKS]));
	if (attrs[DSLITE_AFTR_A_MAX_BINDINGS])
		WRITE_ONCE(p->max_bindings, nla_get_u32(attrs[DSLITE_AFTR_A_MAX_BINDINGS]));
	if (attrs[DSLITE_AFTR_A_MAX_NEW_RATE])
		WRITE_ONCE(p->max_new_rate, nla_get_u32(attrs[DSLITE_AFTR_A_MAX_NEW_RATE]));
	if (attrs[DSLITE_AFTR_A_EVENTS_BINDINGS])
		WRITE_ONCE(p->events_bindings, nla_get_u8(attrs[DSLITE_AFTR_A_EVENTS_BINDINGS]));
	if (attrs[DSLITE_AFTR_A_SUBSCRIBER_LEN])
		WRITE_ONCE(p->subscriber_len, nla_get_u8(attrs[DSLITE_AFTR_A_SUBSCRIBER_LEN]));
	if (attrs[DSLITE_AFTR_A_MAX_SUBSCRIBERS])
		WRITE_ONCE(p->max_subscribers, nla_get_u32(attrs[DSLITE_AFTR_A_MAX_SUBSCRIBERS]));
	if (attrs[DSLITE_AFTR_A_MAX_NEW_SUBSCRIBERS])
		WRITE_ONCE(p->max_new_subscribers,
			   nla_get_u32(attrs[DSLITE_AFTR_A_MAX_NEW_SUBSCRIBERS]));
	if (attrs[DSLITE_AFTR_A_MSS_CLAMP])
		WRITE_ONCE(p->mss_clamp, nla_get_u16(attrs[DSLITE_AFTR_A_MSS_CLAMP]));
	if (attrs[DSLITE_AFTR_A_DSCP])
		WRITE_ONCE(p->dscp, nla_get_u8(attrs[DSLITE_AFTR_A_DSCP]));
	if (attrs[DSLITE_AFTR_A_ICMP_RATE])
		WRITE_ONCE(p->icmp_rate, nla_get_u32(attrs[DSLITE_AFTR_A_ICMP_RATE]));
	if (attrs[DSLITE_AFTR_A_ICMP_BURST])
		WRITE_ONCE(p->icmp_burst, nla_get_u32(attrs[DSLITE_AFTR_A_ICMP_BURST]));
	if (attrs[DSLITE_AFTR_A_FRAG])
		WRITE_ONCE(p->frag, nla_get_u8(attrs[DSLITE_AFTR_A_FRAG]));
	if (attrs[DSLITE_AFTR_A_FILTERING])
		WRITE_ONCE(p->filtering, nla_get_u8(attrs[DSLITE_AFTR_A_FILTERING]));
}

/* Everything that can refuse runs before the first change. */
static int dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *sub_len = info->attrs[DSLITE_AFTR_A_SUBSCRIBER_LEN];
	struct nlattr *block_size = info->attrs[DSLITE_AFTR_A_BLOCK_SIZE];
	struct nlattr *endpoints = info->attrs[DSLITE_AFTR_A_ENDPOINTS];
	struct nlattr *mss = info->attrs[DSLITE_AFTR_A_MSS_CLAMP];
	struct aftr_dev *ad = info->user_ptr[0];
	struct aftr_addr6_set *eps = NULL, *old;
	u8 filtering;
	int err;

	if (mss && nla_get_u16(mss) > DSLITE_AFTR_MSS_CLAMP_PMTU &&
	    nla_get_u16(mss) < DSLITE_AFTR_MIN_MSS) {
		NL_SET_ERR_MSG_ATTR(info->extack, mss,
				    "a fixed MSS is at least " __stringify(DSLITE_AFTR_MIN_MSS)
				    " (0 is off, 1 the softwire's MTU)");
		return -EINVAL;
	}

	/* Subscribers are keyed by their prefix: the length can't change under them. */
	if (sub_len && nla_get_u8(sub_len) != ad->params.subscriber_len &&
	    aftr_b4s_count(ad)) {
		NL_SET_ERR_MSG_ATTR(info->extack, sub_len,
				    "subscriber length can't change while there are subscribers");
		return -EBUSY;
	}
	if (block_size && nla_get_u32(block_size) != ad->params.block_size &&
	    aftr_pools_blocks_in_use(ad)) {
		NL_SET_ERR_MSG_ATTR(info->extack, block_size,
				    "block size can't change while B4s hold port blocks");
		return -EBUSY;
	}
	if (endpoints) {
		err = endpoints_parse(ad, endpoints, &eps, info->extack);
		if (err)
			return err;
		old = rtnl_dereference(ad->endpoints);
		rcu_assign_pointer(ad->endpoints, eps);
		if (old)
			kfree_rcu(old, rcu);
		aftr_b4s_endpoints_changed(ad);
	}
	filtering = READ_ONCE(ad->params.filtering);
	params_apply(&ad->params, info->attrs);
	/* Permissions of one mode mean nothing in another (NAT-2). */
	if (ad->params.filtering != filtering)
		aftr_filter_flush(ad, NULL, 0);
	return 0;
}

/* The prefix nest @type of a request: @tb filled, refusals explained. */
static int prefix_parse(struct genl_info *info, u16 type, struct nlattr **tb)
{
	struct nlattr *nest = info->attrs[type];

	if (!nest) {
		if (type == DSLITE_AFTR_A_PREFIX)
			NL_SET_ERR_MSG_MOD(info->extack, "PREFIX required");
		else
			NL_SET_ERR_MSG_MOD(info->extack, "B4_PREFIX required");
		return -EINVAL;
	}
	return nla_parse_nested(tb, DSLITE_AFTR_PREFIX_A_MAX, nest, prefix_policy,
				info->extack);
}

int aftr_genl_prefix6_parse(struct genl_info *info, u16 type, struct aftr_prefix6 *p)
{
	struct nlattr *tb[DSLITE_AFTR_PREFIX_A_MAX + 1];
	struct nlattr *nest = info->attrs[type];
	struct in6_addr net;
	int err;

	err = prefix_parse(info, type, tb);
	if (err)
		return err;
	if (!tb[DSLITE_AFTR_PREFIX_A_ADDR6] || !tb[DSLITE_AFTR_PREFIX_A_LEN] ||
	    tb[DSLITE_AFTR_PREFIX_A_ADDR4]) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "a B4 prefix needs ADDR6 and LEN, no ADDR4");
		return -EINVAL;
	}
	p->addr = nla_get_in6_addr(tb[DSLITE_AFTR_PREFIX_A_ADDR6]);
	p->len = nla_get_u8(tb[DSLITE_AFTR_PREFIX_A_LEN]);
	ipv6_addr_prefix(&net, &p->addr, p->len);
	if (!ipv6_addr_equal(&net, &p->addr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[DSLITE_AFTR_PREFIX_A_ADDR6],
				    "host bits set in the B4 prefix");
		return -EINVAL;
	}
	return 0;
}

static int prefix6_find(const struct aftr_prefix6_set *set, const struct aftr_prefix6 *p)
{
	unsigned int i;

	for (i = 0; set && i < set->n; i++)
		if (set->p[i].len == p->len && ipv6_addr_equal(&set->p[i].addr, &p->addr))
			return i;
	return -1;
}

/* Publishes @set in place of *@slot; readers see one or the other. */
static void prefix_set_replace(struct aftr_prefix6_set __rcu **slot,
			       struct aftr_prefix6_set *set)
{
	struct aftr_prefix6_set *old = rtnl_dereference(*slot);

	if (set)
		aftr_prefix6_set_index(set);
	rcu_assign_pointer(*slot, set);
	if (old)
		kvfree_rcu(old, rcu);
}

/* @p added to the set at *@slot, last; -EEXIST when it is there already. */
static int prefix_set_add(struct aftr_prefix6_set __rcu **slot, const struct aftr_prefix6 *p)
{
	const struct aftr_prefix6_set *old = rtnl_dereference(*slot);
	unsigned int n = prefix_set_len(old);
	struct aftr_prefix6_set *set;

	if (prefix6_find(old, p) >= 0)
		return -EEXIST;
	set = aftr_prefix6_set_alloc(n + 1);
	if (!set)
		return -ENOMEM;
	if (n)
		memcpy(set->p, old->p, n * sizeof(*set->p));
	set->p[n] = *p;
	prefix_set_replace(slot, set);
	return 0;
}

/* @p taken out of the set at *@slot; -ENOENT when it is not there. */
static int prefix_set_del(struct aftr_prefix6_set __rcu **slot, const struct aftr_prefix6 *p)
{
	const struct aftr_prefix6_set *old = rtnl_dereference(*slot);
	struct aftr_prefix6_set *set = NULL;
	int idx = prefix6_find(old, p);

	if (idx < 0)
		return -ENOENT;
	if (old->n > 1) {
		set = aftr_prefix6_set_alloc(old->n - 1);
		if (!set)
			return -ENOMEM;
		memcpy(set->p, old->p, idx * sizeof(*set->p));
		memcpy(set->p + idx, old->p + idx + 1, (old->n - idx - 1) * sizeof(*set->p));
	}
	prefix_set_replace(slot, set);
	return 0;
}

static int b4_allow_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aftr_dev *ad = info->user_ptr[0];
	struct aftr_prefix6 p;
	int err;

	err = aftr_genl_prefix6_parse(info, DSLITE_AFTR_A_PREFIX, &p);
	if (err)
		return err;
	err = prefix_set_add(&ad->allowed, &p);
	if (err == -EEXIST)
		NL_SET_ERR_MSG_MOD(info->extack, "prefix already allowed");
	return err;
}

struct deny_arg {
	struct aftr_dev *ad;
	const struct aftr_prefix6 *prefix;
};

/* A subscriber under the denied prefix that no allowed prefix covers now. */
static bool b4_denied(const struct aftr_b4 *b4, const void *arg)
{
	const struct deny_arg *deny = arg;

	return ipv6_prefix_equal(&b4->prefix, &deny->prefix->addr,
				 min(deny->prefix->len, b4->plen)) &&
	       !aftr_b4_allowed(deny->ad, &b4->prefix);
}

/*
 * Ends that may take long run with RTNL dropped, so that neither other
 * configuration nor the rest of the stack waits; the instance's end waits
 * for them (@sweeps).
 */
static void sweep_begin(struct aftr_dev *ad)
{
	ASSERT_RTNL();
	atomic_inc(&ad->sweeps);
	rtnl_unlock();
}

static void sweep_end(struct aftr_dev *ad)
{
	if (atomic_dec_and_test(&ad->sweeps))
		wake_up_var(&ad->sweeps);
	rtnl_lock();
}

void aftr_genl_end_b4s(struct aftr_dev *ad,
		       bool (*match)(const struct aftr_b4 *b4, const void *arg),
		       const void *arg)
{
	sweep_begin(ad);
	aftr_bindings_end_b4s(ad, match, arg);
	sweep_end(ad);
}

static int b4_deny_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aftr_dev *ad = info->user_ptr[0];
	struct aftr_prefix6 p;
	int err;

	err = aftr_genl_prefix6_parse(info, DSLITE_AFTR_A_PREFIX, &p);
	if (err)
		return err;
	err = prefix_set_del(&ad->allowed, &p);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_MOD(info->extack, "prefix is not allowed");
	if (err)
		return err;
	/* After the publication, so that no new B4 appears under @p meanwhile. */
	aftr_genl_end_b4s(ad, b4_denied, &(struct deny_arg){ .ad = ad, .prefix = &p });
	return 0;
}

/*
 * Ranges no pool may touch: addresses no host has (0/8, loopback,
 * multicast, the limited broadcast) and DS-Lite's own 192.0.0.0/29 (RFC
 * 6333), which B4s and the AFTR use for themselves.
 */
static const struct {
	u32 addr;
	u8 len;
	const char *why;
} pool_refused[] = {
	{ 0x00000000, 8, KBUILD_MODNAME ": 0.0.0.0/8 is no host's" },
	{ 0x7f000000, 8, KBUILD_MODNAME ": 127.0.0.0/8 is loopback" },
	{ 0xc0000000, 29, KBUILD_MODNAME ": 192.0.0.0/29 is DS-Lite's own (RFC 6333)" },
	{ 0xe0000000, 4, KBUILD_MODNAME ": 224.0.0.0/4 is multicast" },
	{ 0xffffffff, 32, KBUILD_MODNAME ": 255.255.255.255 is the limited broadcast" },
};

/* Why no pool may cover @addr/@len; NULL if it may. */
static const char *pool_prefix_refused(__be32 addr, u8 len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pool_refused); i++)
		if (!((ntohl(addr) ^ pool_refused[i].addr) &
		      ntohl(inet_make_mask(min(len, pool_refused[i].len)))))
			return pool_refused[i].why;
	return NULL;
}

/* What an IPv4 prefix of a request may be, and what a refusal says. */
struct prefix4_kind {
	u8 min_len;
	const char *need;
	const char *range;
	const char *host_bits;
};

static const struct prefix4_kind pool_kind = {
	.min_len = DSLITE_AFTR_MIN_POOL_PREFIX_LEN,
	.need = KBUILD_MODNAME ": a pool prefix needs ADDR4 and LEN, no ADDR6",
	.range = KBUILD_MODNAME ": pool prefix length must be 20 to 32",
	.host_bits = KBUILD_MODNAME ": host bits set in the pool prefix",
};

/* Not /0: that would exempt every destination, the NAT with it. */
static const struct prefix4_kind exempt_kind = {
	.min_len = 1,
	.need = KBUILD_MODNAME ": an exempt prefix needs ADDR4 and LEN, no ADDR6",
	.range = KBUILD_MODNAME ": exempt prefix length must be 1 to 32",
	.host_bits = KBUILD_MODNAME ": host bits set in the exempt prefix",
};

/* Refuses @attr with @msg, a message of static storage as extack wants. */
static int refuse(struct genl_info *info, const struct nlattr *attr, const char *msg)
{
	NL_SET_BAD_ATTR(info->extack, attr);
	if (info->extack)
		info->extack->_msg = msg;
	return -EINVAL;
}

static int prefix4_parse(struct genl_info *info, u16 type, const struct prefix4_kind *kind,
			 __be32 *addr, u8 *len)
{
	const char *why;
	struct nlattr *tb[DSLITE_AFTR_PREFIX_A_MAX + 1];
	int err;

	err = prefix_parse(info, type, tb);
	if (err)
		return err;
	if (!tb[DSLITE_AFTR_PREFIX_A_ADDR4] || !tb[DSLITE_AFTR_PREFIX_A_LEN] ||
	    tb[DSLITE_AFTR_PREFIX_A_ADDR6])
		return refuse(info, info->attrs[type], kind->need);
	*addr = nla_get_in_addr(tb[DSLITE_AFTR_PREFIX_A_ADDR4]);
	*len = nla_get_u8(tb[DSLITE_AFTR_PREFIX_A_LEN]);
	if (*len < kind->min_len || *len > 32)
		return refuse(info, tb[DSLITE_AFTR_PREFIX_A_LEN], kind->range);
	if (*addr & ~inet_make_mask(*len))
		return refuse(info, tb[DSLITE_AFTR_PREFIX_A_ADDR4], kind->host_bits);
	why = pool_prefix_refused(*addr, *len);
	if (why)
		return refuse(info, tb[DSLITE_AFTR_PREFIX_A_ADDR4], why);
	return 0;
}

int aftr_genl_prefix4_parse(struct genl_info *info, u16 type, __be32 *addr, u8 *len)
{
	return prefix4_parse(info, type, &pool_kind, addr, len);
}

static int pool_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *min_attr = info->attrs[DSLITE_AFTR_A_PORT_MIN];
	struct nlattr *max_attr = info->attrs[DSLITE_AFTR_A_PORT_MAX];
	u16 min = min_attr ? nla_get_u16(min_attr) : DSLITE_AFTR_DEF_PORT_MIN;
	u16 max = max_attr ? nla_get_u16(max_attr) : DSLITE_AFTR_DEF_PORT_MAX;
	__be32 addr;
	int err;
	u8 len;

	err = aftr_genl_prefix4_parse(info, DSLITE_AFTR_A_PREFIX, &addr, &len);
	if (err)
		return err;
	if (min > max) {
		NL_SET_ERR_MSG_ATTR(info->extack, min_attr ?: max_attr,
				    "PORT_MIN is above PORT_MAX");
		return -EINVAL;
	}
	return aftr_pool_add(info->user_ptr[0], addr, len, min, max, info->extack);
}

static int pool_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aftr_dev *ad = info->user_ptr[0];
	struct aftr_pool *pool;
	__be32 addr;
	int err;
	u8 len;

	err = aftr_genl_prefix4_parse(info, DSLITE_AFTR_A_PREFIX, &addr, &len);
	if (err)
		return err;
	pool = aftr_pool_unlist(ad, addr, len, info->extack);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	/* This waits for every reader of the list first: then none can reach the pool. */
	aftr_genl_end_b4s(ad, aftr_pool_holds, pool);
	aftr_pool_free(pool);
	return 0;
}

/* The exempt prefix of a request, mapped into IPv6 as the set keeps it. */
static int exempt_parse(struct genl_info *info, struct aftr_prefix6 *p)
{
	__be32 addr;
	int err;
	u8 len;

	err = prefix4_parse(info, DSLITE_AFTR_A_PREFIX, &exempt_kind, &addr, &len);
	if (err)
		return err;
	ipv6_addr_set_v4mapped(addr, &p->addr);
	p->len = 96 + len;
	return 0;
}

/*
 * Flows whose destination no exempt prefix covers now end, once every
 * packet that saw the old set is through; with RTNL dropped, as there may
 * be many.
 */
static void exempt_end_flows(struct aftr_dev *ad)
{
	sweep_begin(ad);
	aftr_bindings_end_exempt(ad);
	sweep_end(ad);
}

/* EXEMPT_ADD and EXEMPT_DEL. */
static int exempt_change_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aftr_dev *ad = info->user_ptr[0];
	struct aftr_prefix6 p;
	int err;

	err = exempt_parse(info, &p);
	if (err)
		return err;
	if (info->genlhdr->cmd == DSLITE_AFTR_CMD_EXEMPT_ADD) {
		err = prefix_set_add(&ad->exempt, &p);
		if (err == -EEXIST)
			NL_SET_ERR_MSG_MOD(info->extack, "prefix already exempt");
		return err;
	}
	err = prefix_set_del(&ad->exempt, &p);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_MOD(info->extack, "prefix is not exempt");
	if (err)
		return err;
	exempt_end_flows(ad);
	return 0;
}

static int exempt_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aftr_dev *ad = info->user_ptr[0];

	prefix_set_replace(&ad->exempt, NULL);
	exempt_end_flows(ad);
	return 0;
}

static int pool_fill(struct sk_buff *skb, struct netlink_callback *cb,
		     const struct aftr_pool_info *pi)
{
	struct nlattr *prefix;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &aftr_genl_family, NLM_F_MULTI, DSLITE_AFTR_CMD_POOL_GET);
	if (!hdr)
		return -EMSGSIZE;
	prefix = nla_nest_start(skb, DSLITE_AFTR_A_PREFIX);
	if (!prefix ||
	    nla_put_in_addr(skb, DSLITE_AFTR_PREFIX_A_ADDR4, pi->prefix) ||
	    nla_put_u8(skb, DSLITE_AFTR_PREFIX_A_LEN, pi->len))
		goto cancel;
	nla_nest_end(skb, prefix);
	if (nla_put_u16(skb, DSLITE_AFTR_A_PORT_MIN, pi->port_min) ||
	    nla_put_u16(skb, DSLITE_AFTR_A_PORT_MAX, pi->port_max) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_B4_COUNT, pi->b4s) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_BLOCK_COUNT, pi->blocks_used) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_BLOCK_TOTAL, pi->blocks_total))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int pool_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned int idx = cb->args[0];
	struct aftr_pool_info pi;
	struct aftr_dev *ad;

	rtnl_lock();
	ad = dev_from_attrs(sock_net(skb->sk), aftr_compat_dump_attrs(cb), cb->extack);
	if (IS_ERR(ad)) {
		rtnl_unlock();
		return PTR_ERR(ad);
	}
	while (aftr_pool_info(ad, idx, &pi) && !pool_fill(skb, cb, &pi))
		idx++;
	rtnl_unlock();
	cb->args[0] = idx;
	return skb->len;
}

/*
 * The optional filters of BINDING_GET (all) and BINDING_FLUSH (B4_ADDR and
 * PROTO): a port of 0 is any port of the address.
 */
struct binding_filter {
	struct in6_addr b4;
	bool has_b4;
	u8 proto;
	bool has_outer, has_inner;
	__be32 outer_addr, inner_addr;
	__be16 outer_port, inner_port;
};

/* ADDR and PORT attributes of one side; a port alone is refused. */
static int side_parse(struct nlattr **attrs, u16 addr_type, u16 port_type, bool *has,
		      __be32 *addr, __be16 *port, struct netlink_ext_ack *extack)
{
	*has = attrs[addr_type];
	*addr = *has ? nla_get_in_addr(attrs[addr_type]) : 0;
	*port = attrs[port_type] ? htons(nla_get_u16(attrs[port_type])) : 0;
	if (attrs[port_type] && !*has) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[port_type], "a port filter needs its address");
		return -EINVAL;
	}
	return 0;
}

static int filter_parse(struct nlattr **attrs, struct binding_filter *f,
			struct netlink_ext_ack *extack)
{
	struct nlattr *proto = attrs[DSLITE_AFTR_A_PROTO];

	f->has_b4 = attrs[DSLITE_AFTR_A_B4_ADDR];
	if (f->has_b4)
		f->b4 = nla_get_in6_addr(attrs[DSLITE_AFTR_A_B4_ADDR]);
	f->proto = proto ? nla_get_u8(proto) : 0;
	if (proto && f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP &&
	    f->proto != IPPROTO_ICMP) {
		NL_SET_ERR_MSG_ATTR(extack, proto, "PROTO must be TCP (6), UDP (17) or ICMP (1)");
		return -EINVAL;
	}
	return side_parse(attrs, DSLITE_AFTR_A_OUTER_ADDR, DSLITE_AFTR_A_OUTER_PORT,
			  &f->has_outer, &f->outer_addr, &f->outer_port, extack) ?:
	       side_parse(attrs, DSLITE_AFTR_A_INNER_ADDR, DSLITE_AFTR_A_INNER_PORT,
			  &f->has_inner, &f->inner_addr, &f->inner_port, extack);
}

static int binding_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct binding_filter f;
	int err;

	err = filter_parse(info->attrs, &f, info->extack);
	if (err)
		return err;
	/* Ignored, they would widen the flush to every binding. */
	if (f.has_outer || f.has_inner) {
		NL_SET_ERR_MSG_MOD(info->extack, "BINDING_FLUSH filters by B4_ADDR and PROTO only");
		return -EOPNOTSUPP;
	}
	aftr_binding_flush(info->user_ptr[0], f.has_b4 ? &f.b4 : NULL, f.proto);
	/* Their permissions would only wait to expire (NAT-2). */
	aftr_filter_flush(info->user_ptr[0], f.has_b4 ? &f.b4 : NULL, f.proto);
	return 0;
}

/**
 * struct table_dump - a dump of an rhashtable, resumed chunk after chunk
 * @iter: walker on the table; it stays registered with the table between
 *	chunks, so the table must not go before the walker: the instance ends
 *	its dumps (aftr_genl_dev_gone()) before destroying its tables
 * @list: entry in the instance's @dumps, under RTNL
 * @ad: the instance; NULL before the first chunk, ERR_PTR once it is gone
 * @filtered: the request may carry B4_ADDR and PROTO filters
 * @filter: what they select
 * @finished: the walk reached the end
 * @pos: where a dump of one subscriber's bindings resumes
 * @fill: puts one object in the message; 0 also when it skips the object
 * @table: the table to walk
 */
struct table_dump {
	struct rhashtable_iter iter;
	struct list_head list;
	struct aftr_dev *ad;
	bool filtered;
	struct binding_filter filter;
	bool finished;
	u64 pos;
	int (*fill)(struct sk_buff *skb, struct netlink_callback *cb,
		    struct table_dump *td, void *obj);
	struct rhashtable *(*table)(struct aftr_dev *ad);
};

static struct table_dump *table_dump_of(struct netlink_callback *cb)
{
	return (struct table_dump *)cb->args[0];
}

static int table_dump_done(struct netlink_callback *cb)
{
	struct table_dump *td = table_dump_of(cb);

	rtnl_lock();
	if (!IS_ERR_OR_NULL(td->ad)) {
		list_del(&td->list);
		rhashtable_walk_exit(&td->iter);
	}
	rtnl_unlock();
	kfree(td);
	return 0;
}

void aftr_genl_dev_gone(struct aftr_dev *ad)
{
	struct table_dump *td, *next;

	ASSERT_RTNL();
	list_for_each_entry_safe(td, next, &ad->dumps, list) {
		list_del(&td->list);
		rhashtable_walk_exit(&td->iter);
		td->ad = ERR_PTR(-ENODEV);
	}
}

/*
 * The request is read on the first chunk rather than in .start, whose
 * extack does not reach userspace.
 */
static int table_dump_attach(struct sk_buff *skb, struct netlink_callback *cb,
			     struct table_dump *td)
{
	struct nlattr **attrs = aftr_compat_dump_attrs(cb);
	struct aftr_dev *ad;
	int err;

	if (td->filtered) {
		err = filter_parse(attrs, &td->filter, cb->extack);
		if (err)
			return err;
	}
	ad = dev_from_attrs(sock_net(skb->sk), attrs, cb->extack);
	if (IS_ERR(ad))
		return PTR_ERR(ad);
	td->ad = ad;
	rhashtable_walk_enter(td->table(ad), &td->iter);
	list_add(&td->list, &ad->dumps);
	/* A resize restarts the walk: cb->seq moves, and messages get DUMP_INTR. */
	cb->seq = 1;
	cb->prev_seq = 1;
	return 0;
}

static void table_dump_walk(struct sk_buff *skb, struct netlink_callback *cb,
			    struct table_dump *td)
{
	void *obj;

	rhashtable_walk_start(&td->iter);
	/* Peek first: the object that did not fit in the previous chunk. */
	obj = rhashtable_walk_peek(&td->iter);
	for (;;) {
		if (IS_ERR(obj)) {
			cb->seq++;
		} else if (!obj) {
			td->finished = true;
			break;
		} else if (td->fill(skb, cb, td, obj)) {
			break;
		}
		obj = rhashtable_walk_next(&td->iter);
	}
	rhashtable_walk_stop(&td->iter);
}

struct b4_dump_arg {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct table_dump *td;
};

static bool b4_dump_one(struct aftr_binding *b, void *arg)
{
	struct b4_dump_arg *da = arg;

	return da->td->fill(da->skb, da->cb, da->td, b) != 0;
}

/*
 * One subscriber's bindings, found through its ports, resuming at the one
 * that did not fit: O(chunk), not a walk of the whole table per chunk.
 */
static void b4_dump_walk(struct sk_buff *skb, struct netlink_callback *cb,
			 struct table_dump *td)
{
	struct b4_dump_arg da = { .skb = skb, .cb = cb, .td = td };

	rcu_read_lock();
	td->finished = !aftr_binding_walk_b4(td->ad, &td->filter.b4, &td->pos,
					     b4_dump_one, &da);
	rcu_read_unlock();
}

static const u8 outer_protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };

/*
 * The bindings of one outside address (and port): looked up in the outside
 * index, port by port, from the position (protocol, port) in td->pos, in
 * O(ports asked for), whatever the table holds ("who has 198.51.100.7
 * port 40001").
 */
static void outer_dump_walk(struct sk_buff *skb, struct netlink_callback *cb,
			    struct table_dump *td)
{
	const struct binding_filter *f = &td->filter;
	struct aftr_key_out key = { .addr = f->outer_addr };
	u32 lo = f->outer_port ? ntohs(f->outer_port) : 0, hi = f->outer_port ? lo : 0xffff;
	struct aftr_binding *b;
	u64 pos;

	rcu_read_lock();
	for (pos = max_t(u64, td->pos, lo); pos >> 16 < ARRAY_SIZE(outer_protos); pos++) {
		if ((pos & 0xffff) > hi) {
			pos = ((pos >> 16) + 1) << 16 | lo;
			if (pos >> 16 >= ARRAY_SIZE(outer_protos))
				break;
		}
		key.proto = outer_protos[pos >> 16];
		if (f->proto && f->proto != key.proto)
			continue;
		key.port = htons(pos & 0xffff);
		b = aftr_binding_lookup_out(td->ad, &key);
		if (b && td->fill(skb, cb, td, b)) {
			td->pos = pos;
			rcu_read_unlock();
			return;
		}
		/* No binding is held across: the walk may rest. */
		if (!(pos & 0xff)) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
	td->finished = true;
}

static int table_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct table_dump *td = table_dump_of(cb);
	int err = 0;

	rtnl_lock();
	if (IS_ERR(td->ad)) {
		NL_SET_ERR_MSG_MOD(cb->extack, "the dslite device went away");
		err = PTR_ERR(td->ad);
	} else if (!td->ad) {
		err = table_dump_attach(skb, cb, td);
	}
	if (!err && !td->finished) {
		if (td->filtered && td->filter.has_b4)
			b4_dump_walk(skb, cb, td);
		else if (td->filtered && td->filter.has_outer)
			outer_dump_walk(skb, cb, td);
		else
			table_dump_walk(skb, cb, td);
		/* Ending here would look like the end of the table. */
		if (!td->finished && !skb->len) {
			NL_SET_ERR_MSG_MOD(cb->extack,
					   "an entry does not fit in a message: read with a larger buffer");
			err = -EMSGSIZE;
		}
	}
	rtnl_unlock();
	return err ?: skb->len;
}

void *aftr_genl_dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &aftr_genl_family, NLM_F_MULTI, cmd);
	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

int aftr_genl_put_b4_prefix(struct sk_buff *skb, const struct in6_addr *a, u8 len)
{
	struct aftr_prefix6 p = { .addr = *a, .len = len };

	return put_prefix6(skb, DSLITE_AFTR_A_B4_PREFIX, &p);
}

/* The B4 address its subscriber last sent from, not the prefix it is keyed by. */
int aftr_genl_put_binding(struct sk_buff *skb, const struct aftr_binding *b)
{
	struct in6_addr endpoint, b4;

	aftr_b4_route(b->b4, &endpoint, &b4);
	if (nla_put_in6_addr(skb, DSLITE_AFTR_A_B4_ADDR, &b4) ||
	    nla_put_u8(skb, DSLITE_AFTR_A_PROTO, b->in.proto) ||
	    nla_put_in_addr(skb, DSLITE_AFTR_A_INNER_ADDR, b->in.addr) ||
	    nla_put_u16(skb, DSLITE_AFTR_A_INNER_PORT, ntohs(b->in.port)) ||
	    nla_put_in_addr(skb, DSLITE_AFTR_A_OUTER_ADDR, b->out.addr) ||
	    nla_put_u16(skb, DSLITE_AFTR_A_OUTER_PORT, ntohs(b->out.port)))
		return -EMSGSIZE;
	return 0;
}

/* For aftr_b4_ranges(): one range of a B4, as its own nest. */
static int put_port_range(void *arg, u16 first, u16 last)
{
	struct sk_buff *skb = arg;
	struct nlattr *nest = nla_nest_start(skb, DSLITE_AFTR_A_PORT_RANGE);

	if (!nest || nla_put_u16(skb, DSLITE_AFTR_A_PORT_MIN, first) ||
	    nla_put_u16(skb, DSLITE_AFTR_A_PORT_MAX, last))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int b4_fill(struct sk_buff *skb, struct netlink_callback *cb,
		   struct table_dump *td, void *obj)
{
	struct aftr_b4 *b4 = obj;
	struct in6_addr endpoint, addr;
	void *hdr;

	if (READ_ONCE(b4->dead))
		return 0;
	hdr = aftr_genl_dump_put(skb, cb, DSLITE_AFTR_CMD_B4_GET);
	if (!hdr)
		return -EMSGSIZE;
	aftr_b4_route(b4, &endpoint, &addr);
	if (aftr_genl_put_b4_prefix(skb, &b4->prefix, b4->plen) ||
	    nla_put_in6_addr(skb, DSLITE_AFTR_A_B4_ADDR, &addr) ||
	    nla_put_in6_addr(skb, DSLITE_AFTR_A_ENDPOINT, &endpoint) ||
	    nla_put_in_addr(skb, DSLITE_AFTR_A_OUTER_ADDR, b4->ext) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_BLOCK_COUNT, READ_ONCE(b4->nblocks)) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_BINDING_COUNT, READ_ONCE(b4->nbindings)) ||
	    aftr_b4_ranges(b4, put_port_range, skb)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static u32 expires_ms(const struct aftr_dev *ad, const struct aftr_binding *b)
{
	unsigned long timeout = aftr_binding_timeout(ad, b);
	u32 elapsed = (u32)jiffies - READ_ONCE(b->last);

	return elapsed < timeout ? jiffies_to_msecs(timeout - elapsed) : 0;
}

static bool side_selected(bool has, __be32 addr, __be16 port, __be32 baddr, __be16 bport)
{
	return !has || (addr == baddr && (!port || port == bport));
}

static bool binding_selected(const struct binding_filter *f, const struct aftr_binding *b)
{
	return (!f->has_b4 || ipv6_prefix_equal(&f->b4, &b->in.b4, b->b4->plen)) &&
	       (!f->proto || f->proto == b->in.proto) &&
	       side_selected(f->has_outer, f->outer_addr, f->outer_port, b->out.addr,
			     b->out.port) &&
	       side_selected(f->has_inner, f->inner_addr, f->inner_port, b->in.addr,
			     b->in.port);
}

static int binding_fill(struct sk_buff *skb, struct netlink_callback *cb,
			struct table_dump *td, void *obj)
{
	const struct aftr_binding *b = obj;
	u8 state = READ_ONCE(b->state);
	void *hdr;

	if (state > DSLITE_AFTR_STATE_MAX || !binding_selected(&td->filter, b))
		return 0;
	hdr = aftr_genl_dump_put(skb, cb, DSLITE_AFTR_CMD_BINDING_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (aftr_genl_put_binding(skb, b) ||
	    nla_put_u8(skb, DSLITE_AFTR_A_STATE, state) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_EXPIRES_MS, expires_ms(td->ad, b))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int table_dump_start(struct netlink_callback *cb, struct table_dump *td)
{
	if (!td)
		return -ENOMEM;
	INIT_LIST_HEAD(&td->list);
	cb->args[0] = (long)td;
	return 0;
}

static int b4_get_start(struct netlink_callback *cb)
{
	struct table_dump *td = kzalloc(sizeof(*td), GFP_KERNEL);

	if (td) {
		td->fill = b4_fill;
		td->table = aftr_b4s_table;
	}
	return table_dump_start(cb, td);
}

static int binding_get_start(struct netlink_callback *cb)
{
	struct table_dump *td = kzalloc(sizeof(*td), GFP_KERNEL);

	if (td) {
		td->filtered = true;
		td->fill = binding_fill;
		td->table = aftr_bindings_table;
	}
	return table_dump_start(cb, td);
}

static int stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aftr_dev *ad = info->user_ptr[0];
	struct nlattr *nest;
	struct sk_buff *msg;
	unsigned int i, cpu;
	void *hdr;
	u64 sum;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &aftr_genl_family, 0, DSLITE_AFTR_CMD_STATS_GET);
	if (!hdr || put_ident(msg, ad))
		goto nospace;
	nest = nla_nest_start(msg, DSLITE_AFTR_A_STATS);
	if (!nest)
		goto nospace;
	/* The spec names each counter's attribute too: keep the two in step. */
	BUILD_BUG_ON(DSLITE_AFTR_STATS_A_MAX != __DSLITE_AFTR_STAT_MAX);
	for (i = 0; i < __DSLITE_AFTR_STAT_MAX; i++) {
		sum = 0;
		for_each_possible_cpu(cpu)
			sum += READ_ONCE(per_cpu_ptr(ad->stats, cpu)->cnt[i]);
		if (nla_put_u64_64bit(msg, i + 1, sum, STATS_PAD))
			goto nospace;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops aftr_genl_ops[] = {
	{
		.cmd = DSLITE_AFTR_CMD_DEV_GET,
		.doit = dev_get_doit,
		.dumpit = dev_get_dumpit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_DEV_SET,
		.doit = dev_set_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_B4_ALLOW,
		.doit = b4_allow_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_B4_DENY,
		.doit = b4_deny_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_B4_GET,
		.start = b4_get_start,
		.dumpit = table_dumpit,
		.done = table_dump_done,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_POOL_ADD,
		.doit = pool_add_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_POOL_DEL,
		.doit = pool_del_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_POOL_GET,
		.dumpit = pool_get_dumpit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_BINDING_GET,
		.start = binding_get_start,
		.dumpit = table_dumpit,
		.done = table_dump_done,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_BINDING_FLUSH,
		.doit = binding_flush_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_STATS_GET,
		.doit = stats_get_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_DET_ADD,
		.doit = aftr_det_add_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_DET_DEL,
		.doit = aftr_det_del_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_DET_GET,
		.dumpit = aftr_det_get_dumpit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_DET_LOOKUP,
		.doit = aftr_det_lookup_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_ALLOWED_GET,
		.dumpit = allowed_get_dumpit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_STATIC_ADD,
		.doit = aftr_static_add_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_STATIC_DEL,
		.doit = aftr_static_del_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_STATIC_GET,
		.dumpit = aftr_static_get_dumpit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_EXEMPT_ADD,
		.doit = exempt_change_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_EXEMPT_DEL,
		.doit = exempt_change_doit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_EXEMPT_GET,
		.dumpit = exempt_get_dumpit,
		.flags = GENL_ADMIN_PERM,
	}, {
		.cmd = DSLITE_AFTR_CMD_EXEMPT_FLUSH,
		.doit = exempt_flush_doit,
		.flags = GENL_ADMIN_PERM,
	},
};

/* Listeners need CAP_NET_ADMIN: events name subscribers (CGN-6). */
static const struct genl_multicast_group aftr_mcgrps[] = {
	[AFTR_MCGRP_EVENTS] = {
		.name = DSLITE_AFTR_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/*
 * No .resv_start_op: the commands below it skip the header checks (reserved
 * field zero, only the nlmsg_flags genetlink gives a meaning to) for the
 * sake of old userspace. A family born after 6.1 has none: check them all.
 */
struct genl_family aftr_genl_family __ro_after_init = {
	.name = DSLITE_AFTR_GENL_NAME,
	.version = DSLITE_AFTR_GENL_VERSION,
	.maxattr = DSLITE_AFTR_A_MAX,
	.policy = aftr_policy,
	.netnsok = true,
	.pre_doit = pre_doit,
	.post_doit = post_doit,
	.ops = aftr_genl_ops,
	.n_ops = ARRAY_SIZE(aftr_genl_ops),
	.mcgrps = aftr_mcgrps,
	.n_mcgrps = ARRAY_SIZE(aftr_mcgrps),
	.module = THIS_MODULE,
};

int __init aftr_genl_init(void)
{
	return genl_register_family(&aftr_genl_family);
}

void aftr_genl_exit(void)
{
	genl_unregister_family(&aftr_genl_family);
}
