#!/usr/bin/env bash
# Assemble the Atoll initramfs images from what is installed on this machine.
#
#   mkrootfs.sh OUT_DIR KERNEL_DIR ATOLL_KO BIN... [-- TESTTOOL...]
#
# BINs go to /usr/bin of every kernel's root (the atoll tool, atolld); the
# TESTTOOLs (the system tests' fault injector, the benchmarks' iperf3 and
# ping-pong) and box/rootfs/tools/* go to a separate archive, each with the
# shared libraries it needs.
#
# OUT_DIR/rootfs.cpio.gz   partition root: busybox, init, the BINs and the
#                          libraries they need, the kernel object; what a
#                          partition needs and no more (a smaller archive
#                          is a faster boot: doc/results.md)
# OUT_DIR/testtools.cpio.gz  the TESTTOOLs and their libraries
# OUT_DIR/host.cpio.gz     rootfs + testtools + /usr/share/atoll/{vmlinux,
#                          bzImage,rootfs.cpio.gz} (the images the host
#                          boots partitions from) and
#                          /etc/atoll/initrd.d/50-testtools.cpio.gz, which
#                          `atoll boot` adds to every partition's default
#                          initramfs; the kernel unpacks concatenated
#                          archives in order
# OUT_DIR/boot.cpio.gz     the small initramfs that takes a kernel to the
#                          Debian root (BOX_ROOT=debian): busybox, the kernel
#                          object and box/debian/boot-init as /init; the atoll
#                          package installs it as the partitions' initramfs
# OUT_DIR/bzImage          the kernel the box boots
# OUT_DIR/vmlinux          the same kernel uncompressed (ELF, stripped as the
#                          kernel's own vmlinux.bin is): partitions start it
#                          directly, without the decompressor
#                          (doc/architecture.md, "Two kernel formats")
#
# Archives are written by the kernel's own usr/gen_init_cpio from a spec list,
# so device nodes and ownership need no root and the result is reproducible.
# Rebuilt only when a hash of every input changes.
set -euo pipefail
exec 1>&2   # progress goes to stderr: stdout of `make run CMD=` is the command's alone

