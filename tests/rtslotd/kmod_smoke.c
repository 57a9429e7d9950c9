// SPDX-License-Identifier: GPL-2.0
/*
 * rtslotd's kmod backend inside the QEMU guest (tests/rtslotd/kmod-smoke.sh):
 * registrations pass the client's /dev/rtslot0 file, rtslotd sets the
 * reservation and the slot table, leases go through the ioctls.  Flat TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtslot/client.h"
#include "rtslot/dev.h"

static int n, failed;

static void ok(int cond, const char *what)
{
	printf("%sok %d kmod_smoke.%s\n", cond ? "" : "not ", ++n, what);
	failed |= !cond;
}

/* The runtime_ns column of task id in the device's tasks attribute, or -1. */
static long long runtime_of(uint32_t id)
{
	char buf[16384], *line, *save = NULL;
	unsigned int tid;
	long long rt;

	if (rtslot_sysfs_read(0, "tasks", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%u %*d %*s %*d %lld", &tid, &rt) == 2 && tid == id)
			return rt;
	return -1;
}

static void params(struct rtslotc_params *p, const char *name, uint64_t t, uint64_t c)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->period_us = t;
	p->wcet_us = c;
	p->kernels = 1;
}

int main(int argc, char **argv)
{
	struct rtslotc_task *a = NULL, *b = NULL, *c = NULL;
	struct rtslotc_params p;
	struct rtslotc_advice adv;
	struct rtslotc *conn;
	struct rtslot_dev dev;
	union rsp_msg m, r;
	char why[RSP_TEXT_LEN], buf[4096];
	uint64_t until;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s SOCKET\n", argv[0]);
		return 2;
	}
	err = rtslotc_connect(argv[1], "kmod-smoke", &conn);
	ok(!err, "connect");
	if (err)
		return 1;
	ok(rtslotc_backend(conn) == RSP_BACKEND_KMOD, "backend_is_kmod");

	params(&p, "a", 10000, 2000);
	err = rtslotc_register(conn, &p, &a, &adv, why, sizeof(why));
	ok(!err && adv.status == RSP_ST_ADMITTED, "register_a");
	if (err) {
		fprintf(stderr, "# %d %s\n", err, why);
		return 1;
	}
	ok(runtime_of(rtslotc_page(a)->task_id) == 2000000, "reservation_set_by_rtslotd");

	params(&p, "b", 20000, 5000);
	err = rtslotc_register(conn, &p, &b, &adv, why, sizeof(why));
	ok(!err, "register_b");
	if (err)
		return 1;
	/* The hyperperiod's table, once the first table's frame is over. */
	until = rtslot_now_ns() + 5000000000ULL;
	do {
		rtslot_sysfs_read(0, "frame_us", buf, sizeof(buf));
	} while (strcmp(buf, "20000") && rtslot_now_ns() < until);
	ok(!strcmp(buf, "20000"), "frame_is_the_hyperperiod");
	ok(rtslot_sysfs_read(0, "slots", buf, sizeof(buf)) > 0, "table_installed");

	ok(!rtslotc_lease_request(a, 1000000, 5000000000ULL), "lease_in_own_slot");
	err = rtslotc_lease_release(a, 0, NULL);
	ok(!err, "release");
	if (err)
		printf("# release: %s\n", strerror(-err));
	ok(rtslotc_lease_release(a, 0, NULL) == -ENOLCK, "release_twice_enolck");

	params(&p, "c", 10000, 7000);
	err = rtslotc_register(conn, &p, &c, &adv, why, sizeof(why));
	ok(err == -ENOSPC && strstr(why, "c: "), "overload_rejected");

	/* A task id that is not this process's is refused. */
	memset(&m, 0, sizeof(m));
	rsp_init(&m.hdr, RSP_REGISTER, rtslotc_next_seq(conn));
	strcpy(m.reg.name, "forged");
	m.reg.period_us = 100000;
	m.reg.wcet_us = 10;
	m.reg.dev_task_id = 99999;
	err = rtslot_open(&dev, 0);
	err = err ?: rtslot_task_create(&dev, "forged");
	err = err ?: rtslotc_call_raw(conn, &m, m.hdr.size, dev.fd, &r, NULL);
	ok(err == RSP_REJECTED && r.rejected.err == -EPERM, "forged_task_id_rejected");
	rtslot_close(&dev);
	/* And a plain file is not the device. */
	m.reg.dev_task_id = rtslotc_page(a)->task_id;
	m.hdr.seq = rtslotc_next_seq(conn);
	err = rtslotc_call_raw(conn, &m, m.hdr.size, open("/proc/self/stat", O_RDONLY), &r,
			       NULL);
	ok(err == RSP_REJECTED && r.rejected.err == -EINVAL, "non_device_file_rejected");

	ok(!rtslotc_unregister(b) && !rtslotc_unregister(a), "unregister");
	rtslot_sysfs_read(0, "tasks", buf, sizeof(buf));
	ok(!buf[0], "kernel_tasks_gone");
	rtslotc_close(conn);
	printf("# %d tests, %s\n", n, failed ? "FAILED" : "all passed");
	return failed;
}
