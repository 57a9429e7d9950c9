// SPDX-License-Identifier: GPL-2.0
/*
 * rtslotd against malformed and out-of-order messages: each gets an ERROR
 * with the right errno and the request's seq, changes nothing, and the
 * daemon keeps serving with its accounting intact.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rd_test.h"

FIXTURE(proto) {
	struct rdt d;
	int fd;			/* a raw connection */
};

FIXTURE_SETUP(proto)
{
	ASSERT_EQ(0, rdt_start(&self->d, "edf", RDT_KEEP_LEASES));
	self->fd = rdt_raw_connect(&self->d);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(proto)
{
	close(self->fd);
	EXPECT_EQ(0, rdt_stop(&self->d));
	rdt_cleanup(&self->d);
}

/* Send len bytes of m; the ERROR's errno, or the reply type when not an error. */
static int err_of(int fd, const void *m, size_t len, union rsp_msg *r)
{
	int type = rdt_raw_call(fd, m, len, -1, r, NULL);

	if (type < 0)
		return 1000 + type;	/* no parseable reply at all */
	return type == RSP_ERROR ? r->error.err : type;
}

static void hello(union rsp_msg *m, uint32_t seq)
{
	memset(m, 0, sizeof(*m));
	rsp_init(&m->hdr, RSP_HELLO, seq);
	m->hello.version = RSP_VERSION;
}

TEST_F(proto, short_message)
{
	union rsp_msg r;

	EXPECT_EQ(-EBADMSG, err_of(self->fd, "\1\0\1\0", 4, &r));
	EXPECT_EQ(0, r.error.req_type);
	EXPECT_EQ(-EBADMSG, err_of(self->fd, "", 0, &r));
}

TEST_F(proto, wrong_version)
{
	union rsp_msg m, r;

	hello(&m, 41);
	m.hdr.version = RSP_VERSION + 1;
	EXPECT_EQ(-EPROTONOSUPPORT, err_of(self->fd, &m, m.hdr.size, &r));
	EXPECT_EQ(41, r.hdr.seq);
	EXPECT_NE(NULL, strstr(r.error.text, "version"));
}

TEST_F(proto, wrong_size)
{
	unsigned char big[RSP_MAX_MSG + 64];
	union rsp_msg m, r;

	hello(&m, 7);
	/* One byte short, one byte long, and a size field that lies. */
	EXPECT_EQ(-EMSGSIZE, err_of(self->fd, &m, m.hdr.size - 1, &r));
	EXPECT_EQ(7, r.hdr.seq);
	memset(big, 0, sizeof(big));
	memcpy(big, &m, m.hdr.size);
	EXPECT_EQ(-EMSGSIZE, err_of(self->fd, big, m.hdr.size + 1, &r));
	m.hdr.size += 8;
	EXPECT_EQ(-EMSGSIZE, err_of(self->fd, &m, sizeof(m.hello), &r));
	/* Longer than any message: truncated by the daemon's buffer, still refused. */
	memcpy(big, &m, sizeof(m.hello));
	EXPECT_EQ(-EMSGSIZE, err_of(self->fd, big, sizeof(big), &r));
}

TEST_F(proto, unknown_type_and_replies_as_requests)
{
	union rsp_msg m, r;

	hello(&m, 9);
	m.hdr.type = 77;
	EXPECT_EQ(-EOPNOTSUPP, err_of(self->fd, &m, m.hdr.size, &r));
	EXPECT_EQ(77, r.error.req_type);
	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_OK, 10);
	EXPECT_EQ(-EOPNOTSUPP, err_of(self->fd, &m, m.hdr.size, &r));
	EXPECT_EQ(10, r.hdr.seq);
}

TEST_F(proto, bad_fields)
{
	union rsp_msg m, r;

	hello(&m, 1);
	m.hdr.flags = 1;
	EXPECT_EQ(-EINVAL, err_of(self->fd, &m, m.hdr.size, &r));
	hello(&m, 2);
	memset(m.hello.name, 'x', sizeof(m.hello.name));	/* no NUL */
	EXPECT_EQ(-EINVAL, err_of(self->fd, &m, m.hdr.size, &r));
	hello(&m, 3);
	strcpy(m.hello.name, "a");
	m.hello.name[5] = 'z';					/* junk after the NUL */
	EXPECT_EQ(-EINVAL, err_of(self->fd, &m, m.hdr.size, &r));
	hello(&m, 4);
	m.hello.__pad = 1;
	EXPECT_EQ(-EINVAL, err_of(self->fd, &m, m.hdr.size, &r));
	hello(&m, 5);
	m.hello.version = 0;
	EXPECT_EQ(-EINVAL, err_of(self->fd, &m, m.hdr.size, &r));
	/* None of that counted as a HELLO: this one does. */
	hello(&m, 6);
	EXPECT_EQ(RSP_WELCOME, err_of(self->fd, &m, m.hdr.size, &r));
	EXPECT_EQ(6, r.hdr.seq);
}

TEST_F(proto, hello_first_and_once)
{
	union rsp_msg m, r;

	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_STATS, 3);
	EXPECT_EQ(-EPROTO, err_of(self->fd, &m, m.hdr.size, &r));
	EXPECT_EQ(RSP_STATS, r.error.req_type);
	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_REGISTER, 4);
	strcpy(m.reg.name, "early");
	m.reg.period_us = 1000;
	EXPECT_EQ(-EPROTO, err_of(self->fd, &m, m.hdr.size, &r));
	hello(&m, 5);
	EXPECT_EQ(RSP_WELCOME, err_of(self->fd, &m, m.hdr.size, &r));
	EXPECT_EQ(-EPROTO, err_of(self->fd, &m, m.hdr.size, &r));
	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_STATS, 6);
	EXPECT_EQ(RSP_STATS_REPLY, err_of(self->fd, &m, m.hdr.size, &r));
	EXPECT_EQ(0, r.stats.tasks);
	EXPECT_EQ(3, r.stats.errors);
}

