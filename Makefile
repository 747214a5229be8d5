# The README's two commands. Both install missing Debian packages first (apt-get, via sudo
# when not root), then build with the CMake presets. `make sanitize`, `make tsan` and
# `make fuzz` are the hardening routine (docs/cli.md).
.PHONY: run test build deps clean sanitize tsan fuzz fuzz-deps

DEBIAN_PACKAGES := cmake g++ make pkg-config libboost-dev libtbb-dev libyaml-cpp-dev libhdf5-dev \
	hdf5-tools catch2 librandom123-dev libcli11-dev libbenchmark-dev python3 python3-h5py \
	python3-numpy python3-pandas python3-matplotlib python3-xarray python3-h5netcdf python3-pytest \
	python3-yaml python3-jsonschema python3-sklearn libopenmpi-dev openmpi-bin \
	pybind11-dev python3-dev libcpp-httplib-dev nlohmann-json3-dev
# The playground's real-browser test (tests/serve): only `make test` installs these.
BROWSER_TEST_PACKAGES := chromium chromium-driver python3-selenium

# libFuzzer ships with clang's runtime libraries (only `make fuzz` needs them).
FUZZ_PACKAGES := clang libclang-rt-14-dev

PRESET ?= release
FUZZ_SECONDS ?= 600

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES) $(EXTRA_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing Debian packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

build: deps
	cmake --preset $(PRESET)
	cmake --build --preset $(PRESET)

run: build
	./build/$(PRESET)/polarity run scenarios/baseline.yaml -o out/baseline.h5 --force

test: DEBIAN_PACKAGES += $(BROWSER_TEST_PACKAGES)
test: build
	ctest --preset $(PRESET) -j2

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
sanitize: deps
	cmake --preset sanitize
	cmake --build --preset sanitize
	ctest --preset sanitize -j2

# The study tests (parallel batches, journal, resume) and the determinism tests (the per-agent
# parallel loops) under ThreadSanitizer, with no suppressions: oneTBB is built with TSan too
# (tests/tsan/build_tbb.sh, once, into build/tsan-deps), so TSan sees its synchronisation.
tsan: EXTRA_PACKAGES += dpkg-dev debian-archive-keyring
tsan: deps
	tests/tsan/build_tbb.sh build/tsan-deps
	cmake --preset tsan
	cmake --build --preset tsan --target polarity_tests polarity_cli
	@for b in build/tsan/polarity build/tsan/tests/polarity_tests; do \
	  ldd $$b | grep -q '=> $(CURDIR)/build/tsan-deps/lib/libtbb' || \
	    { echo "$$b does not load the TSan-built libtbb of build/tsan-deps"; exit 1; }; \
	done
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	  ./build/tsan/tests/polarity_tests "[study],[determinism]"

fuzz-deps:
	@$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(FUZZ_PACKAGES)"

# Fuzzes the scenario and then the study loader for FUZZ_SECONDS each. New inputs go to
# build/fuzz/corpus-*; a crash, hang or out-of-memory is written to tests/fuzz/findings/*/ and
# stays there, replayed by `make test` from then on.
fuzz: fuzz-deps
	cmake --preset fuzz
	cmake --build --preset fuzz --target polarity_fuzz_scenario polarity_fuzz_study
	@for t in scenario study; do \
	  mkdir -p build/fuzz/corpus-$$t tests/fuzz/findings/$$t; \
	  echo "fuzzing the $$t loader for $(FUZZ_SECONDS) s"; \
	  ./build/fuzz/tests/fuzz/polarity_fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix=tests/fuzz/findings/$$t/ build/fuzz/corpus-$$t tests/fuzz/corpus/$$t \
	    || exit 1; \
	done

clean:
	rm -rf build
