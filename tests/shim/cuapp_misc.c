// SPDX-License-Identifier: GPL-2.0
/*
 * cuapp capture, fork, threads and markers: the situations where a shim
 * breaks apps, each ending with what the app and the shim saw.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cuapp.h"
#include "rtslot/client.h"

static void print_status(const char *prefix)
{
	struct rtslot_shim_status st;

	if (rtslot_shim_status && !rtslot_shim_status(&st))
		printf("%sstate=%u %srequests=%llu %sjobs=%llu %ssamples=%llu %sungated=%llu "
		       "%srefused=%llu\n", prefix, st.state, prefix, (unsigned long long)st.requests,
		       prefix, (unsigned long long)st.jobs, prefix, (unsigned long long)st.samples,
		       prefix, (unsigned long long)st.ungated, prefix,
		       (unsigned long long)st.refused);
	else
		printf("%sstate=absent\n", prefix);
}

/*
 * The fake driver, like the real one, invalidates a capture into which an
 * event is recorded or that is synchronised: a shim that gated or sampled
 * these launches would make EndCapture fail.
 */
int cuapp_capture(int argc, char **argv)
{
	int n = (int)cuapp_arg(argc, argv, "launches", 40), i;
	struct rtslot_shim_status before, after;
	CUgraphExec exec;
	struct cuapp a;
	CUstream s;
	CUgraph g;
	CUfunction f;
	CUresult r;

	cuapp_init(&a);
	f = cuapp_kernel(&a, 200);
	CHECK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
	/* One job first, so that the session is up and the kernel is known. */
	CHECK(cuapp_launch(f, s));
	CHECK(cuStreamSynchronize(s));
	if (rtslot_shim_status)
		rtslot_shim_status(&before);
	CHECK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	for (i = 0; i < n; i++)
		CHECK(cuapp_launch(f, s));
	r = cuStreamEndCapture(s, &g);
	printf("end_capture=%d\n", (int)r);
	if (rtslot_shim_status) {
		rtslot_shim_status(&after);
		printf("capture_requests=%llu capture_samples=%llu\n",
		       (unsigned long long)(after.requests - before.requests),
		       (unsigned long long)(after.samples - before.samples));
	}
	if (r != CUDA_SUCCESS)
		return 1;
	CHECK(cuGraphInstantiate(&exec, g, 0));
	CHECK(cuGraphLaunch(exec, s));
	CHECK(cuStreamSynchronize(s));
	print_status("after_graph_");
	return 0;
}

int cuapp_fork(int argc, char **argv)
{
	struct cuapp a;
	CUfunction f;
	pid_t pid;
	int st, i;

	cuapp_init(&a);
	f = cuapp_kernel(&a, 100);
	CHECK(cuapp_launch(f, NULL));
	CHECK(cuCtxSynchronize());
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		/* A child starts CUDA afresh, as after exec. */
		struct cuapp c;

		cuapp_init(&c);
		f = cuapp_kernel(&c, 100);
		for (i = 0; i < 5; i++) {
			CHECK(cuapp_launch(f, NULL));
			CHECK(cuCtxSynchronize());
		}
		print_status("child_");
		/* exit, not _exit: the shim sends its last job report at exit. */
		exit(0);
	}
	for (i = 0; i < 5; i++) {
		CHECK(cuapp_launch(f, NULL));
		CHECK(cuCtxSynchronize());
	}
	if (waitpid(pid, &st, 0) != pid)
		return 1;
	printf("child_exit=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	print_status("parent_");
	(void)argc;
	(void)argv;
	return 0;
}

struct worker {
	struct cuapp *a;
	int launches;
	int failures;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	CUfunction f = cuapp_kernel(w->a, 50);
	CUstream s;
	int i;

	if (cuCtxSetCurrent(w->a->ctx) || cuStreamCreate(&s, CU_STREAM_NON_BLOCKING)) {
		w->failures = w->launches;
		return NULL;
	}
	for (i = 0; i < w->launches; i++) {
		if (cuapp_launch(f, s))
			w->failures++;
		if (i % 4 == 3 && cuStreamSynchronize(s))
			w->failures++;
	}
	if (cuStreamSynchronize(s))
		w->failures++;
	return NULL;
}

int cuapp_threads(int argc, char **argv)
{
	int n = (int)cuapp_arg(argc, argv, "threads", 8), i, failures = 0;
	struct worker w[64];
	pthread_t t[64];
	struct cuapp a;

	if (n < 1 || n > 64)
		return 2;
	cuapp_init(&a);
	for (i = 0; i < n; i++) {
		w[i] = (struct worker){ &a, (int)cuapp_arg(argc, argv, "launches", 100), 0 };
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		failures += w[i].failures;
	}
	printf("failures=%d\n", failures);
	print_status("");
	return 0;
}

int cuapp_markers(int argc, char **argv)
{
	int jobs = (int)cuapp_arg(argc, argv, "jobs", 5), i, k, begin_err = 0, end_err = 0;
	struct cuapp a;
	CUfunction f;

	cuapp_init(&a);
	f = cuapp_kernel(&a, 300);
	for (i = 0; i < jobs; i++) {
		if (rtslot_job_begin && rtslot_job_begin())
			begin_err++;
		/* Syncs inside a marked job must not end it. */
		for (k = 0; k < 3; k++) {
			CHECK(cuapp_launch(f, NULL));
			CHECK(cuCtxSynchronize());
		}
		if (rtslot_job_end && rtslot_job_end())
			end_err++;
	}
	printf("begin_errors=%d end_errors=%d end_without_begin=%d\n", begin_err, end_err,
	       rtslot_job_end ? rtslot_job_end() : 0);
	print_status("");
	return 0;
}
