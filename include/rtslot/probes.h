/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * librtslot-bpf: load and attach rtslot's BPF probes, read their maps and
 * consume their ring buffer.  Used by rtslotctl lat/top/trace and meant for
 * rtslotd (see docs/bpf.md).  Functions return 0 (or a count) or -errno;
 * the open functions also put one line saying what is missing in err.
 */
#ifndef RTSLOT_PROBES_H
#define RTSLOT_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtslot_bpf.h"

/* What the environment must offer; rtslot_bpf_check() says what is not. */
#define RTSLOT_NEED_PRIV	0x1	/* root, or CAP_BPF and CAP_PERFMON */
#define RTSLOT_NEED_TRACEFS	0x2	/* tracefs mounted */
#define RTSLOT_NEED_MODULE	0x4	/* rtslot.ko loaded, its events in tracefs */
#define RTSLOT_NEED_BTF		0x8	/* /sys/kernel/btf/vmlinux (CO-RE, tp_btf) */

int rtslot_bpf_check(unsigned int needs, char *err, size_t errlen);
/* Where tracefs is mounted ("/sys/kernel/tracing", ...), NULL when not. */
const char *rtslot_tracefs(void);
/* libbpf's own messages on stderr (off by default). */
void rtslot_bpf_verbose(bool on);

/*
 * Return non-zero to stop the poll that called it (which then returns
 * that value).  The event is only valid during the call.
 */
typedef int (*rtslot_event_fn)(void *ctx, const struct rtslot_event *ev);
typedef int (*rtslot_task_fn)(void *ctx, const struct rtslot_task_key *key,
			      const struct rtslot_task_stats *st);
typedef int (*rtslot_hist_fn)(void *ctx, const struct rtslot_hist_key *key,
			      const struct rtslot_hist *h);

struct rtslot_probes_opts {
	unsigned int dev;	/* only this device; RTSLOT_BPF_ANY: all */
	unsigned int task;	/* only this task id; 0: all */
	int pid;		/* only this process's tasks; 0: all */
	bool stream;		/* every lease event to on_event, not only misses and overruns */
	bool runq;		/* also the run-queue delay of the tasks' threads */
	bool runq_raw;		/* with raw tracepoints even where tp_btf works */
	rtslot_event_fn on_event;	/* may be NULL */
	void *ctx;
};

struct rtslot_probes;

/*
 * Load, check the module's trace formats, attach, and take in the tasks
 * that existed before (from sysfs).  The run-queue probes are optional:
 * when they cannot load, the rest still runs and
 * rtslot_probes_runq() says why.
 */
int rtslot_probes_open(struct rtslot_probes **out, const struct rtslot_probes_opts *o,
		       char *err, size_t errlen);
void rtslot_probes_close(struct rtslot_probes *p);

/* NULL with *why set when the run-queue probes are off, else their kind. */
const char *rtslot_probes_runq(const struct rtslot_probes *p, const char **why);

/*
 * Events: rtslot_probes_fd() is readable while some wait (for poll(),
 * epoll or an io_uring POLL_ADD); rtslot_probes_poll() waits up to
 * timeout_ms (-1: forever) and hands each to on_event;
 * rtslot_probes_consume() takes what is there without waiting.  Both
 * return the number of events or -errno (-EINTR on a signal).
 */
int rtslot_probes_fd(const struct rtslot_probes *p);
int rtslot_probes_poll(struct rtslot_probes *p, int timeout_ms);
int rtslot_probes_consume(struct rtslot_probes *p);
/* Events lost because the ring buffer was full. */
uint64_t rtslot_probes_drops(const struct rtslot_probes *p);

/*
 * The maps: every task seen, every histogram.  0 after all of them, or
 * the callback's non-zero value that stopped the walk, or -errno.
 */
int rtslot_probes_tasks(struct rtslot_probes *p, rtslot_task_fn fn, void *ctx);
int rtslot_probes_hists(struct rtslot_probes *p, rtslot_hist_fn fn, void *ctx);
int rtslot_probes_clear_hists(struct rtslot_probes *p);
/* Drop the entries (stats and histograms) of tasks that have left. */
int rtslot_probes_forget_left(struct rtslot_probes *p);

/* Observe-only mode: libcuda uprobes. */
struct rtslot_cuda_opts {
	int pid;		/* only this process; its libcuda from /proc/PID/maps */
	const char *lib;	/* libcuda.so.1 to attach to (default: found) */
};

struct rtslot_cuda;

int rtslot_cuda_open(struct rtslot_cuda **out, const struct rtslot_cuda_opts *o,
		     char *err, size_t errlen);
void rtslot_cuda_close(struct rtslot_cuda *c);
/* The library attached to, and how many of its entry points. */
const char *rtslot_cuda_lib(const struct rtslot_cuda *c, int *nattached);
typedef int (*rtslot_proc_fn)(void *ctx, int pid, const struct rtslot_cuda_stats *st);
int rtslot_cuda_procs(struct rtslot_cuda *c, rtslot_proc_fn fn, void *ctx);
int rtslot_cuda_hists(struct rtslot_cuda *c, rtslot_hist_fn fn, void *ctx);
int rtslot_cuda_clear_hists(struct rtslot_cuda *c);
/* Forget processes that have exited (after their last report). */
int rtslot_cuda_forget_gone(struct rtslot_cuda *c);

/* Histogram helpers. */
const char *rtslot_hist_kind_name(uint32_t kind);
const char *rtslot_cuda_fn_name(uint32_t fn);
/*
 * The q-quantile (0 < q <= 1) of a log2 histogram, interpolated linearly
 * inside its bucket: an estimate within a factor of two; 0 when empty.
 */
uint64_t rtslot_hist_quantile(const struct rtslot_hist *h, double q);
void rtslot_hist_merge(struct rtslot_hist *into, const struct rtslot_hist *h);

#endif /* RTSLOT_PROBES_H */
