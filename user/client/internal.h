/* SPDX-License-Identifier: GPL-2.0 */
/*
 * librtslot-client internals: the connection and task objects shared by
 * conn.c, task.c and lease.c.
 */
#ifndef RTSLOTC_INTERNAL_H
#define RTSLOTC_INTERNAL_H

#include <pthread.h>

#include "rtslot/client.h"
#include "rtslot/dev.h"

struct rtslotc {
	int fd;
	pthread_mutex_t lock;
	uint32_t seq;
	uint64_t timeout_ns;		/* of a reply; 0: none */
	struct rsp_welcome welcome;
};

struct rtslotc_task {
	struct rtslotc *c;
	uint32_t id;
	uint32_t devid;
	uint64_t period_ns, offset_ns;
	const struct rtslot_lease_page *page;
	size_t page_len;
	struct rtslot_dev dev;		/* kmod: the task's own device file */
};

/*
 * One request/reply exchange on c (locked): req's seq is set.  Returns 0
 * when the reply has type expect, the negative errno of an ERROR or
 * REJECTED reply (then in *reply too), or -EPROTO for anything else.
 */
int rtslotc_call(struct rtslotc *c, union rsp_msg *req, int fd_in, uint16_t expect,
		 union rsp_msg *reply, int *fd_out);

#endif /* RTSLOTC_INTERNAL_H */
