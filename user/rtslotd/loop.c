// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop on liburing: accepts, one receive or send in flight per
 * client, signals through signalfd, one timeout for the slot cores' next
 * event, and a poll on the BPF probes' ring buffer when telemetry is on.
 * Single-threaded: no thread per client, no locks.
 */
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rtslotd.h"

/* user_data of the loop's own operations; a client's is its address. */
enum {
	UD_ACCEPT = 1,
	UD_SIGNAL,
	UD_TIMER,
	UD_IGNORE,
	UD_ACCEPT_RETRY,
	UD_TELEMETRY,
	UD_LAST = 4096,
};

/* How long accepting waits when the process is out of files or memory. */
#define ACCEPT_BACKOFF_NS	(100LL * 1000 * 1000)

enum { RD_IO_RECV = 1, RD_IO_SEND };

struct loop {
	struct io_uring ring;
	struct rd_daemon *dd;
	int lfd, sfd;
	int tfd;			/* the probes' ring buffer, -1: telemetry off */
	int multishot;
	struct signalfd_siginfo si;
	struct __kernel_timespec ts, backoff;
	int starved;			/* accept failed for want of resources */
	int expire_due;			/* the timer fired: look at HELLO deadlines */
	int timer_armed;
	uint64_t timer_at;
};

static struct io_uring_sqe *get_sqe(struct loop *l)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	/* The queue is full: hand what is there to the kernel and retry. */
	while (!sqe) {
		io_uring_submit(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
	}
	return sqe;
}

static void arm_accept(struct loop *l)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (l->multishot)
		io_uring_prep_multishot_accept(sqe, l->lfd, NULL, NULL, SOCK_CLOEXEC);
	else
		io_uring_prep_accept(sqe, l->lfd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, UD_ACCEPT);
}

/*
 * Out of descriptors (or memory), accept fails at once for as long as the
 * shortage lasts: re-armed at once it would spin, and a SCHED_FIFO
 * rtslotd spinning owns its CPU.  Try again a little later instead.
 */
static void arm_accept_later(struct loop *l)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	l->backoff.tv_sec = 0;
	l->backoff.tv_nsec = ACCEPT_BACKOFF_NS;
	io_uring_prep_timeout(sqe, &l->backoff, 0, 0);
	io_uring_sqe_set_data64(sqe, UD_ACCEPT_RETRY);
}

static int accept_starved(int err)
{
	return err == -EMFILE || err == -ENFILE || err == -ENOBUFS || err == -ENOMEM;
}

static void arm_signal(struct loop *l)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	io_uring_prep_read(sqe, l->sfd, &l->si, sizeof(l->si), 0);
	io_uring_sqe_set_data64(sqe, UD_SIGNAL);
}

/*
 * One-shot, re-armed after each drain: the fd is level-triggered, so a
 * poll armed while events still wait completes at once, and none is lost
 * between the drain and the re-arm.  The probes wake it for every miss
 * and overrun, and for routine events only once many wait; JOB_END and
 * STATS drain the rest themselves.
 */
static void arm_telemetry(struct loop *l)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	io_uring_prep_poll_add(sqe, l->tfd, POLLIN);
	io_uring_sqe_set_data64(sqe, UD_TELEMETRY);
}

static void on_telemetry(struct loop *l, const struct io_uring_cqe *cqe)
{
	if (cqe->res < 0) {
		/* Re-armed, a poll that failed would fail again at once: a spin. */
		rd_log(l->dd, RD_ERR, "telemetry: polling the ring buffer: %s; events are "
		       "read at JOB_END and STATS only", strerror(-cqe->res));
		return;
	}
	rd_telemetry_drain(l->dd);
	arm_telemetry(l);
}

static void arm_recv(struct loop *l, struct rd_client *c)
{
	struct io_uring_sqe *sqe = get_sqe(l);
	struct rd_io *io = &c->io;

	io->kind = RD_IO_RECV;
	io->iov.iov_base = io->buf;
	io->iov.iov_len = sizeof(io->buf);
	memset(&io->msg, 0, sizeof(io->msg));
	io->msg.msg_iov = &io->iov;
	io->msg.msg_iovlen = 1;
	io->msg.msg_control = io->ctl.buf;
	io->msg.msg_controllen = sizeof(io->ctl.buf);
	io_uring_prep_recvmsg(sqe, c->fd, &io->msg, MSG_CMSG_CLOEXEC);
	io_uring_sqe_set_data(sqe, c);
}

