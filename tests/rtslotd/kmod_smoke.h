/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest smoke test of rtslotd's kmod backend (kmod_smoke.c) and its
 * telemetry cases (kmod_telemetry.c): one program, one TAP plan.
 */
#ifndef KMOD_SMOKE_H
#define KMOD_SMOKE_H

#include <stdint.h>
#include <sys/types.h>

#define KS_SOCK		"/tmp/rtslotd.sock"
#define KS_CONFIG	"/tmp/rtslotd.json"
#define KS_LOG		"/tmp/rtslotd.log"
#define KS_SEC_NS	1000000000ULL
#define KS_MSEC_NS	1000000ULL

/* How many results kmod_telemetry.c reports: part of the plan. */
#define KS_TELEMETRY_PLAN	10

/* One TAP line; returns cond. */
int ok(int cond, const char *what);

/* Options of one daemon run. */
struct ks_daemon {
	const char *bin;
	const char *config;	/* the JSON written to KS_CONFIG */
	const char *policy;
	const char *telemetry;	/* --telemetry, NULL: the configuration's (auto) */
	int no_tracefs;		/* in a mount namespace without tracefs */
};

/*
 * Start rtslotd: its pid once its socket is there, or once it exited
 * without (reap it with ks_wait_exit); -1 when it could not be run.
 */
pid_t ks_start(const struct ks_daemon *o);
/* SIGTERM and its exit status (0: clean), 128 + signal, or -1. */
int ks_stop(pid_t pid);
/* The exit status of a daemon that stops by itself within 10 s, else -1 (killed). */
int ks_wait_exit(pid_t pid);
/* Does the daemon's log hold s? */
int ks_log_has(const char *s);
/* The daemon's log as TAP comments. */
void ks_dump_log(void);

struct rtslotc_params;
/* A periodic task of one kernel per job, deadline = period t, wcet c (us). */
void ks_params(struct rtslotc_params *p, const char *name, uint64_t t, uint64_t c);

/* Column col (0: the id) of task id in the device's sysfs tasks, or -1. */
long long ks_task_col(uint32_t id, int col);
#define KS_COL_RUNTIME	4
#define KS_COL_MISSES	9

/* The telemetry cases: KS_TELEMETRY_PLAN results. */
void ks_telemetry(const char *bin);

#endif /* KMOD_SMOKE_H */
