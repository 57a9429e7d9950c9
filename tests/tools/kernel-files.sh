#!/usr/bin/env bash
# Take kselftest_harness.h, kselftest.h and checkpatch.pl from Debian's
# linux-source tarball into the build tree: they are never committed.
set -euo pipefail

out=${1:?usage: kernel-files.sh BUILD_DIR}
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)
[[ -n $tarball ]] || { echo "kernel-files: /usr/src/linux-source-6.1.tar.* missing; run 'make deps'" >&2; exit 1; }

top=$(basename "$tarball"); top=${top%%.tar.*}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xf "$tarball" -C "$tmp" \
	"$top/tools/testing/selftests/kselftest_harness.h" \
	"$top/tools/testing/selftests/kselftest.h" \
	"$top/scripts/checkpatch.pl" \
	"$top/scripts/spelling.txt" \
	"$top/scripts/const_structs.checkpatch"

mkdir -p "$out/ksft" "$out/checkpatch"
cp "$tmp/$top"/tools/testing/selftests/kselftest{,_harness}.h "$out/ksft/"
cp "$tmp/$top"/scripts/{checkpatch.pl,spelling.txt,const_structs.checkpatch} "$out/checkpatch/"
chmod +x "$out/checkpatch/checkpatch.pl"
