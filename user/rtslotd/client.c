// SPDX-License-Identifier: GPL-2.0
/*
 * One client's protocol state machine: HELLO first, then requests about
 * its own tasks only.  Every request gets one reply; anything malformed or
 * out of order gets an ERROR and changes nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rtslotd.h"

uint32_t rd_uid_clients(struct rd_daemon *dd, uid_t uid, uint32_t *tasks)
{
	struct rd_list *pos;
	uint32_t n = 0;

	*tasks = 0;
	rd_list_for_each(pos, &dd->clients) {
		const struct rd_client *c = rd_container(pos, struct rd_client, link);

		if (c->uid == uid) {
			n++;
			*tasks += c->ntasks;
		}
	}
	return n;
}

/*
 * Limits are checked once the peer is known: one user cannot take every
 * connection, and whom a full daemon refuses is said in the log.
 */
struct rd_client *rd_client_new(struct rd_daemon *dd, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct rd_client *c;
	uint32_t i, tasks;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || len != sizeof(cred)) {
		rd_log(dd, RD_ERR, "refusing a client without credentials: %s", strerror(errno));
		return NULL;
	}
	if (dd->nclients >= dd->cfg.max_clients) {
		rd_log(dd, RD_ERR, "refusing pid %d uid %u: %u clients connected already",
		       (int)cred.pid, (unsigned int)cred.uid, dd->nclients);
		return NULL;
	}
	if (cred.uid && rd_uid_clients(dd, cred.uid, &tasks) >= dd->cfg.max_clients_per_uid) {
		rd_log(dd, RD_ERR, "refusing pid %d: uid %u has %u connections already "
		       "(max_clients_per_uid)", (int)cred.pid, (unsigned int)cred.uid,
		       dd->cfg.max_clients_per_uid);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->dd = dd;
	c->fd = fd;
	c->id = ++dd->next_client_id;
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->state = RD_CL_NEW;
	c->hello_by = rd_now() + dd->cfg.hello_timeout_ms * 1000000ULL;
	c->io.fd_out = -1;
	rd_list_init(&c->tasks);
	/* Root may always connect; others when listed (or when no list is set). */
	c->denied = dd->cfg.nuids && cred.uid != 0;
	for (i = 0; i < dd->cfg.nuids; i++)
		if (dd->cfg.uids[i] == cred.uid)
			c->denied = 0;
	c->privileged = rd_peer_privileged(&dd->cfg, cred.pid, cred.uid, cred.gid);
	rd_list_add_tail(&c->link, &dd->clients);
	dd->nclients++;
	dd->st.connections++;
	rd_log(dd, RD_DBG, "client %u connected: pid %d uid %u%s%s", c->id, (int)c->pid,
	       (unsigned int)c->uid, c->denied ? " (not allowed)" : "",
	       c->privileged ? " (privileged)" : "");
	return c;
}

uint64_t rd_clients_next_event(struct rd_daemon *dd)
{
	struct rd_list *pos;
	uint64_t next = UINT64_MAX;

	rd_list_for_each(pos, &dd->clients) {
		const struct rd_client *c = rd_container(pos, struct rd_client, link);

		if (c->state == RD_CL_NEW && c->hello_by < next)
			next = c->hello_by;
	}
	return next;
}

/*
 * A connection that never speaks costs a descriptor and a place in
 * max_clients for ever.  Its receive is in flight: shutting the socket
 * ends it with a hang-up, and the loop frees the client as for any other.
 */
void rd_clients_expire(struct rd_daemon *dd, uint64_t now)
{
	struct rd_list *pos;

	rd_list_for_each(pos, &dd->clients) {
		struct rd_client *c = rd_container(pos, struct rd_client, link);

		if (c->state != RD_CL_NEW || c->hello_by > now)
			continue;
		rd_log(dd, RD_INFO, "client %u (pid %d uid %u) sent no HELLO in %u ms: closed",
		       c->id, (int)c->pid, (unsigned int)c->uid, dd->cfg.hello_timeout_ms);
		c->hello_by = UINT64_MAX;
		shutdown(c->fd, SHUT_RDWR);
	}
}

