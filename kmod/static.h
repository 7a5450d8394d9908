/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Static mappings (CGN-7): a binding the operator makes, so that a host
 * behind a B4 is reachable from outside with no packet sent first. It is a
 * binding like the others in both indexes, marked fixed: it never expires,
 * BINDING_FLUSH leaves it, and it pins its B4 to its external address. It
 * ends with STATIC_DEL, or with its B4 (B4_DENY, POOL_DEL).
 */
#ifndef _DSLITE_AFTR_STATIC_H
#define _DSLITE_AFTR_STATIC_H

#include <net/genetlink.h>

/* Netlink handlers; the doits run under RTNL with the instance in user_ptr[0]. */
int aftr_static_add_doit(struct sk_buff *skb, struct genl_info *info);
int aftr_static_del_doit(struct sk_buff *skb, struct genl_info *info);
int aftr_static_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _DSLITE_AFTR_STATIC_H */
