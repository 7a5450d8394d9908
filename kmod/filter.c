// SPDX-License-Identifier: GPL-2.0
/*
 * Filtering (NAT-2) and held SYNs (NAT-7).
 *
 * A permission says "this inner endpoint sent to this remote": it is keyed
 * by the binding's inside key and the remote address (and port, in the
 * address-and-port-dependent mode), as RFC 4787 REQ-8 words filtering, so
 * a binding that later gets the same external port for another endpoint or
 * subscriber inherits nothing. Outbound packets make and refresh
 * permissions; one lives as long as its binding would, had only the
 * packets to that remote kept it alive. Lookups are lock-free under RCU;
 * a worker sweeps out the expired ones.
 *
 * An inbound SYN a strict mode refuses is held AFTR_SYN_HOLD: an outbound
 * SYN of the same connection meanwhile (simultaneous open) ends it
 * silently, else its sender gets port unreachable (RFC 5382 REQ-4).
 */
#include <linux/mutex.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "b4.h"
#include "binding.h"
#include "filter.h"
#include "icmp.h"

/* The worker's period: held SYNs are answered this late at most. */
#define WORK_PERIOD		HZ
/* Expired permissions are swept out every this many runs. */
#define SWEEP_EVERY		16
/* Permissions an instance keeps: this many a binding on average... */
#define PERMITS_PER_BINDING	8
/* ... and at least this many. */
#define PERMITS_MIN		1024

/* A permission's key; the padding is zero so it hashes as whole words. */
struct aftr_permit_key {
	struct aftr_key_in in;
	__be32 remote;
	__be16 remote_port;	/* 0 in the address-dependent mode */
	u16 pad;
};

/**
 * struct aftr_permit - a remote an inner endpoint sent to
 * @node: entry in the permission table
 * @key: the binding's inside key and the remote
 * @last: jiffies of the last packet to the remote (truncated to 32 bits)
 * @rcu: frees through RCU
 */
struct aftr_permit {
	struct rhash_head node;
	struct aftr_permit_key key;
	u32 last;
	struct rcu_head rcu;
};

/**
 * struct aftr_filter - the filtering state of an instance
 * @permits: the permission table
 * @held: unsolicited SYNs held, oldest first; its lock guards it
 * @ad: the instance
 * @lock: one sweep of @permits at a time (worker, flush)
 * @work: answers held SYNs that are due, sweeps @permits
 * @runs: runs of @work, to sweep every SWEEP_EVERY
 */
struct aftr_filter {
	struct rhashtable permits;
	struct sk_buff_head held;
	struct aftr_dev *ad;
	struct mutex lock;	/* one sweep at a time */
	struct delayed_work work;
	unsigned int runs;
};

/* What a held SYN keeps in its control buffer: when it came. */
struct held_cb {
	unsigned long since;
};

#define HELD_CB(skb)	((struct held_cb *)(skb)->cb)

static struct kmem_cache *permit_cache;

static const struct rhashtable_params permit_params = {
	.head_offset = offsetof(struct aftr_permit, node),
	.key_offset = offsetof(struct aftr_permit, key),
	.key_len = sizeof(struct aftr_permit_key),
	.automatic_shrinking = true,
};

int __init aftr_filter_module_init(void)
{
	BUILD_BUG_ON(sizeof(struct aftr_permit_key) != 32);
	BUILD_BUG_ON(sizeof(struct aftr_permit) > 64);
	BUILD_BUG_ON(sizeof(struct held_cb) > sizeof_field(struct sk_buff, cb));

	permit_cache = kmem_cache_create("dslite_aftr_permit", sizeof(struct aftr_permit),
					 0, AFTR_SLAB_NO_MERGE, NULL);
	return permit_cache ? 0 : -ENOMEM;
}

/* Permissions still on their way out through call_rcu() first. */
void aftr_filter_module_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(permit_cache);
}

static void filter_work(struct work_struct *work);

int aftr_filter_init(struct aftr_dev *ad)
{
	struct aftr_filter *f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	int err;

	if (!f)
		return -ENOMEM;
	err = rhashtable_init(&f->permits, &permit_params);
	if (err) {
		kfree(f);
		return err;
	}
	skb_queue_head_init(&f->held);
	f->ad = ad;
	mutex_init(&f->lock);
	INIT_DELAYED_WORK(&f->work, filter_work);
	ad->filter = f;
	return 0;
}

/* Nothing reaches the instance any more: no grace period to wait for. */
static void permit_destroy(void *ptr, void *arg)
{
	kmem_cache_free(permit_cache, ptr);
}

