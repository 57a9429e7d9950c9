// SPDX-License-Identifier: GPL-2.0
/*
 * Telemetry from the BPF probes on rtslot.ko's tracepoints (librtslot-bpf,
 * docs/bpf.md): the time each lease was held, measured by the kernel, for
 * learning, and the module's deadline misses, counted as they happen.
 * Only the kmod backend has those tracepoints; the ring buffer is read
 * from the event loop (its fd polled) and before each JOB_END.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rtslot/probes.h>

#include "rtslotd.h"

static struct rd_task *task_of(struct rd_daemon *dd, uint32_t dev, uint32_t devid)
{
	struct rd_list *pos;
	uint32_t i;

	for (i = 0; i < dd->ndevs; i++) {
		struct rd_dev *d = dd->dev[i];

		if (!d->telemetry || (uint32_t)d->kindex != dev)
			continue;
		rd_list_for_each(pos, &d->tasks) {
			struct rd_task *t = rd_container(pos, struct rd_task, dev_link);

			if (t->devid == devid)
				return t;
		}
	}
	return NULL;
}

static void add_held(struct rd_task *t, uint64_t ns)
{
	t->held_ns = ns > UINT64_MAX - t->held_ns ? UINT64_MAX : t->held_ns + ns;
}

/*
 * Events of device tasks that are not rtslotd's (a program using the
 * ioctls alone, a task not registered yet or gone) are not ours to count.
 */
static int on_event(void *ctx, const struct rtslot_event *ev)
{
	struct rd_daemon *dd = ctx;
	struct rd_task *t = task_of(dd, ev->dev, ev->task);

	if (!t)
		return 0;
	switch (ev->kind) {
	case RTSLOT_EV_GRANT:
		t->grant_ts_ns = ev->ts_ns;
		break;
	case RTSLOT_EV_RELEASE:
		add_held(t, ev->release.held_ns);
		t->grant_ts_ns = 0;
		break;
	case RTSLOT_EV_OVERRUN:
		/*
		 * A revoked lease has no release, but it was held until now:
		 * without this a client that overran every lease would be
		 * learned from its own report alone.
		 */
		if (ev->overrun.action && t->grant_ts_ns && ev->ts_ns > t->grant_ts_ns)
			add_held(t, ev->ts_ns - t->grant_ts_ns);
		if (ev->overrun.action)
			t->grant_ts_ns = 0;
		break;
	case RTSLOT_EV_MISS:
		t->job_misses++;
		dd->st.job_misses++;
		break;
	default:
		break;
	}
	return 0;
}

/* The probes' filter takes one device or all: all, when rtslotd has several. */
static unsigned int dev_filter(const struct rd_daemon *dd)
{
	return dd->ndevs == 1 ? (unsigned int)dd->dev[0]->kindex : RTSLOT_BPF_ANY;
}

int rd_telemetry_open(struct rd_daemon *dd, char *why, size_t len)
{
	struct rtslot_probes_opts o = {
		.dev = dev_filter(dd), .stream = true, .on_event = on_event, .ctx = dd,
	};
	int mode = dd->cfg.telemetry, err;
	char msg[300];
	uint32_t i;

	if (mode == RD_TELEMETRY_OFF)
		return 0;
	if (dd->be->kind != RD_BACKEND_KMOD) {
		snprintf(msg, sizeof(msg), "the %s backend has no tracepoints (only rtslot.ko has)",
			 dd->be->name);
		err = -EOPNOTSUPP;
	} else {
		rtslot_bpf_verbose(dd->cfg.verbose > RD_DBG);
		err = rtslot_probes_open(&dd->probes, &o, msg, sizeof(msg));
	}
	if (err && mode == RD_TELEMETRY_BPF) {
		snprintf(why, len, "telemetry \"bpf\": %s", msg);
		return err;
	}
	if (err) {
		rd_log(dd, RD_INFO, "telemetry is off: %s; learning from job reports, "
		       "misses from JOB_END", msg);
		return 0;
	}
	for (i = 0; i < dd->ndevs; i++)
		dd->dev[i]->telemetry = 1;
	rd_log(dd, RD_INFO, "telemetry is on: BPF probes on rtslot's tracepoints; learning "
	       "from the kernel's held times, misses from the module");
	return 0;
}

void rd_telemetry_close(struct rd_daemon *dd)
{
	uint32_t i;

	rtslot_probes_close(dd->probes);
	dd->probes = NULL;
	for (i = 0; i < dd->ndevs; i++)
		dd->dev[i]->telemetry = 0;
}

int rd_telemetry_fd(const struct rd_daemon *dd)
{
	return dd->probes ? rtslot_probes_fd(dd->probes) : -1;
}

void rd_telemetry_drain(struct rd_daemon *dd)
{
	uint64_t drops;
	int n;

	if (!dd->probes)
		return;
	n = rtslot_probes_consume(dd->probes);
	if (n < 0 && n != -EINTR)
		rd_log(dd, RD_ERR, "telemetry: reading the ring buffer: %s", strerror(-n));
	/*
	 * At the first loss and whenever the count has doubled since: a
	 * buffer that stays full would otherwise log at every drain.
	 */
	drops = rtslot_probes_drops(dd->probes);
	if (drops > dd->probe_drops && drops >= 2 * dd->probe_drops) {
		rd_log(dd, RD_ERR, "telemetry: %llu events lost so far (ring buffer full): "
		       "misses and held times are undercounted", (unsigned long long)drops);
		dd->probe_drops = drops;
	}
}

uint64_t rd_telemetry_job_time(struct rd_task *t, uint64_t reported_ns)
{
	uint64_t held;

	if (!t->dev->telemetry)
		return reported_ns;
	/* The client released before it reported: its last release is in the buffer. */
	rd_telemetry_drain(t->dev->dd);
	held = t->held_ns;
	t->held_ns = 0;
	return held ? held : reported_ns;
}
