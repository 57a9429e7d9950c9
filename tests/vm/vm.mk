# tests/vm/vm.mk: `make check-vm` boots one QEMU guest with rtslot.ko, the
# kselftest binaries and the guest programs other parts add, runs them all
# and writes flat TAP to $(BUILD)/results/vm.tap.  The runner is
# tests/vm/run-guest.sh.

VM_TIMEOUT	?= 1500
VM_DIR		:= $(TOP)/tests/vm
VM_LOG		:= $(BUILD)/results/vm.log
# Other fragments add a guest program by appending its name to VM_PROGS,
# the --file options that put it at /kselftest/<name> (and what it needs)
# to VM_FILES, and its files as prerequisites of vm-files (which every
# boot depends on, since every boot carries all of VM_FILES).  One boot for
# all of them: under TCG a boot is the slow part.  They run after the
# kselftests, so that no kselftest starts from the state they leave.
VM_PROGS	:=
VM_FILES	:= --file $(KSFT_DIR):/kselftest

# $(call vm-run,LOG,TAP,PROGRAMS): boot once, run PROGRAMS from /kselftest
# under guest-ksft, turn the serial LOG into TAP; fails on any not ok.
define vm-run
	rm -f $(1); \
	bash $(VM_DIR)/run-guest.sh --quiet --timeout $(VM_TIMEOUT) --log $(1) \
		--module $(BUILD)/kmod/rtslot.ko $(VM_FILES) \
		--file $(VM_DIR)/guest-ksft.sh:/bin/guest-ksft \
		-- sh /bin/guest-ksft /kselftest $(3); \
	bash $(VM_DIR)/ksft-tap.sh $(1) $(3) > $(2); rc=$$?; \
	grep -v '^[[:space:]]*#' $(2); exit $$rc
endef

.PHONY: check-vm vm-files
vm-files: $(BUILD)/kmod/rtslot.ko $(KSFT_BINS)
check-vm: vm-files
	@mkdir -p $(BUILD)/results
	@echo "check-vm: booting the guest for $(words $(KSFT_TESTS)) kselftest binaries and $(VM_PROGS) (log: $(VM_LOG))"
	@$(call vm-run,$(VM_LOG),$(BUILD)/results/vm.tap,$(KSFT_TESTS) $(VM_PROGS))
