// SPDX-License-Identifier: GPL-2.0
/*
 * The rtslotd wire protocol: message sizes, headers and the strict parser
 * (a pure function: rtslotd, the client library and the fuzzer call it).
 */
#include <errno.h>
#include <string.h>

#include "rtslot/proto.h"

struct type_info {
	uint16_t type;
	uint16_t size;
	const char *name;
};

static const struct type_info types[] = {
	{ RSP_HELLO, sizeof(struct rsp_hello), "HELLO" },
	{ RSP_REGISTER, sizeof(struct rsp_register), "REGISTER" },
	{ RSP_UNREGISTER, sizeof(struct rsp_task_ref), "UNREGISTER" },
	{ RSP_JOB_BEGIN, sizeof(struct rsp_job_begin), "JOB_BEGIN" },
	{ RSP_JOB_END, sizeof(struct rsp_job_end), "JOB_END" },
	{ RSP_LEASE_REQUEST, sizeof(struct rsp_lease_req), "LEASE_REQUEST" },
	{ RSP_LEASE_RENEW, sizeof(struct rsp_lease_req), "LEASE_RENEW" },
	{ RSP_LEASE_RELEASE, sizeof(struct rsp_lease_release), "LEASE_RELEASE" },
	{ RSP_LEASE_CANCEL, sizeof(struct rsp_task_ref), "LEASE_CANCEL" },
	{ RSP_STATS, sizeof(struct rsp_hdr), "STATS" },
	{ RSP_WELCOME, sizeof(struct rsp_welcome), "WELCOME" },
	{ RSP_OK, sizeof(struct rsp_task_ref), "OK" },
	{ RSP_ERROR, sizeof(struct rsp_error), "ERROR" },
	{ RSP_ACCEPTED, sizeof(struct rsp_accepted), "ACCEPTED" },
	{ RSP_REJECTED, sizeof(struct rsp_rejected), "REJECTED" },
	{ RSP_ADVICE, sizeof(struct rsp_advice), "ADVICE" },
	{ RSP_LEASE, sizeof(struct rsp_lease), "LEASE" },
	{ RSP_STATS_REPLY, sizeof(struct rsp_stats), "STATS_REPLY" },
};

static const struct type_info *lookup(uint16_t type)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return &types[i];
	return NULL;
}

size_t rsp_size(uint16_t type)
{
	const struct type_info *ti = lookup(type);

	return ti ? ti->size : 0;
}

const char *rsp_type_name(uint16_t type)
{
	const struct type_info *ti = lookup(type);

	return ti ? ti->name : "UNKNOWN";
}

void rsp_init(struct rsp_hdr *h, uint16_t type, uint32_t seq)
{
	h->version = RSP_VERSION;
	h->type = type;
	h->size = (uint32_t)rsp_size(type);
	h->seq = seq;
	h->flags = 0;
}

int rsp_set_name(char *field, size_t size, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= size)
		return -ENAMETOOLONG;
	memset(field, 0, size);
	if (n)
		memcpy(field, s, n);
	return 0;
}

static int zero(const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return 0;
	return 1;
}

/*
 * A name field holds its NUL, and only zeros after it, so that a parsed
 * message re-encodes to the same bytes and no stale data passes through.
 */
static int name_ok(const char *f, size_t size)
{
	const char *nul = memchr(f, '\0', size);

	return nul && zero(nul, size - (size_t)(nul - f));
}

#define NAME_OK(f)	name_ok((f), sizeof(f))

static int variants_ok(const struct rsp_register *r)
{
	uint32_t i;

	if (r->nvariants > RSP_MAX_VARIANTS)
		return 0;
	for (i = 0; i < r->nvariants; i++) {
		const struct rsp_variant *v = &r->variant[i];

		if (!NAME_OK(v->name) || !v->scale_ppm || v->scale_ppm > RSP_SCALE_MAX_PPM ||
		    v->accuracy_ppm > RSP_PPM)
			return 0;
	}
	return zero(&r->variant[i], (RSP_MAX_VARIANTS - i) * sizeof(r->variant[0]));
}

static int welcome_ok(const struct rsp_welcome *w)
{
	uint32_t i;

	if (w->backend > RSP_BACKEND_KMOD || w->policy > RSP_POLICY_SLOT ||
	    w->naccels > RSP_MAX_ACCELS || w->__pad)
		return 0;
	for (i = 0; i < w->naccels; i++)
		if (!NAME_OK(w->accel[i].name) || w->accel[i].__pad || w->accel[i].dev_index < -1)
			return 0;
	return zero(&w->accel[i], (RSP_MAX_ACCELS - i) * sizeof(w->accel[0]));
}

/* Field checks of each type, once size and header are known good. */
static int body_ok(const union rsp_msg *m)
{
	switch (m->hdr.type) {
	case RSP_HELLO:
		return m->hello.version >= 1 && !m->hello.__pad && NAME_OK(m->hello.name);
	case RSP_REGISTER:
		return NAME_OK(m->reg.name) && NAME_OK(m->reg.accel) &&
		       m->reg.criticality <= RSP_CRIT_BEST_EFFORT && !m->reg.__pad &&
		       variants_ok(&m->reg);
	case RSP_UNREGISTER:
	case RSP_LEASE_CANCEL:
	case RSP_OK:
		return !m->ref.__pad;
	case RSP_JOB_BEGIN:
		return !m->begin.__pad;
	case RSP_JOB_END:
		return m->end.variant < RSP_MAX_VARIANTS;
	case RSP_LEASE_REQUEST:
	case RSP_LEASE_RENEW:
		return !m->lreq.__pad;
	case RSP_LEASE_RELEASE:
		return !m->lrel.__pad;
	case RSP_STATS:
	case RSP_STATS_REPLY:
		return 1;
	case RSP_WELCOME:
		return welcome_ok(&m->welcome);
	case RSP_ERROR:
		return m->error.err < 0 && !m->error.__pad && NAME_OK(m->error.text);
	case RSP_ACCEPTED:
		return m->accepted.status <= RSP_ST_LEARNING &&
		       m->accepted.variant < RSP_MAX_VARIANTS && NAME_OK(m->accepted.reason);
	case RSP_REJECTED:
		return m->rejected.err < 0 && !m->rejected.__pad && NAME_OK(m->rejected.reason);
	case RSP_ADVICE:
		return m->advice.status <= RSP_ST_LEARNING &&
		       m->advice.variant < RSP_MAX_VARIANTS && !m->advice.__pad &&
		       NAME_OK(m->advice.reason);
	case RSP_LEASE:
		return m->lease.state <= 2;
	default:
		return 0;
	}
}

int rsp_parse(const void *buf, size_t len, union rsp_msg *m)
{
	const struct type_info *ti;

	memset(m, 0, sizeof(*m));
	if (!buf || len < sizeof(struct rsp_hdr))
		return -EBADMSG;
	memcpy(&m->hdr, buf, sizeof(m->hdr));
	if (m->hdr.version != RSP_VERSION)
		return -EPROTONOSUPPORT;
	ti = lookup(m->hdr.type);
	if (!ti)
		return -EOPNOTSUPP;
	if (len != ti->size || m->hdr.size != ti->size)
		return -EMSGSIZE;
	if (m->hdr.flags)
		return -EINVAL;
	memcpy(m, buf, ti->size);
	if (!body_ok(m))
		return -EINVAL;
	return m->hdr.type;
}
