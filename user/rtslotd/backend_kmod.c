// SPDX-License-Identifier: GPL-2.0
/*
 * The kmod backend: rtslot.ko hosts the leases.  Each client creates its
 * task on /dev/rtslotN and passes the file in REGISTER; rtslotd sets the
 * reservation on that file and the slot table on its own (CAP_SYS_NICE).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtslot/dev.h"
#include "rtslotd.h"

#define NS	1000ULL

static struct rtslot_dev as_dev(struct rd_dev *d, int fd)
{
	struct rtslot_dev dev = { .fd = fd, .index = (unsigned int)d->kindex };

	return dev;
}

static int write_u64(struct rd_dev *d, const char *attr, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return rtslot_sysfs_write((unsigned int)d->kindex, attr, buf);
}

static int kmod_dev_init(struct rd_dev *d, char *why, size_t len)
{
	static const char *const policies[] = {
		[RSP_POLICY_FIFO] = "edf", [RSP_POLICY_RR] = "edf", [RSP_POLICY_FP] = "fp",
		[RSP_POLICY_EDF] = "edf", [RSP_POLICY_SLOT] = "table",
	};
	static const char *const preempt[] = { "launch", "block", "instruction" };
	static const char *const overrun[] = { "log", "revoke", "throttle" };
	const struct rd_accel_cfg *a = d->cfg;
	struct rtslot_dev dev;
	struct rtslot_info info;
	const char *step = "open";
	int err;

	d->kfd = -1;
	err = rtslot_open(&dev, (unsigned int)d->kindex);
	if (!err) {
		d->kfd = dev.fd;
		step = "RTSLOT_IOC_GET_INFO";
		err = rtslot_get_info(&dev, &info);
	}
	if (!err && strncmp(info.name, a->name, sizeof(info.name)))
		rd_log(d->dd, RD_INFO, "%s: /dev/rtslot%d is named \"%.32s\" by the module",
		       a->name, d->kindex, info.name);
	if (!err && info.size < RTSLOT_INFO_SIZE_VER1)
		rd_log(d->dd, RD_ERR, "%s: /dev/rtslot%d: the module does not tell its table "
		       "epoch: clients get no release phase", a->name, d->kindex);
	/* A table left by an earlier run would pin the frame. */
	if (!err) {
		step = "SET_TABLE (clear)";
		err = rtslot_set_table(&dev, NULL, 0);
	}
	if (!err) {
		step = "policy";
		err = rtslot_sysfs_write((unsigned int)d->kindex, "policy",
					 policies[d->dd->cfg.policy]);
	}
	if (!err) {
		step = "preempt_mode";
		err = rtslot_sysfs_write((unsigned int)d->kindex, "preempt_mode",
					 preempt[a->preempt]);
	}
	if (!err) {
		step = "overrun_action";
		err = rtslot_sysfs_write((unsigned int)d->kindex, "overrun_action",
					 overrun[a->overrun_action]);
	}
	if (!err) {
		step = "preempt_latency_us";
		err = write_u64(d, step, a->preempt_latency_us);
	}
	if (!err) {
		step = "switch_us";
		err = write_u64(d, step, a->switch_us);
	}
	if (!err) {
		step = "guard_us";
		err = write_u64(d, step, a->guard_us);
	}
	if (!err) {
		step = "overrun_grace_us";
		err = write_u64(d, step, a->overrun_grace_us);
	}
	/*
	 * As in the user backend: with hard reservations a job that outgrows
	 * its budget by one kernel waits a whole period for the refill.
	 */
	if (!err && rtslot_sysfs_write((unsigned int)d->kindex, "reclaim", "1"))
		rd_log(d->dd, RD_ERR, "%s: /dev/rtslot%d has no reclaim (an older rtslot.ko?): "
		       "a spent reservation waits for its refill", a->name, d->kindex);
	/* The frame is pinned until the cleared table's boundary: not fatal. */
	if (!err && write_u64(d, "frame_us", a->frame_us))
		rd_log(d->dd, RD_INFO, "%s: frame_us stays as it is until the old table ends",
		       a->name);
	d->frame_ns = a->frame_us * NS;
	/* Leases go from the client to the module, which has no rr: see docs/rtslotd.md. */
	if (!err && d->dd->cfg.policy == RSP_POLICY_RR)
		rd_log(d->dd, RD_INFO, "%s: rr with the kmod backend is fifo at kernel "
		       "boundaries: timeslice_us applies to the user backend only", a->name);
	if (err)
		snprintf(why, len, "%s: /dev/rtslot%d: %s: %s", a->name, d->kindex, step,
			 strerror(-err));
	return err;
}

static void kmod_dev_fini(struct rd_dev *d)
{
	if (d->kfd >= 0)
		close(d->kfd);
	d->kfd = -1;
}

