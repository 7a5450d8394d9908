/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Destinations exempt from translation (CGN-8): a B4's packet to one of the
 * instance's exempt IPv4 prefixes leaves with its inner source untouched,
 * and an exempt flow remembers which subscriber sent it, so that replies,
 * addressed to a private address many subscribers may share, go back into
 * the right softwire.
 *
 * A flow is keyed by what a reply carries: (protocol, exempt address and
 * port, inner address and port or ICMP echo id). The packet path adds flows
 * under the lock of their subscriber, within its quota and rate (they count
 * as bindings do); they are looked up lock-free under RCU. Ends run in
 * process context under binding.c's mutex (expiry, the ends of subscribers,
 * an exempt prefix removed): whoever takes a flow out of the table frees it.
 */
#ifndef _DSLITE_AFTR_EXEMPT_H
#define _DSLITE_AFTR_EXEMPT_H

#include "aftr.h"

struct aftr_b4;

/* The key; the padding is zero so the key hashes as whole words. */
struct aftr_exempt_key {
	__be32 raddr;
	__be32 laddr;
	__be16 rport;
	__be16 lport;
	u8 proto;
	u8 pad[3];
};

/**
 * struct aftr_exempt_flow - the return state of one exempt flow
 * @node: entry in the instance's flow table
 * @key: exempt address (@raddr) and port (@rport, 0 for ICMP), inner
 *	address (@laddr) and port or echo id (@lport), protocol
 * @b4: the subscriber it belongs to; valid as long as the flow is
 * @last: jiffies of the last packet from the B4 side (truncated)
 * @state: TCP state (enum dslite_aftr_state), for its timeout
 * @rcu: frees through RCU
 */
struct aftr_exempt_flow {
	struct rhash_head node;
	struct aftr_exempt_key key;
	struct aftr_b4 *b4;
	u32 last;
	u8 state;
	struct rcu_head rcu;
};

/* The flow cache ("dslite_aftr_exempt"); binding.c's module init/exit. */
int aftr_exempt_module_init(void);
void aftr_exempt_module_exit(void);

/* Per instance: init after aftr_b4s_init(), destroy before its destroy. */
int aftr_exempt_init(struct aftr_dev *ad);
void aftr_exempt_destroy(struct aftr_dev *ad);

/* Is IPv4 @addr an exempt destination? Under RCU or RTNL. */
bool aftr_exempt_dest(struct aftr_dev *ad, __be32 addr);

/* Packet path, under RCU. */
struct aftr_exempt_flow *aftr_exempt_flow_lookup(struct aftr_dev *ad,
						 const struct aftr_exempt_key *key);

/*
 * Under RCU: the flow of @key, new or found, for B4 address @b4 that sent
 * to @endpoint; NULL and *why set when refused, AFTR_REFUSED_CLASH when
 * the flow is another subscriber's (two homes with the same private
 * address and port talking to the same exempt address and port).
 */
struct aftr_exempt_flow *aftr_exempt_flow_get(struct aftr_dev *ad,
					      const struct aftr_exempt_key *key,
					      const struct in6_addr *b4,
					      const struct in6_addr *endpoint,
					      enum aftr_refusal *why);

void aftr_exempt_flow_refresh(struct aftr_exempt_flow *f);

/*
 * For binding.c, under its mutex. aftr_exempt_end_stale() ends @f if it
 * expired (counted), its subscriber is dead, or its destination is no
 * longer exempt; true if it did. The table, for the sweeps.
 */
bool aftr_exempt_end_stale(struct aftr_dev *ad, struct aftr_exempt_flow *f);
struct rhashtable *aftr_exempt_table(struct aftr_dev *ad);
unsigned int aftr_exempt_count(struct aftr_dev *ad);

#endif /* _DSLITE_AFTR_EXEMPT_H */
