#!/usr/bin/env bash
# `atoll plan` inside the box proposes node-aligned partitions on the real
# (emulated) machine, writes a plan file that `--check` accepts, and refuses
# impossible requests and broken plan files with the rule that was broken.
. "$(dirname "$0")/lib.sh"

BOX_PARTITIONS=0 box 'atoll plan --partitions 3 --json > /tmp/plan.json || exit 10
cat /tmp/plan.json
echo @@
atoll plan --partitions 3 --write /tmp/p3.plan >/dev/null || exit 11
atoll plan --check /tmp/p3.plan >/dev/null || exit 12
echo check-ok
# A hand-edited plan that gives the host boot CPU (APIC 0) to partition 1.
sed "s/cpus 1 /cpus 0 /" /tmp/p3.plan > /tmp/bad.plan
atoll plan --check /tmp/bad.plan; echo "bad-rc=$?"
atoll plan --partitions 4; echo "four-rc=$?"'
check "box command succeeded (rc=$rc)" test "$rc" = 0
json=${out%%@@*}
check "JSON plan has 3 node-aligned partitions on APICs 1,2,3" python3 - "$json" <<'PY'
import json, sys
p = json.loads(sys.argv[1])["plan"]
parts = p["partitions"]
assert [q["cpus"] for q in parts] == [[1], [2], [3]], parts
assert [q["node"] for q in parts] == [0, 1, 1], parts
r = sorted((int(m["start"], 16), int(m["end"], 16)) for q in parts for m in q["memory"])
assert all(a[1] <= b[0] for a, b in zip(r, r[1:])), r
assert all(q["memory_bytes"] >= 512 << 20 for q in parts)
PY
check "a written plan passes --check" grep -q check-ok <<<"$out"
check "a plan using the host's boot CPU is refused with its rule" grep -q 'rule host-cpu' <<<"$out"
check "the refusal exits 1" grep -q 'bad-rc=1' <<<"$out"
check "4 partitions on 3 spare cores is refused" grep -q 'four-rc=1' <<<"$out"
pass
