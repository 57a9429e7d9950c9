# user/rtslotd/rtslotd.mk: rtslotd (the arbiter), librtslot-client (its
# client side, linked by the CUDA shim), their integration tests and the
# protocol fuzzer.  Included by the top Makefile, which sets TOP, BUILD, CC,
# CFLAGS, WARN, CPPFLAGS and KSFT_INC.
#
# The slot core, the task-set model and librtslot are compiled here from
# their own files (kmod/slotcore*.c, user/model/, user/lib/): never forked.
# The daemon links librtslot-bpf (bpf/bpf.mk, included before this file)
# for its telemetry, dynamically on the host and statically for the guest.

RD_OUT		:= $(BUILD)/rtslotd
RTSLOTD		:= $(BUILD)/user/rtslotd
RTSLOTC_LIB	:= $(BUILD)/user/librtslot-client.a
RD_PKG_CFLAGS	:= $(shell pkg-config --cflags json-c liburing 2>/dev/null)
RD_LIBS		:= -luring -ljson-c -lm -pthread
RD_DAEMON_LIBS	:= $(LIBRTSLOT_BPF) $(BPF_LIBS) $(RD_LIBS)
RD_CFLAGS	:= $(CFLAGS) $(WARN) -D_GNU_SOURCE -fPIC -MMD -MP $(CPPFLAGS) $(RD_PKG_CFLAGS)
RD_ASAN		:= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

