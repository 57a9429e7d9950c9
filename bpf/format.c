// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * librtslot-bpf: check that the module's trace records are laid out as
 * rtslot_bpf.h says, before programs that read them by offset attach.
 * The module has no BTF, so nothing else would notice a mismatch.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define FSZ(type, member)	sizeof(((struct type *)0)->member)
#define F(event, type, member) \
	{ event, #member, offsetof(struct type, member), FSZ(type, member) }
#define F_AS(event, type, member, tpname) \
	{ event, tpname, offsetof(struct type, member), FSZ(type, member) }

static const struct field {
	const char *event, *name;
	size_t offset, size;
} fields[] = {
	F("rtslot_task_join", rtslot_tp_join, dev),
	F("rtslot_task_join", rtslot_tp_join, task),
	F("rtslot_task_join", rtslot_tp_join, pid),
	F_AS("rtslot_task_join", rtslot_tp_join, name_loc, "name"),
	F("rtslot_task_leave", rtslot_tp_leave, dev),
	F("rtslot_task_leave", rtslot_tp_leave, task),
	F("rtslot_task_leave", rtslot_tp_leave, state),
	F("rtslot_task_leave", rtslot_tp_leave, grants),
	F("rtslot_task_leave", rtslot_tp_leave, misses),
	F("rtslot_task_leave", rtslot_tp_leave, overruns),
	F("rtslot_lease_request", rtslot_tp_request, dev),
	F("rtslot_lease_request", rtslot_tp_request, task),
	F("rtslot_lease_request", rtslot_tp_request, est_ns),
	F("rtslot_lease_request", rtslot_tp_request, deadline_ns),
	F("rtslot_lease_grant", rtslot_tp_grant, dev),
	F("rtslot_lease_grant", rtslot_tp_grant, task),
	F("rtslot_lease_grant", rtslot_tp_grant, generation),
	F("rtslot_lease_grant", rtslot_tp_grant, lease_end_ns),
	F("rtslot_lease_grant", rtslot_tp_grant, wait_ns),
	F("rtslot_lease_cancel", rtslot_tp_cancel, dev),
	F("rtslot_lease_cancel", rtslot_tp_cancel, task),
	F("rtslot_lease_cancel", rtslot_tp_cancel, wait_ns),
	F("rtslot_lease_cancel", rtslot_tp_cancel, err),
	F("rtslot_lease_release", rtslot_tp_release, dev),
	F("rtslot_lease_release", rtslot_tp_release, task),
	F("rtslot_lease_release", rtslot_tp_release, generation),
	F("rtslot_lease_release", rtslot_tp_release, held_ns),
	F("rtslot_lease_release", rtslot_tp_release, actual_ns),
	F("rtslot_deadline_miss", rtslot_tp_miss, dev),
	F("rtslot_deadline_miss", rtslot_tp_miss, task),
	F("rtslot_deadline_miss", rtslot_tp_miss, deadline_ns),
	F("rtslot_deadline_miss", rtslot_tp_miss, now_ns),
	F("rtslot_overrun", rtslot_tp_overrun, dev),
	F("rtslot_overrun", rtslot_tp_overrun, task),
	F("rtslot_overrun", rtslot_tp_overrun, over_ns),
	F("rtslot_overrun", rtslot_tp_overrun, action),
	F("rtslot_table_switch", rtslot_tp_table, dev),
	F("rtslot_table_switch", rtslot_tp_table, nslots),
	F("rtslot_table_switch", rtslot_tp_table, frame_ns),
	F("rtslot_table_switch", rtslot_tp_table, epoch_ns),
};

/*
 * One line of a format file:
 *	field:u64 est_ns;	offset:16;	size:8;	signed:0;
 * The name is the last word before ';', without any [] suffix.
 */
static int parse_line(const char *line, char *name, size_t nlen, size_t *off, size_t *size)
{
	const char *f = strstr(line, "field:"), *semi, *start;
	unsigned long o, s;
	size_t n;

	if (!f || !(semi = strchr(f, ';')))
		return -EINVAL;
	start = semi;
	while (start > f && start[-1] != ' ' && start[-1] != ':')
		start--;
	n = strcspn(start, "[;");
	if (!n || n >= nlen)
		return -EINVAL;
	memcpy(name, start, n);
	name[n] = '\0';
	if (sscanf(semi, "; offset:%lu; size:%lu;", &o, &s) != 2 &&
	    sscanf(semi, ";\toffset:%lu;\tsize:%lu;", &o, &s) != 2)
		return -EINVAL;
	*off = o;
	*size = s;
	return 0;
}

static int check_field(const char *tracefs, const struct field *want, char *err, size_t errlen)
{
	char path[256], line[256], name[64];
	size_t off, size;
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/events/rtslot/%s/format", tracefs, want->event);
	f = fopen(path, "re");
	if (!f)
		return rb_fail(err, errlen, -errno, "cannot read %s: %s (an older rtslot.ko?)",
			       path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (parse_line(line, name, sizeof(name), &off, &size) || strcmp(name, want->name))
			continue;
		found = 1;
		break;
	}
	fclose(f);
	if (!found)
		return rb_fail(err, errlen, -EPROTO, "rtslot.ko's %s has no field %s",
			       want->event, want->name);
	if (off != want->offset || size != want->size)
		return rb_fail(err, errlen, -EPROTO,
			       "rtslot.ko's %s.%s is at offset %zu size %zu, the probes expect %zu size %zu",
			       want->event, want->name, off, size, want->offset, want->size);
	return 0;
}

int rb_check_formats(const char *tracefs, char *err, size_t errlen)
{
	size_t i;
	int ret;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		ret = check_field(tracefs, &fields[i], err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}
