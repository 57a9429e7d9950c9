# SPDX-License-Identifier: GPL-2.0
"""rtslot job markers for Python apps run under librtslot-cuda.so.

The shim (LD_PRELOAD=librtslot-cuda.so) ends a job at each synchronisation
by itself; an app that knows better marks its jobs:

    import rtslot
    with rtslot.job():
        out = model(batch)
        torch.cuda.synchronize()

Without the shim loaded every call here is a no-op and available() is
False, so the same code runs anywhere.
"""

import ctypes
import errno
import os

__all__ = ["available", "job_begin", "job_end", "job", "status", "RtslotError"]

STATES = ("not started", "ungated", "gated", "refusing")
STATUSES = ("admitted", "best effort", "learning")


class _Status(ctypes.Structure):
    _fields_ = [("state", ctypes.c_uint32), ("status", ctypes.c_uint32),
                ("jobs", ctypes.c_uint64), ("requests", ctypes.c_uint64),
                ("wait_ns", ctypes.c_uint64), ("ungated", ctypes.c_uint64),
                ("refused", ctypes.c_uint64), ("samples", ctypes.c_uint64)]


class RtslotError(OSError):
    """A marker the shim refused (errno says why)."""


def _bind():
    # The preloaded shim is in the global scope: the process's own handle sees it.
    lib = ctypes.CDLL(None)
    try:
        fns = (lib.rtslot_job_begin, lib.rtslot_job_end, lib.rtslot_shim_status)
    except AttributeError:
        return None
    for f in fns[:2]:
        f.restype, f.argtypes = ctypes.c_int, []
    fns[2].restype, fns[2].argtypes = ctypes.c_int, [ctypes.POINTER(_Status)]
    return fns


_fns = _bind()


def available():
    """True when librtslot-cuda.so is loaded into this process."""
    return _fns is not None


def _check(ret, what):
    if ret < 0 and -ret != errno.ENOTCONN:
        raise RtslotError(-ret, "%s: %s" % (what, os.strerror(-ret)))
    return ret


def job_begin():
    """Start a job: from the first call on, synchronisations end no jobs."""
    return _check(_fns[0](), "rtslot_job_begin") if _fns else 0


def job_end():
    """End the job: its queued work is waited for, the lease released."""
    return _check(_fns[1](), "rtslot_job_end") if _fns else 0


class job:
    """A job as a context manager: begin on entry, end on exit."""

    def __enter__(self):
        job_begin()
        return self

    def __exit__(self, *exc):
        job_end()
        return False


def status():
    """What the shim reports of this process, or None without the shim."""
    if not _fns:
        return None
    st = _Status()
    _check(_fns[2](ctypes.byref(st)), "rtslot_shim_status")
    return {"state": STATES[st.state] if st.state < len(STATES) else st.state,
            "status": STATUSES[st.status] if st.status < len(STATUSES) else st.status,
            "jobs": st.jobs, "requests": st.requests, "wait_ns": st.wait_ns,
            "ungated": st.ungated, "refused": st.refused, "samples": st.samples}
