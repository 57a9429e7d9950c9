// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the rtslotd protocol parser: any bytes must parse
 * or fail cleanly, and whatever parses must encode back to the same bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtslot/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union rsp_msg m;
	int ret = rsp_parse(data, size, &m);

	if (ret < 0) {
		switch (ret) {
		case -EBADMSG:
		case -EPROTONOSUPPORT:
		case -EOPNOTSUPP:
		case -EMSGSIZE:
		case -EINVAL:
			return 0;
		default:
			abort();	/* an errno the contract does not list */
		}
	}
	/* A parsed message: its type, size and bytes are exactly the input. */
	if ((size_t)ret != (size_t)m.hdr.type || rsp_size(m.hdr.type) != size ||
	    m.hdr.size != size || memcmp(&m, data, size))
		abort();
	if (!strcmp(rsp_type_name(m.hdr.type), "UNKNOWN"))
		abort();
	return 0;
}
