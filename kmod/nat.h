/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NAT44 keyed per B4: rewriting of IPv4 packets in both directions, TCP state
 * tracking, and translation of ICMP errors with the packet they embed.
 *
 * Both directions reassemble IPv4 fragments first (NAT-12), so a fragment may
 * be queued rather than translated: that is why a failure always consumes
 * the packet, and the caller never frees it.
 */
#ifndef _DSLITE_AFTR_NAT_H
#define _DSLITE_AFTR_NAT_H

#include "aftr.h"

struct aftr_binding;

/*
 * From a B4: @skb is the decapsulated IPv4 packet (network header set,
 * header validated, skb->dev the instance's device). Finds or creates the
 * binding and rewrites the source. Returns 0 when @skb is ready for the IPv4
 * stack; otherwise @skb is consumed: dropped and counted (and answered with
 * ICMP where owed), or queued for reassembly.
 */
int aftr_nat_from_b4(struct aftr_dev *ad, struct sk_buff *skb,
		     const struct in6_addr *b4, const struct in6_addr *endpoint);

/*
 * Toward a B4: @skb is an IPv4 packet routed to the device (header
 * validated). Rewrites the destination and returns the binding (under the
 * caller's RCU read lock), whose B4 gives the softwire; NULL when @skb was
 * consumed: dropped and counted, or queued for reassembly.
 */
struct aftr_binding *aftr_nat_to_b4(struct aftr_dev *ad, struct sk_buff *skb);

#endif /* _DSLITE_AFTR_NAT_H */
