// SPDX-License-Identifier: GPL-2.0
/*
 * librtslot-cuda.so job markers for cooperative apps (include/rtslot/
 * client.h, user/python/rtslot.py): once an app marks its jobs, the
 * shim's own guess (synchronisation ends a job) is switched off.
 */
#include <errno.h>
#include <string.h>

#include "shim.h"

#define API __attribute__((visibility("default")))

API int rtslot_job_begin(void)
{
	return shim_job_begin();
}

API int rtslot_job_end(void)
{
	return shim_job_end();
}

API int rtslot_shim_status(struct rtslot_shim_status *st)
{
	if (!st)
		return -EINVAL;
	shim_init();
	memset(st, 0, sizeof(*st));
	st->state = (uint32_t)__atomic_load_n(&shim.state, __ATOMIC_ACQUIRE);
	st->status = __atomic_load_n(&shim.status, __ATOMIC_RELAXED);
	st->jobs = __atomic_load_n(&shim.n.jobs, __ATOMIC_RELAXED);
	st->requests = __atomic_load_n(&shim.n.requests, __ATOMIC_RELAXED);
	st->wait_ns = __atomic_load_n(&shim.n.waits_ns, __ATOMIC_RELAXED);
	st->ungated = __atomic_load_n(&shim.n.passed, __ATOMIC_RELAXED);
	st->refused = __atomic_load_n(&shim.n.refused, __ATOMIC_RELAXED);
	st->samples = __atomic_load_n(&shim.n.samples, __ATOMIC_RELAXED);
	return 0;
}
