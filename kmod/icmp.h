/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP the AFTR originates toward B4s (from 192.0.0.1, 6333-4), rate limited,
 * and ICMPv6 errors about softwire packets relayed as ICMPv4 (6333-5).
 */
#ifndef _DSLITE_AFTR_ICMP_H
#define _DSLITE_AFTR_ICMP_H

#include "aftr.h"

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

#endif /* _DSLITE_AFTR_ICMP_H */
