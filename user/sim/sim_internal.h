/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Simulator internals: the per-accelerator engine and the interface its
 * dispatch policies (native GPU models, the gated slot core) implement.
 */
#ifndef RTSLOT_SIM_INTERNAL_H
#define RTSLOT_SIM_INTERNAL_H

#include "rtslot/sim.h"
#include "rtslot/slotcore.h"

struct sim_job {
	uint64_t act;			/* activation: deadline and response from here */
	uint64_t release;		/* activation plus jitter */
	uint64_t deadline;		/* UINT64_MAX for best effort */
	uint64_t *k;			/* kernel lengths, zero-length ones dropped */
	uint32_t nk, next;
};

struct sim_task {
	const struct rs_task_spec *spec;
	int idx;			/* in the task set */
	uint64_t rng;
	uint64_t next_act;
	struct sim_job *q;		/* released, unfinished jobs in order */
	size_t qhead, qlen, qcap;
	uint64_t *resp;
	size_t nresp, respcap;
	struct rs_sim_task_stats st;
	/* gated policies */
	struct rs_task core;
	int32_t prio;
};

struct sim;

struct sim_policy {
	int (*init)(struct sim *s, char *why, size_t len);
	/* Work may have arrived at s->now (a release, a kernel boundary). */
	void (*ready)(struct sim *s);
	/* The accelerator is idle at s->now: whose next kernel runs, or -1. */
	int (*pick)(struct sim *s);
	/* Task i finished a kernel (and maybe its job) at s->now. */
	void (*done)(struct sim *s, int i);
	/* The next time the policy needs to act, UINT64_MAX when none. */
	uint64_t (*next_event)(struct sim *s);
	void (*timer)(struct sim *s);
	void (*fini)(struct sim *s);
};

struct sim {
	const struct rs_taskset *ts;
	const struct rs_sim_opts *o;
	int accel;
	struct sim_task *t;
	uint32_t n;
	uint64_t now, end;
	int running;			/* task whose kernel runs, -1 when idle */
	int last;			/* task whose kernel ran last */
	uint64_t run_start, run_end;
	const struct sim_policy *pol;
	void *ps;			/* the policy's own state */
	struct sim_trace *trace;
};

/* The job whose kernel task i runs next, or NULL: released work only. */
struct sim_job *sim_head(struct sim *s, int i);
/* Length of task i's next kernel (0 when it has none ready). */
uint64_t sim_next_kernel(struct sim *s, int i);

extern const struct sim_policy sim_fifo, sim_rr, sim_gated;

/* Chrome trace-event output (trace.c). */
struct sim_trace;
struct sim_trace *sim_trace_open(FILE *f, uint64_t max_events);
void sim_trace_names(struct sim_trace *tr, const struct rs_taskset *ts);
void sim_trace_span(struct sim_trace *tr, int accel, int task, const char *name,
		    uint64_t start, uint64_t dur);
void sim_trace_instant(struct sim_trace *tr, int accel, int task, const char *name,
		       uint64_t at);
void sim_trace_close(struct sim_trace *tr);

#endif /* RTSLOT_SIM_INTERNAL_H */
