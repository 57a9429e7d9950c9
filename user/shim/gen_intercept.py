#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate librtslot-cuda.so's intercept table from the CUDA headers.

Every PFN_<name>_v<version>[_ptsz|_ptds] typedef in cudaTypedefs.h of a
name listed in hooked.txt becomes one hook: a wrapper with exactly that
typedef's prototype that calls the hand-written rts_<name>() with its
table entry.  Which exported (linked) symbol is which variant is asked of
the compiler, not guessed from suffixes: a probe built against cuda.h
(once as is, once with CUDA_API_PER_THREAD_DEFAULT_STREAM) prints the name
each base expands to and which typedefs its declaration is identical to.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

TYPEDEF = re.compile(
    r"typedef\s+CUresult\s+\(CUDAAPI\s+\*PFN_(\w+?)_v(\d+)(_ptsz|_ptds)?\)\s*\((.*?)\)\s*;",
    re.S)


class Variant:
    def __init__(self, base, version, suffix, params, internal):
        self.internal = internal
        self.base = base
        self.version = int(version)
        self.suffix = suffix or ""
        self.params = split_params(params)
        self.types = tuple(param_type(p) for p in self.params)

    @property
    def pfn(self):
        return "PFN_%s_v%d%s" % (self.base, self.version, self.suffix)

    @property
    def hook(self):
        return "hook_%s_v%d%s" % (self.base, self.version, self.suffix)

    @property
    def per_thread(self):
        return bool(self.suffix)


def split_params(text):
    text = " ".join(text.split())
    if text in ("", "void"):
        return []
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    out.append(cur.strip())
    return out


def param_name(p):
    m = re.search(r"(\w+)\s*(\[[^\]]*\])?$", p)
    if not m or "(" in p:
        sys.exit("gen_intercept: cannot name parameter '%s'" % p)
    return m.group(1)


def param_type(p):
    name = param_name(p)
    t = re.sub(r"\b%s\b\s*(\[[^\]]*\])?$" % re.escape(name), "", p).strip()
    return " ".join(t.replace("*", " * ").split())


def internal_spans(text):
    """Where cudaTypedefs.h keeps the typedefs of retired symbol names.

    They are visible only with __CUDA_API_VERSION_INTERNAL, which would also
    switch cuda.h to its per-thread names, so the generated code spells
    their prototypes out itself and the probe leaves them out.
    """
    spans, stack = [], []
    for m in re.finditer(r"^\s*#\s*(if|ifdef|ifndef|endif)\b(.*)$", text, re.M):
        if m.group(1) != "endif":
            stack.append((m.start(), "__CUDA_API_VERSION_INTERNAL" in m.group(2)))
        elif stack:
            start, internal = stack.pop()
            if internal:
                spans.append((start, m.end()))
    return spans


def inside(spans, pos):
    return any(a <= pos < b for a, b in spans)


def read_typedefs(path, bases):
    with open(path) as f:
        text = f.read()
    spans = internal_spans(text)
    found = {}
    for m in TYPEDEF.finditer(text):
        if m.group(1) in bases:
            internal = inside(spans, m.start())
            found.setdefault(m.group(1), []).append(Variant(*m.groups(), internal))
    missing = [b for b in bases if b not in found]
    if missing:
        # An older toolkit (a Jetson's): what it does not have, no app can call.
        print("gen_intercept: %s has no %s: not hooked" % (path, ", ".join(missing)),
              file=sys.stderr)
    for b in found:
        found[b].sort(key=lambda v: (v.version, v.suffix))
    return found


def versioned_names(path, found):
    """Per base: itself, then the versioned names cuda.h declares for it."""
    with open(path) as f:
        text = f.read()
    spans = internal_spans(text)
    out = {}
    for base in found:
        names = [base]
        for m in re.finditer(r"\bCUDAAPI\s+(%s_v\d+)\s*\(" % re.escape(base), text):
            if m.group(1) not in names and not inside(spans, m.start()):
                names.append(m.group(1))
        out[base] = names
    return out


def groups(variants):
    """Variants with the same parameter types share one hand-written impl."""
    out = []
    for v in variants:
        for g in out:
            if g[0].types == v.types:
                g.append(v)
                break
        else:
            out.append([v])
    return out


def impl_name(base, group, first):
    """rts_<base> for the first prototype, rts_<base>_v<N> for a later one.

    Named by the version that introduced the prototype, so that the names
    do not change with the toolkit; SHIM_HAVE_<impl> says which exist.
    """
    if first:
        return "rts_%s" % base
    return "rts_%s_v%d" % (base, group[0].version)


def probe(cc, include, found, mode, names):
    """Ask the compiler which name and which typedef cuda.h gives each base."""
    lines = ["#include <stdio.h>"]
    if mode == "per-thread":
        lines.append("#define CUDA_API_PER_THREAD_DEFAULT_STREAM 1")
    elif mode == "retired":
        lines.append("#define __CUDA_API_VERSION_INTERNAL 1")
    lines += ["#include <cuda.h>", "#include <cudaTypedefs.h>",
              "#define STR2(x) #x", "#define STR(x) STR2(x)", "int main(void)", "{"]
    for base, vs in sorted(found.items()):
        for name in names.get(base, [base]):
            lines.append('\tprintf("%%s %%s", "%s", STR(%s));' % (name, name))
            for v in (v for v in vs if mode == "retired" or not v.internal):
                lines.append('\tprintf(" %%s=%%d", "%s", __builtin_types_compatible_p('
                             '__typeof__(&%s), %s));' % (v.pfn, name, v.pfn))
            lines.append('\tputchar(\'\\n\');')
    lines += ["\treturn 0;", "}"]
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "probe.c"), os.path.join(d, "probe")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run([cc, "-w", "-I", include, "-o", exe, src], check=True)
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    result = {}
    for line in out.splitlines():
        words = line.split()
        result[words[0]] = (words[1], {w.split("=")[0] for w in words[2:] if w.endswith("=1")})
    return result


