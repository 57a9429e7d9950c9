/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * librtslot-client: the client side of the rtslotd protocol, for
 * cooperative apps, the CUDA shim and the tests.  Functions return 0 (or a
 * count) on success and -errno on failure.  A connection may be shared by
 * threads: calls on it are serialised.
 */
#ifndef RTSLOT_CLIENT_H
#define RTSLOT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <rtslot.h>

#include "rtslot/proto.h"

struct rtslotc;
struct rtslotc_task;

struct rtslotc_variant {
	char name[RSP_NAME_LEN];
	double scale;			/* execution-time factor, (0, 16] */
	double accuracy;		/* [0, 1] */
};

/* A task as in a task-set file (docs/taskset.md); times in microseconds. */
struct rtslotc_params {
	char name[RSP_NAME_LEN];
	char accel[RSP_NAME_LEN];	/* "": the first accelerator */
	uint64_t period_us;
	uint64_t deadline_us;		/* 0: the period */
	uint64_t offset_us;
	uint64_t jitter_us;
	uint64_t wcet_us;		/* 0: unknown, learned from job_end */
	uint64_t max_kernel_us;		/* 0: wcet_us / kernels */
	uint32_t kernels;
	int32_t priority;
	uint32_t criticality;		/* enum rsp_criticality */
	uint32_t nvariants;
	struct rtslotc_variant variant[RSP_MAX_VARIANTS];
};

/* What rtslotd says about a task (ACCEPTED and ADVICE). */
struct rtslotc_advice {
	uint32_t status;		/* enum rsp_status */
	uint32_t variant;		/* run this one */
	uint64_t generation;
	uint64_t wcet_us;
	uint64_t epoch_ns;		/* release at epoch + offset + k * period */
	uint64_t frame_ns;
	char reason[RSP_TEXT_LEN];
};

/*
 * Connect and say HELLO.  path NULL: $RTSLOT_SOCKET, else the default
 * socket.  -ECONNREFUSED or -ENOENT when no rtslotd listens.
 */
int rtslotc_connect(const char *path, const char *name, struct rtslotc **out);
/*
 * The same with every reply bounded (timeout_ns 0: none): a reply that
 * does not come in time fails the call with -ETIMEDOUT and ends the
 * connection, so later calls fail as after rtslotd went away.
 */
int rtslotc_connect_bounded(const char *path, const char *name, uint64_t timeout_ns,
			    struct rtslotc **out);
/* Closes the connection: rtslotd frees the tasks still registered. */
void rtslotc_close(struct rtslotc *c);
int rtslotc_backend(const struct rtslotc *c);	/* enum rsp_backend */
int rtslotc_policy(const struct rtslotc *c);	/* enum rsp_policy */

/*
 * Register a task.  0: accepted (admitted, best effort or learning: adv
 * says which and why); a negative errno from the REJECTED reply (-ENOSPC:
 * does not fit, -EINVAL: bad parameters, ...) with its reason in reason;
 * another -errno when the call itself failed.
 */
int rtslotc_register(struct rtslotc *c, const struct rtslotc_params *p,
		     struct rtslotc_task **out, struct rtslotc_advice *adv,
		     char *reason, size_t len);
/* Unregister and free t (also when rtslotd fails the request). */
int rtslotc_unregister(struct rtslotc_task *t);
/*
 * Free t here without a word to rtslotd: for a forked child's copy of its
 * parent's task, or when the connection is already gone.
 */
void rtslotc_task_drop(struct rtslotc_task *t);
uint32_t rtslotc_task_id(const struct rtslotc_task *t);
/* The lease page, mapped read-only. */
const struct rtslot_lease_page *rtslotc_page(const struct rtslotc_task *t);

/* Job reports; adv (may be NULL) gets rtslotd's current advice. */
int rtslotc_job_begin(struct rtslotc_task *t, uint64_t release_ns, struct rtslotc_advice *adv);
int rtslotc_job_end(struct rtslotc_task *t, uint32_t variant, uint64_t duration_ns,
		    struct rtslotc_advice *adv);
/* The first release at or after now in phase with the frame, for the task's period. */
uint64_t rtslotc_next_release(const struct rtslotc_task *t, const struct rtslotc_advice *adv,
			      uint64_t now_ns);

/*
 * Leases, as the gate uses them.  fits: the fast path, no system call.
 * request/renew block until granted (timeout_ns relative, 0: forever):
 * -ETIME, -EBUSY, -E2BIG, -ECONNRESET when rtslotd went away.  With the
 * user backend they wait on the lease page's futex; with kmod they are the
 * ioctls of /dev/rtslotN.  release: -ENOLCK when no lease is held.
 */
int rtslotc_lease_fits(const struct rtslotc_task *t, uint64_t est_ns);
int rtslotc_lease_request(struct rtslotc_task *t, uint64_t est_ns, uint64_t timeout_ns);
int rtslotc_lease_renew(struct rtslotc_task *t, uint64_t est_ns, uint64_t timeout_ns);
int rtslotc_lease_release(struct rtslotc_task *t, uint64_t actual_ns, uint64_t *held_ns);

int rtslotc_stats(struct rtslotc *c, struct rsp_stats *s);

/*
 * Send len raw bytes (and fd_in unless -1) and receive one reply, parsed
 * into reply; *fd_out (may be NULL) gets a passed fd or -1.  Returns the
 * reply's type, or -errno.  For tests and tools: the bytes are not checked.
 */
int rtslotc_call_raw(struct rtslotc *c, const void *buf, size_t len, int fd_in,
		     union rsp_msg *reply, int *fd_out);
/* A fresh sequence number for a hand-built request. */
uint32_t rtslotc_next_seq(struct rtslotc *c);

/*
 * Cooperative apps run under librtslot-cuda.so (LD_PRELOAD) may mark
 * their jobs: from the first rtslot_job_begin() on, synchronisations no
 * longer end jobs, the markers do.  rtslot_job_end() waits for the work
 * the job queued, releases the lease and reports the job.  0 or -errno:
 * -ENOTCONN when rtslotd is not there (the work still runs), -EINVAL for
 * an end without a begin.  Declared weak for apps: without the shim they
 * are NULL, so `if (rtslot_job_begin) rtslot_job_begin();` runs anywhere.
 */
struct rtslot_shim_status {
	uint32_t state;			/* 0 not started, 1 ungated, 2 gated, 3 refusing */
	uint32_t status;		/* enum rsp_status of the task */
	uint64_t jobs, requests, wait_ns, ungated, refused, samples;
};

#ifdef RTSLOT_SHIM_BUILD
#define RTSLOT_SHIM_API
#else
#define RTSLOT_SHIM_API __attribute__((weak))
#endif
RTSLOT_SHIM_API int rtslot_job_begin(void);
RTSLOT_SHIM_API int rtslot_job_end(void);
RTSLOT_SHIM_API int rtslot_shim_status(struct rtslot_shim_status *st);

#endif /* RTSLOT_CLIENT_H */
