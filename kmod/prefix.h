/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sets of prefixes the packet path asks "is this address in it": the
 * allowed B4 prefixes (b4.c) and the exempt IPv4 destinations (exempt.c),
 * which are kept as IPv4-mapped IPv6 prefixes (::ffff:0:0/96 + length) so
 * that one structure and one search serve both.
 */
#ifndef _DSLITE_AFTR_PREFIX_H
#define _DSLITE_AFTR_PREFIX_H

#include "aftr.h"

/*
 * A set of @n prefixes, for the caller to fill in set->p; then
 * aftr_prefix6_set_index() makes it ready for aftr_prefix6_set_has().
 * Under RTNL.
 */
struct aftr_prefix6_set *aftr_prefix6_set_alloc(unsigned int n);
void aftr_prefix6_set_index(struct aftr_prefix6_set *set);

/* Is @addr in @set (NULL: empty)? O(log n). */
bool aftr_prefix6_set_has(const struct aftr_prefix6_set *set, const struct in6_addr *addr);

#endif /* _DSLITE_AFTR_PREFIX_H */
