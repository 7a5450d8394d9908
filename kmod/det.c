// SPDX-License-Identifier: GPL-2.0
/*
 * Deterministic rules. A rule covers nb4 = 2^(len - plen) B4 prefixes and
 * naddr = 2^(32 - pool_len) addresses; B4 number i (the bits plen to len - 1
 * of its address) gets address i / share and the slot i % share of the port
 * range on it, where share = ceil(nb4 / naddr) B4s share an address and each
 * slot holds ppb = floor(ports / share) ports. Consecutive B4s share an
 * address, so a reverse lookup is a division, and every rule is one address
 * and one range per B4 with no state kept per B4 to know it.
 *
 * A rule's addresses are a pool of their own (pool.c) that dynamic pairing
 * never sees: its B4s hold one block each, their range.
 */
#include <linux/inetdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/ipv6.h>

#include "b4.h"
#include "binding.h"
#include "det.h"
#include "netlink.h"
#include "pool.h"

/**
 * struct aftr_det_rule - one deterministic rule
 * @b4: the B4 prefix set, @plen long
 * @plen: its length
 * @len: length of each B4's prefix
 * @prefix: first pool address
 * @pool_len: pool prefix length
 * @port_min: first port of the range
 * @port_max: last port of the range
 * @nb4: B4 prefixes in the rule
 * @share: B4s per address
 * @ppb: ports per B4
 * @pool: the addresses, as pool.c keeps them
 */
struct aftr_det_rule {
	struct in6_addr b4;
	u8 plen;
	u8 len;
	__be32 prefix;
	u8 pool_len;
	u16 port_min;
	u16 port_max;
	u32 nb4;
	u32 share;
	u32 ppb;
	struct aftr_pool *pool;
};

/*
 * The rules of an instance, replaced whole under RTNL, sorted by B4 prefix:
 * those never overlap, so a binary search finds a B4's rule.
 */
struct aftr_det_rules {
	struct rcu_head rcu;
	unsigned int n;
	struct aftr_det_rule *r[];
};

static u32 naddr_of(u8 pool_len)
{
	return 1U << (32 - pool_len);
}

/* An IPv6 address as a 128-bit number in two halves. */
static void addr_split(const struct in6_addr *a, u64 *hi, u64 *lo)
{
	*hi = (u64)ntohl(a->s6_addr32[0]) << 32 | ntohl(a->s6_addr32[1]);
	*lo = (u64)ntohl(a->s6_addr32[2]) << 32 | ntohl(a->s6_addr32[3]);
}

/* The number of the B4 prefix @a is in: its bits @plen to @len - 1. */
static u32 b4_index(const struct aftr_det_rule *r, const struct in6_addr *a)
{
	unsigned int shift = 128 - r->len;
	u64 hi, lo, v;

	if (r->len == r->plen)
		return 0;
	addr_split(a, &hi, &lo);
	if (shift >= 64)
		v = hi >> (shift - 64);
	else if (shift)
		v = lo >> shift | hi << (64 - shift);
	else
		v = lo;
	return v & ((1ULL << (r->len - r->plen)) - 1);
}

/* The prefix of B4 number @i: the rule's prefix with @i in bits plen..len. */
static void b4_prefix(const struct aftr_det_rule *r, u32 i, struct in6_addr *a)
{
	unsigned int shift = 128 - r->len;
	u64 hi, lo;

	addr_split(&r->b4, &hi, &lo);
	if (shift >= 64) {
		hi |= (u64)i << (shift - 64);
	} else {
		lo |= (u64)i << shift;
		if (shift)
			hi |= (u64)i >> (64 - shift);
	}
	a->s6_addr32[0] = htonl(hi >> 32);
	a->s6_addr32[1] = htonl((u32)hi);
	a->s6_addr32[2] = htonl(lo >> 32);
	a->s6_addr32[3] = htonl((u32)lo);
}

static bool pool_has(const struct aftr_det_rule *r, __be32 addr)
{
	return !((addr ^ r->prefix) & inet_make_mask(r->pool_len));
}

