#!/bin/bash
# .ci/slurm.sh SATBENCH - a real single-node SLURM cluster (Debian's
# slurm-wlm and munge, as root, without systemd) runs the shipped job
# scripts, contrib/slurm/: an array of shards chained to a merge, whose
# tables must equal a one-process run byte for byte, each job's output in
# the grid's slurm/ folder; then one running task
# is scancel'led (SIGTERM: it saves its cells and says so), the array and the
# merge are submitted again, and the tables must still be equal; last, the
# README's cluster example runs as written, from a build folder.  Every
# daemon is started here under a scratch folder and stopped by its PID.
# Facts behind the settings: ../shared/notes/cluster.md.
set -euo pipefail
SATBENCH=$(readlink -f "${1:?usage: .ci/slurm.sh SATBENCH}")
export SATBENCH
SRC=$(cd "$(dirname "$0")/.." && pwd)
R=$(mktemp -d /tmp/satbench-slurm.XXXXXX)
HOST=$(hostname -s)
t0=$(date +%s)
pids=()

stop_all() {   # slurmd, slurmctld, munged: each by its PID, waiting for it to exit
  for name in slurmd slurmctld munged; do
    f=$R/run/$name.pid
    test -s "$f" || continue
    p=$(cat "$f")
    kill "$p" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
}
fail() { echo "slurm: FAIL: $*" >&2; for l in "$R"/log/*.log; do echo "== $l"; tail -n 20 "$l"; done >&2; exit 1; }
trap 'stop_all; rm -rf "$R"' EXIT

mkdir -p "$R"/{etc,munge,spool/ctld,spool/d,log,run,work}
chmod 0700 "$R/etc"
chmod 0755 "$R/munge"
head -c 1024 /dev/urandom >"$R/etc/munge.key"
chmod 0400 "$R/etc/munge.key"
SOCK=$R/munge/munge.socket
munged --key-file="$R/etc/munge.key" --socket="$SOCK" --pid-file="$R/run/munged.pid" \
  --log-file="$R/log/munged.log" --seed-file="$R/run/munge.seed" --force
for _ in $(seq 50); do munge -S "$SOCK" -n 2>/dev/null | unmunge -S "$SOCK" >/dev/null 2>&1 && break; sleep 0.1; done
munge -S "$SOCK" -n | unmunge -S "$SOCK" >/dev/null || fail "munge does not work"

cat >"$R/etc/slurm.conf" <<EOF
ClusterName=satbench-ci
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCK
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$R/spool/ctld
SlurmdSpoolDir=$R/spool/d
SlurmctldPidFile=$R/run/slurmctld.pid
SlurmdPidFile=$R/run/slurmd.pid
SlurmctldLogFile=$R/log/slurmctld.log
SlurmdLogFile=$R/log/slurmd.log
ReturnToService=2
KillWait=5
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=ci Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$R/etc/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do test "$(sinfo -h -o %T 2>/dev/null)" = idle && break; sleep 0.2; done
test "$(sinfo -h -o %T)" = idle || fail "the node did not become idle: $(sinfo 2>&1)"
echo "slurm: cluster up in $(( $(date +%s) - t0 )) s"

# wait_jobs ID...: poll squeue until none of the jobs is pending or running.
wait_jobs() {
  for _ in $(seq 1200); do
    left=$(squeue -h -j "$(IFS=,; echo "$*")" 2>/dev/null | wc -l)
    test "$left" -eq 0 && return 0
    sleep 0.5
  done
  fail "jobs $* did not finish: $(squeue 2>&1)"
}
same_tables() {
  for t in cells.tsv layers.tsv summary.tsv hist.tsv curves.tsv curves_summary.tsv; do
    cmp "$1/$t" "$2/$t" || return 1
  done
}
cd "$R/work"
G="--activations tanh,relu --inits standard,he_normal --depths 2,4 --widths 16 --seeds 3 --train-size 256 --test-size 64
   --batch 16 --input-dim 6 --classes 3 --steps 200 --log-every 50 --quiet"

# 1. An array of 4 shards and its merge, with the shipped scripts.
"$SATBENCH" grid $G --threads 2 --out "$R/work/one" >/dev/null
ids=$(SBATCH_ARGS="--cpus-per-task=1" "$SRC/contrib/slurm/submit.sh" 4 $G --out "$R/work/arr")
echo "slurm: $ids"
array=$(echo "$ids" | sed -n 's/^array job \([0-9]*\).*/\1/p')
merge=$(echo "$ids" | sed -n 's/.*merge job \([0-9]*\).*/\1/p')
wait_jobs "$array" "$merge"
test -f "$R/work/arr/cells.tsv" || fail "the merge job wrote no tables: $(cat "$R/work/arr/slurm/satbench-merge-$merge.out" 2>&1)"
same_tables one arr || fail "array + merge tables differ from the one-process run"
for k in 0 1 2 3; do
  o=$R/work/arr/slurm/satbench-grid-${array}_$k.out
  grep -q "^shard $k/4: " "$o" || fail "task $k: $(cat "$o" 2>&1)"
done
grep -q 'cells merged' "$R/work/arr/slurm/satbench-merge-$merge.out" || fail "merge: $(cat "$R/work/arr/slurm/satbench-merge-$merge.out" 2>&1)"
test -z "$(ls "$R/work" | grep '\.out$')" || fail "job output in the submitting folder: $(ls "$R/work")"
echo "slurm: array of 4 shards + merge: tables identical to one process (cmp)"

# 2. scancel of a running task, then the array and the merge again.
L="--activations tanh,relu --inits standard,he_normal --depths 2,6 --widths 32 --seeds 3 --train-size 512 --test-size 64
   --batch 16 --input-dim 8 --classes 3 --steps 3000 --log-every 100 --quiet"
"$SATBENCH" grid $L --threads 2 --out "$R/work/long1" >/dev/null
ids=$(SBATCH_ARGS="--cpus-per-task=1" "$SRC/contrib/slurm/submit.sh" 2 $L --out "$R/work/long")
array=$(echo "$ids" | sed -n 's/^array job \([0-9]*\).*/\1/p')
merge=$(echo "$ids" | sed -n 's/.*merge job \([0-9]*\).*/\1/p')
for _ in $(seq 1200); do
  test "$(ls "$R/work/long/records" 2>/dev/null | grep -c '\.rec$')" -ge 2 && break
  sleep 0.05
done
scancel "${array}_1"
for _ in $(seq 600); do test "$(squeue -h -j "$array" -t R,PD 2>/dev/null | wc -l)" -eq 0 && break; sleep 0.5; done
o=$R/work/long/slurm/satbench-grid-${array}_1.out
grep -q 'interrupted by SIGTERM: shard 1/2 saved [0-9]* of its' "$o" \
  || fail "the cancelled task did not say what it saved: $(cat "$o")"
echo "slurm: scancel: $(grep -o 'interrupted by SIGTERM: shard 1/2 saved [0-9]* of its [0-9]* cells' "$o")"
wait_jobs "$merge"   # its dependency can no longer be met: SLURM cancels it (--kill-on-invalid-dep)
test ! -e "$R/work/long/slurm/satbench-merge-$merge.out" || fail "the merge ran after a cancelled task: $(cat "$R/work/long/slurm/satbench-merge-$merge.out")"
echo "slurm: the merge job was cancelled with the task (--kill-on-invalid-dep)"
test ! -f "$R/work/long/cells.tsv" || fail "tables were written for an incomplete grid"
ids=$(SBATCH_ARGS="--cpus-per-task=1" "$SRC/contrib/slurm/submit.sh" 2 $L --out "$R/work/long")
array=$(echo "$ids" | sed -n 's/^array job \([0-9]*\).*/\1/p')
merge=$(echo "$ids" | sed -n 's/.*merge job \([0-9]*\).*/\1/p')
wait_jobs "$array" "$merge"
same_tables long1 long || fail "resubmitted array + merge tables differ from the one-process run"
echo "slurm: scancel, resubmit: tables identical to one process (cmp)"

# 3. The README's example, as written, from a build folder (satbench beside
#    contrib/, none on the PATH, SATBENCH unset), line by line; after a line
#    that submits, its jobs are waited for.
B=$R/build
mkdir -p "$B"
# a copy of contrib/, not a link: submit.sh finds ../../satbench through
# the kernel's "..", which a link to the source tree would lead there
cp "$SATBENCH" "$B/satbench"
cp -R "$SRC/contrib" "$B/contrib"
sed -n '/^<!-- cluster-example: begin/,/^<!-- cluster-example: end/p' "$SRC/README.md" | grep -v '^<!--' | grep -v '^```' >"$R/example.sh"
test "$(grep -c . "$R/example.sh")" -ge 2 || fail "no example between the cluster-example markers of README.md"
while IFS= read -r line; do
  test -n "$line" || continue
  echo "slurm: README: $line"
  said=$(cd "$B" && env -u SATBENCH bash -euc "$line" </dev/null) || fail "README example: exit $?: $line"
  printf '%s\n' "$said"
  array=$(echo "$said" | sed -n 's/^array job \([0-9]*\).*/\1/p')
  merge=$(echo "$said" | sed -n 's/.*merge job \([0-9]*\).*/\1/p')
  test -z "$array" || wait_jobs "$array" "$merge"
done <"$R/example.sh"
out=$(sed -n 's/.*submit\.sh .*--out \([^ ]*\).*/\1/p' "$R/example.sh")
test -n "$out" && test -f "$B/$out/manifest.json" || fail "README example: no tables in $B/$out: $(cat "$B/$out"/slurm/*.out 2>&1)"
test -n "$(ls "$B/$out/slurm" | grep '^satbench-merge-[0-9]*\.out$')" || fail "README example: no merge log in $out/slurm/"
test -z "$(ls "$B" | grep '\.out$')" || fail "README example: job output in the build folder: $(ls "$B")"
echo "slurm: README example as written: tables in $out ($(ls "$B/$out/slurm" | wc -l) job logs in $out/slurm/), $(ls "$B"/plots/*/*.gp 2>/dev/null | wc -l) figures"
echo "slurm: all checks passed in $(( $(date +%s) - t0 )) s"
