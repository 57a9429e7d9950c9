// SPDX-License-Identifier: GPL-2.0
/*
 * librtslot-cuda.so on the fake driver with rtslotd (user backend):
 * interception through every path, capture, fork, threads, job markers,
 * and what happens without rtslotd (fail open, fail closed, bad config,
 * rtslotd dying under a running app).
 */
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cuda.h>

#include "kselftest_harness.h"
#include "rd_test.h"
#include "runapp.h"

#define SHIM	"librtslot-cuda.so"
#define DRIVER	"libcuda.so.1"

FIXTURE(shim) {
	struct rdt d;
	char sockenv[128];
	const char *env[8];
	struct app a;
};

FIXTURE_SETUP(shim)
{
	static int n;

	fake_device(n++);
	ASSERT_EQ(0, rdt_start(&self->d, "edf", NULL));
	snprintf(self->sockenv, sizeof(self->sockenv), "RTSLOT_SOCKET=%s", self->d.sock);
	self->env[0] = self->sockenv;
	self->env[1] = NULL;
}

FIXTURE_TEARDOWN(shim)
{
	app_free(&self->a);
	if (self->d.pid > 0)
		EXPECT_EQ(0, rdt_stop(&self->d));
	rdt_cleanup(&self->d);
	fake_device_remove();
}

/* Once rtslotd has seen the app go, its task and lease are gone too. */
static int settled(const struct rdt *d, struct rsp_stats *s)
{
	uint64_t until = rdt_now() + RDT_SETTLE_NS;

	while (rdt_now() < until) {
		if (rdt_stats(d, s))
			return -1;
		if (!s->tasks && !s->holders && !s->waiters && s->clients == 1)
			return 0;
		rdt_sleep_us(10000);
	}
	return -1;
}

TEST_F(shim, every_path_lands_in_the_shim)
{
	static const char *const argv[] = { "paths", NULL };
	const char *t;
	struct rsp_stats s;

	ASSERT_EQ(0, app_run(&self->a, 1, self->env, argv, 30));
	t = self->a.text;
	EXPECT_STREQ(SHIM, kv(t, "linked"));
	EXPECT_STREQ(SHIM, kv(t, "linked_sync"));
	EXPECT_STREQ(SHIM, kv(t, "dlsym"));
	EXPECT_STREQ(SHIM, kv(t, "dlsym_ptsz"));
	EXPECT_STREQ(SHIM, kv(t, "dlsym_default"));
	EXPECT_STREQ(DRIVER, kv(t, "dlsym_unhooked"));
	EXPECT_STREQ("none", kv(t, "dlsym_cudnn"));
	EXPECT_STREQ(SHIM, kv(t, "gp"));
	EXPECT_EQ(0, kvl(t, "gp_status"));
	EXPECT_EQ(1, kvl(t, "gp_is_export"));
	EXPECT_STREQ(SHIM, kv(t, "gp_pt"));
	EXPECT_EQ(1, kvl(t, "gp_pt_is_ptsz_export"));
	/* Asked at 10.0, the capture call without a mode: not the _v2 hook. */
	EXPECT_STREQ(SHIM, kv(t, "gp_capture_old"));
	EXPECT_EQ(0, kvl(t, "gp_capture_old_is_v2"));
	EXPECT_STREQ(SHIM, kv(t, "gp_self"));
	EXPECT_STREQ(SHIM, kv(t, "gp_self_v1"));
	EXPECT_STREQ(DRIVER, kv(t, "gp_unhooked"));
	EXPECT_EQ(CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT, kvl(t, "gp_too_old_status"));
	EXPECT_EQ(CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND, kvl(t, "gp_missing_status"));
	EXPECT_EQ(CUDA_ERROR_NOT_FOUND, kvl(t, "gp_missing_result"));
	EXPECT_STREQ(SHIM, kv(t, "dlsym_gp_v1"));
	EXPECT_STREQ(SHIM, kv(t, "gp_v1"));
	EXPECT_EQ(0, kvl(t, "launch_linked"));
	EXPECT_EQ(0, kvl(t, "launch_dlsym"));
	EXPECT_EQ(0, kvl(t, "launch_getproc"));
	EXPECT_EQ(0, kvl(t, "launch_getproc_pt"));
	EXPECT_EQ(0, kvl(t, "launch_getproc_v1"));
	/* Gated: five launches, each its own job ended by its sync. */
	EXPECT_EQ(2, kvl(t, "shim_state"));
	EXPECT_EQ(5, kvl(t, "jobs"));
	EXPECT_LE(5, kvl(t, "requests"));
	EXPECT_EQ(0, kvl(t, "ungated"));
	EXPECT_EQ(0, count_lines(self->a.errtext, "rtslot:"));
	ASSERT_EQ(0, settled(&self->d, &s));
	EXPECT_EQ(1, s.registrations);
	EXPECT_EQ(5, s.jobs);
	EXPECT_LE(5, s.grants);
	/*
	 * Every lease given back, or taken back for an overrun (a loaded
	 * machine may stall a holder); a release after that is the only error.
	 */
	EXPECT_EQ(s.grants, s.releases + s.revokes);
	EXPECT_LE(s.errors, s.revokes);
}

