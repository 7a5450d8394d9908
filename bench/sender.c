// SPDX-License-Identifier: GPL-2.0
/*
 * sender: writes prebuilt UDP frames into a network device as fast as the
 * kernel takes them, and says how long that took in guest time.
 *
 * Frames go out through an AF_PACKET socket with PACKET_QDISC_BYPASS, in
 * batches of sendmmsg(), so the cost per packet of this side is small and,
 * above all, the same for every contender measured behind it. Flows vary
 * by source: packet k comes from "host" k % HOSTS with port
 * PORT + (k / HOSTS) % PORTS, which makes HOSTS B4s with PORTS bindings
 * each, walked so that consecutive packets hit different B4s.
 *
 * Frame kinds:
 *   ipip6   Ethernet, IPv6 (src SRC6 + host), IPv4 (SRC4 -> DST4), UDP
 *           (sport PORT + port): what a B4 sends into its softwire
 *   ip6     Ethernet, IPv6 (src SRC6 + host), UDP: what a NAT64 client sends
 *   ip4     Ethernet, IPv4 (SRC4 -> target address), UDP (dport = target
 *           port): replies from the IPv4 side, to the targets listed one
 *           "ADDR PORT" a line in the file given with -T, cycled
 *
 * Output, one line: "sent N seconds S" (S in CLOCK_MONOTONIC of the guest).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH		64
#define FRAME_MAX	256
#define PAYLOAD		18	/* inner IPv4 of 46 bytes: a minimum Ethernet payload */

enum kind { KIND_IPIP6, KIND_IP6, KIND_IP4 };

struct target {
	struct in_addr addr;
	uint16_t port;
};

struct opts {
	enum kind kind;
	const char *ifname;
	unsigned char dmac[ETH_ALEN];
	struct in6_addr src6, dst6;
	struct in_addr src4, dst4;
	uint16_t port, dport;
	unsigned long hosts, ports, count;
	struct target *targets;
	size_t ntargets;
};

/* A frame and where its varying fields sit. */
struct frame {
	unsigned char buf[FRAME_MAX];
	size_t len;
	struct ip6_hdr *ip6;
	struct ip *ip4;
	struct udphdr *udp;
};

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: sender -i IFACE -M DSTMAC -k {ipip6|ip6|ip4} -n COUNT\n"
		"              [-s SRC6] [-d DST6] [-a SRC4] [-A DST4] [-p PORT]\n"
		"              [-P DPORT] [-H HOSTS] [-N PORTS] [-T TARGETFILE]\n");
	exit(1);
}

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "sender: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void __attribute__((noreturn)) bad(const char *what, const char *arg)
{
	fprintf(stderr, "sender: bad %s: %s\n", what, arg);
	exit(1);
}

static unsigned long number(const char *what, const char *arg, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || v > max || arg[0] == '-')
		bad(what, arg);
	return v;
}

static void load_targets(struct opts *o, const char *path)
{
	char addr[64];
	unsigned int port;
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		die(path);
	while (fscanf(f, "%63s %u", addr, &port) == 2) {
		if (o->ntargets == cap) {
			cap = cap ? cap * 2 : 1024;
			o->targets = realloc(o->targets, cap * sizeof(*o->targets));
			if (!o->targets)
				die("realloc");
		}
		if (inet_pton(AF_INET, addr, &o->targets[o->ntargets].addr) != 1 || port > 65535)
			bad("target", addr);
		o->targets[o->ntargets++].port = htons(port);
	}
	fclose(f);
	if (!o->ntargets)
		bad("target file (no \"ADDR PORT\" line)", path);
}

