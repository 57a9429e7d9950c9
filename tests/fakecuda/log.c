// SPDX-License-Identifier: GPL-2.0
/*
 * FAKECUDA_LOG: one line per executed kernel, appended to the log file of
 * the process that launched it, by whichever process saw it complete.
 * Lines are queued under the device lock and written after it is dropped.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fc_shm.h"

#define FC_LOG_QUEUE	64
#define FC_LOG_FDS	4

struct fc_line {
	char path[FC_PATH_LEN];
	char text[FC_NAME_LEN + 200];
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fc_line queue[FC_LOG_QUEUE];
static int nqueued;
static struct {
	char path[FC_PATH_LEN];
	int fd;
} fds[FC_LOG_FDS];
static int next_fd;

static int log_fd(const char *path)
{
	int i, fd;

	for (i = 0; i < FC_LOG_FDS; i++)
		if (fds[i].path[0] && !strcmp(fds[i].path, path))
			return fds[i].fd;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	i = next_fd++ % FC_LOG_FDS;
	if (fds[i].path[0])
		close(fds[i].fd);
	snprintf(fds[i].path, sizeof(fds[i].path), "%s", path);
	fds[i].fd = fd;
	return fd;
}

static void write_queue(void)
{
	int i, fd;

	for (i = 0; i < nqueued; i++) {
		fd = log_fd(queue[i].path);
		/* One write per line: O_APPEND keeps lines of several writers whole. */
		if (fd >= 0 && write(fd, queue[i].text, strlen(queue[i].text)) < 0)
			continue;
	}
	nqueued = 0;
}

void fc_log_kernel(struct fc_shm *d, const struct fc_rec *r)
{
	const struct fc_proc *p = &d->proc[r->proc];
	struct fc_line *l;
	char name[FC_NAME_LEN];
	int i;

	if (!p->log[0])
		return;
	for (i = 0; i < FC_NAME_LEN - 1 && r->name[i]; i++)
		name[i] = r->name[i] > ' ' ? r->name[i] : '_';
	name[i] = '\0';
	if (!i)
		snprintf(name, sizeof(name), "?");
	pthread_mutex_lock(&log_lock);
	if (nqueued == FC_LOG_QUEUE)
		write_queue();
	l = &queue[nqueued++];
	memcpy(l->path, p->log, sizeof(l->path));
	l->path[FC_PATH_LEN - 1] = '\0';
	snprintf(l->text, sizeof(l->text),
		 "seq=%llu pid=%d ctx=%u stream=0x%llx name=%s submit_ns=%llu start_ns=%llu end_ns=%llu\n",
		 (unsigned long long)r->seq, p->pid, r->ctx, (unsigned long long)r->stream,
		 name, (unsigned long long)r->submit_ns, (unsigned long long)r->start_ns,
		 (unsigned long long)r->end_ns);
	pthread_mutex_unlock(&log_lock);
}

void fc_log_flush(void)
{
	if (!__atomic_load_n(&nqueued, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&log_lock);
	write_queue();
	pthread_mutex_unlock(&log_lock);
}

/* After fork the child may not inherit a held lock or the parent's lines. */
void fc_log_atfork_child(void)
{
	pthread_mutex_init(&log_lock, NULL);
	nqueued = 0;
}
