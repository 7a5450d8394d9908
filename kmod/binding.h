/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NAT bindings: one object, two RCU hash indexes.
 *
 * The inside index is keyed by the softwire identity plus the inner endpoint
 * (subscriber prefix, protocol, inner IPv4 address, inner port or ICMP id); the
 * outside index by (protocol, external address, external port). Lookups are
 * lock-free under RCU. A binding whose lifetime ended leaves the inside index
 * at once and stays in the outside index for the hold-down time, so its port
 * is not handed out again (and inbound packets to it are dropped) until then.
 */
#ifndef _DSLITE_AFTR_BINDING_H
#define _DSLITE_AFTR_BINDING_H

#include "aftr.h"

struct aftr_b4;

/* Inside key; the padding is zero so the key hashes as whole words. */
struct aftr_key_in {
	struct in6_addr b4;
	__be32 addr;
	__be16 port;
	u8 proto;
	u8 pad;
};

/* Outside key. */
struct aftr_key_out {
	__be32 addr;
	__be16 port;
	u8 proto;
	u8 pad;
};

/**
 * struct aftr_binding - one NAT mapping of one B4's inner endpoint
 * @in_node: entry in the inside index
 * @out_node: entry in the outside index
 * @in: inside key
 * @out: outside key
 * @b4: the B4 the binding belongs to; valid as long as the binding is
 * @last: jiffies of the last refresh (truncated to 32 bits); in hold-down,
 *	when it began
 * @state: enum dslite_aftr_state, or AFTR_STATE_HOLDDOWN; the packet path
 *	may write it (TCP tracking)
 * @held: out of the inside index, port held down; only binding.c writes it,
 *	so it stays right whatever @state says
 * @fixed: a static mapping (CGN-7): never expires, not flushed; set before
 *	the binding is published, never changed
 * @published: in both indexes; until then only its creator may take it out
 *	of the outside index (release/acquire)
 * @rcu: frees through RCU
 */
struct aftr_binding {
	struct rhash_head in_node;
	struct rhash_head out_node;
	struct aftr_key_in in;
	struct aftr_key_out out;
	struct aftr_b4 *b4;
	u32 last;
	u8 state;
	bool held;
	bool fixed;
	bool published;
	struct rcu_head rcu;
};

/* Internal state past the uapi ones: out of the inside index, port held. */
#define AFTR_STATE_HOLDDOWN	(DSLITE_AFTR_STATE_MAX + 1)

/*
 * Module-wide object caches ("dslite_aftr_binding", "dslite_aftr_b4"), for
 * main.c: init before any instance exists, exit after the last is gone (it
 * waits for pending RCU frees).
 */
int aftr_state_module_init(void);
void aftr_state_module_exit(void);

/*
 * Per instance, init in the order pools, B4s, bindings and destroy in the
 * reverse: aftr_bindings_destroy() first, as it stops the expiry worker that
 * walks the other two. Destroy runs once the packet path and netlink can no
 * longer reach the instance; it frees everything synchronously.
 */
int aftr_bindings_init(struct aftr_dev *ad);
void aftr_bindings_destroy(struct aftr_dev *ad);

/* Packet path, under RCU. Lookups of the outside index skip hold-downs. */
struct aftr_binding *aftr_binding_lookup_in(struct aftr_dev *ad,
					    const struct aftr_key_in *key);
struct aftr_binding *aftr_binding_lookup_out(struct aftr_dev *ad,
					     const struct aftr_key_out *key);


/*
 * Under RCU (the whole call: see aftr_bindings_end_b4s()). Returns the
 * binding of @key (whose b4 is the subscriber's prefix), new or made
 * meanwhile by another CPU; NULL and *why set when refused. @b4 is the B4
 * address the packet came from. A new binding starts in
 * DSLITE_AFTR_STATE_OPEN.
 */
struct aftr_binding *aftr_binding_create(struct aftr_dev *ad,
					 const struct aftr_key_in *key,
					 const struct in6_addr *b4,
					 const struct in6_addr *endpoint,
					 enum aftr_refusal *why);

void aftr_binding_refresh(struct aftr_binding *b);

unsigned long aftr_binding_timeout(const struct aftr_dev *ad,
				   const struct aftr_binding *b);

/*
 * Ends the bindings of the subscriber B4 address @b4 belongs to (NULL: every
 * subscriber) and @proto (0: all), hold-downs included, at once; returns how
 * many live ones it ended. Process context.
 */
unsigned int aftr_binding_flush(struct aftr_dev *ad,
				const struct in6_addr *b4, u8 proto);

/*
 * Ends the B4s @match selects, their bindings and their blocks. Process
 * context (B4_DENY, POOL_DEL). It always waits for an RCU grace period
 * first, so what its caller unpublished before is unreachable after.
 */
void aftr_bindings_end_b4s(struct aftr_dev *ad,
			   bool (*match)(const struct aftr_b4 *b4, const void *arg),
			   const void *arg);

/*
 * Exempt flows (exempt.c) end under the same mutex as bindings.
 * aftr_bindings_kick(): a flow was made, the expiry worker must run
 * (packet path). aftr_bindings_end_exempt(): ends the flows whose
 * destination is no longer exempt, once every packet that saw the old
 * exempt set is through (process context).
 */
void aftr_bindings_kick(struct aftr_dev *ad);
void aftr_bindings_end_exempt(struct aftr_dev *ad);

/*
 * Static mappings, under RTNL: a fixed binding of @in to @out, its B4 made
 * or found and pinned to @out's address; and its end.
 */
int aftr_binding_add_static(struct aftr_dev *ad, const struct aftr_key_in *in,
			    const struct aftr_key_out *out,
			    const struct in6_addr *endpoint,
			    struct netlink_ext_ack *extack);
int aftr_binding_del_static(struct aftr_dev *ad, const struct aftr_key_out *out);

/*
 * Dumps that resume where they stopped. aftr_binding_static_next(): the
 * static mapping at *@idx or after it (0: the first), NULL past the last;
 * a dump goes on from *@idx + 1. aftr_binding_walk_b4(): calls @fn on each
 * binding of the subscriber of B4 address @addr, hold-downs included, from
 * *@pos (0: the first), until @fn returns true; it then returns true with
 * *@pos at that binding. Both under RCU, in the time their own entries
 * take, not the table's.
 */
struct aftr_binding *aftr_binding_static_next(struct aftr_dev *ad, unsigned long *idx);
bool aftr_binding_walk_b4(struct aftr_dev *ad, const struct in6_addr *addr, u64 *pos,
			  bool (*fn)(struct aftr_binding *b, void *arg), void *arg);

/*
 * Calls @fn on every object of @ht, resting every so often; @fn returns
 * whether it took its object out of @ht. Process context; the caller keeps
 * other removers away.
 */
void aftr_table_sweep(struct rhashtable *ht, bool (*fn)(void *obj, void *arg),
		      void *arg);

/* The inside index, for dumps (netlink.c walks it with rhashtable_walk_*). */
struct rhashtable *aftr_bindings_table(struct aftr_dev *ad);
unsigned int aftr_bindings_count(struct aftr_dev *ad);

#endif /* _DSLITE_AFTR_BINDING_H */
