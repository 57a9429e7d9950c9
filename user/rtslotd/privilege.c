// SPDX-License-Identifier: GPL-2.0
/*
 * Privilege follows SCHED_DEADLINE: high criticality, a priority above the
 * configured ceiling and a reservation need CAP_SYS_NICE (in rtslotd's
 * user namespace: a user namespace's root is not enough) or a uid or gid
 * the configuration lists.  Others are registered as best effort.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtslotd.h"

#define CAP_SYS_NICE_BIT	23

/* Is pid in the user namespace rtslotd is in? */
static int same_userns(pid_t pid)
{
	char path[64];
	struct stat mine, theirs;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if (stat("/proc/self/ns/user", &mine) || stat(path, &theirs))
		return 0;
	return mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev;
}

/*
 * The peer's effective capabilities and groups from /proc: read at
 * accept, while the connecting process is there to read (SO_PEERCRED's
 * pid, which a process that exited at once could hand to another).
 */
static int proc_status(pid_t pid, uint64_t *caps, const struct rd_config *c, int *listed)
{
	char path[64], line[1024];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "CapEff:", 7)) {
			*caps = strtoull(line + 7, NULL, 16);
			found = 1;
		} else if (!strncmp(line, "Groups:", 7)) {
			char *p = line + 7, *end;
			uint32_t i;

			for (;;) {
				unsigned long g = strtoul(p, &end, 10);

				if (end == p)
					break;
				for (i = 0; i < c->npriv_gids; i++)
					*listed |= c->priv_gids[i] == (gid_t)g;
				p = end;
			}
		}
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

int rd_peer_privileged(const struct rd_config *c, pid_t pid, uid_t uid, gid_t gid)
{
	uint64_t caps = 0;
	int listed = 0;
	uint32_t i;

	for (i = 0; i < c->npriv_uids; i++)
		listed |= c->priv_uids[i] == uid;
	for (i = 0; i < c->npriv_gids; i++)
		listed |= c->priv_gids[i] == gid;
	if (proc_status(pid, &caps, c, &listed))
		return listed;
	return listed || (same_userns(pid) && (caps >> CAP_SYS_NICE_BIT & 1));
}

const char *rd_privilege_needed(const struct rd_config *c, const struct rsp_register *r)
{
	if (r->criticality == RSP_CRIT_BEST_EFFORT)
		return NULL;
	if (r->criticality == RSP_CRIT_HIGH)
		return "high criticality needs CAP_SYS_NICE or a privileged_uids/gids entry";
	if (r->priority > c->priority_ceiling)
		return "a priority above priority_ceiling needs CAP_SYS_NICE or a "
		       "privileged_uids/gids entry";
	if (!c->unprivileged_reservations)
		return "a reservation needs CAP_SYS_NICE or a privileged_uids/gids entry";
	return NULL;
}
