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

for f in "$here"/Kbuild "$here"/*.c "$here"/*.h "$here"/*.cpp; do
    [ -e "$f" ] && ln -sfn "$f" "$out/$(basename "$f")"
done
objs=
hosted_only=$(sed -e 's/#.*//' "$nk/hosted-only.list" | awk 'NF { print $1 }')
for f in "$nk"/src/*.cpp; do
    [ -e "$f" ] || continue
    grep -qxF "$(basename "$f")" <<<"$hosted_only" && continue
    ln -sfn "$f" "$out/core/$(basename "$f")"
    objs="$objs core/$(basename "${f%.cpp}").o"
done
# Drop links to sources that no longer exist.
find "$out" -xtype l -delete
new="atoll-core-y :=$objs"
[ -e "$out/core-objs.mk" ] && [ "$(cat "$out/core-objs.mk")" = "$new" ] || echo "$new" > "$out/core-objs.mk"

make -C "$ksrc" M="$out" ATOLL_INC="$nk/include" ATOLL_FLAGS="$nk/kernel-cxx.flags" \
    -j"${JOBS:-$(nproc)}" modules > "$out/build.log" 2>&1 || {
    echo "kmod: build failed; log: $out/build.log" >&2; tail -n 30 "$out/build.log" >&2; exit 1; }
grep -E 'CXX|CC|LD' "$out/build.log" | sed 's/^/kmod: /' || echo "kmod: up to date"
