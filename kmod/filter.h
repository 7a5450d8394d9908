/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filtering of inbound UDP and TCP (NAT-2, RFC 4787 REQ-8) and the
 * unsolicited SYNs it refuses (NAT-7, RFC 5382 REQ-4).
 *
 * Endpoint-independent filtering, the default, needs nothing: a live
 * binding is the whole permission. The strict modes keep a permission per
 * (mapping, remote address[, remote port]) a binding sent to, in a table of
 * their own, so that a binding costs the same in every mode and nothing
 * when no instance filters.
 */
#ifndef _DSLITE_AFTR_FILTER_H
#define _DSLITE_AFTR_FILTER_H

#include "aftr.h"

struct aftr_binding;

/* How long an unsolicited SYN is held before port unreachable (REQ-4). */
#define AFTR_SYN_HOLD		(6 * HZ)
/* SYNs an instance holds at most; more are dropped without an answer. */
#define AFTR_SYN_HOLD_MAX	256

/* The module-wide permission cache ("dslite_aftr_permit"), for main.c. */
int aftr_filter_module_init(void);
void aftr_filter_module_exit(void);

/* Per instance; destroy once no packet can reach it, before ICMP's. */
int aftr_filter_init(struct aftr_dev *ad);
void aftr_filter_destroy(struct aftr_dev *ad);

/*
 * Packet path, under RCU, for a UDP or TCP packet from a B4 that binding
 * @b translates (not yet rewritten): in a strict mode its destination gets
 * (or keeps) a permission, and an outbound SYN ends the unsolicited SYN
 * held for the same connection (simultaneous open). Returns 0, or an enum
 * aftr_refusal when no permission could be made.
 */
int aftr_filter_out(struct aftr_dev *ad, const struct aftr_binding *b,
		    const struct sk_buff *skb);

/*
 * Packet path, under RCU, for a UDP or TCP packet toward binding @b (not
 * yet rewritten). Returns true when the filtering mode lets it reach @b;
 * otherwise it was counted and consumed: held when an unsolicited SYN,
 * dropped else.
 */
bool aftr_filter_in(struct aftr_dev *ad, const struct aftr_binding *b,
		    struct sk_buff *skb);

/*
 * Process context: drops the permissions of the subscriber of B4 address @b4
 * (NULL: every subscriber) and @proto (0: all), as a binding flush or a
 * change of mode makes them mean nothing.
 */
void aftr_filter_flush(struct aftr_dev *ad, const struct in6_addr *b4, u8 proto);

#endif /* _DSLITE_AFTR_FILTER_H */
