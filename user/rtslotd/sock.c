// SPDX-License-Identifier: GPL-2.0
/*
 * The listening AF_UNIX SOCK_SEQPACKET socket: its directory, a stale
 * socket from a dead daemon removed, a live one left alone.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "rtslotd.h"

static int addr_of(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

/* A socket file nobody answers on is left over from a daemon that died. */
static int clear_stale(const struct sockaddr_un *sa, char *why, size_t len)
{
	struct stat st;
	int fd, live;

	if (lstat(sa->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, len, "%s exists and is not a socket", sa->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	live = !connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (live) {
		snprintf(why, len, "another rtslotd listens on %s", sa->sun_path);
		return -EADDRINUSE;
	}
	return unlink(sa->sun_path) ? -errno : 0;
}

int rd_listen(const struct rd_config *c, char *why, size_t len)
{
	struct sockaddr_un sa, tmp = { .sun_family = AF_UNIX };
	char dir[sizeof(c->socket)];
	const char *slash;
	int fd = -1, err, bound = 0, n;

	err = addr_of(c->socket, &sa);
	if (err) {
		snprintf(why, len, "socket path \"%s\" is empty or too long", c->socket);
		return err;
	}
	snprintf(dir, sizeof(dir), "%s", c->socket);
	if (mkdir(dirname(dir), 0755) && errno != EEXIST) {
		err = -errno;
		snprintf(why, len, "cannot create the directory of %s: %s", c->socket,
			 strerror(errno));
		return err;
	}
	why[0] = '\0';
	err = clear_stale(&sa, why, len);
	if (err) {
		if (!why[0])
			snprintf(why, len, "%s: %s", c->socket, strerror(-err));
		return err;
	}
	/*
	 * Bound and listening under a name of its own first, then renamed:
	 * a client that sees the socket can connect to it.  Bound at its
	 * name, the file would exist before listen(), and a client (or a
	 * test) that took the file for a daemon ready would be refused.
	 */
	slash = strrchr(c->socket, '/');
	n = slash ? (int)(slash - c->socket + 1) : 0;
	if (snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%.*s.rtslotd-%d", n, c->socket,
		     (int)getpid()) >= (int)sizeof(tmp.sun_path)) {
		snprintf(why, len, "socket path \"%s\" leaves no room for its temporary name",
			 c->socket);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	unlink(tmp.sun_path);
	if (bind(fd, (const struct sockaddr *)&tmp, sizeof(tmp)))
		goto fail;
	bound = 1;
	if (chmod(tmp.sun_path, c->socket_mode) || listen(fd, 128) ||
	    rename(tmp.sun_path, c->socket))
		goto fail;
	return fd;
fail:
	err = -errno;
	snprintf(why, len, "%s: %s", c->socket, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (bound)
		unlink(tmp.sun_path);
	return err;
}

void rd_unlisten(const struct rd_config *c, int fd)
{
	close(fd);
	unlink(c->socket);
}
