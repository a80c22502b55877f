#!/usr/bin/env bash
# The box's root disk: the Debian root with Atoll's packages installed, as an
# ext4 image the host boots from virtio-blk (doc/userland.md).
#
#   mkimage.sh OUT_DIR ROOT_TAR DEB...
#
# OUT_DIR/root.img   ext4, label atoll-root; the box opens it copy-on-write
#                    (QEMU snapshot=on), so a box run never changes it
# OUT_DIR/home.img   ext4, label atoll-home, empty: the host's /home (a
#                    filesystem of its own, as NFS exports need), shared
#                    read-write with every partition
#
# Built without loop mounts: the root is unpacked into a staging folder, the
# packages are installed there with dpkg in a chroot, and mkfs.ext4 -d fills
# the image from the folder. Rebuilt only when a hash of the inputs changes.
set -euo pipefail
exec 1>&2

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: mkimage.sh OUT_DIR ROOT_TAR DEB...}
tarball=${2:?}
shift 2
debs=("$@")
[ ${#debs[@]} -gt 0 ] || { echo "disk: no packages given" >&2; exit 1; }
for f in "$tarball" "${debs[@]}"; do
    [ -s "$f" ] || { echo "disk: missing input $f (run 'make')" >&2; exit 1; }
done
command -v mkfs.ext4 >/dev/null || { echo "disk: mkfs.ext4 not found (package e2fsprogs)" >&2; exit 1; }

# The root tar is keyed by its own folder name; the packages by content.
key=$( { cat "$here/mkimage.sh" "$here/../rootfs/files/hosts" "$here/../rootfs/files/resolv.conf"
         readlink -f "$tarball"; stat -c '%s %Y' "$tarball"
         for d in "${debs[@]}"; do echo "${d##*/}"; sha256sum < "$d"; done; } | sha256sum | cut -c1-16)
if [ -e "$out/.key" ] && [ "$(cat "$out/.key")" = "$key" ] && [ -s "$out/root.img" ] && [ -s "$out/home.img" ]; then
    echo "disk: up to date ($key)"
    exit 0
fi
echo "disk: assembling the root disk ($key)"
start=$(date +%s)
mkdir -p "$out"
stage=$out/.stage
rm -rf "$stage" "$out/.root.img"
mkdir -p "$stage"
trap 'rm -rf "$stage" "$out/.root.img"' EXIT
tar -xpf "$tarball" -C "$stage" --numeric-owner

mkdir -p "$stage/tmp/atoll-debs"
cp "${debs[@]}" "$stage/tmp/atoll-debs/"
if ! chroot "$stage" dpkg -i $(cd "$stage/tmp/atoll-debs" && printf '/tmp/atoll-debs/%s ' *.deb) \
        >"$out/dpkg.log" 2>&1; then
    echo "disk: installing Atoll's packages into the root failed:" >&2
    tail -n 20 "$out/dpkg.log" >&2
    exit 1
fi
rm -rf "$stage/tmp/atoll-debs"

# busybox's applets where Debian has no command of that name (nc, wget,
# httpd, poweroff, reboot, ...): the box's tools and tests use them, and
# busybox's poweroff signals init as the box's init expects. Existing
# commands are never replaced.
chroot "$stage" /usr/bin/busybox --install -s

# The box's names and resolver (QEMU's user networking); hostname is set by
# init from the partition id.
install -m 0644 "$here/../rootfs/files/hosts" "$stage/etc/hosts"
install -m 0644 "$here/../rootfs/files/resolv.conf" "$stage/etc/resolv.conf"
echo atoll > "$stage/etc/hostname"
mkdir -p "$stage/srv/atoll/home"
printf '%s\n' "# The box's host (partitions mount / and /home over NFS)" \
    "LABEL=atoll-root / ext4 rw,relatime 0 1" \
    "LABEL=atoll-home /srv/atoll/home ext4 rw,relatime,nofail 0 2" \
    "/srv/atoll/home /home none bind,nofail 0 0" \
    > "$stage/etc/fstab"
# root logs in on the console without a password (the console is the
# box's); there is no other way in: no ssh server in the root.
sed -i 's/^root:[^:]*:/root::/' "$stage/etc/shadow"

# Size: what is there, a quarter more, and room for logs and /home.
used_mib=$(( $(du -sm "$stage" | cut -f1) ))
size_mib=$(( used_mib + used_mib / 4 + 256 ))
mkfs.ext4 -q -F -L atoll-root -i 8192 -E root_owner=0:0 -d "$stage" "$out/.root.img" "${size_mib}M"
mv -f "$out/.root.img" "$out/root.img"
rm -f "$out/home.img"
mkfs.ext4 -q -F -L atoll-home -E root_owner=0:0 "$out/home.img" 4G
echo "$key" > "$out/.key"
echo "disk: root.img ${size_mib} MiB (${used_mib} MiB used) in $(($(date +%s) - start)) s"
