// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench/handoff: the futex baseline.  The shared word `turn` names the side
 * that owns the device; the waiter sleeps in FUTEX_WAIT until the owner
 * flips it and calls FUTEX_WAKE.  It is the least a handoff can cost.
 */
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "handoff.h"

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts)
{
	/* Not FUTEX_PRIVATE_FLAG: the word is shared between two processes. */
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static int fx_setup(struct ho_side *s0, struct ho_side *s1)
{
	s0->sh->turn = 0;
	return 0;
}

static int fx_block(struct ho_side *s)
{
	const struct timespec tmo = { 1, 0 };
	struct ho_shared *sh = s->sh;
	int ret = 0;

	__atomic_store_n(&sh->waiting[s->id], 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&sh->turn, __ATOMIC_ACQUIRE) != (uint32_t)s->id) {
		if (__atomic_load_n(&sh->failed, __ATOMIC_RELAXED)) {
			ret = -ECANCELED;
			break;
		}
		/* EAGAIN: turn changed before we slept; ETIMEDOUT: look again. */
		if (futex(&sh->turn, FUTEX_WAIT, (uint32_t)!s->id, &tmo) < 0 &&
		    errno != EAGAIN && errno != EINTR && errno != ETIMEDOUT) {
			ret = -errno;
			break;
		}
	}
	__atomic_store_n(&sh->waiting[s->id], 0, __ATOMIC_RELAXED);
	return ret;
}

static int fx_hand(struct ho_side *s)
{
	__atomic_store_n(&s->sh->turn, (uint32_t)!s->id, __ATOMIC_RELEASE);
	return futex(&s->sh->turn, FUTEX_WAKE, 1, NULL) < 0 ? -errno : 0;
}

static int fx_peer_queued(const struct ho_side *s)
{
	return __atomic_load_n(&s->sh->waiting[!s->id], __ATOMIC_ACQUIRE);
}

static int fx_finish(struct ho_side *s, int owner)
{
	return 0;
}

const struct ho_ops ho_futex_ops = {
	.name = "futex",
	.setup = fx_setup,
	.block = fx_block,
	.hand = fx_hand,
	.peer_queued = fx_peer_queued,
	.finish = fx_finish,
};
