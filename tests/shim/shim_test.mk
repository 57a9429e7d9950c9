# tests/shim/shim_test.mk: `make check-shim` runs librtslot-cuda.so on the
# fake driver (tests/fakecuda/) with rtslotd: interception, capture, fork,
# threads, fail-open and fail-closed, and a deadline task against
# best-effort hogs with and without rtslot.  `make bench-shim` prints the
# per-launch cost of the shim's fast path against the driver alone.
# Included by the top Makefile after user/shim/shim.mk and the fake's fragment.

SHT_OUT		:= $(BUILD)/shim-tests
CUAPP		:= $(SHT_OUT)/cuapp
SHT_CFLAGS	:= $(CFLAGS) $(WARN) -D_GNU_SOURCE -MMD -MP $(CPPFLAGS) -I$(CUDA_INC) \
		   -I$(TOP)/tests/rtslotd -I$(TOP)/tests/shim -Wno-sign-compare
SHT_LIB_SRCS	:= tests/shim/runapp.c tests/rtslotd/lib.c user/rtslotd/proto.c \
		   $(patsubst $(TOP)/%,%,$(wildcard $(TOP)/user/client/*.c)) user/lib/rtslot_dev.c
SHT_LIB_OBJS	:= $(patsubst %.c,$(SHT_OUT)/obj/%.o,$(SHT_LIB_SRCS))
CUAPP_OBJS	:= $(patsubst %.c,$(SHT_OUT)/obj/%.o,$(patsubst $(TOP)/%,%, \
		   $(wildcard $(TOP)/tests/shim/cuapp*.c)))
SHT_TESTS	:= $(SHT_OUT)/test_shim $(SHT_OUT)/test_sched

.PHONY: check-shim bench-shim
all: $(CUAPP)

$(SHT_OUT)/obj/%.o: $(TOP)/%.c $(KSFT_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(SHT_CFLAGS) -c -o $@ $<

# Linked against the fake driver as a real app links libcuda.
$(CUAPP): $(CUAPP_OBJS) $(FAKECUDA_LIB)
	$(CC) $(CFLAGS) -o $@ $(CUAPP_OBJS) -L$(FAKECUDA_DIR) -lcuda -ldl -pthread

$(SHT_OUT)/test_%: $(SHT_OUT)/obj/tests/shim/test_%.o $(SHT_LIB_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ -pthread -lm

-include $(CUAPP_OBJS:.o=.d) $(SHT_LIB_OBJS:.o=.d)

SHT_ENV	= CUAPP=$(CUAPP) SHIM_LIB=$(SHIM_LIB) FAKECUDA_DIR=$(FAKECUDA_DIR) \
	  SHIM_PYTEST=$(TOP)/tests/shim/test_python.py \
	  RTSLOTD_BIN=$(RD_ASAN_DAEMON)

check-shim: $(SHIM_LIB) $(CUAPP) $(SHT_TESTS) $(RD_ASAN_DAEMON)
	@mkdir -p $(BUILD)/results
	@rc=0; tap=$(BUILD)/results/shim.tap; : > $$tap; \
	for t in $(SHT_TESTS); do \
		log=$(BUILD)/results/shim.$$(basename $$t).log; \
		$(SHT_ENV) $$t > $$log 2>&1 || { rc=1; failed="$$failed $$log"; }; \
		cat $$log >> $$tap; \
	done; \
	grep -E '^(not )?ok [0-9]+|^# (Totals|FAILED)|^# .*:[0-9]+:' $$tap; \
	for log in $$failed; do echo "# --- $$log"; sed 's/^/# /' $$log; done; exit $$rc

# The same mix in the QEMU guest with rtslot.ko: the shim, the fake and
# cuapp are dynamic, so the guest gets the loader and libc they need.
SHT_GUEST_LIBS	:= $(realpath $(shell $(CC) -print-file-name=libc.so.6)) \
		   $(realpath $(shell $(CC) -print-file-name=libm.so.6))
SHT_GUEST_LD	:= /lib64/ld-linux-x86-64.so.2
VM_PROGS	+= shim_kmod
VM_FILES	+= --file $(TOP)/tests/shim/guest-sched.sh:/kselftest/shim_kmod \
		   --file $(SHIM_LIB):/opt/rtslot/librtslot-cuda.so \
		   --file $(FAKECUDA_LIB):/opt/rtslot/libcuda.so.1 \
		   --file $(CUAPP):/opt/rtslot/cuapp \
		   --file $(realpath $(SHT_GUEST_LD)):$(SHT_GUEST_LD) \
		   $(foreach l,$(SHT_GUEST_LIBS),--file $(l):/opt/rtslot/$(notdir $(l)))
vm-files: $(SHIM_LIB) $(FAKECUDA_LIB) $(CUAPP)

# Only this mix in the guest (one boot): `make shim-guest`.
.PHONY: shim-guest
shim-guest: vm-files
	@$(call vm-run,$(SHT_OUT)/guest.log,$(SHT_OUT)/guest.tap,shim_kmod)

bench-shim: $(SHIM_LIB) $(CUAPP) $(RTSLOTD)
	@bash $(TOP)/bench/shim-overhead.sh $(CUAPP) $(SHIM_LIB) $(FAKECUDA_DIR) $(RTSLOTD)

# make demo's middle part: the mix on the host, unmanaged and managed, one table.
.PHONY: demo-shim
demo-shim: $(SHIM_LIB) $(CUAPP) $(RTSLOTD)
	@bash $(TOP)/user/demo/shim-demo.sh $(CUAPP) $(SHIM_LIB) $(FAKECUDA_DIR) $(RTSLOTD)
