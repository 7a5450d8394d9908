/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deterministic port ranges (RFC 7422, CGN-5): rules that give every B4
 * prefix of a set one pool address and one port range by arithmetic, so
 * that who had an external address and port needs no log to answer. The
 * formula is in Documentation/netlink.rst (DET_ADD).
 *
 * Rules are an RCU-replaced array written under RTNL; the packet path reads
 * it when it pairs a new B4 and when it asks whether an address is the
 * AFTR's.
 */
#ifndef _DSLITE_AFTR_DET_H
#define _DSLITE_AFTR_DET_H

#include <net/genetlink.h>

#include "aftr.h"

struct aftr_b4;

/* Netlink handlers, under RTNL with the instance in info->user_ptr[0]. */
int aftr_det_add_doit(struct sk_buff *skb, struct genl_info *info);
int aftr_det_del_doit(struct sk_buff *skb, struct genl_info *info);
int aftr_det_lookup_doit(struct sk_buff *skb, struct genl_info *info);
int aftr_det_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* At the instance's end, after aftr_b4s_destroy(). */
void aftr_det_destroy(struct aftr_dev *ad);

/*
 * The length of the B4 prefixes of the rule covering a B4 at @addr, or 0
 * when none does. Under RCU or RTNL.
 */
u8 aftr_det_b4_len(struct aftr_dev *ad, const struct in6_addr *addr);

/* Does the IPv4 prefix overlap a rule's pool? Under RTNL. */
bool aftr_det_overlaps(struct aftr_dev *ad, __be32 prefix, u8 len);

/*
 * Pairs an unpublished B4 covered by a rule with its address and range,
 * under RCU; -ENOENT when no rule covers it.
 */
int aftr_det_pair(struct aftr_dev *ad, struct aftr_b4 *b4);

#endif /* _DSLITE_AFTR_DET_H */
