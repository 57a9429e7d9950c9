// SPDX-License-Identifier: GPL-2.0
/*
 * rtslotd end to end with the user backend: hello, register, jobs and
 * leases, unregister, clients that vanish, the read-only lease page, the
 * command line and the configuration file.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot/dev.h"
#include "rd_test.h"

FIXTURE(rd) {
	struct rdt d;
};

FIXTURE_SETUP(rd)
{
	ASSERT_EQ(0, rdt_start(&self->d, "edf", RDT_KEEP_LEASES));
}

FIXTURE_TEARDOWN(rd)
{
	/* Exit status 0: a clean shutdown, and nothing for the sanitizers. */
	EXPECT_EQ(0, rdt_stop(&self->d));
	rdt_cleanup(&self->d);
}

TEST_F(rd, hello_and_stats)
{
	struct rsp_stats s;
	struct rtslotc *c;

	ASSERT_EQ(0, rdt_connect(&self->d, &c));
	EXPECT_EQ(RSP_BACKEND_USER, rtslotc_backend(c));
	EXPECT_EQ(RSP_POLICY_EDF, rtslotc_policy(c));
	ASSERT_EQ(0, rtslotc_stats(c, &s));
	EXPECT_EQ(1, s.clients);
	EXPECT_EQ(0, s.tasks);
	EXPECT_EQ(0, s.errors);
	rtslotc_close(c);
}

TEST_F(rd, register_jobs_unregister)
{
	const int jobs = 20;
	struct rtslotc_params p;
	struct rtslotc_advice adv;
	struct rtslotc_task *t;
	struct rtslot_lease_snap snap;
	struct rsp_stats s;
	struct rtslotc *c;
	uint64_t held, gen = 0;
	int i;

	ASSERT_EQ(0, rdt_connect(&self->d, &c));
	rdt_params(&p, "camera", 10000, 1000);
	p.kernels = 2;
	ASSERT_EQ(0, rtslotc_register(c, &p, &t, &adv, NULL, 0));
	EXPECT_EQ(RSP_ST_ADMITTED, adv.status);
	EXPECT_EQ(1000, adv.wcet_us);
	ASSERT_NE(NULL, rtslotc_page(t));
	rtslot_lease_read(rtslotc_page(t), &snap);
	EXPECT_EQ(RTSLOT_LEASE_NONE, snap.state);
	EXPECT_EQ(RTSLOT_ABI_VERSION, rtslotc_page(t)->abi_version);
	EXPECT_NE(0, rtslotc_page(t)->task_id);

	for (i = 0; i < jobs; i++) {
		ASSERT_EQ(0, rtslotc_job_begin(t, 0, NULL));
		ASSERT_EQ(0, rtslotc_lease_request(t, 400000, RDT_SETTLE_NS));
		rtslot_lease_read(rtslotc_page(t), &snap);
		ASSERT_EQ(RTSLOT_LEASE_HELD, snap.state);
		ASSERT_GT(snap.generation, gen);
		gen = snap.generation;
		ASSERT_EQ(0, rtslotc_lease_renew(t, 400000, RDT_SETTLE_NS));
		ASSERT_EQ(0, rtslotc_lease_release(t, 300000, &held));
		rtslot_lease_read(rtslotc_page(t), &snap);
		ASSERT_EQ(RTSLOT_LEASE_NONE, snap.state);
		ASSERT_EQ(0, rtslotc_job_end(t, 0, 700000, &adv));
	}
	ASSERT_EQ(0, rtslotc_stats(c, &s));
	EXPECT_EQ(1, s.tasks);
	EXPECT_EQ(1, s.admitted);
	EXPECT_EQ(jobs, s.jobs);
	EXPECT_EQ(2 * jobs, s.grants);
	EXPECT_EQ(2 * jobs, s.releases);
	EXPECT_EQ(0, s.holders);
	EXPECT_EQ(0, s.waiters);
	EXPECT_EQ(0, s.errors);

	ASSERT_EQ(0, rtslotc_unregister(t));
	ASSERT_EQ(0, rtslotc_stats(c, &s));
	EXPECT_EQ(0, s.tasks);
	EXPECT_EQ(1, s.registrations);
	EXPECT_EQ(1, s.unregistrations);
	EXPECT_EQ(0, s.cleanups);
	rtslotc_close(c);
}

