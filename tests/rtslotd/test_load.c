// SPDX-License-Identifier: GPL-2.0
/*
 * No client can stall rtslotd or starve the others: a thousand clients
 * whose requests all arrive at once are all answered (no completion is
 * lost to a full ring), a connection that never says HELLO is closed, one
 * user cannot take every connection or register without bound, and what
 * SCHED_DEADLINE gives only with CAP_SYS_NICE rtslotd does not give either.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rd_test.h"

#define NCLIENTS	1000

static int raw_connect(const struct rdt *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memcpy(sa.sun_path, d->sock, strlen(d->sock));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int send_msg(int fd, uint16_t type, uint32_t seq)
{
	union rsp_msg m;

	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, type, seq);
	if (type == RSP_HELLO)
		m.hello.version = RSP_VERSION;
	return send(fd, &m, m.hdr.size, MSG_NOSIGNAL) == m.hdr.size ? 0 : -errno;
}

/* The reply to seq, of type want, within RDT_SETTLE_NS. */
static int recv_reply(int fd, uint16_t want, uint32_t seq)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	union rsp_msg m;
	ssize_t n;

	if (poll(&p, 1, (int)(RDT_SETTLE_NS / 1000000)) != 1)
		return -ETIMEDOUT;
	n = recv(fd, &m, sizeof(m), 0);
	if (n <= 0)
		return n ? -errno : -ECONNRESET;
	return m.hdr.type == want && m.hdr.seq == seq ? 0 : -EPROTO;
}

/* This process and the daemon it starts need a descriptor per client. */
static int enough_files(unsigned long n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur >= n)
		return 1;
	if (rl.rlim_max < n)
		return 0;
	rl.rlim_cur = n;
	return !setrlimit(RLIMIT_NOFILE, &rl);
}

/* Each test starts its daemon; the teardown stops it however the test ended. */
FIXTURE(load) {
	struct rdt d;
	int up;
};

FIXTURE_SETUP(load)
{
	self->up = 0;
}

FIXTURE_TEARDOWN(load)
{
	if (!self->up)
		return;
	EXPECT_EQ(0, rdt_stop(&self->d));
	rdt_cleanup(&self->d);
}

static int start(struct rdt *d, int *up, const char *extra)
{
	int err = rdt_start(d, "edf", extra);

	*up = !err;
	return err;
}

TEST_F(load, a_thousand_clients_at_once_are_all_answered)
{
	static int fd[NCLIENTS];
	struct rdt *d = &self->d;
	struct rsp_stats s;
	int i, bad = 0;

	if (!enough_files(2 * NCLIENTS + 64))
		SKIP(return, "RLIMIT_NOFILE cannot reach %d", 2 * NCLIENTS + 64);
	ASSERT_EQ(0, start(d, &self->up, RDT_KEEP_LEASES ", \"max_clients\": 1100"));
	for (i = 0; i < NCLIENTS; i++) {
		fd[i] = raw_connect(d);
		ASSERT_LE(0, fd[i]) TH_LOG("client %d: %s", i, strerror(-fd[i]));
	}
	/* Every HELLO before any reply is read: completions pile up together. */
	for (i = 0; i < NCLIENTS; i++)
		ASSERT_EQ(0, send_msg(fd[i], RSP_HELLO, 1));
	for (i = 0; i < NCLIENTS; i++)
		bad += recv_reply(fd[i], RSP_WELCOME, 1) != 0;
	EXPECT_EQ(0, bad);
	/*
	 * Sized for them: a 6.x kernel keeps what overflows a small ring, but
	 * 5.10 and 5.15 refuse submissions until it is read (-EBUSY).  Logged
	 * when the loop starts, after the socket appears: by these replies.
	 */
	EXPECT_EQ(1, rdt_log_lines(d, "io_uring: 4096 completion entries for 1100 clients"));
	for (i = 0; i < NCLIENTS; i++)
		ASSERT_EQ(0, send_msg(fd[i], RSP_STATS, 2));
	for (i = 0, bad = 0; i < NCLIENTS; i++)
		bad += recv_reply(fd[i], RSP_STATS_REPLY, 2) != 0;
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, rdt_stats(d, &s));
	EXPECT_EQ(NCLIENTS + 1, s.clients);
	for (i = 0; i < NCLIENTS; i++)
		close(fd[i]);
}

