/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP the AFTR originates toward B4s (from 192.0.0.1, 6333-4) and toward
 * the Internet (NAT-11), rate limited, and ICMPv6 errors about softwire
 * packets (6333-5).
 */
#ifndef _DSLITE_AFTR_ICMP_H
#define _DSLITE_AFTR_ICMP_H

#include "aftr.h"

struct inet6_skb_parm;

/* RFC 1812 4.3.2.3: quote as much of the offending packet as fits in 576. */
#define AFTR_ICMP_QUOTE_MAX	(576 - sizeof(struct iphdr) - sizeof(struct icmphdr))

int aftr_icmp_init(struct aftr_dev *ad);
void aftr_icmp_destroy(struct aftr_dev *ad);

/*
 * What sends an IPv4 packet into the softwire from @saddr to @daddr,
 * consuming it; 0 when sent. The tunnel registers it at module init: ICMP
 * is a leaf, that the NAT below the tunnel calls, and must not call up.
 */
typedef int (*aftr_icmp_sender)(struct aftr_dev *ad, struct sk_buff *skb,
				const struct in6_addr *saddr, const struct in6_addr *daddr);
void aftr_icmp_set_sender(aftr_icmp_sender send);

/*
 * Answers the inner IPv4 packet @skb that came from @b4 through @endpoint
 * with an ICMPv4 error from 192.0.0.1, sent back into the softwire, within
 * the error budget of @b4's subscriber prefix @sub. Does not consume @skb.
 */
void aftr_icmp_to_b4(struct aftr_dev *ad, struct sk_buff *skb,
		     const struct in6_addr *b4, const struct in6_addr *sub,
		     const struct in6_addr *endpoint, u8 type, u8 code, u32 info);

/*
 * Answers the IPv4 packet @skb (network header set, as its source sent it),
 * too big for its softwire with DF set, with "fragmentation needed" and
 * next-hop MTU @mtu, sent to its source through the IPv4 stack (NAT-11).
 * Does not consume @skb.
 */
void aftr_icmp_frag_needed(struct aftr_dev *ad, struct sk_buff *skb, unsigned int mtu);

/*
 * Answers the IPv4 packet @skb (network header set, untranslated) with port
 * unreachable from the address it was sent to: an unsolicited SYN nobody
 * answered (NAT-7). Does not consume @skb.
 */
void aftr_icmp_port_unreach(struct aftr_dev *ad, struct sk_buff *skb);

/*
 * An ICMPv6 error quoting a softwire packet we sent, from one of our
 * endpoints (@skb->data at the quoted IPv6 header): a packet too big lowers
 * the path MTU toward the B4 (6333-5).
 */
void aftr_icmp_softwire_err(struct sk_buff *skb, u8 type, __be32 info);

/*
 * Relays ICMPv6 error @type, @code, @info about a softwire packet to the
 * source of the IPv4 packet it carried, @quote (consumed: the start of that
 * packet, as its source sent it) as the matching ICMPv4 error (6333-5).
 */
void aftr_icmp_relay(struct aftr_dev *ad, struct sk_buff *quote, u8 type, u8 code,
		     __be32 info);

#endif /* _DSLITE_AFTR_ICMP_H */
