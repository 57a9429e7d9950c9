// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * librtslot-bpf: observe-only mode.  Finds libcuda.so.1 (given, in a
 * process's maps, or in the usual places), attaches the uprobes of
 * cuda.bpf.c to its launch and sync entry points, and reads what they count.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "cuda.skel.h"

#define MAX_LINKS	16

struct rtslot_cuda {
	struct cuda_bpf *skel;
	struct bpf_link *links[MAX_LINKS];
	int nlinks, nattached;
	char lib[PATH_MAX];
};

/*
 * The entry points, with the per-thread-default-stream variants that
 * code built with CUDA_API_PER_THREAD_DEFAULT_STREAM calls instead, and
 * CUDA 13's cuCtxSynchronize_v2 (which names its context).
 */
static const struct entry {
	uint32_t fn;
	const char *names[2];
} entries[] = {
	{ RTSLOT_CU_LAUNCH_KERNEL, { "cuLaunchKernel", "cuLaunchKernel_ptsz" } },
	{ RTSLOT_CU_LAUNCH_KERNEL_EX, { "cuLaunchKernelEx", "cuLaunchKernelEx_ptsz" } },
	{ RTSLOT_CU_GRAPH_LAUNCH, { "cuGraphLaunch", "cuGraphLaunch_ptsz" } },
	{ RTSLOT_CU_STREAM_SYNC, { "cuStreamSynchronize", "cuStreamSynchronize_ptsz" } },
	{ RTSLOT_CU_CTX_SYNC, { "cuCtxSynchronize", "cuCtxSynchronize_v2" } },
};

static const char *const fn_names[RTSLOT_CU_NFNS] = {
	[RTSLOT_CU_LAUNCH_KERNEL] = "cuLaunchKernel",
	[RTSLOT_CU_LAUNCH_KERNEL_EX] = "cuLaunchKernelEx",
	[RTSLOT_CU_GRAPH_LAUNCH] = "cuGraphLaunch",
	[RTSLOT_CU_STREAM_SYNC] = "cuStreamSynchronize",
	[RTSLOT_CU_CTX_SYNC] = "cuCtxSynchronize",
};

const char *rtslot_cuda_fn_name(uint32_t fn)
{
	return fn < RTSLOT_CU_NFNS ? fn_names[fn] : "?";
}

static bool is_libcuda(const char *path)
{
	const char *base = strrchr(path, '/');

	return base && !strncmp(base + 1, "libcuda.so", 10);
}

/* The libcuda the process mapped, as this mount namespace can reach it. */
static int lib_of_pid(int pid, char *out, size_t len)
{
	char path[64], line[PATH_MAX + 128], *file;
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		file = strchr(line, '/');
		if (!file || !is_libcuda(file))
			continue;
		if (access(file, R_OK))
			snprintf(out, len, "/proc/%d/root%s", pid, file);
		else
			snprintf(out, len, "%s", file);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static int lib_default(char *out, size_t len)
{
	static const char *const where[] = {
		"/usr/lib/x86_64-linux-gnu/libcuda.so.1",
		"/usr/lib/aarch64-linux-gnu/libcuda.so.1",
		"/usr/lib/aarch64-linux-gnu/tegra/libcuda.so.1",
		"/usr/lib64/libcuda.so.1",
		"/usr/lib/libcuda.so.1",
	};
	size_t i;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (!access(where[i], R_OK)) {
			snprintf(out, len, "%s", where[i]);
			return 0;
		}
	return -ENOENT;
}

static int find_lib(const struct rtslot_cuda_opts *o, char *out, size_t len,
		    char *err, size_t errlen)
{
	if (o->lib) {
		if (access(o->lib, R_OK))
			return rb_fail(err, errlen, -errno, "cannot read %s: %s", o->lib,
				       strerror(errno));
		snprintf(out, len, "%s", o->lib);
		return 0;
	}
	if (o->pid > 0) {
		if (kill(o->pid, 0) && errno == ESRCH)
			return rb_fail(err, errlen, -ESRCH, "no process %d", o->pid);
		if (lib_of_pid(o->pid, out, len))
			return rb_fail(err, errlen, -ENOENT,
				       "process %d has no libcuda.so mapped (not a CUDA app, or not yet initialised)",
				       o->pid);
		return 0;
	}
	if (lib_default(out, len))
		return rb_fail(err, errlen, -ENOENT,
			       "no libcuda.so.1 found: name it (--cuda=PATH) or a process using it (-p PID)");
	return 0;
}

static int attach_one(struct rtslot_cuda *c, struct bpf_program *prog, int pid,
		      uint64_t off, bool ret)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = ret);
	struct bpf_link *l;

	if (c->nlinks == MAX_LINKS)
		return -E2BIG;
	l = bpf_program__attach_uprobe_opts(prog, pid > 0 ? pid : -1, c->lib, off, &uo);
	if (!l)
		return -errno;
	c->links[c->nlinks++] = l;
	return 0;
}

