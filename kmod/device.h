/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "dslite" device kind: one AFTR instance per device, instances listed
 * per network namespace.
 */
#ifndef _DSLITE_AFTR_DEVICE_H
#define _DSLITE_AFTR_DEVICE_H

#include "aftr.h"

/*
 * The per-namespace instance lists, which the genl family's requests walk;
 * and the device kind, which makes and deletes instances. main.c orders
 * them around the family.
 */
int aftr_device_nets_init(void);
void aftr_device_nets_exit(void);
int aftr_device_kind_init(void);
void aftr_device_kind_exit(void);

/* The instance that owns @daddr as an endpoint, or NULL. Under RCU. */
struct aftr_dev *aftr_dev_by_endpoint(struct net *net,
				      const struct in6_addr *daddr);

/* The instance named by ifindex or name in @net, or NULL. Under RTNL. */
struct aftr_dev *aftr_dev_find(struct net *net, u32 ifindex,
			       const char *ifname);

/* The @n-th instance of @net, for dumps; NULL past the last. Under RTNL. */
struct aftr_dev *aftr_dev_nth(struct net *net, unsigned int n);

#endif /* _DSLITE_AFTR_DEVICE_H */
