#!/usr/bin/env bash
# Slurm on the box's partitions (issue 13, doc/slurm.md), on the Debian
# root: init starts munged and slurmctld on the host, munged and slurmd in
# p1..p3, and generates slurm.conf from atolld's node table, so that sinfo
# shows p1..p3 idle with no hand-written configuration; munge credentials
# made in a partition verify on the host (one key, derived from the cluster
# key); srun, srun --mpi=pmi2 (MPICH) and --mpi=pmix (Open MPI) with the
# MPI example, and sbatch --wait run from the shared /home; partitions that
# crash under jobs fail the srun job (NODE_FAIL) and requeue the batch job
# that asked for it, go down in sinfo, and after atoll restart are idle
# again and run new jobs; a partition booted later (p4, on p3's CPU and RAM)
# joins without a restart of slurmctld; a generator with no partition ever
# up refuses clearly and writes nothing.
. "$(dirname "$0")/lib.sh"
export BOX_ROOT=debian

box '
# wait_for SECONDS COMMAND: until COMMAND succeeds, twice a second.
wait_for() { _n=$(($1 * 2)); shift; while ! "$@" && [ $_n -gt 0 ]; do sleep 0.5; _n=$((_n - 1)); done; "$@"; }
nodes_up() { [ "$(atoll nodes | grep -c " up ")" -ge 4 ]; }
idle() { [ "$(sinfo -h -N -o "%N %t" 2>/dev/null | grep -c " idle$")" -ge "$1" ]; }
state_of() { sinfo -h -N -n "$1" -o "%t" 2>/dev/null; }
is_state() { case "$(state_of "$1")" in $2) return 0 ;; esac; return 1; }
wait_for 60 nodes_up
t0=$(date +%s)
wait_for 120 idle 3
echo "slurm ready $(( $(date +%s) - t0 )) s after the nodes were up"
echo @@SINFO
sinfo -h -N -o "%N %t %c %m"
echo @@CONF
grep -E "^(NodeName|PartitionName|SlurmctldHost)=" /etc/slurm/slurm.conf
echo @@MUNGE
atoll exec p1 -- munge -n | unmunge 2>&1 | grep STATUS
echo @@SRUN
cd /home
timeout 60 srun -N3 hostname | sort; echo "rc=$?"
timeout 60 srun -N1 -w p1 printenv UCX_NET_DEVICES; echo "rc=$?"
timeout 60 srun -N1 -w p2 printenv LD_PRELOAD; echo "rc=$?"
echo @@MPI
timeout 180 srun -N3 --mpi=pmi2 /usr/lib/atoll/examples/mpi-ring 3; echo "rc=$?"
echo @@PMIX
timeout 180 srun -N3 --mpi=pmix /usr/lib/atoll/examples/mpi-ring.openmpi 3; echo "rc=$?"
echo @@SBATCH
printf "#!/bin/sh\nsrun hostname | sort\necho batch-done\n" > /home/slurm-job.sh
rm -f /home/slurm-job.out
timeout 120 sbatch --wait -N2 -o /home/slurm-job.out /home/slurm-job.sh; echo "rc=$?"
cat /home/slurm-job.out
echo @@CRASH
# p2 and p3 crash under jobs (one CPU each: one job each): an srun on p3
# (fails) and, on p2, a batch job that asked to be requeued (runs again
# once p2 is back, after a delay Slurm adds: cancelled here).
rm -f /home/requeue.log
printf "#!/bin/sh\necho started >> /home/requeue.log\n[ \$(wc -l < /home/requeue.log) -ge 2 ] || sleep 600\n" > /home/requeue.sh
sbatch -Q --requeue -N1 -w p2 -o /dev/null /home/requeue.sh
timeout 300 srun -N1 -w p3 -J crash-srun sleep 600 2>/tmp/srun.err & j=$!
running() { [ "$(squeue -h -t R | wc -l)" = 2 ]; }
wait_for 60 running && echo "two jobs running"
# Then the tasks themselves, a bounded wait: a crash while srun still
# launches its task fails the launch (JobState FAILED) before slurmctld
# sees the node go (NODE_FAIL), as a CI run once showed.
tasks() { [ "$(atoll ps | grep -cE "^p[23]:[0-9]+ .* sleep 600\$")" -ge 2 ]; }
wait_for 10 tasks || true
atoll stop --force 2 >/dev/null; atoll stop --force 3 >/dev/null; echo "stop rc=$?"
t0=$(date +%s)
wait $j; echo "srun rc=$? after $(( $(date +%s) - t0 )) s"
sed "s/^/| /" /tmp/srun.err
# srun may end before slurmctld clears the COMPLETING flag of the job (shown
# as the state until then): the final state is read once it is settled.
crash_state() { scontrol -o show job | grep -o "JobName=crash-srun .*JobState=[A-Z_]*" | grep -o "JobState=[A-Z_]*"; }
settled() { case "$(crash_state)" in *=NODE_FAIL|*=FAILED|*=CANCELLED|*=COMPLETED|*=TIMEOUT) return 0 ;; esac; return 1; }
wait_for 60 settled; crash_state
wait_for 90 is_state p2 "down*" && echo "p2 down $(( $(date +%s) - t0 )) s after the crash"
sinfo -h -N -o "%N %t"
squeue -h -o "%i %T %r"
# Slurm holds a requeued job back for a while (about 2 minutes here)
# before it runs again: not waited for.
scancel $(squeue -h -o %i)
echo @@RESTART
atoll restart 2 >/dev/null; atoll restart 3 >/dev/null; echo "restart rc=$?"
t0=$(date +%s)
wait_for 150 idle 3 && echo "p2 and p3 back $(( $(date +%s) - t0 )) s after the restart"
sinfo -h -N -o "%N %t"
timeout 60 srun -N2 -w p2,p3 hostname | sort; echo "rc=$?"
echo @@JOIN
# A partition Slurm never saw joins without a restart of slurmctld: p3
# gives its CPU and RAM back, and p4 boots on them.
ctl=$(pgrep -x slurmctld)
atoll stop --force 3 >/dev/null && atoll release 3 >/dev/null; echo "release rc=$?"
atoll boot --id 4 --cpus 3 --node 1 --memory "0x140000000 1G" >/dev/null; echo "boot rc=$?"
t0=$(date +%s)
wait_for 150 is_state p4 idle && echo "p4 idle $(( $(date +%s) - t0 )) s after its boot"
timeout 60 srun -N1 -w p4 hostname; echo "rc=$?"
[ "$(pgrep -x slurmctld)" = "$ctl" ] && echo "slurmctld not restarted"
sinfo -h -N -o "%N %t"
echo @@REFUSE
printf "0 host 10.77.0.1\n9 p9 10.77.0.10\n" > /tmp/nodes
atoll slurm conf --nodes /tmp/nodes --write /tmp/never.conf; echo "rc=$?"
test -e /tmp/never.conf && echo "never.conf written" || echo "nothing written"
atoll slurm conf --controller p42 >/dev/null; echo "rc=$?"
echo @@LOGS
tail -n 30 /var/log/slurm-sync.log /var/log/slurmctld.log
for n in p1 p2 p4; do echo "--- $n"; atoll exec $n -- tail -n 15 /var/log/slurmd.log; done
echo @@END'
check "box command succeeded (rc=$rc)" test "$rc" = 0
check "slurm ready" grep -q "^slurm ready" <<<"$out"
sinfo=$(section SINFO)
for n in p1 p2 p3; do
    check "sinfo: $n idle with its CPU and memory" grep -Eq "^$n idle 1 [0-9]{3,}$" <<<"$sinfo"