/* The memfd rtslotd passes is sealed: nobody but rtslotd can write it. */
TEST_F(rd, lease_page_is_read_only)
{
	union rsp_msg m, r;
	void *ro, *rw;
	int fd, pfd;

	fd = rdt_raw_connect(&self->d);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rdt_raw_hello(fd));
	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_REGISTER, 2);
	strcpy(m.reg.name, "ro");
	m.reg.period_us = 10000;
	m.reg.wcet_us = 100;
	ASSERT_EQ(RSP_ACCEPTED, rdt_raw_call(fd, &m, m.hdr.size, -1, &r, &pfd));
	EXPECT_EQ(2, r.hdr.seq);
	ASSERT_LE(0, pfd);

	rw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, pfd, 0);
	EXPECT_EQ(MAP_FAILED, rw);
	EXPECT_EQ(-1, write(pfd, "x", 1));
	EXPECT_EQ(-1, ftruncate(pfd, 8192));
	ro = mmap(NULL, 4096, PROT_READ, MAP_SHARED, pfd, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(r.accepted.dev_task_id, ((struct rtslot_lease_page *)ro)->task_id);
	EXPECT_EQ(-1, mprotect(ro, 4096, PROT_READ | PROT_WRITE));
	munmap(ro, 4096);
	close(pfd);
	close(fd);
}

/* Clients that go away without a word leave nothing behind. */
TEST_F(rd, vanished_clients_are_cleaned_up)
{
	enum { N = 10 };
	struct rtslotc *c[N], *watch;
	struct rtslotc_task *t[N][2];
	struct rtslotc_params p;
	union rsp_msg m, r;
	struct rsp_stats s;
	int i, k, base;
	char name[32];

	ASSERT_EQ(0, rdt_connect(&self->d, &watch));
	base = rdt_fd_count(self->d.pid);
	ASSERT_LT(0, base);
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, rdt_connect(&self->d, &c[i]));
		for (k = 0; k < 2; k++) {
			snprintf(name, sizeof(name), "t%d.%d", i, k);
			rdt_params(&p, name, 100000, 100);
			ASSERT_EQ(0, rtslotc_register(c[i], &p, &t[i][k], NULL, NULL, 0));
		}
	}
	/* One holds a lease, one waits behind it. */
	ASSERT_EQ(0, rtslotc_lease_request(t[0][0], 50000, RDT_SETTLE_NS));
	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_LEASE_REQUEST, rtslotc_next_seq(c[1]));
	m.lreq.task_id = rtslotc_task_id(t[1][0]);
	m.lreq.est_ns = 50000;
	ASSERT_EQ(RSP_LEASE, rtslotc_call_raw(c[1], &m, m.hdr.size, -1, &r, NULL));
	EXPECT_EQ(RTSLOT_LEASE_WAITING, r.lease.state);
	ASSERT_EQ(0, rtslotc_stats(watch, &s));
	EXPECT_EQ(N + 1, s.clients);
	EXPECT_EQ(2 * N, s.tasks);
	EXPECT_EQ(1, s.holders);
	EXPECT_EQ(1, s.waiters);
	EXPECT_LT(base, rdt_fd_count(self->d.pid));

	for (i = 0; i < N; i++) {
		for (k = 0; k < 2; k++)
			munmap((void *)rtslotc_page(t[i][k]), 4096);
		rtslotc_close(c[i]);
	}
	/* The daemon sees each hang-up; wait until it has seen all. */
	for (i = 0; i < 2000; i++) {
		ASSERT_EQ(0, rtslotc_stats(watch, &s));
		if (s.clients == 1)
			break;
		rdt_sleep_us(1000);
	}
	EXPECT_EQ(1, s.clients);
	EXPECT_EQ(0, s.tasks);
	EXPECT_EQ(2 * N, s.cleanups);
	EXPECT_EQ(0, s.holders);
	EXPECT_EQ(0, s.waiters);
	EXPECT_EQ(base, rdt_fd_count(self->d.pid));
	rtslotc_close(watch);
	for (i = 0; i < N; i++)
		for (k = 0; k < 2; k++)
			free(t[i][k]);
}

/*
 * Out of file descriptors, accept fails at once: rtslotd must wait before
 * it tries again (a SCHED_FIFO daemon spinning on it would own a CPU), and
 * serve again once descriptors are free.
 */
FIXTURE(nofile) {
	struct rdt d;
};

/* rtslotd with 16 open files at most: a handful of clients use them up. */
FIXTURE_SETUP(nofile)
{
	ASSERT_EQ(0, rdt_start_nofile(&self->d, "edf", NULL, 16));
}

FIXTURE_TEARDOWN(nofile)
{
	EXPECT_EQ(0, rdt_stop(&self->d));
	rdt_cleanup(&self->d);
}

