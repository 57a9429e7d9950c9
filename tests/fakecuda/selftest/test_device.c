// SPDX-License-Identifier: GPL-2.0
/*
 * The shared virtual device, with several processes: FIFO order across
 * them, time-slicing and its preemption, recovery from a process killed
 * with work queued or dead with the device lock held, and fakecuda-stat.
 * Times are read from FAKECUDA_LOG, so no wall-clock bound is tight.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include "fc_shm.h"
#include "ft.h"
#include "kselftest_harness.h"

static struct ft_k k[FT_MAXK], a[FT_MAXK], b[FT_MAXK];

struct job {
	const char *name;
	int n;
	int wait_fd;		/* if > 0: launch once a byte arrives here */
	int done_fd;		/* if > 0: a byte goes here once all is launched */
	bool hang;		/* then wait to be killed instead of synchronising */
	int gate_fd;		/* if > 0: the kernels wait on the device for a byte here */
	const char *head;	/* a kernel to launch before the others, if any */
};

/* A host function ahead of the kernels holds them until the test says go. */
static void gate_read(void *arg)
{
	char c;

	if (read((int)(intptr_t)arg, &c, 1) != 1)
		_exit(15);
}

/* A client process: attach first, then launch on the signal, then sync. */
static pid_t spawn(struct job j)
{
	CUcontext ctx;
	CUmodule mod;
	pid_t pid = fork();
	char c;
	int i;

	if (pid)
		return pid;
	if (ft_setup(&ctx, &mod))
		_exit(10);
	if (j.wait_fd > 0 && read(j.wait_fd, &c, 1) != 1)
		_exit(11);
	if (j.gate_fd > 0 && cuLaunchHostFunc(NULL, gate_read, (void *)(intptr_t)j.gate_fd))
		_exit(16);
	if (j.head && ft_launch(mod, j.head, NULL))
		_exit(12);
	for (i = 0; i < j.n; i++)
		if (ft_launch(mod, j.name, NULL))
			_exit(12);
	if (j.done_fd > 0 && write(j.done_fd, "x", 1) != 1)
		_exit(13);
	while (j.hang)
		pause();
	_exit(cuCtxSynchronize() ? 14 : 0);
}

FIXTURE(dev) {
	struct ft_env env;
	int p[2];
};

FIXTURE_SETUP(dev)
{
	ft_env_init(&self->env, "dev");
	ASSERT_EQ(0, pipe(self->p));
}

FIXTURE_TEARDOWN(dev)
{
	ft_env_fini(&self->env);
}

/* B launches after A: B's kernels wait for all of A's, as on a contended GPU. */
TEST_F(dev, fifo_across_processes)
{
	pid_t pa, pb;
	int i, n, na, nb;

	/* A's 280 ms give B, however slow to start, time to queue behind them. */
	pa = spawn((struct job){ .name = "a_20000us", .n = 4, .done_fd = self->p[1],
				 .head = "a_200000us" });
	pb = spawn((struct job){ .name = "b_5000us", .n = 3, .wait_fd = self->p[0] });
	ASSERT_EQ(0, ft_join(pa));
	ASSERT_EQ(0, ft_join(pb));
	n = ft_log(&self->env, k, FT_MAXK);
	na = ft_pick(k, n, "a_", a);
	nb = ft_pick(k, n, "b_", b);
	ASSERT_EQ(5, na);
	ASSERT_EQ(3, nb);
	ASSERT_EQ(pa, a[0].pid);
	ASSERT_EQ(pb, b[0].pid);
	ASSERT_EQ(200000000ULL, a[0].end - a[0].start);
	for (i = 1; i < na; i++)
		ASSERT_EQ(20000000ULL, a[i].end - a[i].start);
	for (i = 0; i < nb; i++)
		ASSERT_EQ(5000000ULL, b[i].end - b[i].start);
	/* The device never idled between A's last kernel and B's first. */
	ASSERT_LE(a[na - 1].end, b[0].start);
	ASSERT_EQ(a[na - 1].end, b[0].start);
	ASSERT_LT(b[0].submit, a[na - 1].end);
	ASSERT_EQ(0, ft_stat(&self->env, NULL, "kernels_dropped"));
}

/*
 * The longest run of one process's kernels among those that started
 * while both processes still had work; *both counts those kernels.
 */
