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

