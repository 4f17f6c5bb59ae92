# Hromada — the top-level driver of the CMake build. See docs/HACKING.md.
#
#   make            build build/hromada (and the tests)
#   make run        install what is missing, build, run the whole platform (hromada up)
#   make test       install what is missing, build twice (plain, ASan+UBSan), run every test
#   make bench      install what is missing, build optimised, run the benchmarks
#   make fuzz       build the libFuzzer targets with clang (build-fuzz/)
#   make clean      remove every build directory
#
# Quiet by default: the build's output goes to $(BUILD)/build.log and is shown
# only when it fails. V=1 shows it all, and runs `hromada up --verbose`.

BUILD      ?= build
ASAN_BUILD ?= build-asan
BENCH_BUILD ?= build-bench
FUZZ_BUILD ?= build-fuzz
STATE      ?= ./hromada-state
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
UP_FLAGS   ?=

MAKEFLAGS += --no-print-directory

# $(call quietly,LOG,COMMAND): COMMAND's output into LOG, shown only on failure.
ifeq ($(V),1)
quietly = $(2)
else
quietly = mkdir -p $(dir $(1)) && { { $(2); } >$(1) 2>&1 || { cat $(1); echo "make: failed; the output above is in $(1)" >&2; exit 1; }; }
endif

.PHONY: all build run test test-plain test-asan test-fuzz bench fuzz deps clean format

all: build

deps:
	@./scripts/deps.sh

build:
	@echo "building $(BUILD)/hromada (output in $(BUILD)/build.log; V=1 shows it)"
	@$(call quietly,$(BUILD)/build.log,cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) && cmake --build $(BUILD) -j $(JOBS))

run: deps build
	@./$(BUILD)/hromada up --state $(STATE) $(if $(filter 1,$(V)),--verbose) $(UP_FLAGS)

test-plain: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan:
	@echo "building $(ASAN_BUILD) (AddressSanitizer + UBSan; log in $(ASAN_BUILD)/build.log)"
	@$(call quietly,$(ASAN_BUILD)/build.log,cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DHROMADA_SANITIZE=ON $(CMAKE_FLAGS) && cmake --build $(ASAN_BUILD) -j $(JOBS))
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# Plain, then a fuzz smoke run of every parser (about a minute), then every test
# again under the sanitizers; each step ends with CTest's summary.
test: deps
	@$(MAKE) --no-print-directory test-plain
	@$(MAKE) --no-print-directory test-fuzz
	@$(MAKE) --no-print-directory test-asan

test-fuzz: fuzz
	ctest --test-dir $(FUZZ_BUILD) --output-on-failure -j $(JOBS) -L fuzz

bench: deps
	@echo "building $(BENCH_BUILD) (Release; log in $(BENCH_BUILD)/build.log)"
	@$(call quietly,$(BENCH_BUILD)/build.log,cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) && cmake --build $(BENCH_BUILD) -j $(JOBS))
	./bench/run.sh $(BENCH_BUILD)

fuzz: deps
	@echo "building $(FUZZ_BUILD) (libFuzzer, clang; log in $(FUZZ_BUILD)/build.log)"
	@$(call quietly,$(FUZZ_BUILD)/build.log,CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHROMADA_FUZZ=ON $(CMAKE_FLAGS) && cmake --build $(FUZZ_BUILD) -j $(JOBS))
	@echo "fuzz targets in $(FUZZ_BUILD)/fuzz/; e.g. $(FUZZ_BUILD)/fuzz/fuzz_verify -max_total_time=60 CORPUS_COPY"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(BENCH_BUILD) $(FUZZ_BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
