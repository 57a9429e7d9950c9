// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing the backend (kmod when /dev/rtslot0 exists, unless configured)
 * and bringing up one device per configured accelerator.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtslotd.h"

uint64_t rd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const struct rd_backend *choose(int kind)
{
	if (kind == RD_BACKEND_AUTO)
		kind = access("/dev/rtslot0", F_OK) ? RD_BACKEND_USER : RD_BACKEND_KMOD;
	return kind == RD_BACKEND_KMOD ? &rd_backend_kmod : &rd_backend_user;
}

int rd_devs_init(struct rd_daemon *dd, char *why, size_t len)
{
	uint32_t i;
	int err;

	dd->be = choose(dd->cfg.backend);
	for (i = 0; i < dd->cfg.naccels; i++) {
		struct rd_dev *d = calloc(1, sizeof(*d));

		if (!d) {
			snprintf(why, len, "out of memory");
			return -ENOMEM;
		}
		d->dd = dd;
		d->cfg = &dd->cfg.accel[i];
		d->be = dd->be;
		d->kfd = -1;
		d->kindex = d->cfg->dev_index >= 0 ? d->cfg->dev_index : (int)i;
		rd_list_init(&d->tasks);
		dd->dev[dd->ndevs++] = d;
		err = d->be->dev_init(d, why, len);
		if (err)
			return err;
		rd_log(dd, RD_INFO, "%s: %s backend, policy %s", d->cfg->name, d->be->name,
		       rd_policy_name(dd->cfg.policy));
	}
	return 0;
}

void rd_devs_fini(struct rd_daemon *dd)
{
	uint32_t i;

	for (i = 0; i < dd->ndevs; i++) {
		dd->dev[i]->be->dev_fini(dd->dev[i]);
		free(dd->dev[i]);
		dd->dev[i] = NULL;
	}
	dd->ndevs = 0;
}

struct rd_dev *rd_dev_find(struct rd_daemon *dd, const char *name)
{
	uint32_t i;

	if (!*name)
		return dd->ndevs ? dd->dev[0] : NULL;
	for (i = 0; i < dd->ndevs; i++)
		if (!strcmp(dd->dev[i]->cfg->name, name))
			return dd->dev[i];
	return NULL;
}

/* How often a plan that waits for its frame is retried. */
#define POLL_NS	(1000ULL * 1000)

uint64_t rd_devs_next_event(struct rd_daemon *dd, uint64_t now)
{
	uint64_t next = UINT64_MAX, e;
	uint32_t i;

	for (i = 0; i < dd->ndevs; i++) {
		struct rd_dev *d = dd->dev[i];

		e = d->be->next_event(d, now);
		if (e < next)
			next = e;
		if (d->plan_pending && now + POLL_NS < next)
			next = now + POLL_NS;
	}
	return next;
}

void rd_devs_tick(struct rd_daemon *dd, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < dd->ndevs; i++) {
		dd->dev[i]->be->tick(dd->dev[i], now);
		if (dd->dev[i]->plan_pending)
			rd_admit_poll(dd->dev[i]);
	}
}