RD_DAEMON_SRCS	:= $(filter-out user/rtslotd/proto.c,$(patsubst $(TOP)/%,%, \
		   $(wildcard $(TOP)/user/rtslotd/*.c)))
RD_SHARED_SRCS	:= user/rtslotd/proto.c kmod/slotcore.c kmod/slotcore_config.c kmod/slotcore_table.c \
		   user/model/taskset.c user/model/analysis.c user/model/planner.c \
		   user/lib/rtslot_dev.c user/lib/rtslot_sysfs.c
RD_CLIENT_SRCS	:= $(patsubst $(TOP)/%,%,$(wildcard $(TOP)/user/client/*.c)) \
		   user/rtslotd/proto.c
RD_TEST_SRCS	:= $(patsubst $(TOP)/%,%,$(wildcard $(TOP)/tests/rtslotd/*.c))

rd_obj		= $(patsubst %.c,$(RD_OUT)/$(1)/%.o,$(2))

RD_DAEMON_OBJS	:= $(call rd_obj,obj,$(RD_DAEMON_SRCS) $(RD_SHARED_SRCS))
RD_CLIENT_OBJS	:= $(call rd_obj,obj,$(RD_CLIENT_SRCS))
# The tests run a sanitized daemon and link the sanitized client and librtslot.
RD_ASAN_DAEMON	:= $(RD_OUT)/asan/rtslotd
RD_ASAN_OBJS	:= $(call rd_obj,asan,$(RD_DAEMON_SRCS) $(RD_SHARED_SRCS))
RD_TEST_LIB	:= $(call rd_obj,asan,tests/rtslotd/lib.c $(RD_CLIENT_SRCS) \
		   user/lib/rtslot_dev.c user/lib/rtslot_sysfs.c)
RD_TEST_MAINS	:= $(filter tests/rtslotd/test_%.c,$(RD_TEST_SRCS))
RD_TESTS	:= $(patsubst tests/rtslotd/%.c,$(RD_OUT)/%,$(RD_TEST_MAINS))
RD_TEST_OBJS	:= $(RD_TEST_LIB) $(call rd_obj,asan,$(RD_TEST_MAINS))
RD_FUZZ		:= $(RD_OUT)/proto_fuzz
RD_SEEDS	:= $(RD_OUT)/proto_seeds
RD_FUZZ_RUNS	?= 2000000

.PHONY: rtslotd check-rtslotd
all: rtslotd
rtslotd: $(RTSLOTD) $(RTSLOTC_LIB)

$(RD_OUT)/obj/%.o: $(TOP)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(RD_CFLAGS) -c -o $@ $<

$(RD_OUT)/asan/%.o: $(TOP)/%.c $(KSFT_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(RD_CFLAGS) $(RD_ASAN) -c -o $@ $<

$(RTSLOTD): $(RD_DAEMON_OBJS) $(LIBRTSLOT_BPF)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(RD_DAEMON_OBJS) $(RD_DAEMON_LIBS)

$(RTSLOTC_LIB): $(RD_CLIENT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(RD_ASAN_DAEMON): $(RD_ASAN_OBJS) $(LIBRTSLOT_BPF)
	$(CC) $(CFLAGS) $(RD_ASAN) -o $@ $(RD_ASAN_OBJS) $(RD_DAEMON_LIBS)

# The harness's macros compare ints with unsigned fields.
$(RD_OUT)/asan/tests/%.o: RD_CFLAGS += -Wno-sign-compare

$(RD_OUT)/test_%: $(RD_OUT)/asan/tests/rtslotd/test_%.o $(RD_TEST_LIB)
	$(CC) $(CFLAGS) $(RD_ASAN) -o $@ $^ $(RD_LIBS)

$(RD_FUZZ): tests/fuzz/proto_fuzz.c user/rtslotd/proto.c include/rtslot/proto.h
	@mkdir -p $(dir $@)
	clang -g -O1 $(WARN) $(CPPFLAGS) -fsanitize=fuzzer,address,undefined \
		-o $@ tests/fuzz/proto_fuzz.c user/rtslotd/proto.c

$(RD_SEEDS): tests/fuzz/proto_seeds.c user/rtslotd/proto.c include/rtslot/proto.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS) -o $@ tests/fuzz/proto_seeds.c user/rtslotd/proto.c

-include $(RD_DAEMON_OBJS:.o=.d) $(RD_CLIENT_OBJS:.o=.d) $(RD_ASAN_OBJS:.o=.d) \
	$(RD_TEST_OBJS:.o=.d)

# Flat TAP in build/results/rtslotd.tap: the integration tests (kselftest
# harness, against the sanitized daemon), then one line for the fuzzer.
check-rtslotd: $(RTSLOTD) $(RD_ASAN_DAEMON) $(RD_TESTS) $(RD_FUZZ) $(RD_SEEDS)
	@mkdir -p $(BUILD)/results
	@rc=0; tap=$(BUILD)/results/rtslotd.tap; log=$(BUILD)/results/rtslotd; : > $$tap; \
	for t in $(RD_TESTS); do \
		RTSLOTD_BIN=$(RD_ASAN_DAEMON) RTSLOTD_PLAIN_BIN=$(RTSLOTD) $$t \
			> $$log.$$(basename $$t).log 2>&1 || rc=1; \
		cat $$log.$$(basename $$t).log >> $$tap; \
	done; \
	n=$$(grep -cE '^(not )?ok [0-9]+' $$tap); \
	rm -rf $(RD_OUT)/corpus && mkdir -p $(RD_OUT)/corpus && \
	$(RD_SEEDS) $(RD_OUT)/corpus > $$log.fuzz.log 2>&1 && \
	$(RD_FUZZ) -runs=$(RD_FUZZ_RUNS) -max_total_time=20 -max_len=1024 \
		$(RD_OUT)/corpus >> $$log.fuzz.log 2>&1; \
	if [ $$? -eq 0 ]; then \
		echo "ok $$((n + 1)) rtslotd.proto_fuzz ($(RD_FUZZ_RUNS) runs or 20 s)" >> $$tap; \
	else \
		echo "not ok $$((n + 1)) rtslotd.proto_fuzz (see $$log.fuzz.log)" >> $$tap; \
		rc=1; \
	fi; \
	grep -E '^(not )?ok [0-9]+|^# (Totals|FAILED)|^# .*:[0-9]+:' $$tap; exit $$rc

# The kmod backend in the QEMU guest: a static rtslotd and the smoke client
# (tests/rtslotd/kmod_smoke.c, which starts the daemon), run by check-vm in
# the kselftests' boot as /kselftest/rtslotd_kmod.  rtslotd-kmod-smoke boots
# a guest for it alone, which is quicker while working on the backend.
RD_STATIC	:= $(RD_OUT)/static
RD_SMOKE_OBJS	:= $(call rd_obj,obj,tests/rtslotd/kmod_smoke.c tests/rtslotd/kmod_telemetry.c \
		   $(RD_CLIENT_SRCS) user/lib/rtslot_dev.c user/lib/rtslot_sysfs.c)
RD_SMOKE_BINS	:= $(RD_STATIC)/rtslotd $(RD_STATIC)/kmod_smoke

$(RD_STATIC)/rtslotd: $(RD_DAEMON_OBJS) $(LIBRTSLOT_BPF)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $(RD_DAEMON_OBJS) $(RD_DAEMON_LIBS)

$(RD_STATIC)/kmod_smoke: $(RD_SMOKE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $^ $(RD_LIBS)

VM_PROGS	+= rtslotd_kmod
VM_FILES	+= --file $(RD_STATIC)/rtslotd:/bin/rtslotd \
		   --file $(RD_STATIC)/kmod_smoke:/kselftest/rtslotd_kmod
vm-files: $(RD_SMOKE_BINS)

.PHONY: rtslotd-kmod-smoke
rtslotd-kmod-smoke: vm-files
	@$(call vm-run,$(RD_OUT)/kmod-smoke.log,$(RD_OUT)/kmod-smoke.tap,rtslotd_kmod)