TEST_F(nofile, accept_backs_off_without_descriptors)
{
	enum { N = 24 };
	struct rsp_stats s;
	int fd[N], i, lines;

	for (i = 0; i < N; i++) {
		fd[i] = rdt_raw_connect(&self->d);
		ASSERT_LE(0, fd[i]);
	}
	rdt_sleep_us(300000);
	lines = rdt_log_lines(&self->d, "accept");
	EXPECT_LT(0, lines);
	EXPECT_GE(3, lines) TH_LOG("%d lines about accept in 300 ms", lines);
	for (i = 0; i < N; i++)
		close(fd[i]);
	/* Descriptors come back as the hang-ups are seen: rtslotd serves again. */
	ASSERT_EQ(0, rdt_stats(&self->d, &s));
}

TEST_F(rd, sighup_logs_and_keeps_serving)
{
	struct rsp_stats s;

	ASSERT_EQ(0, kill(self->d.pid, SIGHUP));
	ASSERT_EQ(0, rdt_stats(&self->d, &s));
	EXPECT_EQ(1, s.clients);
}

TEST_F(rd, second_daemon_on_the_socket_is_refused)
{
	char cmd[512];
	struct rsp_stats s;

	snprintf(cmd, sizeof(cmd), "%s -c %s -q 2>/dev/null", rdt_bin(), self->d.cfg);
	EXPECT_NE(0, system(cmd));
	ASSERT_EQ(0, rdt_stats(&self->d, &s));
}

/* Run rtslotd with args; its exit status, stdout+stderr in out. */
static int run(const char *args, char *out, size_t len)
{
	char cmd[1024];
	FILE *f;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", getenv("RTSLOTD_PLAIN_BIN") ?: rdt_bin(),
		 args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Every flag --help names is accepted, and every flag it accepts is named. */
TEST(help_is_truthful)
{
	static const struct { const char *flag, *arg; } flags[] = {
		{ "--config", "/dev/null" }, { "--socket", "/tmp/x.sock" },
		{ "--backend", "user" }, { "--policy", "slot" }, { "--telemetry", "off" },
		{ "--verbose", NULL },
		{ "--quiet", NULL }, { "--check-config", NULL }, { "--help", NULL },
		{ "--version", NULL },
	};
	char help[8192], out[8192], args[256], *p;
	size_t i, n = sizeof(flags) / sizeof(flags[0]), named = 0;

	ASSERT_EQ(0, run("--help", help, sizeof(help)));
	for (p = strstr(help, "--"); p; p = strstr(p + 2, "--")) {
		size_t len = strcspn(p, " ,\n");

		for (i = 0; i < n; i++)
			if (strlen(flags[i].flag) == len && !strncmp(p, flags[i].flag, len))
				break;
		EXPECT_LT(i, n) TH_LOG("--help names %.*s, not known here", (int)len, p);
		named++;
	}
	EXPECT_LE(n, named);
	for (i = 0; i < n; i++) {
		EXPECT_NE(NULL, strstr(help, flags[i].flag)) TH_LOG("%s missing", flags[i].flag);
		/* /dev/null is no JSON: only --config is expected to fail there. */
		snprintf(args, sizeof(args), "%s %s --check-config", flags[i].flag,
			 flags[i].arg ?: "");
		if (!strcmp(flags[i].flag, "--config")) {
			EXPECT_EQ(1, run(args, out, sizeof(out)));
		} else {
			EXPECT_EQ(0, run(args, out, sizeof(out))) TH_LOG("%s: %s", args, out);
		}
	}
	EXPECT_EQ(2, run("--no-such-flag", out, sizeof(out)));
	EXPECT_EQ(2, run("--policy nonsense", out, sizeof(out)));
	EXPECT_EQ(2, run("--telemetry sometimes", out, sizeof(out)));
}

TEST(config_errors_name_the_field)
{
	static const struct { const char *extra, *field; } bad[] = {
		{ ", \"acclerators\": []", "acclerators: unknown field" },
		{ ", \"accelerators\": [ { \"name\": \"g\", \"frame_us\": 5 } ]",
		  "accelerators[0].frame_us" },
		{ ", \"accelerators\": [ { \"name\": \"g\", \"preempt\": \"never\" } ]",
		  "accelerators[0].preempt" },
		{ ", \"learning\": { \"quantile\": 2 }", "learning.quantile" },
		{ ", \"socket_mode\": \"0999\"", "socket_mode" },
		{ ", \"rt_priority\": 200", "rt_priority" },
		{ ", \"accelerators\": [ { \"name\": \"g\", \"timeslice_us\": 50 } ]",
		  "accelerators[0].timeslice_us" },
		{ ", \"accelerators\": [ { \"name\": \"g\" }, { \"name\": \"h\", \"device\": 0 } ]",
		  "accelerators[1].device" },
		{ ", \"telemetry\": \"sometimes\"", "telemetry: \"sometimes\" is not one" },
		{ ", \"telemetry\": true", "telemetry: must be a string" },
	};
	char out[4096], args[256];
	struct rdt d;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(0, rdt_write_config(&d, "edf", bad[i].extra));
		snprintf(args, sizeof(args), "-c %s --check-config", d.cfg);
		EXPECT_EQ(1, run(args, out, sizeof(out)));
		EXPECT_NE(NULL, strstr(out, bad[i].field)) TH_LOG("%s: %s", bad[i].field, out);
		rdt_cleanup(&d);
	}
	/* And a good one reads back as written. */
	ASSERT_EQ(0, rdt_write_config(&d, "fp", ", \"telemetry\": \"off\", \"accelerators\": "
				      "[ { \"name\": \"dla0\", \"switch_us\": 25, "
				      "\"frame_us\": 20000 } ]"));
	snprintf(args, sizeof(args), "-c %s --check-config", d.cfg);
	EXPECT_EQ(0, run(args, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "\"policy\":\"fp\""));
	EXPECT_NE(NULL, strstr(out, "\"telemetry\":\"off\"")) TH_LOG("%s", out);
	/* The flag overrides the file. */
	snprintf(args, sizeof(args), "-c %s --telemetry bpf --check-config", d.cfg);
	EXPECT_EQ(0, run(args, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "\"telemetry\":\"bpf\"")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"name\":\"dla0\""));
	EXPECT_NE(NULL, strstr(out, "\"switch_us\":25"));
	EXPECT_NE(NULL, strstr(out, "\"timeslice_us\":2000")) TH_LOG("%s", out);
	rdt_cleanup(&d);
	/* Numbers are printed as they are in force, not rounded to 6 digits. */
	ASSERT_EQ(0, rdt_write_config(&d, "rr", ", \"learning\": { \"quantile\": 0.9999999, "
				      "\"margin\": 0.125 }, \"accelerators\": [ { \"name\": "
				      "\"gpu0\", \"timeslice_us\": 5000 } ]"));
	snprintf(args, sizeof(args), "-c %s --check-config", d.cfg);
	EXPECT_EQ(0, run(args, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "\"quantile\":0.9999999")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"margin\":0.125")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"timeslice_us\":5000")) TH_LOG("%s", out);
	rdt_cleanup(&d);
}

