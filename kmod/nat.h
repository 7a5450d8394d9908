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

struct aftr_b4;
struct aftr_binding;

/* aftr_nat_from_b4(): the packet goes on untranslated (CGN-8). */
#define AFTR_NAT_EXEMPT	1

/*
 * From a B4: @skb is the decapsulated IPv4 packet (network header set,
 * header validated, skb->dev the instance's device). Finds or creates the
 * binding and rewrites the source; to an exempt destination, keeps the
 * packet's flow and rewrites nothing. Returns 0 (translated) or
 * AFTR_NAT_EXEMPT when @skb is ready for the IPv4 stack; otherwise, a
 * negative error, @skb consumed: dropped and counted (and answered with
 * ICMP where owed), or queued for reassembly.
 */
int aftr_nat_from_b4(struct aftr_dev *ad, struct sk_buff *skb,
		     const struct in6_addr *b4, const struct in6_addr *endpoint);

/*
 * Toward a B4: @skb is an IPv4 packet routed to the device (header
 * validated). Rewrites the destination and returns the subscriber whose
 * route gives the softwire (under the caller's RCU read lock), with *@bp
 * the binding, or NULL for a packet from an exempt source, which goes
 * untranslated; NULL when @skb was consumed: dropped and counted, or
 * queued for reassembly.
 */
struct aftr_b4 *aftr_nat_to_b4(struct aftr_dev *ad, struct sk_buff *skb,
			       struct aftr_binding **bp);

/*
 * Undoes what aftr_nat_to_b4() did to @skb with binding @b: the destination
 * is the external address and port again, as the packet's source sent it,
 * for an error that quotes it (NAT-11).
 */
void aftr_nat_restore(struct sk_buff *skb, const struct aftr_binding *b);

/**
 * aftr_nat_softwire_quote() - the packet an ICMPv6 error about a softwire
 * quotes, as its source sent it (6333-5)
 * @ad: the instance
 * @skb: the ICMPv6 error, not consumed
 * @off: where the quoted IPv4 packet starts in @skb
 * @b4: the B4 the quoted softwire packet went to
 *
 * Under RCU. Return: a new skb holding the start of the quoted packet (what
 * an ICMPv4 error may quote, network and transport headers set), its
 * destination put back to its binding's external address and port; NULL
 * when it is no packet the NAT sent toward @b4 (counted as
 * icmp-relay-dropped) or on lack of memory (drop-nomem).
 */
struct sk_buff *aftr_nat_softwire_quote(struct aftr_dev *ad, const struct sk_buff *skb,
					unsigned int off, const struct in6_addr *b4);

#endif /* _DSLITE_AFTR_NAT_H */
