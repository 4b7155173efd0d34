# MinimalOS: the two commands are `make run` and `make test`; see README.md.
CONFIG   ?= Debug
BUILD    := build
HOST     := $(BUILD)/host
CROSS    := $(BUILD)/cross
CMAKE_COMMON := -G Ninja -DCMAKE_BUILD_TYPE=$(CONFIG) \
                -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 -DCMAKE_ASM_COMPILER=clang-22

.PHONY: all deps host cross iso run test bench fuzz debug clean release

all: iso

deps:
	@tools/install-deps

host: deps
	@cmake -S . -B $(HOST) $(CMAKE_COMMON) >/dev/null
	@cmake --build $(HOST)
	@ln -sf host/compile_commands.json $(BUILD)/compile_commands.json

cross: host
	@cmake -S . -B $(CROSS) $(CMAKE_COMMON) -DMNOS_CROSS=ON -DMNOS_HOST_BUILD=$(abspath $(HOST)) >/dev/null
	@cmake --build $(CROSS)

# Two ISOs: $(BUILD)/minimalos.iso with the shipped kernel (make run, make release) and
# $(BUILD)/test/minimalos.iso with the test kernel, which carries the self-test suites the boot
# tests select with test=<suite>.
iso: cross
	@tools/make-iso $(CROSS) $(BUILD)
	@mkdir -p $(BUILD)/test
	@tools/make-iso $(CROSS) $(BUILD)/test kernel-test.elf

# DISK=image.raw attaches a raw image as a virtio-blk disk (served as "block": docs/drivers.md).
run: iso
	@tools/run-qemu --iso $(BUILD)/minimalos.iso $(if $(DISK),--disk $(DISK)) $(QEMU_ARGS)

test: iso
	@ctest --test-dir $(HOST) --output-on-failure -j2 $(CTEST_ARGS)

bench: host
	@tools/bench

# libFuzzer targets in their own configuration (build/fuzz); FUZZ_SECONDS per target, default 60.
FUZZ_SECONDS ?= 60
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tools/fuzz

debug: iso
	@tools/debug-qemu $(BUILD)

release:
	@$(MAKE) CONFIG=Release BUILD=$(BUILD) iso

clean:
	rm -rf $(BUILD)