void aftr_filter_destroy(struct aftr_dev *ad)
{
	struct aftr_filter *f = ad->filter;

	cancel_delayed_work_sync(&f->work);
	skb_queue_purge(&f->held);
	rhashtable_free_and_destroy(&f->permits, permit_destroy, NULL);
	kfree(f);
	ad->filter = NULL;
}

/* Like the expiry worker of bindings, it runs only while there is state. */
static void work_kick(struct aftr_filter *f)
{
	if (!delayed_work_pending(&f->work))
		queue_delayed_work(system_power_efficient_wq, &f->work, WORK_PERIOD);
}

/* TCP and UDP headers both open with the source and destination ports. */
static const __be16 *l4_ports(const struct sk_buff *skb)
{
	return (const __be16 *)skb_transport_header(skb);
}

static bool tcp_syn_only(const struct sk_buff *skb)
{
	return ip_hdr(skb)->protocol == IPPROTO_TCP && tcp_hdr(skb)->syn &&
	       !tcp_hdr(skb)->ack;
}

static void permit_key(struct aftr_permit_key *key, const struct aftr_binding *b,
		       u8 mode, __be32 remote, __be16 port)
{
	*key = (struct aftr_permit_key) {
		.in = b->in,
		.remote = remote,
		.remote_port = mode == DSLITE_AFTR_FILTERING_ADDRESS_PORT_DEPENDENT ? port : 0,
	};
}

static void permit_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(permit_cache, container_of(head, struct aftr_permit, rcu));
}

/*
 * Ends the SYNs held for the connection binding @b opens to @remote:@port,
 * retransmissions too: both ends sent a SYN, so the connection opens
 * through the outbound one, and none of them is to be answered.
 */
static void held_end(struct aftr_filter *f, const struct aftr_binding *b,
		     __be32 remote, __be16 port)
{
	struct sk_buff *skb, *tmp;
	struct sk_buff_head ended;
	const __be16 *ports;

	__skb_queue_head_init(&ended);
	spin_lock_bh(&f->held.lock);
	skb_queue_walk_safe(&f->held, skb, tmp) {
		ports = l4_ports(skb);
		if (ip_hdr(skb)->daddr == b->out.addr && ports[1] == b->out.port &&
		    ip_hdr(skb)->saddr == remote && ports[0] == port) {
			__skb_unlink(skb, &f->held);
			__skb_queue_tail(&ended, skb);
		}
	}
	spin_unlock_bh(&f->held.lock);
	while ((skb = __skb_dequeue(&ended)))
		consume_skb(skb);
}

int aftr_filter_out(struct aftr_dev *ad, const struct aftr_binding *b,
		    const struct sk_buff *skb)
{
	u8 mode = READ_ONCE(ad->params.filtering);
	const __be16 *ports = l4_ports(skb);
	struct aftr_filter *f = ad->filter;
	struct aftr_permit_key key;
	struct aftr_permit *p, *old;
	u32 now = jiffies;

	/* Held SYNs outlive a change of mode, so look whatever the mode. */
	if (skb_queue_len_lockless(&f->held) && tcp_syn_only(skb))
		held_end(f, b, ip_hdr(skb)->daddr, ports[1]);
	if (mode == DSLITE_AFTR_FILTERING_ENDPOINT_INDEPENDENT || b->fixed)
		return 0;

	permit_key(&key, b, mode, ip_hdr(skb)->daddr, ports[1]);
	p = rhashtable_lookup(&f->permits, &key, permit_params);
	if (p) {
		if (READ_ONCE(p->last) != now)
			WRITE_ONCE(p->last, now);
		return 0;
	}
	if (atomic_read(&f->permits.nelems) >=
	    PERMITS_PER_BINDING * aftr_bindings_count(ad) + PERMITS_MIN)
		return AFTR_REFUSED_QUOTA;
	p = kmem_cache_alloc(permit_cache, GFP_ATOMIC);
	if (!p)
		return AFTR_REFUSED_NOMEM;
	p->key = key;
	p->last = now;
	old = rhashtable_lookup_get_insert_fast(&f->permits, &p->node, permit_params);
	if (old) {
		/* Another CPU made it first, or the table is full. */
		kmem_cache_free(permit_cache, p);
		if (IS_ERR(old))
			return AFTR_REFUSED_NOMEM;
	}
	work_kick(f);
	return 0;
}

/* Holds the unsolicited SYN @skb; false when too many are held already. */
static bool held_add(struct aftr_filter *f, struct sk_buff *skb)
{
	if (skb_queue_len_lockless(&f->held) >= AFTR_SYN_HOLD_MAX)
		return false;
	/* Seconds in a queue: hold no route, conntrack entry or socket. */
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb_orphan(skb);
	HELD_CB(skb)->since = jiffies;
	skb_queue_tail(&f->held, skb);
	work_kick(f);
	return true;
}

