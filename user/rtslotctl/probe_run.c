// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl lat/top/trace: the run loop.  The probes attach first, then the
 * command (if one was given) starts, so that none of its events is missed;
 * its end, the duration, or Ctrl-C ends the run after a last report.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rtslotctl.h"
#include "probe.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

void ctl_probe_err(const char *cmd, const char *why)
{
	fprintf(stderr, "rtslotctl %s: cannot trace: %s\n", cmd, why);
}

int ctl_run_args(struct ctl_run *r, int argc, char **argv, int first, int max_pos)
{
	uint64_t v;
	int i, npos = 0, ret;

	r->child = -1;
	r->child_fd = -1;
	/* getopt_long() took a "--" that came right after the options. */
	if (first > 1 && first <= argc && !strcmp(argv[first - 1], "--")) {
		if (first == argc) {
			ctl_usage_err(r->cmd, "'--' must be followed by a command");
			return -EINVAL;
		}
		r->argv = argv + first;
		return 0;
	}
	for (i = first; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			if (i + 1 == argc) {
				ctl_usage_err(r->cmd, "'--' must be followed by a command");
				return -EINVAL;
			}
			r->argv = argv + i + 1;
			break;
		}
		if (npos >= max_pos) {
			ctl_usage_err(r->cmd, "unexpected argument '%s'", argv[i]);
			return -EINVAL;
		}
		ret = ctl_parse_u64(r->cmd, npos ? "count" : "interval", argv[i], 1,
				    npos ? 1000000000 : 86400, &v);
		if (ret)
			return ret;
		if (npos++)
			r->count = v;
		else
			r->interval_ns = v * 1000000000ULL;
	}
	return 0;
}

static int pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	return -1;
#endif
}

int ctl_run_start(struct ctl_run *r, const char *what)
{
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t now = rtslot_now_ns();

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r->next_ns = r->interval_ns ? now + r->interval_ns : 0;
	if (r->end_ns)
		r->end_ns += now;
	/* Announced before the command starts: a caller may wait for it. */
	fprintf(stderr, "Tracing %s... %s\n", what,
		r->argv ? "until the command ends." : "Hit Ctrl-C to end.");
	fflush(stderr);
	fflush(stdout);
	if (!r->argv)
		return 0;
	r->child = fork();
	if (r->child < 0) {
		ctl_err(r->cmd, "fork", errno);
		return -errno;
	}
	if (!r->child) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(r->argv[0], r->argv);
		fprintf(stderr, "rtslotctl %s: cannot run %s: %s\n", r->cmd, r->argv[0],
			strerror(errno));
		_exit(127);
	}
	r->child_fd = pidfd_of(r->child);
	return 0;
}

static void reap(struct ctl_run *r)
{
	if (r->child > 0 && !r->child_done && waitpid(r->child, &r->status, WNOHANG) == r->child)
		r->child_done = true;
}

/*
 * Milliseconds until the next deadline, capped: the probes wake us only
 * for misses, overruns and a filling buffer, so the rest of the stream is
 * fetched at least every 100 ms (and a child without a pidfd polled for).
 */
static int timeout_ms(const struct ctl_run *r, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	int cap = r->child > 0 && r->child_fd < 0 ? 50 : 100;

	if (r->next_ns)
		next = r->next_ns;
	if (r->end_ns && r->end_ns < next)
		next = r->end_ns;
	if (next == UINT64_MAX)
		return cap;
	if (next <= now)
		return 0;
	return (next - now) / 1000000 + 1 < (uint64_t)cap ? (int)((next - now) / 1000000 + 1) : cap;
}

