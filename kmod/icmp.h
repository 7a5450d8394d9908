/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP the AFTR originates toward B4s (from 192.0.0.1, 6333-4), rate limited,
 * and ICMPv6 errors about softwire packets (6333-5).
 */
#ifndef _DSLITE_AFTR_ICMP_H
#define _DSLITE_AFTR_ICMP_H

#include "aftr.h"

struct inet6_skb_parm;

int aftr_icmp_init(struct aftr_dev *ad);
void aftr_icmp_destroy(struct aftr_dev *ad);

/*
 * Answers the inner IPv4 packet @skb that came from @b4 through @endpoint
 * with an ICMPv4 error from 192.0.0.1, sent back into the softwire.
 * Does not consume @skb.
 */
void aftr_icmp_to_b4(struct aftr_dev *ad, struct sk_buff *skb,
		     const struct in6_addr *b4, const struct in6_addr *endpoint,
		     u8 type, u8 code, u32 info);

/*
 * The tunnel6 err_handler: an ICMPv6 error quoting a softwire packet we sent
 * (@skb->data at the quoted IPv6 header). Returns 0 when it was ours.
 */
int aftr_icmp_softwire_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			   u8 type, u8 code, int offset, __be32 info);

#endif /* _DSLITE_AFTR_ICMP_H */
