#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# make bench-handoff, inside the QEMU guest: describe the machine, then run
# bench/handoff with the arguments given (its result is the last thing printed).
set -eu

echo "guest: Linux $(uname -r), $(grep -c '^processor' /proc/cpuinfo) vCPUs," \
	"QEMU TCG (emulated: absolute times are inflated)"
echo "device: /dev/rtslot0 policy $(cat /sys/class/rtslot/rtslot0/policy)," \
	"guard_us $(cat /sys/class/rtslot/rtslot0/guard_us)," \
	"switch_us $(cat /sys/class/rtslot/rtslot0/switch_us)"
echo "command: handoff $*"
handoff "$@"
