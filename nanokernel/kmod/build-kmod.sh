#!/usr/bin/env bash
# Build the nanokernel kernel object against our kernel tree.
#
#   build-kmod.sh KERNEL_SRC OUT_DIR
#
# Linux 6.12 builds external modules in their source folder, so OUT_DIR is a
# staging folder of symbolic links to nanokernel/kmod and nanokernel/src:
# objects never land in the source tree. Kbuild's own dependency tracking
# makes a second run a no-op.
set -euo pipefail
exec 1>&2   # progress goes to stderr: stdout of `make run CMD=` is the command's alone
here=$(cd "$(dirname "$0")" && pwd)
nk=$(cd "$here/.." && pwd)
ksrc=${1:?usage: build-kmod.sh KERNEL_SRC OUT_DIR}
out=${2:?}
[ -e "$ksrc/Module.symvers" ] || { echo "kmod: $ksrc is not a built kernel tree (run 'make kernel')" >&2; exit 1; }
mkdir -p "$out/core"
out=$(cd "$out" && pwd)
# Objects built against another kernel tree (another build key) must not
# survive: Kbuild's dependency files name that tree's headers, and a module
# links against one kernel's structure layouts.
ktree=$(cd "$ksrc" && pwd -P)
if [ "$(cat "$out/.kernel-tree" 2>/dev/null)" != "$ktree" ]; then
    find "$out" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete
    echo "$ktree" > "$out/.kernel-tree"
fi

for f in "$here"/Kbuild "$here"/*.h; do
    [ -e "$f" ] && ln -sfn "$f" "$out/$(basename "$f")"
done
repo=$(cd "$nk/.." && pwd)
# Kernel glue (C, assembly, extern "C" bridges) of every part that has some.
glue=
# "$repo" is the module's composition root: $repo/kmod/atoll_module.c.
for part in "$repo" "$nk" "$repo/kbootloader" "$repo/vdev/vcon" "$repo/vdev/vnet"; do
    for f in "$part"/kmod/*.c "$part"/kmod/*.S "$part"/kmod/*.cpp "$part"/kmod/*.h; do
        [ -e "$f" ] || continue
        ln -sfn "$f" "$out/$(basename "$f")"
        case "$f" in *.h) ;; *) glue="$glue ${f##*/}" ;; esac
    done
done
glue=$(for g in $glue; do echo "${g%.*}.o"; done | sort -u | tr '\n' ' ')
objs=
hosted_only=$(sed -e 's/#.*//' "$nk/hosted-only.list" | awk 'NF { print $1 }')
# The freestanding core: the same src/ folders CMake builds for the tests.
parts="$nk $repo/kbootloader $repo/vdev/vcon $repo/vdev/vnet"
incs=
for part in $parts; do
    [ -d "$part/kmod" ] && incs="$incs -I$part/kmod"
    [ -d "$part/include" ] && incs="$incs -I$part/include"
    for f in "$part"/src/*.cpp; do
        [ -e "$f" ] || continue
        grep -qxF "$(basename "$f")" <<<"$hosted_only" && continue
        ln -sfn "$f" "$out/core/$(basename "$f")"
        objs="$objs core/$(basename "${f%.cpp}").o"
    done
done
# Drop links to sources that no longer exist.
find "$out" -xtype l -delete
new="atoll-core-y :=$objs
atoll-glue-y := $glue"
[ -e "$out/core-objs.mk" ] && [ "$(cat "$out/core-objs.mk")" = "$new" ] || echo "$new" > "$out/core-objs.mk"

make -C "$ksrc" M="$out" ATOLL_INC="$nk/include" ATOLL_INCS="$incs" ATOLL_FLAGS="$nk/kernel-cxx.flags" \
    -j"${JOBS:-$(nproc)}" modules > "$out/build.log" 2>&1 || {
    echo "kmod: build failed; log: $out/build.log" >&2; tail -n 30 "$out/build.log" >&2; exit 1; }
grep -E 'CXX|CC|LD' "$out/build.log" | sed 's/^/kmod: /' || echo "kmod: up to date"
