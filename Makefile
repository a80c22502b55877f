# Atoll — top-level build. `make help` lists the targets and box variables.
#
# Everything built lands in build/ (ignored by git), keyed by its inputs:
#   build/kernel/<key>/   the patched kernel (key: source version, series, config)
#   build/cmake/          the C++ tree (CMake's own dependency tracking)
#   build/kmod/           the nanokernel kernel object, against build/kernel/current
#   build/images/         bzImage + initramfs images for the box (key: their inputs)
#   build/logs/           console logs of every box run
# A second `make` with nothing changed does no work.

SHELL := /bin/bash
.DEFAULT_GOAL := all

BUILD    ?= build
JOBS     ?= $(shell nproc)
CMAKE_BUILD := $(BUILD)/cmake
KERNEL   := $(BUILD)/kernel/current
KSRC     := $(KERNEL)/linux-source-6.12
IMAGES   := $(BUILD)/images
DEBIAN_ROOT := $(BUILD)/debian
DEBS     := $(BUILD)/debs
DISK     := $(BUILD)/disk

# ---- box parameters (documented in `make help` and doc/user-guide.md)
BOX_CPUS    ?= 4
BOX_NODES   ?= 2
BOX_MEM     ?= 4G
BOX_ACCEL   ?= tcg
BOX_APPEND  ?=
BOX_TIMEOUT ?= 900
BOX_PARTITIONS ?= 3
BOX_BOOT ?=
BOX_ROOT ?= debian
BOX_DISK ?= $(DISK)/root.img
CMD         ?=
# Packages added to the Debian root for one build (make ROOTFS_EXTRA="stress-ng").
ROOTFS_EXTRA ?=
# The root of the platform's system tests (tests/system/lib.sh): initramfs,
# or debian to run them all on the Debian root.
TEST_ROOT ?= initramfs
export BOX_CPUS BOX_NODES BOX_MEM BOX_ACCEL BOX_APPEND BOX_TIMEOUT BOX_PARTITIONS BOX_BOOT BOX_ROOT BOX_DISK ROOTFS_EXTRA \
  TEST_ROOT

# Debian packages the build, the box and the tests need.
DEB_PACKAGES := build-essential bc bison flex libelf-dev libssl-dev kmod cpio \
  xz-utils gzip patch linux-source-6.12 cmake libgtest-dev libgmock-dev zlib1g-dev \
  libbenchmark-dev libnuma-dev numactl libboost-dev busybox-static \
  qemu-system-x86 clang libclang-rt-14-dev python3 iperf3 libsodium-dev \
  mmdebstrap e2fsprogs dpkg-dev libmpich-dev libopenmpi-dev libucx-dev

# tool -> package, checked before the steps that need them
define need
@command -v $(1) >/dev/null 2>&1 || { echo "error: '$(1)' not found; it comes with Debian package '$(2)' (run 'make deps' as root)" >&2; exit 1; }
endef

.PHONY: autodeps boxcheck all deps kernel cxx kmod images root debs disk run test unit bench bench-paths soak mpi-soak fuzz clean distclean help

all: images disk

help:
	@sed -n '/^## /s/^## //p' $(MAKEFILE_LIST)

## Targets:
##   make deps        install every Debian package needed (as root; idempotent)
##   make             build kernel, C++ tree, kernel object, images, the
##                    Debian root, Atoll's .deb packages and the box's root
##                    disk (each cached by its inputs)
##   make root        the Debian 12 root only (mmdebstrap; packages from
##                    box/debian/packages.list and ROOTFS_EXTRA)
##   make debs        Atoll's .deb packages (build/debs/): the kernel, atoll,
##                    atoll-testtools
##   make run         boot the development box; console on this terminal
##                    (Ctrl-A X quits QEMU)
##   make run CMD='c' boot the box, run shell command c in the host partition,
##                    print its output, power off; exit 0 if c succeeded,
##                    non-zero if not (make turns every failure into 2: the
##                    exact status is printed and kept in the run's log folder,
##                    and box/box.sh IMAGES --cmd c returns it unchanged)
##   make test        build, then run unit and system tests (ctest summary last);
##                    the platform's system tests run the initramfs root
##                    (TEST_ROOT=debian: the Debian root), the Debian root's
##                    own tests run Debian
##   make unit        unit tests only (normal and ThreadSanitizer builds)
##   make bench       run the benchmarks (pipeline latency, vnet ring, partition
##                    boot time, stop/force-stop/restart/crash-notice times,
##                    iperf3 and ping over vnet0 against loopback, atoll exec
##                    against atoll run and a local sh, the Debian root
##                    against the initramfs: partition boot, memory, read
##                    speed; srun against atoll exec; migration downtime,
##                    pre-copy against stop-and-copy; the vnet recovery soak;
##                    MPI ping-pong across partitions against shared memory;
##                    the MPI soak); results in
##                    build/bench/, summaries in
##                    doc/results.md; build/bench/paths.md is the table of
##                    the paths everything rides on against their goals
##   make bench-paths the part of bench behind that table only (pipeline,
##                    partition boot, vnet: about 20 minutes)
##   make soak        the vnet recovery soak only: SOAK_COUNT=200 scribbles
##                    of each kind on ring p1->p2, each followed by a ping
##                    that must succeed; BUSY=2 loads this machine meanwhile
##   make mpi-soak    the MPI soak only: MPI_SOAK_COUNT=100 jobs of 4 ranks
##                    over the host and 3 partitions, with MPICH then Open MPI
##   make fuzz        build the libFuzzer targets with clang and run each 30 s
##   make clean       remove build/ except the kernel trees
##   make distclean   remove build/ entirely
## Box variables (make run BOX_CPUS=6 ...):
##   BOX_CPUS=4       vCPUs, split evenly over the NUMA nodes
##   BOX_NODES=2      NUMA nodes
##   BOX_MEM=4G       RAM (suffix M or G), split evenly over the nodes
##   BOX_ACCEL=tcg    tcg (default, works everywhere) or kvm (opt-in)
##   BOX_APPEND=      extra host kernel parameters
##   BOX_TIMEOUT=900  seconds before a `make run CMD=...` box is killed
##   BOX_PARTITIONS=3 partitions in the box's plan, 1 CPU each (0: host only)
##   BOX_BOOT=        boot only these partitions of the plan (e.g. 1,2)
##   BOX_ROOT=debian  what the kernels run: debian (Debian 12: the host boots
##                    build/disk/root.img, the partitions mount it read-only
##                    over NFS) or initramfs (busybox and Atoll's tools only)
## Root variables:
##   ROOTFS_EXTRA=    more Debian packages for the root, e.g.
##                    make ROOTFS_EXTRA="stress-ng sysbench"

