// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * librtslot-bpf: the rtslot:* probes and the optional run-queue probes,
 * loaded and attached together, and the consumer of their ring buffer.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "rtslot.skel.h"
#include "sched.skel.h"

struct rtslot_probes {
	struct rtslot_bpf *rt;
	struct sched_bpf *sched;
	struct ring_buffer *rb;
	rtslot_event_fn fn;
	void *ctx;
	const char *runq_kind;
	char runq_why[256];
};

static int sample(void *ctx, void *data, size_t len)
{
	struct rtslot_probes *p = ctx;

	if (len < sizeof(struct rtslot_event) || !p->fn)
		return 0;
	return p->fn(p->ctx, data);
}

/*
 * One line of sysfs `tasks`: id pid state prio runtime deadline period
 * requests grants misses overruns name.
 */
static void seed_one(struct rtslot_probes *p, const struct rtslot_probes_opts *o,
		     unsigned int dev, const char *line)
{
	int tasks_fd = bpf_map__fd(p->rt->maps.tasks);
	int watch_fd = bpf_map__fd(p->rt->maps.watched);
	struct rtslot_task_stats st = { 0 };
	struct rtslot_watch w = { .ntasks = 1, .dev = dev };
	struct rtslot_task_key k = { .dev = dev };
	char state[16], name[RTSLOT_BPF_NAME_LEN];
	int pid;

	if (sscanf(line, "%u %d %15s %*d %*u %*u %*u %*u %*u %*u %*u %31s",
		   &k.task, &pid, state, name) != 4)
		return;
	if ((o->task && k.task != o->task) || (o->pid && pid != o->pid))
		return;
	st.pid = pid;
	st.flags = RTSLOT_TS_SEEDED;
	if (!strcmp(state, "waiting"))
		st.flags |= RTSLOT_TS_WAITING;
	else if (!strcmp(state, "holding"))
		st.flags |= RTSLOT_TS_HOLDING;
	if (strcmp(name, "-"))
		snprintf(st.name, sizeof(st.name), "%s", name);
	if (bpf_map_update_elem(tasks_fd, &k, &st, BPF_NOEXIST)) {
		/*
		 * An event came first and made an entry without a process:
		 * name it.  A probe may count into it meanwhile; that one
		 * count can be lost, in the instant after attaching.
		 */
		if (bpf_map_lookup_elem(tasks_fd, &k, &st) || st.pid)
			return;
		st.pid = pid;
		st.flags |= RTSLOT_TS_SEEDED;
		if (strcmp(name, "-"))
			snprintf(st.name, sizeof(st.name), "%s", name);
		bpf_map_update_elem(tasks_fd, &k, &st, BPF_EXIST);
	}
	w.task = k.task;
	if (bpf_map_update_elem(watch_fd, &pid, &w, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(watch_fd, &pid, &w)) {
		w.ntasks++;
		bpf_map_update_elem(watch_fd, &pid, &w, BPF_EXIST);
	}
}

/* Tasks created before the probes attached never showed us their join. */
static void seed_from_sysfs(struct rtslot_probes *p, const struct rtslot_probes_opts *o)
{
	char path[300], line[256];
	struct dirent *de;
	unsigned int dev;
	DIR *d = opendir("/sys/class/rtslot");
	FILE *f;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "rtslot%u", &dev) != 1)
			continue;
		if (o->dev != RTSLOT_BPF_ANY && dev != o->dev)
			continue;
		snprintf(path, sizeof(path), "/sys/class/rtslot/%s/tasks", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			seed_one(p, o, dev, line);
		fclose(f);
	}
	closedir(d);
}

/* One of the two sets of run-queue programs: BTF-typed or raw. */
static int runq_try(struct rtslot_probes *p, const struct rtslot_probes_opts *o, bool btf)
{
	struct sched_bpf *s = sched_bpf__open();
	int ret;

	if (!s)
		return -errno;
	bpf_program__set_autoload(s->progs.rq_wakeup, btf);
	bpf_program__set_autoload(s->progs.rq_wakeup_new, btf);
	bpf_program__set_autoload(s->progs.rq_switch, btf);
	bpf_program__set_autoload(s->progs.rq_wakeup_raw, !btf);
	bpf_program__set_autoload(s->progs.rq_wakeup_new_raw, !btf);
	bpf_program__set_autoload(s->progs.rq_switch_raw, !btf);
	s->rodata->targ_tgid = o->pid;
	ret = bpf_map__reuse_fd(s->maps.hists, bpf_map__fd(p->rt->maps.hists));
	if (!ret)
		ret = bpf_map__reuse_fd(s->maps.watched, bpf_map__fd(p->rt->maps.watched));
	if (!ret)
		ret = sched_bpf__load(s);
	if (!ret)
		ret = sched_bpf__attach(s);
	if (ret) {
		sched_bpf__destroy(s);
		return ret;
	}
	p->sched = s;
	p->runq_kind = btf ? "tp_btf" : "raw_tp";
	return 0;
}

