// SPDX-License-Identifier: GPL-2.0
/*
 * rtslotd: the rtslot arbiter.  Flags and configuration, the devices, the
 * socket and signals, then the event loop until SIGTERM or SIGINT.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "rtslotd.h"

#define DEFAULT_CONFIG	"/etc/rtslot/rtslotd.json"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: rtslotd [OPTION]...\n"
"The rtslot arbiter: admission control, slot tables and leases for shared\n"
"accelerators.  Clients talk to it over an AF_UNIX SOCK_SEQPACKET socket.\n"
"\n"
"  -c, --config FILE     JSON configuration (default " DEFAULT_CONFIG ",\n"
"                        used when it exists)\n"
"  -s, --socket PATH     listen here (default " RSP_DEFAULT_SOCKET ")\n"
"  -b, --backend NAME    auto (kmod when /dev/rtslot0 exists, else user), user\n"
"                        (rtslotd hosts the slot core) or kmod (rtslot.ko)\n"
"  -p, --policy NAME     fifo, rr, fp, edf or slot (default edf)\n"
"  -t, --telemetry MODE  auto (the BPF probes when they load, kmod backend only),\n"
"                        bpf (the probes or no start) or off (job reports only)\n"
"  -v, --verbose         log more (clients, errors sent); repeat for more\n"
"  -q, --quiet           log errors only\n"
"      --check-config    print the configuration in force as JSON and exit\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Flags override the configuration file.  SIGTERM or SIGINT stop rtslotd;\n"
"SIGHUP logs its counters.  Needs root or CAP_SYS_NICE for the kmod backend\n"
"and for rt_priority.  See docs/rtslotd.md.\n");
}

void rd_log(const struct rd_daemon *dd, int level, const char *fmt, ...)
{
	va_list ap;

	if (level > (dd ? dd->cfg.verbose : RD_INFO))
		return;
	fputs(level == RD_ERR ? "rtslotd: error: " : "rtslotd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct flags {
	const char *config;
	const char *socket;
	int backend;
	int policy;
	int telemetry;
	int verbose;
	int check;
};

static int parse_flags(int argc, char **argv, struct flags *f)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "backend", required_argument, NULL, 'b' },
		{ "policy", required_argument, NULL, 'p' },
		{ "telemetry", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "c:s:b:p:t:vqhV", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			f->config = optarg;
			break;
		case 's':
			f->socket = optarg;
			break;
		case 'b':
			f->backend = rd_backend_parse(optarg);
			if (f->backend < RD_BACKEND_AUTO) {
				fprintf(stderr, "rtslotd: --backend: auto, user or kmod\n");
				return 2;
			}
			break;
		case 'p':
			f->policy = rd_policy_parse(optarg);
			if (f->policy < 0) {
				fprintf(stderr, "rtslotd: --policy: fifo, rr, fp, edf or slot\n");
				return 2;
			}
			break;
		case 't':
			f->telemetry = rd_telemetry_parse(optarg);
			if (f->telemetry < 0) {
				fprintf(stderr, "rtslotd: --telemetry: auto, bpf or off\n");
				return 2;
			}
			break;
		case 'v':
			f->verbose++;
			break;
		case 'q':
			f->verbose = -100;
			break;
		case 'C':
			f->check = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("rtslotd, protocol version %d\n", RSP_VERSION);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rtslotd: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	return 0;
}

static int configure(struct rd_config *c, const struct flags *f)
{
	char err[512];
	int ret;

	rd_config_defaults(c);
	if (f->config || !access(DEFAULT_CONFIG, F_OK)) {
		ret = rd_config_load(c, f->config ? f->config : DEFAULT_CONFIG, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "rtslotd: %s\n", err);
			return ret;
		}
	}
	if (f->socket) {
		if (strlen(f->socket) >= sizeof(c->socket)) {
			fprintf(stderr, "rtslotd: --socket: path too long\n");
			return -ENAMETOOLONG;
		}
		snprintf(c->socket, sizeof(c->socket), "%s", f->socket);
	}
	if (f->backend != RD_BACKEND_AUTO - 1)
		c->backend = f->backend;
	if (f->policy >= 0)
		c->policy = f->policy;
	if (f->telemetry >= 0)
		c->telemetry = f->telemetry;
	c->verbose += f->verbose;
	if (c->verbose < RD_ERR)
		c->verbose = RD_ERR;
	return 0;
}

/* Each client holds a socket; the soft default of 1024 would cap them early. */
static void raise_nofile(void)
{
	struct rlimit r;

	if (!getrlimit(RLIMIT_NOFILE, &r) && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

/* A prompt arbiter: SCHED_FIFO above the clients it serves, memory locked. */
static void go_realtime(struct rd_daemon *dd)
{
	struct sched_param sp = { .sched_priority = dd->cfg.rt_priority };

	if (!sp.sched_priority)
		return;
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		rd_log(dd, RD_ERR, "SCHED_FIFO %d: %s (needs CAP_SYS_NICE)", sp.sched_priority,
		       strerror(errno));
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		rd_log(dd, RD_INFO, "mlockall: %s", strerror(errno));
}

static int signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	/* A client that vanishes mid-reply must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int main(int argc, char **argv)
{
	struct flags f = { .backend = RD_BACKEND_AUTO - 1, .policy = -1, .telemetry = -1 };
	static struct rd_daemon dd;
	char why[512] = "";
	int ret, lfd = -1, sfd = -1;
	struct rd_list *pos, *tmp;

	ret = parse_flags(argc, argv, &f);
	if (ret)
		return ret;
	if (configure(&dd.cfg, &f))
		return 1;
	if (f.check) {
		rd_config_print(&dd.cfg, STDOUT_FILENO);
		return 0;
	}
	rd_list_init(&dd.clients);
	raise_nofile();
	ret = rd_devs_init(&dd, why, sizeof(why));
	/* Before the socket: no client's lease goes unseen. */
	if (!ret)
		ret = rd_telemetry_open(&dd, why, sizeof(why));
	if (!ret) {
		lfd = rd_listen(&dd.cfg, why, sizeof(why));
		ret = lfd < 0 ? lfd : 0;
	}
	if (!ret) {
		sfd = signals();
		ret = sfd < 0 ? sfd : 0;
		if (ret)
			snprintf(why, sizeof(why), "signalfd: %s", strerror(-ret));
	}
	if (!ret) {
		go_realtime(&dd);
		rd_log(&dd, RD_INFO, "listening on %s (%s backend, policy %s, telemetry %s)",
		       dd.cfg.socket, dd.be->name, rd_policy_name(dd.cfg.policy),
		       dd.probes ? "on" : "off");
		ret = rd_loop_run(&dd, lfd, sfd);
		if (ret)
			snprintf(why, sizeof(why), "event loop: %s", strerror(-ret));
	}
	rd_list_for_each_safe(pos, tmp, &dd.clients)
		rd_client_free(rd_container(pos, struct rd_client, link));
	if (lfd >= 0)
		rd_unlisten(&dd.cfg, lfd);
	if (sfd >= 0)
		close(sfd);
	rd_telemetry_close(&dd);
	rd_devs_fini(&dd);
	if (ret) {
		rd_log(&dd, RD_ERR, "%s", why);
		return 1;
	}
	return 0;
}
