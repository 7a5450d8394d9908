/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An AFTR instance: the private state of one "dslite" network device.
 *
 * Locking: configuration changes run under RTNL (netlink.c takes it), so
 * writers never race each other; the packet path reads configuration with
 * READ_ONCE() or under RCU and never takes RTNL.
 */
#ifndef _DSLITE_AFTR_AFTR_H
#define _DSLITE_AFTR_AFTR_H

#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/rhashtable.h>
#include <linux/workqueue.h>
#include <linux/dslite_aftr.h>

#include "compat.h"

/* Which timeout applies to a binding: see aftr_binding_timeout(). */
enum aftr_timeout {
	AFTR_TIMEOUT_UDP,
	AFTR_TIMEOUT_TCP_EST,
	AFTR_TIMEOUT_TCP_TRANS,
	AFTR_TIMEOUT_ICMP,
	AFTR_TIMEOUT_COUNT
};

/*
 * Tunables. Written under RTNL with WRITE_ONCE(), read anywhere with
 * READ_ONCE(); each field stands alone, so no reader needs a consistent
 * snapshot of several.
 */
struct aftr_params {
	unsigned long timeout[AFTR_TIMEOUT_COUNT];	/* jiffies */
	unsigned long holddown;				/* jiffies */
	u32 block_size;
	u32 max_blocks;
	u32 max_bindings;
	u32 max_new_rate;
	u32 max_subscribers;
	u32 max_new_subscribers;
	u32 icmp_rate;
	u32 icmp_burst;
	u16 mss_clamp;
	u8 subscriber_len;
	u8 events_bindings;
	u8 dscp;
	u8 frag;
	u8 filtering;
};

/* An RCU-replaced set of IPv6 addresses (endpoints). */
struct aftr_addr6_set {
	struct rcu_head rcu;
	unsigned int n;
	struct in6_addr addr[];
};

struct aftr_prefix6 {
	struct in6_addr addr;
	u8 len;
};

/**
 * struct aftr_prefix6_set - an RCU-replaced set of IPv6 prefixes (prefix.c):
 *	allowed B4s, or exempt IPv4 destinations as IPv4-mapped prefixes
 * @rcu: frees through RCU
 * @n: prefixes in @p
 * @ntop: prefixes in @top
 * @top: those of @p no other covers, sorted: disjoint, so a binary search
 *	answers "is this address in the set" (b4.c); in the same allocation
 * @p: the prefixes, in the order they were allowed
 */
struct aftr_prefix6_set {
	struct rcu_head rcu;
	unsigned int n;
	unsigned int ntop;
	struct aftr_prefix6 *top;
	struct aftr_prefix6 p[];
};

struct aftr_stats {
	u64 cnt[__DSLITE_AFTR_STAT_MAX];
};

/**
 * struct aftr_dev - one AFTR instance, netdev_priv() of its device
 * @dev: the device ("aftr0")
 * @net: its namespace
 * @list: entry in the namespace's instance list (RCU)
 * @endpoints: the AFTR IPv6 addresses softwires end at
 * @allowed: the prefixes softwires are accepted from
 * @exempt: the IPv4 destinations exempt from translation (CGN-8), mapped
 *	into IPv6 (prefix.h)
 * @params: tunables
 * @stats: per-CPU counters, indexed by enum dslite_aftr_stat
 * @bindings: binding tables (binding.c)
 * @flows: the return state of exempt traffic (exempt.c)
 * @b4s: B4 table (b4.c)
 * @pools: pool list (pool.c)
 * @filter: permissions and held SYNs of the strict filtering modes (filter.c)
 * @icmp_limit: rate limit state for the ICMP errors the AFTR originates
 * @dumps: netlink dumps in progress over this instance's tables (netlink.c);
 *	under RTNL, so that the instance can end them before its tables go
 * @det: deterministic rules (det.c)
 * @event_stamp: jiffies of the last POOL_EXHAUSTED event of no B4 (event.c)
 * @event_seq: number of the last event (event.c)
 * @event_lock: numbers and sends an event in one step (event.c)
 * @sweeps: ends of subscribers running without RTNL (netlink.c); the
 *	instance's end waits for them
 */
struct aftr_dev {
	struct net_device *dev;
	struct net *net;
	struct list_head list;
	struct aftr_addr6_set __rcu *endpoints;
	struct aftr_prefix6_set __rcu *allowed;
	struct aftr_prefix6_set __rcu *exempt;
	struct aftr_params params;
	struct aftr_stats __percpu *stats;
	struct aftr_bindings *bindings;
	struct aftr_exempt *flows;
	struct aftr_b4s *b4s;
	struct aftr_pools *pools;
	struct aftr_filter *filter;
	struct aftr_icmp_limit *icmp_limit;
	struct list_head dumps;
	struct aftr_det_rules __rcu *det;
	unsigned long event_stamp;
	atomic64_t event_seq;
	spinlock_t event_lock;
	atomic_t sweeps;
};

/*
 * Why a binding or a subscriber could not be made; the value is the drop
 * counter to bump. All but NOMEM answer the sender with ICMP 3/13 (NAT-10).
 */
enum aftr_refusal {
	AFTR_REFUSED_QUOTA = DSLITE_AFTR_STAT_DROP_QUOTA,
	AFTR_REFUSED_RATE = DSLITE_AFTR_STAT_DROP_RATE,
	AFTR_REFUSED_POOL = DSLITE_AFTR_STAT_DROP_POOL_EXHAUSTED,
	AFTR_REFUSED_NOMEM = DSLITE_AFTR_STAT_DROP_NOMEM,
	AFTR_REFUSED_SUBSCRIBERS = DSLITE_AFTR_STAT_DROP_SUBSCRIBERS,
	AFTR_REFUSED_CLASH = DSLITE_AFTR_STAT_DROP_EXEMPT_CLASH,
};

/*
 * The timeout of a flow of @proto in TCP state @state (NAT-6, NAT-7), for
 * bindings and exempt flows alike. A FIN from outside alone proves
 * nothing: see tcp_track() in nat.c.
 */
static inline unsigned long aftr_flow_timeout(const struct aftr_dev *ad, u8 proto,
					      u8 state)
{
	enum aftr_timeout t;

	switch (proto) {
	case IPPROTO_TCP:
		switch (state) {
		case DSLITE_AFTR_STATE_TCP_EST:
		case DSLITE_AFTR_STATE_TCP_FIN_IN:
			t = AFTR_TIMEOUT_TCP_EST;
			break;
		default:
			t = AFTR_TIMEOUT_TCP_TRANS;
		}
		break;
	case IPPROTO_UDP:
		t = AFTR_TIMEOUT_UDP;
		break;
	default:
		t = AFTR_TIMEOUT_ICMP;
		break;
	}
	return READ_ONCE(ad->params.timeout[t]);
}

static inline void aftr_count(struct aftr_dev *ad, enum dslite_aftr_stat s)
{
	this_cpu_inc(ad->stats->cnt[s]);
}

#endif /* _DSLITE_AFTR_AFTR_H */
