/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running cuapp for the shim's tests: with or without the shim preloaded,
 * on a fake device of the test's own, its output kept for key=value reads.
 */
#ifndef RUNAPP_H
#define RUNAPP_H

#include <sys/types.h>

struct app {
	pid_t pid;
	char out[64];			/* stdout file */
	char err[64];			/* stderr file */
	int status;			/* exit status, 128 + signal, -1 running */
	char *text;			/* stdout once finished */
	char *errtext;
};

/*
 * Start cuapp with argv (NULL-terminated, argv[0] the command) and extra
 * environment entries "K=V" (NULL-terminated, may be NULL).  preload: put
 * librtslot-cuda.so in LD_PRELOAD.  The fake device is $FAKECUDA_DEVICE
 * as the test set it.
 */
int app_start(struct app *a, int preload, const char *const *env, const char *const *argv);
/* The same with another program (found in PATH) in place of cuapp. */
int app_start_prog(struct app *a, int preload, const char *const *env, const char *prog,
		   const char *const *argv);
/* Wait (hang guard: timeout_s), read the output.  The exit status. */
int app_wait(struct app *a, int timeout_s);
int app_run(struct app *a, int preload, const char *const *env, const char *const *argv,
	    int timeout_s);
void app_free(struct app *a);
/* Its stdout and stderr, as TAP diagnostics. */
void app_log(const struct app *a);

/* The value of key=value in text ("" if absent; static, one at a time). */
const char *kv(const char *text, const char *key);
long kvl(const char *text, const char *key);
/* Lines of text that contain needle. */
int count_lines(const char *text, const char *needle);

/* A fake device name unique to this process and n, exported for the apps. */
void fake_device(int n);
void fake_device_remove(void);

#endif