/* 0 once the daemon hung up on fd (a read of 0), within RDT_SETTLE_NS. */
static int wait_hangup(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char b[8];

	if (poll(&p, 1, (int)(RDT_SETTLE_NS / 1000000)) != 1)
		return -ETIMEDOUT;
	return recv(fd, b, sizeof(b), 0) == 0 ? 0 : -EPROTO;
}

TEST_F(load, a_silent_connection_is_closed)
{
	struct rdt *d = &self->d;
	struct rsp_stats s;
	uint64_t t0, dt;
	int quiet, talker;

	ASSERT_EQ(0, start(d, &self->up, RDT_KEEP_LEASES ", \"hello_timeout_ms\": 200"));
	t0 = rdt_now();
	quiet = raw_connect(d);
	ASSERT_LE(0, quiet);
	talker = raw_connect(d);
	ASSERT_LE(0, talker);
	ASSERT_EQ(0, send_msg(talker, RSP_HELLO, 1));
	ASSERT_EQ(0, recv_reply(talker, RSP_WELCOME, 1));
	ASSERT_EQ(0, wait_hangup(quiet));
	dt = rdt_now() - t0;
	/* Not before its time: the deadline counts from the connection. */
	EXPECT_LE(200ULL * 1000 * 1000, dt);
	EXPECT_EQ(1, rdt_log_lines(d, "sent no HELLO in 200 ms: closed"));
	/* The one that said HELLO stays, whatever the time. */
	ASSERT_EQ(0, send_msg(talker, RSP_STATS, 2));
	EXPECT_EQ(0, recv_reply(talker, RSP_STATS_REPLY, 2));
	ASSERT_EQ(0, rdt_stats(d, &s));
	EXPECT_EQ(2, s.clients);
	close(quiet);
	close(talker);
}

/*
 * As uid 65534: connections past max_clients_per_uid are closed at once,
 * registrations past max_tasks_per_uid refused with a reason.  Returns a
 * bit per check that failed.
 */
static int as_nobody(const struct rdt *d)
{
	struct rtslotc *c[2];
	struct rtslotc_params p;
	struct rtslotc_task *t;
	char why[RSP_TEXT_LEN], name[8];
	int i, fd, bad = 0;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return 64;
	for (i = 0; i < 2; i++)
		if (rdt_connect(d, &c[i]))
			return 32;
	fd = raw_connect(d);
	if (fd < 0 || wait_hangup(fd))
		bad |= 1;
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "be%d", i);
		rdt_params(&p, name, 100000, 1000);
		p.criticality = RSP_CRIT_BEST_EFFORT;
		if (rtslotc_register(c[i & 1], &p, &t, NULL, NULL, 0))
			bad |= 2;
	}
	rdt_params(&p, "be3", 100000, 1000);
	p.criticality = RSP_CRIT_BEST_EFFORT;
	if (rtslotc_register(c[1], &p, &t, NULL, why, sizeof(why)) != -EMFILE ||
	    !strstr(why, "uid 65534 may register 3 tasks"))
		bad |= 4;
	return bad;
}

TEST_F(load, one_user_cannot_take_every_connection)
{
	struct rdt *d = &self->d;
	struct rtslotc *root;
	struct rsp_stats s;
	int st;
	pid_t pid;

	ASSERT_EQ(0, start(d, &self->up, RDT_KEEP_LEASES ", \"max_clients\": 8, "
			   "\"max_clients_per_uid\": 2, \"max_tasks_per_uid\": 3"));
	/* The test's folder is 0700: let the other user reach the socket. */
	ASSERT_EQ(0, chmod(d->dir, 0755));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(as_nobody(d));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("checks failed: %#x", WEXITSTATUS(st));
	EXPECT_EQ(1, rdt_log_lines(d, "uid 65534 has 2 connections already"));
	/* Root is held only to max_clients. */
	ASSERT_EQ(0, rdt_connect(d, &root));
	ASSERT_EQ(0, rtslotc_stats(root, &s));
	EXPECT_EQ(1, s.clients);
	rtslotc_close(root);
}

