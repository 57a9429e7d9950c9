/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the BPF probe tests (tests/bpf/): the event collector and the
 * map lookups of tests/bpf/probes_lib.c, beside the kselftest helpers.
 */
#ifndef BPF_PROBES_TEST_H
#define BPF_PROBES_TEST_H

#include <rtslot/probes.h>

#include "rtslot_test.h"

/* What the ring buffer brought for one task (0: any). */
struct bt_seen {
	uint32_t task;
	uint64_t n[RTSLOT_EV_TABLE + 1];
	uint64_t held_sum, wait_sum;	/* of the release events */
	uint64_t late;			/* miss events with now past the deadline */
	uint32_t actions;		/* bit per overrun action seen */
	char join_name[RTSLOT_BPF_NAME_LEN];
	int join_pid;
};

int bt_collect(void *ctx, const struct rtslot_event *ev);
/* The entry of task on device 0: 0, -ENOENT, or -errno. */
int bt_task(struct rtslot_probes *p, uint32_t task, struct rtslot_task_stats *out);
/* Histogram kind of task on device 0 (zeroed and -ENOENT when none). */
int bt_hist(struct rtslot_probes *p, uint32_t kind, uint32_t task, struct rtslot_hist *out);
/* The sum of its buckets: what its count must equal. */
uint64_t bt_slots(const struct rtslot_hist *h);
/* Poll until n events of kind have come (timer-driven ones come late). */
int bt_wait_events(struct rtslot_probes *p, const struct bt_seen *s, uint32_t kind,
		   uint64_t n, uint64_t timeout);

#endif /* BPF_PROBES_TEST_H */
