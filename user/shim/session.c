// SPDX-License-Identifier: GPL-2.0
/*
 * librtslot-cuda.so session: registering the process with rtslotd as one
 * task, failing open (ungated, one warning) or closed when rtslotd cannot
 * be reached, retrying later, and starting afresh in a forked child.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

struct shim shim = {
	.sess = PTHREAD_RWLOCK_INITIALIZER,
	.gate_lock = PTHREAD_MUTEX_INITIALIZER,
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void vlog(const char *fmt, va_list ap)
{
	char buf[320];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, SHIM_PREFIX "%s\n", buf);
}

void shim_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void shim_debug(const char *fmt, ...)
{
	va_list ap;

	if (!shim.cfg.verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

static void set_state(int st)
{
	__atomic_store_n(&shim.state, st, __ATOMIC_RELEASE);
}

static void fork_prepare(void)
{
	pthread_mutex_lock(&shim.gate_lock);
	pthread_rwlock_wrlock(&shim.sess);
}

static void fork_parent(void)
{
	pthread_rwlock_unlock(&shim.sess);
	pthread_mutex_unlock(&shim.gate_lock);
}

/*
 * The child shares its parent's socket and device file: using them would
 * act on the parent's task.  It keeps the learned kernel durations and
 * registers on its own if it launches (after exec, or a fresh CUDA).
 */
static void fork_child(void)
{
	pthread_rwlock_init(&shim.sess, NULL);
	pthread_mutex_init(&shim.gate_lock, NULL);
	rtslotc_task_drop(shim.task);
	rtslotc_close(shim.conn);
	shim.task = NULL;
	shim.conn = NULL;
	shim.page = NULL;
	shim.retry_at = 0;
	shim.warned = 0;
	memset(&shim.n, 0, sizeof(shim.n));
	shim_gate_reset(1);
	watcher_reset();
	kstat_reset();
	if (shim.state == SHIM_ON || shim.state == SHIM_REFUSE)
		set_state(SHIM_UNINIT);
}

