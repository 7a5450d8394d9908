// SPDX-License-Identifier: GPL-2.0
/*
 * The B4 table: one entry per subscriber that has bindings, created on the
 * packet path by its first binding and ended by binding.c (idle, denied,
 * pool deleted, instance gone). See b4.h for the lifetime rules.
 */
#include <linux/math64.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "b4.h"
#include "det.h"
#include "pool.h"
#include "prefix.h"

/**
 * struct aftr_b4s - the subscribers of an instance
 * @ht: the table, keyed by prefix
 * @lock: guards the creation bucket
 * @tokens: subscribers that may still be created this second
 * @refill: jiffies the bucket was last refilled
 */
struct aftr_b4s {
	struct rhashtable ht;
	spinlock_t lock;	/* guards the fields below */
	u32 tokens;
	unsigned long refill;
};

static struct kmem_cache *b4_cache;

static const struct rhashtable_params b4_params = {
	.head_offset = offsetof(struct aftr_b4, node),
	.key_offset = offsetof(struct aftr_b4, prefix),
	.key_len = sizeof(struct in6_addr),
	.automatic_shrinking = true,
};

int __init aftr_b4s_module_init(void)
{
	b4_cache = kmem_cache_create("dslite_aftr_b4", sizeof(struct aftr_b4), 0,
				     AFTR_SLAB_NO_MERGE, NULL);
	return b4_cache ? 0 : -ENOMEM;
}

void aftr_b4s_module_exit(void)
{
	kmem_cache_destroy(b4_cache);
}

int aftr_b4s_init(struct aftr_dev *ad)
{
	struct aftr_b4s *b4s = kzalloc(sizeof(*b4s), GFP_KERNEL_ACCOUNT);
	int err;

	if (!b4s)
		return -ENOMEM;
	err = rhashtable_init(&b4s->ht, &b4_params);
	if (err) {
		kfree(b4s);
		return err;
	}
	spin_lock_init(&b4s->lock);
	/* Full, like every bucket: the first subscribers come at once. */
	b4s->tokens = ad->params.max_new_subscribers;
	b4s->refill = jiffies;
	ad->b4s = b4s;
	return 0;
}

/* Nothing reaches the instance any more: no RCU grace period to wait for. */
static void b4_destroy(void *ptr, void *arg)
{
	struct aftr_b4 *b4 = ptr;

	aftr_pool_unpair(b4);
	kmem_cache_free(b4_cache, b4);
}

void aftr_b4s_destroy(struct aftr_dev *ad)
{
	rhashtable_free_and_destroy(&ad->b4s->ht, b4_destroy, NULL);
	kfree(ad->b4s);
	ad->b4s = NULL;
}

/* The allowed set is searched as any prefix set (prefix.c). */
bool aftr_b4_allowed(struct aftr_dev *ad, const struct in6_addr *addr)
{
	return aftr_prefix6_set_has(rcu_dereference_rtnl(ad->allowed), addr);
}

u8 aftr_b4_prefix(struct aftr_dev *ad, const struct in6_addr *addr,
		  struct in6_addr *prefix)
{
	u8 len = aftr_det_b4_len(ad, addr) ?: READ_ONCE(ad->params.subscriber_len);

	ipv6_addr_prefix(prefix, addr, len);
	return len;
}

/* Replies to @b4 go from @endpoint to @addr from now on. */
static void b4_set_route(struct aftr_b4 *b4, const struct in6_addr *addr,
			 const struct in6_addr *endpoint)
{
	spin_lock_bh(&b4->lock);
	write_seqcount_begin(&b4->seq);
	b4->addr = *addr;
	b4->endpoint = *endpoint;
	write_seqcount_end(&b4->seq);
	spin_unlock_bh(&b4->lock);
}

void aftr_b4_seen(struct aftr_b4 *b4, const struct in6_addr *addr,
		  const struct in6_addr *endpoint)
{
	/* A racy peek: a torn read only costs one needless update. */
	if (likely(ipv6_addr_equal(&b4->addr, addr) &&
		   ipv6_addr_equal(&b4->endpoint, endpoint)))
		return;
	b4_set_route(b4, addr, endpoint);
}

