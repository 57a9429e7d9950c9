// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the rtslotd integration tests (rd_test.h): the daemon under
 * test in a temporary directory, raw protocol exchanges, waits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rtslot/dev.h"
#include "rd_test.h"

uint64_t rdt_now(void)
{
	return rtslot_now_ns();
}

void rdt_sleep_us(uint64_t us)
{
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

const char *rdt_bin(void)
{
	const char *b = getenv("RTSLOTD_BIN");

	return b && *b ? b : "build/user/rtslotd";
}

int rdt_write_config(struct rdt *d, const char *policy, const char *extra)
{
	FILE *f;

	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/rtslotd-test.XXXXXX");
	if (!mkdtemp(d->dir))
		return -errno;
	snprintf(d->cfg, sizeof(d->cfg), "%s/rtslotd.json", d->dir);
	snprintf(d->sock, sizeof(d->sock), "%s/rtslotd.sock", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/rtslotd.log", d->dir);
	f = fopen(d->cfg, "w");
	if (!f)
		return -errno;
	fprintf(f, "{ \"socket\": \"%s\", \"backend\": \"user\", \"policy\": \"%s\",\n"
		"  \"learning\": { \"window\": 64, \"min_samples\": 8 }%s }\n",
		d->sock, policy, extra ? extra : "");
	return fclose(f) ? -errno : 0;
}

static int can_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), ok;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ok = fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (fd >= 0)
		close(fd);
	return ok;
}

int rdt_log_lines(const struct rdt *d, const char *what)
{
	char line[1024];
	FILE *f = fopen(d->log, "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, what) != NULL;
	fclose(f);
	return n;
}

void rdt_dump_log(const struct rdt *d)
{
	char buf[4096];
	FILE *f = fopen(d->log, "r");
	size_t n;

	if (!f)
		return;
	fprintf(stderr, "# --- %s\n", d->log);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(f);
}

int rdt_start(struct rdt *d, const char *policy, const char *extra)
{
	return rdt_start_nofile(d, policy, extra, 0);
}

int rdt_start_nofile(struct rdt *d, const char *policy, const char *extra,
		     unsigned long nofile)
{
	struct rlimit rl = { .rlim_cur = nofile, .rlim_max = nofile };
	uint64_t until;
	int err, st, fd;

	err = rdt_write_config(d, policy, extra);
	if (err)
		return err;
	d->pid = fork();
	if (d->pid < 0)
		return -errno;
	if (!d->pid) {
		fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		if (nofile && setrlimit(RLIMIT_NOFILE, &rl))
			_exit(126);
		execl(rdt_bin(), "rtslotd", "-c", d->cfg, "-v", (char *)NULL);
		_exit(127);
	}
	until = rdt_now() + RDT_SETTLE_NS;
	while (!can_connect(d->sock)) {
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = 0;
			rdt_dump_log(d);
			return -ECHILD;
		}
		if (rdt_now() > until)
			return -ETIME;
		rdt_sleep_us(5000);
	}
	return 0;
}

int rdt_stop(struct rdt *d)
{
	uint64_t until = rdt_now() + RDT_SETTLE_NS;
	int st = 0;
	pid_t r;

	if (d->pid <= 0)
		return -ECHILD;
	kill(d->pid, SIGTERM);
	while ((r = waitpid(d->pid, &st, WNOHANG)) == 0 && rdt_now() < until)
		rdt_sleep_us(5000);
	if (r == 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, &st, 0);
	}
	d->pid = 0;
	if (r == 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		rdt_dump_log(d);
		return -1;
	}
	return 0;
}

void rdt_cleanup(struct rdt *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
		d->pid = 0;
	}
	unlink(d->cfg);
	unlink(d->sock);
	unlink(d->log);
	if (d->dir[0])
		rmdir(d->dir);
}

int rdt_connect(const struct rdt *d, struct rtslotc **c)
{
	return rtslotc_connect(d->sock, "test", c);
}

void rdt_params(struct rtslotc_params *p, const char *name, uint64_t period_us,
		uint64_t wcet_us)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->period_us = period_us;
	p->wcet_us = wcet_us;
	p->kernels = 1;
}

int rdt_stats(const struct rdt *d, struct rsp_stats *s)
{
	struct rtslotc *c;
	int err = rdt_connect(d, &c);

	if (err)
		return err;
	err = rtslotc_stats(c, s);
	rtslotc_close(c);
	return err;
}

int rdt_fd_count(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

int rdt_raw_connect(const struct rdt *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	return fd;
}

int rdt_raw_call(int fd, const void *buf, size_t len, int fd_in, union rsp_msg *reply,
		 int *fd_out)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	unsigned char in[RSP_MAX_MSG + 1];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (fd_out)
		*fd_out = -1;
	memset(&ctl, 0, sizeof(ctl));
	if (fd_in >= 0) {
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd_in, sizeof(int));
	}
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
		return -errno;
	iov.iov_base = in;
	iov.iov_len = sizeof(in);
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (!n)
		return -ECONNRESET;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_type == SCM_RIGHTS) {
		int got;

		memcpy(&got, CMSG_DATA(cm), sizeof(int));
		if (fd_out)
			*fd_out = got;
		else
			close(got);
	}
	return rsp_parse(in, (size_t)n, reply);
}

int rdt_raw_hello(int fd)
{
	union rsp_msg m, r;

	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_HELLO, 1);
	m.hello.version = RSP_VERSION;
	return rdt_raw_call(fd, &m, m.hdr.size, -1, &r, NULL) == RSP_WELCOME ? 0 : -EPROTO;
}

int rdt_lease_msg(struct rtslotc *c, struct rtslotc_task *t, uint16_t type, uint64_t est_ns)
{
	union rsp_msg m, r;
	int type_in;

	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, type, rtslotc_next_seq(c));
	m.lreq.task_id = rtslotc_task_id(t);
	if (type == RSP_LEASE_REQUEST || type == RSP_LEASE_RENEW)
		m.lreq.est_ns = est_ns;
	type_in = rtslotc_call_raw(c, &m, m.hdr.size, -1, &r, NULL);
	if (type_in == RSP_ERROR)
		return r.error.err;
	if (type_in != RSP_LEASE)
		return type_in < 0 ? type_in : -EPROTO;
	return (int)r.lease.state;
}

int rdt_wait_state(const struct rtslot_lease_page *p, uint32_t state, uint64_t timeout_ns)
{
	uint64_t until = rdt_now() + timeout_ns;
	struct rtslot_lease_snap s;

	for (;;) {
		rtslot_lease_read(p, &s);
		if (s.state == state)
			return 0;
		if (rdt_now() > until)
			return -ETIME;
		rdt_sleep_us(200);
	}
}
