// SPDX-License-Identifier: GPL-2.0
/*
 * Prefix sets: kept in the order they were configured (what dumps list) and
 * indexed as their top prefixes, disjoint and sorted, for a binary search.
 */
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/ipv6.h>

#include "prefix.h"

/*
 * The top prefixes are disjoint and sorted, so only the last one starting
 * at or below @addr can hold it: O(log n) per packet, however many
 * prefixes an operator configures.
 */
bool aftr_prefix6_set_has(const struct aftr_prefix6_set *set, const struct in6_addr *addr)
{
	unsigned int lo = 0, hi, mid;

	if (!set)
		return false;
	hi = set->ntop;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(&set->top[mid].addr, addr, sizeof(*addr)) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && ipv6_prefix_equal(addr, &set->top[lo - 1].addr, set->top[lo - 1].len);
}

struct aftr_prefix6_set *aftr_prefix6_set_alloc(unsigned int n)
{
	struct aftr_prefix6_set *set;

	set = kvmalloc(struct_size(set, p, array_size(n, 2)), GFP_KERNEL_ACCOUNT);
	if (set) {
		set->n = n;
		set->top = set->p + n;
	}
	return set;
}

/* Address order; at one address, the shorter (covering) prefix first. */
static int prefix6_cmp(const void *a, const void *b)
{
	const struct aftr_prefix6 *pa = a, *pb = b;
	int c = memcmp(&pa->addr, &pb->addr, sizeof(pa->addr));

	return c ?: pa->len - pb->len;
}

/*
 * Two prefixes nest or are disjoint. Sorted, a prefix nested in another
 * comes after it and before anything disjoint from it: dropping those
 * covered by the last one kept leaves the disjoint top prefixes, in order.
 */
void aftr_prefix6_set_index(struct aftr_prefix6_set *set)
{
	const struct aftr_prefix6 *last = NULL;
	unsigned int i;

	memcpy(set->top, set->p, set->n * sizeof(*set->p));
	sort(set->top, set->n, sizeof(*set->top), prefix6_cmp, NULL);
	set->ntop = 0;
	for (i = 0; i < set->n; i++) {
		if (last && ipv6_prefix_equal(&set->top[i].addr, &last->addr, last->len))
			continue;
		set->top[set->ntop] = set->top[i];
		last = &set->top[set->ntop++];
	}
}
