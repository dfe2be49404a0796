# shard.sh - `satbench grid --shard K/N` and `satbench merge`: shards run
# concurrently into one folder and merge to the tables of a one-process run,
# byte for byte; a shard killed with kill -9 and rerun, or a rerun with
# another N, still completes the grid; an incomplete grid is refused by
# merge (and marked '# complete = false' with --partial); bad shards and a different
# configuration are refused with exit 2 and nothing written; folders filled
# separately merge with --from; records carry their provenance.
. "$srcdir/tests/lib.sh"
t_init shard

G="--optimizers sgd,adam --log-schedule log --activations tanh,relu --inits standard,he_normal --depths 2,4 --widths 8,12 --seeds 2
   --train-size 128 --test-size 32 --batch 8 --input-dim 4 --classes 3 --steps 30 --log-every 10 --quiet"
NCELLS=64
TABLES="cells.tsv layers.tsv summary.tsv hist.tsv curves.tsv curves_summary.tsv"
records() { ls "$1/records" 2>/dev/null | grep -c '\.rec$'; }
same_tables()  # DIR_A DIR_B: 0 when every table is byte-identical
{
  for t_f in $TABLES; do cmp -s "$1/$t_f" "$2/$t_f" || { echo "$t_f differs"; return 1; }; done
  return 0
}

sb grid $G --threads 2 --out "$T/one"
test "$rc" -eq 0 && t_pass "one-process grid runs" || t_fail "one-process grid runs" "exit $rc: $(cat "$err")"