/* On the packet path for every softwire packet: O(log n) in the rules. */
static const struct aftr_det_rule *rule_of_b4(const struct aftr_det_rules *rs,
					      const struct in6_addr *addr)
{
	unsigned int lo = 0, hi, mid;
	const struct aftr_det_rule *r;

	if (!rs)
		return NULL;
	hi = rs->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(&rs->r[mid]->b4, addr, sizeof(*addr)) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	r = lo ? rs->r[lo - 1] : NULL;
	return r && ipv6_prefix_equal(addr, &r->b4, r->plen) ? r : NULL;
}

static int rule_cmp(const void *a, const void *b)
{
	const struct aftr_det_rule *ra = *(const struct aftr_det_rule **)a;
	const struct aftr_det_rule *rb = *(const struct aftr_det_rule **)b;

	return memcmp(&ra->b4, &rb->b4, sizeof(ra->b4));
}

static const struct aftr_det_rule *rule_of_addr(const struct aftr_det_rules *rs,
						__be32 addr)
{
	unsigned int i;

	for (i = 0; rs && i < rs->n; i++)
		if (pool_has(rs->r[i], addr))
			return rs->r[i];
	return NULL;
}

int aftr_det_pair(struct aftr_dev *ad, struct aftr_b4 *b4)
{
	const struct aftr_det_rule *r;
	u32 i, slot;

	r = rule_of_b4(rcu_dereference(ad->det), &b4->prefix);
	if (!r)
		return -ENOENT;
	i = b4_index(r, &b4->prefix);
	slot = i % r->share;
	return aftr_pool_pair_det(ad, b4, r->pool, i / r->share, slot,
				  r->port_min + slot * r->ppb, r->ppb);
}

u8 aftr_det_b4_len(struct aftr_dev *ad, const struct in6_addr *addr)
{
	const struct aftr_det_rule *r = rule_of_b4(rcu_dereference_rtnl(ad->det), addr);

	return r ? r->len : 0;
}

bool aftr_det_overlaps(struct aftr_dev *ad, __be32 prefix, u8 len)
{
	const struct aftr_det_rules *rs = rtnl_dereference(ad->det);
	unsigned int i;

	for (i = 0; rs && i < rs->n; i++)
		if (!((prefix ^ rs->r[i]->prefix) &
		      inet_make_mask(min(len, rs->r[i]->pool_len))))
			return true;
	return false;
}

/* Sizes @r from its prefixes and range; refusals say by how much. */
static int rule_size(struct aftr_det_rule *r, struct netlink_ext_ack *extack)
{
	u32 ports = r->port_max - r->port_min + 1, naddr = naddr_of(r->pool_len);

	if (r->len < r->plen) {
		NL_SET_ERR_MSG_MOD(extack, "B4_LEN is shorter than the B4 prefix");
		return -EINVAL;
	}
	if (r->len - r->plen > DSLITE_AFTR_DET_MAX_BITS) {
		AFTR_SET_ERR_MSG_FMT(extack, "too many B4 prefixes in the rule",
				     "2^%u B4 prefixes in the rule, at most 2^%u allowed",
				     r->len - r->plen, DSLITE_AFTR_DET_MAX_BITS);
		return -EINVAL;
	}
	r->nb4 = 1U << (r->len - r->plen);
	r->share = DIV_ROUND_UP(r->nb4, naddr);
	r->ppb = ports / r->share;
	if (r->ppb < DSLITE_AFTR_DET_MIN_PORTS) {
		AFTR_SET_ERR_MSG_FMT(extack, "too many B4s for the ports of the pool",
				     "%u B4s/address need %u ports, %u short",
				     r->share, r->share * DSLITE_AFTR_DET_MIN_PORTS,
				     r->share * DSLITE_AFTR_DET_MIN_PORTS - ports);
		return -ENOSPC;
	}
	return 0;
}

