#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The Python job markers (user/python/rtslot.py) against the fake driver.

Run under librtslot-cuda.so: libcuda is opened with ctypes, the way Python
frameworks dlopen it, so the launches also take the shim's dlsym path.
Prints flat TAP.
"""

import ctypes
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "user", "python"))
import rtslot  # noqa: E402

results = []


def check(name, ok, detail=""):
    results.append((name, bool(ok), detail))


def cu(call, *args):
    r = call(*args)
    if r:
        raise SystemExit("cuda call %s failed: %d" % (call.__name__, r))


def main():
    expect_shim = os.environ.get("LD_PRELOAD", "").endswith("librtslot-cuda.so")
    check("available() says whether the shim is loaded", rtslot.available() == expect_shim)
    cuda = ctypes.CDLL("libcuda.so.1")
    dev, ctx, mod, fn = ctypes.c_int(), ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    cu(cuda.cuInit, 0)
    cu(cuda.cuDeviceGet, ctypes.byref(dev), 0)
    cu(cuda.cuDevicePrimaryCtxRetain, ctypes.byref(ctx), dev)
    cu(cuda.cuCtxSetCurrent, ctx)
    cu(cuda.cuModuleLoadData, ctypes.byref(mod), b"pytest")
    cu(cuda.cuModuleGetFunction, ctypes.byref(fn), mod, b"py_200us")
    launch = cuda.cuLaunchKernel
    launch.argtypes = [ctypes.c_void_p] + [ctypes.c_uint] * 7 + [ctypes.c_void_p] * 3
    for _ in range(4):
        with rtslot.job():
            for _ in range(3):
                cu(launch, fn, 1, 1, 1, 32, 1, 1, 0, None, None, None)
                cu(cuda.cuCtxSynchronize)
    st = rtslot.status()
    if expect_shim:
        check("the shim gates the launches", st and st["state"] == "gated", str(st))
        check("four marked jobs, not twelve synchronisations", st and st["jobs"] == 4, str(st))
        try:
            rtslot.job_end()
            check("an end without a begin is refused", False)
        except rtslot.RtslotError as e:
            check("an end without a begin is refused", e.errno == 22, str(e))
    else:
        check("without the shim, status() is None", st is None, str(st))
        check("without the shim, markers are no-ops", rtslot.job_begin() == 0)
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%sok %d python.%s%s" % ("" if ok else "not ", i,
                                       name.replace(" ", "_"), "" if ok else " # " + detail))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