here=$(cd "$(dirname "$0")" && pwd)
usage="usage: mkrootfs.sh OUT_DIR KERNEL_DIR ATOLL_KO BIN... [-- TESTTOOL...]"
out=${1:?$usage}
kdir=${2:?$usage}; atoll_ko=${3:?$usage}
shift 3
bins=(); tools=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do bins+=("$1"); shift; done
[ $# -gt 0 ] && shift
tools=("$@")
[ ${#bins[@]} -gt 0 ] || { echo "$usage" >&2; exit 2; }
bzimage=$kdir/bzImage
vmlinux=$kdir/linux-source-6.12/vmlinux
gen=$kdir/linux-source-6.12/usr/gen_init_cpio
busybox=$(command -v busybox) || { echo "mkrootfs: busybox not found (package busybox-static)" >&2; exit 1; }

for f in "$bzimage" "$vmlinux" "$gen" "$atoll_ko" "${bins[@]}" "${tools[@]}"; do
    [ -e "$f" ] || { echo "mkrootfs: missing input $f (run 'make')" >&2; exit 1; }
done
# ldd fails on a static binary; its message, not its status, is the answer.
ldd_says=$(ldd "$busybox" 2>&1 || true)
grep -q 'not a dynamic' <<<"$ldd_says" ||
    { echo "mkrootfs: $busybox is not static (install busybox-static)" >&2; exit 1; }

# Shared libraries a binary needs, including the dynamic loader.
libs_of() { ldd "$1" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' | sort -u; }
# (A static binary has none: ldd says so and fails.)
libs_of_all() {
    local b
    for b in "$@"; do if ldd "$b" >/dev/null 2>&1; then libs_of "$b"; fi; done | sort -u
}
bin_libs=$(libs_of_all "${bins[@]}")
tool_libs=$(libs_of_all "${tools[@]}")

boot_init=$here/../debian/boot-init
key=$( { cat "$here"/mkrootfs.sh "$here"/init "$here"/vnet-up "$boot_init" "$here"/files/* "$here"/tools/* 2>/dev/null
         echo "bins ${bins[*]} tools ${tools[*]}"
         for f in "$busybox" "$atoll_ko" "$bzimage" "$vmlinux" "${bins[@]}" "${tools[@]}" $bin_libs $tool_libs; do
             echo "$f"; sha256sum < "$f"; done; } | sha256sum | cut -c1-16)
if [ -e "$out/.key" ] && [ "$(cat "$out/.key")" = "$key" ] && [ -e "$out/host.cpio.gz" ] &&
   [ -e "$out/testtools.cpio.gz" ] &&
   [ -e "$out/boot.cpio.gz" ] && [ -e "$out/vmlinux" ]; then
    echo "images: up to date ($key)"
    exit 0
fi
echo "images: assembling initramfs ($key)"
mkdir -p "$out"
tmp=$(mktemp -d "$out/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The binaries without their debug information (the build keeps that copy).
# The kernel as arch/x86/boot/compressed/Makefile makes vmlinux.bin.
objcopy -R .comment -S "$vmlinux" "$tmp/vmlinux"
for t in "${bins[@]}" "${tools[@]}"; do strip -o "$tmp/$(basename "$t")" "$t"; done
# base_spec INIT DIR...: what every initramfs has: the folders, the console
# and null devices, INIT as /init, busybox with all its applets, atoll.ko.
base_spec() {
    local init=$1 d; shift
    for d in "$@"; do echo "dir $d 0755 0 0"; done
    echo "nod /dev/console 0600 0 0 c 5 1"
    echo "nod /dev/null 0666 0 0 c 1 3"
    echo "file /init $init 0755 0 0"
    echo "dir /usr 0755 0 0"
    echo "dir /usr/lib 0755 0 0"
    echo "dir /usr/lib/atoll 0755 0 0"
    echo "file /usr/lib/atoll/vnet-up $here/vnet-up 0644 0 0"
    echo "file /bin/busybox $busybox 0755 0 0"
    "$busybox" --list-full | while read -r applet; do
        [ "/$applet" = /bin/busybox ] || echo "slink /$applet /bin/busybox 0777 0 0"
    done
    echo "file /lib/modules/atoll/atoll.ko $(readlink -f "$atoll_ko") 0644 0 0"
}
# lib_spec LIB...: each library at the path the loader looks for it, its
# parent folders first.
lib_spec() {
    local l d p part
    for l in "$@"; do
        d=$(dirname "$l"); p=""
        for part in ${d//\// }; do p="$p/$part"; echo "dir $p 0755 0 0"; done
        echo "file $l $(readlink -f "$l") 0755 0 0"
    done
}
spec=$tmp/rootfs.list
{
    base_spec "$here/init" /bin /sbin /usr /usr/bin /usr/sbin /usr/share /usr/share/atoll /etc \
        /etc/atoll /lib /lib64 /lib/modules /lib/modules/atoll /proc /sys /dev /tmp /run /root /var
    for b in "${bins[@]}"; do echo "file /usr/bin/$(basename "$b") $tmp/$(basename "$b") 0755 0 0"; done
    lib_spec $bin_libs
    for f in "$here"/files/*; do
        [ -e "$f" ] && echo "file /etc/$(basename "$f") $f 0644 0 0"
    done
} | awk '!seen[$0]++' > "$spec"
# The test tools: in every kernel of the box, not in a partition's own root.
{
    printf 'dir %s 0755 0 0\n' /usr /usr/bin
    for t in "${tools[@]}"; do echo "file /usr/bin/$(basename "$t") $tmp/$(basename "$t") 0755 0 0"; done
    lib_spec $tool_libs
    # Test workloads the system tests run inside partitions (atoll run N -- ...).
    for f in "$here"/tools/*; do
        [ -e "$f" ] && echo "file /usr/bin/$(basename "$f") $f 0755 0 0"
    done
} | awk '!seen[$0]++' > "$tmp/testtools.list"

"$gen" -t 0 "$spec" | gzip -9n > "$tmp/rootfs.cpio.gz"
"$gen" -t 0 "$tmp/testtools.list" | gzip -9n > "$tmp/testtools.cpio.gz"
printf '%s\n' "dir /usr 0755 0 0" "dir /usr/share 0755 0 0" "dir /usr/share/atoll 0755 0 0" \
    "file /usr/share/atoll/bzImage $(readlink -f "$bzimage") 0644 0 0" \
    "file /usr/share/atoll/vmlinux $tmp/vmlinux 0644 0 0" \
    "file /usr/share/atoll/rootfs.cpio.gz $tmp/rootfs.cpio.gz 0644 0 0" \
    "dir /etc 0755 0 0" "dir /etc/atoll 0755 0 0" "dir /etc/atoll/initrd.d 0755 0 0" \
    "file /etc/atoll/initrd.d/50-testtools.cpio.gz $tmp/testtools.cpio.gz 0644 0 0" > "$tmp/images.list"
"$gen" -t 0 "$tmp/images.list" | gzip -9n > "$tmp/images.cpio.gz"
cat "$tmp/rootfs.cpio.gz" "$tmp/testtools.cpio.gz" "$tmp/images.cpio.gz" > "$tmp/host.cpio.gz"

# The boot initramfs of the Debian root: nothing but what reaches the root.
base_spec "$boot_init" /bin /sbin /usr /usr/bin /usr/sbin /etc /lib /lib/modules /lib/modules/atoll \
    /proc /sys /dev /tmp /newroot | awk '!seen[$0]++' > "$tmp/boot.list"
"$gen" -t 0 "$tmp/boot.list" | gzip -9n > "$tmp/boot.cpio.gz"

cp "$bzimage" "$tmp/bzImage"
mv -f "$tmp/rootfs.cpio.gz" "$tmp/testtools.cpio.gz" "$tmp/host.cpio.gz" "$tmp/boot.cpio.gz" "$tmp/bzImage" "$tmp/vmlinux" "$out/"
echo "$key" > "$out/.key"
echo "images: rootfs $(du -h "$out/rootfs.cpio.gz" | cut -f1), testtools $(du -h "$out/testtools.cpio.gz" | cut -f1), host $(du -h "$out/host.cpio.gz" | cut -f1), boot $(du -h "$out/boot.cpio.gz" | cut -f1)"
