/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * BPF side of the log2 histograms: the bucket of a value and the update of
 * a histogram map shared by every probe that records one.
 */
#ifndef RTSLOT_HIST_BPF_H
#define RTSLOT_HIST_BPF_H

#include "rtslot_bpf.h"

/*
 * floor(log2(v)), 0 for v <= 1: a binary search, which the verifier
 * accepts.  64-bit throughout: with 32-bit halves the verifier loses the
 * upper bound of the index it becomes.
 */
static __always_inline __u64 rtslot_log2(__u64 v)
{
	__u64 r = 0, s;

	s = (v > 0xffffffffULL) << 5; v >>= s; r |= s;
	s = (v > 0xffff) << 4; v >>= s; r |= s;
	s = (v > 0xff) << 3; v >>= s; r |= s;
	s = (v > 0xf) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	return r | (v >> 1);
}

/*
 * Samples of one key come from several CPUs (the run-queue probes) or
 * from several devices' locks, hence the atomic adds.  The zero value to
 * insert is a global (in .rodata): a histogram is too big for the stack.
 */
static const struct rtslot_hist rtslot_hist_zero;

static __always_inline void rtslot_hist_add(void *map, const struct rtslot_hist_key *key,
					    __u64 ns)
{
	struct rtslot_hist *h;
	__u64 slot;

	h = bpf_map_lookup_elem(map, key);
	if (!h) {
		bpf_map_update_elem(map, key, &rtslot_hist_zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(map, key);
		if (!h)
			return;
	}
	slot = rtslot_log2(ns);
	if (slot >= RTSLOT_HIST_SLOTS)
		slot = RTSLOT_HIST_SLOTS - 1;
	__sync_fetch_and_add(&h->slot[slot], 1);
	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum_ns, ns);
}

#endif /* RTSLOT_HIST_BPF_H */
