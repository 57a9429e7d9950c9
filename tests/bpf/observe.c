// SPDX-License-Identifier: GPL-2.0
/*
 * On the host, as root: observe-only mode counts exactly the CUDA calls a
 * program made against the fake libcuda (tests/fakecuda), through the
 * library and through rtslotctl lat/top; and the tools say what is missing
 * (root, tracefs, rtslot.ko, libcuda) when they cannot run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <rtslot/probes.h>

#include "kselftest_harness.h"

#define OUT	"/tmp/rtslot-bpf-observe.out"

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static char device[64];

/* Every fake device of this run is ours alone, and removed at the end. */
static void __attribute__((constructor)) own_device(void)
{
	snprintf(device, sizeof(device), "/rtslot-bpf-%d", getpid());
	setenv("FAKECUDA_DEVICE", device, 1);
}

static void __attribute__((destructor)) drop_device(void)
{
	shm_unlink(device);
}

/* cuda_app with --wait: it stops before its first counted call. */
static pid_t app_start(int *go, const char *counts[5])
{
	char *argv[] = { (char *)env("BT_CUDA_APP"), (char *)counts[0], (char *)counts[1],
			 (char *)counts[2], (char *)counts[3], (char *)counts[4], "--wait", NULL };
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(fds[0], 0);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[0]);
	*go = fds[1];
	return pid;
}

/* Its libcuda is mapped once it reads stdin; wait for that. */
static int app_ready(pid_t pid)
{
	char path[64], line[PATH_MAX + 128];
	int tries, found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	for (tries = 0; tries < 3000 && !found; tries++) {
		f = fopen(path, "r");
		while (f && !found && fgets(line, sizeof(line), f))
			found = strstr(line, "libcuda.so") != NULL;
		if (f)
			fclose(f);
		if (!found)
			usleep(10000);
	}
	return found ? 0 : -ETIMEDOUT;
}

