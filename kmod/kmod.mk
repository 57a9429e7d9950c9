# kmod/kmod.mk: rtslot.ko, built out of tree with all output under build/,
# and the lint stage (checkpatch on the kernel sources, W=1 build).
# Included by the top Makefile, which sets TOP, BUILD and KDIR.

KMOD_SRCS	:= $(wildcard $(TOP)/kmod/*.c $(TOP)/kmod/*.h)
KMOD_HDRS	:= $(TOP)/include/uapi/rtslot.h $(TOP)/include/rtslot/slotcore.h
KMOD_LINT	:= $(KMOD_SRCS) $(KMOD_HDRS)
CHECKPATCH_FLAGS ?= --no-tree --no-summary --terse --show-types --max-line-length=100
# Per-file exceptions, each for the file's reason to exist: compat.h is
# where kernel versions are compared; the freestanding core has no kernel
# types and must bring its own fixed-width ones.
CHECKPATCH_IGNORE_compat.h	:= --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON
CHECKPATCH_IGNORE_slotcore.h	:= --ignore NEW_TYPEDEFS

.PHONY: kmod check-lint
all: $(BUILD)/kmod/rtslot.ko
kmod: $(BUILD)/kmod/rtslot.ko

# Kbuild writes next to its sources, so it gets a tree of symlinks under
# build/ with the repository's layout: $(1)/Kbuild, $(1)/kmod/*, $(1)/include.
define kmod-shadow
	@mkdir -p $(1)/kmod
	@find $(1)/kmod -maxdepth 1 -type l -delete
	@ln -sfn $(TOP)/Kbuild $(1)/Kbuild
	@ln -sfn $(TOP)/include $(1)/include
	@for f in $(KMOD_SRCS); do ln -sfn $$f $(1)/kmod/; done
endef

$(BUILD)/kmod/rtslot.ko: $(KMOD_SRCS) $(KMOD_HDRS) $(TOP)/Kbuild
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { echo "kmod: no kernel build tree (KDIR); run 'make deps'" >&2; exit 1; }
	@bash $(TOP)/kmod/kdir.sh check $(KDIR)
	$(call kmod-shadow,$(BUILD)/kmod)
	$(MAKE) -C $(KDIR) M=$(BUILD)/kmod modules

# One TAP line per checked file, then one for the W=1 build.
check-lint: kernel-files
	@mkdir -p $(BUILD)/results
	@bash $(TOP)/kmod/kdir.sh check $(KDIR) > /dev/null
	$(call kmod-shadow,$(BUILD)/kmod-w1)
	@out=$(BUILD)/results/lint.tap; : > $$out; n=0; rc=0; \
	for f in $(KMOD_LINT); do \
		n=$$((n + 1)); name=$${f#$(TOP)/}; \
		case $$name in \
		kmod/compat.h) ign="$(CHECKPATCH_IGNORE_compat.h)";; \
		include/rtslot/slotcore.h) ign="$(CHECKPATCH_IGNORE_slotcore.h)";; \
		*) ign=;; \
		esac; \
		if log=$$($(CHECKPATCH) $(CHECKPATCH_FLAGS) $$ign -f $$f 2>&1); then \
			echo "ok $$n checkpatch $$name" >> $$out; \
		else \
			echo "not ok $$n checkpatch $$name" >> $$out; \
			printf '%s\n' "$$log" | sed 's/^/# /' >> $$out; rc=1; \
		fi; \
	done; \
	n=$$((n + 1)); \
	rm -rf $(BUILD)/kmod-w1/kmod/*.o $(BUILD)/kmod-w1/*.o $(BUILD)/kmod-w1/*.ko; \
	if $(MAKE) -C $(KDIR) M=$(BUILD)/kmod-w1 W=1 modules > $(BUILD)/kmod-w1/build.log 2>&1 && \
	   ! grep -q 'warning:' $(BUILD)/kmod-w1/build.log; then \
		echo "ok $$n W=1 build has no warnings" >> $$out; \
	else \
		echo "not ok $$n W=1 build has no warnings" >> $$out; \
		grep -E 'warning:|error:' $(BUILD)/kmod-w1/build.log | sed 's/^/# /' >> $$out; rc=1; \
	fi; \
	cat $$out; exit $$rc
