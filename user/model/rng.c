// SPDX-License-Identifier: GPL-2.0
/*
 * The generator's random numbers: xorshift64*, small, fast and the same on
 * every host, so that a seed names one task set everywhere.
 */
#include "rtslot/gen.h"

uint64_t rs_rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

double rs_rng_unit(uint64_t *s)
{
	/* The top 53 bits: every double in [0, 1) this can give is exact. */
	return (double)(rs_rng_next(s) >> 11) / (double)(1ULL << 53);
}
