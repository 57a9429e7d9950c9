/* SPDX-License-Identifier: GPL-2.0 */
/*
 * librtslot-cuda.so internals: the process-wide state of the shim and the
 * interfaces between its parts (resolution, session, gate, statistics,
 * watcher).  One process is one rtslot task.
 */
#ifndef RTSLOT_SHIM_H
#define RTSLOT_SHIM_H

#include <pthread.h>
#include <stdint.h>

#include <cuda.h>

#include "rtslot/client.h"
#include "rtslot/dev.h"
#include "shim_entry.h"

#define SHIM_PREFIX	"rtslot: "
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- configuration (config.c), read once from the environment ---- */

enum shim_fail { SHIM_FAIL_OPEN, SHIM_FAIL_CLOSED };

struct shim_config {
	struct rtslotc_params task;	/* RTSLOT_TASK, _PERIOD_MS, ... */
	const char *socket;		/* RTSLOT_SOCKET, NULL: the default */
	enum shim_fail fail;		/* RTSLOT_FAIL */
	uint64_t default_est_ns;	/* RTSLOT_EST_US: a kernel never measured */
	uint64_t quantum_ns;		/* RTSLOT_QUANTUM_US: shortest lease asked */
	uint64_t wait_timeout_ns;	/* RTSLOT_WAIT_MS: 0 waits forever */
	uint64_t retry_ns;		/* RTSLOT_RETRY_MS: reconnect after this */
	uint64_t reply_ns;		/* RTSLOT_REPLY_MS: a silent rtslotd is gone */
	uint64_t poll_ns;		/* RTSLOT_POLL_US: watcher period */
	uint32_t sample_every;		/* RTSLOT_SAMPLE: 1 launch in N once learned, power of 2 */
	int disabled;			/* RTSLOT_DISABLE=1: pure pass-through */
	int verbose;			/* RTSLOT_VERBOSE=1 */
};

/* 0, or -EINVAL with a message naming the variable in why. */
int shim_config_read(struct shim_config *c, char *why, size_t len);

/* ---- resolution (resolve.c) ---- */

/* The real function behind an entry, resolved on first use; NULL if none. */
void *shim_real(struct shim_entry *e);
/* A driver function the shim calls itself, at an exact version. */
void *shim_driver_sym(const char *name, unsigned int version, int per_thread);

/* The driver calls the shim makes itself, never through its own hooks. */
struct shim_driver {
	CUresult (CUDAAPI *ctx_get_current)(CUcontext *ctx);
	CUresult (CUDAAPI *ctx_set_current)(CUcontext ctx);
	CUresult (CUDAAPI *event_create)(CUevent *ev, unsigned int flags);
	CUresult (CUDAAPI *event_record)(CUevent ev, CUstream s);
	CUresult (CUDAAPI *event_record_pt)(CUevent ev, CUstream s);
	CUresult (CUDAAPI *event_query)(CUevent ev);
	CUresult (CUDAAPI *event_destroy)(CUevent ev);
};
/* NULL until libcuda is loaded and has all of them. */
const struct shim_driver *shim_driver(void);

/* ---- per-kernel statistics (kstat.c) ---- */

#define KSTAT_WINDOW	16

struct shim_kstat {
	uintptr_t key;			/* CUfunction, CUgraphExec, host fn; 0: free */
	uint64_t est_ns;		/* atomic; 0 until measured */
	uint32_t samples;		/* watcher only, from here on */
	uint32_t pos;
	uint64_t window[KSTAT_WINDOW];
	char name[64];
};

/* Key spaces that cannot collide: functions, graphs, host functions. */
#define KSTAT_GRAPH	1UL
#define KSTAT_HOSTFN	2UL
#define KSTAT_TAG(p, tag)	(((uintptr_t)(p) << 2) | (tag))

struct shim_kstat *kstat_get(uintptr_t key);
void kstat_name(uintptr_t key, const char *name);
/* Copy the name of one key to another (a CUkernel's to its CUfunction). */
void kstat_alias(uintptr_t to, uintptr_t from);
void kstat_add(struct shim_kstat *k, uint64_t dur_ns);
void kstat_reset(void);

static inline uint64_t kstat_est(const struct shim_kstat *k, uint64_t dflt)
{
	uint64_t est = k ? __atomic_load_n(&k->est_ns, __ATOMIC_RELAXED) : 0;

	return est ? est : dflt;
}

/* ---- the session with rtslotd (session.c) ---- */

enum shim_state {
	SHIM_UNINIT,			/* nothing tried yet */
	SHIM_PASS,			/* ungated: disabled, failed open, or a child */
	SHIM_ON,			/* registered: launches are gated */
	SHIM_REFUSE,			/* fail-closed without rtslotd: launches fail */
};