static void init(void)
{
	char why[200];
	const char *fail;

	if (shim_config_read(&shim.cfg, why, sizeof(why))) {
		/* A broken description is the user's to fix, not rtslotd's. */
		fail = getenv("RTSLOT_FAIL");
		shim_warn("%s: %s", why, fail && !strcmp(fail, "closed") ?
			  "refusing every launch (RTSLOT_FAIL=closed)" : "running ungated");
		shim.cfg.fail = fail && !strcmp(fail, "closed") ? SHIM_FAIL_CLOSED : SHIM_FAIL_OPEN;
		shim.retry_at = UINT64_MAX;
		set_state(shim.cfg.fail == SHIM_FAIL_CLOSED ? SHIM_REFUSE : SHIM_PASS);
	} else if (shim.cfg.disabled) {
		shim.retry_at = UINT64_MAX;
		set_state(SHIM_PASS);
	}
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void shim_init(void)
{
	pthread_once(&init_once, init);
}

/* Job reports still queued when the app exits would be lost: send them. */
__attribute__((destructor)) static void shim_exit(void)
{
	if (__atomic_load_n(&shim.state, __ATOMIC_ACQUIRE) == SHIM_ON)
		watcher_flush();
}

/* Caller holds sess for writing. */
static void give_up(int err, const char *what)
{
	int closed = shim.cfg.fail == SHIM_FAIL_CLOSED;

	if (!shim.warned || shim.cfg.verbose)
		shim_warn("%s (%s): %s; retrying every %llu ms", what, strerror(-err),
			  closed ? "refusing launches (RTSLOT_FAIL=closed)" : "running ungated",
			  (unsigned long long)(shim.cfg.retry_ns / 1000000));
	shim.warned = 1;
	shim.retry_at = rtslot_now_ns() + shim.cfg.retry_ns;
	set_state(closed ? SHIM_REFUSE : SHIM_PASS);
}

static int do_register(struct rtslotc_params *p, struct rtslotc_advice *adv)
{
	char reason[RSP_TEXT_LEN];
	int err;

	err = rtslotc_register(shim.conn, p, &shim.task, adv, reason, sizeof(reason));
	if (err == -EEXIST) {
		/* Two instances of one app: tell them apart by pid. */
		snprintf(p->name, sizeof(p->name), "%.*s-%d", (int)sizeof(p->name) - 12,
			 shim.cfg.task.name, (int)getpid());
		err = rtslotc_register(shim.conn, p, &shim.task, adv, reason, sizeof(reason));
	}
	if ((err == -ENOSPC || err == -EINVAL) && p->criticality != RSP_CRIT_BEST_EFFORT) {
		shim_warn("task %s not admitted: %s; running it as best effort", p->name, reason);
		p->criticality = RSP_CRIT_BEST_EFFORT;
		p->wcet_us = 0;
		p->max_kernel_us = (shim.cfg.quantum_ns + 999) / 1000;
		err = rtslotc_register(shim.conn, p, &shim.task, adv, reason, sizeof(reason));
	}
	if (err && reason[0])
		shim_warn("task %s refused: %s", p->name, reason);
	return err;
}

int shim_session_up(void)
{
	struct rtslotc_params p;
	struct rtslotc_advice adv;
	int st = __atomic_load_n(&shim.state, __ATOMIC_ACQUIRE), err;

	if (st == SHIM_ON || (st != SHIM_UNINIT && rtslot_now_ns() < shim.retry_at))
		return st;
	pthread_rwlock_wrlock(&shim.sess);
	st = shim.state;
	if (st == SHIM_ON || (st != SHIM_UNINIT && rtslot_now_ns() < shim.retry_at))
		goto out;
	err = rtslotc_connect_bounded(shim.cfg.socket, shim.cfg.task.name, shim.cfg.reply_ns,
				      &shim.conn);
	if (err) {
		shim.conn = NULL;
		give_up(err, err == -ETIMEDOUT ? "rtslotd did not answer in RTSLOT_REPLY_MS" :
			"rtslotd is not reachable");
		goto out;
	}
	p = shim.cfg.task;
	err = do_register(&p, &adv);
	if (err) {
		rtslotc_close(shim.conn);
		shim.conn = NULL;
		shim.task = NULL;
		give_up(err, "rtslotd did not register the task");
		goto out;
	}
	shim.page = rtslotc_page(shim.task);
	__atomic_store_n(&shim.status, adv.status, __ATOMIC_RELAXED);
	shim_debug("task %s registered with rtslotd (%s backend): %s%s%s", p.name,
		   rtslotc_backend(shim.conn) == RSP_BACKEND_KMOD ? "kmod" : "user",
		   adv.status == RSP_ST_ADMITTED ? "admitted" :
		   adv.status == RSP_ST_LEARNING ? "learning" : "best effort",
		   adv.reason[0] ? ": " : "", adv.reason);
	if (shim.warned)
		shim_warn("rtslotd is back: task %s gated again", p.name);
	shim.warned = 0;
	shim_gate_reset(0);
	set_state(SHIM_ON);
out:
	st = shim.state;
	pthread_rwlock_unlock(&shim.sess);
	return st;
}

void shim_session_lost(int err, const char *what)
{
	pthread_rwlock_wrlock(&shim.sess);
	if (shim.state == SHIM_ON) {
		give_up(err, what);
		/* Launches past their check still read the page: let them pass. */
		shim_gate_quiesce();
		rtslotc_task_drop(shim.task);
		rtslotc_close(shim.conn);
		shim.task = NULL;
		shim.conn = NULL;
		shim.page = NULL;
	}
	pthread_rwlock_unlock(&shim.sess);
}

void shim_session_advice(const struct rtslotc_advice *adv)
{
	uint32_t old = __atomic_exchange_n(&shim.status, adv->status, __ATOMIC_RELAXED);

	if (old != adv->status)
		shim_debug("task %s is now %s%s%s", shim.cfg.task.name,
			   adv->status == RSP_ST_ADMITTED ? "admitted" :
			   adv->status == RSP_ST_LEARNING ? "learning" : "best effort",
			   adv->reason[0] ? ": " : "", adv->reason);
}
