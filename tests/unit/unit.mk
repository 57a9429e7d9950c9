# Host unit tests: the slot core (the very file the module builds), the
# task-set parser and the admission analysis.

UNIT_CFLAGS := $(CFLAGS) $(WARN) -Wno-sign-compare -fsanitize=address,undefined \
	-fno-sanitize-recover=all $(CPPFLAGS)
UNIT_BINS := $(BUILD)/unit/test_slotcore $(BUILD)/unit/test_analysis

$(BUILD)/unit/test_slotcore: tests/unit/test_slotcore.c kmod/slotcore.c \
		include/rtslot/slotcore.h $(KSFT_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ tests/unit/test_slotcore.c kmod/slotcore.c

$(BUILD)/unit/test_analysis: tests/unit/test_analysis.c user/model/analysis.c \
		user/model/taskset.c include/rtslot/analysis.h include/rtslot/taskset.h \
		$(KSFT_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) $$(pkg-config --cflags json-c) -o $@ tests/unit/test_analysis.c \
		user/model/analysis.c user/model/taskset.c $$(pkg-config --libs json-c)

.PHONY: check-unit
check-unit: $(UNIT_BINS)
	@mkdir -p $(BUILD)/results
	@rc=0; : > $(BUILD)/results/unit.tap; \
	for t in $(UNIT_BINS); do \
		$$t > $(BUILD)/results/unit.$$(basename $$t).log 2>&1 || rc=1; \
		cat $(BUILD)/results/unit.$$(basename $$t).log >> $(BUILD)/results/unit.tap; \
	done; \
	grep -E '^(not )?ok |^# (Totals|FAILED)|^# .*:[0-9]+:' $(BUILD)/results/unit.tap; exit $$rc
