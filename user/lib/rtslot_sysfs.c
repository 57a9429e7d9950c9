// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * librtslot: read and write the attributes of /sys/class/rtslot/rtslot<N>
 * (docs/ABI/sysfs-class-rtslot), returning -errno like the ioctl wrappers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rtslot/dev.h>

static int attr_open(unsigned int index, const char *attr, int flags)
{
	char path[128];
	int n, fd;

	if (!attr[0] || strchr(attr, '/'))
		return -EINVAL;
	n = snprintf(path, sizeof(path), RTSLOT_SYSFS_FMT "/%s", index, attr);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Returns the length read; -EOVERFLOW when the attribute did not fit. */
int rtslot_sysfs_read(unsigned int index, const char *attr, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	if (!len)
		return -EINVAL;
	fd = attr_open(index, attr, O_RDONLY);
	if (fd < 0)
		return fd;
	/* sysfs hands out one page per read() at most, so loop to EOF. */
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return (int)n;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == len - 1) {
		char extra;

		n = read(fd, &extra, 1);
		if (n > 0) {
			close(fd);
			return -EOVERFLOW;
		}
	}
	close(fd);
	while (got && buf[got - 1] == '\n')
		got--;
	buf[got] = '\0';
	return (int)got;
}

int rtslot_sysfs_write(unsigned int index, const char *attr, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, ret = 0;

	fd = attr_open(index, attr, O_WRONLY);
	if (fd < 0)
		return fd;
	/* One write(): sysfs takes the value as a whole or rejects it. */
	n = write(fd, val, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}
