# The two commands of the README: `make demo` and `make test`.
# Both first install what is missing: on Debian/Ubuntu the C libraries
# libhdf5-dev, libnetcdf-dev and pkg-config via apt-get (sudo when not root).
# Elsewhere install HDF5 and netCDF-C development files and pkg-config
# yourself (Fedora: dnf install hdf5-devel netcdf-devel pkgconf;
# macOS: brew install hdf5 netcdf pkg-config).

APT_PACKAGES := libhdf5-dev libnetcdf-dev pkg-config
CARGO ?= cargo

# The serial build links the serial libhdf5, which netCDF-C links too (one
# libhdf5 per process). Once Debian's parallel HDF5 (libhdf5-openmpi-dev)
# is installed its hdf5.pc outranks the serial one in pkg-config, so the
# serial build names its HDF5 explicitly (on Debian/Ubuntu; elsewhere
# pkg-config decides, or set HDF5_DIR yourself).
SERIAL_HDF5 := /usr/lib/x86_64-linux-gnu/hdf5/serial
ifneq ($(wildcard $(SERIAL_HDF5)/include),)
export HDF5_DIR ?= $(SERIAL_HDF5)
endif

.PHONY: deps demo test test-core examples lint

deps:
	@if command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	  missing=""; \
	  for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	    echo "installing:$$missing"; \
	    $$sudo apt-get update -qq && \
	    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  fi; \
	elif ! pkg-config --exists hdf5 2>/dev/null || ! pkg-config --exists netcdf 2>/dev/null; then \
	  echo "qnd needs the HDF5 and netCDF-C development files and pkg-config:"; \
	  echo "  Fedora: dnf install hdf5-devel netcdf-devel pkgconf"; \
	  echo "  macOS:  brew install hdf5 netcdf pkg-config"; \
	  exit 1; \
	fi

# Record a small simulation history to an HDF5 file and the same history to
# a netCDF-4 file, append to both, read them back (goto, goto by time).
demo: deps
	$(CARGO) run --quiet --example history

# Everything: every crate of the workspace with the full build (HDF5 +
# netCDF; each backend crate runs the storage conformance kit), the C-free
# core alone, the examples, and the lints.
test: deps
	$(CARGO) test --workspace
	$(MAKE) test-core examples lint

# The core (qnd-storage and qnd without default features: the tree, the
# in-memory backend, lazy arrays) with no C library.
test-core:
	$(CARGO) test -p qnd-storage
	$(CARGO) test -p qnd --no-default-features --lib --tests

examples:
	$(CARGO) run --quiet --example history
	$(CARGO) run --quiet --no-default-features --example memory_tour
	$(CARGO) run --quiet --example memory_peak -- --quick
	$(CARGO) run --quiet --example guide
	d=$$(mktemp -d) && $(CARGO) run --quiet --example record_forever -- $$d/run.h5 --records 300 >/dev/null && $(CARGO) run --quiet -- ls $$d/run.h5 && rm -rf $$d

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p qnd-storage -p qnd --no-default-features --all-targets -- -D warnings