/* Refuses @r if it overlaps a rule of @rs or a dynamic pool. */
static int rule_check_overlap(struct aftr_dev *ad, const struct aftr_det_rules *rs,
			      const struct aftr_det_rule *r,
			      struct netlink_ext_ack *extack)
{
	unsigned int i;

	for (i = 0; rs && i < rs->n; i++) {
		const struct aftr_det_rule *o = rs->r[i];

		if (ipv6_prefix_equal(&r->b4, &o->b4, min(r->plen, o->plen))) {
			AFTR_SET_ERR_MSG_FMT(extack, "B4 prefix overlaps another rule",
					     "B4 prefix overlaps rule %pI6c/%u",
					     &o->b4, o->plen);
			return -EEXIST;
		}
	}
	if (aftr_det_overlaps(ad, r->prefix, r->pool_len)) {
		NL_SET_ERR_MSG_MOD(extack, "pool overlaps the pool of another rule");
		return -EEXIST;
	}
	if (aftr_pools_overlap(ad, r->prefix, r->pool_len)) {
		NL_SET_ERR_MSG_MOD(extack, "pool overlaps a dynamic pool");
		return -EEXIST;
	}
	return 0;
}

static int rule_parse(struct genl_info *info, struct aftr_det_rule *r)
{
	struct nlattr *min_attr = info->attrs[DSLITE_AFTR_A_PORT_MIN];
	struct nlattr *max_attr = info->attrs[DSLITE_AFTR_A_PORT_MAX];
	struct aftr_prefix6 p;
	int err;

	err = aftr_genl_prefix6_parse(info, DSLITE_AFTR_A_B4_PREFIX, &p);
	if (err)
		return err;
	err = aftr_genl_prefix4_parse(info, DSLITE_AFTR_A_PREFIX, &r->prefix,
				      &r->pool_len);
	if (err)
		return err;
	if (!info->attrs[DSLITE_AFTR_A_B4_LEN]) {
		NL_SET_ERR_MSG_MOD(info->extack, "B4_LEN required");
		return -EINVAL;
	}
	r->b4 = p.addr;
	r->plen = p.len;
	r->len = nla_get_u8(info->attrs[DSLITE_AFTR_A_B4_LEN]);
	r->port_min = min_attr ? nla_get_u16(min_attr) : DSLITE_AFTR_DEF_PORT_MIN;
	r->port_max = max_attr ? nla_get_u16(max_attr) : DSLITE_AFTR_DEF_PORT_MAX;
	if (r->port_min > r->port_max) {
		NL_SET_ERR_MSG_ATTR(info->extack, min_attr ?: max_attr,
				    "PORT_MIN is above PORT_MAX");
		return -EINVAL;
	}
	return rule_size(r, info->extack);
}

/* Publishes @rs; readers see the old rules or the new ones. */
static void rules_replace(struct aftr_dev *ad, struct aftr_det_rules *rs)
{
	struct aftr_det_rules *old = rtnl_dereference(ad->det);

	rcu_assign_pointer(ad->det, rs);
	if (old)
		kfree_rcu(old, rcu);
}

/* A B4 in @r's prefix that was paired dynamically before @r came. */
static bool b4_off_rule(const struct aftr_b4 *b4, const void *arg)
{
	const struct aftr_det_rule *r = arg;

	return ipv6_prefix_equal(&b4->prefix, &r->b4, r->plen) &&
	       (b4->plen != r->len || !pool_has(r, b4->ext));
}

static struct aftr_det_rules *rules_alloc(unsigned int n)
{
	struct aftr_det_rules *rs;

	if (!n)
		return NULL;
	rs = kmalloc(struct_size(rs, r, n), GFP_KERNEL_ACCOUNT);
	if (rs)
		rs->n = n;
	return rs;
}