static int kmod_task_attach(struct rd_dev *d, struct rd_task *t, int fd, char *why,
			    size_t len)
{
	struct rtslot_dev theirs_dev = { .fd = -1, .index = (unsigned int)d->kindex };
	struct rtslot_task_info ti;
	struct stat mine, theirs;

	if (fd < 0) {
		snprintf(why, len, "kmod backend: pass your /dev/rtslot%d file with REGISTER",
			 d->kindex);
		return -EINVAL;
	}
	if (fstat(d->kfd, &mine) || fstat(fd, &theirs) || !S_ISCHR(theirs.st_mode) ||
	    theirs.st_rdev != mine.st_rdev) {
		snprintf(why, len, "the file passed is not /dev/rtslot%d", d->kindex);
		return -EINVAL;
	}
	/*
	 * The file itself says which task it carries and who made it: the id
	 * the client claims must be that one, created by its own process.
	 */
	theirs_dev.fd = fd;
	if (rtslot_task_info(&theirs_dev, &ti)) {
		snprintf(why, len, "the /dev/rtslot%d file passed has no task", d->kindex);
		return -EINVAL;
	}
	if (ti.task_id != t->devid || ti.pid != t->client->pid) {
		snprintf(why, len, "task %u on /dev/rtslot%d was not created by process %d",
			 t->devid, d->kindex, (int)t->client->pid);
		return -EPERM;
	}
	t->devfd = fd;
	t->memfd = -1;
	return 0;
}

static void kmod_task_detach(struct rd_dev *d, struct rd_task *t)
{
	/* The kernel frees the task with the client's last reference to the file. */
	if (t->devfd >= 0)
		close(t->devfd);
	t->devfd = -1;
}

static int kmod_task_fd(struct rd_task *t)
{
	return -1;
}

static int kmod_set_reservation(struct rd_dev *d, struct rd_task *t, uint64_t runtime_ns,
				uint64_t deadline_ns, uint64_t period_ns, int32_t prio,
				uint64_t lease_max_ns)
{
	struct rtslot_dev dev = as_dev(d, t->devfd);

	return rtslot_set_reservation(&dev, runtime_ns, deadline_ns, period_ns, prio,
				      lease_max_ns);
}

static int kmod_set_frame(struct rd_dev *d, uint64_t frame_ns)
{
	int err = write_u64(d, "frame_us", frame_ns / NS);

	if (!err)
		d->frame_ns = frame_ns;
	return err;
}

static int kmod_set_table(struct rd_dev *d, const struct rs_table *tab)
{
	struct rtslot_slot slots[RS_MAX_SLOTS];
	struct rtslot_dev dev = as_dev(d, d->kfd);
	uint32_t i;

	for (i = 0; i < tab->nslots; i++)
		slots[i] = (struct rtslot_slot){
			.start_ns = tab->slot[i].start,
			.length_ns = tab->slot[i].len,
			.task_id = tab->slot[i].owner,
		};
	return rtslot_set_table(&dev, slots, tab->nslots);
}

/*
 * The module's own epoch, asked for every time: only the module knows
 * when its timer made a staged switch, and an ioctl per advice is cheap
 * next to the socket round trip that carries it.  As in the user backend,
 * a staged table's epoch wins: it is a frame boundary of the running one,
 * so the phase is the same, and a task just admitted has slots only from
 * there on, so its first release must not come earlier.
 */
static uint64_t kmod_epoch(struct rd_dev *d)
{
	struct rtslot_dev dev = as_dev(d, d->kfd);
	struct rtslot_info info;

	if (rtslot_get_info(&dev, &info) || info.size < RTSLOT_INFO_SIZE_VER1)
		return 0;
	if (info.pending_epoch_ns && info.pending_nslots)
		return info.pending_epoch_ns;
	return info.table_epoch_ns;
}

static int kmod_lease(struct rd_dev *d, struct rd_task *t, int type, uint64_t arg,
		      struct rsp_lease *out)
{
	return -EOPNOTSUPP;
}

static uint64_t kmod_next_event(struct rd_dev *d, uint64_t now)
{
	return UINT64_MAX;
}

static void kmod_tick(struct rd_dev *d, uint64_t now)
{
}

static uint64_t stat_of(const char *buf, const char *key)
{
	size_t n = strlen(key);
	const char *p = buf;

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

static void kmod_stats(struct rd_dev *d, struct rsp_stats *s)
{
	char buf[4096];

	if (rtslot_sysfs_read((unsigned int)d->kindex, "stats", buf, sizeof(buf)) < 0)
		return;
	s->grants += stat_of(buf, "grants");
	s->releases += stat_of(buf, "releases");
	s->cancels += stat_of(buf, "cancels");
	s->revokes += stat_of(buf, "revokes");
	s->overruns += stat_of(buf, "overruns");
	s->misses += stat_of(buf, "misses");
	s->holders += stat_of(buf, "holder") != 0;
}

const struct rd_backend rd_backend_kmod = {
	.name = "kmod",
	.kind = RD_BACKEND_KMOD,
	.dev_init = kmod_dev_init,
	.dev_fini = kmod_dev_fini,
	.task_attach = kmod_task_attach,
	.task_detach = kmod_task_detach,
	.task_fd = kmod_task_fd,
	.set_reservation = kmod_set_reservation,
	.set_frame = kmod_set_frame,
	.set_table = kmod_set_table,
	.epoch = kmod_epoch,
	.lease = kmod_lease,
	.next_event = kmod_next_event,
	.tick = kmod_tick,
	.stats = kmod_stats,
};
