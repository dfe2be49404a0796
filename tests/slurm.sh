# slurm.sh - contrib/slurm without a cluster: submit.sh under a stand-in
# sbatch (on the PATH) that records its arguments and runs the jobs as SLURM
# would, one after the other (a task's output to --output with %A, %a and %j
# filled in; the merge only when every task exited 0).  submit.sh finds the
# satbench beside contrib/ or the one SATBENCH names, refuses with exit 2 and
# submits nothing when there is none that runs, and sends the jobs' output to
# the grid's folder (DIR/slurm/).  .ci/slurm.sh runs the same scripts on a
# real single-node cluster.
. "$srcdir/tests/lib.sh"
t_init slurm
command -v bash >/dev/null || t_skip_all "no bash (the job scripts are bash)"

T=$(cd "$T" && pwd)
mkdir -p "$T/bin" "$T/cwd" "$T/tree/contrib/slurm" "$T/bare/contrib/slurm"
for f in submit.sh grid-array.sbatch merge.sbatch; do
  cp "$srcdir/contrib/slurm/$f" "$T/tree/contrib/slurm/$f"
  cp "$srcdir/contrib/slurm/$f" "$T/bare/contrib/slurm/$f"
done
chmod +x "$T/tree/contrib/slurm/submit.sh" "$T/bare/contrib/slurm/submit.sh"
ln -s "$SATBENCH" "$T/tree/satbench"   # a build folder: satbench beside contrib/

# The stand-in sbatch: "sbatch ARG..." and "SATBENCH=..." lines in $T/sbatch.log.
cat >"$T/bin/sbatch" <<'SB'
#!/bin/bash
log=${SBATCH_LOG:?}
printf 'sbatch' >>"$log"; printf ' %s' "$@" >>"$log"; printf '\nSATBENCH=%s\n' "${SATBENCH-}" >>"$log"
id=$(( $(grep -c '^sbatch' "$log") + 100 ))
output=slurm-%j.out array= dep= script=
while test $# -gt 0; do
  case $1 in
    --output=*) output=${1#--output=} ;;
    --array=*) array=${1#--array=} ;;
    --dependency=afterok:*) dep=${1#--dependency=afterok:} ;;
    --*) ;;
    *) script=$1; shift; break ;;
  esac
  shift
done
if test -n "$dep" && test -e "${log%.log}.failed.$dep"; then
  echo "$id DependencyNeverSatisfied" >>"$log"
elif test -n "$array"; then
  n=$(( ${array#0-} + 1 ))
  for ((k = 0; k < n; k++)); do
    o=${output//%A/$id}; o=${o//%a/$k}
    SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=$n SLURM_CPUS_PER_TASK=1 \
      bash "$script" "$@" >"$o" 2>&1 </dev/null || : >"${log%.log}.failed.$id"
  done
else
  bash "$script" "$@" >"${output//%j/$id}" 2>&1 </dev/null || : >"${log%.log}.failed.$id"
fi
echo "$id"
SB
chmod +x "$T/bin/sbatch"
export SBATCH_LOG="$T/sbatch.log"

# PATH: the stand-in sbatch and the system's tools, no satbench.
P="$T/bin:/usr/bin:/bin"
nosb=1
PATH=$P command -v satbench >/dev/null 2>&1 && nosb=0

G="--activations tanh,relu --inits standard --depths 2 --widths 8 --seeds 2 --steps 4 --log-every 2
   --train-size 64 --test-size 16 --batch 8 --input-dim 4 --classes 3 --quiet"

# submit DESC WHERE ARGS...: submit.sh of WHERE (tree, bare) from $T/cwd,
# SATBENCH as the caller's environment says; $rc, $sout, $serr.
submit()
{
  t_runs=$((t_runs + 1))
  sout="$T/$t_runs.out"
  serr="$T/$t_runs.err"
  rm -f "$SBATCH_LOG"
  w=$1
  shift
  (cd "$T/cwd" && PATH=$P "$T/$w/contrib/slurm/submit.sh" "$@") >"$sout" 2>"$serr"
  rc=$?
}
# refused DESC OUT: exit 2, one line on stderr saying nothing was submitted,
# sbatch never called, the folder not made.
refused()
{
  if test "$rc" -ne 2; then t_fail "$1" "exit $rc, expected 2" "stderr: $(cat "$serr")" "sbatch: $(cat "$SBATCH_LOG" 2>/dev/null)"
  elif test "$(lines "$serr")" -ne 1 || ! grep -q 'no satbench that runs.*nothing submitted' "$serr"; then
    t_fail "$1" "stderr: $(cat "$serr")"
  elif test -e "$SBATCH_LOG"; then t_fail "$1" "sbatch was called: $(cat "$SBATCH_LOG")"
  elif test -e "$T/cwd/$2"; then t_fail "$1" "$2 was made"
  else t_pass "$1"
  fi
}

# -- no satbench that runs: refused before anything is submitted --------------
if test "$nosb" -eq 1; then
  sb_saved=$SATBENCH; unset SATBENCH
  # shellcheck disable=SC2086
  submit bare 2 $G --out nothing
  SATBENCH=$sb_saved; export SATBENCH
  refused "submit.sh with no satbench beside contrib/ and none on the PATH: exit 2, nothing submitted" nothing
else
  t_skip "submit.sh with no satbench anywhere" "a satbench is on $P"
fi
sb_saved=$SATBENCH; SATBENCH=$T/no/such/satbench
# shellcheck disable=SC2086
submit bare 2 $G --out nothing
refused "submit.sh with SATBENCH naming no file: exit 2, nothing submitted" nothing
printf '#!/bin/sh\nexit 1\n' >"$T/broken"
chmod +x "$T/broken"
SATBENCH=$T/broken
# shellcheck disable=SC2086
submit tree 2 $G --out nothing
SATBENCH=$sb_saved
refused "submit.sh with a SATBENCH that does not run (even beside a built one): exit 2, nothing submitted" nothing

# -- the satbench beside contrib/: found, jobs' output in DIR/slurm/ -----------
sb grid $G --threads 2 --out "$T/one"
test "$rc" -eq 0 && t_pass "one-process grid runs" || t_fail "one-process grid runs" "exit $rc: $(cat "$err")"
sb_saved=$SATBENCH; unset SATBENCH
# shellcheck disable=SC2086
submit tree 2 $G --out rel/grid
SATBENCH=$sb_saved; export SATBENCH
if test "$rc" -eq 0 && grep -q '^array job 101 (2 shards), merge job 102: tables in rel/grid when it finishes, job logs in rel/grid/slurm/$' "$sout"
then t_pass "submit.sh from a build folder: submitted, says where the tables and logs go"
else t_fail "submit.sh from a build folder: submitted" "exit $rc" "stdout: $(cat "$sout")" "stderr: $(cat "$serr")"; fi
want_sb=$(cd "$T/tree" && pwd)/satbench
n_sb=$(grep -c "^SATBENCH=$want_sb\$" "$SBATCH_LOG")
test "$n_sb" -eq 2 && t_pass "both jobs are given the satbench beside contrib/ as an absolute path" ||
  t_fail "both jobs are given $want_sb" "$(cat "$SBATCH_LOG")"
arr=$(grep '^sbatch' "$SBATCH_LOG" | sed -n 1p)
mrg=$(grep '^sbatch' "$SBATCH_LOG" | sed -n 2p)
case $arr in
  *" --output=rel/grid/slurm/satbench-grid-%A_%a.out --array=0-1 $T/tree/contrib/slurm/grid-array.sbatch --activations"*)
    t_pass "the array's output goes to DIR/slurm/ (sbatch --output)" ;;
  *) t_fail "the array's output goes to DIR/slurm/" "$arr" ;;
esac
case $mrg in
  *" --output=rel/grid/slurm/satbench-merge-%j.out --dependency=afterok:101 --kill-on-invalid-dep=yes $T/tree/contrib/slurm/merge.sbatch rel/grid")
    t_pass "the merge's output goes to DIR/slurm/, after the array, cancelled if a task fails" ;;
  *) t_fail "the merge's output goes to DIR/slurm/, after the array" "$mrg" ;;