static struct bpf_program *prog_of(struct cuda_bpf *s, uint32_t fn)
{
	switch (fn) {
	case RTSLOT_CU_LAUNCH_KERNEL: return s->progs.cu_launch_kernel;
	case RTSLOT_CU_LAUNCH_KERNEL_EX: return s->progs.cu_launch_kernel_ex;
	case RTSLOT_CU_GRAPH_LAUNCH: return s->progs.cu_graph_launch;
	case RTSLOT_CU_STREAM_SYNC: return s->progs.cu_stream_sync;
	default: return s->progs.cu_ctx_sync;
	}
}

/* Each distinct function once: a name that aliases another is skipped. */
static int attach_all(struct rtslot_cuda *c, int pid, char *err, size_t errlen)
{
	uint64_t seen[2 * sizeof(entries) / sizeof(entries[0])], off;
	size_t i, j, k, nseen = 0;
	bool sync, dup;
	int ret, launches = 0;

	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		for (j = 0; j < 2 && entries[i].names[j]; j++) {
			if (rb_elf_func_offset(c->lib, entries[i].names[j], &off))
				continue;
			for (dup = false, k = 0; k < nseen; k++)
				dup |= seen[k] == off;
			if (dup)
				continue;
			seen[nseen++] = off;
			sync = entries[i].fn == RTSLOT_CU_STREAM_SYNC ||
			       entries[i].fn == RTSLOT_CU_CTX_SYNC;
			ret = attach_one(c, prog_of(c->skel, entries[i].fn), pid, off, false);
			if (!ret && sync)
				ret = attach_one(c, c->skel->progs.cu_sync_ret, pid, off, true);
			if (ret)
				return rb_fail(err, errlen, ret, "attaching a uprobe to %s in %s failed (%s): %s",
					       entries[i].names[j], c->lib, strerror(-ret),
					       rb_libbpf_first());
			c->nattached++;
			launches += !sync;
		}
	}
	if (!launches)
		return rb_fail(err, errlen, -ENOENT, "%s exports none of cuLaunchKernel, cuLaunchKernelEx, cuGraphLaunch",
			       c->lib);
	return 0;
}

int rtslot_cuda_open(struct rtslot_cuda **out, const struct rtslot_cuda_opts *o,
		     char *err, size_t errlen)
{
	struct rtslot_cuda *c;
	int ret;

	*out = NULL;
	rb_libbpf_setup();
	ret = rtslot_bpf_check(RTSLOT_NEED_PRIV, err, errlen);
	if (ret)
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return rb_fail(err, errlen, -ENOMEM, "out of memory");
	ret = find_lib(o, c->lib, sizeof(c->lib), err, errlen);
	if (ret)
		goto fail;
	c->skel = cuda_bpf__open();
	if (!c->skel) {
		ret = rb_fail(err, errlen, -errno, "opening the CUDA probes failed: %s",
			      rb_libbpf_first());
		goto fail;
	}
	c->skel->rodata->targ_tgid = o->pid > 0 ? o->pid : 0;
	ret = cuda_bpf__load(c->skel);
	if (ret) {
		ret = rb_fail(err, errlen, ret, "the kernel refused the CUDA probes (%s): %s",
			      strerror(-ret), rb_libbpf_first());
		goto fail;
	}
	ret = attach_all(c, o->pid, err, errlen);
	if (ret)
		goto fail;
	*out = c;
	return 0;
fail:
	rtslot_cuda_close(c);
	return ret;
}