int aftr_det_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aftr_dev *ad = info->user_ptr[0];
	const struct aftr_det_rules *old = rtnl_dereference(ad->det);
	unsigned int n = old ? old->n : 0;
	struct aftr_det_rules *rs;
	struct aftr_det_rule *r;
	int err;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	err = rule_parse(info, r) ?: rule_check_overlap(ad, old, r, info->extack);
	if (err)
		goto free;
	err = -ENOMEM;
	rs = rules_alloc(n + 1);
	if (!rs)
		goto free;
	r->pool = aftr_pool_det_new(ad, r->prefix, r->pool_len, r->port_min,
				    r->port_max);
	if (!r->pool) {
		kfree(rs);
		goto free;
	}
	if (n)
		memcpy(rs->r, old->r, n * sizeof(*rs->r));
	rs->r[n] = r;
	sort(rs->r, n + 1, sizeof(*rs->r), rule_cmp, NULL);
	rules_replace(ad, rs);
	/* Its B4s use their range only: those paired before start again. */
	aftr_genl_end_b4s(ad, b4_off_rule, r);
	return 0;
free:
	kfree(r);
	return err;
}

int aftr_det_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct aftr_dev *ad = info->user_ptr[0];
	const struct aftr_det_rules *old = rtnl_dereference(ad->det);
	struct aftr_det_rules *rs;
	struct aftr_det_rule *r;
	struct aftr_prefix6 p;
	unsigned int i;
	int err;

	err = aftr_genl_prefix6_parse(info, DSLITE_AFTR_A_B4_PREFIX, &p);
	if (err)
		return err;
	for (i = 0; old && i < old->n; i++)
		if (old->r[i]->plen == p.len && ipv6_addr_equal(&old->r[i]->b4, &p.addr))
			break;
	if (!old || i == old->n) {
		NL_SET_ERR_MSG_MOD(info->extack, "no rule with this B4 prefix");
		return -ENOENT;
	}
	r = old->r[i];
	rs = rules_alloc(old->n - 1);
	if (old->n > 1 && !rs)
		return -ENOMEM;
	if (rs) {
		memcpy(rs->r, old->r, i * sizeof(*rs->r));
		memcpy(rs->r + i, old->r + i + 1, (old->n - i - 1) * sizeof(*rs->r));
	}
	rules_replace(ad, rs);
	aftr_pool_det_unlist(r->pool);
	/* Waits for the packet path first: no B4 pairs with @r after. */
	aftr_genl_end_b4s(ad, aftr_pool_holds, r->pool);
	aftr_pool_free(r->pool);
	kfree(r);
	return 0;
}

void aftr_det_destroy(struct aftr_dev *ad)
{
	struct aftr_det_rules *rs = rcu_dereference_protected(ad->det, true);
	unsigned int i;

	for (i = 0; rs && i < rs->n; i++) {
		aftr_pool_det_free(rs->r[i]->pool);
		kfree(rs->r[i]);
	}
	kfree(rs);
	RCU_INIT_POINTER(ad->det, NULL);
}

static int put_range(struct sk_buff *skb, __be32 addr, u16 first, u32 n)
{
	return nla_put_in_addr(skb, DSLITE_AFTR_A_OUTER_ADDR, addr) ||
	       nla_put_u16(skb, DSLITE_AFTR_A_PORT_MIN, first) ||
	       nla_put_u16(skb, DSLITE_AFTR_A_PORT_MAX, first + n - 1);
}

/* B4 number @i of @r: its prefix, address and range. */
static int put_b4(struct sk_buff *skb, const struct aftr_det_rule *r, u32 i)
{
	struct in6_addr a;

	b4_prefix(r, i, &a);
	return aftr_genl_put_b4_prefix(skb, &a, r->len) ||
	       put_range(skb, htonl(ntohl(r->prefix) + i / r->share),
			 r->port_min + (i % r->share) * r->ppb, r->ppb);
}

/* The B4 number owning @addr:@port in @r, or -1. */
static s64 b4_of_port(const struct aftr_det_rule *r, __be32 addr, u16 port)
{
	u32 slot, i;

	if (port < r->port_min || port - r->port_min >= r->share * r->ppb)
		return -1;
	slot = (port - r->port_min) / r->ppb;
	i = (ntohl(addr) - ntohl(r->prefix)) * r->share + slot;
	return i < r->nb4 ? i : -1;
}