esac
ok=1
for k in 0 1; do grep -q "^shard $k/2: " "$T/cwd/rel/grid/slurm/satbench-grid-101_$k.out" || ok=0; done
grep -q 'cells merged' "$T/cwd/rel/grid/slurm/satbench-merge-102.out" || ok=0
test "$ok" -eq 1 && t_pass "each task and the merge wrote its log in DIR/slurm/" ||
  t_fail "each task and the merge wrote its log in DIR/slurm/" "$(ls -R "$T/cwd")" "$(cat "$T"/cwd/rel/grid/slurm/* 2>&1)"
left=$(ls "$T/cwd" | grep -v '^rel$')
test -z "$left" && t_pass "nothing written to the folder submit.sh ran in" || t_fail "nothing written to the current folder" "$left"
same=1
for f in cells.tsv layers.tsv summary.tsv hist.tsv curves.tsv curves_summary.tsv; do
  cmp -s "$T/one/$f" "$T/cwd/rel/grid/$f" || same=0
done
test "$same" -eq 1 && t_pass "array + merge: tables identical to one process (cmp)" ||
  t_fail "array + merge: tables identical to one process" "$(ls "$T/cwd/rel/grid")"

# -- SATBENCH=NAME on the PATH: passed on as its absolute path ------------------
mkdir -p "$T/pathbin"
ln -s "$SATBENCH" "$T/pathbin/satbench"
# shellcheck disable=SC2086
(cd "$T/cwd" && SATBENCH=satbench PATH=$T/pathbin:$P "$T/bare/contrib/slurm/submit.sh" 1 $G --out byname) >"$T/byname.out" 2>&1
rc=$?
if test "$rc" -eq 0 && test "$(grep -c "^SATBENCH=$T/pathbin/satbench\$" "$SBATCH_LOG")" -eq 2 && test -f "$T/cwd/byname/cells.tsv"
then t_pass "SATBENCH=satbench: the one on the PATH, given to the jobs as an absolute path"
else t_fail "SATBENCH=satbench: the one on the PATH" "exit $rc: $(cat "$T/byname.out")" "$(cat "$SBATCH_LOG")"; fi

# -- a job script started without a program that runs: exit 2, says so ---------
(cd "$T/cwd" && SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=1 SATBENCH=$T/no/such/satbench \
  bash "$T/bare/contrib/slurm/grid-array.sbatch" --out x) >"$T/task.out" 2>"$T/task.err"
rc=$?
if test "$rc" -eq 2 && grep -q "^grid-array.sbatch: no program '$T/no/such/satbench' here: set SATBENCH" "$T/task.err"
then t_pass "grid-array.sbatch without its program: exit 2, names it"
else t_fail "grid-array.sbatch without its program: exit 2" "exit $rc" "$(cat "$T/task.err")"; fi
(cd "$T/cwd" && SATBENCH=$T/no/such/satbench bash "$T/bare/contrib/slurm/merge.sbatch" x) >"$T/m.out" 2>"$T/m.err"
rc=$?
if test "$rc" -eq 2 && grep -q "^merge.sbatch: no program '$T/no/such/satbench' here: set SATBENCH" "$T/m.err"
then t_pass "merge.sbatch without its program: exit 2, names it"
else t_fail "merge.sbatch without its program: exit 2" "exit $rc" "$(cat "$T/m.err")"; fi

t_done
