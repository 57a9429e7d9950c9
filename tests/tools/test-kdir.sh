#!/usr/bin/env bash
# kmod/kdir.sh on made-up machines: several header trees, with and without
# Debian's metapackage, the running kernel's tree, compilers present or not.
# The compilers are called gcc-97 and gcc-98 so that no real one answers.
# Prints TAP.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kdir=$here/../../kmod/kdir.sh
. "$here/tap-lib.sh"
tap_begin kdir

# tree NAME RELEASE COMPILER: a Debian-style header tree.
tree() {
	local t=$root/usr/src/linux-headers-$1
	mkdir -p "$t/include/config"
	: > "$t/Makefile"
	: > "$t/.config"
	printf 'override KERNELRELEASE = %s\nCC = $(if $(X),$(CCACHE)) $(CROSS_COMPILE)%s\n' \
		"$2" "$3" > "$t/.kernelvariables"
}

# stub NAME SCRIPT: a command of the made-up machine.
stub() {
	printf '#!/bin/sh\n%s\n' "$2" > "$bin/$1"
	chmod +x "$bin/$1"
}

setup() {
	root=$work/$1 bin=$work/$1-bin
	mkdir -p "$root" "$bin"
	tree 6.1.0-57-amd64 6.1.0-57-amd64 gcc-98
	tree 6.12.38+deb13-amd64 6.12.38+deb13-amd64 gcc-97
	# Not a tree: what a -common package leaves.
	mkdir -p "$root/usr/src/linux-headers-6.12.38+deb13-common"
	stub uname 'echo 6.1.0-99-cloud-amd64'
	stub dpkg 'echo amd64'
	stub dpkg-query '[ "$3" = linux-headers-amd64 ] && echo "linux-headers-6.1.0-57-amd64 (= 6.1.192-3)"'
	stub gcc-98 'exit 0'
}

k() {
	RTSLOT_ROOT=$root PATH=$bin:$PATH bash "$kdir" "$@" 2>&1
}

setup meta
stub gcc-97 'exit 0'
tap_eq "$(k find)" "$root/usr/src/linux-headers-6.1.0-57-amd64" \
	"the metapackage's headers, not the newest, both compilers here"
rm "$bin/gcc-97"
tap_eq "$(k release "$(k find)")" "6.1.0-57-amd64" "the release is the headers' own"
tap_eq "$(k check "$root/usr/src/linux-headers-6.1.0-57-amd64")" \
	"kmod: kernel 6.1.0-57-amd64 from $root/usr/src/linux-headers-6.1.0-57-amd64, compiler gcc-98" \
	"check says which headers and compiler, in one line"
out=$(k check "$root/usr/src/linux-headers-6.12.38+deb13-amd64")
tap_eq "$? $(grep -c "built with gcc-97, which is not installed: install Debian's gcc-97 package" <<<"$out")" \
	"1 1" "a missing compiler fails and names its package"

setup nometa
stub dpkg-query 'exit 1'
tap_eq "$(k find)" "$root/usr/src/linux-headers-6.1.0-57-amd64" \
	"without the metapackage: the newest tree whose compiler is here"
stub gcc-97 'exit 0'
tap_eq "$(k find)" "$root/usr/src/linux-headers-6.12.38+deb13-amd64" \
	"and the newest once its compiler is installed"
rm "$bin/gcc-97" "$bin/gcc-98"
tap_eq "$(k find)" "$root/usr/src/linux-headers-6.12.38+deb13-amd64" \
	"no compiler for any: the newest, so that check names what is missing"

setup running
mkdir -p "$root/lib/modules/6.1.0-99-cloud-amd64"
tree 6.1.0-99-cloud-amd64 6.1.0-99-cloud-amd64 gcc-98
ln -s "$root/usr/src/linux-headers-6.1.0-99-cloud-amd64" "$root/lib/modules/6.1.0-99-cloud-amd64/build"
tap_eq "$(k find)" "$root/usr/src/linux-headers-6.1.0-99-cloud-amd64" "the running kernel's tree comes first"

setup none
rm -rf "$root/usr/src"
stub dpkg-query 'exit 1'
tap_eq "$(k find)" "" "no headers at all: nothing"

tap_end
