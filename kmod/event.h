/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Accountability events (CGN-6) on the "events" multicast group: what an
 * ISP logs to answer "who had this address and port at that time". Every
 * sender may run on the packet path: it allocates atomically, never waits,
 * and when no socket listens only numbers the event, so that a logger
 * that comes back sees from the numbers how many it missed.
 */
#ifndef _DSLITE_AFTR_EVENT_H
#define _DSLITE_AFTR_EVENT_H

#include "aftr.h"

struct aftr_b4;
struct aftr_binding;
struct aftr_key_in;

/* The group's index in the family, for netlink.c. */
#define AFTR_MCGRP_EVENTS	0

/* BLOCK_ALLOC or BLOCK_FREE of @size ports from @first on @b4's address. */
void aftr_event_block(struct aftr_dev *ad, enum dslite_aftr_event ev,
		      const struct aftr_b4 *b4, u16 first, u32 size);

/* BINDING_CREATE or BINDING_EXPIRE, if the instance sends binding events. */
void aftr_event_binding(struct aftr_dev *ad, enum dslite_aftr_event ev,
			const struct aftr_binding *b);

/*
 * QUOTA or POOL_EXHAUSTED for the flow of @key; @ext is 0 when the B4 has no
 * address. At most one a second per @stamp (jiffies of the last one sent),
 * so a B4 hammering its limit costs one message a second.
 */
void aftr_event_refusal(struct aftr_dev *ad, enum dslite_aftr_event ev,
			const struct aftr_key_in *key, __be32 ext,
			unsigned long *stamp);

#endif /* _DSLITE_AFTR_EVENT_H */
