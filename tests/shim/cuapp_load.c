// SPDX-License-Identifier: GPL-2.0
/*
 * cuapp periodic, hog and bench: a task with a deadline, a best-effort
 * process that keeps the device busy, and the per-launch cost.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "cuapp.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Jobs released every period: kernels launched at once, the stream
 * synchronised, the response (release to sync) compared with the deadline.
 * The first --warmup jobs are counted apart: the shim learns then.
 */
int cuapp_periodic(int argc, char **argv)
{
	uint64_t period = (uint64_t)cuapp_arg(argc, argv, "period-us", 33333) * 1000;
	uint64_t deadline = (uint64_t)cuapp_arg(argc, argv, "deadline-us", 33333) * 1000;
	int kernels = (int)cuapp_arg(argc, argv, "kernels", 4);
	int jobs = (int)cuapp_arg(argc, argv, "jobs", 60);
	int warmup = (int)cuapp_arg(argc, argv, "warmup", 0);
	uint64_t *resp, *late, t0, release, r;
	int i, k, n = 0, misses = 0, warm_misses = 0;
	struct cuapp a;
	CUfunction f;
	CUstream s;

	struct sched_param sp = { .sched_priority = (int)cuapp_arg(argc, argv, "fifo", 0) };

	if (jobs < 1 || kernels < 1 || warmup < 0 || !period)
		return 2;
	/* A real-time app runs at a real-time priority: the host's noise is not the device's. */
	if (sp.sched_priority && sched_setscheduler(0, SCHED_FIFO, &sp))
		printf("fifo=unavailable\n");
	resp = calloc((size_t)jobs, sizeof(*resp));
	late = calloc((size_t)jobs * 2, sizeof(*late));
	if (!resp || !late)
		return 1;
	cuapp_init(&a);
	f = cuapp_kernel(&a, (unsigned int)cuapp_arg(argc, argv, "kernel-us", 1000));
	CHECK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
	t0 = cuapp_now() + period;
	for (i = 0; i < warmup + jobs; i++) {
		release = t0 + (uint64_t)i * period;
		cuapp_sleep_until(release);
		for (k = 0; k < kernels; k++)
			CHECK(cuapp_launch(f, s));
		CHECK(cuStreamSynchronize(s));
		r = cuapp_now() - release;
		if (i < warmup) {
			warm_misses += r > deadline;
			continue;
		}
		if (r > deadline) {
			late[2 * misses] = release;
			late[2 * misses + 1] = r;
			misses++;
		}
		resp[n++] = r;
	}
	qsort(resp, (size_t)n, sizeof(*resp), cmp_u64);
	printf("jobs=%d misses=%d warmup_misses=%d p50_us=%llu p99_us=%llu max_us=%llu\n", n,
	       misses, warm_misses, (unsigned long long)(resp[n / 2] / 1000),
	       (unsigned long long)(resp[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1000),
	       (unsigned long long)(resp[n - 1] / 1000));
	/*
	 * Each miss with its release on CLOCK_MONOTONIC, which the module's
	 * trace can be read in: a miss must be explainable from the logs.
	 */
	for (i = 0; i < misses; i++)
		printf("late release_ns=%llu response_us=%llu\n", (unsigned long long)late[2 * i],
		       (unsigned long long)(late[2 * i + 1] / 1000));
	free(late);
	free(resp);
	return 0;
}

/* Best effort: keep --depth kernels queued for --ms, count what ran. */
int cuapp_hog(int argc, char **argv)
{
	uint64_t end = cuapp_now() + (uint64_t)cuapp_arg(argc, argv, "ms", 2000) * 1000000;
	int depth = (int)cuapp_arg(argc, argv, "depth", 8), k;
	unsigned long long done = 0;
	struct cuapp a;
	CUfunction f;
	CUstream s;

	if (depth < 1)
		return 2;
	cuapp_init(&a);
	f = cuapp_kernel(&a, (unsigned int)cuapp_arg(argc, argv, "kernel-us", 2000));
	CHECK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
	while (cuapp_now() < end) {
		for (k = 0; k < depth; k++)
			CHECK(cuapp_launch(f, s));
		CHECK(cuStreamSynchronize(s));
		done += (unsigned long long)depth;
	}
	printf("kernels=%llu\n", done);
	return 0;
}

/*
 * Time launches of an empty kernel in batches, each ended by a
 * synchronisation that is not timed; the first launch of a batch (where
 * the shim opens a job and asks for its lease) is not timed either, so
 * what is left is the fast path against the driver's own cost.
 */
int cuapp_bench(int argc, char **argv)
{
	long n = cuapp_arg(argc, argv, "launches", 200000), batch = 1000, i, k, timed = 0;
	uint64_t total = 0, t;
	struct cuapp a;
	CUfunction f;
	CUstream s;

	cuapp_init(&a);
	f = cuapp_kernel(&a, 0);
	CHECK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
	for (i = 0; i < 20 * batch; i++)		/* warm: caches, learning */
		CHECK(cuapp_launch(f, s));
	CHECK(cuStreamSynchronize(s));
	for (i = 0; i < n; i += batch) {
		CHECK(cuapp_launch(f, s));
		t = cuapp_now();
		for (k = 1; k < batch; k++)
			CHECK(cuapp_launch(f, s));
		total += cuapp_now() - t;
		timed += batch - 1;
		CHECK(cuStreamSynchronize(s));
	}
	printf("launches=%ld ns_per_launch=%.1f\n", timed, (double)total / (double)timed);
	return 0;
}