static void arm_send(struct loop *l, struct rd_client *c)
{
	struct io_uring_sqe *sqe = get_sqe(l);
	struct rd_io *io = &c->io;
	struct cmsghdr *cm;

	io->kind = RD_IO_SEND;
	io->iov.iov_base = io->buf;
	io->iov.iov_len = io->len;
	memset(&io->msg, 0, sizeof(io->msg));
	io->msg.msg_iov = &io->iov;
	io->msg.msg_iovlen = 1;
	if (io->fd_out >= 0) {
		io->msg.msg_control = io->ctl.buf;
		io->msg.msg_controllen = CMSG_SPACE(sizeof(int));
		cm = CMSG_FIRSTHDR(&io->msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &io->fd_out, sizeof(int));
	}
	io_uring_prep_sendmsg(sqe, c->fd, &io->msg, MSG_NOSIGNAL);
	io_uring_sqe_set_data(sqe, c);
}

/*
 * One timeout at the slot cores' next event or the next HELLO deadline,
 * moved earlier when an earlier one appears; late ones are harmless.
 */
static void arm_timer(struct loop *l)
{
	uint64_t next = rd_devs_next_event(l->dd, rd_now());
	uint64_t hello = rd_clients_next_event(l->dd);
	struct io_uring_sqe *sqe;

	if (hello < next)
		next = hello;
	if (next == UINT64_MAX || (l->timer_armed && next >= l->timer_at))
		return;
	l->ts.tv_sec = (long long)(next / 1000000000ULL);
	l->ts.tv_nsec = (long long)(next % 1000000000ULL);
	sqe = get_sqe(l);
	if (l->timer_armed) {
		io_uring_prep_timeout_update(sqe, &l->ts, UD_TIMER, IORING_TIMEOUT_ABS);
		io_uring_sqe_set_data64(sqe, UD_IGNORE);
	} else {
		io_uring_prep_timeout(sqe, &l->ts, 0, IORING_TIMEOUT_ABS);
		io_uring_sqe_set_data64(sqe, UD_TIMER);
	}
	/* The kernel reads ts at submission, which comes before the next change. */
	l->timer_armed = 1;
	l->timer_at = next;
}

static void on_accept(struct loop *l, const struct io_uring_cqe *cqe)
{
	struct rd_client *c;

	if (cqe->res >= 0) {
		l->starved = 0;
		c = rd_client_new(l->dd, cqe->res);
		if (c)
			arm_recv(l, c);
		else
			close(cqe->res);
	} else if (cqe->res == -EINVAL && l->multishot) {
		rd_log(l->dd, RD_INFO, "no multishot accept in this kernel: re-arming");
		l->multishot = 0;
	} else if (accept_starved(cqe->res)) {
		/* Once per shortage: the retries would flood the log. */
		if (!l->starved)
			rd_log(l->dd, RD_ERR, "accept: %s: new clients wait until it passes",
			       strerror(-cqe->res));
		l->starved = 1;
	} else {
		rd_log(l->dd, RD_ERR, "accept: %s", strerror(-cqe->res));
	}
	if (cqe->flags & IORING_CQE_F_MORE)
		return;
	if (accept_starved(cqe->res))
		arm_accept_later(l);
	else
		arm_accept(l);
}

static void on_signal(struct loop *l, const struct io_uring_cqe *cqe)
{
	struct rsp_stats s;

	if (cqe->res == sizeof(l->si)) {
		switch (l->si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
			rd_log(l->dd, RD_INFO, "signal %u: exiting", l->si.ssi_signo);
			l->dd->quit = 1;
			return;
		case SIGHUP:
			rd_fill_stats(l->dd, &s);
			rd_log(l->dd, RD_ERR,
			       "stats: clients %u tasks %u admitted %u registrations %llu "
			       "rejections %llu cleanups %llu errors %llu grants %llu misses %llu",
			       s.clients, s.tasks, s.admitted,
			       (unsigned long long)s.registrations,
			       (unsigned long long)s.rejections, (unsigned long long)s.cleanups,
			       (unsigned long long)s.errors, (unsigned long long)s.grants,
			       (unsigned long long)s.misses);
			break;
		default:
			break;
		}
	}
	arm_signal(l);
}

/* The fds a datagram carried; -1 when some were lost (MSG_CTRUNC). */
static int take_fds(struct rd_io *io, int *fds)
{
	struct cmsghdr *cm;
	int n = 0, i, k;

	for (cm = CMSG_FIRSTHDR(&io->msg); cm; cm = CMSG_NXTHDR(&io->msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (n < RD_MAX_FDS)
				fds[n++] = fd;
			else
				close(fd);
		}
	}
	if (io->msg.msg_flags & MSG_CTRUNC) {
		for (i = 0; i < n; i++)
			close(fds[i]);
		return -1;
	}
	return n;
}

