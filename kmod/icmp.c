// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP the AFTR originates toward a B4's LAN, from 192.0.0.1 (6333-4), and
 * toward the Internet (fragmentation needed, NAT-11), rate limited per
 * subscriber or Internet host; and what the AFTR makes of ICMPv6 errors
 * about its softwire packets (6333-5): a lower path MTU, and the matching
 * ICMPv4 error relayed to the source of the packet they quote.
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
#include <net/route.h>
#include <net/sock.h>

#include "icmp.h"

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
 * of every other B4, and no CPU waits for a lock on the packet path. Errors
 * toward B4s are keyed by subscriber, not by B4 address: a subscriber that
 * sends from ever new addresses of its prefix would otherwise get a full
 * bucket for each, and each error to a new address costs a neighbour entry
 * that the whole machine shares.
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

/* Builds the error: IPv4 from @saddr to the offender's source. */
static struct sk_buff *icmp_build(const struct sk_buff *skb, __be32 saddr, u8 type,
				  u8 code, u32 info)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int qlen = min_t(unsigned int, skb->len - skb_network_offset(skb),
				  AFTR_ICMP_QUOTE_MAX);
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
		.saddr = saddr,
		.daddr = iph->saddr,
	};
	ip_send_check(niph);
	nskb->protocol = htons(ETH_P_IP);
	return nskb;
}

void aftr_icmp_to_b4(struct aftr_dev *ad, struct sk_buff *skb,
		     const struct in6_addr *b4, const struct in6_addr *sub,
		     const struct in6_addr *endpoint, u8 type, u8 code, u32 info)
{
	struct sk_buff *nskb;

	if (!icmp_may_answer(skb))
		return;
	if (!icmp_limit_take(ad->icmp_limit, sub, READ_ONCE(ad->params.icmp_rate),
			     READ_ONCE(ad->params.icmp_burst))) {
		aftr_count(ad, DSLITE_AFTR_STAT_ICMP_RATELIMITED);
		return;
	}
	nskb = icmp_build(skb, htonl(DSLITE_AFTR_ADDR4), type, code, info);
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
 * Sends an error about @skb to its IPv4 source out through the IPv4 stack
 * (netfilter's OUTPUT and routing apply), from @saddr, or if 0 from the
 * address the route to that source prefers, as the kernel's own errors
 * about forwarded packets come; counted as relayed too when @relayed. Does
 * not consume @skb.
 */
static void icmp_to_host(struct aftr_dev *ad, struct sk_buff *skb, __be32 saddr, u8 type,
			 u8 code, u32 info, bool relayed)
{
	struct flowi4 fl4 = {
		.daddr = ip_hdr(skb)->saddr,
		.flowi4_proto = IPPROTO_ICMP,
	};
	struct sk_buff *nskb;
	struct in6_addr dst;
	struct rtable *rt;
	int err;

	if (!icmp_may_answer(skb))
		return;
	/* One limiter for every error: an IPv4 host is a mapped address in it. */
	ipv6_addr_set_v4mapped(fl4.daddr, &dst);
	if (!icmp_limit_take(ad->icmp_limit, &dst, READ_ONCE(ad->params.icmp_rate),
			     READ_ONCE(ad->params.icmp_burst))) {
		aftr_count(ad, DSLITE_AFTR_STAT_ICMP_RATELIMITED);
		return;
	}
	rt = ip_route_output_key(ad->net, &fl4);
	if (IS_ERR(rt)) {
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_NO_ROUTE);
		return;
	}
	nskb = icmp_build(skb, saddr ?: fl4.saddr, type, code, info);
	if (!nskb) {
		ip_rt_put(rt);
		aftr_count(ad, DSLITE_AFTR_STAT_DROP_NOMEM);
		return;
	}
	skb_dst_set(nskb, &rt->dst);
	/* net_xmit_eval() evaluates its argument twice: not the send itself. */
	err = ip_local_out(ad->net, NULL, nskb);
	if (net_xmit_eval(err))
		return;
	aftr_count(ad, DSLITE_AFTR_STAT_ICMP_SENT);
	if (relayed)
		aftr_count(ad, DSLITE_AFTR_STAT_ICMP_RELAYED);
}

void aftr_icmp_frag_needed(struct aftr_dev *ad, struct sk_buff *skb, unsigned int mtu)
{
	icmp_to_host(ad, skb, 0, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu, false);
}

void aftr_icmp_port_unreach(struct aftr_dev *ad, struct sk_buff *skb)
{
	icmp_to_host(ad, skb, ip_hdr(skb)->daddr, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0,
		     false);
}

/*
 * A packet too big lowers the path MTU toward that B4 (the route code never
 * takes it below 1280) and keeps it as a route exception that expires
 * (net.ipv6.route.mtu_expires): later packets are fitted to it (6333-5).
 */
void aftr_icmp_softwire_err(struct sk_buff *skb, u8 type, __be32 info)
{
	struct net *net = dev_net(skb->dev);

	if (type == ICMPV6_PKT_TOOBIG)
		ip6_update_pmtu(skb, net, info, 0, 0, sock_net_uid(net, NULL));
}

/*
 * The ICMPv4 error that tells an IPv4 source what an ICMPv6 error says about
 * the softwire its packet took (RFC 2473 section 8). What the source can act
 * on keeps its meaning: a smaller MTU (less the IPv6 header), a hop limit or
 * reassembly time exceeded, a prohibition. The rest (an unreachable B4, a
 * parameter problem in the IPv6 header the AFTR wrote) is about no host the
 * source can name but the one it sent to: host unreachable.
 */
void aftr_icmp_relay(struct aftr_dev *ad, struct sk_buff *quote, u8 type, u8 code,
		     __be32 info)
{
	u8 type4 = ICMP_DEST_UNREACH, code4 = ICMP_HOST_UNREACH;
	u32 info4 = 0;

	switch (type) {
	case ICMPV6_PKT_TOOBIG:
		/* DF clear: the AFTR fragments it to the new MTU, nothing to say. */
		if (!(ip_hdr(quote)->frag_off & htons(IP_DF)))
			goto out;
		code4 = ICMP_FRAG_NEEDED;
		info4 = max_t(u32, ntohl(info), IPV6_MIN_MTU) - sizeof(struct ipv6hdr);
		break;
	case ICMPV6_TIME_EXCEED:
		type4 = ICMP_TIME_EXCEEDED;
		code4 = code == ICMPV6_EXC_FRAGTIME ? ICMP_EXC_FRAGTIME : ICMP_EXC_TTL;
		break;
	case ICMPV6_DEST_UNREACH:
		if (code == ICMPV6_ADM_PROHIBITED)
			code4 = ICMP_HOST_ANO;
		break;
	case ICMPV6_PARAMPROB:
		break;
	default:
		aftr_count(ad, DSLITE_AFTR_STAT_ICMP_RELAY_DROPPED);
		goto out;
	}
	icmp_to_host(ad, quote, 0, type4, code4, info4, true);
out:
	consume_skb(quote);
}