void rd_client_free(struct rd_client *c)
{
	struct rd_list *pos, *tmp;

	/* A client that dies holding or waiting frees its leases here. */
	rd_list_for_each_safe(pos, tmp, &c->tasks)
		rd_task_free(rd_container(pos, struct rd_task, client_link), 1);
	rd_log(c->dd, RD_DBG, "client %u gone", c->id);
	rd_list_del(&c->link);
	c->dd->nclients--;
	if (c->io.fd_out >= 0)
		close(c->io.fd_out);
	close(c->fd);
	free(c);
}

void rd_fill_stats(struct rd_daemon *dd, struct rsp_stats *s)
{
	struct rd_list *pos;
	uint32_t i;

	/* The misses the probes have seen up to this request. */
	rd_telemetry_drain(dd);
	*s = dd->st;
	rsp_init(&s->hdr, RSP_STATS_REPLY, 0);
	s->clients = dd->nclients;
	for (i = 0; i < dd->ndevs; i++) {
		struct rd_dev *d = dd->dev[i];

		rd_list_for_each(pos, &d->tasks) {
			struct rd_task *t = rd_container(pos, struct rd_task, dev_link);

			s->tasks++;
			s->admitted += t->status == RSP_ST_ADMITTED;
			s->learning += t->status == RSP_ST_LEARNING;
		}
		d->be->stats(d, s);
	}
}

static void reply(struct rd_client *c, union rsp_msg *m, uint32_t seq, int fd)
{
	m->hdr.seq = seq;
	memcpy(c->io.buf, m, m->hdr.size);
	c->io.len = m->hdr.size;
	c->io.fd_out = fd;
}

static void error(struct rd_client *c, const struct rsp_hdr *req, int err,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void error(struct rd_client *c, const struct rsp_hdr *req, int err,
		  const char *fmt, ...)
{
	union rsp_msg m;
	va_list ap;

	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_ERROR, 0);
	m.error.err = err;
	m.error.req_type = req->type;
	va_start(ap, fmt);
	vsnprintf(m.error.text, sizeof(m.error.text), fmt, ap);
	va_end(ap);
	c->dd->st.errors++;
	rd_log(c->dd, RD_DBG, "client %u: %s: %s", c->id, rsp_type_name(req->type),
	       m.error.text);
	reply(c, &m, req->seq, -1);
}

static void parse_error(struct rd_client *c, const struct rsp_hdr *h, int err, size_t len)
{
	switch (err) {
	case -EBADMSG:
		error(c, h, err, "%zu bytes is shorter than a message header", len);
		break;
	case -EPROTONOSUPPORT:
		error(c, h, err, "protocol version %u; rtslotd speaks %u", h->version,
		      RSP_VERSION);
		break;
	case -EOPNOTSUPP:
		error(c, h, err, "unknown message type %u", h->type);
		break;
	case -EMSGSIZE:
		error(c, h, err, "%s is %zu bytes; got %zu with size field %u",
		      rsp_type_name(h->type), rsp_size(h->type), len, h->size);
		break;
	default:
		error(c, h, err, "%s: flags, padding or unused bytes not zero, a name "
		      "without its NUL, or a value out of range", rsp_type_name(h->type));
		break;
	}
}

static void welcome(struct rd_client *c, const union rsp_msg *req)
{
	struct rd_daemon *dd = c->dd;
	union rsp_msg m;
	uint32_t i;

	memcpy(c->name, req->hello.name, sizeof(c->name));
	c->state = RD_CL_READY;
	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_WELCOME, 0);
	m.welcome.version = RSP_VERSION;
	m.welcome.backend = (uint32_t)dd->be->kind;
	m.welcome.policy = (uint32_t)dd->cfg.policy;
	m.welcome.naccels = dd->ndevs;
	m.welcome.client_id = c->id;
	for (i = 0; i < dd->ndevs; i++) {
		memcpy(m.welcome.accel[i].name, dd->dev[i]->cfg->name, RSP_NAME_LEN);
		m.welcome.accel[i].dev_index = dd->be->kind == RD_BACKEND_KMOD ?
					       dd->dev[i]->kindex : -1;
	}
	reply(c, &m, req->hdr.seq, -1);
}

static const char *lease_text(int err)
{
	switch (err) {
	case -EOPNOTSUPP:
		return "leases go through /dev/rtslotN with the kmod backend";
	case -EBUSY:
		return "the task already waits for or holds a lease";
	case -ENOLCK:
		return "the task holds no lease (never granted, released, or revoked)";
	case -E2BIG:
		return "est_ns can never fit (longer than the frame or the reservation)";
	case -EINVAL:
		return "est_ns must be positive";
	default:
		return strerror(-err);
	}
}

