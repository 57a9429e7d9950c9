// SPDX-License-Identifier: GPL-2.0
/*
 * librtslot-client connections: connect and HELLO, and the one
 * request/reply exchange everything else is built on (fds included).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "internal.h"

static int send_msg(int fd, const void *buf, size_t len, int fd_in)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (fd_in >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd_in, sizeof(int));
	}
	do {
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EPIPE ? -ECONNRESET : -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* One datagram; *fd_out gets the fd it carried, or -1. */
static ssize_t recv_msg(int fd, void *buf, size_t len, int *fd_out)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;
	int got = -1;

	do {
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		size_t i, k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int f;

			memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (got < 0)
				got = f;
			else
				close(f);
		}
	}
	if (fd_out)
		*fd_out = got;
	else if (got >= 0)
		close(got);
	return n ? n : -ECONNRESET;
}

/*
 * A daemon that is there but silent (stopped, stuck) must not hold the
 * caller for ever.  Past the bound the connection is over: a late reply
 * would be taken for the next request's, so the socket is shut, and
 * every later call fails as after a hang-up.
 */
static int reply_ready(struct rtslotc *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	uint64_t end = rtslot_now_ns() + c->timeout_ns, now;
	int n;

	if (!c->timeout_ns)
		return 0;
	for (;;) {
		now = rtslot_now_ns();
		n = now >= end ? 0 : poll(&p, 1, (int)((end - now + 999999) / 1000000));
		if (n > 0)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		shutdown(c->fd, SHUT_RDWR);
		return -ETIMEDOUT;
	}
}

int rtslotc_call_raw(struct rtslotc *c, const void *buf, size_t len, int fd_in,
		     union rsp_msg *reply, int *fd_out)
{
	unsigned char in[RSP_MAX_MSG + 1];
	ssize_t n;
	int ret;

	if (fd_out)
		*fd_out = -1;
	pthread_mutex_lock(&c->lock);
	ret = send_msg(c->fd, buf, len, fd_in);
	ret = ret ?: reply_ready(c);
	n = ret ? ret : recv_msg(c->fd, in, sizeof(in), fd_out);
	pthread_mutex_unlock(&c->lock);
	if (n < 0)
		return (int)n;
	ret = rsp_parse(in, (size_t)n, reply);
	if (ret < 0 && fd_out && *fd_out >= 0) {
		close(*fd_out);
		*fd_out = -1;
	}
	return ret;
}

uint32_t rtslotc_next_seq(struct rtslotc *c)
{
	return __atomic_add_fetch(&c->seq, 1, __ATOMIC_RELAXED);
}

int rtslotc_call(struct rtslotc *c, union rsp_msg *req, int fd_in, uint16_t expect,
		 union rsp_msg *reply, int *fd_out)
{
	int type, fd = -1;

	req->hdr.seq = rtslotc_next_seq(c);
	type = rtslotc_call_raw(c, req, req->hdr.size, fd_in, reply, &fd);
	if (type < 0)
		return type;
	if (reply->hdr.seq != req->hdr.seq)
		type = -EPROTO;
	else if (type == RSP_ERROR)
		type = reply->error.err;
	else if (type == RSP_REJECTED && expect == RSP_ACCEPTED)
		type = reply->rejected.err;
	else if (type != expect)
		type = -EPROTO;
	else
		type = 0;
	if (fd_out && !type)
		*fd_out = fd;
	else if (fd >= 0)
		close(fd);
	return type;
}

int rtslotc_connect(const char *path, const char *name, struct rtslotc **out)
{
	return rtslotc_connect_bounded(path, name, 0, out);
}

int rtslotc_connect_bounded(const char *path, const char *name, uint64_t timeout_ns,
			    struct rtslotc **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union rsp_msg req, rep;
	struct rtslotc *c;
	int ret;

	if (!path)
		path = getenv("RTSLOT_SOCKET");
	if (!path || !*path)
		path = RSP_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	c->timeout_ns = timeout_ns;
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		goto fail;
	}
	memset(&req, 0, sizeof(req));
	rsp_init(&req.hdr, RSP_HELLO, 0);
	req.hello.version = RSP_VERSION;
	ret = rsp_set_name(req.hello.name, sizeof(req.hello.name), name);
	ret = ret ?: rtslotc_call(c, &req, -1, RSP_WELCOME, &rep, NULL);
	if (ret)
		goto fail;
	c->welcome = rep.welcome;
	*out = c;
	return 0;
fail:
	if (c->fd >= 0)
		close(c->fd);
	pthread_mutex_destroy(&c->lock);
	free(c);
	return ret;
}

void rtslotc_close(struct rtslotc *c)
{
	if (!c)
		return;
	close(c->fd);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int rtslotc_backend(const struct rtslotc *c)
{
	return (int)c->welcome.backend;
}

int rtslotc_policy(const struct rtslotc *c)
{
	return (int)c->welcome.policy;
}

int rtslotc_stats(struct rtslotc *c, struct rsp_stats *s)
{
	union rsp_msg req, rep;
	int ret;

	memset(&req, 0, sizeof(req));
	rsp_init(&req.hdr, RSP_STATS, 0);
	ret = rtslotc_call(c, &req, -1, RSP_STATS_REPLY, &rep, NULL);
	if (!ret)
		*s = rep.stats;
	return ret;
}
