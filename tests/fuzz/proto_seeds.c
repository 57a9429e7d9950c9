// SPDX-License-Identifier: GPL-2.0
/*
 * Writes one valid message of every protocol type into DIR, the seed
 * corpus of proto_fuzz: mutations of valid messages reach the field checks.
 */
#include <stdio.h>
#include <string.h>

#include "rtslot/proto.h"

static int put(const char *dir, const union rsp_msg *m)
{
	char path[4096];
	FILE *f;
	size_t n = rsp_size(m->hdr.type);

	snprintf(path, sizeof(path), "%s/seed-%s", dir, rsp_type_name(m->hdr.type));
	f = fopen(path, "wb");
	if (!f || fwrite(m, 1, n, f) != n) {
		perror(path);
		if (f)
			fclose(f);
		return 1;
	}
	return fclose(f) != 0;
}

int main(int argc, char **argv)
{
	static const uint16_t all[] = {
		RSP_HELLO, RSP_REGISTER, RSP_UNREGISTER, RSP_JOB_BEGIN, RSP_JOB_END,
		RSP_LEASE_REQUEST, RSP_LEASE_RENEW, RSP_LEASE_RELEASE, RSP_LEASE_CANCEL,
		RSP_STATS, RSP_WELCOME, RSP_OK, RSP_ERROR, RSP_ACCEPTED, RSP_REJECTED,
		RSP_ADVICE, RSP_LEASE, RSP_STATS_REPLY,
	};
	union rsp_msg m, back;
	size_t i;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		memset(&m, 0, sizeof(m));
		rsp_init(&m.hdr, all[i], (uint32_t)i);
		switch (all[i]) {
		case RSP_HELLO:
			m.hello.version = RSP_VERSION;
			rsp_set_name(m.hello.name, sizeof(m.hello.name), "seed");
			break;
		case RSP_REGISTER:
			rsp_set_name(m.reg.name, sizeof(m.reg.name), "cam");
			m.reg.period_us = 10000;
			m.reg.wcet_us = 1000;
			m.reg.kernels = 4;
			m.reg.nvariants = 1;
			rsp_set_name(m.reg.variant[0].name, RSP_NAME_LEN, "fp16");
			m.reg.variant[0].scale_ppm = RSP_PPM;
			m.reg.variant[0].accuracy_ppm = 760000;
			break;
		case RSP_WELCOME:
			m.welcome.version = RSP_VERSION;
			m.welcome.naccels = 1;
			rsp_set_name(m.welcome.accel[0].name, RSP_NAME_LEN, "gpu0");
			m.welcome.accel[0].dev_index = -1;
			break;
		case RSP_ERROR:
			m.error.err = -22;
			break;
		case RSP_REJECTED:
			m.rejected.err = -28;
			break;
		default:
			break;
		}
		if (rsp_parse(&m, rsp_size(all[i]), &back) != all[i]) {
			fprintf(stderr, "seed %s does not parse\n", rsp_type_name(all[i]));
			bad = 1;
		}
		bad |= put(argv[1], &m);
	}
	return bad;
}