void aftr_b4_route(const struct aftr_b4 *b4, struct in6_addr *endpoint,
		   struct in6_addr *addr)
{
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&b4->seq);
		*endpoint = b4->endpoint;
		*addr = b4->addr;
	} while (read_seqcount_retry(&b4->seq, seq));
}

static bool endpoint_in(const struct aftr_addr6_set *eps, const struct in6_addr *a)
{
	unsigned int i;

	for (i = 0; i < eps->n; i++)
		if (ipv6_addr_equal(&eps->addr[i], a))
			return true;
	return false;
}

void aftr_b4s_endpoints_changed(struct aftr_dev *ad)
{
	const struct aftr_addr6_set *eps = rtnl_dereference(ad->endpoints);
	struct rhashtable_iter it;
	struct aftr_b4 *b4;

	if (!eps)
		return;
	rhashtable_walk_enter(&ad->b4s->ht, &it);
	rhashtable_walk_start(&it);
	while ((b4 = rhashtable_walk_next(&it))) {
		if (!IS_ERR(b4) && !endpoint_in(eps, &b4->endpoint))
			b4_set_route(b4, &b4->addr, &eps->addr[0]);
	}
	rhashtable_walk_stop(&it);
	rhashtable_walk_exit(&it);
}

/*
 * May one more subscriber be made (CGN-1)? A cap per instance and a token
 * bucket for the rate, so that a B4 rotating through the prefixes it can
 * reach neither fills the table nor crowds out others for long.
 */
static bool b4s_admit(struct aftr_dev *ad)
{
	u32 max = READ_ONCE(ad->params.max_subscribers);
	u32 rate = READ_ONCE(ad->params.max_new_subscribers);
	struct aftr_b4s *b4s = ad->b4s;
	unsigned long now = jiffies;
	bool ok = true;
	u64 add;

	if (max && atomic_read(&b4s->ht.nelems) >= max)
		return false;
	if (!rate)
		return true;
	spin_lock_bh(&b4s->lock);
	add = div_u64((u64)(now - b4s->refill) * rate, HZ);
	if (add) {
		b4s->tokens = min_t(u64, (u64)b4s->tokens + add, rate);
		b4s->refill = now;
	}
	if (b4s->tokens)
		b4s->tokens--;
	else
		ok = false;
	spin_unlock_bh(&b4s->lock);
	return ok;
}

static struct aftr_b4 *b4_new(struct aftr_dev *ad, const struct in6_addr *prefix,
			      u8 plen, const struct in6_addr *addr,
			      const struct in6_addr *endpoint, __be32 ext, int *why)
{
	struct aftr_b4 *b4;
	int err;

	if (!b4s_admit(ad)) {
		*why = AFTR_REFUSED_SUBSCRIBERS;
		return NULL;
	}
	b4 = kmem_cache_zalloc(b4_cache, GFP_ATOMIC);
	if (!b4) {
		*why = AFTR_REFUSED_NOMEM;
		return NULL;
	}
	b4->prefix = *prefix;
	b4->plen = plen;
	b4->addr = *addr;
	b4->endpoint = *endpoint;
	spin_lock_init(&b4->lock);
	seqcount_spinlock_init(&b4->seq, &b4->lock);
	b4->tokens = READ_ONCE(ad->params.max_new_rate);
	b4->refill = jiffies;
	b4->idle_since = b4->refill;
	err = ext ? aftr_pool_pair_at(ad, b4, ext) : aftr_pool_pair(ad, b4);
	if (err) {
		*why = err == -ENOMEM ? AFTR_REFUSED_NOMEM : AFTR_REFUSED_POOL;
		kmem_cache_free(b4_cache, b4);
		return NULL;
	}
	return b4;
}

/*
 * The whole call runs in one RCU read-side section: binding.c relies on it
 * to know when no creator can still be pairing with a pool being deleted.
 * A new B4 pairs with @ext, or by hash when it is 0.
 */
