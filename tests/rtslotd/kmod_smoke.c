// SPDX-License-Identifier: GPL-2.0
/*
 * rtslotd's kmod backend inside the QEMU guest, over the loaded rtslot.ko:
 * registrations pass the client's /dev/rtslot0 file, rtslotd sets the
 * reservation and the slot table, the advice carries the module's own
 * table epoch, leases go through the ioctls, the BPF telemetry comes on by
 * itself, and the daemon stops cleanly.  Then kmod_telemetry.c: misses
 * and learning from the probes, and without them.
 *
 * usage: kmod_smoke [RTSLOTD]   (default /bin/rtslotd)
 *
 * It starts the daemons itself, so that their exit status is one of its
 * results, and prints TAP with its plan first: tests/vm/guest-ksft.sh
 * runs it as "rtslotd_kmod" among the kselftests and tests/vm/ksft-tap.sh
 * counts a run that stops early as a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rtslot/client.h"
#include "rtslot/dev.h"
#include "kmod_smoke.h"

#define PLAN	(23 + KS_TELEMETRY_PLAN)
#define SOCK	KS_SOCK
#define SEC_NS	KS_SEC_NS

static int n, failed;

int ok(int cond, const char *what)
{
	printf("%sok %d %s\n", cond ? "" : "not ", ++n, what);
	fflush(stdout);
	failed |= !cond;
	return cond;
}

long long ks_task_col(uint32_t id, int col)
{
	char buf[16384], *line, *save = NULL, *tok, *tsave;
	long long v;
	int i;

	if (rtslot_sysfs_read(0, "tasks", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strtoul(line, NULL, 10) != id)
			continue;
		tok = strtok_r(line, " ", &tsave);
		for (i = 0; tok && i < col; i++)
			tok = strtok_r(NULL, " ", &tsave);
		if (!tok || sscanf(tok, "%lld", &v) != 1)
			return -1;
		return v;
	}
	return -1;
}

/* The runtime_ns column of task id in the device's tasks attribute, or -1. */
static long long runtime_of(uint32_t id)
{
	return ks_task_col(id, KS_COL_RUNTIME);
}

static uint64_t sysfs_u64(const char *attr)
{
	char buf[64];

	if (rtslot_sysfs_read(0, attr, buf, sizeof(buf)) < 0)
		return 0;
	return strtoull(buf, NULL, 10);
}

void ks_params(struct rtslotc_params *p, const char *name, uint64_t t, uint64_t c)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->period_us = t;
	p->wcet_us = c;
	p->kernels = 1;
}

/* A daemon's own mount namespace, tracefs gone from it (debugfs's too). */
static int hide_tracefs(void)
{
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	umount2("/sys/kernel/debug/tracing", MNT_DETACH);
	umount2("/sys/kernel/debug", MNT_DETACH);
	umount2("/sys/kernel/tracing", MNT_DETACH);
	return 0;
}

pid_t ks_start(const struct ks_daemon *o)
{
	const char *argv[16];
	siginfo_t si = { 0 };
	struct stat st;
	FILE *f = fopen(KS_CONFIG, "w");
	pid_t pid;
	int i = 0, fd;

	if (!f || fputs(o->config, f) < 0 || fclose(f))
		return -1;
	unlink(SOCK);
	argv[i++] = o->bin;
	argv[i++] = "-c";
	argv[i++] = KS_CONFIG;
	argv[i++] = "--backend";
	argv[i++] = "kmod";
	argv[i++] = "--policy";
	argv[i++] = o->policy;
	argv[i++] = "--socket";
	argv[i++] = SOCK;
	argv[i++] = "-v";
	if (o->telemetry) {
		argv[i++] = "--telemetry";
		argv[i++] = o->telemetry;
	}
	argv[i] = NULL;
	pid = fork();
	if (pid == 0) {
		fd = open(KS_LOG, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 2) < 0 || (o->no_tracefs && hide_tracefs()))
			_exit(127);
		execv(o->bin, (char *const *)argv);
		_exit(127);
	}
	/*
	 * Up once its socket is there; one that refused to start has exited
	 * (left to reap).  It loads its BPF probes first, slow under TCG: the
	 * 30 s only catch a hang.
	 */
	for (i = 0; pid > 0 && i < 300 && stat(SOCK, &st); i++) {
		if (!waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) && si.si_pid == pid)
			break;
		usleep(100000);
	}
	return pid;
}