static int lookup_one(struct genl_info *info, const struct aftr_det_rule **rule,
		      u32 *idx)
{
	struct nlattr **attrs = info->attrs;
	struct aftr_dev *ad = info->user_ptr[0];
	const struct aftr_det_rules *rs = rtnl_dereference(ad->det);
	struct in6_addr b4;
	__be32 addr;
	s64 i;

	if (attrs[DSLITE_AFTR_A_B4_ADDR]) {
		b4 = nla_get_in6_addr(attrs[DSLITE_AFTR_A_B4_ADDR]);
		*rule = rule_of_b4(rs, &b4);
		if (!*rule) {
			NL_SET_ERR_MSG_MOD(info->extack, "no rule covers this B4");
			return -ENOENT;
		}
		*idx = b4_index(*rule, &b4);
		return 0;
	}
	if (!attrs[DSLITE_AFTR_A_OUTER_ADDR] || !attrs[DSLITE_AFTR_A_OUTER_PORT]) {
		NL_SET_ERR_MSG_MOD(info->extack, "B4_ADDR, or OUTER_ADDR and OUTER_PORT, required");
		return -EINVAL;
	}
	addr = nla_get_in_addr(attrs[DSLITE_AFTR_A_OUTER_ADDR]);
	*rule = rule_of_addr(rs, addr);
	i = *rule ? b4_of_port(*rule, addr, nla_get_u16(attrs[DSLITE_AFTR_A_OUTER_PORT])) : -1;
	if (i < 0) {
		NL_SET_ERR_MSG_MOD(info->extack, "no rule gives out this address and port");
		return -ENOENT;
	}
	*idx = i;
	return 0;
}

int aftr_det_lookup_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct aftr_det_rule *r;
	struct sk_buff *msg;
	void *hdr;
	u32 i;
	int err;

	err = lookup_one(info, &r, &i);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &aftr_genl_family, 0, DSLITE_AFTR_CMD_DET_LOOKUP);
	if (!hdr || put_b4(msg, r, i)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int rule_fill(struct sk_buff *skb, struct netlink_callback *cb,
		     const struct aftr_det_rule *r)
{
	struct nlattr *nest;
	void *hdr;

	hdr = aftr_genl_dump_put(skb, cb, DSLITE_AFTR_CMD_DET_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (aftr_genl_put_b4_prefix(skb, &r->b4, r->plen) ||
	    nla_put_u8(skb, DSLITE_AFTR_A_B4_LEN, r->len))
		goto cancel;
	nest = nla_nest_start(skb, DSLITE_AFTR_A_PREFIX);
	if (!nest || nla_put_in_addr(skb, DSLITE_AFTR_PREFIX_A_ADDR4, r->prefix) ||
	    nla_put_u8(skb, DSLITE_AFTR_PREFIX_A_LEN, r->pool_len))
		goto cancel;
	nla_nest_end(skb, nest);
	if (nla_put_u16(skb, DSLITE_AFTR_A_PORT_MIN, r->port_min) ||
	    nla_put_u16(skb, DSLITE_AFTR_A_PORT_MAX, r->port_max) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_B4_PER_ADDR, r->share) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_PORTS_PER_B4, r->ppb) ||
	    nla_put_u32(skb, DSLITE_AFTR_A_B4_COUNT, aftr_pool_b4s(r->pool)))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int aftr_det_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct aftr_det_rules *rs;
	unsigned int idx = cb->args[0];
	struct aftr_dev *ad;

	rtnl_lock();
	ad = aftr_genl_dump_dev(skb, cb);
	if (IS_ERR(ad)) {
		rtnl_unlock();
		return PTR_ERR(ad);
	}
	rs = rtnl_dereference(ad->det);
	while (rs && idx < rs->n && !rule_fill(skb, cb, rs->r[idx]))
		idx++;
	rtnl_unlock();
	cb->args[0] = idx;
	return skb->len;
}
