/* SPDX-License-Identifier: GPL-2.0 */
/*
 * B4s: the subscribers. A subscriber is an IPv6 prefix (RFC 7785, CGN-9),
 * created by its first binding, and holds what is shared by all its
 * bindings: the B4 address and endpoint replies go between, its one external
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
 * @node: entry in the B4 table, keyed by @prefix
 * @prefix: the subscriber's prefix, host bits clear
 * @plen: its length
 * @addr: the B4 address it last sent from; replies go there (under @seq)
 * @endpoint: the AFTR address it last sent to; replies come from it
 * @seq: lets the return path read @addr and @endpoint whole
 * @ext: its external IPv4 address, fixed for its life
 * @paddr: the pool address @ext belongs to
 * @lock: protects the fields below it
 * @dead: set once the B4 is being torn down; no binding is added after
 * @nbindings: live bindings (hold-down excluded)
 * @nexempt: exempt flows (exempt.c); like ports held, they keep the B4
 * @nports: ports held: live bindings plus those in hold-down
 * @nblocks: port blocks held
 * @tokens: new-binding token bucket
 * @refill: jiffies the bucket was last refilled
 * @idle_since: jiffies @nports and @nexempt last fell to zero
 * @event_stamp: jiffies of its last QUOTA or POOL_EXHAUSTED event; event.c
 *	updates it with cmpxchg(), not under @lock
 * @blocks: the port blocks, @nblocks of them
 * @next_dead: link in a list of B4s being ended (b4.c)
 * @rcu: frees through RCU
 */
struct aftr_b4 {
	struct rhash_head node;
	struct in6_addr prefix;
	u8 plen;
	struct in6_addr addr;
	struct in6_addr endpoint;
	seqcount_spinlock_t seq;
	__be32 ext;
	struct aftr_pool_addr *paddr;
	spinlock_t lock;	/* guards the fields below, and writes of @seq */
	bool dead;
	u32 nbindings;
	u32 nexempt;
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
 * The prefix of the subscriber B4 address @addr belongs to, in @prefix;
 * returns its length. Under RCU or RTNL.
 */
u8 aftr_b4_prefix(struct aftr_dev *ad, const struct in6_addr *addr,
		  struct in6_addr *prefix);

/*
 * A packet of @b4 came from @addr to @endpoint: replies follow the B4 when
 * it moved inside its prefix, or to another endpoint. Packet path.
 */
void aftr_b4_seen(struct aftr_b4 *b4, const struct in6_addr *addr,
		  const struct in6_addr *endpoint);

/*
 * After ENDPOINTS changed, under RTNL: subscribers whose endpoint is gone
 * get replies from the first endpoint left, until they send again.
 */
void aftr_b4s_endpoints_changed(struct aftr_dev *ad);

/* Where replies to @b4 go: from @endpoint to @addr, read whole. */
void aftr_b4_route(const struct aftr_b4 *b4, struct in6_addr *endpoint,
		   struct in6_addr *addr);

/* The subscriber of B4 address @addr, if it has one; under RCU. */
struct aftr_b4 *aftr_b4_find(struct aftr_dev *ad, const struct in6_addr *addr);

/*
 * Looks up or creates the subscriber of B4 address @addr, under RCU; NULL
 * and *why set (an enum aftr_refusal) when it cannot be made.
 */
struct aftr_b4 *aftr_b4_get(struct aftr_dev *ad, const struct in6_addr *addr,
			    const struct in6_addr *endpoint, int *why);

/* The same, but a new B4 is paired with @ext, which must be a pool's. */
struct aftr_b4 *aftr_b4_get_at(struct aftr_dev *ad, const struct in6_addr *addr,
			       const struct in6_addr *endpoint, __be32 ext, int *why);

/*
 * May @b4 have one more binding or exempt flow (CGN-1)? Its quota counts
 * both, and both take a token of its new-binding rate. 0, or the enum
 * aftr_refusal. Under b4->lock, the B4 alive.
 */
int aftr_b4_admit(struct aftr_dev *ad, struct aftr_b4 *b4);

/*
 * For binding.c, which serializes the ends of B4s. aftr_b4_retire() marks
 * @b4 dead and takes it out of the table, if @idle only when it has held no
 * port nor exempt flow for the hold-down time; true if it did. aftr_b4_free() gives its
 * blocks back and frees it once no binding refers to it any more.
 */
bool aftr_b4_retire(struct aftr_dev *ad, struct aftr_b4 *b4, bool idle);
void aftr_b4_free(struct aftr_b4 *b4);

struct rhashtable *aftr_b4s_table(struct aftr_dev *ad);
unsigned int aftr_b4s_count(struct aftr_dev *ad);

#endif /* _DSLITE_AFTR_B4_H */