static void runq_open(struct rtslot_probes *p, const struct rtslot_probes_opts *o)
{
	char why[200];
	int ret;

	if (rtslot_bpf_check(RTSLOT_NEED_BTF, why, sizeof(why))) {
		snprintf(p->runq_why, sizeof(p->runq_why), "run-queue delay is off: %s", why);
		return;
	}
	if (!o->runq_raw && !runq_try(p, o, true))
		return;
	ret = runq_try(p, o, false);
	if (ret)
		snprintf(p->runq_why, sizeof(p->runq_why),
			 "run-queue delay is off: the sched probes did not load (%s; libbpf: %s)",
			 strerror(-ret), rb_libbpf_first());
}

int rtslot_probes_open(struct rtslot_probes **out, const struct rtslot_probes_opts *o,
		       char *err, size_t errlen)
{
	struct rtslot_probes *p;
	struct rtslot_bpf *rt;
	int ret;

	*out = NULL;
	rb_libbpf_setup();
	ret = rtslot_bpf_check(RTSLOT_NEED_PRIV | RTSLOT_NEED_MODULE, err, errlen);
	if (!ret)
		ret = rb_check_formats(rtslot_tracefs(), err, errlen);
	if (ret)
		return ret;
	p = calloc(1, sizeof(*p));
	if (!p)
		return rb_fail(err, errlen, -ENOMEM, "out of memory");
	p->fn = o->on_event;
	p->ctx = o->ctx;
	snprintf(p->runq_why, sizeof(p->runq_why), "run-queue delay was not asked for");
	rt = p->rt = rtslot_bpf__open();
	if (!rt) {
		ret = rb_fail(err, errlen, -errno, "opening the rtslot probes failed: %s",
			      rb_libbpf_first());
		goto fail;
	}
	rt->rodata->targ_dev = o->dev;
	rt->rodata->targ_task = o->task;
	rt->rodata->targ_tgid = o->pid;
	rt->rodata->stream_all = o->stream;
	ret = rtslot_bpf__load(rt);
	if (ret) {
		ret = rb_fail(err, errlen, ret, "the kernel refused the rtslot probes (%s): %s",
			      strerror(-ret), rb_libbpf_first());
		goto fail;
	}
	ret = rtslot_bpf__attach(rt);
	if (ret) {
		ret = rb_fail(err, errlen, ret, "attaching to the rtslot tracepoints failed (%s): %s",
			      strerror(-ret), rb_libbpf_first());
		goto fail;
	}
	seed_from_sysfs(p, o);
	p->rb = ring_buffer__new(bpf_map__fd(rt->maps.events), sample, p, NULL);
	if (!p->rb) {
		ret = rb_fail(err, errlen, -errno, "setting up the ring buffer failed: %s",
			      strerror(errno));
		goto fail;
	}
	if (o->runq)
		runq_open(p, o);
	*out = p;
	return 0;
fail:
	rtslot_probes_close(p);
	return ret;
}

void rtslot_probes_close(struct rtslot_probes *p)
{
	if (!p)
		return;
	ring_buffer__free(p->rb);
	sched_bpf__destroy(p->sched);
	rtslot_bpf__destroy(p->rt);
	free(p);
}

const char *rtslot_probes_runq(const struct rtslot_probes *p, const char **why)
{
	if (why)
		*why = p->runq_kind ? NULL : p->runq_why;
	return p->runq_kind;
}

int rtslot_probes_fd(const struct rtslot_probes *p)
{
	return ring_buffer__epoll_fd(p->rb);
}

int rtslot_probes_poll(struct rtslot_probes *p, int timeout_ms)
{
	return ring_buffer__poll(p->rb, timeout_ms);
}

