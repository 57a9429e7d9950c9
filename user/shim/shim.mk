# user/shim/shim.mk: librtslot-cuda.so, the LD_PRELOAD shim.  Its intercept
# table is generated from the CUDA headers (gen_intercept.py); it links
# the rtslotd client library's sources built position-independent.
# Included by the top Makefile, which sets TOP, BUILD, CC, CFLAGS, WARN, CPPFLAGS.

CUDA_HOME	?= /usr/local/cuda
CUDA_INC	?= $(CUDA_HOME)/include
SHIM_OUT	:= $(BUILD)/shim
SHIM_LIB	:= $(BUILD)/user/librtslot-cuda.so
SHIM_GEN	:= $(SHIM_OUT)/gen
SHIM_SRCS	:= $(patsubst $(TOP)/%,%,$(wildcard $(TOP)/user/shim/*.c)) \
		   $(patsubst $(TOP)/%,%,$(wildcard $(TOP)/user/client/*.c)) \
		   user/rtslotd/proto.c user/lib/rtslot_dev.c
SHIM_OBJS	:= $(patsubst %.c,$(SHIM_OUT)/obj/%.o,$(SHIM_SRCS)) $(SHIM_OUT)/obj/shim_gen.o
SHIM_CFLAGS	:= $(CFLAGS) $(WARN) -D_GNU_SOURCE -DRTSLOT_SHIM_BUILD -fPIC \
		   -fvisibility=hidden -MMD -MP $(CPPFLAGS) -I$(CUDA_INC) -I$(TOP)/user/shim \
		   -I$(SHIM_GEN)

.PHONY: shim
all: shim
shim: $(SHIM_LIB)

$(CUDA_INC)/cuda.h $(CUDA_INC)/cudaTypedefs.h:
	@echo "shim: $@ not found: the shim is built against the CUDA toolkit's headers;" \
		"set CUDA_HOME (or CUDA_INC) to where they are" >&2; exit 1

$(SHIM_GEN)/shim_gen.c $(SHIM_GEN)/shim_gen.h &: $(TOP)/user/shim/gen_intercept.py \
		$(TOP)/user/shim/hooked.txt $(CUDA_INC)/cuda.h $(CUDA_INC)/cudaTypedefs.h
	@mkdir -p $(SHIM_GEN)
	python3 $(TOP)/user/shim/gen_intercept.py --cuda-include $(CUDA_INC) --cc $(CC) \
		--hooked $(TOP)/user/shim/hooked.txt \
		--out-c $(SHIM_GEN)/shim_gen.c --out-h $(SHIM_GEN)/shim_gen.h

$(SHIM_OUT)/obj/%.o: $(TOP)/%.c $(SHIM_GEN)/shim_gen.h
	@mkdir -p $(dir $@)
	$(CC) $(SHIM_CFLAGS) -c -o $@ $<

$(SHIM_OUT)/obj/shim_gen.o: $(SHIM_GEN)/shim_gen.c
	@mkdir -p $(dir $@)
	$(CC) $(SHIM_CFLAGS) -Wno-unused-parameter -c -o $@ $<

$(SHIM_LIB): $(SHIM_OBJS) $(TOP)/user/shim/shim.map
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -shared -Wl,--version-script=$(TOP)/user/shim/shim.map -Wl,-z,defs \
		-Wl,-soname,librtslot-cuda.so -o $@ $(SHIM_OBJS) -pthread -ldl -lm

-include $(SHIM_OBJS:.o=.d)
