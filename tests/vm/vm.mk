# tests/vm/vm.mk: `make check-vm` boots one QEMU guest with rtslot.ko and the
# kselftest binaries, runs them all and writes flat TAP to
# $(BUILD)/results/vm.tap.  The runner is tests/vm/run-guest.sh.

VM_TIMEOUT	?= 1500
VM_DIR		:= $(TOP)/tests/vm
VM_LOG		:= $(BUILD)/results/vm.log

.PHONY: check-vm
check-vm: $(BUILD)/kmod/rtslot.ko $(KSFT_BINS)
	@mkdir -p $(BUILD)/results
	@echo "check-vm: booting the guest for $(words $(KSFT_TESTS)) kselftest binaries (log: $(VM_LOG))"
	@bash $(VM_DIR)/run-guest.sh --quiet --timeout $(VM_TIMEOUT) --log $(VM_LOG) \
		--module $(BUILD)/kmod/rtslot.ko \
		--file $(KSFT_DIR):/kselftest --file $(VM_DIR)/guest-ksft.sh:/bin/guest-ksft \
		-- sh /bin/guest-ksft /kselftest $(KSFT_TESTS); \
	bash $(VM_DIR)/ksft-tap.sh $(VM_LOG) $(KSFT_TESTS) > $(BUILD)/results/vm.tap; rc=$$?; \
	cat $(BUILD)/results/vm.tap; exit $$rc