/* The control: the same program without the shim reaches the driver. */
TEST_F(shim, without_the_shim_the_driver_answers)
{
	static const char *const argv[] = { "paths", NULL };
	struct rsp_stats s;

	ASSERT_EQ(0, app_run(&self->a, 0, self->env, argv, 30));
	EXPECT_STREQ(DRIVER, kv(self->a.text, "linked"));
	EXPECT_STREQ(DRIVER, kv(self->a.text, "dlsym"));
	EXPECT_STREQ(DRIVER, kv(self->a.text, "gp"));
	EXPECT_STREQ("absent", kv(self->a.text, "shim_state"));
	ASSERT_EQ(0, rdt_stats(&self->d, &s));
	EXPECT_EQ(0, s.registrations);
}

TEST_F(shim, capture_is_neither_gated_nor_sampled)
{
	static const char *const argv[] = { "capture", "--launches=40", NULL };

	ASSERT_EQ(0, app_run(&self->a, 1, self->env, argv, 30));
	EXPECT_EQ(CUDA_SUCCESS, kvl(self->a.text, "end_capture"));
	EXPECT_EQ(0, kvl(self->a.text, "capture_requests"));
	EXPECT_EQ(0, kvl(self->a.text, "capture_samples"));
	/* The graph it made is work like any other: gated when launched. */
	EXPECT_EQ(2, kvl(self->a.text, "after_graph_state"));
	EXPECT_EQ(2, kvl(self->a.text, "after_graph_jobs"));
}

TEST_F(shim, a_forked_child_is_a_task_of_its_own)
{
	static const char *const argv[] = { "fork", NULL };
	struct rsp_stats s;

	ASSERT_EQ(0, app_run(&self->a, 1, self->env, argv, 30));
	EXPECT_EQ(0, kvl(self->a.text, "child_exit"));
	EXPECT_EQ(2, kvl(self->a.text, "child_state"));
	EXPECT_EQ(5, kvl(self->a.text, "child_jobs"));
	EXPECT_EQ(2, kvl(self->a.text, "parent_state"));
	EXPECT_EQ(6, kvl(self->a.text, "parent_jobs"));
	ASSERT_EQ(0, settled(&self->d, &s));
	EXPECT_EQ(2, s.registrations);
	EXPECT_EQ(11, s.jobs);
	EXPECT_LE(s.errors, s.revokes);
}

TEST_F_TIMEOUT(shim, many_threads_launch_through_one_lease, 120)
{
	static const char *const argv[] = { "threads", "--threads=8", "--launches=200", NULL };
	struct rsp_stats s;

	ASSERT_EQ(0, app_run(&self->a, 1, self->env, argv, 120));
	EXPECT_EQ(0, kvl(self->a.text, "failures"));
	EXPECT_EQ(2, kvl(self->a.text, "state"));
	EXPECT_LE(1, kvl(self->a.text, "jobs"));
	ASSERT_EQ(0, settled(&self->d, &s));
	EXPECT_LE(s.errors, s.revokes);
}

TEST_F(shim, markers_make_the_jobs)
{
	static const char *const argv[] = { "markers", "--jobs=5", NULL };
	struct rsp_stats s;

	ASSERT_EQ(0, app_run(&self->a, 1, self->env, argv, 30));
	EXPECT_EQ(0, kvl(self->a.text, "begin_errors"));
	EXPECT_EQ(0, kvl(self->a.text, "end_errors"));
	EXPECT_EQ(-EINVAL, kvl(self->a.text, "end_without_begin"));
	/* Fifteen synchronisations, five jobs. */
	EXPECT_EQ(5, kvl(self->a.text, "jobs"));
	ASSERT_EQ(0, settled(&self->d, &s));
	EXPECT_EQ(5, s.jobs);
}