/* A SEQPACKET read of 0 is a hang-up, or an empty datagram from a live peer. */
static int hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void on_client(struct loop *l, struct rd_client *c, const struct io_uring_cqe *cqe)
{
	int fds[RD_MAX_FDS], nfds;

	if (c->io.kind == RD_IO_SEND) {
		if (c->io.fd_out >= 0)
			close(c->io.fd_out);
		c->io.fd_out = -1;
		if (cqe->res < 0 || c->state == RD_CL_CLOSING)
			rd_client_free(c);
		else
			arm_recv(l, c);
		return;
	}
	/* 0: the peer closed (or died): its tasks and leases go with it. */
	if (cqe->res < 0 || (!cqe->res && hung_up(c->fd))) {
		if (cqe->res < 0)
			rd_log(l->dd, RD_DBG, "client %u: receive: %s", c->id,
			       strerror(-cqe->res));
		rd_client_free(c);
		return;
	}
	nfds = take_fds(&c->io, fds);
	rd_client_handle(c, (size_t)cqe->res, fds, nfds);
	arm_send(l, c);
}

static void on_cqe(struct loop *l, const struct io_uring_cqe *cqe)
{
	uint64_t ud = io_uring_cqe_get_data64(cqe);

	switch (ud) {
	case UD_ACCEPT:
		on_accept(l, cqe);
		break;
	case UD_SIGNAL:
		on_signal(l, cqe);
		break;
	case UD_TIMER:
		l->timer_armed = 0;
		rd_devs_tick(l->dd, rd_now());
		l->expire_due = 1;
		break;
	case UD_ACCEPT_RETRY:
		arm_accept(l);
		break;
	case UD_TELEMETRY:
		on_telemetry(l, cqe);
		break;
	case UD_IGNORE:
		break;
	default:
		if (ud >= UD_LAST)
			on_client(l, (struct rd_client *)(uintptr_t)ud, cqe);
		break;
	}
}

/*
 * Room for every completion that can be pending at once, so that none
 * overflows: one operation per client, a multishot accept that may post
 * one per connection, the signal read, the timer and its update, the
 * telemetry poll, the accept retry.  Kernels before 5.5 size the
 * completion ring at twice the submission ring whatever is asked, and
 * then IORING_SETUP_CQSIZE is refused: ask again without it.
 */
static int ring_init(struct io_uring *ring, uint32_t max_clients)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP };
	int err;

	p.cq_entries = 2 * max_clients + 64;
	err = io_uring_queue_init_params(256, ring, &p);
	if (err == -EINVAL)
		err = io_uring_queue_init(256, ring, 0);
	return err;
}

int rd_loop_run(struct rd_daemon *dd, int listen_fd, int signal_fd)
{
	struct loop l = { .dd = dd, .lfd = listen_fd, .sfd = signal_fd, .multishot = 1,
			  .tfd = rd_telemetry_fd(dd) };
	struct io_uring_cqe *cqe;
	unsigned int head, n;
	int err;

	err = ring_init(&l.ring, dd->cfg.max_clients);
	if (err) {
		rd_log(dd, RD_ERR, "io_uring: %s", strerror(-err));
		return err;
	}
	rd_log(dd, RD_DBG, "io_uring: %u completion entries for %u clients",
	       *l.ring.cq.kring_entries, dd->cfg.max_clients);
	arm_accept(&l);
	arm_signal(&l);
	if (l.tfd >= 0)
		arm_telemetry(&l);
	while (!dd->quit) {
		arm_timer(&l);
		err = io_uring_submit_and_wait(&l.ring, 1);
		/*
		 * -EBUSY: completions wait in the kernel's overflow list (a
		 * 5.10 or 5.15 kernel refuses to submit until they are read);
		 * -EAGAIN: no memory for the submission now.  Reaping frees
		 * both, and the submissions are still queued.
		 */
		if (err < 0 && err != -EINTR && err != -EBUSY && err != -EAGAIN) {
			rd_log(dd, RD_ERR, "io_uring: %s", strerror(-err));
			break;
		}
		err = 0;
		n = 0;
		io_uring_for_each_cqe(&l.ring, head, cqe) {
			on_cqe(&l, cqe);
			n++;
			if (dd->quit)
				break;
		}
		io_uring_cq_advance(&l.ring, n);
		/*
		 * After the batch: a HELLO that came before the deadline posted
		 * its completion before the timer's, and is served by now.
		 */
		if (l.expire_due) {
			l.expire_due = 0;
			rd_clients_expire(dd, rd_now());
		}
	}
	/* Cancel what is in flight before the buffers it points into go. */
	io_uring_queue_exit(&l.ring);
	return err;
}
