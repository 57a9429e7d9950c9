// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the BPF probe tests: an event collector for the ring buffer,
 * and lookups of one task's entry and histograms in the probes' maps.
 */
#include <errno.h>
#include <string.h>

#include "probes_test.h"

int bt_collect(void *ctx, const struct rtslot_event *ev)
{
	struct bt_seen *s = ctx;

	if (s->task && ev->task != s->task && ev->kind != RTSLOT_EV_TABLE)
		return 0;
	if (ev->kind <= RTSLOT_EV_TABLE)
		s->n[ev->kind]++;
	switch (ev->kind) {
	case RTSLOT_EV_JOIN:
		memcpy(s->join_name, ev->join.name, sizeof(s->join_name));
		s->join_pid = ev->pid;
		break;
	case RTSLOT_EV_RELEASE:
		s->held_sum += ev->release.held_ns;
		s->wait_sum += ev->release.wait_ns;
		break;
	case RTSLOT_EV_MISS:
		s->late += ev->miss.now_ns > ev->miss.deadline_ns;
		break;
	case RTSLOT_EV_OVERRUN:
		s->actions |= 1u << ev->overrun.action;
		break;
	}
	return 0;
}

struct find_task {
	uint32_t dev, task;
	struct rtslot_task_stats *out;
};

static int find_task_cb(void *ctx, const struct rtslot_task_key *k,
			const struct rtslot_task_stats *st)
{
	struct find_task *f = ctx;

	if (k->dev != f->dev || k->task != f->task)
		return 0;
	*f->out = *st;
	return 1;
}

int bt_task(struct rtslot_probes *p, uint32_t task, struct rtslot_task_stats *out)
{
	struct find_task f = { .dev = 0, .task = task, .out = out };
	int ret = rtslot_probes_tasks(p, find_task_cb, &f);

	return ret == 1 ? 0 : ret < 0 ? ret : -ENOENT;
}

struct find_hist {
	uint32_t kind, task;
	struct rtslot_hist *out;
};

static int find_hist_cb(void *ctx, const struct rtslot_hist_key *k, const struct rtslot_hist *h)
{
	struct find_hist *f = ctx;

	if (k->kind != f->kind || k->dev != 0 || k->task != f->task)
		return 0;
	*f->out = *h;
	return 1;
}

int bt_hist(struct rtslot_probes *p, uint32_t kind, uint32_t task, struct rtslot_hist *out)
{
	struct find_hist f = { .kind = kind, .task = task, .out = out };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = rtslot_probes_hists(p, find_hist_cb, &f);
	return ret == 1 ? 0 : ret < 0 ? ret : -ENOENT;
}

uint64_t bt_slots(const struct rtslot_hist *h)
{
	uint64_t n = 0;
	int k;

	for (k = 0; k < RTSLOT_HIST_SLOTS; k++)
		n += h->slot[k];
	return n;
}

int bt_wait_events(struct rtslot_probes *p, const struct bt_seen *s, uint32_t kind,
		   uint64_t n, uint64_t timeout)
{
	uint64_t end = rt_now() + timeout;

	do {
		rtslot_probes_poll(p, 10);
		if (s->n[kind] >= n)
			return 0;
	} while (rt_now() < end);
	return -ETIMEDOUT;
}
