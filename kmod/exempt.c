// SPDX-License-Identifier: GPL-2.0
/*
 * Exempt destinations and the flows toward them (CGN-8). See exempt.h for
 * the rules; Documentation/design.rst, "Exempt destinations", for why.
 */
#include <linux/slab.h>
#include <net/ipv6.h>

#include "b4.h"
#include "exempt.h"
#include "prefix.h"

/**
 * struct aftr_exempt - the exempt flows of an instance
 * @ht: the table, keyed by struct aftr_exempt_key
 */
struct aftr_exempt {
	struct rhashtable ht;
};

static struct kmem_cache *flow_cache;

static const struct rhashtable_params flow_params = {
	.head_offset = offsetof(struct aftr_exempt_flow, node),
	.key_offset = offsetof(struct aftr_exempt_flow, key),
	.key_len = sizeof(struct aftr_exempt_key),
	.automatic_shrinking = true,
};

int __init aftr_exempt_module_init(void)
{
	/* What a flow costs: see "Exempt destinations" in design.rst. */
	BUILD_BUG_ON(sizeof(struct aftr_exempt_key) != 16);
	BUILD_BUG_ON(sizeof(struct aftr_exempt_flow) > 64);
	flow_cache = kmem_cache_create("dslite_aftr_exempt",
				       sizeof(struct aftr_exempt_flow), 0,
				       AFTR_SLAB_NO_MERGE, NULL);
	return flow_cache ? 0 : -ENOMEM;
}

void aftr_exempt_module_exit(void)
{
	kmem_cache_destroy(flow_cache);
}

int aftr_exempt_init(struct aftr_dev *ad)
{
	struct aftr_exempt *ex = kzalloc(sizeof(*ex), GFP_KERNEL_ACCOUNT);
	int err;

	if (!ex)
		return -ENOMEM;
	err = rhashtable_init(&ex->ht, &flow_params);
	if (err) {
		kfree(ex);
		return err;
	}
	ad->flows = ex;
	return 0;
}

/* Nothing reaches the instance any more: no RCU grace period to wait for. */
static void flow_destroy(void *ptr, void *arg)
{
	kmem_cache_free(flow_cache, ptr);
}

void aftr_exempt_destroy(struct aftr_dev *ad)
{
	rhashtable_free_and_destroy(&ad->flows->ht, flow_destroy, NULL);
	kfree(ad->flows);
	ad->flows = NULL;
}

bool aftr_exempt_dest(struct aftr_dev *ad, __be32 addr)
{
	struct in6_addr mapped;

	ipv6_addr_set_v4mapped(addr, &mapped);
	return aftr_prefix6_set_has(rcu_dereference_rtnl(ad->exempt), &mapped);
}

struct aftr_exempt_flow *aftr_exempt_flow_lookup(struct aftr_dev *ad,
						 const struct aftr_exempt_key *key)
{
	return rhashtable_lookup(&ad->flows->ht, key, flow_params);
}

/* One flow less on @b4; it may now go idle. */
static void b4_unflow(struct aftr_b4 *b4)
{
	spin_lock_bh(&b4->lock);
	if (!--b4->nexempt && !b4->nports)
		b4->idle_since = jiffies;
	spin_unlock_bh(&b4->lock);
}

/* Counts @f on its subscriber, found or made, within its limits. */
static int flow_reserve(struct aftr_dev *ad, struct aftr_exempt_flow *f,
			const struct in6_addr *b4, const struct in6_addr *endpoint)
{
	int why, tries;

	/* A B4 found dead is out of the table: a second look finds a live one. */
	for (tries = 0; tries < 2; tries++) {
		f->b4 = aftr_b4_get(ad, b4, endpoint, &why);
		if (!f->b4)
			return why;
		spin_lock_bh(&f->b4->lock);
		if (!f->b4->dead) {
			why = aftr_b4_admit(ad, f->b4);
			if (!why)
				f->b4->nexempt++;
			spin_unlock_bh(&f->b4->lock);
			return why;
		}
		spin_unlock_bh(&f->b4->lock);
	}
	return AFTR_REFUSED_NOMEM;
}

