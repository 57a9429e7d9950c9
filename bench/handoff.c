// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench/handoff: lease handoff latency of /dev/rtslotN against a futex
 * handoff measured in the same boot, rounds interleaved so that drift of the
 * machine affects both alike; prints percentiles and the ratio of medians.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handoff.h"

struct method {
	const struct ho_ops *ops;
	uint64_t *samples;
	uint64_t n;
};

struct opts {
	unsigned int dev;
	uint64_t handoffs, warmup, rounds;
	int cpu0, cpu1;
	int rtslot, futex;
};

static void help(void)
{
	printf("usage: handoff [-d N] [-n HANDOFFS] [-w WARMUP] [-r ROUNDS] [-c CPU0,CPU1]\n"
	       "               [-m both|rtslot|futex]\n\n"
	       "Two processes pass the device back and forth.  rtslot: the owner holds\n"
	       "a lease of /dev/rtslotN, the other is asleep in LEASE_REQUEST; the owner\n"
	       "stamps t0 and calls LEASE_RELEASE; the waiter stamps t1 when its request\n"
	       "returns.  futex: the same with a shared word, FUTEX_WAKE and FUTEX_WAIT.\n"
	       "Each handoff starts only once the waiter is really asleep.  Reports\n"
	       "t1 - t0 percentiles per method and the ratio of the medians.\n\n"
	       "  -d, --device N      /dev/rtslotN (default 0)\n"
	       "  -n, --handoffs N    measured handoffs per method (default 2000)\n"
	       "  -w, --warmup N      unmeasured handoffs at the start of each round\n"
	       "                      (default 50)\n"
	       "  -r, --rounds N      rounds, methods alternating inside each (default 4)\n"
	       "  -c, --cpus A,B      pin the two processes to CPUs A and B (default 0,1)\n"
	       "  -m, --method M      both (default), rtslot or futex\n"
	       "  -h, --help          show this help\n");
}