int ks_wait_exit(pid_t pid)
{
	int i, status;

	for (i = 0; i < 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* SIGTERM must stop it with status 0: clients' tasks freed, socket removed. */
int ks_stop(pid_t pid)
{
	int status;

	if (kill(pid, SIGTERM) || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int ks_log_has(const char *s)
{
	char buf[65536];
	FILE *f = fopen(KS_LOG, "r");
	size_t len;

	if (!f)
		return 0;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	fclose(f);
	return strstr(buf, s) != NULL;
}

void ks_dump_log(void)
{
	char line[512];
	FILE *f = fopen(KS_LOG, "r");

	while (f && fgets(line, sizeof(line), f))
		printf("# %s", line);
	if (f)
		fclose(f);
}

/* Everything that needs the daemon; returns early when the rest cannot run. */
static void smoke(void)
{
	struct rtslotc_task *a = NULL, *b = NULL, *c = NULL;
	struct rtslotc_params p;
	struct rtslotc_advice adv;
	struct rtslotc *conn;
	struct rtslot_dev dev;
	union rsp_msg m, r;
	char why[RSP_TEXT_LEN], buf[4096];
	uint64_t until, epoch1, epoch2, next;
	int err, fd;

	err = rtslotc_connect(SOCK, "kmod-smoke", &conn);
	if (!ok(!err, "connect"))
		return;
	ok(rtslotc_backend(conn) == RSP_BACKEND_KMOD, "backend_is_kmod");
	/* A job that outgrows its learned budget must not wait a period for it. */
	ok(sysfs_u64("reclaim") == 1, "reclaim_turned_on_by_rtslotd");

	ks_params(&p, "a", 10000, 2000);
	err = rtslotc_register(conn, &p, &a, &adv, why, sizeof(why));
	if (!ok(!err && adv.status == RSP_ST_ADMITTED, "register_a")) {
		printf("# %d %s\n", err, why);
		return;
	}
	ok(runtime_of(rtslotc_page(a)->task_id) == 2000000, "reservation_set_by_rtslotd");
	/* The frame is a's period already: the table took over at once. */
	epoch1 = sysfs_u64("table_epoch_ns");
	if (!ok(epoch1 && adv.epoch_ns == epoch1, "accepted_epoch_is_the_modules"))
		printf("# ACCEPTED epoch %llu, table_epoch_ns %llu\n",
		       (unsigned long long)adv.epoch_ns, (unsigned long long)epoch1);

	ks_params(&p, "b", 20000, 5000);
	err = rtslotc_register(conn, &p, &b, &adv, why, sizeof(why));
	if (!ok(!err, "register_b"))
		return;
	/*
	 * The hyperperiod's table, once the first table's frame is over: the
	 * frame changes first and the table follows, so wait for both.
	 */
	until = rtslot_now_ns() + 5 * SEC_NS;
	do {
		rtslot_sysfs_read(0, "frame_us", buf, sizeof(buf));
		if (!strcmp(buf, "20000") && rtslot_sysfs_read(0, "slots", buf, sizeof(buf)) > 0)
			break;
		usleep(1000);
	} while (rtslot_now_ns() < until);
	ok(sysfs_u64("frame_us") == 20000, "frame_is_the_hyperperiod");
	ok(rtslot_sysfs_read(0, "slots", buf, sizeof(buf)) > 0, "table_installed");

	/* A new frame means a new table, and its epoch is in the advice. */
	err = rtslotc_job_begin(a, 0, &adv);
	epoch2 = sysfs_u64("table_epoch_ns");
	if (!ok(!err && epoch2 && epoch2 != epoch1 && adv.epoch_ns == epoch2 &&
		adv.frame_ns == 20000000, "advice_epoch_is_the_new_tables"))
		printf("# ADVICE epoch %llu frame %llu, table_epoch_ns %llu (first %llu)\n",
		       (unsigned long long)adv.epoch_ns, (unsigned long long)adv.frame_ns,
		       (unsigned long long)epoch2, (unsigned long long)epoch1);
	next = rtslotc_next_release(a, &adv, rtslot_now_ns());
	ok(next >= epoch2 && (next - epoch2) % 10000000 == 0, "release_in_phase");
	ok(!rtslotc_job_end(a, 0, 0, NULL), "job_end");

	ok(!rtslotc_lease_request(a, 1000000, 5 * SEC_NS), "lease_in_own_slot");
	err = rtslotc_lease_release(a, 0, NULL);
	if (!ok(!err, "release"))
		printf("# release: %s\n", strerror(-err));
	ok(rtslotc_lease_release(a, 0, NULL) == -ENOLCK, "release_twice_enolck");

	ks_params(&p, "c", 10000, 7000);
	err = rtslotc_register(conn, &p, &c, &adv, why, sizeof(why));
	ok(err == -ENOSPC && strstr(why, "c: "), "overload_rejected");

	/* A task id that is not this process's is refused. */
	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_REGISTER, rtslotc_next_seq(conn));
	strcpy(m.reg.name, "forged");
	m.reg.period_us = 100000;
	m.reg.wcet_us = 10;
	m.reg.dev_task_id = 99999;
	err = rtslot_open(&dev, 0);
	err = err ?: rtslot_task_create(&dev, "forged");
	err = err ?: rtslotc_call_raw(conn, &m, m.hdr.size, dev.fd, &r, NULL);
	ok(err == RSP_REJECTED && r.rejected.err == -EPERM, "forged_task_id_rejected");
	rtslot_close(&dev);
	/* And a plain file is not the device. */
	m.reg.dev_task_id = rtslotc_page(a)->task_id;
	m.hdr.seq = rtslotc_next_seq(conn);
	fd = open("/proc/self/stat", O_RDONLY);
	err = rtslotc_call_raw(conn, &m, m.hdr.size, fd, &r, NULL);
	ok(err == RSP_REJECTED && r.rejected.err == -EINVAL, "non_device_file_rejected");
	if (fd >= 0)
		close(fd);

	ok(!rtslotc_unregister(b) && !rtslotc_unregister(a), "unregister");
	rtslot_sysfs_read(0, "tasks", buf, sizeof(buf));
	ok(!buf[0], "kernel_tasks_gone");
	rtslotc_close(conn);
}

int main(int argc, char **argv)
{
	/* TCG is slow: overruns are only logged, so no lease is revoked under the test. */
	static const char config[] =
		"{ \"accelerators\": [ { \"name\": \"gpu0\", \"overrun_action\": \"log\" } ] }\n";
	struct ks_daemon o = { .config = config, .policy = "slot" };
	pid_t pid;
	int rc;

	o.bin = argc > 1 ? argv[1] : "/bin/rtslotd";
	printf("1..%d\n", PLAN);
	fflush(stdout);
	pid = ks_start(&o);
	if (ok(pid > 0 && !access(SOCK, F_OK), "rtslotd_listening"))
		smoke();
	/* Root, tracefs, the module: everything "auto" needs for the probes. */
	ok(ks_log_has("telemetry is on"), "telemetry_auto_is_on");
	if (pid > 0) {
		rc = ks_stop(pid);
		if (!ok(rc == 0, "rtslotd_clean_exit"))
			printf("# %s: status %d\n", o.bin, rc);
	}
	ks_dump_log();
	ks_telemetry(o.bin);
	/* A check added without the plan would go uncounted otherwise. */
	if (n != PLAN && !failed) {
		printf("# %d tests ran, the plan says %d\n", n, PLAN);
		failed = 1;
	}
	return failed;
}
