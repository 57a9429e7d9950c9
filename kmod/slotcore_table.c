// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Slot core tables: where in the frame a time falls, and checked table
 * switches at a frame boundary.  Freestanding, like the rest of the core.
 */
#include "rtslot/slotcore.h"

int rs_slot_at(const struct rs_dev *d, rs_u64 now, struct rs_slot_at *at)
{
	const struct rs_table *tab = &d->table;
	rs_u64 frame = d->cfg.frame;
	rs_u64 base, off, prev_end = 0;
	rs_u32 i;

	if (!tab->nslots || now < d->epoch)
		return -RS_ENOENT;
	base = d->epoch + (now - d->epoch) / frame * frame;
	off = now - base;

	for (i = 0; i < tab->nslots; i++) {
		const struct rs_slot *s = &tab->slot[i];

		if (off < s->start) {
			at->index = -1;
			at->owner = 0;
			at->start = base + prev_end;
			at->end = base + s->start;
			return 0;
		}
		if (off < s->start + s->len) {
			at->index = (rs_s32)i;
			at->owner = s->owner;
			at->start = base + s->start;
			at->end = base + s->start + s->len;
			return 0;
		}
		prev_end = s->start + s->len;
	}
	at->index = -1;
	at->owner = 0;
	at->start = base + prev_end;
	at->end = base + frame;
	return 0;
}

int rs_table_check(const struct rs_dev *d, const struct rs_table *tab)
{
	rs_u64 frame = d->cfg.frame, prev_end = 0;
	rs_u32 i;

	if (tab->nslots > RS_MAX_SLOTS)
		return -RS_EINVAL;
	if (tab->frame && tab->frame != frame)
		return -RS_EINVAL;
	for (i = 0; i < tab->nslots; i++) {
		const struct rs_slot *s = &tab->slot[i];

		if (s->flags || !s->len || s->start < prev_end ||
		    s->start >= frame || s->len > frame - s->start)
			return -RS_EINVAL;
		prev_end = s->start + s->len;
	}
	for (i = 0; i < tab->nslots; i++)
		if (tab->slot[i].owner && !rs_task_find(d, tab->slot[i].owner))
			return -RS_ENOENT;
	return 0;
}

int rs_set_table(struct rs_dev *d, const struct rs_table *tab, rs_u64 now)
{
	rs_u32 i;
	int err = rs_table_check(d, tab);

	if (err)
		return err;
	d->pending.frame = d->cfg.frame;
	d->pending.nslots = tab->nslots;
	for (i = 0; i < tab->nslots; i++)
		d->pending.slot[i] = tab->slot[i];
	/* A replaced pending table keeps its switch time: one boundary. */
	if (!d->has_pending) {
		if (d->table.nslots)
			d->pending_at = d->epoch +
				((now - d->epoch) / d->cfg.frame + 1) * d->cfg.frame;
		else
			d->pending_at = now;
		d->has_pending = 1;
	}
	rs_tick(d, now);
	return 0;
}