static int longest_run(const struct ft_k *v, int n, int *both)
{
	unsigned long long from = 0, to = ~0ULL, first[2] = { 0, 0 }, last[2] = { 0, 0 };
	int i, run = 0, best = 0, pid[2] = { v[0].pid, 0 };

	for (i = 0; i < n; i++) {
		int w = v[i].pid == pid[0] ? 0 : 1;

		pid[w] = v[i].pid;
		if (!first[w])
			first[w] = v[i].start;
		last[w] = v[i].end;
	}
	from = first[0] > first[1] ? first[0] : first[1];
	to = last[0] < last[1] ? last[0] : last[1];
	*both = 0;
	for (i = 0; i < n; i++) {
		if (v[i].start < from || v[i].start >= to)
			continue;
		run = *both && v[i].pid == v[i - 1].pid ? run + 1 : 1;
		best = run > best ? run : best;
		(*both)++;
	}
	return best;
}

/*
 * Two clients with 40 ms queued each, held by a gate on the device until
 * both have queued, so that a slow machine cannot serialise them.
 */
static void gated_pair(struct __test_metadata *_metadata, const char *an, const char *bn,
		       int n, pid_t *pa, pid_t *pb)
{
	int ready[2], ga[2], gb[2];
	char c[2];

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(ga));
	ASSERT_EQ(0, pipe(gb));
	*pa = spawn((struct job){ .name = an, .n = n, .done_fd = ready[1], .gate_fd = ga[0] });
	*pb = spawn((struct job){ .name = bn, .n = n, .done_fd = ready[1], .gate_fd = gb[0] });
	ASSERT_EQ(1, read(ready[0], &c[0], 1));
	ASSERT_EQ(1, read(ready[0], &c[1], 1));
	ASSERT_EQ(1, write(ga[1], "x", 1));
	ASSERT_EQ(1, write(gb[1], "x", 1));
	ASSERT_EQ(0, ft_join(*pa));
	ASSERT_EQ(0, ft_join(*pb));
}

/* Time-slicing: the two processes take turns while both have work. */
TEST_F(dev, timeslice_interleaves)
{
	int n, run, both;
	pid_t pa, pb;

	setenv("FAKECUDA_MODE", "timeslice", 1);
	setenv("FAKECUDA_TIMESLICE_US", "2000", 1);
	gated_pair(_metadata, "a_1000us", "b_1000us", 40, &pa, &pb);
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(80, n);
	ASSERT_EQ(40, ft_pick(k, n, "a_", a));
	ASSERT_EQ(40, ft_pick(k, n, "b_", b));
	run = longest_run(k, n, &both);
	if (both < 8)
		SKIP(return, "machine too slow: the two clients overlapped for %d kernels", both);
	/* A 2 ms slice holds two 1 ms kernels: then the other process's turn. */
	ASSERT_GE(2, run) TH_LOG("%d kernels of one process in a row", run);
}

/* A kernel longer than a slice is cut at the slice end and resumes later. */
TEST_F(dev, timeslice_preempts_long_kernels)
{
	pid_t pa, pb;
	int n;

	setenv("FAKECUDA_MODE", "timeslice", 1);
	setenv("FAKECUDA_TIMESLICE_US", "1000", 1);
	gated_pair(_metadata, "a_40000us", "b_40000us", 1, &pa, &pb);
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(1, ft_pick(k, n, "a_", a));
	ASSERT_EQ(1, ft_pick(k, n, "b_", b));
	if (b[0].start < a[0].start) {
		struct ft_k t = a[0];

		a[0] = b[0];
		b[0] = t;
	}
	if (b[0].start >= a[0].end)
		SKIP(return, "machine too slow: the second client came after the first was done");
	/* The first to start was cut at a slice end and lost the device for a slice at least. */
	ASSERT_LT(a[0].end, b[0].end);
	ASSERT_LE(41000000ULL, a[0].end - a[0].start);
	/* Both ran for their full length, in pieces. */
	ASSERT_EQ(80000000LL, ft_stat(&self->env, NULL, "busy_ns"));
}

/* The same two kernels in FIFO mode: nothing is cut. */
TEST_F(dev, fifo_does_not_preempt)
{
	pid_t pa, pb;
	int n;

	gated_pair(_metadata, "a_40000us", "b_40000us", 1, &pa, &pb);
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(2, n);
	ASSERT_EQ(40000000ULL, k[0].end - k[0].start);
	ASSERT_EQ(40000000ULL, k[1].end - k[1].start);
	ASSERT_LE(k[0].end, k[1].start);
}

/*
 * A process killed with 400 ms queued: its work is dropped, and the next
 * client's kernel runs at once instead of waiting behind it.
 */
