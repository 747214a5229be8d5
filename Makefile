# The README's two commands. Both install missing Debian packages first (apt-get, via sudo
# when not root), then build with the CMake presets.
.PHONY: run test build deps clean

DEBIAN_PACKAGES := cmake g++ make pkg-config libboost-dev libtbb-dev libyaml-cpp-dev libhdf5-dev \
	hdf5-tools catch2 librandom123-dev libcli11-dev libbenchmark-dev python3 python3-h5py \
	python3-numpy python3-pandas python3-matplotlib python3-xarray python3-h5netcdf python3-pytest \
	python3-yaml python3-jsonschema python3-sklearn libopenmpi-dev openmpi-bin \
	pybind11-dev python3-dev libcpp-httplib-dev nlohmann-json3-dev
# The playground's real-browser test (tests/serve): only `make test` installs these.
BROWSER_TEST_PACKAGES := chromium chromium-driver python3-selenium

PRESET ?= release

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
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

clean:
	rm -rf build
