#!/usr/bin/env bash
# Build Atoll's Debian packages (doc/install.md).
#
#   mkdeb.sh OUT_DIR KSRC IMAGES_DIR ATOLL ATOLLD ATOLL_KO EXAMPLES_DIR [TESTTOOL...]
#
# OUT_DIR/linux-image-<release>_<v>_amd64.deb
#                                        the patched kernel built in KSRC:
#                                        /boot/vmlinuz-<release>, its config
#                                        and System.map, its modules; the
#                                        kernel's hooks (/etc/kernel/*.d:
#                                        initramfs, boot loader) run as for
#                                        Debian's own kernels
# OUT_DIR/atoll_<v>_amd64.deb            the tools, the daemon, atoll.ko for
#                                        that kernel, init integration and
#                                        the images partitions boot, the
#                                        MPI launcher agent, rank wrapper
#                                        and MPICH finalize fix, examples
#                                        (EXAMPLES_DIR: mpi-ring, mpi-pingpong,
#                                        each also as NAME.openmpi)
# OUT_DIR/atoll-testtools_<v>_amd64.deb  fault injector, timers and workloads
#                                        the system tests and benchmarks use
#
# <v> is 0.1+<key>, <key> a hash of every input; a second run with the same
# inputs does nothing.
set -euo pipefail
exec 1>&2

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: mkdeb.sh OUT_DIR KSRC IMAGES_DIR ATOLL ATOLLD ATOLL_KO EXAMPLES_DIR [TESTTOOL...]}
ksrc=${2:?}; images=${3:?}; atoll=${4:?}; atolld=${5:?}; ko=${6:?}; examples=${7:?}
shift 7
# The MPICH finalize fix mpi-rank preloads (doc/mpi.md) is built beside atoll.
mpi=("$here/../../ssi/mpi/mpi-agent" "$here/../../ssi/mpi/mpi-rank" "$(dirname "$atoll")/libatoll-mpich-finalize.so")
examples_built=()
for e in mpi-ring mpi-pingpong; do examples_built+=("$examples/$e" "$examples/$e.openmpi"); done
slurm=("$here/../../ssi/slurm/slurm-up" "$here/../../ssi/slurm/slurm-sync" "$here/../../ssi/slurm/slurm-task-prolog")
release=$(cat "$ksrc/include/config/kernel.release" 2>/dev/null) ||
    { echo "debs: $ksrc is not a built kernel tree (run 'make')" >&2; exit 1; }
tools=("$@" "$here/../rootfs/tools/"*)
kfiles=("$ksrc/.config" "$ksrc/System.map" "$ksrc/modules.order")
for f in "$images/bzImage" "$images/vmlinux" "$images/boot.cpio.gz" "$atoll" "$atolld" "$ko" "${tools[@]}" "${mpi[@]}" "${examples_built[@]}" "${slurm[@]}" \
         "$here/../rootfs/init" "$here/../rootfs/vnet-up" "$here/files/atoll.exports" "${kfiles[@]}"; do
    [ -e "$f" ] || { echo "debs: missing input $f (run 'make')" >&2; exit 1; }
done
command -v dpkg-deb >/dev/null || { echo "debs: dpkg-deb not found (package dpkg)" >&2; exit 1; }

key=$( { cat "$here/mkdeb.sh"; echo "$release"
         for f in "$images/bzImage" "$images/vmlinux" "$images/boot.cpio.gz" "$atoll" "$atolld" "$ko" "${tools[@]}" "${mpi[@]}" "${examples_built[@]}" "${slurm[@]}" \
                  "$here/../rootfs/init" "$here/../rootfs/vnet-up" "$here/files/atoll.exports" "${kfiles[@]}"; do
             echo "${f##*/}"; sha256sum < "$f"; done; } | sha256sum | cut -c1-16)
version=0.1+$key
if [ -e "$out/.key" ] && [ "$(cat "$out/.key")" = "$key" ]; then
    echo "debs: up to date ($version)"
    exit 0
fi
mkdir -p "$out"
# Absolute: `make -C KSRC modules_install` below resolves INSTALL_MOD_PATH
# from inside the kernel tree (a relative one put the modules there).
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "$out/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

control() {  # control PACKAGE DEPENDS DESCRIPTION...
    local pkg=$1 deps=$2; shift 2
    mkdir -p "$tmp/$pkg/DEBIAN"
    cat > "$tmp/$pkg/DEBIAN/control" <<CTL
Package: $pkg
Version: $version
Architecture: amd64
Maintainer: Atoll developers <atoll@localhost>
Section: admin
Priority: optional
Depends: $deps
Installed-Size: $(du -sk --exclude=DEBIAN "$tmp/$pkg" | cut -f1)
$(printf '%s\n' "$@")
CTL
}