# Packages not installed yet (one dpkg-query, a fraction of a second).
missing_debs = dpkg-query -W -f='$${Status} $${Package}\n' $(DEB_PACKAGES) 2>/dev/null | \
  awk '/^install ok installed / { ok[$$4] = 1 } END { n = split("$(DEB_PACKAGES)", p, " "); \
  for (i = 1; i <= n; i++) if (!(p[i] in ok)) printf "%s ", p[i] }'

deps:
	@if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root (it calls apt-get)" >&2; exit 1; fi
	@missing=$$($(missing_debs)); \
	if [ -z "$$missing" ]; then echo "deps: all $(words $(DEB_PACKAGES)) packages present"; \
	else echo "deps: installing" $$missing; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; fi

# Every build, run and test first installs what is missing (as make deps
# does, saying what), so that a newcomer's `make run` or `make test` is the
# only command. Not as root, it names the packages and stops.
autodeps:
	@missing=$$($(missing_debs)); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "error: Debian packages missing: $$missing(run 'make deps' as root)" >&2; exit 1; fi; \
	  echo "deps: installing missing packages:" $$missing >&2; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; } >&2 || exit 1; fi

kernel: autodeps
	$(call need,gcc,build-essential)
	$(call need,bison,bison)
	$(call need,flex,flex)
	$(call need,bc,bc)
	@JOBS=$(JOBS) kernel-patches/build-kernel.sh $(BUILD)

