#!/usr/bin/env bash
# Build the Debian 12 root every kernel of the box runs, with mmdebstrap from
# Debian's package registry (doc/userland.md).
#
#   mkroot.sh OUT_DIR            packages: box/debian/packages.list plus the
#                                words of $ROOTFS_EXTRA
#
# OUT_DIR/<key>/root.tar  the root as a tar archive (owners and modes kept)
# OUT_DIR/current         -> the newest good <key>
#
# <key> hashes every input: this script, the package list, ROOTFS_EXTRA, the
# suite and mirrors, and mmdebstrap's version. A second run with the same
# inputs does nothing. A package list mmdebstrap cannot satisfy fails with
# mmdebstrap's own reason and leaves the previous root in place.
set -euo pipefail
exec 1>&2   # progress on stderr: stdout of `make run CMD=` is the command's alone

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: mkroot.sh OUT_DIR}
suite=bookworm
mirrors=("deb http://deb.debian.org/debian $suite main"
         "deb http://deb.debian.org/debian $suite-updates main"
         "deb http://deb.debian.org/debian-security $suite-security main")

command -v mmdebstrap >/dev/null ||
    { echo "root: mmdebstrap not found (Debian package mmdebstrap; run 'make deps')" >&2; exit 1; }
[ "$(id -u)" = 0 ] ||
    { echo "root: building the root needs root (mmdebstrap keeps owners; run make as root)" >&2; exit 1; }

# Package names: the list without comments, then ROOTFS_EXTRA, checked for
# shape before anything is downloaded.
mapfile -t pkgs < <(sed -e 's/#.*//' "$here/packages.list" | awk 'NF { print $1 }')
read -r -a extra <<<"${ROOTFS_EXTRA:-}"
for p in "${extra[@]}"; do
    [[ $p =~ ^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+:~-]+)?$ ]] ||
        { echo "root: ROOTFS_EXTRA: '$p' is not a Debian package name" >&2; exit 1; }
done
pkgs+=("${extra[@]}")

key=$( { cat "$here/mkroot.sh"; printf '%s\n' "${pkgs[@]}" | sort -u
         printf '%s\n' "${mirrors[@]}"; mmdebstrap --version; } | sha256sum | cut -c1-16)
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -s "$out/$key/root.tar" ]; then
    echo "root: up to date ($key, $(du -h "$out/$key/root.tar" | cut -f1))"
    ln -sfn "$key" "$out/current"
    exit 0
fi

echo "root: building Debian $suite with ${#pkgs[@]} packages ($key; a first build downloads ~300 MB and takes a few minutes)"
[ ${#extra[@]} = 0 ] || echo "root: ROOTFS_EXTRA adds: ${extra[*]}"
tmp=$out/.tmp-$key
rm -rf "$tmp"; mkdir -p "$tmp"
log=$tmp/mmdebstrap.log
start=$(date +%s)
# Recommends stay out (a lean root; the list names what is wanted). Services
# are not started inside the build: mmdebstrap puts a policy-rc.d in place.
# mpicc and mpirun are MPICH's, the MPI `atoll mpirun` runs by default (left
# alone, Debian picks Open MPI's, whose headers the root does not carry, so
# a plain `mpicc` would fail with "mpi.h: No such file").
if ! mmdebstrap --variant=minbase --mode=root --format=tar \
        --aptopt='APT::Install-Recommends "false"' \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --include="$(IFS=,; echo "${pkgs[*]}")" \
        --customize-hook='chroot "$1" sh -c "update-alternatives --quiet --set mpi /usr/bin/mpicc.mpich && update-alternatives --quiet --set mpirun /usr/bin/mpirun.mpich"' \
        "$suite" "$tmp/root.tar" "${mirrors[@]}" >"$log" 2>&1; then
    echo "root: mmdebstrap failed; the previous root stays in place. Its reason:" >&2
    grep -E '^(E:|W:|  )|unable|Unable|not found|has no installation candidate|Depends:' "$log" | tail -n 25 >&2 ||
        tail -n 25 "$log" >&2
    echo "root: full log: $log" >&2
    exit 1
fi
mkdir -p "$out/$key"
mv "$tmp/root.tar" "$out/$key/root.tar"
mv "$log" "$out/$key/"
rm -rf "$tmp"
ln -sfn "$key" "$out/current"
# Older roots go once a new one is good.
for old in "$out"/*; do
    [ -L "$old" ] || [ "$(basename "$old")" = "$key" ] || rm -rf "$old"
done
echo "root: built in $(($(date +%s) - start)) s, $(du -h "$out/$key/root.tar" | cut -f1)"
