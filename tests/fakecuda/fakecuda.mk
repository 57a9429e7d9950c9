# tests/fakecuda/fakecuda.mk: the fake libcuda.so.1 (a virtual accelerator
# in shared memory, for testing the CUDA shim without a GPU), its
# fakecuda-stat tool and its self-tests.  Included by the top Makefile,
# which sets TOP, BUILD, CC, CFLAGS, WARN and KSFT_INC.
#
# For other fragments:
#   FAKECUDA_DIR   the folder to put on -L / LD_LIBRARY_PATH (-lcuda finds the fake)
#   FAKECUDA_LIB   $(FAKECUDA_DIR)/libcuda.so.1, soname libcuda.so.1
#   FAKECUDA_LINK  $(FAKECUDA_DIR)/libcuda.so, the link-time name
#   FAKECUDA_STAT  $(FAKECUDA_DIR)/fakecuda-stat
#   CUDA_INC       the CUDA 13 headers it is built against
#   FAKECUDA_OK    non-empty when $(CUDA_INC)/cuda.h exists

CUDA_INC	?= /usr/local/cuda/include
FAKECUDA_OK	:= $(wildcard $(CUDA_INC)/cuda.h)
FAKECUDA_SRC	:= tests/fakecuda
FAKECUDA_DIR	:= $(BUILD)/fakecuda
FAKECUDA_LIB	:= $(FAKECUDA_DIR)/libcuda.so.1
FAKECUDA_LINK	:= $(FAKECUDA_DIR)/libcuda.so
FAKECUDA_STAT	:= $(FAKECUDA_DIR)/fakecuda-stat
FAKECUDA_MAP	:= $(FAKECUDA_SRC)/libcuda.map

# The model and the segment, shared by the library and fakecuda-stat.
FC_SHM_SRCS	:= $(addprefix $(FAKECUDA_SRC)/,shm.c engine.c log.c)
FC_API_SRCS	:= $(addprefix $(FAKECUDA_SRC)/,core.c dev.c errors.c device.c ctx.c \
		   stream.c module.c event.c launch.c capture.c graph.c memory.c procaddr.c)
FC_LIB_OBJS	:= $(patsubst $(FAKECUDA_SRC)/%.c,$(FAKECUDA_DIR)/obj/%.o,$(FC_SHM_SRCS) $(FC_API_SRCS))
FC_STAT_OBJS	:= $(patsubst $(FAKECUDA_SRC)/%.c,$(FAKECUDA_DIR)/obj/%.o,$(FC_SHM_SRCS) \
		   $(FAKECUDA_SRC)/fakecuda-stat.c)

# Preloaded next to programs that are not sanitized: -fPIC -O2, never ASan.
# __CUDA_API_VERSION_INTERNAL makes cuda.h declare every ABI variant, so
# each definition is checked against the real prototype of its name.
FC_CFLAGS	:= -O2 -g -fPIC $(WARN) -Wmissing-prototypes -Werror=missing-prototypes \
		   -fvisibility=hidden -D_GNU_SOURCE -MMD -MP
FC_CPPFLAGS	:= -D__CUDA_API_VERSION_INTERNAL -D__CUDA_API_PUSH_VISIBILITY_DEFAULT \
		   -I$(CUDA_INC) -I$(TOP)/$(FAKECUDA_SRC)

# Self-tests link -lcuda against the fake as applications do; they run
# under ASan/UBSan (the library itself is not instrumented).
FC_TEST_NAMES	:= test_api test_capture test_procaddr test_ptds test_device
FC_TESTS	:= $(addprefix $(FAKECUDA_DIR)/,$(FC_TEST_NAMES))
FC_TEST_CFLAGS	:= $(CFLAGS) $(WARN) -Wno-sign-compare -D_GNU_SOURCE -pthread \
		   -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -I$(CUDA_INC) -I$(KSFT_INC) -I$(TOP)/$(FAKECUDA_SRC) -MMD -MP
