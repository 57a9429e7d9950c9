// SPDX-License-Identifier: GPL-2.0
/*
 * Running cuapp for the shim's tests (see runapp.h).  Paths come from the
 * environment make sets: CUAPP, SHIM_LIB, FAKECUDA_DIR.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runapp.h"

static char device[64];

void fake_device(int n)
{
	snprintf(device, sizeof(device), "/fakecuda-shimtest-%d-%d", (int)getpid(), n);
	shm_unlink(device);
	setenv("FAKECUDA_DEVICE", device, 1);
}

void fake_device_remove(void)
{
	if (device[0])
		shm_unlink(device);
}

static const char *need(const char *var)
{
	const char *v = getenv(var);

	if (!v || !*v) {
		fprintf(stderr, "runapp: %s is not set (run through make check-shim)\n", var);
		exit(1);
	}
	return v;
}

int app_start(struct app *a, int preload, const char *const *env, const char *const *argv)
{
	return app_start_prog(a, preload, env, NULL, argv);
}

int app_start_prog(struct app *a, int preload, const char *const *env, const char *prog,
		   const char *const *argv)
{
	static int seq;
	char path[4096];
	const char *av[32];
	int i, fd;

	memset(a, 0, sizeof(*a));
	a->status = -1;
	snprintf(a->out, sizeof(a->out), "/tmp/runapp-%d-%d.out", (int)getpid(), seq);
	snprintf(a->err, sizeof(a->err), "/tmp/runapp-%d-%d.err", (int)getpid(), seq++);
	a->pid = fork();
	if (a->pid < 0)
		return -errno;
	if (a->pid)
		return 0;
	fd = open(a->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 1);
	fd = open(a->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	snprintf(path, sizeof(path), "%s%s%s", need("FAKECUDA_DIR"),
		 getenv("LD_LIBRARY_PATH") ? ":" : "",
		 getenv("LD_LIBRARY_PATH") ? getenv("LD_LIBRARY_PATH") : "");
	setenv("LD_LIBRARY_PATH", path, 1);
	if (preload)
		setenv("LD_PRELOAD", need("SHIM_LIB"), 1);
	else
		unsetenv("LD_PRELOAD");
	for (i = 0; env && env[i]; i++)
		putenv((char *)env[i]);
	av[0] = prog ? prog : "cuapp";
	for (i = 0; argv[i] && i < 30; i++)
		av[i + 1] = argv[i];
	av[i + 1] = NULL;
	if (prog)
		execvp(prog, (char *const *)av);
	else
		execv(need("CUAPP"), (char *const *)av);
	_exit(127);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	buf[0] = '\0';
	if (!f)
		return buf;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *b = realloc(buf, cap *= 2);

			if (!b)
				break;
			buf = b;
		}
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

int app_wait(struct app *a, int timeout_s)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int st, i;
	pid_t r = 0;

	for (i = 0; i < timeout_s * 100 && (r = waitpid(a->pid, &st, WNOHANG)) == 0; i++)
		nanosleep(&nap, NULL);
	if (r == 0) {
		kill(a->pid, SIGKILL);
		waitpid(a->pid, &st, 0);
		fprintf(stderr, "runapp: cuapp %d hung, killed\n", (int)a->pid);
	}
	a->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	a->text = slurp(a->out);
	a->errtext = slurp(a->err);
	unlink(a->out);
	unlink(a->err);
	if (a->status) {
		fprintf(stderr, "# runapp: cuapp exited %d\n", a->status);
		app_log(a);
	}
	return a->status;
}

/* As TAP diagnostics, so that an app's own output never reads as a result. */
static void log_text(const char *what, const char *text)
{
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		fprintf(stderr, "#   %s| %.*s\n", what, (int)(nl ? nl - p : (long)strlen(p)), p);
		p = nl ? nl + 1 : NULL;
	}
}

void app_log(const struct app *a)
{
	log_text("out", a->text);
	log_text("err", a->errtext);
}

int app_run(struct app *a, int preload, const char *const *env, const char *const *argv,
	    int timeout_s)
{
	int err = app_start(a, preload, env, argv);

	return err ? err : app_wait(a, timeout_s);
}

void app_free(struct app *a)
{
	free(a->text);
	free(a->errtext);
	a->text = a->errtext = NULL;
}

const char *kv(const char *text, const char *key)
{
	static char val[256];
	size_t n = strlen(key);
	const char *p = text;
	size_t i;

	val[0] = '\0';
	while (p && (p = strstr(p, key))) {
		if ((p == text || p[-1] == ' ' || p[-1] == '\n') && p[n] == '=') {
			p += n + 1;
			for (i = 0; p[i] && p[i] != ' ' && p[i] != '\n' && i < sizeof(val) - 1; i++)
				val[i] = p[i];
			val[i] = '\0';
			break;
		}
		p += n;
	}
	return val;
}

long kvl(const char *text, const char *key)
{
	const char *v = kv(text, key);

	return *v ? strtol(v, NULL, 10) : -999999;
}

int count_lines(const char *text, const char *needle)
{
	const char *p = text, *nl;
	int n = 0;

	while (p && *p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (memmem(p, (size_t)(nl - p), needle, strlen(needle)))
			n++;
		p = *nl ? nl + 1 : nl;
	}
	return n;
}
