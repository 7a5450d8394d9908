/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family "dslite_aftr": configuration and dumps. */
#ifndef _DSLITE_AFTR_NETLINK_H
#define _DSLITE_AFTR_NETLINK_H

#include <net/genetlink.h>

struct aftr_b4;
struct aftr_binding;
struct aftr_dev;
struct aftr_prefix6;

extern struct genl_family aftr_genl_family;

int aftr_genl_init(void);
void aftr_genl_exit(void);

/* Ends the dumps walking @ad's tables, before they go. Under RTNL. */
void aftr_genl_dev_gone(struct aftr_dev *ad);

/*
 * The end of the subscribers @match selects (aftr_bindings_end_b4s()), for
 * a handler holding RTNL, which it drops meanwhile: a pool or prefix of a
 * million bindings takes seconds, and neither other configuration nor the
 * rest of the networking stack should wait for it. The instance's end
 * waits for the sweep; after it, the handler must not touch the instance.
 */
void aftr_genl_end_b4s(struct aftr_dev *ad,
		       bool (*match)(const struct aftr_b4 *b4, const void *arg),
		       const void *arg);

/* For handlers outside netlink.c: the instance of a dump, under RTNL. */
struct aftr_dev *aftr_genl_dump_dev(struct sk_buff *skb, struct netlink_callback *cb);

/* The header of one dump message of @cmd; NULL when @skb is full. */
void *aftr_genl_dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd);

/* The endpoints of a binding: B4, protocol, inner and outer address:port. */
int aftr_genl_put_binding(struct sk_buff *skb, const struct aftr_binding *b);

/* A B4_PREFIX nest: @a, @len long. */
int aftr_genl_put_b4_prefix(struct sk_buff *skb, const struct in6_addr *a, u8 len);

/* A prefix nest @type of a request, checked; refusals explained. */
int aftr_genl_prefix6_parse(struct genl_info *info, u16 type, struct aftr_prefix6 *p);
int aftr_genl_prefix4_parse(struct genl_info *info, u16 type, __be32 *addr, u8 *len);

#endif /* _DSLITE_AFTR_NETLINK_H */
