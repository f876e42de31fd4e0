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

.PHONY: deps demo test test-core examples lint deps-mpi test-mpi mpi-tests bench-mpi lint-mpi

# MPI: `make test-mpi` builds qnd with feature `mpi` against Open MPI,
# parallel HDF5 and the netCDF-C built on it, and runs the MPI tests under
# mpirun -n 1, 2 and 4. On Debian/Ubuntu it installs what is missing
# (MPI_APT_PACKAGES; libclang is for rsmpi's bindings). Elsewhere install
# an MPI, HDF5 built with --enable-parallel and netCDF-C built on that
# HDF5 (e.g. Spack: spack install hdf5+mpi netcdf-c+mpi), and point
# MPI_HDF5_DIR and MPI_NETCDF_DIR at their prefixes (include/ and lib/).
# The MPI build has its own target folder: one process never loads two
# libhdf5, and the serial build is not rebuilt.
MPI_APT_PACKAGES := libopenmpi-dev openmpi-bin libhdf5-openmpi-dev libnetcdf-mpi-dev libclang-dev
MPI_HDF5_DIR ?= /usr/lib/x86_64-linux-gnu/hdf5/openmpi
MPI_NETCDF_DIR ?= /usr/lib/x86_64-linux-gnu/netcdf/mpi
MPI_TARGET_DIR ?= target/mpi
MPI_CARGO = env HDF5_DIR=$(MPI_HDF5_DIR) NETCDF_DIR=$(MPI_NETCDF_DIR) CARGO_TARGET_DIR=$(MPI_TARGET_DIR) $(CARGO)
# Open MPI as root, and in containers (no cross-memory attach)
MPI_RUN_ENV = OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
# Is the MPI stack here (so that `make test` runs the MPI tests too)?
# mpirun, the parallel HDF5 and netCDF, and libclang for rsmpi's bindings.
MPI_PRESENT = command -v mpirun >/dev/null 2>&1 && [ -e $(MPI_HDF5_DIR)/include/H5FDmpio.h ] \
  && [ -e $(MPI_NETCDF_DIR)/include/netcdf_par.h ] \
  && { [ -n "$$LIBCLANG_PATH" ] || { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | grep -q 'libclang[-0-9.]*\.so'; }

# Install the Debian packages $(1) that are missing (with sudo when not
# root): one shell command, for a recipe line.
apt_install = missing=""; \
  for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
  if [ -n "$$missing" ]; then \
    sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
    echo "installing:$$missing"; \
    $$sudo apt-get update -qq && \
    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
  fi

deps:
	@if command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	  $(call apt_install,$(APT_PACKAGES)); \
	elif ! pkg-config --exists hdf5 2>/dev/null || ! pkg-config --exists netcdf 2>/dev/null; then \
	  echo "qnd needs the HDF5 and netCDF-C development files and pkg-config:"; \
	  echo "  Fedora: dnf install hdf5-devel netcdf-devel pkgconf"; \
	  echo "  macOS:  brew install hdf5 netcdf pkg-config"; \
	  exit 1; \
	fi

# Where examples/history.rs writes (Rust's std::env::temp_dir).
DEMO_DIR := $(or $(TMPDIR),/tmp)

# Record a small simulation history to an HDF5 file and the same history to
# a netCDF-4 file, append to both, read them back (goto, goto by time).
demo: deps
	$(CARGO) run --quiet --example history
	@echo "--- the same files through the qnd command line (README: Command line)"
	$(CARGO) run --quiet -- ls $(DEMO_DIR)/qnd-history.h5
	$(CARGO) run --quiet -- get $(DEMO_DIR)/qnd-history.h5 u --nearest time=0.3
	$(CARGO) run --quiet -- diff $(DEMO_DIR)/qnd-history.h5 $(DEMO_DIR)/qnd-history.nc && echo "qnd diff: the .h5 and .nc histories hold the same tree"
	$(CARGO) run --quiet -- plot $(DEMO_DIR)/qnd-history.h5 energy --vs time -o $(DEMO_DIR)/qnd-energy.svg && echo "qnd plot: wrote $(DEMO_DIR)/qnd-energy.svg"

# Everything: every crate of the workspace with the full build (HDF5 +
# netCDF; each backend crate runs the storage conformance kit), the C-free
# core alone, the examples, and the lints.
test: deps
	.ci/check-libhdf5 serial $(CARGO) test --workspace --no-run
	$(CARGO) test --workspace
	$(MAKE) test-core examples lint
	@if $(MPI_PRESENT); then $(MAKE) mpi-tests lint-mpi; else echo "skipped: the MPI tests (mpirun or the parallel HDF5 and netCDF are not installed: make test-mpi installs them)"; fi

# The core (qnd-storage and qnd without default features: the tree, the
# in-memory backend, lazy arrays) with no C library.
test-core:
	$(CARGO) test -p qnd-storage
	$(CARGO) test -p qnd --no-default-features --lib --tests
	@# PDB is pure Rust: qnd with the PDB backend alone links no C library
	$(CARGO) test -p qnd --no-default-features --features pdb --test pdb
	@if $(CARGO) tree -p qnd --no-default-features --features pdb -e normal --prefix none | grep -E '^(hdf5|netcdf)'; then \
	  echo "error: the crates above link a C library in a PDB-only build"; exit 1; \
	else echo "ok: qnd with only the PDB backend builds no C library"; fi
	@# a library user who turns the `cli` feature off builds none of its crates
	@if $(CARGO) tree -p qnd --no-default-features --features hdf5,netcdf,serde -e normal --prefix none | grep -E '^(clap|clap_complete|indicatif|plotters|plotters-svg) '; then \
	  echo "error: the crates above are built without the cli feature"; exit 1; \
	else echo "ok: without the cli feature no clap, clap_complete, indicatif or plotters"; fi

examples:
	$(CARGO) run --quiet --example history
	$(CARGO) run --quiet --no-default-features --example memory_tour
	$(CARGO) run --quiet --example memory_peak -- --quick
	$(CARGO) run --quiet --example guide
	d=$$(mktemp -d) && $(CARGO) run --quiet --example diff_speed -- $$d 1000000 1 && rm -rf $$d
	d=$$(mktemp -d) && $(CARGO) run --quiet --example record_forever -- $$d/run.h5 --records 300 >/dev/null && $(CARGO) run --quiet -- ls $$d/run.h5 && rm -rf $$d

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p qnd-storage -p qnd --no-default-features --all-targets -- -D warnings
	$(CARGO) clippy -p qnd-pdb -p qnd --no-default-features --features pdb --all-targets -- -D warnings

deps-mpi:
	@if command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	  $(call apt_install,$(MPI_APT_PACKAGES)); \
	elif ! { $(MPI_PRESENT); }; then \
	  echo "the MPI tests need mpirun, a parallel HDF5 in MPI_HDF5_DIR ($(MPI_HDF5_DIR))"; \
	  echo "and netCDF-C built on it in MPI_NETCDF_DIR ($(MPI_NETCDF_DIR)), and libclang:"; \
	  echo "  e.g. spack install hdf5+mpi netcdf-c+mpi, then"; \
	  echo "  make test-mpi MPI_HDF5_DIR=\$$(spack location -i hdf5) MPI_NETCDF_DIR=\$$(spack location -i netcdf-c)"; \
	  exit 1; \
	fi

# The MPI tests, after checking that the MPI build loads the parallel
# libhdf5 only: tests/mpi (the tree; the runner starts itself under
# mpirun -n 1, 2 and 4, each job bounded by QND_MPI_TIMEOUT seconds) and
# the HDF5 backend's parallel files (backends/hdf5/tests/parallel.rs,
# under mpirun -n 1, 2 and 4, each bounded by MPI_TIMEOUT seconds).
MPI_TIMEOUT ?= 300
test-mpi: deps deps-mpi
	$(MAKE) mpi-tests

mpi-tests:
	.ci/check-libhdf5 openmpi $(MPI_CARGO) test --features mpi --test mpi --no-run
	.ci/check-libhdf5 openmpi $(MPI_CARGO) test -p qnd-hdf5 --features mpi --test parallel --no-run
	$(MPI_RUN_ENV) $(MPI_CARGO) test --features mpi --test mpi
	exe=$$($(MPI_CARGO) test -p qnd-hdf5 --features mpi --test parallel --no-run --message-format=json 2>/dev/null | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p'); \
	[ -n "$$exe" ] || { echo "no test binary backends/hdf5/tests/parallel.rs"; exit 1; }; \
	for n in 1 2 4; do \
	  echo "mpirun -n $$n $$exe"; \
	  $(MPI_RUN_ENV) timeout -k 10 $(MPI_TIMEOUT) mpirun --oversubscribe -n $$n $$exe || exit 1; \
	done

# clippy on the MPI build (the code under feature `mpi`)
lint-mpi: deps deps-mpi
	$(MPI_CARGO) clippy --features mpi --all-targets -- -D warnings

# The MPI recording benchmark (examples/mpi_record.rs), by hand: 1, 2 and
# 4 ranks; BENCH_ARGS go to the example (e.g. BENCH_ARGS="--runs 7
# --dir /dev/shm"), BENCH_MPIRUN_ARGS to mpirun (e.g. "-x
# MALLOC_MMAP_THRESHOLD_=1000000000 -x MALLOC_TRIM_THRESHOLD_=1000000000").
bench-mpi: deps deps-mpi
	$(MPI_CARGO) build --release --features mpi --example mpi_record
	for n in 1 2 4; do $(MPI_RUN_ENV) mpirun --oversubscribe $(BENCH_MPIRUN_ARGS) -n $$n $(MPI_TARGET_DIR)/release/examples/mpi_record $(BENCH_ARGS) || exit 1; done