void rtslot_cuda_close(struct rtslot_cuda *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < c->nlinks; i++)
		bpf_link__destroy(c->links[i]);
	cuda_bpf__destroy(c->skel);
	free(c);
}

const char *rtslot_cuda_lib(const struct rtslot_cuda *c, int *nattached)
{
	if (nattached)
		*nattached = c->nattached;
	return c->lib;
}

struct proc_walk {
	rtslot_proc_fn fn;
	rtslot_hist_fn hfn;
	void *ctx;
};

static int walk_proc(void *ctx, const void *key, const void *val)
{
	struct proc_walk *w = ctx;

	return w->fn(w->ctx, (int)*(const uint32_t *)key, val);
}

static int walk_hist(void *ctx, const void *key, const void *val)
{
	struct proc_walk *w = ctx;

	return w->hfn(w->ctx, key, val);
}

int rtslot_cuda_procs(struct rtslot_cuda *c, rtslot_proc_fn fn, void *ctx)
{
	struct proc_walk w = { .fn = fn, .ctx = ctx };

	return rb_map_walk(bpf_map__fd(c->skel->maps.procs), sizeof(uint32_t),
			   sizeof(struct rtslot_cuda_stats), walk_proc, &w);
}

int rtslot_cuda_hists(struct rtslot_cuda *c, rtslot_hist_fn fn, void *ctx)
{
	struct proc_walk w = { .hfn = fn, .ctx = ctx };

	return rb_map_walk(bpf_map__fd(c->skel->maps.hists), sizeof(struct rtslot_hist_key),
			   sizeof(struct rtslot_hist), walk_hist, &w);
}

/* Keys to delete, gathered before deleting (a walk restarts after one). */
struct dead {
	uint32_t key[4096];
	size_t n;
	bool hist;		/* keys are rtslot_hist_key; match .pid */
	bool gone_only;
};

static bool gone(uint32_t pid)
{
	return kill((pid_t)pid, 0) && errno == ESRCH;
}

static int pick(void *ctx, const void *key, const void *val)
{
	struct dead *d = ctx;
	uint32_t pid = d->hist ? ((const struct rtslot_hist_key *)key)->pid :
				 *(const uint32_t *)key;

	if (d->n < sizeof(d->key) / sizeof(d->key[0]) && (!d->gone_only || gone(pid)))
		d->key[d->n++] = pid;
	return 0;
}

static void drop_hists(struct rtslot_cuda *c, struct dead *pids)
{
	int fd = bpf_map__fd(c->skel->maps.hists);
	struct rtslot_hist_key k = { 0 };
	size_t i;
	uint32_t kind;

	for (i = 0; i < pids->n; i++)
		for (kind = RTSLOT_HIST_SYNC; kind <= RTSLOT_HIST_SYNCWAIT; kind++) {
			k.kind = kind;
			k.pid = pids->key[i];
			bpf_map_delete_elem(fd, &k);
		}
}

int rtslot_cuda_clear_hists(struct rtslot_cuda *c)
{
	struct dead *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return -ENOMEM;
	d->hist = true;
	ret = rb_map_walk(bpf_map__fd(c->skel->maps.hists), sizeof(struct rtslot_hist_key),
			  sizeof(struct rtslot_hist), pick, d);
	if (ret >= 0) {
		drop_hists(c, d);
		ret = (int)d->n;
	}
	free(d);
	return ret;
}

int rtslot_cuda_forget_gone(struct rtslot_cuda *c)
{
	struct dead *d = calloc(1, sizeof(*d));
	int fd = bpf_map__fd(c->skel->maps.procs), ret;
	size_t i;

	if (!d)
		return -ENOMEM;
	d->gone_only = true;
	ret = rb_map_walk(fd, sizeof(uint32_t), sizeof(struct rtslot_cuda_stats), pick, d);
	if (ret >= 0) {
		for (i = 0; i < d->n; i++)
			bpf_map_delete_elem(fd, &d->key[i]);
		drop_hists(c, d);
		ret = (int)d->n;
	}
	free(d);
	return ret;
}
