# Host unit tests of the freestanding slot core: the very file the module builds.

UNIT_BIN := $(BUILD)/unit/test_slotcore

$(UNIT_BIN): tests/unit/test_slotcore.c kmod/slotcore.c include/rtslot/slotcore.h \
		$(KSFT_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -Wno-sign-compare -fsanitize=address,undefined -fno-sanitize-recover=all \
		$(CPPFLAGS) -o $@ tests/unit/test_slotcore.c kmod/slotcore.c

.PHONY: check-unit
check-unit: $(UNIT_BIN)
	@mkdir -p $(BUILD)/results
	@set -o pipefail; $(UNIT_BIN) 2>&1 | tee $(BUILD)/results/unit.tap
