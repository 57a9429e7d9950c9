# rtslot: top-level build.  `make` builds the module and the userspace parts,
# `make check` runs every test, `make demo` runs the main job.
# Each part keeps its rules in its own fragment (*/*.mk) included below.

SHELL	:= /bin/bash
TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
# The running kernel's build tree, else the headers `make deps` installs
# (kmod/kdir.sh says why in that order).  On a fresh machine those arrive
# only after this file was read: the sub-makes that `check` and `demo` run
# after deps must look again, so nothing is exported until found.
ifeq ($(strip $(KDIR)),)
KDIR	:= $(shell bash $(TOP)/kmod/kdir.sh find)
endif
# The guest kernel the QEMU tests boot: the one those headers belong to.
ifeq ($(strip $(GUEST_KVER)),)
GUEST_KVER	:= $(if $(strip $(KDIR)),$(shell bash $(TOP)/kmod/kdir.sh release $(KDIR)))
endif
GUEST_KERNEL	?= /boot/vmlinuz-$(GUEST_KVER)

CC	?= cc
CFLAGS	?= -O2 -g
WARN	:= -Wall -Wextra -Werror=implicit-function-declaration -Wno-unused-parameter
CPPFLAGS += -I$(TOP)/include -I$(TOP)/include/uapi -I$(BUILD)/ksft
# Files taken from Debian's linux-source at build time, never committed.
KSFT_INC := $(BUILD)/ksft
CHECKPATCH := $(BUILD)/checkpatch/checkpatch.pl

export TOP BUILD
ifneq ($(strip $(KDIR)),)
export KDIR GUEST_KVER GUEST_KERNEL
endif

.PHONY: all deps check check-repeat demo vmtest clean kernel-files
all:

deps:
	@bash $(TOP)/tests/tools/deps.sh

kernel-files: $(KSFT_INC)/kselftest_harness.h $(CHECKPATCH)
$(KSFT_INC)/kselftest_harness.h $(CHECKPATCH):
	@bash $(TOP)/tests/tools/kernel-files.sh $(BUILD)

-include kmod/kmod.mk
-include tests/unit/unit.mk
-include tests/kselftest/kselftest.mk
-include tests/vm/vm.mk
# Before user/: rtslotctl links librtslot-bpf.
-include bpf/bpf.mk
-include user/user.mk
-include user/rtslotd/rtslotd.mk
-include user/shim/shim.mk
-include tests/fakecuda/fakecuda.mk
-include tests/shim/shim_test.mk
-include bench/bench.mk

# Every stage writes flat TAP to build/results/<stage>.tap; the summary adds
# them up and ends with the `N passed, N failed` line.
CHECK_STAGES ?= unit lint vm rtslotd fakecuda shim bpf
check: deps
	@rm -rf $(BUILD)/results && mkdir -p $(BUILD)/results
	@rc=0; for s in $(CHECK_STAGES); do \
		$(MAKE) --no-print-directory check-$$s || rc=1; \
	done; \
	bash $(TOP)/tests/tools/tap-summary.sh $(BUILD)/results $(CHECK_STAGES) || rc=1; \
	exit $$rc

# How flaky is it: `make check-repeat N=5 STAGES="vm shim"` runs the stages
# N times and prints, per test, in how many runs it failed.
N	?= 5
STAGES	?= $(CHECK_STAGES)
check-repeat: deps
	@bash $(TOP)/tests/tools/check-repeat.sh $(N) $(BUILD)/repeat $(STAGES)

vmtest: deps
	@rm -f $(BUILD)/results/vm.tap; mkdir -p $(BUILD)/results
	@$(MAKE) --no-print-directory check-vm; rc=$$?; \
	bash $(TOP)/tests/tools/tap-summary.sh $(BUILD)/results vm || rc=1; exit $$rc

clean:
	rm -rf $(BUILD)
