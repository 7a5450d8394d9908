/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The softwire: IPv4-in-IPv6 in (tunnel6 handler, decapsulation) and out
 * (encapsulation toward a B4).
 */
#ifndef _DSLITE_AFTR_TUNNEL_H
#define _DSLITE_AFTR_TUNNEL_H

#include "aftr.h"

int aftr_tunnel_init(void);
void aftr_tunnel_exit(void);

/* ndo_start_xmit of the device: IPv4 routed to the pool, toward a B4. */
netdev_tx_t aftr_tunnel_xmit(struct sk_buff *skb, struct net_device *dev);

/*
 * Encapsulates the IPv4 packet @skb (network header set) from @saddr to
 * @daddr and sends it. Consumes @skb. Returns 0 when it was handed to the
 * IPv6 stack, or a negative error when it was dropped (and counted).
 */
int aftr_tunnel_send(struct aftr_dev *ad, struct sk_buff *skb,
		     const struct in6_addr *saddr, const struct in6_addr *daddr);

#endif /* _DSLITE_AFTR_TUNNEL_H */
