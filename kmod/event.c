// SPDX-License-Identifier: GPL-2.0
/*
 * Events on the multicast group. A listener that cannot keep up loses
 * messages, and learns it from ENOBUFS on its socket: queueing them here
 * instead would let a slow logger hold the packet path's memory.
 */
#include <linux/ktime.h>
#include <net/genetlink.h>

#include "b4.h"
#include "binding.h"
#include "event.h"
#include "netlink.h"

/* Room for the largest event: ident, five addresses and ports, padding. */
#define EVENT_SIZE	256

/*
 * Whether anyone listens to @ad's events. Events no one hears are numbered
 * too: a gap in the numbers a listener sees is then every event it missed,
 * lost to its socket's overflow or to its absence (gap-free accounting).
 */
static bool event_wanted(struct aftr_dev *ad)
{
	if (genl_has_listeners(&aftr_genl_family, ad->net, AFTR_MCGRP_EVENTS))
		return true;
	atomic64_inc(&ad->event_seq);
	return false;
}

/*
 * A message with the attributes every event has, its number left to
 * event_send() in *@seq; NULL when out of memory, the event's number
 * spent so that listeners see the loss.
 */
static struct sk_buff *event_start(struct aftr_dev *ad, enum dslite_aftr_event ev,
				   const struct in6_addr *b4, void **hdr, void **seq)
{
	struct sk_buff *skb = genlmsg_new(EVENT_SIZE, GFP_ATOMIC);
	struct nlattr *nla;

	if (!skb)
		goto lost;
	*hdr = genlmsg_put(skb, 0, 0, &aftr_genl_family, 0, DSLITE_AFTR_CMD_EVENT);
	if (!*hdr ||
	    nla_put_u32(skb, DSLITE_AFTR_A_IFINDEX, ad->dev->ifindex) ||
	    nla_put_u8(skb, DSLITE_AFTR_A_EVENT, ev))
		goto free;
	nla = nla_reserve_64bit(skb, DSLITE_AFTR_A_EVENT_SEQ, sizeof(u64), DSLITE_AFTR_A_PAD);
	if (!nla ||
	    nla_put_u64_64bit(skb, DSLITE_AFTR_A_TIMESTAMP_NS, ktime_get_real_ns(),
			      DSLITE_AFTR_A_PAD) ||
	    nla_put_in6_addr(skb, DSLITE_AFTR_A_B4_ADDR, b4))
		goto free;
	*seq = nla_data(nla);
	return skb;
free:
	nlmsg_free(skb);
lost:
	atomic64_inc(&ad->event_seq);
	return NULL;
}

/*
 * Numbers and sends the event in @skb, or spends its number when it could
 * not be completed (!@ok). Numbering and queueing to the listeners happen
 * under one lock: events built on several CPUs at once then reach every
 * listener in the order of their numbers, so that a gap a listener sees is
 * a loss, never an event still on its way.
 */
static void event_send(struct aftr_dev *ad, struct sk_buff *skb, void *hdr,
		       void *seq, bool ok)
{
	u64 n;

	if (!ok) {
		nlmsg_free(skb);
		atomic64_inc(&ad->event_seq);
		return;
	}
	genlmsg_end(skb, hdr);
	spin_lock_bh(&ad->event_lock);
	n = atomic64_inc_return(&ad->event_seq);
	/* x86 pads no u64 attribute: it may be only 4-byte aligned. */
	memcpy(seq, &n, sizeof(n));
	genlmsg_multicast_netns(&aftr_genl_family, ad->net, skb, 0,
				AFTR_MCGRP_EVENTS, GFP_ATOMIC);
	spin_unlock_bh(&ad->event_lock);
}

void aftr_event_block(struct aftr_dev *ad, enum dslite_aftr_event ev,
		      const struct aftr_b4 *b4, u16 first, u32 size)
{
	struct sk_buff *skb;
	void *hdr, *seq;

	if (!event_wanted(ad))
		return;
	skb = event_start(ad, ev, &b4->addr, &hdr, &seq);
	if (!skb)
		return;
	event_send(ad, skb, hdr, seq,
		   !nla_put_in_addr(skb, DSLITE_AFTR_A_OUTER_ADDR, b4->ext) &&
		   !nla_put_u16(skb, DSLITE_AFTR_A_PORT_MIN, first) &&
		   !nla_put_u16(skb, DSLITE_AFTR_A_PORT_MAX, first + size - 1));
}

/* The inner endpoint of a flow; never its destination (CGN-6). */
static bool put_inner(struct sk_buff *skb, const struct aftr_key_in *key)
{
	return !nla_put_u8(skb, DSLITE_AFTR_A_PROTO, key->proto) &&
	       !nla_put_in_addr(skb, DSLITE_AFTR_A_INNER_ADDR, key->addr) &&
	       !nla_put_u16(skb, DSLITE_AFTR_A_INNER_PORT, ntohs(key->port));
}

void aftr_event_binding(struct aftr_dev *ad, enum dslite_aftr_event ev,
			const struct aftr_binding *b)
{
	struct in6_addr endpoint, b4;
	struct sk_buff *skb;
	void *hdr, *seq;

	if (!READ_ONCE(ad->params.events_bindings) || !event_wanted(ad))
		return;
	/* The B4 address, not the subscriber prefix the binding is keyed by. */
	aftr_b4_route(b->b4, &endpoint, &b4);
	skb = event_start(ad, ev, &b4, &hdr, &seq);
	if (!skb)
		return;
	event_send(ad, skb, hdr, seq, put_inner(skb, &b->in) &&
		   !nla_put_in_addr(skb, DSLITE_AFTR_A_OUTER_ADDR, b->out.addr) &&
		   !nla_put_u16(skb, DSLITE_AFTR_A_OUTER_PORT, ntohs(b->out.port)));
}

void aftr_event_refusal(struct aftr_dev *ad, enum dslite_aftr_event ev,
			const struct aftr_key_in *key, __be32 ext,
			unsigned long *stamp)
{
	unsigned long last = READ_ONCE(*stamp), now = jiffies;
	struct sk_buff *skb;
	void *hdr, *seq;

	/* Zero is "never": the first refusal of a B4 is always reported. */
	if (last && time_before(now, last + HZ))
		return;
	if (cmpxchg(stamp, last, now ?: 1) != last || !event_wanted(ad))
		return;
	skb = event_start(ad, ev, &key->b4, &hdr, &seq);
	if (!skb)
		return;
	event_send(ad, skb, hdr, seq, put_inner(skb, key) &&
		   (!ext || !nla_put_in_addr(skb, DSLITE_AFTR_A_OUTER_ADDR, ext)));
}