TEST_F(shim, fails_open_with_one_warning)
{
	static const char *const argv[] = { "paths", NULL };
	const char *env[] = { "RTSLOT_SOCKET=/nonexistent/rtslotd.sock", NULL };

	ASSERT_EQ(0, app_run(&self->a, 1, env, argv, 30));
	EXPECT_EQ(0, kvl(self->a.text, "launch_linked"));
	EXPECT_EQ(0, kvl(self->a.text, "launch_getproc_v1"));
	EXPECT_EQ(1, kvl(self->a.text, "shim_state"));
	EXPECT_EQ(5, kvl(self->a.text, "ungated"));
	EXPECT_EQ(1, count_lines(self->a.errtext, "rtslot:"));
	EXPECT_EQ(1, count_lines(self->a.errtext, "running ungated"));
}

TEST_F(shim, fails_closed_when_asked)
{
	static const char *const argv[] = { "paths", NULL };
	const char *env[] = { "RTSLOT_SOCKET=/nonexistent/rtslotd.sock", "RTSLOT_FAIL=closed",
			      NULL };

	ASSERT_EQ(0, app_run(&self->a, 1, env, argv, 30));
	EXPECT_EQ(CUDA_ERROR_NOT_PERMITTED, kvl(self->a.text, "launch_linked"));
	EXPECT_EQ(CUDA_ERROR_NOT_PERMITTED, kvl(self->a.text, "launch_getproc"));
	EXPECT_EQ(3, kvl(self->a.text, "shim_state"));
	EXPECT_EQ(1, count_lines(self->a.errtext, "refusing launches"));
}

TEST_F(shim, a_bad_variable_is_named)
{
	static const char *const argv[] = { "paths", NULL };
	const char *env[] = { self->sockenv, "RTSLOT_PERIOD_MS=soon", NULL };
	struct rsp_stats s;

	ASSERT_EQ(0, app_run(&self->a, 1, env, argv, 30));
	EXPECT_EQ(0, kvl(self->a.text, "launch_linked"));
	EXPECT_EQ(1, kvl(self->a.text, "shim_state"));
	EXPECT_EQ(1, count_lines(self->a.errtext, "RTSLOT_PERIOD_MS=soon"));
	ASSERT_EQ(0, rdt_stats(&self->d, &s));
	EXPECT_EQ(0, s.registrations);
}

TEST_F_TIMEOUT(shim, the_app_outlives_rtslotd, 90)
{
	static const char *const argv[] = { "hog", "--kernel-us=500", "--depth=4", "--ms=1500",
					    NULL };

	ASSERT_EQ(0, app_start(&self->a, 1, self->env, argv));
	rdt_sleep_us(500000);
	kill(self->d.pid, SIGKILL);
	ASSERT_EQ(0, app_wait(&self->a, 60));
	self->d.pid = 0;
	EXPECT_LT(0, kvl(self->a.text, "kernels"));
	EXPECT_EQ(1, count_lines(self->a.errtext, "rtslotd went away"));
}

/*
 * Alive but silent (stopped): after RTSLOT_REPLY_MS the shim treats it as
 * gone, warns once, runs ungated, and retries every RTSLOT_RETRY_MS.
 */
TEST_F_TIMEOUT(shim, the_app_outlives_a_silent_rtslotd, 90)
{
	static const char *const argv[] = { "hog", "--kernel-us=500", "--depth=4", "--ms=1500",
					    NULL };
	const char *env[] = { self->sockenv, "RTSLOT_REPLY_MS=200", NULL };

	ASSERT_EQ(0, kill(self->d.pid, SIGSTOP));
	ASSERT_EQ(0, app_start(&self->a, 1, env, argv));
	EXPECT_EQ(0, app_wait(&self->a, 60));
	ASSERT_EQ(0, kill(self->d.pid, SIGCONT));
	EXPECT_LT(0, kvl(self->a.text, "kernels"));
	EXPECT_EQ(1, count_lines(self->a.errtext, "rtslotd did not answer in RTSLOT_REPLY_MS"));
	EXPECT_EQ(1, count_lines(self->a.errtext, "running ungated"));
}

TEST_F_TIMEOUT(shim, python_markers, 90)
{
	const char *argv[] = { getenv("SHIM_PYTEST"), NULL };

	ASSERT_NE(NULL, argv[0]);
	ASSERT_EQ(0, app_start_prog(&self->a, 1, self->env, "python3", argv));
	EXPECT_EQ(0, app_wait(&self->a, 60));
	EXPECT_EQ(0, count_lines(self->a.text, "not ok"));
	EXPECT_EQ(4, count_lines(self->a.text, "ok "));
	if (_metadata->passed != 1 || count_lines(self->a.text, "not ok"))
		app_log(&self->a);
}

TEST_HARNESS_MAIN
