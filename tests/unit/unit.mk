# Host unit tests: the slot core (the very file the module builds), the
# lease page's reader, the task-set parser, the admission analysis, the planner, the simulator, the
# task-set generator (with rtslotctl gen, which user/user.mk builds) and
# the choice of kernel headers (kmod/kdir.sh).

UNIT_CFLAGS := $(CFLAGS) $(WARN) -Wno-sign-compare -fsanitize=address,undefined \
	-fno-sanitize-recover=all $(CPPFLAGS)
UNIT_BINS := $(BUILD)/unit/test_slotcore $(BUILD)/unit/test_analysis $(BUILD)/unit/test_sim \
	$(BUILD)/unit/test_gen $(BUILD)/unit/test_lease_page
CORE_SRCS := kmod/slotcore.c kmod/slotcore_config.c kmod/slotcore_table.c
MODEL_SRCS := $(wildcard user/model/*.c)
SIM_SRCS := $(wildcard user/sim/*.c)

$(BUILD)/unit/test_slotcore: tests/unit/test_slotcore.c $(CORE_SRCS) \
		include/rtslot/slotcore.h $(KSFT_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ tests/unit/test_slotcore.c $(CORE_SRCS)

$(BUILD)/unit/test_analysis: tests/unit/test_analysis.c $(MODEL_SRCS) \
		$(wildcard include/rtslot/*.h) $(KSFT_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) $$(pkg-config --cflags json-c) -o $@ $< $(MODEL_SRCS) \
		$$(pkg-config --libs json-c) -lm

$(BUILD)/unit/test_sim: tests/unit/test_sim.c $(MODEL_SRCS) $(SIM_SRCS) $(CORE_SRCS) \
		user/sim/sim_internal.h $(wildcard include/rtslot/*.h) \
		$(KSFT_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) $$(pkg-config --cflags json-c) -o $@ $< $(MODEL_SRCS) \
		$(SIM_SRCS) $(CORE_SRCS) $$(pkg-config --libs json-c) -lm

$(BUILD)/unit/test_lease_page: tests/unit/test_lease_page.c include/rtslot/dev.h \
		include/uapi/rtslot.h $(KSFT_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $<

# Spelt out: user/user.mk, which names it $(RTSLOTCTL), is read after this.
UNIT_RTSLOTCTL := $(BUILD)/user/rtslotctl

$(BUILD)/unit/test_gen: tests/unit/test_gen.c $(MODEL_SRCS) $(wildcard include/rtslot/*.h) \
		$(KSFT_INC)/kselftest_harness.h | $(UNIT_RTSLOTCTL)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) $$(pkg-config --cflags json-c) -DRTSLOTCTL='"$(UNIT_RTSLOTCTL)"' \
		-o $@ $< $(MODEL_SRCS) $$(pkg-config --libs json-c) -lm

# The build's and the suite's own tools, tested on made-up inputs.
UNIT_SCRIPTS := $(TOP)/tests/tools/test-kdir.sh $(TOP)/tests/tools/test-tap-summary.sh \
	$(TOP)/tests/tools/test-check-repeat.sh

.PHONY: check-unit
check-unit: $(UNIT_BINS) $(UNIT_RTSLOTCTL)
	@mkdir -p $(BUILD)/results
	@rc=0; : > $(BUILD)/results/unit.tap; \
	for t in $(UNIT_BINS) $(UNIT_SCRIPTS); do \
		case $$t in *.sh) run="bash $$t";; *) run=$$t;; esac; \
		$$run > $(BUILD)/results/unit.$$(basename $$t).log 2>&1 || rc=1; \
		cat $(BUILD)/results/unit.$$(basename $$t).log >> $(BUILD)/results/unit.tap; \
	done; \
	grep -E '^(not )?ok |^# (Totals|FAILED)|^# .*:[0-9]+:' $(BUILD)/results/unit.tap; exit $$rc
