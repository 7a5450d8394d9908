// SPDX-License-Identifier: GPL-2.0
/*
 * The B4 table: one entry per subscriber that has bindings, created on the
 * packet path by its first binding and ended by binding.c (idle, denied,
 * pool deleted, instance gone). See b4.h for the lifetime rules.
 */
#include <linux/slab.h>
#include <net/ipv6.h>

#include "b4.h"
#include "binding.h"
#include "pool.h"

struct aftr_b4s {
	struct rhashtable ht;
};

static struct kmem_cache *b4_cache;

static const struct rhashtable_params b4_params = {
	.head_offset = offsetof(struct aftr_b4, node),
	.key_offset = offsetof(struct aftr_b4, addr),
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
	struct aftr_b4s *b4s = kzalloc(sizeof(*b4s), GFP_KERNEL);
	int err;

	if (!b4s)
		return -ENOMEM;
	err = rhashtable_init(&b4s->ht, &b4_params);
	if (err) {
		kfree(b4s);
		return err;
	}
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

bool aftr_b4_allowed(struct aftr_dev *ad, const struct in6_addr *addr)
{
	const struct aftr_prefix6_set *set = rcu_dereference_rtnl(ad->allowed);
	unsigned int i;

	for (i = 0; set && i < set->n; i++)
		if (ipv6_prefix_equal(addr, &set->p[i].addr, set->p[i].len))
			return true;
	return false;
}

struct aftr_b4 *aftr_b4_lookup(struct aftr_dev *ad, const struct in6_addr *addr)
{
	return rhashtable_lookup(&ad->b4s->ht, addr, b4_params);
}

static struct aftr_b4 *b4_new(struct aftr_dev *ad, const struct in6_addr *addr,
			      const struct in6_addr *endpoint, __be32 ext, int *why)
{
	struct aftr_b4 *b4 = kmem_cache_zalloc(b4_cache, GFP_ATOMIC);
	int err;

	if (!b4) {
		*why = AFTR_REFUSED_NOMEM;
		return NULL;
	}
	b4->addr = *addr;
	b4->endpoint = *endpoint;
	spin_lock_init(&b4->lock);
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

	b4 = aftr_b4_lookup(ad, addr);
	if (b4)
		return b4;
	b4 = b4_new(ad, addr, endpoint, ext, why);
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

bool aftr_b4_retire(struct aftr_dev *ad, struct aftr_b4 *b4, bool idle)
{
	bool retire;

	spin_lock_bh(&b4->lock);
	retire = !b4->dead;
	if (retire && idle)
		retire = !b4->nports &&
			 time_after_eq(jiffies, b4->idle_since +
					READ_ONCE(ad->params.holddown));
	if (retire) {
		b4->dead = true;
		rhashtable_remove_fast(&ad->b4s->ht, &b4->node, b4_params);
	}
	spin_unlock_bh(&b4->lock);
	return retire;
}

/* Not kfree_rcu(): see aftr_state_module_exit(). */
static void b4_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(b4_cache, container_of(head, struct aftr_b4, rcu));
}

void aftr_b4_free(struct aftr_b4 *b4)
{
	WARN_ON_ONCE(b4->nports);
	aftr_pool_unpair(b4);
	call_rcu(&b4->rcu, b4_free_rcu);
}

struct deny_arg {
	struct aftr_dev *ad;
	const struct aftr_prefix6 *prefix;
};

static bool b4_denied(const struct aftr_b4 *b4, const void *arg)
{
	const struct deny_arg *deny = arg;

	return ipv6_prefix_equal(&b4->addr, &deny->prefix->addr,
				 deny->prefix->len) &&
	       !aftr_b4_allowed(deny->ad, &b4->addr);
}

void aftr_b4_deny(struct aftr_dev *ad, const struct aftr_prefix6 *prefix)
{
	struct deny_arg deny = { .ad = ad, .prefix = prefix };

	aftr_bindings_end_b4s(ad, b4_denied, &deny);
}

struct rhashtable *aftr_b4s_table(struct aftr_dev *ad)
{
	return &ad->b4s->ht;
}

unsigned int aftr_b4s_count(struct aftr_dev *ad)
{
	return atomic_read(&ad->b4s->ht.nelems);
}
