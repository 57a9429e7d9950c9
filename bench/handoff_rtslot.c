// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench/handoff: the rtslot side.  Each side is a task on /dev/rtslotN; the
 * owner holds the lease, the waiter blocks in LEASE_REQUEST, and a handoff
 * is the owner's LEASE_RELEASE granting the waiter.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "handoff.h"

/*
 * Best-effort leases last est + guard: ask for long enough that no holder,
 * however slow the emulated guest is, overruns and gets revoked mid-run.
 */
#define HO_EST_NS	(1000ULL * 1000 * 1000)
#define HO_TIMEOUT_NS	(20ULL * 1000 * 1000 * 1000)

static int open_side(struct ho_side *s, const char *name)
{
	int ret = rtslot_open(&s->dev, s->dev_index);

	if (!ret)
		ret = rtslot_task_create(&s->dev, name);
	if (!ret)
		ret = rtslot_lease_map(&s->dev);
	return ret;
}

static int rt_setup(struct ho_side *s0, struct ho_side *s1)
{
	int ret;

	s0->dev.fd = s1->dev.fd = -1;
	ret = open_side(s0, "handoff-a");
	if (!ret)
		ret = open_side(s1, "handoff-b");
	if (ret)
		return ret;
	s0->peer_page = s1->dev.page;
	s1->peer_page = s0->dev.page;
	return rtslot_lease_request(&s0->dev, HO_EST_NS, HO_TIMEOUT_NS, NULL);
}

/* The peer's page stays mapped: we watch its state; only its fd goes. */
static void rt_drop_peer(struct ho_side *peer)
{
	if (peer->dev.fd >= 0)
		close(peer->dev.fd);
	peer->dev.fd = -1;
}

static int rt_block(struct ho_side *s)
{
	return rtslot_lease_request(&s->dev, HO_EST_NS, HO_TIMEOUT_NS, NULL);
}

static int rt_hand(struct ho_side *s)
{
	return rtslot_lease_release(&s->dev, 0, NULL);
}

static int rt_peer_queued(const struct ho_side *s)
{
	struct rtslot_lease_snap snap;

	rtslot_lease_read(s->peer_page, &snap);
	return snap.state == RTSLOT_LEASE_WAITING;
}

static int rt_finish(struct ho_side *s, int owner)
{
	return owner ? rtslot_lease_release(&s->dev, 0, NULL) : 0;
}

static void rt_teardown(struct ho_side *s0, struct ho_side *s1)
{
	rtslot_close(&s0->dev);
	rtslot_close(&s1->dev);
}

const struct ho_ops ho_rtslot_ops = {
	.name = "rtslot",
	.setup = rt_setup,
	.drop_peer = rt_drop_peer,
	.block = rt_block,
	.hand = rt_hand,
	.peer_queued = rt_peer_queued,
	.finish = rt_finish,
	.teardown = rt_teardown,
};