int rtslot_probes_consume(struct rtslot_probes *p)
{
	return ring_buffer__consume(p->rb);
}

uint64_t rtslot_probes_drops(const struct rtslot_probes *p)
{
	return __atomic_load_n(&p->rt->bss->drops, __ATOMIC_RELAXED);
}

struct walk_ctx {
	rtslot_task_fn task_fn;
	rtslot_hist_fn hist_fn;
	void *ctx;
};

static int walk_task(void *ctx, const void *key, const void *val)
{
	struct walk_ctx *w = ctx;

	return w->task_fn(w->ctx, key, val);
}

static int walk_hist(void *ctx, const void *key, const void *val)
{
	struct walk_ctx *w = ctx;

	return w->hist_fn(w->ctx, key, val);
}

int rtslot_probes_tasks(struct rtslot_probes *p, rtslot_task_fn fn, void *ctx)
{
	struct walk_ctx w = { .task_fn = fn, .ctx = ctx };

	return rb_map_walk(bpf_map__fd(p->rt->maps.tasks), sizeof(struct rtslot_task_key),
			   sizeof(struct rtslot_task_stats), walk_task, &w);
}

int rtslot_probes_hists(struct rtslot_probes *p, rtslot_hist_fn fn, void *ctx)
{
	struct walk_ctx w = { .hist_fn = fn, .ctx = ctx };

	return rb_map_walk(bpf_map__fd(p->rt->maps.hists), sizeof(struct rtslot_hist_key),
			   sizeof(struct rtslot_hist), walk_hist, &w);
}

/* Keys collected first: deleting while walking a hash map restarts it. */
struct keys {
	void *k;
	size_t n, cap, size;
	const struct keys *left;	/* for hists: the tasks that left */
};

static int keys_add(struct keys *ks, const void *key)
{
	void *nk;

	if (ks->n == ks->cap) {
		nk = realloc(ks->k, (ks->cap * 2 + 16) * ks->size);
		if (!nk)
			return -ENOMEM;
		ks->k = nk;
		ks->cap = ks->cap * 2 + 16;
	}
	memcpy((char *)ks->k + ks->n++ * ks->size, key, ks->size);
	return 0;
}

static int keys_delete(int fd, const struct keys *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		bpf_map_delete_elem(fd, (char *)ks->k + i * ks->size);
	return (int)ks->n;
}

static int pick_all(void *ctx, const void *key, const void *val)
{
	return keys_add(ctx, key);
}

int rtslot_probes_clear_hists(struct rtslot_probes *p)
{
	struct keys ks = { .size = sizeof(struct rtslot_hist_key) };
	int fd = bpf_map__fd(p->rt->maps.hists), ret;

	ret = rb_map_walk(fd, ks.size, sizeof(struct rtslot_hist), pick_all, &ks);
	if (ret >= 0)
		ret = keys_delete(fd, &ks);
	free(ks.k);
	return ret;
}

static int pick_left(void *ctx, const void *key, const void *val)
{
	const struct rtslot_task_stats *st = val;

	return st->flags & RTSLOT_TS_LEFT ? keys_add(ctx, key) : 0;
}

static int pick_left_hist(void *ctx, const void *key, const void *val)
{
	const struct rtslot_hist_key *hk = key;
	struct keys *ks = ctx;
	const struct rtslot_task_key *t = ks->left->k;
	size_t i;

	for (i = 0; i < ks->left->n; i++)
		if (t[i].dev == hk->dev && t[i].task == hk->task)
			return keys_add(ks, key);
	return 0;
}

int rtslot_probes_forget_left(struct rtslot_probes *p)
{
	struct keys left = { .size = sizeof(struct rtslot_task_key) };
	struct keys hk = { .size = sizeof(struct rtslot_hist_key), .left = &left };
	int tfd = bpf_map__fd(p->rt->maps.tasks), hfd = bpf_map__fd(p->rt->maps.hists);
	int ret;

	ret = rb_map_walk(tfd, left.size, sizeof(struct rtslot_task_stats), pick_left, &left);
	if (ret >= 0 && left.n)
		ret = rb_map_walk(hfd, hk.size, sizeof(struct rtslot_hist), pick_left_hist, &hk);
	if (ret >= 0) {
		keys_delete(hfd, &hk);
		ret = keys_delete(tfd, &left);
	}
	free(left.k);
	free(hk.k);
	return ret;
}
