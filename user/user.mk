# user/user.mk: librtslot (device access library), librtslot-sched (the
# slot core, task-set model, analysis, planner and simulator: what rtslotd
# and rtslotctl share) and rtslotctl (which also links librtslot-bpf), built for the host (dynamically
# linked) and statically for the QEMU guest; and `make demo`.
# Included by the top Makefile, which sets TOP, BUILD, CC, CFLAGS, WARN, CPPFLAGS.

USER_OUT	:= $(BUILD)/user
USER_CFLAGS	:= $(CFLAGS) $(WARN) -fPIC -MMD -MP
JSONC_CFLAGS	:= $(shell pkg-config --cflags json-c 2>/dev/null)
LIBRTSLOT_SRCS	:= $(wildcard $(TOP)/user/lib/*.c)
RTSLOTCTL_SRCS	:= $(wildcard $(TOP)/user/rtslotctl/*.c)
LIBRTSLOT_OBJS	:= $(patsubst $(TOP)/user/%.c,$(USER_OUT)/obj/%.o,$(LIBRTSLOT_SRCS))
RTSLOTCTL_OBJS	:= $(patsubst $(TOP)/user/%.c,$(USER_OUT)/obj/%.o,$(RTSLOTCTL_SRCS))
SCHED_SRCS	:= $(wildcard $(TOP)/user/model/*.c $(TOP)/user/sim/*.c) \
		   $(TOP)/kmod/slotcore.c $(TOP)/kmod/slotcore_config.c $(TOP)/kmod/slotcore_table.c
SCHED_OBJS	:= $(patsubst $(TOP)/user/%.c,$(USER_OUT)/obj/%.o, \
		   $(patsubst $(TOP)/kmod/%.c,$(USER_OUT)/obj/kmod/%.o,$(SCHED_SRCS)))
LIBRTSLOT_SCHED	:= $(USER_OUT)/librtslot-sched.a
SCHED_LIBS	:= $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c) -lm
LIBRTSLOT	:= $(USER_OUT)/librtslot.a
RTSLOTCTL	:= $(USER_OUT)/rtslotctl
RTSLOTCTL_STATIC := $(USER_OUT)/static/rtslotctl

.PHONY: user
all: user
user: $(LIBRTSLOT) $(LIBRTSLOT_SCHED) $(RTSLOTCTL) $(RTSLOTCTL_STATIC)

# Position-independent, so that the CUDA shim can link the archive into a
# shared object; the same objects serve the static guest binaries.
$(USER_OUT)/obj/%.o: $(TOP)/user/%.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(CPPFLAGS) $(JSONC_CFLAGS) -c -o $@ $<

# The core is the module's own file, compiled here unchanged (never forked).
$(USER_OUT)/obj/kmod/%.o: $(TOP)/kmod/%.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(CPPFLAGS) -c -o $@ $<

$(LIBRTSLOT_SCHED): $(SCHED_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(LIBRTSLOT): $(LIBRTSLOT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# lat, top and trace link the BPF probes (bpf/bpf.mk, read before this).
$(RTSLOTCTL): $(RTSLOTCTL_OBJS) $(LIBRTSLOT) $(LIBRTSLOT_SCHED) $(LIBRTSLOT_BPF)
	$(CC) $(CFLAGS) -o $@ $(RTSLOTCTL_OBJS) $(LIBRTSLOT) $(LIBRTSLOT_SCHED) \
		$(LIBRTSLOT_BPF) $(SCHED_LIBS) $(BPF_LIBS)

$(RTSLOTCTL_STATIC): $(RTSLOTCTL_OBJS) $(LIBRTSLOT) $(LIBRTSLOT_SCHED) $(LIBRTSLOT_BPF)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -o $@ $(RTSLOTCTL_OBJS) $(LIBRTSLOT) $(LIBRTSLOT_SCHED) \
		$(LIBRTSLOT_BPF) $(SCHED_LIBS) $(BPF_LIBS)

-include $(LIBRTSLOT_OBJS:.o=.d) $(RTSLOTCTL_OBJS:.o=.d) $(SCHED_OBJS:.o=.d)

# make demo: first the Orin perception workload under every policy in the
# simulator (no GPU, no module: the slot core on a virtual clock), with a
# timeline picture of fifo against slot; then the module itself at work in
# the QEMU guest (user/demo/kmod-demo.sh).  demo-shim (tests/shim/shim_test.mk)
# runs real processes under the CUDA shim on the fake accelerator in between.
DEMO_OUT	:= $(BUILD)/demo
DEMO_LOG	:= $(DEMO_OUT)/serial.log
DEMO_SET	:= $(TOP)/bench/workloads/orin-perception.json

.PHONY: demo-sim demo-guest
demo: deps
	@$(MAKE) --no-print-directory demo-sim demo-shim demo-guest

demo-sim: $(RTSLOTCTL)
	@mkdir -p $(DEMO_OUT)
	@echo "=== Simulated (no GPU): the MLPerf Orin perception mix ($(notdir $(DEMO_SET)))"
	@$(RTSLOTCTL) sim --taskset $(DEMO_SET) --policy all
	@for p in fifo slot; do \
		$(RTSLOTCTL) sim --taskset $(DEMO_SET) --policy $$p --duration-ms 1000 \
			--trace $(DEMO_OUT)/trace-$$p.json > /dev/null && \
		bash $(TOP)/bench/plot-timeline.sh $(DEMO_OUT)/trace-$$p.json \
			$(DEMO_OUT)/timeline-$$p 0 100000 "$$p: first 100 ms of the Orin mix" || exit 1; \
	done
	@echo "timelines: $(DEMO_OUT)/timeline-fifo.png and timeline-slot.png (and .svg);"
	@echo "full traces for ui.perfetto.dev: $(DEMO_OUT)/trace-fifo.json, trace-slot.json"

demo-guest: $(BUILD)/kmod/rtslot.ko $(RTSLOTCTL_STATIC)
	@echo "=== The kernel module in a QEMU guest"
	@bash $(TOP)/tests/vm/run-guest.sh --timeout 180 --log $(DEMO_LOG) \
		--module $(BUILD)/kmod/rtslot.ko --file $(RTSLOTCTL_STATIC):/bin/rtslotctl \
		--file $(TOP)/user/demo/kmod-demo.sh:/bin/kmod-demo -- sh /bin/kmod-demo
