// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP the AFTR itself originates toward a B4's LAN, from 192.0.0.1
 * (6333-4), rate limited per destination B4; and the tunnel6 error handler
 * for ICMPv6 errors about the softwire packets we send (6333-5).
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "icmp.h"

/* RFC 1812 4.3.2.3: quote as much of the offending packet as fits in 576. */
#define ICMP_QUOTE_MAX	(576 - sizeof(struct iphdr) - sizeof(struct icmphdr))
#define ICMP_TTL	64
/* Token buckets by destination; their rate and burst are settings (TUN-6). */
#define ICMP_SLOTS	1024

/**
 * struct aftr_icmp_limit - rate limits of the errors an instance sends
 * @seed: keys the hash of destinations to slots, so nobody picks a slot
 * @slot: token buckets, each the jiffies of its last refill (high half)
 *	and its tokens (low half), updated with a compare-and-swap
 *
 * A bucket per destination (by hash) rather than one per instance: a B4
 * that provokes errors without pause then spends its own budget, not that
 * of every other B4, and no CPU waits for a lock on the packet path.
 */
struct aftr_icmp_limit {
	u32 seed;
	atomic64_t slot[ICMP_SLOTS];
};

static aftr_icmp_sender softwire_send __read_mostly;

void aftr_icmp_set_sender(aftr_icmp_sender send)
{
	softwire_send = send;
}

int aftr_icmp_init(struct aftr_dev *ad)
{
	struct aftr_icmp_limit *limit = kvzalloc(sizeof(*limit), GFP_KERNEL_ACCOUNT);

	if (!limit)
		return -ENOMEM;
	limit->seed = get_random_u32();
	ad->icmp_limit = limit;
	return 0;
}

/* Once no packet can reach the instance any more. */
void aftr_icmp_destroy(struct aftr_dev *ad)
{
	kvfree(ad->icmp_limit);
	ad->icmp_limit = NULL;
}

/*
 * Takes a token for errors to @dst, at @rate a second up to @burst. The
 * refill time only moves when a whole token was earned, so the fractions of
 * frequent calls add up instead of being lost; a bucket never used starts
 * full, and one filled under a larger burst is cut down to the new one.
 */
static bool icmp_limit_take(struct aftr_icmp_limit *limit, const struct in6_addr *dst,
			    u32 rate, u32 burst)
{
	atomic64_t *slot = &limit->slot[jhash(dst, sizeof(*dst), limit->seed) % ICMP_SLOTS];
	u64 old = atomic64_read(slot), earned;
	u32 now = jiffies, stamp, tokens;

	do {
		stamp = old >> 32;
		tokens = (u32)old;
		earned = div_u64((u64)(u32)(now - stamp) * rate, HZ);
		if (!old || earned) {
			tokens = old ? min_t(u64, tokens + earned, burst) : burst;
			stamp = now;
		}
		tokens = min(tokens, burst);
		if (!tokens)
			return false;
	} while (!atomic64_try_cmpxchg(slot, &old, (u64)stamp << 32 | (tokens - 1)));
	return true;
}

/* RFC 1122 3.2.2: no error about an error, nor about a later fragment. */
static bool icmp_may_answer(const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const u8 *type;
	u8 buf;

	if (iph->frag_off & htons(IP_OFFSET))
		return false;
	if (iph->protocol != IPPROTO_ICMP)
		return true;
	type = skb_header_pointer(skb, skb_network_offset(skb) + ip_hdrlen(skb),
				  sizeof(buf), &buf);
	return type && !icmp_is_err(*type);
}

/* Builds the error: IPv4 from 192.0.0.1 to the offender's source. */
static struct sk_buff *icmp_build(const struct sk_buff *skb, u8 type, u8 code,
				  u32 info)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int qlen = min_t(unsigned int, skb->len - skb_network_offset(skb),
				  ICMP_QUOTE_MAX);
	unsigned int hroom = LL_MAX_HEADER + sizeof(struct ipv6hdr);
	struct sk_buff *nskb;
	struct icmphdr *ih;
	struct iphdr *niph;

	nskb = alloc_skb(hroom + sizeof(*niph) + sizeof(*ih) + qlen, GFP_ATOMIC);
	if (!nskb)
		return NULL;
	skb_reserve(nskb, hroom);
	skb_reset_network_header(nskb);
	niph = skb_put(nskb, sizeof(*niph));
	ih = skb_put(nskb, sizeof(*ih));
	if (skb_copy_bits(skb, skb_network_offset(skb), skb_put(nskb, qlen), qlen)) {
		kfree_skb(nskb);
		return NULL;
	}

	*ih = (struct icmphdr) {
		.type = type,
		.code = code,
		.un.gateway = htonl(info),
	};
	ih->checksum = csum_fold(csum_partial(ih, sizeof(*ih) + qlen, 0));

	*niph = (struct iphdr) {
		.version = 4,
		.ihl = sizeof(*niph) / 4,
		.tos = (iph->tos & IPTOS_TOS_MASK) | IPTOS_PREC_INTERNETCONTROL,
		.tot_len = htons(nskb->len),
		/* Small and atomic: never fragmented, so the id can stay 0. */
		.frag_off = htons(IP_DF),
		.ttl = ICMP_TTL,
		.protocol = IPPROTO_ICMP,
		.saddr = htonl(DSLITE_AFTR_ADDR4),
		.daddr = iph->saddr,
	};
	ip_send_check(niph);
	nskb->protocol = htons(ETH_P_IP);
	return nskb;
}

void aftr_icmp_to_b4(struct aftr_dev *ad, struct sk_buff *skb,
		     const struct in6_addr *b4, const struct in6_addr *endpoint,
		     u8 type, u8 code, u32 info)
{
	struct sk_buff *nskb;

	if (!icmp_may_answer(skb))
		return;
	if (!icmp_limit_take(ad->icmp_limit, b4, READ_ONCE(ad->params.icmp_rate),
			     READ_ONCE(ad->params.icmp_burst))) {
		aftr_count(ad, DSLITE_AFTR_STAT_ICMP_RATELIMITED);
		return;
	}
	nskb = icmp_build(skb, type, code, info);
	if (!nskb) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_NOMEM);
		return;
	}
	/* The flow label hashes it: the dissector wants a namespace to look in. */
	nskb->dev = ad->dev;
	if (!softwire_send(ad, nskb, endpoint, b4))
		aftr_count(ad, DSLITE_AFTR_STAT_ICMP_SENT);
}

/*
 * A packet too big lowers the path MTU toward that B4 (the route code never
 * takes it below 1280), so later packets are fragmented to fit (6333-5).
 */
void aftr_icmp_softwire_err(struct sk_buff *skb, u8 type, __be32 info)
{
	struct net *net = dev_net(skb->dev);

	if (type == ICMPV6_PKT_TOOBIG)
		ip6_update_pmtu(skb, net, info, 0, 0, sock_net_uid(net, NULL));
}