static int app_go(pid_t pid, int go)
{
	int status;

	if (write(go, "g", 1) != 1)
		return -EIO;
	close(go);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

struct found {
	int pid;
	struct rtslot_cuda_stats st;
	bool seen;
	int others;
};

static int find_proc(void *ctx, int pid, const struct rtslot_cuda_stats *st)
{
	struct found *f = ctx;

	if (pid == f->pid) {
		f->st = *st;
		f->seen = true;
	} else {
		f->others++;
	}
	return 0;
}

struct hfind {
	int pid;
	uint64_t count[RTSLOT_HIST_NKINDS];
};

static int find_hist(void *ctx, const struct rtslot_hist_key *k, const struct rtslot_hist *h)
{
	struct hfind *f = ctx;

	if ((int)k->pid == f->pid && k->kind < RTSLOT_HIST_NKINDS)
		f->count[k->kind] = h->count;
	return 0;
}

/*
 * A copy of the program that any user can run: the checkout may sit where
 * an unprivileged user cannot reach it (a 0700 home or mktemp -d folder).
 * Returns dir (DIR_TEMPLATE made real), to be removed with the copy, or NULL.
 */
#define DIR_TEMPLATE	"/tmp/rtslot-bpf-uid.XXXXXX"
static char *reachable_copy(const char *prog, char dir[sizeof(DIR_TEMPLATE)], char *copy,
			    size_t len)
{
	int in, outfd = -1, ok = 0;
	struct stat st;
	ssize_t w;
	off_t n = 0;

	memcpy(dir, DIR_TEMPLATE, sizeof(DIR_TEMPLATE));
	if (!mkdtemp(dir))
		return NULL;
	snprintf(copy, len, "%s/%s", dir, strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog);
	in = open(prog, O_RDONLY | O_CLOEXEC);
	/* Modes set explicitly: the caller's umask may be 077. */
	if (in >= 0 && !fstat(in, &st) && !chmod(dir, 0755))
		outfd = open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	while (outfd >= 0 && n < st.st_size && (w = sendfile(outfd, in, NULL, st.st_size - n)) > 0)
		n += w;
	if (outfd >= 0)
		ok = n == st.st_size && !fchmod(outfd, 0755) && !close(outfd);
	if (in >= 0)
		close(in);
	if (!ok) {
		unlink(copy);
		rmdir(dir);
		return NULL;
	}
	return dir;
}

/*
 * Run argv with stdout and stderr in OUT, as uid (-1: ours); as another
 * uid from a copy of argv[0] that it can reach, wherever the checkout is.
 */
static int run(char *const argv[], int uid, bool no_tracefs, char **out)
{
	char copy[PATH_MAX], where[sizeof(DIR_TEMPLATE)], *dir = NULL;
	pid_t pid;
	int status, fd;
	FILE *f;
	long n;

	if (uid >= 0 && !(dir = reachable_copy(argv[0], where, copy, sizeof(copy))))
		return -1;
	fflush(NULL);
	pid = fork();
	if (!pid) {
		fd = open(OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		/* A mount namespace of its own, without tracefs in it. */
		if (no_tracefs) {
			if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
				_exit(125);
			umount2("/sys/kernel/debug/tracing", MNT_DETACH);
			umount2("/sys/kernel/debug", MNT_DETACH);
			umount2("/sys/kernel/tracing", MNT_DETACH);
		}
		if (uid >= 0 && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(126);
		execv(dir ? copy : argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	if (dir) {
		unlink(copy);
		rmdir(dir);
	}
	if (status == -1)
		return -1;
	*out = NULL;
	f = fopen(OUT, "r");
	if (f) {
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		*out = calloc(1, n + 1);
		if (*out && fread(*out, 1, n, f) != (size_t)n)
			**out = '\0';
		fclose(f);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

FIXTURE(observe) {
	struct rtslot_cuda *c;
	char err[512];
	char *out;
	char lib_opt[PATH_MAX + 16];
};

FIXTURE_SETUP(observe)
{
	if (geteuid())
		SKIP(return, "needs root");
	if (!env("BT_FAKECUDA") || access(env("BT_FAKECUDA"), R_OK))
		SKIP(return, "no fake libcuda (tests/fakecuda needs /usr/local/cuda/include/cuda.h)");
	snprintf(self->lib_opt, sizeof(self->lib_opt), "--cuda=%s", env("BT_FAKECUDA"));
}

FIXTURE_TEARDOWN(observe)
{
	rtslot_cuda_close(self->c);
	free(self->out);
}

/* Every entry point, through the library, exactly. */
TEST_F(observe, library_counts_exact)
{
	const char *counts[5] = { "10", "3", "2", "4", "1" };
	struct rtslot_cuda_opts o = { .lib = env("BT_FAKECUDA") };
	struct found f = { 0 };
	struct hfind h = { 0 };
	int go, n;
	pid_t pid;

	if (rtslot_cuda_open(&self->c, &o, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	ASSERT_NE(NULL, self->c);
	rtslot_cuda_lib(self->c, &n);
	EXPECT_LE(5, n);
	pid = app_start(&go, counts);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, app_ready(pid));
	ASSERT_EQ(0, app_go(pid, go));
	f.pid = h.pid = pid;
	ASSERT_LE(0, rtslot_cuda_procs(self->c, find_proc, &f));
	ASSERT_TRUE(f.seen);
	/* The graph's capture adds one cuLaunchKernel. */
	EXPECT_EQ(11, f.st.calls[RTSLOT_CU_LAUNCH_KERNEL]);
	EXPECT_EQ(3, f.st.calls[RTSLOT_CU_LAUNCH_KERNEL_EX]);
	EXPECT_EQ(2, f.st.calls[RTSLOT_CU_GRAPH_LAUNCH]);
	EXPECT_EQ(4, f.st.calls[RTSLOT_CU_STREAM_SYNC]);
	EXPECT_EQ(1, f.st.calls[RTSLOT_CU_CTX_SYNC]);
	EXPECT_STREQ("cuda_app", f.st.comm);
	ASSERT_LE(0, rtslot_cuda_hists(self->c, find_hist, &h));
	EXPECT_EQ(5, h.count[RTSLOT_HIST_SYNCWAIT]);
	EXPECT_EQ(4, h.count[RTSLOT_HIST_SYNC]);
}

/* -p: the library comes from the process's maps; others are not counted. */
TEST_F(observe, pid_finds_its_libcuda)
{
	const char *a[5] = { "6", "0", "0", "1", "0" }, *b[5] = { "9", "0", "0", "1", "0" };
	struct found f = { 0 };
	char want[PATH_MAX], got[PATH_MAX];
	struct rtslot_cuda_opts o = { 0 };
	int go1, go2;
	pid_t p1, p2;

	p1 = app_start(&go1, a);
	p2 = app_start(&go2, b);
	ASSERT_LT(0, p1);
	ASSERT_LT(0, p2);
	ASSERT_EQ(0, app_ready(p1));
	ASSERT_EQ(0, app_ready(p2));
	o.pid = p1;
	if (rtslot_cuda_open(&self->c, &o, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	ASSERT_NE(NULL, self->c);
	ASSERT_NE(NULL, realpath(env("BT_FAKECUDA"), want));
	ASSERT_NE(NULL, realpath(rtslot_cuda_lib(self->c, NULL), got));
	EXPECT_STREQ(want, got);
	ASSERT_EQ(0, app_go(p1, go1));
	ASSERT_EQ(0, app_go(p2, go2));
	f.pid = p1;
	ASSERT_LE(0, rtslot_cuda_procs(self->c, find_proc, &f));
	ASSERT_TRUE(f.seen);
	EXPECT_EQ(6, f.st.calls[RTSLOT_CU_LAUNCH_KERNEL]);
	EXPECT_EQ(0, f.others);
}

TEST_F(observe, lat_reports_calls)
{
	char *argv[] = { (char *)env("RTSLOTCTL"), "lat", self->lib_opt, "--",
			 (char *)env("BT_CUDA_APP"), "7", "2", "1", "3", "2", NULL };

	ASSERT_EQ(0, run(argv, -1, false, &self->out));
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "(cuda_app), CUDA calls: cuLaunchKernel 8, "
			       "cuLaunchKernelEx 2, cuGraphLaunch 1, cuStreamSynchronize 3, "
			       "cuCtxSynchronize 2\n"));
	EXPECT_NE(NULL, strstr(self->out, "count 4, mean"));
}

TEST_F(observe, top_row_and_prometheus)
{
	char *argv[] = { (char *)env("RTSLOTCTL"), "top", self->lib_opt, "--count", "1",
			 "-i", "600", "--prom", "/tmp/rtslot-bpf-observe.prom", "--",
			 (char *)env("BT_CUDA_APP"), "5", "0", "0", "2", "0", NULL };
	char *cat[] = { "/bin/cat", "/tmp/rtslot-bpf-observe.prom", NULL };
	char comm[32], *prom = NULL, want[160];
	long long launches;
	const char *row;
	int pid;

	ASSERT_EQ(0, run(argv, -1, false, &self->out));
	TH_LOG("%s", self->out);
	row = strstr(self->out, "\n  -     - ");
	ASSERT_NE(NULL, row);
	ASSERT_EQ(3, sscanf(row, " - - %d %31s - %lld", &pid, comm, &launches));
	EXPECT_STREQ("cuda_app", comm);
	EXPECT_EQ(5, launches);
	ASSERT_EQ(0, run(cat, -1, false, &prom));
	snprintf(want, sizeof(want), "rtslot_process_cuda_calls_total{pid=\"%d\",comm=\"cuda_app\","
		 "fn=\"cuLaunchKernel\"} 5\n", pid);
	EXPECT_NE(NULL, strstr(prom, want));
	free(prom);
}

TEST_F(observe, says_no_libcuda)
{
	char *argv[] = { (char *)env("RTSLOTCTL"), "lat", "--cuda=/nonexistent/libcuda.so.1",
			 "1", "1", NULL };

	EXPECT_EQ(1, run(argv, -1, false, &self->out));
	EXPECT_NE(NULL, strstr(self->out, "cannot read /nonexistent/libcuda.so.1"));
}

/* What the tools say, without the fake. */
FIXTURE(missing) {
	char *out;
};

FIXTURE_SETUP(missing)
{
	if (geteuid())
		SKIP(return, "needs root");
}

FIXTURE_TEARDOWN(missing)
{
	free(self->out);
}

TEST_F(missing, not_root)
{
	char *argv[] = { (char *)env("RTSLOTCTL"), "top", "--once", NULL };

	EXPECT_EQ(1, run(argv, 65534, false, &self->out));
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "needs root (or CAP_BPF and CAP_PERFMON)"));
}

TEST_F(missing, no_tracefs)
{
	char *argv[] = { (char *)env("RTSLOTCTL"), "trace", "-o", "/tmp/rtslot-bpf-none.json",
			 NULL };

	EXPECT_EQ(1, run(argv, -1, true, &self->out));
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "tracefs is not mounted"));
}

TEST_F(missing, no_module)
{
	char *argv[] = { (char *)env("RTSLOTCTL"), "lat", "1", "1", NULL };

	if (!access("/sys/module/rtslot", F_OK))
		SKIP(return, "rtslot.ko is loaded on this machine");
	EXPECT_EQ(1, run(argv, -1, false, &self->out));
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "rtslot.ko is not loaded"));
}

TEST_HARNESS_MAIN
