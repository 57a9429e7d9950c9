// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest helpers: child processes that die with their test, shared
 * memory, and the waiter child of the ordering tests (see rtslot_test.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "rtslot_test.h"

void *rt_shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

pid_t rt_spawn(rt_child_fn fn, void *arg, int idx)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid)
		return pid;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(120);
	/*
	 * Nor through the parent's open files: closing its file must free its
	 * task, whatever children it has.
	 */
	syscall(SYS_close_range, 3, ~0U, 0);
	_exit(fn(arg, idx));
}

int rt_reap(pid_t pid, uint64_t timeout)
{
	uint64_t end = rt_now() + timeout;
	int status;
	pid_t ret;

	while ((ret = waitpid(pid, &status, WNOHANG)) == 0) {
		if (rt_now() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		rt_sleep(MSEC(2));
	}
	if (ret < 0)
		return -errno;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

int rt_waiter_main(void *group, int idx)
{
	struct rt_group *g = group;
	struct rt_waiter *w = &g->w[idx];
	const struct rtslot_lease_page *page;
	struct rtslot_lease_request out;
	struct rtslot_lease_page snap;
	char name[RTSLOT_NAME_LEN];
	uint32_t id;
	int fd;

	snprintf(name, sizeof(name), "waiter%d", idx);
	fd = rt_open_task(name, &id);
	if (fd < 0)
		return 1;
	page = rt_map_page(fd);
	if (!page)
		return 2;
	if (w->reserve && rt_reserve(fd, w->runtime, w->deadline, w->period, w->prio))
		return 3;
	if (w->spend) {
		if (rt_request(fd, w->est, w->timeout, &out))
			return 4;
		rt_sleep(w->spend);
		if (rt_release(fd, 0, NULL))
			return 5;
	}
	w->id = id;
	__atomic_store_n(&w->ready, 1, __ATOMIC_RELEASE);
	while (w->spend && !__atomic_load_n(&g->go, __ATOMIC_ACQUIRE))
		rt_sleep(MSEC(1));

	w->requested_ns = rt_now();
	w->err = rt_request(fd, w->est, w->timeout, &out);
	w->returned_ns = rt_now();
	if (w->err)
		return 0;
	w->order = __atomic_add_fetch(&g->seq, 1, __ATOMIC_SEQ_CST);
	rt_page_read(page, &snap);
	w->granted_ns = snap.granted_ns;
	w->lease_end_ns = out.lease_end_ns;
	w->release_err = rt_release(fd, 0, NULL);
	w->released_ns = rt_now();
	return 0;
}

bool rt_woken_in_time(const struct rt_waiter *w)
{
	return !w->err && w->order && (!w->timeout || w->returned_ns < w->requested_ns + w->timeout);
}

pid_t rt_start_waiter(struct rt_group *g, int idx)
{
	pid_t pid = rt_spawn(rt_waiter_main, g, idx);
	uint64_t end = rt_now() + RT_SETTLE;

	if (pid < 0)
		return pid;
	while (!__atomic_load_n(&g->w[idx].ready, __ATOMIC_ACQUIRE)) {
		if (rt_now() > end || waitpid(pid, NULL, WNOHANG) == pid)
			return -ETIMEDOUT;
		rt_sleep(MSEC(1));
	}
	/* Queued (or already granted) once the device lists it so. */
	end = rt_now() + RT_SETTLE;
	for (;;) {
		struct rt_task_row row;

		if (rt_task_row(g->w[idx].id, &row) == 0 && row.requests > 0)
			return pid;
		if (__atomic_load_n(&g->w[idx].order, __ATOMIC_ACQUIRE) ||
		    g->w[idx].err)
			return pid;
		if (rt_now() > end)
			return -ETIMEDOUT;
		rt_sleep(MSEC(1));
	}
}
