# bpf/bpf.mk: the BPF probes (bpf/*.bpf.c), their skeletons and librtslot-bpf
# (the loaders and the ring-buffer consumer that rtslotctl and rtslotd link),
# and their tests: `make check-bpf` on the host, and guest programs that
# check-vm runs in its one boot.  Included by the top Makefile before
# user/user.mk, which links the library into rtslotctl.

BPF_OUT		:= $(BUILD)/bpf
BPF_VMLINUX	:= $(BPF_OUT)/vmlinux.h
BPF_CLANG	?= clang
BPF_STRIP	?= llvm-strip
BPF_ARCH	:= $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(shell uname -m)))
BPF_PROGS	:= rtslot sched cuda
BPF_OBJS	:= $(patsubst %,$(BPF_OUT)/%.bpf.o,$(BPF_PROGS))
BPF_SKELS	:= $(patsubst %,$(BPF_OUT)/%.skel.h,$(BPF_PROGS))
BPF_HDRS	:= $(TOP)/bpf/rtslot_bpf.h $(TOP)/bpf/hist.bpf.h
LIBRTSLOT_BPF	:= $(BPF_OUT)/librtslot-bpf.a
# What a program linking librtslot-bpf needs after it (static too: Debian
# ships libbpf.a, libelf.a and libz.a).
BPF_LIBS	:= -lbpf -lelf -lz
BPF_LIB_SRCS	:= $(addprefix $(TOP)/bpf/,probes.c cuda.c env.c format.c elfsym.c hist.c)
BPF_LIB_OBJS	:= $(patsubst $(TOP)/bpf/%.c,$(BPF_OUT)/obj/%.o,$(BPF_LIB_SRCS))
BPF_CFLAGS	:= $(CFLAGS) $(WARN) -D_GNU_SOURCE -fPIC -MMD -MP

# rtslot_bpf.h (the shared structs) is included as <rtslot/probes.h> pulls it in.
CPPFLAGS	+= -I$(TOP)/bpf

.PHONY: bpf
all: bpf
bpf: $(LIBRTSLOT_BPF)

# The kernel's types from the BTF of the guest kernel the probes target
# (bpf/gen-vmlinux-h.sh says where else it looks).  Rebuilt when that image
# changes; VMLINUX_BTF=FILE takes another.
$(BPF_VMLINUX): $(TOP)/bpf/gen-vmlinux-h.sh $(wildcard $(GUEST_KERNEL)) $(VMLINUX_BTF)
	@mkdir -p $(dir $@)
	bash $(TOP)/bpf/gen-vmlinux-h.sh $@ $(GUEST_KERNEL)

# DWARF is stripped, BTF kept: libbpf needs it, the skeleton need not carry
# the rest.
$(BPF_OUT)/%.bpf.o: $(TOP)/bpf/%.bpf.c $(BPF_VMLINUX) $(BPF_HDRS)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror \
		-I$(BPF_OUT) -I$(TOP)/bpf -c -o $@ $<
	$(BPF_STRIP) -g $@

$(BPF_OUT)/%.skel.h: $(BPF_OUT)/%.bpf.o
	bpftool gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