/* Is @f the flow of the subscriber of B4 address @b4? */
static bool flow_is_of(struct aftr_dev *ad, const struct aftr_exempt_flow *f,
		       const struct in6_addr *b4)
{
	struct in6_addr prefix;
	u8 plen = aftr_b4_prefix(ad, b4, &prefix);

	return plen == f->b4->plen && ipv6_addr_equal(&prefix, &f->b4->prefix);
}

struct aftr_exempt_flow *aftr_exempt_flow_get(struct aftr_dev *ad,
					      const struct aftr_exempt_key *key,
					      const struct in6_addr *b4,
					      const struct in6_addr *endpoint,
					      enum aftr_refusal *why)
{
	struct aftr_exempt_flow *f, *old;
	int err;

	f = aftr_exempt_flow_lookup(ad, key);
	if (!f) {
		f = kmem_cache_zalloc(flow_cache, GFP_ATOMIC);
		if (!f) {
			*why = AFTR_REFUSED_NOMEM;
			return NULL;
		}
		f->key = *key;
		memset(f->key.pad, 0, sizeof(f->key.pad));
		f->state = DSLITE_AFTR_STATE_OPEN;
		f->last = jiffies;
		err = flow_reserve(ad, f, b4, endpoint);
		if (err) {
			kmem_cache_free(flow_cache, f);
			*why = err;
			return NULL;
		}
		old = rhashtable_lookup_get_insert_fast(&ad->flows->ht, &f->node,
							flow_params);
		if (!old) {
			aftr_count(ad, DSLITE_AFTR_STAT_EXEMPT_FLOWS_CREATED);
			aftr_b4_seen(f->b4, b4, endpoint);
			return f;
		}
		/* Another CPU made it first, or the table is full: ours never showed. */
		b4_unflow(f->b4);
		kmem_cache_free(flow_cache, f);
		if (IS_ERR(old)) {
			*why = AFTR_REFUSED_NOMEM;
			return NULL;
		}
		f = old;
	}
	/*
	 * The reply to a second home's flow would carry the same addresses
	 * and ports as the first's: it could reach only one of them. The
	 * first keeps it; the second is refused until the first ends.
	 */
	if (!flow_is_of(ad, f, b4)) {
		*why = AFTR_REFUSED_CLASH;
		return NULL;
	}
	aftr_b4_seen(f->b4, b4, endpoint);
	return f;
}

void aftr_exempt_flow_refresh(struct aftr_exempt_flow *f)
{
	u32 now = jiffies;

	if (READ_ONCE(f->last) != now)
		WRITE_ONCE(f->last, now);
}

static void flow_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(flow_cache, container_of(head, struct aftr_exempt_flow, rcu));
}

bool aftr_exempt_end_stale(struct aftr_dev *ad, struct aftr_exempt_flow *f)
{
	bool expired = (u32)jiffies - READ_ONCE(f->last) >=
		       (u32)aftr_flow_timeout(ad, f->key.proto, READ_ONCE(f->state));

	if (!expired && !READ_ONCE(f->b4->dead) && aftr_exempt_dest(ad, f->key.raddr))
		return false;
	if (rhashtable_remove_fast(&ad->flows->ht, &f->node, flow_params))
		return false;
	if (expired)
		aftr_count(ad, DSLITE_AFTR_STAT_EXEMPT_FLOWS_EXPIRED);
	b4_unflow(f->b4);
	/* call_rcu(), not kfree_rcu(): see aftr_state_module_exit(). */
	call_rcu(&f->rcu, flow_free_rcu);
	return true;
}

struct rhashtable *aftr_exempt_table(struct aftr_dev *ad)
{
	return &ad->flows->ht;
}

unsigned int aftr_exempt_count(struct aftr_dev *ad)
{
	return atomic_read(&ad->flows->ht.nelems);
}