int ctl_run_wait(struct ctl_run *r, struct rtslot_probes *p)
{
	struct pollfd pf[2];
	uint64_t now;
	int n, ret;

	for (;;) {
		reap(r);
		now = rtslot_now_ns();
		if (stop || r->child_done || (r->end_ns && now >= r->end_ns)) {
			/* Everything the command caused is in the ring buffer by now. */
			if (p)
				rtslot_probes_consume(p);
			return CTL_END;
		}
		if (r->next_ns && now >= r->next_ns) {
			if (p)
				rtslot_probes_consume(p);
			r->next_ns += r->interval_ns;
			if (r->next_ns <= now)
				r->next_ns = now + r->interval_ns;
			return CTL_REPORT;
		}
		n = 0;
		if (p) {
			pf[n].fd = rtslot_probes_fd(p);
			pf[n++].events = POLLIN;
		}
		if (r->child_fd >= 0 && !r->child_done) {
			pf[n].fd = r->child_fd;
			pf[n++].events = POLLIN;
		}
		ret = poll(pf, n, timeout_ms(r, now));
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (p && ret > 0 && (pf[0].revents & POLLIN)) {
			ret = rtslot_probes_consume(p);
			if (ret < 0 && ret != -EINTR)
				return ret;
		}
	}
}

int ctl_run_finish(struct ctl_run *r)
{
	if (r->child > 0 && !r->child_done) {
		kill(r->child, SIGTERM);
		waitpid(r->child, &r->status, 0);
		r->child_done = true;
	}
	if (r->child_fd >= 0)
		close(r->child_fd);
	if (r->child <= 0)
		return 0;
	if (WIFEXITED(r->status) && !WEXITSTATUS(r->status))
		return 0;
	if (WIFEXITED(r->status))
		fprintf(stderr, "rtslotctl %s: %s exited with status %d\n", r->cmd, r->argv[0],
			WEXITSTATUS(r->status));
	else if (WIFSIGNALED(r->status))
		fprintf(stderr, "rtslotctl %s: %s was killed by signal %d\n", r->cmd, r->argv[0],
			WTERMSIG(r->status));
	return EXIT_FAIL;
}

const char *ctl_unit_name(enum ctl_unit unit)
{
	return unit == CTL_NSEC ? "nsecs" : unit == CTL_MSEC ? "msecs" : "usecs";
}

static uint64_t in_unit(uint64_t ns, enum ctl_unit unit)
{
	return unit == CTL_NSEC ? ns : unit == CTL_MSEC ? ns / 1000000 : ns / 1000;
}

static double in_unit_f(double ns, enum ctl_unit unit)
{
	return unit == CTL_NSEC ? ns : unit == CTL_MSEC ? ns / 1e6 : ns / 1e3;
}

/*
 * Buckets are powers of two of nanoseconds; in us or ms their bounds are
 * rounded down, so neighbouring rows may show the same bound.
 */
void ctl_hist_print(FILE *f, const struct rtslot_hist *h, enum ctl_unit unit)
{
	const int width = 40;
	uint64_t max = 0;
	int k, lo = -1, hi = -1, stars;

	for (k = 0; k < RTSLOT_HIST_SLOTS; k++) {
		if (!h->slot[k])
			continue;
		if (lo < 0)
			lo = k;
		hi = k;
		if (h->slot[k] > max)
			max = h->slot[k];
	}
	if (lo < 0) {
		fprintf(f, "     (no samples)\n");
		return;
	}
	fprintf(f, "%28s : count    distribution\n", ctl_unit_name(unit));
	for (k = lo; k <= hi; k++) {
		stars = (int)((h->slot[k] * width + max - 1) / max);
		fprintf(f, "%12llu -> %-12llu : %-8llu |%-*.*s|\n",
			(unsigned long long)in_unit(k ? 1ULL << k : 0, unit),
			(unsigned long long)in_unit((1ULL << (k + 1)) - 1, unit),
			(unsigned long long)h->slot[k], width, stars,
			"****************************************");
	}
	fprintf(f, "     count %llu, mean %.3f %s, p50 ~%.3f, p99 ~%.3f (within a factor of 2)\n",
		(unsigned long long)h->count,
		h->count ? in_unit_f((double)h->sum_ns / (double)h->count, unit) : 0.0,
		ctl_unit_name(unit),
		in_unit_f((double)rtslot_hist_quantile(h, 0.5), unit),
		in_unit_f((double)rtslot_hist_quantile(h, 0.99), unit));
}