static int parse_num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "handoffs", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "method", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, a, b, ret = 0;
	char extra;

	while (!ret && (c = getopt_long(argc, argv, "d:n:w:r:c:m:h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			ret = parse_num(optarg, 0, 255, &v);
			o->dev = (unsigned int)v;
			break;
		case 'n':
			ret = parse_num(optarg, 1, 10000000, &o->handoffs);
			break;
		case 'w':
			ret = parse_num(optarg, 0, 1000000, &o->warmup);
			break;
		case 'r':
			ret = parse_num(optarg, 1, 1000, &o->rounds);
			break;
		case 'c':
			if (sscanf(optarg, "%d,%d%c", &a, &b, &extra) != 2 || a < 0 || b < 0)
				ret = -EINVAL;
			o->cpu0 = a;
			o->cpu1 = b;
			break;
		case 'm':
			o->rtslot = !strcmp(optarg, "both") || !strcmp(optarg, "rtslot");
			o->futex = !strcmp(optarg, "both") || !strcmp(optarg, "futex");
			if (!o->rtslot && !o->futex)
				ret = -EINVAL;
			break;
		case 'h':
			help();
			exit(0);
		default:
			return -EINVAL;
		}
		if (ret)
			fprintf(stderr, "handoff: bad value '%s' for -%c (see --help)\n", optarg, c);
	}
	if (!ret && optind < argc) {
		fprintf(stderr, "handoff: unexpected argument '%s'\n", argv[optind]);
		ret = -EINVAL;
	}
	if (!ret && o->handoffs < o->rounds) {
		fprintf(stderr, "handoff: fewer handoffs than rounds\n");
		ret = -EINVAL;
	}
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static double pct_us(const uint64_t *v, uint64_t n, unsigned int p)
{
	uint64_t rank = (n * p + 99) / 100;

	return (double)v[rank ? rank - 1 : 0] / 1000.0;
}

/* One round: `per` measured handoffs of m, after the warm-up ones. */
static int round_of(const struct opts *o, struct method *m, uint64_t per, uint64_t *buf)
{
	int ret = ho_run_pair(m->ops, o->dev, o->warmup + per, buf, o->cpu0, o->cpu1);

	if (ret == -ENOENT && m->ops == &ho_rtslot_ops)
		fprintf(stderr, "handoff: no /dev/rtslot%u: is rtslot.ko loaded?\n", o->dev);
	else if (ret)
		fprintf(stderr, "handoff: %s round failed: %s\n", m->ops->name, strerror(-ret));
	if (ret)
		return ret;
	memcpy(m->samples + m->n, buf + o->warmup, per * sizeof(*buf));
	m->n += per;
	return 0;
}

static void print_results(const struct opts *o, struct method *m, int nm)
{
	double p50[2] = { 0, 0 }, p99[2] = { 0, 0 };
	int i;

	printf("handoff: %llu handoffs per method in %llu rounds (+%llu warm-up each), "
	       "processes on cpu%d and cpu%d, /dev/rtslot%u\n",
	       (unsigned long long)o->handoffs, (unsigned long long)o->rounds,
	       (unsigned long long)o->warmup, o->cpu0, o->cpu1, o->dev);
	printf("%-8s %8s %9s %9s %9s %9s %9s\n", "method", "n", "min_us", "p50_us",
	       "p90_us", "p99_us", "max_us");
	for (i = 0; i < nm; i++) {
		qsort(m[i].samples, m[i].n, sizeof(uint64_t), cmp_u64);
		p50[i] = pct_us(m[i].samples, m[i].n, 50);
		p99[i] = pct_us(m[i].samples, m[i].n, 99);
		printf("%-8s %8llu %9.1f %9.1f %9.1f %9.1f %9.1f\n", m[i].ops->name,
		       (unsigned long long)m[i].n, m[i].samples[0] / 1000.0, p50[i],
		       pct_us(m[i].samples, m[i].n, 90), p99[i],
		       m[i].samples[m[i].n - 1] / 1000.0);
	}
	if (nm == 2 && p50[1] > 0 && p99[1] > 0)
		printf("ratio rtslot/futex: p50 %.2f, p99 %.2f\n", p50[0] / p50[1],
		       p99[0] / p99[1]);
}

int main(int argc, char **argv)
{
	struct opts o = { .handoffs = 2000, .warmup = 50, .rounds = 4, .cpu1 = 1,
			  .rtslot = 1, .futex = 1 };
	struct method m[2] = { { 0 } };
	uint64_t r, per, *buf;
	int nm = 0, i, ret = 0;

	if (parse_args(argc, argv, &o))
		return 2;
	if (o.rtslot)
		m[nm++] = (struct method){ .ops = &ho_rtslot_ops };
	if (o.futex)
		m[nm++] = (struct method){ .ops = &ho_futex_ops };
	per = o.handoffs / o.rounds;
	buf = malloc((o.warmup + per + o.rounds) * sizeof(*buf));
	for (i = 0; i < nm; i++)
		m[i].samples = malloc(o.handoffs * sizeof(uint64_t));
	if (!buf || !m[0].samples || (nm == 2 && !m[1].samples)) {
		fprintf(stderr, "handoff: out of memory\n");
		return 1;
	}
	for (r = 0; r < o.rounds && !ret; r++) {
		/* The last round takes the remainder so the total is exact. */
		uint64_t k = r + 1 == o.rounds ? o.handoffs - per * (o.rounds - 1) : per;

		/* Alternate which method goes first, so neither always runs cold. */
		for (i = 0; i < nm && !ret; i++)
			ret = round_of(&o, &m[(i + r) % nm], k, buf);
	}
	if (!ret)
		print_results(&o, m, nm);
	for (i = 0; i < nm; i++)
		free(m[i].samples);
	free(buf);
	return ret ? 1 : 0;
}
