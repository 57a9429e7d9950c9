# tests/kselftest/kselftest.mk: the guest kselftests of rtslot.ko, one static
# binary per theme under $(BUILD)/kselftest/ (the guest has no libc).
# Included by the top Makefile; tests/vm/vm.mk runs them in QEMU.

# Run order in the guest: lifecycle unloads and reloads the module, so last.
KSFT_TESTS	:= ioctl_abi privilege lease bound sysfs trace order table epoch overrun stress lifecycle
KSFT_DIR	:= $(BUILD)/kselftest
KSFT_BINS	:= $(addprefix $(KSFT_DIR)/,$(KSFT_TESTS))
# Shared helpers, declared in rtslot_test.h.
KSFT_HELPER	:= $(addprefix $(TOP)/tests/kselftest/,lib_dev.c lib_sysfs.c lib_trace.c lib_proc.c)
KSFT_DEPS	:= $(KSFT_HELPER) $(TOP)/tests/kselftest/rtslot_test.h \
		   $(TOP)/include/uapi/rtslot.h $(KSFT_INC)/kselftest_harness.h
KSFT_CFLAGS	:= $(CFLAGS) $(WARN) -Wno-sign-compare -Wno-missing-field-initializers \
		   -D_GNU_SOURCE -static $(CPPFLAGS)

.PHONY: kselftest
kselftest: $(KSFT_BINS)

$(KSFT_DIR)/%: $(TOP)/tests/kselftest/%.c $(KSFT_DEPS) | kernel-files
	@mkdir -p $(dir $@)
	$(CC) $(KSFT_CFLAGS) -o $@ $< $(KSFT_HELPER)
