/* SPDX-License-Identifier: GPL-2.0 */
/*
 * B4s: the subscribers. A B4 is created by its first binding and holds what
 * is shared by all its bindings: the endpoint it talks to, its one external
 * IPv4 address (paired pooling), its port blocks, its limits and counts.
 *
 * Lifetime: a B4 lives in the B4 table until it is idle (no port held) for
 * the hold-down time, or is ended by B4_DENY, POOL_DEL or the instance's
 * end. Whoever ends it sets @dead under @lock first; a binding is added to a
 * B4 only under @lock while it is not dead, and a dead B4 is out of the
 * table, so a creator that meets one looks it up again.
 */
#ifndef _DSLITE_AFTR_B4_H
#define _DSLITE_AFTR_B4_H

#include "aftr.h"

struct aftr_pool_addr;
struct aftr_block;

/**
 * struct aftr_b4 - one subscriber
 * @node: entry in the B4 table, keyed by @addr
 * @addr: the B4's IPv6 address (softwire source)
 * @endpoint: the AFTR address the B4 sends to; replies come from it
 * @ext: its external IPv4 address, fixed for its life
 * @paddr: the pool address @ext belongs to
 * @lock: protects the fields below it
 * @dead: set once the B4 is being torn down; no binding is added after
 * @nbindings: live bindings (hold-down excluded)
 * @nports: ports held: live bindings plus those in hold-down
 * @nblocks: port blocks held
 * @tokens: new-binding token bucket
 * @refill: jiffies the bucket was last refilled
 * @idle_since: jiffies @nports last fell to zero
 * @event_stamp: jiffies of its last QUOTA or POOL_EXHAUSTED event; event.c
 *	updates it with cmpxchg(), not under @lock
 * @blocks: the port blocks, @nblocks of them
 * @next_dead: link in a list of B4s being ended (b4.c)
 * @rcu: frees through RCU
 */
struct aftr_b4 {
	struct rhash_head node;
	struct in6_addr addr;
	struct in6_addr endpoint;
	__be32 ext;
	struct aftr_pool_addr *paddr;
	spinlock_t lock;	/* guards the fields below */
	bool dead;
	u32 nbindings;
	u32 nports;
	u32 nblocks;
	u32 tokens;
	unsigned long refill;
	unsigned long idle_since;
	unsigned long event_stamp;
	struct aftr_block **blocks;
	struct aftr_b4 *next_dead;
	struct rcu_head rcu;
};

/* Module-wide object cache; called from aftr_state_module_init/exit(). */
int aftr_b4s_module_init(void);
void aftr_b4s_module_exit(void);

/* Per instance: init after aftr_pools_init(), destroy before its destroy. */
int aftr_b4s_init(struct aftr_dev *ad);
void aftr_b4s_destroy(struct aftr_dev *ad);

/* Is a softwire from @addr accepted (6333-6)? Caller holds rcu_read_lock. */
bool aftr_b4_allowed(struct aftr_dev *ad, const struct in6_addr *addr);

/*
 * An allowed set of @n prefixes, for the caller to fill in set->p; then
 * aftr_b4_allowed_index() makes it ready for aftr_b4_allowed(). Under RTNL.
 */
struct aftr_prefix6_set *aftr_b4_allowed_alloc(unsigned int n);
void aftr_b4_allowed_index(struct aftr_prefix6_set *set);

/* Under RCU. The B4 may be dead: check under its lock before adding to it. */
struct aftr_b4 *aftr_b4_lookup(struct aftr_dev *ad,
			       const struct in6_addr *addr);

/*
 * Looks up or creates the B4, under RCU; NULL and *why set (an enum
 * aftr_refusal) when it cannot be made.
 */
struct aftr_b4 *aftr_b4_get(struct aftr_dev *ad, const struct in6_addr *addr,
			    const struct in6_addr *endpoint, int *why);

/* The same, but a new B4 is paired with @ext, which must be a pool's. */
struct aftr_b4 *aftr_b4_get_at(struct aftr_dev *ad, const struct in6_addr *addr,
			       const struct in6_addr *endpoint, __be32 ext, int *why);

/*
 * Ends every B4 covered by @prefix that no allowed prefix covers any more,
 * with its bindings: after B4_DENY, under RTNL. Sleeps.
 */
void aftr_b4_deny(struct aftr_dev *ad, const struct aftr_prefix6 *prefix);

/*
 * For binding.c, which serializes the ends of B4s. aftr_b4_retire() marks
 * @b4 dead and takes it out of the table, if @idle only when it has held no
 * port for the hold-down time; true if it did. aftr_b4_free() gives its
 * blocks back and frees it once no binding refers to it any more.
 */
bool aftr_b4_retire(struct aftr_dev *ad, struct aftr_b4 *b4, bool idle);
void aftr_b4_free(struct aftr_b4 *b4);

struct rhashtable *aftr_b4s_table(struct aftr_dev *ad);
unsigned int aftr_b4s_count(struct aftr_dev *ad);

#endif /* _DSLITE_AFTR_B4_H */
