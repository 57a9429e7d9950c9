# bench/bench.mk: benchmarks, each against a baseline measured in the same
# run.  `make bench-handoff`: lease handoff latency of rtslot.ko against a
# futex handoff, in the QEMU guest (docs/bench-handoff.md).
# Included by the top Makefile after user/user.mk (it links librtslot).

BENCH_OUT	:= $(BUILD)/bench
HANDOFF_SRCS	:= $(wildcard $(TOP)/bench/handoff*.c)
HANDOFF_BIN	:= $(BENCH_OUT)/handoff
# Handoffs measured per method, and the rest of the command line.
HANDOFF_N	?= 20000
HANDOFF_ARGS	?= -n $(HANDOFF_N) -r 4 -w 200 -c 0,1
HANDOFF_LOG	:= $(BENCH_OUT)/handoff-serial.log

.PHONY: bench-handoff bench-handoff-guest
all: $(HANDOFF_BIN)

# Static: the guest has no libc.
$(HANDOFF_BIN): $(HANDOFF_SRCS) $(TOP)/bench/handoff.h $(TOP)/include/rtslot/dev.h \
		$(TOP)/include/uapi/rtslot.h $(LIBRTSLOT)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS) -static -o $@ $(HANDOFF_SRCS) $(LIBRTSLOT)

bench-handoff: deps
	@$(MAKE) --no-print-directory bench-handoff-guest

# The serial log is kept; the result is cut out of it and printed last.
bench-handoff-guest: $(BUILD)/kmod/rtslot.ko $(HANDOFF_BIN)
	@echo "bench-handoff: booting the guest (QEMU TCG), log: $(HANDOFF_LOG)"
	@bash $(TOP)/tests/vm/run-guest.sh --quiet --timeout 600 --log $(HANDOFF_LOG) \
		--module $(BUILD)/kmod/rtslot.ko --file $(HANDOFF_BIN):/bin/handoff \
		--file $(TOP)/bench/handoff-guest.sh:/bin/handoff-guest \
		-- sh /bin/handoff-guest $(HANDOFF_ARGS); rc=$$?; \
	tr -d '\r' < $(HANDOFF_LOG) | sed -n '/^guest: /,/^RTSLOT-GUEST-/p' | grep -v '^RTSLOT-GUEST-'; \
	exit $$rc

# make bench-sweep: the schedulability sweep (bench/sched_sweep.c) on the
# host, and its picture; make bench-edge: the Orin perception mix under
# every policy.  Both write what docs/scheduling.md shows.
SWEEP_BIN	:= $(BENCH_OUT)/sched_sweep
SWEEP_ARGS	?= --sets 200
DOCS_RESULTS	:= $(TOP)/docs/results
DOCS_IMG	:= $(TOP)/docs/img

.PHONY: bench-sweep bench-edge
all: $(SWEEP_BIN)

$(SWEEP_BIN): $(TOP)/bench/sched_sweep.c $(LIBRTSLOT_SCHED)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS) -o $@ $< $(LIBRTSLOT_SCHED) $(SCHED_LIBS)

bench-sweep: $(SWEEP_BIN)
	@mkdir -p $(DOCS_RESULTS) $(DOCS_IMG)
	$(SWEEP_BIN) $(SWEEP_ARGS) > $(DOCS_RESULTS)/sweep.csv
	gnuplot -e "csv='$(DOCS_RESULTS)/sweep.csv'; out='$(DOCS_IMG)/sweep'" $(TOP)/bench/plot-sweep.gp
	@column -t -s, $(DOCS_RESULTS)/sweep.csv