TEST_F(dev, killed_process_work_is_dropped)
{
	char c;
	pid_t pa, pb;
	int n;

	pa = spawn((struct job){ .name = "a_10000us", .n = 40, .done_fd = self->p[1], .hang = true });
	ASSERT_EQ(1, read(self->p[0], &c, 1));
	ASSERT_EQ(0, kill(pa, SIGKILL));
	/* Not reaped yet: the device must treat a zombie as dead too. */
	pb = spawn((struct job){ .name = "b_1000us", .n = 1 });
	ASSERT_EQ(0, ft_join(pb));
	ASSERT_EQ(-1, ft_join(pa));
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(1, ft_pick(k, n, "b_", b));
	ASSERT_GT(60000000ULL, b[0].start - b[0].submit);
	ASSERT_LE(30, ft_stat(&self->env, NULL, "kernels_dropped"));
	ASSERT_LE(30, ft_stat(&self->env, "\"alive\":false", "kernels_dropped"));
	ASSERT_EQ(0, ft_stat(&self->env, NULL, "pending"));
}

/* A process that died holding the device lock: the robust mutex hands it on. */
TEST_F(dev, dead_lock_holder_is_recovered)
{
	struct fc_shm *d;
	pid_t pid;
	int fd, n;

	ASSERT_EQ(0, ft_join(spawn((struct job){ .name = "first_100us", .n = 1 })));
	pid = fork();
	if (!pid) {
		fd = shm_open(self->env.dev, O_RDWR, 0);
		if (fd < 0)
			_exit(1);
		d = mmap(NULL, sizeof(*d), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (d == MAP_FAILED || pthread_mutex_lock(&d->lock))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(0, ft_join(pid));
	ASSERT_EQ(0, ft_join(spawn((struct job){ .name = "after_1000us", .n = 3 })));
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(3, ft_pick(k, n, "after_", a));
	ASSERT_LE(1, ft_stat(&self->env, NULL, "recoveries"));
}

TEST_F(dev, stat_counts_and_reset)
{
	char key[32];
	pid_t pa;

	pa = spawn((struct job){ .name = "k_1000us", .n = 4 });
	ASSERT_EQ(0, ft_join(pa));
	snprintf(key, sizeof(key), "\"pid\":%d,", pa);
	ASSERT_EQ(4, ft_stat(&self->env, key, "launches"));
	ASSERT_EQ(4, ft_stat(&self->env, key, "kernels_completed"));
	ASSERT_EQ(4000000, ft_stat(&self->env, key, "busy_ns"));
	ASSERT_EQ(4, ft_stat(&self->env, NULL, "kernels_completed"));
	ASSERT_EQ(0, ft_stat_reset(&self->env));
	ASSERT_EQ(0, ft_stat(&self->env, NULL, "kernels_completed"));
	ASSERT_EQ(-1, ft_stat(&self->env, key, "launches"));
}

/* Many processes at once: every kernel runs exactly once, one at a time. */
TEST_F(dev, many_processes)
{
	pid_t pids[8];
	int i, n;

	for (i = 0; i < 8; i++)
		pids[i] = spawn((struct job){ .name = "m_200us", .n = 50 });
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, ft_join(pids[i]));
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(400, n);
	for (i = 1; i < n; i++)
		ASSERT_LE(k[i - 1].end, k[i].start);
	ASSERT_EQ(80000000LL, ft_stat(&self->env, NULL, "busy_ns"));
}

/* A segment by that name that is not this fakecuda's device stays untouched. */
TEST_F(dev, foreign_segment_left_alone)
{
	struct stat st;
	CUcontext ctx;
	int fd;

	fd = shm_open(self->env.dev, O_RDWR | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 4096));
	ASSERT_EQ(CUDA_ERROR_NO_DEVICE, ft_setup(&ctx, NULL));
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ(4096, st.st_size);
	close(fd);
}

/* Mode and slice come from whoever finds the device with no live client. */
TEST_F(dev, mode_follows_first_client)
{
	setenv("FAKECUDA_MODE", "timeslice", 1);
	setenv("FAKECUDA_TIMESLICE_US", "750", 1);
	ASSERT_EQ(0, ft_join(spawn((struct job){ .name = "k_10us", .n = 1 })));
	ASSERT_EQ(750, ft_stat(&self->env, NULL, "timeslice_us"));
	ASSERT_EQ(-1, ft_stat(&self->env, "\"mode\":\"fifo\"", "timeslice_us"));
	unsetenv("FAKECUDA_MODE");
	unsetenv("FAKECUDA_TIMESLICE_US");
	ASSERT_EQ(0, ft_join(spawn((struct job){ .name = "k_10us", .n = 1 })));
	ASSERT_EQ(2000, ft_stat(&self->env, "\"mode\":\"fifo\"", "timeslice_us"));
}

TEST_HARNESS_MAIN