done
check "sinfo: only the three partitions (the host is the controller)" test "$(wc -l <<<"$sinfo")" = 3
conf=$(section CONF)
check "slurm.conf: the host controls" grep -qx "SlurmctldHost=host(10.77.0.1)" <<<"$conf"
check "slurm.conf: 15 nodes declared, 12 of them never up (FUTURE)" \
    test "$(grep -c '^NodeName=' <<<"$conf")" = 15 -a "$(grep -c 'State=FUTURE' <<<"$conf")" = 12
check "munge: a credential made on p1 verifies on the host" grep -q "STATUS: *Success (0)" <<<"$(section MUNGE)"
srun_out=$(section SRUN)
check "srun -N3 hostname ran on p1, p2, p3" \
    test "$(grep -cxE 'p[123]' <<<"$srun_out")" = 3 -a "$(grep -cx 'rc=0' <<<"$srun_out")" = 3
check "a task's MPI transport is the kernels' link (vnet0)" grep -qx "vnet0" <<<"$srun_out"
check "a task has the MPICH finalize fix preloaded" grep -qx "/usr/lib/atoll/libatoll-mpich-finalize.so" <<<"$srun_out"
mpi=$(section MPI)
check "srun --mpi=pmi2 mpi-ring: rc 0" grep -qx "rc=0" <<<"$mpi"
for n in p1 p2 p3; do
    check "srun --mpi=pmi2: a rank on $n" grep -Eq "^rank [0-2] of 3 on $n " <<<"$mpi"
