/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NAT44 keyed per B4: rewriting of IPv4 packets in both directions, TCP state
 * tracking, and translation of ICMP errors with the packet they embed.
 */
#ifndef _DSLITE_AFTR_NAT_H
#define _DSLITE_AFTR_NAT_H

#include "aftr.h"

struct aftr_binding;

/*
 * From a B4: @skb is the decapsulated IPv4 packet (network header set,
 * header validated). Finds or creates the binding and rewrites the source.
 * Returns 0 when @skb is ready for the IPv4 stack; otherwise it has counted
 * the drop (and answered with ICMP where owed) and the caller frees @skb.
 */
int aftr_nat_from_b4(struct aftr_dev *ad, struct sk_buff *skb,
		     const struct in6_addr *b4, const struct in6_addr *endpoint);

/*
 * Toward a B4: @skb is an IPv4 packet routed to the device. Rewrites the
 * destination and returns the binding (under the caller's RCU read lock),
 * whose B4 gives the softwire; NULL when dropped and counted.
 */
struct aftr_binding *aftr_nat_to_b4(struct aftr_dev *ad, struct sk_buff *skb);

#endif /* _DSLITE_AFTR_NAT_H */