/* Register as uid 65534: the status rtslotd gives, and its reason. */
struct reg_case {
	const char *name;
	uint32_t criticality;
	int32_t priority;
	uint32_t status;		/* expected */
	const char *reason;		/* in the advice's reason, or NULL: empty */
};

static int register_as_nobody(const struct rdt *d, const struct reg_case *rc, int n)
{
	struct rtslotc_advice adv;
	struct rtslotc_params p;
	struct rtslotc_task *t;
	struct rtslotc *c;
	int i, bad = 0;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534) || rdt_connect(d, &c))
		return 128;
	for (i = 0; i < n; i++) {
		rdt_params(&p, rc[i].name, 100000, 10000);
		p.criticality = rc[i].criticality;
		p.priority = rc[i].priority;
		if (rtslotc_register(c, &p, &t, &adv, NULL, 0) || adv.status != rc[i].status ||
		    (rc[i].reason ? !strstr(adv.reason, rc[i].reason) : !!adv.reason[0]))
			bad |= 1 << i;
		else
			rtslotc_unregister(t);
	}
	rtslotc_close(c);
	return bad;
}

static int run_as_nobody(const struct rdt *d, const struct reg_case *rc, int n)
{
	pid_t pid = fork();
	int st;

	if (!pid)
		_exit(register_as_nobody(d, rc, n));
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST_F(load, reservations_and_high_priority_need_privilege)
{
	static const struct reg_case plain[] = {
		{ "cam", RSP_CRIT_LOW, 0, RSP_ST_BEST_EFFORT, "a reservation needs CAP_SYS_NICE" },
		{ "hi", RSP_CRIT_HIGH, 0, RSP_ST_BEST_EFFORT, "high criticality needs" },
		{ "be", RSP_CRIT_BEST_EFFORT, 0, RSP_ST_BEST_EFFORT, NULL },
	};
	static const struct reg_case ceiling[] = {
		{ "cam", RSP_CRIT_LOW, 5, RSP_ST_ADMITTED, NULL },
		{ "cam6", RSP_CRIT_LOW, 6, RSP_ST_BEST_EFFORT, "above priority_ceiling" },
		{ "hi", RSP_CRIT_HIGH, 0, RSP_ST_BEST_EFFORT, "high criticality needs" },
	};
	static const struct reg_case listed[] = {
		{ "hi", RSP_CRIT_HIGH, 99, RSP_ST_ADMITTED, NULL },
	};
	struct rdt *d = &self->d;
	struct rtslotc_advice adv;
	struct rtslotc_params p;
	struct rtslotc_task *t;
	struct rtslotc *c;

	ASSERT_EQ(0, start(d, &self->up, RDT_KEEP_LEASES));
	ASSERT_EQ(0, chmod(d->dir, 0755));
	EXPECT_EQ(0, run_as_nobody(d, plain, 3));
	/* Root has CAP_SYS_NICE. */
	ASSERT_EQ(0, rdt_connect(d, &c));
	rdt_params(&p, "root-cam", 100000, 10000);
	ASSERT_EQ(0, rtslotc_register(c, &p, &t, &adv, NULL, 0));
	EXPECT_EQ(RSP_ST_ADMITTED, adv.status);
	rtslotc_close(c);
	EXPECT_EQ(0, rdt_stop(d));
	rdt_cleanup(d);
	self->up = 0;

	ASSERT_EQ(0, start(d, &self->up, RDT_KEEP_LEASES ", \"unprivileged_reservations\": true, "
			   "\"priority_ceiling\": 5"));
	ASSERT_EQ(0, chmod(d->dir, 0755));
	EXPECT_EQ(0, run_as_nobody(d, ceiling, 3));
	EXPECT_EQ(0, rdt_stop(d));
	rdt_cleanup(d);
	self->up = 0;

	ASSERT_EQ(0, start(d, &self->up, RDT_KEEP_LEASES ", \"privileged_uids\": [ 65534 ]"));
	ASSERT_EQ(0, chmod(d->dir, 0755));
	EXPECT_EQ(0, run_as_nobody(d, listed, 1));
}

TEST_HARNESS_MAIN