# ---- the kernel
kpkg=linux-image-$release
k=$tmp/$kpkg
install -d "$k/boot"
install -m 0644 "$images/bzImage" "$k/boot/vmlinuz-$release"
install -m 0644 "$ksrc/.config" "$k/boot/config-$release"
install -m 0644 "$ksrc/System.map" "$k/boot/System.map-$release"
make -s -C "$ksrc" INSTALL_MOD_PATH="$k" INSTALL_MOD_STRIP=1 DEPMOD=/bin/true modules_install >/dev/null
rm -f "$k/lib/modules/$release/build" "$k/lib/modules/$release/source"
control "$kpkg" "kmod" \
    "Description: Linux $release for Atoll (host and partitions)" \
    " Debian's linux-source-6.12 with Atoll's platform patch and configuration" \
    " (kernel-patches/). One image serves the host and every partition."
for phase in postinst postrm; do
    hookdir=/etc/kernel/$phase.d
    cat > "$k/DEBIAN/$phase" <<HOOK
#!/bin/sh
# Run the kernel hooks (initramfs, boot loader), as Debian's kernels do.
set -e
case "\$1" in configure|remove|purge)
    depmod -a "$release" 2>/dev/null || true
    [ -d $hookdir ] && run-parts --report --exit-on-error --arg="$release" \\
        --arg="/boot/vmlinuz-$release" $hookdir
    ;;
esac
exit 0
HOOK
    chmod 0755 "$k/DEBIAN/$phase"
done

# ---- atoll
p=$tmp/atoll
install -d "$p/usr/bin" "$p/usr/sbin" "$p/usr/lib/atoll" "$p/usr/share/atoll" \
           "$p/lib/modules/$release/extra" "$p/etc/exports.d"
strip -o "$p/usr/bin/atoll" "$atoll"
strip -o "$p/usr/sbin/atolld" "$atolld"
install -m 0755 "$here/../rootfs/init" "$p/usr/lib/atoll/init"
# CRIU's action script for a restore of a workload with its own address
# (atoll start --ip): CRIU runs a path with no arguments; the logic is atoll's.
printf '#!/bin/sh\nexec /usr/bin/atoll workload criu-hook\n' > "$p/usr/lib/atoll/criu-hook"
chmod 0755 "$p/usr/lib/atoll/criu-hook"
install -m 0644 "$here/../rootfs/vnet-up" "$p/usr/lib/atoll/vnet-up"
install -m 0755 "${mpi[0]}" "${mpi[1]}" "$p/usr/lib/atoll/"
strip -o "$p/usr/lib/atoll/libatoll-mpich-finalize.so" "${mpi[2]}"
install -m 0644 "${slurm[0]}" "$p/usr/lib/atoll/slurm-up"
install -m 0755 "${slurm[1]}" "${slurm[2]}" "$p/usr/lib/atoll/"
install -d "$p/usr/lib/atoll/examples"
for e in "${examples_built[@]}"; do strip -o "$p/usr/lib/atoll/examples/${e##*/}" "$e"; done
install -m 0644 "$images/bzImage" "$p/usr/share/atoll/bzImage"
install -m 0644 "$images/vmlinux" "$p/usr/share/atoll/vmlinux"
install -m 0644 "$images/boot.cpio.gz" "$p/usr/share/atoll/rootfs.cpio.gz"
install -m 0644 "$ko" "$p/lib/modules/$release/extra/atoll.ko"
install -m 0644 "$here/files/atoll.exports" "$p/etc/exports.d/atoll.exports"
echo /etc/exports.d/atoll.exports > "$tmp/conffiles"
control atoll "$kpkg, busybox, iproute2, kmod, procps, nfs-kernel-server" \
    "Description: Atoll: one x86-64 machine as several Linux kernels, one cluster" \
    " The atoll tool (plan, boot, list, console, stop, restart, nodes, exec, ps," \
    " kill, top, cp, mpirun, slurm), the atolld daemon of every kernel, the atoll.ko kernel" \
    " object for kernel $release, the init that runs every kernel of a box, and" \
    " the kernel image and initramfs the host boots partitions from."
mv "$tmp/conffiles" "$p/DEBIAN/conffiles"

# ---- atoll-testtools
t=$tmp/atoll-testtools
install -d "$t/usr/bin"
for f in "${tools[@]}"; do
    if file -b "$f" 2>/dev/null | grep -q ELF || head -c 4 "$f" | grep -q ELF; then
        strip -o "$t/usr/bin/${f##*/}" "$f"
    else
        install -m 0755 "$f" "$t/usr/bin/${f##*/}"
    fi
done
control atoll-testtools "atoll (= $version), libstdc++6" \
    "Description: Atoll test tools: fault injection, timing and test workloads" \
    " atoll-fault scribbles on vnet rings and sends bad atolld traffic; the" \
    " system tests and benchmarks use these tools. Not needed to run Atoll."

for pkg in "$kpkg" atoll atoll-testtools; do
    dpkg-deb --root-owner-group -Zxz -z1 --build "$tmp/$pkg" "$tmp/${pkg}_${version}_amd64.deb" >/dev/null
done
rm -f "$out"/*.deb
mv "$tmp"/*.deb "$out/"
echo "$key" > "$out/.key"
echo "debs: $(cd "$out" && ls *.deb | tr '\n' ' ')"
