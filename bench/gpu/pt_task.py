#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One unmodified PyTorch inference process for bench/gpu/run.sh.

A deadline task (--mode periodic: one inference per period, response from
release to the result being ready) or a best-effort hog (--mode hog: back
to back).  Random weights: nothing is downloaded.  Prints one JSON line.
Nothing in here knows about rtslot: run.sh puts it under the shim or not.
"""

import argparse
import json
import sys
import time


def build(name, batch, device):
    import torch
    import torchvision

    if name == "resnet50":
        model = torchvision.models.resnet50(weights=None)
        x = torch.randn(batch, 3, 224, 224)
    elif name == "mobilenet_v3":
        model = torchvision.models.mobilenet_v3_large(weights=None)
        x = torch.randn(batch, 3, 224, 224)
    elif name == "encoder":
        layer = torch.nn.TransformerEncoderLayer(d_model=512, nhead=8, batch_first=True)
        model = torch.nn.TransformerEncoder(layer, num_layers=6)
        x = torch.randn(batch, 128, 512)
    else:
        raise SystemExit("unknown model %s" % name)
    return model.eval().to(device), x.to(device)


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))] if v else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="resnet50", choices=["resnet50", "mobilenet_v3", "encoder"])
    ap.add_argument("--mode", default="periodic", choices=["periodic", "hog"])
    ap.add_argument("--period-ms", type=float, default=33.333)
    ap.add_argument("--deadline-ms", type=float, default=33.333)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--warmup", type=int, default=30, help="inferences not counted")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--name", default="")
    a = ap.parse_args()

    import torch

    if not torch.cuda.is_available():
        raise SystemExit("pt_task: torch sees no CUDA device")
    model, x = build(a.model, a.batch, "cuda")
    with torch.no_grad():
        for _ in range(a.warmup):
            model(x)
        torch.cuda.synchronize()
        resp, misses, done = [], 0, 0
        start = time.monotonic()
        end = start + a.seconds
        release = start
        while time.monotonic() < end:
            if a.mode == "periodic":
                release += a.period_ms / 1000.0
                delay = release - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                t0 = release
            else:
                t0 = time.monotonic()
            model(x)
            torch.cuda.synchronize()
            r = (time.monotonic() - t0) * 1000.0
            resp.append(r)
            misses += a.mode == "periodic" and r > a.deadline_ms
            done += 1
        wall = time.monotonic() - start
    print(json.dumps({
        "name": a.name or a.model, "model": a.model, "mode": a.mode, "jobs": done,
        "misses": misses, "miss_ratio": misses / done if done else 0.0,
        "p50_ms": pct(resp, 0.50), "p99_ms": pct(resp, 0.99), "max_ms": max(resp or [0]),
        "throughput_per_s": done / wall if wall else 0.0,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