static struct aftr_b4 *b4_get(struct aftr_dev *ad, const struct in6_addr *addr,
			      const struct in6_addr *endpoint, __be32 ext, int *why)
{
	struct aftr_b4 *b4, *old;
	struct in6_addr prefix;
	u8 plen;

	plen = aftr_b4_prefix(ad, addr, &prefix);
	b4 = rhashtable_lookup(&ad->b4s->ht, &prefix, b4_params);
	if (b4)
		return b4;
	b4 = b4_new(ad, &prefix, plen, addr, endpoint, ext, why);
	if (!b4)
		return NULL;
	old = rhashtable_lookup_get_insert_fast(&ad->b4s->ht, &b4->node,
						b4_params);
	if (!old) {
		aftr_count(ad, DSLITE_AFTR_STAT_B4S_CREATED);
		return b4;
	}
	/* Another CPU made it first, or the table is full: ours never showed. */
	aftr_pool_unpair(b4);
	kmem_cache_free(b4_cache, b4);
	if (IS_ERR(old)) {
		*why = AFTR_REFUSED_NOMEM;
		return NULL;
	}
	return old;
}

struct aftr_b4 *aftr_b4_find(struct aftr_dev *ad, const struct in6_addr *addr)
{
	struct in6_addr prefix;

	aftr_b4_prefix(ad, addr, &prefix);
	return rhashtable_lookup(&ad->b4s->ht, &prefix, b4_params);
}

struct aftr_b4 *aftr_b4_get(struct aftr_dev *ad, const struct in6_addr *addr,
			    const struct in6_addr *endpoint, int *why)
{
	return b4_get(ad, addr, endpoint, 0, why);
}

struct aftr_b4 *aftr_b4_get_at(struct aftr_dev *ad, const struct in6_addr *addr,
			       const struct in6_addr *endpoint, __be32 ext, int *why)
{
	return b4_get(ad, addr, endpoint, ext, why);
}

/* A B4's token bucket: max_new_rate tokens a second, as many at most. */
static bool b4_take_token(struct aftr_b4 *b4, u32 rate)
{
	unsigned long now = jiffies;
	u64 add;

	if (!rate)
		return true;
	add = div_u64((u64)(now - b4->refill) * rate, HZ);
	if (add) {
		b4->tokens = min_t(u64, (u64)b4->tokens + add, rate);
		b4->refill = now;
	}
	if (!b4->tokens)
		return false;
	b4->tokens--;
	return true;
}

int aftr_b4_admit(struct aftr_dev *ad, struct aftr_b4 *b4)
{
	u32 max = READ_ONCE(ad->params.max_bindings);

	if (max && b4->nbindings + b4->nexempt >= max)
		return AFTR_REFUSED_QUOTA;
	if (!b4_take_token(b4, READ_ONCE(ad->params.max_new_rate)))
		return AFTR_REFUSED_RATE;
	return 0;
}

bool aftr_b4_retire(struct aftr_dev *ad, struct aftr_b4 *b4, bool idle)
{
	bool retire;

	spin_lock_bh(&b4->lock);
	retire = !b4->dead;
	if (retire && idle)
		retire = !b4->nports && !b4->nexempt &&
			 time_after_eq(jiffies, b4->idle_since +
					READ_ONCE(ad->params.holddown));
	if (retire) {
		b4->dead = true;
		rhashtable_remove_fast(&ad->b4s->ht, &b4->node, b4_params);
	}
	spin_unlock_bh(&b4->lock);
	return retire;
}

static void b4_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(b4_cache, container_of(head, struct aftr_b4, rcu));
}

/* call_rcu(), not kfree_rcu(): see aftr_state_module_exit(). */
void aftr_b4_free(struct aftr_b4 *b4)
{
	WARN_ON_ONCE(b4->nports || b4->nexempt);
	aftr_pool_unpair(b4);
	call_rcu(&b4->rcu, b4_free_rcu);
}

struct rhashtable *aftr_b4s_table(struct aftr_dev *ad)
{
	return &ad->b4s->ht;
}

unsigned int aftr_b4s_count(struct aftr_dev *ad)
{
	return atomic_read(&ad->b4s->ht.nelems);
}