FC_TEST_LIBS	:= -L$(FAKECUDA_DIR) -Wl,-rpath,$(FAKECUDA_DIR) -lcuda -ldl -lrt -pthread

.PHONY: fakecuda check-fakecuda
ifneq ($(FAKECUDA_OK),)
all: fakecuda
endif
fakecuda: $(FAKECUDA_LIB) $(FAKECUDA_LINK) $(FAKECUDA_STAT)

$(FAKECUDA_DIR)/obj/%.o: $(FAKECUDA_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(FC_CFLAGS) $(FC_CPPFLAGS) -c -o $@ $<

# -Bsymbolic, as the real driver is built: the fake's cuGetProcAddress table
# must hand out its own functions, not the same-named hooks of a preloaded shim.
$(FAKECUDA_LIB): $(FC_LIB_OBJS) $(FAKECUDA_MAP)
	$(CC) -shared -Wl,-soname,libcuda.so.1 -Wl,--version-script=$(FAKECUDA_MAP) \
		-Wl,--no-undefined -Wl,-Bsymbolic -o $@ $(FC_LIB_OBJS) -pthread -lrt

$(FAKECUDA_LINK): $(FAKECUDA_LIB)
	ln -sf libcuda.so.1 $@

$(FAKECUDA_STAT): $(FC_STAT_OBJS)
	$(CC) -o $@ $^ -pthread -lrt

$(FAKECUDA_DIR)/test_ptds: FC_TEST_CFLAGS += -DCUDA_API_PER_THREAD_DEFAULT_STREAM
$(FAKECUDA_DIR)/test_%: $(FAKECUDA_SRC)/selftest/test_%.c $(FAKECUDA_LINK) \
		$(KSFT_INC)/kselftest_harness.h
	$(CC) $(FC_TEST_CFLAGS) -o $@ $< $(FC_TEST_LIBS)

-include $(FC_LIB_OBJS:.o=.d) $(FAKECUDA_DIR)/obj/fakecuda-stat.d $(FC_TESTS:=.d)

# Flat TAP in build/results/fakecuda.tap: one line for the export list,
# then every self-test.  Each test uses a device of its own.
ifneq ($(FAKECUDA_OK),)
check-fakecuda: $(FAKECUDA_LIB) $(FAKECUDA_LINK) $(FAKECUDA_STAT) $(FC_TESTS)
	@mkdir -p $(BUILD)/results
	@rc=0; tap=$(BUILD)/results/fakecuda.tap; log=$(BUILD)/results/fakecuda; : > $$tap; \
	extra=$$(nm -D --defined-only $(FAKECUDA_LIB) | awk '{ print $$3 }' | grep -v '^cu'); \
	if [ -z "$$extra" ]; then \
		echo "ok 1 fakecuda.exports: libcuda.so.1 exports only cu* symbols" >> $$tap; \
	else \
		echo "not ok 1 fakecuda.exports: also exports $$(echo $$extra)" >> $$tap; rc=1; \
	fi; \
	for t in $(FC_TESTS); do \
		FAKECUDA_STAT=$(FAKECUDA_STAT) FAKECUDA_LIB=$(FAKECUDA_LIB) \
		FAKECUDA_MAP=$(TOP)/$(FAKECUDA_MAP) $$t > $$log.$$(basename $$t).log 2>&1 || rc=1; \
		cat $$log.$$(basename $$t).log >> $$tap; \
	done; \
	grep -E '^(not )?ok [0-9]+|^# (Totals|FAILED)|^# .*:[0-9]+:' $$tap; exit $$rc
else
check-fakecuda:
	@mkdir -p $(BUILD)/results
	@echo "ok 1 fakecuda # SKIP no $(CUDA_INC)/cuda.h (set CUDA_INC)" | \
		tee $(BUILD)/results/fakecuda.tap
endif
