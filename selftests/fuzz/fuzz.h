/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h: what the packet and netlink fuzzers share: a generator seeded
 * from the command line (the same seed draws the same numbers on any
 * machine), tallies printed as "name count" lines, and entering a named
 * network namespace.
 */
#ifndef AFTR_FUZZ_H
#define AFTR_FUZZ_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* xoshiro256**, seeded through splitmix64: small, fast and portable. */
struct rng {
	uint64_t s[4];
};

static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One seed, several independent streams (the sides of the packet fuzzer). */
static inline void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return out;
}

/* A number in [0, n); n == 0 gives 0. The bias is far below what matters. */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(((rng_next(r) >> 32) * n) >> 32) : 0;
}

static inline bool rng_percent(struct rng *r, unsigned int percent)
{
	return rng_below(r, 100) < percent;
}

static inline void rng_bytes(struct rng *r, void *buf, size_t n)
{
	uint8_t *p = buf;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(i & 7))
			v = rng_next(r);
		p[i] = v;
		v >>= 8;
	}
}

/* An index into a table of weights, drawn in proportion to them. */
static inline unsigned int rng_weighted(struct rng *r, const unsigned int *w, unsigned int n)
{
	unsigned int total = 0, i, x;

	for (i = 0; i < n; i++)
		total += w[i];
	x = rng_below(r, total);
	for (i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* Tallies: one "  name count" line each, the zero ones left out. */
struct tally {
	const char *name;
	unsigned long n;
};

static inline void tally_print(const char *title, const struct tally *t, size_t n)
{
	size_t i;

	printf("%s\n", title);
	for (i = 0; i < n; i++)
		if (t[i].n)
			printf("  %-28s %lu\n", t[i].name, t[i].n);
}

/*
 * Enters /run/netns/NAME (made by "ip netns add"), or the namespace file
 * NAME when it starts with "/"; sockets opened afterward live there.
 */
static inline int netns_enter(const char *name)
{
	char path[256];
	int fd, err;

	snprintf(path, sizeof(path), "%s%s", name[0] == '/' ? "" : "/run/netns/", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	err = setns(fd, CLONE_NEWNET);
	close(fd);
	return err;
}

static inline double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* AFTR_FUZZ_H */
