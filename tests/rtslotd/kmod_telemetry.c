// SPDX-License-Identifier: GPL-2.0
/*
 * rtslotd's BPF telemetry in the guest, over rtslot.ko: with the probes,
 * misses are the module's (exactly, and once each) and execution times are
 * learned from the kernel's held times, whatever the client reports;
 * with "telemetry": "off", both come from the job reports as before; and
 * without tracefs, "auto" goes on without the probes while "bpf" refuses
 * to start, each saying why.  Part of kmod_smoke's plan.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rtslot/client.h"
#include "kmod_smoke.h"

/* min_samples and margin, as the daemon's configuration below sets them. */
#define LEARN_N		8
#define MARGIN		0.2
/* Overruns only logged: a lease held past its end is kept, not revoked. */
static const char config[] =
	"{ \"accelerators\": [ { \"name\": \"gpu0\", \"overrun_action\": \"log\" } ],\n"
	"  \"learning\": { \"quantile\": 0.99, \"margin\": 0.2, \"min_samples\": 8 } }\n";

/* The late task: a 5 ms server, each job holding its lease 8 ms. */
#define LATE_JOBS	6
#define LATE_PERIOD_US	5000
#define LATE_HOLD_US	8000
/* The liar: holds 4 ms per job and reports 1 us. */
#define LIAR_HOLD_US	4000
#define LIAR_REPORT_NS	1000ULL

/*
 * Every job holds its lease past the server's deadline (the module counts
 * one miss per job, each in a period of its own); every other job has a
 * JOB_BEGIN, so that JOB_END's own lateness check sees half of them.  Too
 * few jobs to learn from (LATE_JOBS < LEARN_N): the reservation stays as
 * registered.
 */
static int late_jobs(struct rtslotc *conn, long long *module, uint64_t *counted)
{
	struct rtslotc_params p;
	struct rtslotc_advice adv;
	struct rtslotc_task *t;
	struct rsp_stats s0, s1;
	char why[RSP_TEXT_LEN];
	uint32_t id;
	int i, err;

	ks_params(&p, "late", LATE_PERIOD_US, 2000);
	err = rtslotc_register(conn, &p, &t, &adv, why, sizeof(why));
	if (err || adv.status != RSP_ST_ADMITTED) {
		printf("# late: %d %s\n", err, why);
		return err ?: -EINVAL;
	}
	id = rtslotc_page(t)->task_id;
	err = rtslotc_stats(conn, &s0);
	for (i = 0; !err && i < LATE_JOBS; i++) {
		if (i % 2 == 0)
			err = rtslotc_job_begin(t, 0, NULL);
		err = err ?: rtslotc_lease_request(t, KS_MSEC_NS, 5 * KS_SEC_NS);
		if (!err)
			usleep(LATE_HOLD_US);
		err = err ?: rtslotc_lease_release(t, 0, NULL);
		err = err ?: rtslotc_job_end(t, 0, 0, NULL);
		/*
		 * The next job in a server period of its own: a period counts
		 * one miss, and with reclaim (rtslotd turns it on) a job asked
		 * for inside the late one's period would continue it.
		 */
		usleep(2 * LATE_PERIOD_US);
	}
	err = err ?: rtslotc_stats(conn, &s1);
	*module = ks_task_col(id, KS_COL_MISSES);
	*counted = err ? 0 : s1.job_misses - s0.job_misses;
	printf("# late: %s, module misses %lld, rtslotd job_misses +%llu\n",
	       err ? strerror(-err) : "ran", *module, (unsigned long long)*counted);
	if (rtslotc_unregister(t) && !err)
		err = -EIO;
	return err;
}

/*
 * A task to be learned that holds its lease 4 ms per job and reports
 * 1 us: *adv is the advice after its LEARN_N-th job, when the first
 * estimate is taken; *max_held the longest job by the kernel's measure.
 */