/*
 * The user backend has no tracepoints: "auto" goes on without the probes
 * and says why, "bpf" refuses to start and says why.
 */
TEST(telemetry_needs_the_kmod_backend)
{
	char out[4096], args[256], log[4096] = "";
	struct rdt d;
	FILE *f;
	size_t n;

	ASSERT_EQ(0, rdt_start(&d, "edf", RDT_KEEP_LEASES));
	EXPECT_EQ(0, rdt_stop(&d));
	f = fopen(d.log, "r");
	ASSERT_NE(NULL, f);
	n = fread(log, 1, sizeof(log) - 1, f);
	log[n] = '\0';
	fclose(f);
	EXPECT_NE(NULL, strstr(log, "telemetry is off: the user backend has no tracepoints"))
		TH_LOG("%s", log);
	EXPECT_NE(NULL, strstr(log, "telemetry off)")) TH_LOG("%s", log);
	rdt_cleanup(&d);

	ASSERT_EQ(0, rdt_write_config(&d, "edf", ", \"telemetry\": \"bpf\""));
	snprintf(args, sizeof(args), "-c %s", d.cfg);
	EXPECT_EQ(1, run(args, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "telemetry \"bpf\": the user backend has no tracepoints"))
		TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "listening")) TH_LOG("%s", out);
	EXPECT_NE(0, access(d.sock, F_OK));
	rdt_cleanup(&d);
}

/* The example configuration is valid, and what --check-config prints reads back the same. */
TEST(example_config_round_trips)
{
	static char first[8192], second[8192];
	char args[256], path[] = "/tmp/rtslotd-cfg.XXXXXX";
	int fd;

	ASSERT_EQ(0, run("-c user/rtslotd/rtslotd.json --check-config", first, sizeof(first)));
	EXPECT_NE(NULL, strstr(first, "\"policy\":\"slot\""));
	EXPECT_NE(NULL, strstr(first, "\"switch_us\":25"));
	EXPECT_NE(NULL, strstr(first, "\"telemetry\":\"auto\""));
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(first), write(fd, first, strlen(first)));
	close(fd);
	snprintf(args, sizeof(args), "-c %s --check-config", path);
	EXPECT_EQ(0, run(args, second, sizeof(second)));
	EXPECT_STREQ(first, second);
	unlink(path);
}

TEST_HARNESS_MAIN