def exports(cc, include, found):
    """Exported symbol name -> the variant whose prototype it has."""
    names = versioned_names(os.path.join(include, "cuda.h"), found)
    plain = probe(cc, include, found, "plain", names)
    ptds = probe(cc, include, found, "per-thread", {})
    retired = probe(cc, include, found, "retired", {})
    out = {}
    for base, vs in found.items():
        # Names cuda.h declares with their version spelt out, such as
        # cuCtxSynchronize_v2 beside cuCtxSynchronize.
        for name in names[base][1:]:
            cands = [v for v in vs if v.pfn in plain[name][1] and not v.per_thread]
            if not cands:
                sys.exit("gen_intercept: cuda.h's %s matches no %s typedef" % (name, base))
            out[name] = cands[-1]
        for table, want_pt in ((plain, False), (ptds, True)):
            abi, compatible = table[base]
            if want_pt and abi == plain[base][0]:
                continue
            cands = [v for v in vs if v.pfn in compatible and v.per_thread == want_pt]
            if not cands and want_pt:
                # cuGetProcAddress_v2_ptsz: an inline helper in cuda.h that
                # calls the legacy entry point, not a symbol of the driver.
                continue
            if not cands:
                sys.exit("gen_intercept: cuda.h's %s matches no %s typedef" % (abi, base))
            # Types alone cannot tell cuCtxDestroy_v2 (4000) from cuCtxDestroy
            # (2000): the name cuda.h declares today is the newest of them.
            out[abi] = cands[-1]
        # With __CUDA_API_VERSION_INTERNAL the bare name is declared last
        # with its first prototype: what binaries built against old
        # toolkits link (the 4-argument cuGetProcAddress of CUDA 11 among
        # them).  A bare name is always a symbol's first version.
        if base not in out:
            cands = [v for v in vs if v.pfn in retired[base][1] and not v.per_thread]
            if cands:
                out[base] = cands[0]
    return out


def emit(found, abi, out_c, out_h, hooked_path):
    h = ["/* Generated by user/shim/gen_intercept.py from cudaTypedefs.h and %s: do not edit. */"
         % os.path.basename(hooked_path),
         "#ifndef RTSLOT_SHIM_GEN_H", "#define RTSLOT_SHIM_GEN_H", "",
         "#include <cuda.h>", "",
         '#include "shim_entry.h"', ""]
    c = ["/* Generated by user/shim/gen_intercept.py: do not edit. */",
         '#include "shim_gen.h"', ""]
    table = []
    abi_of = {id(v): name for name, v in abi.items()}
    for base in sorted(found):
        gs = groups(found[base])
        for n, g in enumerate(gs):
            impl = impl_name(base, g, n == 0)
            params = ", ".join(g[0].params) or "void"
            h.append("#define SHIM_HAVE_%s 1" % impl)
            h.append("CUresult %s(struct shim_entry *e%s);" %
                     (impl, "".join(", " + p for p in g[0].params)))
            h.append("typedef CUresult (CUDAAPI *rts_pfn_%s)(%s);" % (impl[4:], params))
            for v in g:
                idx = len(table)
                table.append(v)
                args = "".join(", " + param_name(p) for p in v.params)
                c += ["CUresult CUDAAPI %s(%s)" % (v.hook, ", ".join(v.params) or "void"),
                      "{", "\treturn %s(&shim_entries[%d]%s);" % (impl, idx, args), "}", ""]
    h += ["", "#define SHIM_NENTRIES %d" % len(table),
          "extern struct shim_entry shim_entries[SHIM_NENTRIES];", "", "#endif", ""]
    for v in table:
        c.insert(3, "CUresult CUDAAPI %s(%s);" % (v.hook, ", ".join(v.params) or "void"))
    c.insert(3, "")
    c.append("struct shim_entry shim_entries[SHIM_NENTRIES] = {")
    for v in table:
        name = abi_of.get(id(v))
        c.append('\t{ "%s", %s, %d, %d, (void *)%s, NULL },' %
                 (v.base, '"%s"' % name if name else "NULL", v.version, v.per_thread, v.hook))
    c += ["};", "", "/* The linked path: the names cuda.h declares, exported from the shim. */"]
    for name in sorted(abi):
        # cuda.h maps some bare names to their newest versions (cuCtxCreate
        # to cuCtxCreate_v4): the symbol wanted here is the name itself.
        c.append("#undef %s" % name)
        c.append('extern __typeof__(%s) %s __attribute__((alias("%s"), visibility("default")));'
                 % (abi[name].hook, name, abi[name].hook))
    with open(out_h, "w") as f:
        f.write("\n".join(h))
    with open(out_c, "w") as f:
        f.write("\n".join(c) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cuda-include", required=True, help="directory with cuda.h, cudaTypedefs.h")
    ap.add_argument("--hooked", required=True, help="hooked.txt: base names to intercept")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"), help="compiler for the probe")
    ap.add_argument("--out-c", required=True)
    ap.add_argument("--out-h", required=True)
    a = ap.parse_args()
    with open(a.hooked) as f:
        bases = [l.split("#")[0].strip() for l in f]
    bases = [b for b in bases if b]
    found = read_typedefs(os.path.join(a.cuda_include, "cudaTypedefs.h"), bases)
    abi = exports(a.cc, a.cuda_include, found)
    emit(found, abi, a.out_c, a.out_h, a.hooked)


if __name__ == "__main__":
    main()