static void parse(struct opts *o, int argc, char **argv)
{
	int c;

	*o = (struct opts){ .hosts = 1, .ports = 1, .port = 10000, .dport = 9 };
	inet_pton(AF_INET, "192.168.1.2", &o->src4);
	while ((c = getopt(argc, argv, "i:M:k:n:s:d:a:A:p:P:H:N:T:")) != -1) {
		switch (c) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'M':
			if (sscanf(optarg, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &o->dmac[0],
				   &o->dmac[1], &o->dmac[2], &o->dmac[3], &o->dmac[4],
				   &o->dmac[5]) != ETH_ALEN)
				bad("MAC address", optarg);
			break;
		case 'k':
			if (!strcmp(optarg, "ipip6"))
				o->kind = KIND_IPIP6;
			else if (!strcmp(optarg, "ip6"))
				o->kind = KIND_IP6;
			else if (!strcmp(optarg, "ip4"))
				o->kind = KIND_IP4;
			else
				bad("frame kind", optarg);
			break;
		case 'n':
			o->count = number("count", optarg, ~0UL);
			break;
		case 's':
		case 'd':
			if (inet_pton(AF_INET6, optarg, c == 's' ? &o->src6 : &o->dst6) != 1)
				bad("IPv6 address", optarg);
			break;
		case 'a':
		case 'A':
			if (inet_pton(AF_INET, optarg, c == 'a' ? &o->src4 : &o->dst4) != 1)
				bad("IPv4 address", optarg);
			break;
		case 'p':
			o->port = number("port", optarg, 65535);
			break;
		case 'P':
			o->dport = number("port", optarg, 65535);
			break;
		case 'H':
			o->hosts = number("host count", optarg, 1UL << 24);
			break;
		case 'N':
			o->ports = number("port count", optarg, 65535);
			break;
		case 'T':
			load_targets(o, optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !o->ifname || !o->count || !o->hosts || !o->ports)
		usage();
	if (o->kind == KIND_IP4 && !o->ntargets)
		bad("ip4 frames", "they need targets (-T)");
	if (o->port + o->ports - 1 > 65535)
		bad("port range", "past 65535");
}

static uint16_t ip_csum(const void *data, size_t len)
{
	const uint16_t *w = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static struct ip *put_ip4(unsigned char *p, const struct opts *o, size_t len)
{
	struct ip *ip = (struct ip *)p;

	ip->ip_v = 4;
	ip->ip_hl = 5;
	ip->ip_len = htons(len);
	ip->ip_ttl = 64;
	ip->ip_p = IPPROTO_UDP;
	ip->ip_src = o->src4;
	ip->ip_dst = o->dst4;
	ip->ip_sum = ip_csum(ip, sizeof(*ip));
	return ip;
}

/* The template every packet starts from; UDP checksums stay 0 (none). */
static void frame_build(struct frame *f, const struct opts *o)
{
	unsigned char *p = f->buf;
	struct ether_header *eth = (struct ether_header *)p;
	size_t l4 = sizeof(struct udphdr) + PAYLOAD;

	memset(f, 0, sizeof(*f));
	memcpy(eth->ether_dhost, o->dmac, ETH_ALEN);
	eth->ether_shost[0] = 0x02;	/* locally administered */
	eth->ether_type = htons(o->kind == KIND_IP4 ? ETHERTYPE_IP : ETHERTYPE_IPV6);
	p += sizeof(*eth);
	if (o->kind != KIND_IP4) {
		size_t inner = l4 + (o->kind == KIND_IPIP6 ? sizeof(struct ip) : 0);

		f->ip6 = (struct ip6_hdr *)p;
		f->ip6->ip6_flow = htonl(6 << 28);
		f->ip6->ip6_plen = htons(inner);
		f->ip6->ip6_nxt = o->kind == KIND_IPIP6 ? IPPROTO_IPIP : IPPROTO_UDP;
		f->ip6->ip6_hlim = 64;
		f->ip6->ip6_src = o->src6;
		f->ip6->ip6_dst = o->dst6;
		p += sizeof(*f->ip6);
	}
	if (o->kind != KIND_IP6) {
		f->ip4 = put_ip4(p, o, sizeof(struct ip) + l4);
		p += sizeof(struct ip);
	}
	f->udp = (struct udphdr *)p;
	f->udp->uh_sport = htons(o->port);
	f->udp->uh_dport = htons(o->dport);
	f->udp->uh_ulen = htons(l4);
	f->len = p + l4 - f->buf;
}

/* Makes @f packet number @k of the stream. */
static void frame_vary(struct frame *f, const struct opts *o, unsigned long k)
{
	if (o->kind == KIND_IP4) {
		const struct target *t = &o->targets[k % o->ntargets];

		f->ip4->ip_dst = t->addr;
		f->udp->uh_dport = t->port;
		f->ip4->ip_sum = 0;
		f->ip4->ip_sum = ip_csum(f->ip4, sizeof(*f->ip4));
		return;
	}
	f->ip6->ip6_src.s6_addr32[3] = htonl(ntohl(o->src6.s6_addr32[3]) + k % o->hosts);
	f->udp->uh_sport = htons(o->port + (k / o->hosts) % o->ports);
	/* A NAT64 client's UDP needs its checksum (RFC 8200): fill it in. */
	if (o->kind == KIND_IP6) {
		uint32_t sum = 0;
		const uint16_t *w = (const uint16_t *)&f->ip6->ip6_src;
		size_t i;

		f->udp->uh_sum = 0;
		for (i = 0; i < 16; i++)
			sum += w[i];
		sum += htons(IPPROTO_UDP) + f->udp->uh_ulen;
		w = (const uint16_t *)f->udp;
		for (i = 0; i < ntohs(f->udp->uh_ulen) / 2; i++)
			sum += w[i];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		f->udp->uh_sum = ~sum ? ~sum : 0xffff;
	}
}

static int socket_open(const char *ifname, struct sockaddr_ll *to)
{
	int one = 1;
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	if (fd < 0)
		die("socket(AF_PACKET)");
	/* Straight to the driver: no qdisc to queue, drop or cost. */
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		die("PACKET_QDISC_BYPASS");
	*to = (struct sockaddr_ll){ .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
	to->sll_ifindex = if_nametoindex(ifname);
	if (!to->sll_ifindex)
		die(ifname);
	return fd;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct frame frames[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll to;
	unsigned long sent = 0;
	struct opts o;
	double start;
	int fd, i;

	parse(&o, argc, argv);
	fd = socket_open(o.ifname, &to);
	for (i = 0; i < BATCH; i++) {
		frame_build(&frames[i], &o);
		iov[i] = (struct iovec){ frames[i].buf, frames[i].len };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &to,
			.msg_namelen = sizeof(to), .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	start = now();
	while (sent < o.count) {
		unsigned long n = o.count - sent < BATCH ? o.count - sent : BATCH;
		int done;

		for (i = 0; i < (int)n; i++)
			frame_vary(&frames[i], &o, sent + i);
		done = sendmmsg(fd, msgs, n, 0);
		/*
		 * The receiving veth refused the first one (its backlog was
		 * full): count it as sent and lost, and go on with the next.
		 */
		if (done < 0 && errno == ENOBUFS)
			done = 1;
		if (done <= 0)
			die("sendmmsg");
		sent += done;
	}
	printf("sent %lu seconds %.6f\n", sent, now() - start);
	return 0;
}
