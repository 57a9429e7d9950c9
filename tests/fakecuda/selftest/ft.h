/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fakecuda self-tests share: a device and log of their own per
 * test, the FAKECUDA_LOG parser, fakecuda-stat, and child processes.
 */
#ifndef FT_H
#define FT_H

#include <cuda.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FT_MAXK	8192

struct ft_k {
	unsigned long long seq, stream, submit, start, end;
	int pid;
	unsigned int ctx;
	char name[64];
};

struct ft_env {
	char dev[64];
	char log[128];
};

/* A device and a log no other test (nor another run on the machine) shares. */
static inline void ft_env_init(struct ft_env *e, const char *tag)
{
	static int n;

	snprintf(e->dev, sizeof(e->dev), "/fc-test-%d-%s-%d", getpid(), tag, n);
	snprintf(e->log, sizeof(e->log), "/tmp/fc-test-%d-%s-%d.log", getpid(), tag, n++);
	setenv("FAKECUDA_DEVICE", e->dev, 1);
	setenv("FAKECUDA_LOG", e->log, 1);
	unsetenv("FAKECUDA_MODE");
	unsetenv("FAKECUDA_TIMESLICE_US");
	unsetenv("FAKECUDA_DEFAULT_US");
	unlink(e->log);
}

static inline void ft_env_fini(struct ft_env *e)
{
	shm_unlink(e->dev);
	unlink(e->log);
}

static inline unsigned long long ft_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline int ft_by_start(const void *x, const void *y)
{
	const struct ft_k *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * Kernels of the log in the order they started.  Lines reach the file in
 * the order their writers flushed them, which across processes is not
 * the order the kernels ran.
 */
static inline int ft_log(const struct ft_env *e, struct ft_k *k, int max)
{
	FILE *f = fopen(e->log, "r");
	char line[512];
	int n = 0;

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		struct ft_k *x = &k[n];

		if (sscanf(line, "seq=%llu pid=%d ctx=%u stream=0x%llx name=%63s submit_ns=%llu "
			   "start_ns=%llu end_ns=%llu", &x->seq, &x->pid, &x->ctx, &x->stream,
			   x->name, &x->submit, &x->start, &x->end) == 8)
			n++;
	}
	fclose(f);
	qsort(k, n, sizeof(*k), ft_by_start);
	return n;
}

/* The kernels of one name prefix, keeping the order. */
static inline int ft_pick(const struct ft_k *all, int n, const char *prefix, struct ft_k *out)
{
	int i, m = 0;

	for (i = 0; i < n; i++)
		if (!strncmp(all[i].name, prefix, strlen(prefix)))
			out[m++] = all[i];
	return m;
}

/* The value of "key":N in fakecuda-stat's JSON after "after" (or anywhere). */
static inline long long ft_stat(const struct ft_env *e, const char *after, const char *key)
{
	const char *bin = getenv("FAKECUDA_STAT");
	static char buf[16384];
	char cmd[512], pat[64];
	const char *p = buf;
	size_t n = 0;
	FILE *f;

	if (!bin)
		bin = "build/fakecuda/fakecuda-stat";
	snprintf(cmd, sizeof(cmd), "%s --device %s", bin, e->dev);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	if (pclose(f))
		return -1;
	if (after) {
		p = strstr(buf, after);
		if (!p)
			return -1;
	}
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(p, pat);
	return p ? atoll(p + strlen(pat)) : -1;
}

static inline int ft_stat_reset(const struct ft_env *e)
{
	const char *bin = getenv("FAKECUDA_STAT");
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s --device %s --reset",
		 bin ? bin : "build/fakecuda/fakecuda-stat", e->dev);
	return system(cmd);
}

/* Primary context current, one module: what most tests start from. */
static inline CUresult ft_setup(CUcontext *ctx, CUmodule *mod)
{
	static const char image[] = "fake image";
	CUresult r = cuInit(0);

	if (!r)
		r = cuDevicePrimaryCtxRetain(ctx, 0);
	if (!r)
		r = cuCtxSetCurrent(*ctx);
	if (!r && mod)
		r = cuModuleLoadData(mod, image);
	return r;
}

static inline CUresult ft_launch(CUmodule mod, const char *name, CUstream s)
{
	CUfunction f;
	CUresult r = cuModuleGetFunction(&f, mod, name);

	if (!r)
		r = cuLaunchKernel(f, 1, 1, 1, 32, 1, 1, 0, s, NULL, NULL);
	return r;
}

/*
 * A host function that holds its stream until the test opens it: what
 * follows on the stream is pending for sure, however slow the machine.
 */
struct ft_gate {
	pthread_mutex_t m;
	pthread_cond_t c;
	int open;
};

#define FT_GATE { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 }

static inline void ft_gate_wait(void *arg)
{
	struct ft_gate *g = arg;

	pthread_mutex_lock(&g->m);
	while (!g->open)
		pthread_cond_wait(&g->c, &g->m);
	pthread_mutex_unlock(&g->m);
}

static inline void ft_gate_open(struct ft_gate *g)
{
	pthread_mutex_lock(&g->m);
	g->open = 1;
	pthread_cond_broadcast(&g->c);
	pthread_mutex_unlock(&g->m);
}

/* Exit status of a child, or -1 if it did not exit normally. */
static inline int ft_join(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#endif /* FT_H */