done
check "srun --mpi=pmi2: ring, allreduce and barrier exact" \
    test "$(grep -cE '^(ring|allreduce|barrier).* ok$' <<<"$mpi")" = 3
pmix=$(section PMIX)
check "srun --mpi=pmix (Open MPI) mpi-ring: rc 0, a rank on each partition, exact" \
    test -n "$(grep -x 'rc=0' <<<"$pmix")" -a "$(grep -cE '^rank [0-2] of 3 on p[123] ' <<<"$pmix")" = 3 -a \
    "$(grep -cE '^(ring|allreduce|barrier).* ok$' <<<"$pmix")" = 3
batch=$(section SBATCH)
check "sbatch --wait: rc 0, its output in /home from both nodes" \
    test "$(grep -c '^rc=0$' <<<"$batch")" = 1 -a "$(grep -c '^p[123]$' <<<"$batch")" = 2 -a \
    "$(grep -c '^batch-done$' <<<"$batch")" = 1
crash=$(section CRASH)
context=$crash
check "a job ran on each of p2 and p3 when they crashed" grep -qx "two jobs running" <<<"$crash"
check "the srun job on the crashed partition ended" grep -Eq "^srun rc=[0-9]+ after [0-9]+ s$" <<<"$crash"
check "... as NODE_FAIL" grep -qx "JobState=NODE_FAIL" <<<"$crash"
check "a crashed partition shows down in sinfo" grep -q "^p2 down .* s after the crash$" <<<"$crash"
check "the requeue-able batch job was requeued, not failed" grep -Eq "^[0-9]+ PENDING " <<<"$crash"
restart=$(section RESTART)
context=$restart
check "after atoll restart both are back" grep -q "^p2 and p3 back .* s after the restart$" <<<"$restart"
check "... p2 and p3 idle" test -n "$(grep -x 'p2 idle' <<<"$restart")" -a -n "$(grep -x 'p3 idle' <<<"$restart")"
check "... and both run a new job" test "$(grep -cxE 'p2|p3' <<<"$restart")" = 2 -a -n "$(grep -x rc=0 <<<"$restart")"
join=$(section JOIN)
context=$join
check "p4, booted later, joins: idle in sinfo" grep -q "^p4 idle .* s after its boot$" <<<"$join"
check "... runs a job" test -n "$(grep -x p4 <<<"$join")" -a -n "$(grep -x rc=0 <<<"$join")"
check "... without a restart of slurmctld" grep -qx "slurmctld not restarted" <<<"$join"
refuse=$(section REFUSE)
context=$refuse
check "no partition ever up: refused, saying why, nothing written" \
    test -n "$(grep 'no partition has been up yet' <<<"$refuse")" -a -n "$(grep -x 'nothing written' <<<"$refuse")"
check "an unknown controller is refused" grep -q "the controller 'p42' is not a node" <<<"$refuse"
check "refusals exit 1" test "$(grep '^rc=' <<<"$refuse" | tr '\n' ' ')" = "rc=1 rc=1 "
pass