bench-edge: $(RTSLOTCTL)
	@mkdir -p $(DOCS_RESULTS) $(DOCS_IMG)
	$(RTSLOTCTL) sim --taskset $(DEMO_SET) --policy all | tee $(DOCS_RESULTS)/orin-perception.txt
	@for p in fifo rr edf slot; do \
		$(RTSLOTCTL) sim --taskset $(DEMO_SET) --policy $$p --duration-ms 1000 \
			--trace $(BENCH_OUT)/trace-$$p.json > /dev/null && \
		bash $(TOP)/bench/plot-timeline.sh $(BENCH_OUT)/trace-$$p.json \
			$(DOCS_IMG)/timeline-$$p 0 100000 "$$p: first 100 ms of the Orin mix" || exit 1; \
	done

# make bench-bpf: what the BPF probes add per traced rtslot event, against
# the tracepoints disabled, in the QEMU guest (docs/bpf.md).  make
# bpf-pictures: the histogram and timeline pictures of docs/bpf.md, made
# by rtslotctl lat and trace in the guest and drawn here.
BPF_BENCH_BIN	:= $(BENCH_OUT)/bpf_overhead
BPF_BENCH_ARGS	?= 20000 5
BPF_BENCH_LOG	:= $(BENCH_OUT)/bpf-serial.log
BPF_PIC_LOG	:= $(BENCH_OUT)/bpf-pictures-serial.log

.PHONY: bench-bpf bench-bpf-guest bpf-pictures
all: $(BPF_BENCH_BIN)

$(BPF_BENCH_BIN): $(TOP)/bench/bpf_overhead.c $(LIBRTSLOT_BPF) $(LIBRTSLOT)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS) -static -pthread -o $@ $< $(LIBRTSLOT_BPF) \
		$(LIBRTSLOT) $(BPF_LIBS)

bench-bpf: deps
	@$(MAKE) --no-print-directory bench-bpf-guest

bench-bpf-guest: $(BUILD)/kmod/rtslot.ko $(BPF_BENCH_BIN)
	@echo "bench-bpf: booting the guest (QEMU TCG), log: $(BPF_BENCH_LOG)"
	@bash $(TOP)/tests/vm/run-guest.sh --quiet --timeout 900 --log $(BPF_BENCH_LOG) \
		--module $(BUILD)/kmod/rtslot.ko --file $(BPF_BENCH_BIN):/bin/bpf_overhead \
		--file $(TOP)/bench/bpf-guest.sh:/bin/bpf-guest \
		-- sh /bin/bpf-guest bench $(BPF_BENCH_ARGS); rc=$$?; \
	tr -d '\r' < $(BPF_BENCH_LOG) | grep -E '^(guest|command|bench-bpf|bpf-overhead):'; exit $$rc

bpf-pictures: $(BUILD)/kmod/rtslot.ko $(RTSLOTCTL_STATIC)
	@mkdir -p $(DOCS_RESULTS) $(DOCS_IMG)
	@echo "bpf-pictures: booting the guest (QEMU TCG), log: $(BPF_PIC_LOG)"
	@bash $(TOP)/tests/vm/run-guest.sh --quiet --timeout 900 --log $(BPF_PIC_LOG) \
		--module $(BUILD)/kmod/rtslot.ko --file $(RTSLOTCTL_STATIC):/bin/rtslotctl \
		--file $(TOP)/bench/bpf-guest.sh:/bin/bpf-guest -- sh /bin/bpf-guest pictures
	@tr -d '\r' < $(BPF_PIC_LOG) | sed -n '/^BPF-LAT-BEGIN/,/^BPF-LAT-END/p' | \
		sed '1d;$$d' > $(DOCS_RESULTS)/bpf-lat.txt
	@tr -d '\r' < $(BPF_PIC_LOG) | sed -n '/^BPF-TRACE-BEGIN/,/^BPF-TRACE-END/p' | \
		sed '1d;$$d' > $(BENCH_OUT)/bpf-trace.json
	bash $(TOP)/bench/plot-bpf.sh $(DOCS_RESULTS)/bpf-lat.txt $(BENCH_OUT)/bpf-trace.json $(DOCS_IMG)
