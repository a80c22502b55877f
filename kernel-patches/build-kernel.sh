#!/usr/bin/env bash
# Build the one Atoll kernel image (host and partitions share it).
#
#   build-kernel.sh BUILD_DIR
#
# Pipeline: unpack Debian's linux-source-6.12, apply kernel-patches/series in
# order, merge kernel-patches/config/*.config onto `make tinyconfig`, check
# that every requested option survived, build bzImage and modules.
#
# The result lives in BUILD_DIR/kernel/<key>/, where <key> hashes everything
# that went into it (source package version, series, patches, fragments, this
# script). BUILD_DIR/kernel/current points at the newest good build. A second
# run with the same inputs finds <key>/.built and does nothing.
set -euo pipefail
exec 1>&2   # progress goes to stderr: stdout of `make run CMD=` is the command's alone

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: build-kernel.sh BUILD_DIR}
mkdir -p "$build/kernel"
build=$(cd "$build" && pwd)
jobs=${JOBS:-$(nproc)}
tarball=/usr/src/linux-source-6.12.tar.xz

if [ ! -r "$tarball" ]; then
    echo "build-kernel: $tarball missing (package linux-source-6.12; run 'make deps')" >&2
    exit 1
fi

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)

# Patch files named by the series, in order, comments and blanks skipped.
series_patches() {
    sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$here/series" | awk 'NF { print $1 }'
}

repo=$(cd "$here/.." && pwd)
builtin_core() { sed -e 's/#.*//' "$here/builtin-core.list" | awk 'NF { print $1 }'; }

key=$( {
    echo "linux-source-6.12 $srcver"
    for f in $(builtin_core); do echo "core $f"; cat "$repo/$f"; done
    cat "$here/build-kernel.sh" "$here/series"
    for p in $(series_patches); do echo "patch $p"; cat "$here/$p"; done
    for f in "$here"/config/*.config; do echo "fragment ${f##*/}"; cat "$f"; done
} | sha256sum | cut -c1-16)

out=$build/kernel/$key
# One build at a time per build folder: a second `make` waits instead of
# deleting the tree the first one is compiling.
exec 9>"$build/kernel/.lock"
if ! flock -n 9; then
    echo "kernel: another build holds $build/kernel/.lock; waiting"
    flock 9
fi
if [ -e "$out/.built" ]; then
    echo "kernel: up to date ($key, $(cat "$out/.release"))"
    ln -sfn "$key" "$build/kernel/current"
    exit 0
fi

echo "kernel: building $key from linux-source-6.12 $srcver (a first build takes ~6 min on 2 cores)"
start=$(date +%s)
rm -rf "$out"
mkdir -p "$out"
log=$out/build.log
trap 'echo "kernel: build failed; log: $log" >&2; tail -n 30 "$log" >&2' ERR

echo "kernel: [1/4] unpacking source"
tar -xJf "$tarball" -C "$out"
src=$out/linux-source-6.12

echo "kernel: [2/4] applying series ($(series_patches | wc -l) patches)"
for p in $(series_patches); do
    echo "  $p"
    patch -d "$src" -p1 --forward --fuzz=0 --quiet < "$here/$p" >>"$log" 2>&1
done

# The freestanding C++ the kernel image itself links (arch/x86/atoll/Makefile).
for f in $(builtin_core); do
    install -D -m 0644 "$repo/$f" "$src/arch/x86/atoll/core/$f"
done

echo "kernel: [3/4] configuring (tinyconfig + fragments)"
make -C "$src" tinyconfig >>"$log" 2>&1
"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" "$here"/config/*.config >>"$log" 2>&1
make -C "$src" olddefconfig >>"$log" 2>&1
# Kconfig drops options whose dependencies are unmet without a word; catch it.
missing=0
for f in "$here"/config/*.config; do
    while IFS= read -r line; do
        case "$line" in
        CONFIG_*=*)
            grep -qxF "$line" "$src/.config" || { echo "kernel: config: '$line' from $(basename "$f") did not survive olddefconfig" >&2; missing=1; } ;;
        "# CONFIG_"*" is not set")
            opt=${line#"# "}; opt=${opt%% *}
            grep -q "^$opt=" "$src/.config" && { echo "kernel: config: $opt should be off but is on" >&2; missing=1; } ;;
        esac
    done < "$f"
done
[ "$missing" = 0 ] || exit 1

echo "kernel: [4/4] compiling bzImage and modules with $jobs jobs"
make -C "$src" -j"$jobs" bzImage modules >>"$log" 2>&1
make -C "$src" -s kernelrelease > "$out/.release"
cp "$src/arch/x86/boot/bzImage" "$out/bzImage"
touch "$out/.built"
ln -sfn "$key" "$build/kernel/current"

# Keep the two newest builds; a kernel tree is ~2 GiB.
ls -1dt "$build"/kernel/*/ 2>/dev/null | tail -n +3 | while read -r old; do
    [ "$(basename "$old")" = "$key" ] || rm -rf "$old"
done
echo "kernel: built $(cat "$out/.release") in $(( $(date +%s) - start ))s"
