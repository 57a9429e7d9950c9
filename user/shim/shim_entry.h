/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One intercepted driver entry point variant, as gen_intercept.py lays out
 * the table: which name and version it is, its hook, and the real function
 * once resolved.
 */
#ifndef RTSLOT_SHIM_ENTRY_H
#define RTSLOT_SHIM_ENTRY_H

struct shim_entry {
	const char *base;		/* "cuLaunchKernel" */
	const char *abi;		/* exported name, NULL when cuda.h links none */
	unsigned int version;		/* of PFN_<base>_v<version> */
	unsigned int per_thread;	/* the _ptsz/_ptds twin */
	void *hook;
	void *real;			/* atomic; NULL until resolved */
};

#endif