$(CMAKE_BUILD)/CMakeCache.txt:
	$(call need,cmake,cmake)
	@cmake -S . -B $(CMAKE_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2

cxx: autodeps $(CMAKE_BUILD)/CMakeCache.txt
	@cmake --build $(CMAKE_BUILD) -j$(JOBS) -- --no-print-directory 2>&1 | grep -v -e '^\[.*\] Built target' -e '^Consolidate compiler' >&2; \
	  exit $${PIPESTATUS[0]}

kmod: kernel
	@nanokernel/kmod/build-kmod.sh $(KSRC) $(BUILD)/kmod

images: kernel cxx kmod
	$(call need,busybox,busybox-static)
	$(call need,cpio,cpio)
	$(call need,iperf3,iperf3)
	@box/rootfs/mkrootfs.sh $(IMAGES) $(KERNEL) $(BUILD)/kmod/atoll.ko \
	  $(CMAKE_BUILD)/ssi/atoll $(CMAKE_BUILD)/ssi/atolld -- \
	  $(CMAKE_BUILD)/tests/atoll-fault $(CMAKE_BUILD)/tests/atoll-timeit \
	  $(CMAKE_BUILD)/tests/atoll-pty $(CMAKE_BUILD)/tests/atoll-pingpong $$(command -v iperf3)

root: autodeps
	$(call need,mmdebstrap,mmdebstrap)
	@box/debian/mkroot.sh $(DEBIAN_ROOT)

debs: images
	$(call need,dpkg-deb,dpkg)
	@box/debian/mkdeb.sh $(DEBS) $(KSRC) $(IMAGES) $(CMAKE_BUILD)/ssi/atoll $(CMAKE_BUILD)/ssi/atolld \
	  $(BUILD)/kmod/atoll.ko $(CMAKE_BUILD)/ssi/examples \
	  $(CMAKE_BUILD)/tests/atoll-fault $(CMAKE_BUILD)/tests/atoll-timeit $(CMAKE_BUILD)/tests/atoll-pty \
	  $(CMAKE_BUILD)/tests/atoll-heartbeat $(CMAKE_BUILD)/tests/atoll-pingpong

disk: root debs
	$(call need,mkfs.ext4,e2fsprogs)
	@box/debian/mkimage.sh $(DISK) $(DEBIAN_ROOT)/current/root.tar $(DEBS)/*.deb

# Box parameters are checked before anything is built or booted.
boxcheck:
	@box/box.sh --check >/dev/null

run: boxcheck images $(if $(filter debian,$(BOX_ROOT)),disk)
	$(call need,qemu-system-x86_64,qemu-system-x86)
	@box/box.sh $(IMAGES) $(if $(CMD),--cmd "$$ATOLL_CMD")
# $(value ...) keeps make from expanding '$' inside CMD ('echo $$HOME' works).
run: export ATOLL_CMD := $(value CMD)

test: images disk
	@cd $(CMAKE_BUILD) && ctest --output-on-failure -j1 --timeout 1800

unit: cxx
	@cd $(CMAKE_BUILD) && ctest -L unit --output-on-failure -j$(JOBS)

# The platform's benchmarks measure the initramfs root, as the baselines in
# doc/results.md did; the userland benchmark compares both roots.
bench: images disk
	@tests/bench/run-bench.sh $(CMAKE_BUILD) $(BUILD)/bench
	@BOX_ROOT=initramfs tests/bench/boot-bench.sh $(CURDIR) $(BUILD)/bench/boot 5
	@BOX_ROOT=initramfs tests/bench/lifecycle-bench.sh $(CURDIR) $(BUILD)/bench/lifecycle
	@BOX_ROOT=initramfs tests/bench/vnet-bench.sh $(CURDIR) $(BUILD)/bench/vnet
	@BOX_ROOT=initramfs tests/bench/exec-bench.sh $(CURDIR) $(BUILD)/bench/exec
	@tests/bench/userland-bench.sh $(CURDIR) $(BUILD)/bench/userland
	@tests/bench/slurm-bench.sh $(CURDIR) $(BUILD)/bench/slurm
	@tests/bench/migrate-bench.sh $(CURDIR) $(BUILD)/bench/migrate
	@BOX_ROOT=initramfs tests/bench/vnet-faults-soak.sh $(CURDIR) $(BUILD)/bench/vnet-faults $(SOAK_COUNT)
	@tests/bench/mpi-pingpong-bench.sh $(CURDIR) $(BUILD)/bench/mpi-pingpong
	@tests/bench/mpi-soak.sh $(CURDIR) $(BUILD)/bench/mpi-soak $(MPI_SOAK_COUNT)
	@tests/bench/paths-table.py $(BUILD)/bench

# The paths everything rides on (pipeline, partition boot, vnet) and their
# table against the goals (build/bench/paths.md): the part of bench that
# issue 15 judges, in about 20 minutes.
bench-paths: images
	@tests/bench/run-bench.sh $(CMAKE_BUILD) $(BUILD)/bench --benchmark_filter='PingPong|RoundTrip|PostNewly'
	@BOX_ROOT=initramfs tests/bench/boot-bench.sh $(CURDIR) $(BUILD)/bench/boot 5
	@BOX_ROOT=initramfs tests/bench/vnet-bench.sh $(CURDIR) $(BUILD)/bench/vnet
	@tests/bench/paths-table.py $(BUILD)/bench

# The MPI soak alone (part of bench): MPI_SOAK_COUNT jobs per MPI.
MPI_SOAK_COUNT ?= 100
mpi-soak: disk
	@tests/bench/mpi-soak.sh $(CURDIR) $(BUILD)/bench/mpi-soak $(MPI_SOAK_COUNT)

# The vnet recovery soak alone (part of bench): SOAK_COUNT scribbles of each
# kind, BUSY=N busy loops on this machine meanwhile.
SOAK_COUNT ?= 200
soak: images
	@BOX_ROOT=initramfs tests/bench/vnet-faults-soak.sh $(CURDIR) $(BUILD)/bench/vnet-faults $(SOAK_COUNT)

fuzz:
	$(call need,clang++,clang)
	@cmake -S . -B $(BUILD)/cmake-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
	  -DATOLL_FUZZ=ON -DATOLL_TSAN=OFF -DATOLL_BENCH=OFF \
	  -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined >/dev/null
	@cmake --build $(BUILD)/cmake-fuzz -j$(JOBS) --target fuzz_lagoon fuzz_handoff fuzz_vnet_rx fuzz_wire fuzz_slurm_conf fuzz_workload fuzz_kernel_image
	@for f in fuzz_lagoon fuzz_handoff fuzz_vnet_rx fuzz_wire fuzz_slurm_conf fuzz_workload fuzz_kernel_image; do echo "fuzz: $$f (30 s)"; \
	  $(BUILD)/cmake-fuzz/tests/$$f -max_total_time=30 -print_final_stats=1 2>&1 | tail -n 3 || exit 1; done

clean:
	rm -rf $(CMAKE_BUILD) $(BUILD)/cmake-* $(BUILD)/kmod $(IMAGES) $(BUILD)/bench

distclean:
	rm -rf $(BUILD)
