// SPDX-License-Identifier: GPL-2.0
/*
 * The shared segment of one virtual device: creation or attachment, the
 * robust lock that survives a holder's death, and the reaping of processes
 * that died with work queued.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fc_shm.h"

#define FC_REAP_NS	20000000ULL	/* look for dead processes this often */

uint64_t fc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Field 22 of /proc/PID/stat, and the state letter; 0 when unreadable. */
static uint64_t pid_stat(int pid, char *state)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: skip past the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	p += 2;
	if (state)
		*state = *p;
	/* p is field 3 (state); starttime is field 22. */
	for (i = 3; i < 22 && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", &start) != 1)
		return 0;
	return start;
}

uint64_t fc_pid_starttime(int pid)
{
	return pid_stat(pid, NULL);
}

/* A zombie counts as dead: its parent may not have reaped it yet. */
bool fc_pid_alive(int pid, uint64_t starttime)
{
	char state = '?';
	uint64_t st;

	if (pid <= 0)
		return false;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	st = pid_stat(pid, &state);
	if (!st)
		return false;
	if (state == 'Z' || state == 'X')
		return false;
	return !starttime || st == starttime;
}

static uint64_t env_u64(const char *name, uint64_t def, uint64_t max)
{
	const char *s = getenv(name);
	unsigned long long v;
	char *end;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return def;
	return v;
}

/* Mode and timeslice come from the environment of whoever finds the device idle. */
void fc_shm_configure(struct fc_shm *d)
{
	const char *m = getenv("FAKECUDA_MODE");

	d->mode = FC_FIFO;
	if (m && !strcmp(m, "timeslice"))
		d->mode = FC_TIMESLICE;
	else if (m && *m && strcmp(m, "fifo"))
		fprintf(stderr, "fakecuda: FAKECUDA_MODE=%s unknown, using fifo\n", m);
	d->slice_ns = env_u64("FAKECUDA_TIMESLICE_US", 2000, 10000000) * 1000ULL;
	if (!d->slice_ns)
		d->slice_ns = 1000;
	d->cur_valid = 0;
}

static int init_segment(struct fc_shm *d)
{
	pthread_mutexattr_t a;
	int err;

	memset(d, 0, sizeof(*d));
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	err = pthread_mutex_init(&d->lock, &a);
	pthread_mutexattr_destroy(&a);
	if (err)
		return -err;
	fc_shm_configure(d);
	d->t_ns = fc_now();
	d->next_seq = 1;
	d->low_seq = 1;
	d->version = FC_SHM_VERSION;
	d->size = sizeof(*d);
	__atomic_store_n(&d->magic, FC_SHM_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

static bool segment_ok(const struct fc_shm *d)
{
	return __atomic_load_n(&d->magic, __ATOMIC_ACQUIRE) == FC_SHM_MAGIC &&
	       d->version == FC_SHM_VERSION && d->size == sizeof(*d);
}

/*
 * flock() on the segment serialises creation: a creator that dies half-way
 * releases it, and the next opener sees no magic and initialises again.
 * A segment of another size or layout version is left alone (-EPROTO):
 * on a shared machine it may be someone else's device.
 */
int fc_shm_open(const char *name, bool create, struct fc_shm **out)
{
	struct fc_shm *d;
	struct stat st;
	int fd, err = 0;

	fd = shm_open(name, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if (!st.st_size && create && ftruncate(fd, sizeof(*d)) < 0) {
		err = -errno;
		goto out;
	}
	if ((!st.st_size && !create) || (st.st_size && (size_t)st.st_size != sizeof(*d))) {
		err = st.st_size ? -EPROTO : -ENODEV;
		goto out;
	}
	d = mmap(NULL, sizeof(*d), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (d == MAP_FAILED) {
		err = -errno;
		goto out;
	}
	if (!segment_ok(d)) {
		if (!create || __atomic_load_n(&d->magic, __ATOMIC_ACQUIRE))
			err = create ? -EPROTO : -ENODEV;
		else
			err = init_segment(d);
		if (err) {
			munmap(d, sizeof(*d));
			goto out;
		}
	}
	*out = d;
out:
	flock(fd, LOCK_UN);
	close(fd);
	return err;
}

void fc_shm_close(struct fc_shm *d)
{
	if (d)
		munmap(d, sizeof(*d));
}

/*
 * A holder that died left the model half-updated at worst: every update
 * keeps the records' states valid, so recovery is to reap and go on.
 */
int fc_shm_lock(struct fc_shm *d)
{
	int err = pthread_mutex_lock(&d->lock);
	uint64_t now;

	if (err == EOWNERDEAD) {
		pthread_mutex_consistent(&d->lock);
		d->recoveries++;
		d->reap_ns = 0;
		fc_repair(d);
	} else if (err) {
		return -err;
	}
	now = fc_now();
	if (now - d->reap_ns >= FC_REAP_NS) {
		d->reap_ns = now;
		fc_shm_reap(d);
	}
	return 0;
}

void fc_shm_unlock(struct fc_shm *d)
{
	pthread_mutex_unlock(&d->lock);
	fc_log_flush();
}

void fc_shm_reap(struct fc_shm *d)
{
	uint32_t i;

	for (i = 0; i < FC_NPROC; i++) {
		struct fc_proc *p = &d->proc[i];

		if (p->alive && !fc_pid_alive(p->pid, p->starttime)) {
			p->alive = 0;
			fc_drop_proc(d, i);
		}
	}
}

static bool others_alive(struct fc_shm *d)
{
	uint32_t i;

	for (i = 0; i < FC_NPROC; i++)
		if (d->proc[i].alive)
			return true;
	return false;
}

/*
 * A slot per process; a dead one keeps its counters for fakecuda-stat
 * until its slot is needed.  Returns the slot or -ENOSPC.
 */
int fc_shm_register(struct fc_shm *d, int pid, const char *log)
{
	int i, slot = -1, dead = -1;
	struct fc_proc *p;

	fc_shm_reap(d);
	for (i = 0; i < FC_NPROC && slot < 0; i++) {
		if (!d->proc[i].pid)
			slot = i;
		else if (!d->proc[i].alive && dead < 0)
			dead = i;
	}
	if (slot < 0)
		slot = dead;
	if (slot < 0)
		return -ENOSPC;
	if (!others_alive(d))
		fc_shm_configure(d);
	p = &d->proc[slot];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->starttime = fc_pid_starttime(pid);
	if (log)
		snprintf(p->log, sizeof(p->log), "%s", log);
	p->alive = 1;
	return slot;
}

/* fakecuda-stat --reset: counters to zero, dead processes forgotten. */
void fc_shm_reset(struct fc_shm *d)
{
	uint32_t i;

	fc_shm_reap(d);
	d->busy_ns = d->completed = d->dropped = d->submitted = d->recoveries = 0;
	for (i = 0; i < FC_NPROC; i++) {
		struct fc_proc *p = &d->proc[i];

		if (!p->alive) {
			memset(p, 0, sizeof(*p));
			continue;
		}
		p->launches = p->graph_launches = p->kernels = 0;
		p->completed = p->dropped = p->busy_ns = 0;
	}
}