$(BPF_OUT)/obj/%.o: $(TOP)/bpf/%.c $(BPF_SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(BPF_CFLAGS) $(CPPFLAGS) -I$(BPF_OUT) -c -o $@ $<

$(LIBRTSLOT_BPF): $(BPF_LIB_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

-include $(BPF_LIB_OBJS:.o=.d)

# Kept: the skeletons are what the loaders include, and the objects are
# rebuilt only when their sources change.
.SECONDARY: $(BPF_OBJS) $(BPF_SKELS)

# Tests.  On the host (check-bpf): observe-only mode against the fake
# libcuda of tests/fakecuda (built when the CUDA headers are there, as
# fakecuda.mk decides; spelt out here because that fragment comes later),
# and the tools' messages.  In the guest (check-vm): the probes over
# rtslot.ko, and rtslotctl lat/top/trace; static, with librtslot.
CUDA_INC	?= /usr/local/cuda/include
BPF_CUDA_OK	:= $(wildcard $(CUDA_INC)/cuda.h)
BPF_FAKECUDA	:= $(BUILD)/fakecuda/libcuda.so.1
BPF_TEST_OUT	:= $(BPF_OUT)/test
BPF_OBSERVE	:= $(BPF_TEST_OUT)/observe
BPF_CUDA_APP	:= $(BPF_TEST_OUT)/cuda_app
BPF_GUEST_BINS	:= $(BPF_TEST_OUT)/static/bpf_probes $(BPF_TEST_OUT)/static/bpf_tools
BPF_RTSLOTCTL	:= $(BUILD)/user/rtslotctl
BPF_RTSLOTCTL_STATIC := $(BUILD)/user/static/rtslotctl
BPF_TEST_CFLAGS	:= $(CFLAGS) $(WARN) -Wno-sign-compare -Wno-missing-field-initializers \
		   -D_GNU_SOURCE $(CPPFLAGS) -I$(TOP)/tests/kselftest -I$(TOP)/tests/bpf
BPF_KSFT_LIB	:= $(addprefix $(TOP)/tests/kselftest/,lib_dev.c lib_sysfs.c lib_trace.c lib_proc.c)
BPF_TEST_DEPS	:= $(LIBRTSLOT_BPF) $(KSFT_INC)/kselftest_harness.h $(TOP)/tests/bpf/probes_test.h \
		   $(TOP)/tests/kselftest/rtslot_test.h $(BUILD)/user/librtslot.a

$(BPF_OBSERVE): $(TOP)/tests/bpf/observe.c $(BPF_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(BPF_TEST_CFLAGS) -o $@ $< $(LIBRTSLOT_BPF) $(BPF_LIBS)

$(BPF_CUDA_APP): $(TOP)/tests/bpf/cuda_app.c $(BPF_FAKECUDA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) -I$(CUDA_INC) -o $@ $< -L$(dir $(BPF_FAKECUDA)) \
		-Wl,-rpath,$(dir $(BPF_FAKECUDA)) -l:libcuda.so.1

$(BPF_TEST_OUT)/static/bpf_probes: $(TOP)/tests/bpf/probes.c $(TOP)/tests/bpf/probes_lib.c \
		$(BPF_KSFT_LIB) $(BPF_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(BPF_TEST_CFLAGS) -static -o $@ $< $(TOP)/tests/bpf/probes_lib.c $(BPF_KSFT_LIB) \
		$(LIBRTSLOT_BPF) $(BUILD)/user/librtslot.a $(BPF_LIBS)

$(BPF_TEST_OUT)/static/bpf_tools: $(TOP)/tests/bpf/tools.c $(TOP)/tests/bpf/probes_lib.c \
		$(BPF_KSFT_LIB) $(BPF_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(BPF_TEST_CFLAGS) $(JSONC_CFLAGS) -static -o $@ $< $(TOP)/tests/bpf/probes_lib.c \
		$(BPF_KSFT_LIB) $(LIBRTSLOT_BPF) $(BUILD)/user/librtslot.a -ljson-c $(BPF_LIBS)

# The guest programs join check-vm's one boot; rtslotctl goes in as the
# tools test runs it.
VM_PROGS	+= bpf_probes bpf_tools
VM_FILES	+= --file $(BPF_TEST_OUT)/static/bpf_probes:/kselftest/bpf_probes \
		   --file $(BPF_TEST_OUT)/static/bpf_tools:/kselftest/bpf_tools \
		   --file $(BPF_RTSLOTCTL_STATIC):/bin/rtslotctl
vm-files: $(BPF_GUEST_BINS) $(BPF_RTSLOTCTL_STATIC)

# A boot for the BPF guest programs alone: quicker while working on them.
BPF_VM_FILES	:= --file $(BPF_TEST_OUT)/static:/kselftest \
		   --file $(BPF_RTSLOTCTL_STATIC):/bin/rtslotctl
.PHONY: bpf-vm check-bpf
bpf-vm: $(BUILD)/kmod/rtslot.ko $(BPF_GUEST_BINS) $(BPF_RTSLOTCTL_STATIC)
	@bash $(VM_DIR)/run-guest.sh --quiet --timeout $(VM_TIMEOUT) --log $(BPF_OUT)/vm.log \
		--module $(BUILD)/kmod/rtslot.ko $(BPF_VM_FILES) \
		--file $(VM_DIR)/guest-ksft.sh:/bin/guest-ksft \
		-- sh /bin/guest-ksft /kselftest bpf_probes bpf_tools; \
	bash $(VM_DIR)/ksft-tap.sh $(BPF_OUT)/vm.log bpf_probes bpf_tools > $(BPF_OUT)/vm.tap; \
	rc=$$?; cat $(BPF_OUT)/vm.tap; exit $$rc

# Flat TAP in build/results/bpf.tap.  Needs root (else every test is a
# skip) and tracefs, which it mounts when missing.  rtslotctl runs from a
# 0700 folder, as from a checkout in a home directory or a mktemp -d one:
# the case that drops to another uid must not depend on reaching it there.
BPF_HOST_BINS	:= $(BPF_OBSERVE) $(BPF_RTSLOTCTL) $(if $(BPF_CUDA_OK),$(BPF_CUDA_APP))
BPF_PRIVATE	:= $(BPF_TEST_OUT)/private
check-bpf: $(BPF_HOST_BINS)
	@mkdir -p $(BUILD)/results
	@if [ "$$(id -u)" = 0 ] && ! mountpoint -q /sys/kernel/tracing; then \
		mount -t tracefs nodev /sys/kernel/tracing; fi; \
	rm -rf $(BPF_PRIVATE) && mkdir -p -m 0700 $(BPF_PRIVATE) && \
	cp $(BPF_RTSLOTCTL) $(BPF_PRIVATE)/ || exit 1; \
	log=$(BUILD)/results/bpf.observe.log; \
	RTSLOTCTL=$(BPF_PRIVATE)/rtslotctl BT_CUDA_APP=$(BPF_CUDA_APP) \
	BT_FAKECUDA=$(if $(BPF_CUDA_OK),$(BPF_FAKECUDA)) $(BPF_OBSERVE) > $$log 2>&1; rc=$$?; \
	cp $$log $(BUILD)/results/bpf.tap; \
	grep -E '^(not )?ok |^# (Totals|FAILED)|^# .*:[0-9]+:' $(BUILD)/results/bpf.tap; exit $$rc
