// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * librtslot-bpf: reading the log2 histograms: names of what they measure,
 * quantile estimates, merging.
 */
#include <math.h>

#include "internal.h"

const char *rtslot_hist_kind_name(uint32_t kind)
{
	static const char *const names[RTSLOT_HIST_NKINDS] = {
		[RTSLOT_HIST_WAIT] = "wait",
		[RTSLOT_HIST_HOLD] = "hold",
		[RTSLOT_HIST_RESP] = "response",
		[RTSLOT_HIST_SLACK] = "slack",
		[RTSLOT_HIST_RUNQ] = "runq",
		[RTSLOT_HIST_SYNC] = "sync-to-sync",
		[RTSLOT_HIST_SYNCWAIT] = "sync-wait",
	};

	return kind < RTSLOT_HIST_NKINDS && names[kind] ? names[kind] : "?";
}

uint64_t rtslot_hist_quantile(const struct rtslot_hist *h, double q)
{
	uint64_t total = 0, seen = 0, want, lo, hi;
	unsigned int k;

	for (k = 0; k < RTSLOT_HIST_SLOTS; k++)
		total += h->slot[k];
	if (!total || q <= 0)
		return 0;
	if (q > 1)
		q = 1;
	want = (uint64_t)ceil(q * (double)total);
	if (!want)
		want = 1;
	for (k = 0; k < RTSLOT_HIST_SLOTS; k++) {
		if (seen + h->slot[k] >= want) {
			/* Bucket k is [2^k, 2^(k+1)), bucket 0 also holds 0. */
			lo = k ? 1ULL << k : 0;
			hi = 1ULL << (k + 1);
			return lo + (uint64_t)((double)(hi - lo) *
					       (double)(want - seen) / (double)h->slot[k]);
		}
		seen += h->slot[k];
	}
	return 0;
}

void rtslot_hist_merge(struct rtslot_hist *into, const struct rtslot_hist *h)
{
	unsigned int k;

	for (k = 0; k < RTSLOT_HIST_SLOTS; k++)
		into->slot[k] += h->slot[k];
	into->count += h->count;
	into->sum_ns += h->sum_ns;
}
