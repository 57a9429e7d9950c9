// SPDX-License-Identifier: GPL-2.0
/*
 * librtslot-cuda.so per-kernel statistics: a lock-free table from kernel
 * function (or graph, or host function) to its name and its learned
 * duration, the est of the grant rule.  Only inserts take a lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "shim.h"

#define KSTAT_SLOTS	16384		/* power of two; untouched slots cost no memory */

static struct shim_kstat table[KSTAT_SLOTS];
static pthread_mutex_t insert_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned int slot_of(uintptr_t key)
{
	uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ULL;

	return (unsigned int)(h >> 52) & (KSTAT_SLOTS - 1);
}

static struct shim_kstat *lookup(uintptr_t key, int insert)
{
	unsigned int i = slot_of(key), n;
	struct shim_kstat *k = NULL;
	uintptr_t cur;

	for (n = 0; n < KSTAT_SLOTS; n++, i = (i + 1) & (KSTAT_SLOTS - 1)) {
		cur = __atomic_load_n(&table[i].key, __ATOMIC_ACQUIRE);
		if (cur == key)
			return &table[i];
		if (!cur)
			break;
	}
	if (!insert || n == KSTAT_SLOTS)
		return NULL;
	pthread_mutex_lock(&insert_lock);
	/* Another thread may have put it in while we looked. */
	for (n = 0, i = slot_of(key); n < KSTAT_SLOTS; n++, i = (i + 1) & (KSTAT_SLOTS - 1)) {
		cur = __atomic_load_n(&table[i].key, __ATOMIC_RELAXED);
		if (cur == key || !cur) {
			k = &table[i];
			if (!cur)
				__atomic_store_n(&k->key, key, __ATOMIC_RELEASE);
			break;
		}
	}
	pthread_mutex_unlock(&insert_lock);
	return k;
}

struct shim_kstat *kstat_get(uintptr_t key)
{
	return key ? lookup(key, 1) : NULL;
}

void kstat_name(uintptr_t key, const char *name)
{
	struct shim_kstat *k = kstat_get(key);

	if (k && name)
		snprintf(k->name, sizeof(k->name), "%s", name);
}

void kstat_alias(uintptr_t to, uintptr_t from)
{
	struct shim_kstat *src = lookup(from, 0), *dst;

	if (src && src->name[0] && (dst = kstat_get(to)) && !dst->name[0])
		memcpy(dst->name, src->name, sizeof(dst->name));
}

/*
 * The estimate is the longest of the recent window: a launch is granted
 * only if it fits, so an estimate that is short costs an overrun while
 * one that is long costs only a little slack.  The window lets it come
 * down again when a kernel gets faster.
 */
void kstat_add(struct shim_kstat *k, uint64_t dur_ns)
{
	uint64_t est = 0;
	uint32_t i, n;

	k->window[k->pos] = dur_ns;
	k->pos = (k->pos + 1) % KSTAT_WINDOW;
	if (k->samples < KSTAT_WINDOW)
		k->samples++;
	n = k->samples;
	for (i = 0; i < n; i++)
		if (k->window[i] > est)
			est = k->window[i];
	__atomic_store_n(&k->est_ns, est ? est : 1, __ATOMIC_RELAXED);
}

void kstat_reset(void)
{
	pthread_mutex_init(&insert_lock, NULL);
}