/* A fd where none belongs is refused and closed, not kept. */
TEST_F(proto, unexpected_fd_is_closed)
{
	union rsp_msg m, r;
	int before, i;

	ASSERT_EQ(0, rdt_raw_hello(self->fd));
	before = rdt_fd_count(self->d.pid);
	for (i = 0; i < 20; i++) {
		memset(&m, 0, sizeof(m));
		rsp_init(&m.hdr, RSP_STATS, (uint32_t)i);
		ASSERT_EQ(RSP_ERROR, rdt_raw_call(self->fd, &m, m.hdr.size, 0, &r, NULL));
		EXPECT_EQ(-EINVAL, r.error.err);
	}
	EXPECT_EQ(before, rdt_fd_count(self->d.pid));
}

/* Requests about tasks one does not own, or in the wrong state. */
TEST_F(proto, out_of_order_requests)
{
	struct rtslotc *a, *b;
	struct rtslotc_task *ta, *tb;
	struct rtslotc_params p;
	union rsp_msg m, r;
	struct rsp_stats s;

	ASSERT_EQ(0, rdt_connect(&self->d, &a));
	ASSERT_EQ(0, rdt_connect(&self->d, &b));
	rdt_params(&p, "a", 10000, 100);
	ASSERT_EQ(0, rtslotc_register(a, &p, &ta, NULL, NULL, 0));
	rdt_params(&p, "b", 10000, 100);
	ASSERT_EQ(0, rtslotc_register(b, &p, &tb, NULL, NULL, 0));

	/* b may not touch a's task. */
	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_UNREGISTER, rtslotc_next_seq(b));
	m.ref.task_id = rtslotc_task_id(ta);
	ASSERT_EQ(RSP_ERROR, rtslotc_call_raw(b, &m, m.hdr.size, -1, &r, NULL));
	EXPECT_EQ(-ENOENT, r.error.err);
	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_LEASE_REQUEST, rtslotc_next_seq(b));
	m.lreq.task_id = rtslotc_task_id(ta);
	m.lreq.est_ns = 1000;
	ASSERT_EQ(RSP_ERROR, rtslotc_call_raw(b, &m, m.hdr.size, -1, &r, NULL));
	EXPECT_EQ(-ENOENT, r.error.err);

	/* Lease calls in the wrong state. */
	EXPECT_EQ(-ENOLCK, rtslotc_lease_release(ta, 0, NULL));
	EXPECT_EQ(-EINVAL, rtslotc_lease_request(ta, 0, 0));
	EXPECT_EQ(0, rtslotc_lease_request(ta, 20000, RDT_SETTLE_NS));
	EXPECT_EQ(-EBUSY, rtslotc_lease_request(ta, 20000, RDT_SETTLE_NS));
	EXPECT_EQ(0, rtslotc_lease_release(ta, 0, NULL));
	EXPECT_EQ(-ENOLCK, rtslotc_lease_release(ta, 0, NULL));
	/* A report for a variant the task does not have; one without a begin is fine. */
	EXPECT_EQ(-EINVAL, rtslotc_job_end(ta, 3, 1000, NULL));
	EXPECT_EQ(0, rtslotc_job_end(ta, 0, 1000, NULL));

	ASSERT_EQ(0, rtslotc_stats(a, &s));
	EXPECT_EQ(2, s.tasks);
	EXPECT_EQ(7, s.errors);
	EXPECT_EQ(1, s.grants);
	EXPECT_EQ(0, s.holders);
	EXPECT_EQ(0, rtslotc_unregister(tb));
	EXPECT_EQ(0, rtslotc_unregister(ta));
	rtslotc_close(a);
	rtslotc_close(b);
}

/* Random bytes, and random bytes behind a valid header: all answered, none fatal. */
TEST_F(proto, garbage_flood)
{
	const int n = 3000;
	unsigned char buf[RSP_MAX_MSG];
	union rsp_msg r;
	struct rsp_stats s;
	uint32_t x = 12345;
	int i, j, replies = 0, type;

	ASSERT_EQ(0, rdt_raw_hello(self->fd));
	for (i = 0; i < n; i++) {
		size_t len = 16 + (x % (RSP_MAX_MSG - 16));

		for (j = 0; j < (int)len; j++) {
			x = x * 1103515245 + 12345;
			buf[j] = (unsigned char)(x >> 16);
		}
		if (i % 2) {
			/* A plausible header: version, a real type and its size. */
			static const uint16_t types[] = { 2, 3, 4, 5, 6, 7, 8, 9 };
			struct rsp_hdr h;

			rsp_init(&h, types[i % 8], (uint32_t)i);
			len = h.size;
			memcpy(buf, &h, sizeof(h));
		}
		type = rdt_raw_call(self->fd, buf, len, -1, &r, NULL);
		ASSERT_LE(0, type);
		replies++;
	}
	EXPECT_EQ(n, replies);
	ASSERT_EQ(0, rdt_stats(&self->d, &s));
	EXPECT_EQ(0, s.tasks);
	EXPECT_EQ(n, s.errors + s.registrations + s.rejections);
}

TEST_HARNESS_MAIN
