/* SPDX-License-Identifier: GPL-2.0 */
/*
 * B4s: the subscribers. A B4 is created by its first binding and holds what
 * is shared by all its bindings: the endpoint it talks to, its one external
 * IPv4 address (paired pooling), its port blocks, its limits and counts.
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
 * @nblocks: port blocks held
 * @tokens: new-binding token bucket
 * @refill: jiffies the bucket was last refilled
 * @idle_since: jiffies the last binding went away
 * @blocks: the port blocks, @nblocks of them
 * @rcu: frees through RCU
 */
struct aftr_b4 {
	struct rhash_head node;
	struct in6_addr addr;
	struct in6_addr endpoint;
	__be32 ext;
	struct aftr_pool_addr *paddr;
	spinlock_t lock;
	bool dead;
	u32 nbindings;
	u32 nblocks;
	u32 tokens;
	unsigned long refill;
	unsigned long idle_since;
	struct aftr_block **blocks;
	struct rcu_head rcu;
};

int aftr_b4s_init(struct aftr_dev *ad);
void aftr_b4s_destroy(struct aftr_dev *ad);

/* Is a softwire from @addr accepted (6333-6)? Caller holds rcu_read_lock. */
bool aftr_b4_allowed(struct aftr_dev *ad, const struct in6_addr *addr);

struct aftr_b4 *aftr_b4_lookup(struct aftr_dev *ad,
			       const struct in6_addr *addr);

/* Looks up or creates the B4; NULL and *why set when it cannot be made. */
struct aftr_b4 *aftr_b4_get(struct aftr_dev *ad, const struct in6_addr *addr,
			    const struct in6_addr *endpoint, int *why);

/* Ends every B4 (and its bindings) covered by @prefix: after B4_DENY. */
void aftr_b4_deny(struct aftr_dev *ad, const struct aftr_prefix6 *prefix);

struct rhashtable *aftr_b4s_table(struct aftr_dev *ad);
unsigned int aftr_b4s_count(struct aftr_dev *ad);

#endif /* _DSLITE_AFTR_B4_H */
