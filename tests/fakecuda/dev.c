// SPDX-License-Identifier: GPL-2.0
/*
 * This process's use of the shared device: locking (which advances the
 * model to now), enqueueing with push-buffer back-pressure, and waiting
 * for a record by sleeping until the model predicts it done.
 */
#include <time.h>

#include "fc.h"

#define FC_MIN_SLEEP_NS	20000ULL	/* never spin */
#define FC_MAX_SLEEP_NS	2000000ULL	/* look again: arrivals, host functions, deaths */

int fc_dev_lock(void)
{
	int err = fc_shm_lock(fc.dev);

	if (!err)
		fc_advance(fc.dev, fc_now());
	return err;
}

void fc_dev_unlock(void)
{
	fc_shm_unlock(fc.dev);
}

void fc_sleep_until(uint64_t t)
{
	struct timespec ts = {
		.tv_sec = (time_t)(t / 1000000000ULL),
		.tv_nsec = (long)(t % 1000000000ULL),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static uint64_t wake_time(uint64_t eta)
{
	uint64_t now = fc_now();

	if (eta < now + FC_MIN_SLEEP_NS)
		return now + FC_MIN_SLEEP_NS;
	if (eta > now + FC_MAX_SLEEP_NS)
		return now + FC_MAX_SLEEP_NS;
	return eta;
}

/*
 * Called with the device locked; a full push buffer blocks the caller as
 * a real one would, dropping the lock while it sleeps.
 */
int fc_enqueue(struct fc_rec *r, uint64_t *seq)
{
	struct fc_shm *d = fc.dev;
	int err;

	for (;;) {
		uint64_t wake;

		err = fc_submit(d, r, seq);
		if (err != -EAGAIN)
			break;
		wake = wake_time(fc_eta(d, fc_slot(d, d->next_seq)->seq));
		fc_dev_unlock();
		fc_sleep_until(wake);
		err = fc_dev_lock();
		if (err)
			return err;
	}
	/* Markers and waits that are eligible complete now, not at the next look. */
	if (!err)
		fc_settle(d);
	return err;
}

/* A lock that cannot be had reads as done: nothing may hang on it. */
bool fc_done(uint64_t seq)
{
	bool done = true;

	if (!seq || fc_dev_lock())
		return true;
	done = fc_seq_done(fc.dev, seq);
	fc_dev_unlock();
	return done;
}

/* Called with no lock held. */
int fc_wait(uint64_t seq)
{
	int err;

	if (!seq)
		return 0;
	for (;;) {
		uint64_t wake;

		err = fc_dev_lock();
		if (err)
			return err;
		if (fc_seq_done(fc.dev, seq)) {
			fc_dev_unlock();
			return 0;
		}
		wake = wake_time(fc_eta(fc.dev, seq));
		fc_dev_unlock();
		fc_sleep_until(wake);
	}
}