/* What rtslot_shim_status() reports. */
struct shim_counters {
	uint64_t passed, refused, requests, waits_ns, jobs, samples;
};

struct shim {
	struct shim_config cfg;
	int state;			/* enum shim_state, atomic */
	/*
	 * sess guards the life of conn and task: lease calls and reports
	 * read-lock it, connecting and tearing down write-lock it.
	 * gate_lock makes lease requests one at a time (one task, one lease).
	 */
	pthread_rwlock_t sess;
	pthread_mutex_t gate_lock;
	struct rtslotc *conn;
	struct rtslotc_task *task;
	const struct rtslot_lease_page *page;
	uint32_t status;		/* enum rsp_status, atomic */
	uint64_t retry_at;
	int warned;

	/* The gate (gate.c). */
	uint32_t gate;			/* launches inside, | GATE_CLOSED; atomic */
	uint64_t busy_until;		/* projected end of work launched; atomic */
	CUstream last_stream;		/* of the latest launch, for the drain; atomic */
	int last_per_thread;
	int explicit_jobs;		/* the app marks jobs itself */
	int job_open;			/* atomic */
	uintptr_t job_stream;
	int job_streams;		/* 0: one stream so far, 1: several; atomic */
	uint64_t job_start, job_wait;
	int job_cold;			/* launched a kernel never measured; atomic */
	int captures;			/* streams capturing now; atomic */
	int unknown;			/* launched kernels never measured, in flight; atomic */
	uintptr_t capturing[64];

	struct shim_counters n;		/* atomic increments */
};

extern struct shim shim;

/* First use from any hook: read the configuration, arm fork handlers. */
void shim_init(void);
/* Register if not yet (or retry when due); returns the state after. */
int shim_session_up(void);
/*
 * rtslotd went away (err from a call made under a read lock of sess, which
 * the caller has dropped): warn, free the session, go ungated or closed
 * until the retry is due.
 */
void shim_session_lost(int err, const char *what);
/* The advice rtslotd sent with a reply. */
void shim_session_advice(const struct rtslotc_advice *adv);
void shim_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void shim_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the gate (gate.c) ---- */

/* A stream as the shim tells them apart (per-thread default streams too). */
uintptr_t shim_stream_key(CUstream s, int per_thread);

struct shim_launch {
	int gated;			/* inside the gate: shim_gate_leave() */
	struct shim_kstat *k;
	CUstream stream;
	int per_thread;
	uint64_t now;
	int sampled;
	int unknown;			/* its kernel has no estimate yet */
	CUevent ev[2];
	CUcontext ctx;
};

/*
 * Before a launch: 0 to go ahead (l says whether it was gated), or
 * CUDA_ERROR_NOT_PERMITTED when fail-closed forbids it.
 */
CUresult shim_gate_enter(struct shim_launch *l, uintptr_t key, CUstream s, int per_thread);
void shim_gate_leave(struct shim_launch *l, CUresult launched);

enum shim_sync { SYNC_CTX, SYNC_STREAM, SYNC_EVENT };
/* After a synchronisation returned success: it may end the job. */
void shim_sync_done(enum shim_sync kind, CUstream s, int per_thread);

void shim_capture_begin(CUstream s, int per_thread);
void shim_capture_end(CUstream s, int per_thread);
int shim_capturing(CUstream s, int per_thread);

/* Explicit job markers (coop.c calls these). */
int shim_job_begin(void);
int shim_job_end(void);
/*
 * Close the gate for good and wait for the launches inside to leave: the
 * session is going, and its lease page with it (shim_gate_reset opens).
 */
void shim_gate_quiesce(void);
/* Forget gate and job state: a new session, or (forked) a forked child. */
void shim_gate_reset(int forked);

/* ---- the watcher (watcher.c) ---- */

/* Record the event before a sampled launch; 0 when sampling is on. */
int watcher_sample_begin(struct shim_launch *l);
/* After it: record the second event and queue the pair, or give them back. */
void watcher_sample_end(struct shim_launch *l, CUresult launched);
void watcher_report_begin(uint64_t release_ns);
void watcher_report_end(uint64_t duration_ns);
/*
 * Wait until the work queued on s (a per-thread default stream when
 * per_thread) is done, or until the clock passes until: an event of the
 * pool recorded and polled.  0 when seen done, -errno else.
 */
int watcher_drain(CUstream s, int per_thread, uint64_t until);
/* A context is going away: its pooled events with it. */
void watcher_ctx_gone(CUcontext ctx);
/* At exit: give the reports queued a moment to reach rtslotd. */
void watcher_flush(void);
void watcher_reset(void);

#endif /* RTSLOT_SHIM_H */