bool aftr_filter_in(struct aftr_dev *ad, const struct aftr_binding *b,
		    struct sk_buff *skb)
{
	u8 mode = READ_ONCE(ad->params.filtering);
	const __be16 *ports = l4_ports(skb);
	struct aftr_filter *f = ad->filter;
	struct aftr_permit_key key;
	struct aftr_permit *p;

	/* A static mapping is there to be reached from anywhere (CGN-7). */
	if (mode == DSLITE_AFTR_FILTERING_ENDPOINT_INDEPENDENT || b->fixed)
		return true;
	permit_key(&key, b, mode, ip_hdr(skb)->saddr, ports[0]);
	p = rhashtable_lookup(&f->permits, &key, permit_params);
	if (p && (u32)jiffies - READ_ONCE(p->last) < (u32)aftr_binding_timeout(ad, b))
		return true;
	aftr_count(ad, DSLITE_AFTR_STAT_DROP_FILTERED);
	if (!tcp_syn_only(skb) || !held_add(f, skb))
		kfree_skb(skb);
	return false;
}

/* The longest a binding of @proto lives idle: its permissions' bound too. */
static unsigned long permit_timeout(const struct aftr_dev *ad, u8 proto)
{
	return READ_ONCE(ad->params.timeout[proto == IPPROTO_TCP ? AFTR_TIMEOUT_TCP_EST :
					     AFTR_TIMEOUT_UDP]);
}

/* Takes @p out of the table and frees it once no reader can hold it. */
static bool permit_drop(struct aftr_filter *f, struct aftr_permit *p)
{
	if (rhashtable_remove_fast(&f->permits, &p->node, permit_params))
		return false;
	call_rcu(&p->rcu, permit_free_rcu);
	return true;
}

static bool permit_expire(void *obj, void *arg)
{
	struct aftr_permit *p = obj;
	struct aftr_filter *f = arg;

	if ((u32)jiffies - READ_ONCE(p->last) < (u32)permit_timeout(f->ad, p->key.in.proto))
		return false;
	return permit_drop(f, p);
}

/* What a flush selects: the permissions of a subscriber (or all), of a protocol. */
struct flush_arg {
	struct aftr_filter *f;
	bool every_sub;
	struct in6_addr sub;
	u8 proto;
};

static bool permit_flush_one(void *obj, void *arg)
{
	struct aftr_permit *p = obj;
	struct flush_arg *fa = arg;

	if ((!fa->every_sub && !ipv6_addr_equal(&p->key.in.b4, &fa->sub)) ||
	    (fa->proto && fa->proto != p->key.in.proto))
		return false;
	return permit_drop(fa->f, p);
}

void aftr_filter_flush(struct aftr_dev *ad, const struct in6_addr *b4, u8 proto)
{
	struct flush_arg fa = { .f = ad->filter, .every_sub = !b4, .proto = proto };

	if (b4)
		aftr_b4_prefix(ad, b4, &fa.sub);
	mutex_lock(&fa.f->lock);
	aftr_table_sweep(&fa.f->permits, permit_flush_one, &fa);
	mutex_unlock(&fa.f->lock);
}

/*
 * Answers the held SYNs that are due with port unreachable, from the
 * address they were sent to; every SWEEP_EVERY runs, sweeps the expired
 * permissions out. Runs while anything is held or kept.
 */
static void filter_work(struct work_struct *work)
{
	struct aftr_filter *f = container_of(to_delayed_work(work), struct aftr_filter, work);
	struct sk_buff_head due;
	struct sk_buff *skb;

	__skb_queue_head_init(&due);
	spin_lock_bh(&f->held.lock);
	while ((skb = skb_peek(&f->held)) &&
	       time_after_eq(jiffies, HELD_CB(skb)->since + AFTR_SYN_HOLD)) {
		__skb_unlink(skb, &f->held);
		__skb_queue_tail(&due, skb);
	}
	spin_unlock_bh(&f->held.lock);

	local_bh_disable();
	rcu_read_lock();
	while ((skb = __skb_dequeue(&due))) {
		aftr_icmp_port_unreach(f->ad, skb);
		consume_skb(skb);
	}
	rcu_read_unlock();
	local_bh_enable();

	if (!(++f->runs % SWEEP_EVERY)) {
		mutex_lock(&f->lock);
		aftr_table_sweep(&f->permits, permit_expire, f);
		mutex_unlock(&f->lock);
	}
	if (skb_queue_len_lockless(&f->held) || atomic_read(&f->permits.nelems))
		queue_delayed_work(system_power_efficient_wq, &f->work, WORK_PERIOD);
}
