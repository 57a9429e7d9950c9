// SPDX-License-Identifier: GPL-2.0
/*
 * cuapp: common helpers and the command dispatch (see cuapp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cuapp.h"

void cuapp_die(const char *what, CUresult r)
{
	const char *name = NULL;

	cuGetErrorName(r, &name);
	printf("error=%s result=%d (%s)\n", what, (int)r, name ? name : "?");
	fflush(stdout);
	exit(2);
}

void cuapp_init(struct cuapp *a)
{
	CUdevice dev;

	CHECK(cuInit(0));
	CHECK(cuDeviceGet(&dev, 0));
	CHECK(cuDevicePrimaryCtxRetain(&a->ctx, dev));
	CHECK(cuCtxSetCurrent(a->ctx));
	CHECK(cuModuleLoadData(&a->mod, "cuapp"));
}

CUfunction cuapp_kernel(struct cuapp *a, unsigned int us)
{
	char name[48];
	CUfunction f;

	snprintf(name, sizeof(name), "work_%uus", us);
	CHECK(cuModuleGetFunction(&f, a->mod, name));
	return f;
}

CUresult cuapp_launch(CUfunction f, CUstream s)
{
	return cuLaunchKernel(f, 1, 1, 1, 32, 1, 1, 0, s, NULL, NULL);
}

uint64_t cuapp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void cuapp_sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ULL),
			       .tv_nsec = (long)(t % 1000000000ULL) };

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* --name=value on the command line, else dflt. */
long cuapp_arg(int argc, char **argv, const char *name, long dflt)
{
	size_t n = strlen(name);
	int i;

	for (i = 2; i < argc; i++)
		if (!strncmp(argv[i], "--", 2) && !strncmp(argv[i] + 2, name, n) &&
		    argv[i][2 + n] == '=')
			return strtol(argv[i] + 3 + n, NULL, 0);
	return dflt;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "paths", cuapp_paths, "where each way of reaching the driver lands" },
	{ "capture", cuapp_capture, "launches into a stream capture, then the graph" },
	{ "fork", cuapp_fork, "launch, fork, launch in both" },
	{ "threads", cuapp_threads, "--threads=N --launches=N, each thread on its own stream" },
	{ "periodic", cuapp_periodic,
	  "--period-ms --deadline-ms --kernels --kernel-us --jobs: a deadline task" },
	{ "hog", cuapp_hog, "--kernel-us --depth --ms: keep the device busy" },
	{ "bench", cuapp_bench, "--launches=N: ns per launch" },
	{ "markers", cuapp_markers, "--jobs=N: jobs marked with rtslot_job_begin/end" },
};

int main(int argc, char **argv)
{
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc, argv);
	fprintf(stderr, "usage: cuapp COMMAND [--name=value ...]\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  %-9s %s\n", cmds[i].name, cmds[i].help);
	return argc > 1 && !strcmp(argv[1], "--help") ? 0 : 2;
}
