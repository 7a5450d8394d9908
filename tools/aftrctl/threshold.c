// SPDX-License-Identifier: GPL-2.0
/*
 * Pool utilisation thresholds, watched by "monitor". The kernel says when a
 * pool is full (pool-exhausted) but not when it is filling up, so the
 * monitor reads every pool's blocks in use each interval, and raises a
 * pool-threshold record once when a pool's utilisation reaches a threshold;
 * once it has fallen back below the threshold by the hysteresis, another
 * record says so and the threshold is armed again. Without the hysteresis a
 * pool hovering at the threshold would raise a record at every read.
 *
 * Reading is sampling: a rise and fall between two reads goes unseen, and a
 * monitor that starts with a pool above a threshold reports it at its first
 * read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aftrctl.h"

#define DEF_HYSTERESIS	5	/* percentage points */
#define DEF_INTERVAL	10	/* seconds */

struct pool_state {
	uint32_t ifindex;
	char prefix[24];
	uint32_t above;			/* bit i: above threshold i */
};

/* Where the reading of one instance's pools is. */
struct walk {
	struct pool_watch *w;
	const struct dev_ref *dev;
};

void pool_watch_init(struct pool_watch *w)
{
	memset(w, 0, sizeof(*w));
	w->hysteresis = DEF_HYSTERESIS;
	w->interval = DEF_INTERVAL;
}

/* "pool-threshold PCT" (repeatable), "hysteresis PCT", "interval SECS". */
int pool_watch_parse(struct pool_watch *w, struct args *a, enum pool_watch_kw kw)
{
	static const char *const names[] = {
		[WATCH_THRESHOLD] = "pool-threshold", [WATCH_HYSTERESIS] = "hysteresis",
		[WATCH_INTERVAL] = "interval",
	};
	const char *val;
	uint32_t v;

	if (args_value(a, names[kw], &val))
		return -1;
	switch (kw) {
	case WATCH_THRESHOLD:
		if (w->n == ARRAY_SIZE(w->threshold))
			return usage_error("at most %zu pool thresholds", ARRAY_SIZE(w->threshold));
		if (parse_u32(val, 1, 100, "pool-threshold", &v))
			return -1;
		w->threshold[w->n++] = v;
		return 0;
	case WATCH_HYSTERESIS:
		return parse_u32(val, 0, 99, "hysteresis", &w->hysteresis);
	case WATCH_INTERVAL:
		return parse_u32(val, 1, 3600, "interval", &w->interval);
	}
	return -1;
}

static struct pool_state *state_of(struct pool_watch *w, uint32_t ifindex, const char *prefix)
{
	struct pool_state *s;
	size_t i;

	for (i = 0; i < w->nstates; i++) {
		if (w->states[i].ifindex == ifindex && !strcmp(w->states[i].prefix, prefix))
			return &w->states[i];
	}
	s = realloc(w->states, (w->nstates + 1) * sizeof(*s));
	if (!s)
		return NULL;
	w->states = s;
	s += w->nstates++;
	memset(s, 0, sizeof(*s));
	s->ifindex = ifindex;
	snprintf(s->prefix, sizeof(s->prefix), "%s", prefix);
	return s;
}

static void raise_record(const struct walk *wk, const char *prefix, uint32_t threshold,
			 bool up, uint32_t used, uint32_t total, double pct)
{
	struct log_record r;
	char num[16];

	log_record_init(&r, "pool-threshold", log_now_ns(), up);
	log_record_add(&r, "ifname", wk->dev->ifname);
	log_record_add(&r, "pool", prefix);
	snprintf(num, sizeof(num), "%u", threshold);
	log_record_add_number(&r, "threshold", num);
	log_record_add(&r, "crossed", up ? "up" : "down");
	snprintf(num, sizeof(num), "%u", used);
	log_record_add_number(&r, "blocks-used", num);
	snprintf(num, sizeof(num), "%u", total);
	log_record_add_number(&r, "blocks", num);
	snprintf(num, sizeof(num), "%.1f", pct);
	log_record_add_number(&r, "utilisation", num);
	wk->w->emit(&r, wk->w->data);
}

/* One pool of a POOL_GET dump: compare it with each threshold. */
static int watch_pool(const struct nlattr **tb, void *data)
{
	const struct walk *wk = data;
	struct pool_watch *w = wk->w;
	const struct nlattr *used = tb[DSLITE_AFTR_A_BLOCK_COUNT];
	const struct nlattr *total = tb[DSLITE_AFTR_A_BLOCK_TOTAL];
	char prefix[24];
	struct pool_state *s;
	uint32_t u, t, bit;
	double pct;
	size_t i;

	if (!used || !total || !mnl_attr_get_u32(total) ||
	    !nl_prefix_str(tb[DSLITE_AFTR_A_PREFIX], prefix, sizeof(prefix)))
		return 0;
	s = state_of(w, wk->dev->ifindex, prefix);
	if (!s)
		return -1;
	u = mnl_attr_get_u32(used);
	t = mnl_attr_get_u32(total);
	pct = 100.0 * u / t;
	for (i = 0; i < w->n; i++) {
		bit = 1u << i;
		if (!(s->above & bit) && pct >= w->threshold[i]) {
			s->above |= bit;
			raise_record(wk, prefix, w->threshold[i], true, u, t, pct);
		} else if ((s->above & bit) &&
			   pct < (double)w->threshold[i] - w->hysteresis) {
			s->above &= ~bit;
			raise_record(wk, prefix, w->threshold[i], false, u, t, pct);
		}
	}
	return 0;
}

static int read_pools(const struct dev_ref *dev, void *data)
{
	struct nlmsghdr *req = nl_request(DSLITE_AFTR_CMD_POOL_GET, NLM_F_DUMP);
	struct walk wk = { data, dev };

	nl_put_dev(req, dev->ifindex, NULL);
	return nl_talk(req, watch_pool, &wk);
}

/* One read of the pools; an error (printed) leaves the rest to the next. */
void pool_watch_tick(struct pool_watch *w)
{
	for_each_dev(w->ifname, NULL, read_pools, w);
}

void pool_watch_free(struct pool_watch *w)
{
	free(w->states);
	w->states = NULL;
	w->nstates = 0;
}
