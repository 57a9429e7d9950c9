// SPDX-License-Identifier: GPL-2.0
/*
 * The point of the shim: a 30 Hz task with a deadline shares the fake
 * accelerator (non-preemptive, FIFO across processes, as a GPU left to
 * itself) with two best-effort processes that keep it saturated.  Left
 * alone it misses; with every process under librtslot-cuda.so and
 * rtslotd (user backend, EDF) it meets its deadlines once its execution
 * time is learned, but for a miss behind a best-effort lease overrun,
 * which the user backend can revoke but not take back.  The margins are
 * wide: the task needs 4 ms of a 16 ms deadline, a hog kernel blocks it
 * for 2 ms at most.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "rd_test.h"
#include "runapp.h"

#define JOBS	30
#define WARMUP	24			/* rtslotd learns from 16 job reports */

static const char *const critical_argv[] = {
	"periodic", "--period-us=33333", "--deadline-us=16000", "--kernels=4",
	"--kernel-us=1000", "--jobs=30", "--warmup=24", "--fifo=10", NULL,
};
static const char *const hog_argv[] = {
	"hog", "--kernel-us=2000", "--depth=8", "--ms=2200", NULL,
};

FIXTURE(sched) {
	struct rdt d;
	char sockenv[128];
	struct app crit, hog[2];
};

FIXTURE_SETUP(sched)
{
	static int n;

	memset(&self->d, 0, sizeof(self->d));
	fake_device(100 + n++);
	snprintf(self->sockenv, sizeof(self->sockenv), "RTSLOT_SOCKET=/nonexistent");
}

FIXTURE_TEARDOWN(sched)
{
	app_free(&self->crit);
	app_free(&self->hog[0]);
	app_free(&self->hog[1]);
	if (self->d.pid > 0)
		EXPECT_EQ(0, rdt_stop(&self->d));
	rdt_cleanup(&self->d);
	fake_device_remove();
}

static void run_mix(struct __test_metadata *_metadata, FIXTURE_DATA(sched) *self, int managed)
{
	/*
	 * The subject is the schedule, not a silent rtslotd (test_shim.c's):
	 * a daemon slowed by the loaded host must not make a shim fail open.
	 */
	const char *crit_env[] = { self->sockenv, "RTSLOT_TASK=camera", "RTSLOT_PERIOD_MS=33.333",
				   "RTSLOT_DEADLINE_MS=16", "RTSLOT_PRIORITY=10", "RTSLOT_VERBOSE=1",
				   "RTSLOT_REPLY_MS=10000", NULL };
	const char *hog_env[] = { self->sockenv, "RTSLOT_REPLY_MS=10000", NULL };
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, app_start(&self->hog[i], managed, hog_env, hog_argv));
	ASSERT_EQ(0, app_run(&self->crit, managed, crit_env, critical_argv, 60));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, app_wait(&self->hog[i], 60));
		EXPECT_LT(0, kvl(self->hog[i].text, "kernels"));
	}
	EXPECT_EQ(JOBS, kvl(self->crit.text, "jobs"));
	/* The summary line; the late jobs after it are in app_log() on a failure. */
	TH_LOG("%s: %.*s", managed ? "with rtslot" : "without rtslot",
	       (int)strcspn(self->crit.text, "\n"), self->crit.text);
}

TEST_F_TIMEOUT(sched, unmanaged_the_deadline_task_misses, 120)
{
	run_mix(_metadata, self, 0);
	/* Behind up to 32 ms of other processes' kernels: most jobs miss. */
	EXPECT_LE(JOBS / 2, kvl(self->crit.text, "misses"));
}

/* Leases other tasks overran after the camera was admitted, from rtslotd -v. */
static int overruns_while_admitted(const char *log)
{
	FILE *f = fopen(log, "r");
	int admitted = 0, n = 0;
	char line[512];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "camera now admitted"))
			admitted = 1;
		else if (admitted && strstr(line, "overran its lease") &&
			 !strstr(line, "task camera "))
			n++;
	}
	fclose(f);
	return n;
}

TEST_F_TIMEOUT(sched, managed_misses_only_behind_best_effort_overruns, 120)
{
	struct rsp_stats s;
	long misses;
	int overruns;

	struct sched_param sp = { .sched_priority = 20 };

	ASSERT_EQ(0, rdt_start(&self->d, "edf", NULL));
	/* The arbiter answers before the tasks it arbitrates run again (docs/rtslotd.md). */
	if (sched_setscheduler(self->d.pid, SCHED_FIFO, &sp))
		TH_LOG("rtslotd stays SCHED_OTHER: %s", strerror(errno));
	snprintf(self->sockenv, sizeof(self->sockenv), "RTSLOT_SOCKET=%s", self->d.sock);
	run_mix(_metadata, self, 1);
	misses = kvl(self->crit.text, "misses");
	overruns = overruns_while_admitted(self->d.log);
	/*
	 * The user backend cannot take back what a holder already queued: a
	 * best-effort process the host left unscheduled past its lease runs
	 * into the camera's time (docs/rtslotd.md).  Each miss must have such
	 * an overrun behind it, and they stay the exception; any other miss
	 * is the arbiter's.
	 */
	if (misses && misses <= overruns)
		TH_LOG("%ld miss(es) after %d best-effort overrun(s) while admitted", misses,
		       overruns);
	EXPECT_GE(overruns, misses);
	EXPECT_GE(JOBS / 10, misses);
	if (misses) {
		app_log(&self->crit);
		app_log(&self->hog[0]);
		app_log(&self->hog[1]);
		rdt_dump_log(&self->d);
	}
	ASSERT_EQ(0, rdt_stats(&self->d, &s));
	/*
	 * Admitted after learning, the hogs best effort: three tasks, a
	 * re-plan; the only errors are releases of leases revoked for overruns.
	 */
	EXPECT_EQ(3, s.registrations);
	EXPECT_LE(1, s.replans);
	EXPECT_LE(s.errors, s.revokes);
}

TEST_HARNESS_MAIN