static int liar_jobs(struct rtslotc *conn, struct rtslotc_advice *adv, uint64_t *max_held,
		     long long *runtime)
{
	struct rtslotc_params p;
	struct rtslotc_task *t;
	char why[RSP_TEXT_LEN];
	uint64_t held;
	int i, err;

	*max_held = 0;
	ks_params(&p, "liar", 200000, 0);
	err = rtslotc_register(conn, &p, &t, adv, why, sizeof(why));
	if (err || adv->status != RSP_ST_LEARNING) {
		printf("# liar: %d %s\n", err, why);
		return err ?: -EINVAL;
	}
	for (i = 0; !err && i < LEARN_N; i++) {
		err = rtslotc_job_begin(t, 0, NULL);
		err = err ?: rtslotc_lease_request(t, KS_MSEC_NS, 5 * KS_SEC_NS);
		if (!err)
			usleep(LIAR_HOLD_US);
		err = err ?: rtslotc_lease_release(t, LIAR_REPORT_NS, &held);
		if (!err && held > *max_held)
			*max_held = held;
		err = err ?: rtslotc_job_end(t, 0, LIAR_REPORT_NS, adv);
	}
	*runtime = ks_task_col(rtslotc_page(t)->task_id, KS_COL_RUNTIME);
	printf("# liar: %s, longest hold %llu ns, advice: status %u wcet %llu us (%s), "
	       "runtime %lld ns\n", err ? strerror(-err) : "ran",
	       (unsigned long long)*max_held, adv->status, (unsigned long long)adv->wcet_us,
	       adv->reason, *runtime);
	if (rtslotc_unregister(t) && !err)
		err = -EIO;
	return err;
}

/* What learn.c makes of LEARN_N samples whose largest is q ns: p99 is the largest. */
static uint64_t estimate_us(uint64_t q)
{
	return (uint64_t)ceil((double)q * (1.0 + MARGIN) / 1000.0);
}

/* One daemon with the probes (mode "bpf") or without ("off"): 4 results. */
static void run(const char *bin, int probes)
{
	struct ks_daemon o = {
		.bin = bin, .config = config, .policy = "edf",
		.telemetry = probes ? "bpf" : "off",
	};
	struct rtslotc_advice adv;
	struct rtslotc *conn = NULL;
	long long module = -1, runtime = -1;
	uint64_t counted = 0, held = 0, want;
	int err, rc, up, bad = 0;
	pid_t pid;

	pid = ks_start(&o);
	up = pid > 0 && !access(KS_SOCK, F_OK) && !rtslotc_connect(KS_SOCK, "telemetry", &conn);
	bad |= !ok(up, probes ? "telemetry_bpf_listening" : "telemetry_off_listening");
	if (up) {
		err = late_jobs(conn, &module, &counted);
		/* The module's misses, once each: none from JOB_END besides them. */
		if (probes)
			bad |= !ok(!err && module == LATE_JOBS && counted == (uint64_t)module,
				   "telemetry_misses_are_the_modules");
		else
			bad |= !ok(!err && module == LATE_JOBS && counted == (LATE_JOBS + 1) / 2,
				   "telemetry_off_misses_are_late_job_ends");

		err = liar_jobs(conn, &adv, &held, &runtime);
		want = probes ? estimate_us(held) : estimate_us(LIAR_REPORT_NS);
		if (!ok(!err && held >= LIAR_HOLD_US * 1000ULL && adv.status == RSP_ST_ADMITTED &&
			adv.wcet_us == want && runtime == (long long)(want * 1000),
			probes ? "telemetry_learns_the_held_time" : "telemetry_off_learns_the_report")) {
			printf("# wanted wcet %llu us\n", (unsigned long long)want);
			bad = 1;
		}
		rtslotc_close(conn);
	}
	if (pid > 0) {
		rc = ks_stop(pid);
		if (!ok(rc == 0, probes ? "telemetry_bpf_clean_exit" : "telemetry_off_clean_exit"))
			printf("# %s: status %d\n", bin, rc);
		bad |= rc != 0;
	}
	if (bad)
		ks_dump_log();
}

/* Without tracefs: auto goes on without the probes, bpf does not start: 2 results. */
static void no_tracefs(const char *bin)
{
	struct ks_daemon o = { .bin = bin, .config = config, .policy = "edf", .no_tracefs = 1 };
	pid_t pid;
	int rc, up;

	o.telemetry = "bpf";
	pid = ks_start(&o);
	rc = pid > 0 ? ks_wait_exit(pid) : -1;
	if (!ok(rc == 1 && ks_log_has("telemetry \"bpf\": tracefs is not mounted"),
		"telemetry_bpf_without_tracefs_refuses_to_start")) {
		printf("# status %d\n", rc);
		ks_dump_log();
	}

	o.telemetry = NULL;
	pid = ks_start(&o);
	up = pid > 0 && !access(KS_SOCK, F_OK);
	rc = pid > 0 ? ks_stop(pid) : -1;
	if (!ok(up && rc == 0 && ks_log_has("telemetry is off: tracefs is not mounted"),
		"telemetry_auto_without_tracefs_goes_on")) {
		printf("# up %d, status %d\n", up, rc);
		ks_dump_log();
	}
}

void ks_telemetry(const char *bin)
{
	no_tracefs(bin);
	run(bin, 1);
	run(bin, 0);
}
