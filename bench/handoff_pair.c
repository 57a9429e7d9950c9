// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench/handoff: the ping-pong both mechanisms share.  Two processes, each
 * pinned to its CPU, take turns: the owner waits until its peer is really
 * asleep waiting for the device, stamps t0 and hands over; the peer stamps
 * t1 as soon as it runs again.  Only t1 - t0 is measured.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "handoff.h"

/* voluntary_ctxt_switches of /proc/<pid>/status, read at offset 0 again. */
static int read_nvcsw(int fd, uint64_t *v)
{
	static const char key[] = "\nvoluntary_ctxt_switches:";
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *p;

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	p = strstr(buf, key);
	if (!p)
		return -EPROTO;
	*v = strtoull(p + sizeof(key) - 1, NULL, 10);
	return 0;
}

static int open_status(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * The peer has asked for the device and has since gone to sleep (its
 * voluntary switch count moved past the value it stored before asking),
 * so the handoff measured includes waking a sleeping process.
 */
static int wait_peer_asleep(const struct ho_ops *ops, struct ho_side *s)
{
	uint64_t now;
	int ret;

	for (;;) {
		if (__atomic_load_n(&s->sh->failed, __ATOMIC_RELAXED))
			return -ECANCELED;
		if (ops->peer_queued(s)) {
			ret = read_nvcsw(s->peer_status_fd, &now);
			if (ret)
				return ret;
			if (now > __atomic_load_n(&s->sh->nvcsw_before[!s->id], __ATOMIC_ACQUIRE))
				return 0;
		}
		sched_yield();
	}
}

static int side_loop(const struct ho_ops *ops, struct ho_side *s)
{
	uint64_t h, t1, before;
	int ret, owner = s->id == 0;

	for (h = 0; h < s->n; h++) {
		if ((int)(h & 1) == s->id) {
			ret = wait_peer_asleep(ops, s);
			if (ret)
				return ret;
			__atomic_store_n(&s->sh->t0, rtslot_now_ns(), __ATOMIC_RELEASE);
			ret = ops->hand(s);
			owner = 0;
		} else {
			ret = read_nvcsw(s->self_status_fd, &before);
			if (ret)
				return ret;
			__atomic_store_n(&s->sh->nvcsw_before[s->id], before, __ATOMIC_RELEASE);
			ret = ops->block(s);
			t1 = rtslot_now_ns();
			if (!ret)
				s->lat[h] = t1 - __atomic_load_n(&s->sh->t0, __ATOMIC_ACQUIRE);
			owner = !ret;
		}
		if (ret)
			return ret;
	}
	return ops->finish(s, owner);
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* Side 1, in the child: its exit status is 0 or the errno it failed with. */
static void child(const struct ho_ops *ops, struct ho_side *s, int cpu)
{
	int ret = pin(cpu);

	if (!ret)
		ret = open_status(getppid());
	if (ret >= 0) {
		s->peer_status_fd = ret;
		ret = open_status(getpid());
	}
	if (ret >= 0) {
		s->self_status_fd = ret;
		ret = side_loop(ops, s);
	}
	if (ret)
		__atomic_store_n(&s->sh->failed, 1, __ATOMIC_RELAXED);
	_exit(ret < 0 ? -ret : 0);
}

static int parent(const struct ho_ops *ops, struct ho_side *s, pid_t pid)
{
	int ret, st;

	ret = open_status(pid);
	if (ret >= 0) {
		s->peer_status_fd = ret;
		ret = open_status(getpid());
	}
	if (ret >= 0) {
		s->self_status_fd = ret;
		ret = side_loop(ops, s);
	}
	if (ret) {
		__atomic_store_n(&s->sh->failed, 1, __ATOMIC_RELAXED);
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &st, 0) < 0)
		return ret ? ret : -errno;
	/* When the child gave up first, its reason is the one worth reporting. */
	if ((!ret || ret == -ECANCELED) && WIFEXITED(st) && WEXITSTATUS(st))
		ret = -WEXITSTATUS(st);
	else if (!ret && !WIFEXITED(st))
		ret = -ECHILD;
	return ret;
}

int ho_run_pair(const struct ho_ops *ops, unsigned int dev_index, uint64_t n,
		uint64_t *lat, int cpu0, int cpu1)
{
	size_t len = sizeof(struct ho_shared) + n * sizeof(uint64_t);
	struct ho_side s[2];
	struct ho_shared *sh;
	pid_t pid;
	int ret, i;

	sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -errno;
	memset(s, 0, sizeof(s));
	for (i = 0; i < 2; i++) {
		s[i].id = i;
		s[i].sh = sh;
		s[i].lat = (uint64_t *)(sh + 1);
		s[i].n = n;
		s[i].dev_index = dev_index;
		s[i].peer_status_fd = s[i].self_status_fd = -1;
		s[i].dev.fd = -1;
	}
	ret = pin(cpu0);
	if (!ret)
		ret = ops->setup(&s[0], &s[1]);
	if (ret)
		goto out;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out;
	}
	if (ops->drop_peer)
		ops->drop_peer(pid ? &s[1] : &s[0]);
	if (!pid)
		child(ops, &s[1], cpu1);
	ret = parent(ops, &s[0], pid);
	if (!ret)
		memcpy(lat, s[0].lat, n * sizeof(uint64_t));
	close(s[0].peer_status_fd);
	close(s[0].self_status_fd);
out:
	if (ops->teardown)
		ops->teardown(&s[0], &s[1]);
	munmap(sh, len);
	return ret;
}
