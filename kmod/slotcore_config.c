// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Slot core configuration: every device parameter checked against the
 * others before it changes, and each task's lease bound.  Freestanding,
 * like the rest of the core.
 */
#include "rtslot/slotcore.h"

int rs_config_set(struct rs_dev *d, enum rs_param p, rs_u64 val, rs_u64 now)
{
	struct rs_config *c = &d->cfg;

	switch (p) {
	case RS_PARAM_PREEMPT_MODE:
		if (val > RS_PREEMPT_INSTRUCTION)
			return -RS_EINVAL;
		c->preempt_mode = (rs_u32)val;
		break;
	case RS_PARAM_PREEMPT_LATENCY:
		if (val > RS_LATENCY_MAX_NS)
			return -RS_EINVAL;
		c->preempt_latency = val;
		break;
	case RS_PARAM_GUARD:
		if (val >= c->frame)
			return -RS_EINVAL;
		c->guard = val;
		break;
	case RS_PARAM_SWITCH:
		if (val >= c->frame)
			return -RS_EINVAL;
		c->switch_cost = val;
		break;
	case RS_PARAM_FRAME:
		if (val < RS_FRAME_MIN_NS || val > RS_FRAME_MAX_NS ||
		    val <= c->guard || val <= c->switch_cost)
			return -RS_EINVAL;
		/* Slot offsets are relative to the frame: keep them valid. */
		if (d->table.nslots || d->has_pending)
			return -RS_EBUSY;
		c->frame = val;
		break;
	case RS_PARAM_POLICY:
		if (val > RS_POLICY_FP)
			return -RS_EINVAL;
		c->policy = (rs_u32)val;
		break;
	case RS_PARAM_OVERRUN_ACTION:
		if (val > RS_OVERRUN_THROTTLE)
			return -RS_EINVAL;
		c->overrun_action = (rs_u32)val;
		break;
	case RS_PARAM_OVERRUN_GRACE:
		if (val > RS_LATENCY_MAX_NS)
			return -RS_EINVAL;
		c->overrun_grace = val;
		break;
	case RS_PARAM_RECLAIM:
		if (val > 1)
			return -RS_EINVAL;
		c->reclaim = (rs_u32)val;
		break;
	case RS_PARAM_BE_MAX:
		if (val < RS_LEASE_MAX_MIN_NS || val > RS_LEASE_MAX_MAX_NS)
			return -RS_EINVAL;
		c->be_max = val;
		break;
	default:
		return -RS_EINVAL;
	}
	/* A new policy or guard may let a waiter in at once. */
	rs_tick(d, now);
	return 0;
}

rs_u64 rs_config_get(const struct rs_dev *d, enum rs_param p)
{
	const struct rs_config *c = &d->cfg;

	switch (p) {
	case RS_PARAM_PREEMPT_MODE:
		return c->preempt_mode;
	case RS_PARAM_PREEMPT_LATENCY:
		return c->preempt_latency;
	case RS_PARAM_GUARD:
		return c->guard;
	case RS_PARAM_SWITCH:
		return c->switch_cost;
	case RS_PARAM_FRAME:
		return c->frame;
	case RS_PARAM_POLICY:
		return c->policy;
	case RS_PARAM_OVERRUN_ACTION:
		return c->overrun_action;
	case RS_PARAM_OVERRUN_GRACE:
		return c->overrun_grace;
	case RS_PARAM_RECLAIM:
		return c->reclaim;
	case RS_PARAM_BE_MAX:
		return c->be_max;
	default:
		return 0;
	}
}

/*
 * The invariant admission rests on: the blocking it charges a task (its
 * non-preemptible unit q) is the most work the grant rule lets one lease
 * of that task cover, best effort included.
 */
rs_u64 rs_lease_bound(const struct rs_dev *d, const struct rs_task *t)
{
	if (t->lease_max)
		return t->lease_max;
	return t->runtime ? RS_TIME_MAX : d->cfg.be_max;
}

int rs_set_lease_max(struct rs_dev *d, struct rs_task *t, rs_u64 max, rs_u64 now)
{
	if (max && (max < RS_LEASE_MAX_MIN_NS || max > RS_LEASE_MAX_MAX_NS))
		return -RS_EINVAL;
	t->lease_max = max;
	rs_tick(d, now);
	return 0;
}