# -- N = 1, 2, 3, 7 concurrently into one folder each, then merge ---------------
for n in 1 2 3 7; do
  d="$T/n$n"
  pids=
  k=0
  while test $k -lt $n; do
    "$SATBENCH" grid $G --threads 1 --shard $k/$n --out "$d" >"$d.$k.out" 2>"$d.$k.err" &
    pids="$pids $!"
    k=$((k + 1))
  done
  bad=0
  for p in $pids; do wait $p || bad=1; done
  test $bad -eq 0 && t_pass "$n shards run concurrently into one --out" \
    || t_fail "$n shards run concurrently into one --out" "$(cat "$d".*.err)"
  # Each shard ran its own cells only: their counts add up to the grid.
  sum=$(cat "$d".*.out | sed -n 's|^shard [0-9]*/[0-9]*: \([0-9]*\) of .*|\1|p' | awk '{ s += $1; if ($1 > m) m = $1 } END { print s + 0, m + 0 }')
  test "${sum% *}" -eq $NCELLS && { test $n -eq 1 || test "${sum#* }" -lt $NCELLS; } \
    && t_pass "$n shards ran disjoint shares of the $NCELLS cells (largest $(echo $sum | cut -d' ' -f2))" \
    || t_fail "$n shards ran disjoint shares of the $NCELLS cells" "total, largest: $sum"
  tables=$(ls "$d"/*.tsv 2>/dev/null | wc -l)
  test "$tables" -eq 0 && t_pass "$n shards write records only, no tables" || t_fail "$n shards write records only" "$(ls "$d")"
  test "$(records "$d")" -eq $NCELLS && t_pass "$n shards leave $NCELLS records" || t_fail "$n shards leave $NCELLS records" "$(records "$d")"
  # n2 and n3 keep their records (provenance and reruns below read them)
  sb merge --out "$d" --quiet $(case $n in 2|3) echo --keep-records ;; esac)
  why=$(same_tables "$T/one" "$d")
  test "$rc" -eq 0 && test -z "$why" && t_pass "merge of $n shards: every table equals the one-process run (cmp)" \
    || t_fail "merge of $n shards: every table equals the one-process run (cmp)" "exit $rc: $(cat "$err")" "$why"
done
ls "$T"/n7/records | grep -q '\.tmp\.' && t_fail "no temporary files are left" "$(ls "$T/n7/records" | grep tmp)" \
  || t_pass "no temporary files are left"

# -- what a shard says --------------------------------------------------------------
sb grid $G --threads 1 --shard 1/3 --out "$T/n3"
grep -q 'shard 1/3: 0 of 0 cells run' "$out" && grep -q 'satbench merge --out' "$out" && test "$rc" -eq 0 \
  && t_pass "a rerun of a finished shard runs nothing and says how to merge" \
  || t_fail "a rerun of a finished shard runs nothing and says how to merge" "exit $rc: $(cat "$out" "$err")"

# -- kill -9 of a shard, then the same shard again ------------------------------------
LONG="--optimizers sgd --activations tanh,relu --inits standard,he_normal --depths 2,6 --widths 32 --seeds 3
      --train-size 512 --test-size 64 --batch 16 --input-dim 8 --classes 3 --steps 3000 --log-every 100 --quiet"
sb grid $LONG --threads 2 --out "$T/long1"
d="$T/killed"
"$SATBENCH" grid $LONG --threads 1 --shard 0/2 --out "$d" >/dev/null 2>&1
# held after its third record (stop.h's hold point) and killed there
hold_start record-3 "$d.out" "$d.err" grid $LONG --threads 2 --shard 1/2 --out "$d"
test "$held" = 1 && kill -9 "$held_pid"
hold_end
before=$(records "$d")
sb merge --out "$d" --quiet
test "$rc" -eq 1 && grep -q "of 24 cells of .* have no complete record" "$err" && test ! -e "$d/cells.tsv" \
  && t_pass "merge of an incomplete grid ($before of 24 cells) exits 1, counts the missing cells, writes nothing" \
  || t_fail "merge of an incomplete grid exits 1, counts the missing cells, writes nothing" "exit $rc: $(cat "$err")" "$(ls "$d")"
sb merge --out "$d" --partial --quiet
n_partial=$(grep -l '^# complete = false$' "$d"/*.tsv 2>/dev/null | wc -l)
n_counted=$(grep -l "^# cells = $before of 24\$" "$d"/*.tsv 2>/dev/null | wc -l)
# every table but spectra.tsv, which a grid without --jacobian has not
n_tables=$("$SATBENCH" list columns | cut -f 1 | sort -u | grep '\.tsv$' | grep -vc '^\(spectra\|precision\|log2hist\|gates\)\.tsv$')
test "$rc" -eq 0 && test "$n_partial" -eq "$n_tables" && test "$n_counted" -eq "$n_tables" && test "$n_tables" -ge 6 && grep -q '"complete": false' "$d/manifest.json" \
  && t_pass "merge --partial writes tables that each say '# complete = false' and '# cells = $before of 24', and a manifest that says incomplete" \
  || t_fail "merge --partial: every table says '# complete = false' and counts its cells" "exit $rc, $n_partial/$n_counted tables: $(cat "$err")"
sb grid $LONG --threads 2 --shard 1/2 --out "$d"
sb merge --out "$d" --quiet
why=$(same_tables "$T/long1" "$d")
test "$before" -lt 24 && test "$rc" -eq 0 && test -z "$why" \
  && t_pass "shard killed (kill -9) with $before of 24 cells saved, rerun, merged: equals the one-process run" \
  || t_fail "shard killed (kill -9), rerun, merged: equals the one-process run" "exit $rc: $(cat "$err")" "$why"
n_complete=$(grep -l '^# complete = true$' "$d"/*.tsv 2>/dev/null | wc -l)
n_all=$(grep -l '^# cells = 24 of 24$' "$d"/*.tsv 2>/dev/null | wc -l)
test "$n_complete" -eq "$n_tables" && test "$n_all" -eq "$n_tables" && t_pass "a complete merge: every table says '# complete = true' and '# cells = 24 of 24'" ||
  t_fail "a complete merge: every table says '# complete = true'" "$n_complete/$n_all of $n_tables tables"

# -- SIGTERM of a shard (scancel) saves its cells and says so ---------------------------
d="$T/term"
hold_start record-2 "$d.out" "$d.err" grid $LONG --threads 2 --shard 0/1 --out "$d"
test "$held" = 1 && kill -TERM "$held_pid"
hold_release
hold_end
trc=$rc
test "$trc" -eq 143 && grep -q 'interrupted by SIGTERM: shard 0/1 saved [0-9]* of its' "$d.err" \
  && t_pass "SIGTERM to a shard: exit 143, says how many cells it saved" \
  || t_fail "SIGTERM to a shard: exit 143, says how many cells it saved" "exit $trc: $(cat "$d.err")"

# -- a rerun with another N completes the grid ----------------------------------------------
d="$T/renumbered"
"$SATBENCH" grid $G --threads 1 --shard 0/3 --out "$d" >/dev/null 2>&1
"$SATBENCH" grid $G --threads 1 --shard 2/3 --out "$d" >/dev/null 2>&1
part=$(records "$d")
for k in 0 1 2 3 4; do "$SATBENCH" grid $G --threads 1 --shard $k/5 --out "$d" >/dev/null 2>&1; done
sb merge --out "$d" --quiet
why=$(same_tables "$T/one" "$d")
test "$part" -lt $NCELLS && test "$rc" -eq 0 && test -z "$why" \
  && t_pass "2 of 3 shards ($part cells), then all 5 of N=5: merged tables equal the one-process run" \
  || t_fail "a rerun with another N completes the grid" "exit $rc: $(cat "$err")" "$why"

# -- refusals: exit 2, one line, nothing written ---------------------------------------------
for bad in 3/3 5/2 -1/2 1/0 2 a/b /4 1/ 1/2/3; do
  t_label="grid --shard $bad"
  expect_fail 2 "^satbench: --shard: " grid $G --shard $bad --out "$T/bad"
  test -e "$T/bad" && t_fail "grid --shard $bad created its --out"
done
t_label="a shard of another configuration"
expect_fail 2 "^satbench: --shard: .* was made by a different configuration \(differs in: .*steps" \
  grid $G --steps 31 --shard 0/2 --out "$T/n2"
t_label="merge of a folder that holds no grid"
expect_fail 2 "^satbench: merge: --out: .* holds no grid" merge --out "$T/nothing"
test -e "$T/nothing" && t_fail "merge of no grid created its --out" || t_pass "merge of no grid created nothing"
t_label="merge --from a folder of another grid"
sb grid $G --steps 31 --threads 2 --out "$T/other"
expect_fail 2 "^satbench: --from: .* is another grid than .*differs in: .*steps" merge --out "$T/n2" --from "$T/other"
t_label="merge with an unknown option"
expect_fail 2 "^satbench: merge: " merge --out "$T/n2" --shard 0/2

# -- folders filled separately, merged with --from ---------------------------------------------
"$SATBENCH" grid $G --threads 1 --shard 0/2 --out "$T/hostA" >/dev/null 2>&1
"$SATBENCH" grid $G --threads 1 --shard 1/2 --out "$T/hostB" >/dev/null 2>&1
sb merge --out "$T/gathered" --from "$T/hostA" --from "$T/hostB" --quiet
why=$(same_tables "$T/one" "$T/gathered")
test "$rc" -eq 0 && test -z "$why" && t_pass "merge --from two folders (one shard each) equals the one-process run" \
  || t_fail "merge --from two folders equals the one-process run" "exit $rc: $(cat "$err")" "$why"

# -- provenance ------------------------------------------------------------------------------------
r="$T/n2/records/cell-000000.rec"
for key in host threads blas blas_kernel wall_seconds version; do
  grep -q "^# $key = ." "$r" && t_pass "a record says its $key" || t_fail "a record says its $key" "$(head -n 20 "$r")"
done
hosts=$(tr -d ' \n' <"$T/n2/manifest.json" | sed -n 's/.*"hosts":\[\([^]]*\)\].*/\1/p')
test -n "$hosts" && t_pass "the merged manifest lists the hosts ($hosts)" || t_fail "the merged manifest lists the hosts"
cells_with_host=$(grep -c '"cell": [0-9]*, "status": "[a-z]*", "wall_seconds": [0-9.]*, "host": "' "$T/n2/manifest.json")
test "$cells_with_host" -eq $NCELLS && t_pass "the manifest gives each cell's host and wall time" \
  || t_fail "the manifest gives each cell's host and wall time" "$cells_with_host of $NCELLS"
# Records from two BLAS kernels: merge warns (the kernel line of one record edited).
cp -r "$T/n2" "$T/mixed"
sed -i 's/^# blas_kernel = .*/# blas_kernel = OtherKernel/' "$T/mixed/records/cell-000003.rec"
sb merge --out "$T/mixed"
grep -q 'warning: the records come from 2 BLAS kernels' "$err" && grep -q 'OPENBLAS_CORETYPE' "$err" \
  && t_pass "merge warns when records come from different BLAS kernels, naming OPENBLAS_CORETYPE" \
  || t_fail "merge warns when records come from different BLAS kernels" "$(cat "$err")"

# -- two writers of one cell never leave a record that looks complete but is not --------------
d="$T/twice"
"$SATBENCH" grid $G --threads 1 --shard 0/1 --out "$d" >/dev/null 2>&1 &
p1=$!
"$SATBENCH" grid $G --threads 1 --shard 0/1 --out "$d" >/dev/null 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
sb merge --out "$d" --quiet
why=$(same_tables "$T/one" "$d")
test $r1 -eq 0 && test $r2 -eq 0 && test "$rc" -eq 0 && test -z "$why" \
  && t_pass "two processes running the same shard at once: merged tables equal the one-process run" \
  || t_fail "two processes running the same shard at once" "exits $r1 $r2 $rc: $(cat "$err")" "$why"

# -- the job's limits, not the node's -------------------------------------------------------------
t_label="SLURM_MEM_PER_NODE=1 (MB)"
SLURM_MEM_PER_NODE=1 expect_fail 2 "the grid needs about .* GiB of memory \(1 thread\) but the job may use \(SLURM_MEM_PER_NODE=1 MB\)" \
  grid $G --threads 1 --widths 4096 --out "$T/mem"
test -e "$T/mem" && t_fail "a grid over the job's memory created its --out" || t_pass "a grid over the job's memory writes nothing"
t_label="SLURM_MEM_PER_CPU=1 (MB) x 2 CPUs"
SLURM_MEM_PER_CPU=1 SLURM_CPUS_PER_TASK=2 expect_fail 2 "but the job may use \(SLURM_MEM_PER_CPU=1 MB x 2 CPUs\)" \
  grid $G --widths 4096 --threads 2 --out "$T/mem"
d="$T/slurmcpus"
( unset OMP_NUM_THREADS; SLURM_CPUS_PER_TASK=3 "$SATBENCH" grid $G --steps 2 --depths 2 --out "$d" ) >"$d.out" 2>"$d.err"
# (a build without OpenMP runs one thread, and says so)
want='on 3 threads'
"$SATBENCH" --version | grep -q '^OpenMP: disabled' && want='on 1 thread;'
grep -q "$want" "$d.out" && t_pass "threads come from SLURM_CPUS_PER_TASK when --threads and OMP_NUM_THREADS are unset ($want)" \
  || t_fail "threads come from SLURM_CPUS_PER_TASK" "$(cat "$d.out" "$d.err")"
( OMP_NUM_THREADS=1; export OMP_NUM_THREADS; SLURM_CPUS_PER_TASK=3 "$SATBENCH" grid $G --steps 2 --depths 2 --out "$d.omp" ) >"$d.omp.out" 2>&1
grep -q 'on 1 thread;' "$d.omp.out" && t_pass "OMP_NUM_THREADS wins over SLURM_CPUS_PER_TASK" \
  || t_fail "OMP_NUM_THREADS wins over SLURM_CPUS_PER_TASK" "$(cat "$d.omp.out")"

t_done