static void lease(struct rd_client *c, const union rsp_msg *req, struct rd_task *t)
{
	uint64_t arg = 0;
	union rsp_msg m;
	int err;

	if (req->hdr.type == RSP_LEASE_REQUEST || req->hdr.type == RSP_LEASE_RENEW)
		arg = req->lreq.est_ns;
	else if (req->hdr.type == RSP_LEASE_RELEASE)
		arg = req->lrel.actual_ns;
	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_LEASE, 0);
	m.lease.task_id = t->id;
	err = t->dev->be->lease(t->dev, t, req->hdr.type, arg, &m.lease);
	if (err)
		error(c, &req->hdr, err, "task %u: %s", t->id, lease_text(err));
	else
		reply(c, &m, req->hdr.seq, -1);
}

/* The task ids of all requests after REGISTER sit at the same place. */
static uint32_t task_id_of(const union rsp_msg *m)
{
	return m->ref.task_id;
}

static void dispatch(struct rd_client *c, const union rsp_msg *req, int *fd)
{
	struct rd_daemon *dd = c->dd;
	struct rd_task *t = NULL;
	union rsp_msg m;
	int err, fd_out;

	memset(&m, 0, sizeof(m));
	switch (req->hdr.type) {
	case RSP_HELLO:
		welcome(c, req);
		return;
	case RSP_REGISTER:
		err = rd_task_register(c, &req->reg, fd, &m, &fd_out);
		if (err)
			error(c, &req->hdr, err, "registration failed: %s", strerror(-err));
		else
			reply(c, &m, req->hdr.seq, fd_out);
		return;
	case RSP_STATS:
		rd_fill_stats(dd, &m.stats);
		reply(c, &m, req->hdr.seq, -1);
		return;
	default:
		break;
	}

	t = rd_task_find(c, task_id_of(req));
	if (!t) {
		error(c, &req->hdr, -ENOENT, "this client has no task %u", task_id_of(req));
		return;
	}
	switch (req->hdr.type) {
	case RSP_UNREGISTER:
		rd_task_free(t, 0);
		rsp_init(&m.hdr, RSP_OK, 0);
		m.ref.task_id = req->ref.task_id;
		reply(c, &m, req->hdr.seq, -1);
		break;
	case RSP_JOB_BEGIN:
		rd_task_job_begin(t, &req->begin);
		rd_task_advice(t, &m.advice);
		reply(c, &m, req->hdr.seq, -1);
		break;
	case RSP_JOB_END:
		err = rd_task_job_end(t, &req->end);
		if (err) {
			error(c, &req->hdr, err, "task %u has no variant %u", t->id,
			      req->end.variant);
			break;
		}
		rd_task_advice(t, &m.advice);
		reply(c, &m, req->hdr.seq, -1);
		break;
	default:
		lease(c, req, t);
		break;
	}
}

void rd_client_handle(struct rd_client *c, size_t len, int *fds, int nfds)
{
	union rsp_msg req;
	int type, i, fd = -1;

	type = rsp_parse(c->io.buf, len, &req);
	if (type < 0) {
		parse_error(c, &req.hdr, type, len);
	} else if (!rsp_is_request(req.hdr.type)) {
		error(c, &req.hdr, -EOPNOTSUPP, "%s is a reply, not a request",
		      rsp_type_name(req.hdr.type));
	} else if (c->denied) {
		error(c, &req.hdr, -EACCES, "uid %u may not use rtslotd",
		      (unsigned int)c->uid);
		c->state = RD_CL_CLOSING;
	} else if (c->state == RD_CL_NEW && req.hdr.type != RSP_HELLO) {
		error(c, &req.hdr, -EPROTO, "HELLO first");
	} else if (c->state != RD_CL_NEW && req.hdr.type == RSP_HELLO) {
		error(c, &req.hdr, -EPROTO, "HELLO twice");
	} else if (nfds > (req.hdr.type == RSP_REGISTER) || nfds < 0) {
		error(c, &req.hdr, -EINVAL, "%s carries %d file descriptors",
		      rsp_type_name(req.hdr.type), nfds);
	} else {
		if (nfds)
			fd = fds[0];
		dispatch(c, &req, &fd);
		if (nfds)
			fds[0] = fd;	/* -1 when a task took it */
	}
	for (i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}
