# mpi.sh - satbench built --with-mpi: one grid under mpirun, over 1, 2 and
# 3 ranks x 1 and 2 threads each, gives tables byte-identical to the same
# binary run without mpirun (one rank); SIGTERM to mpirun saves the cells
# done and --resume finishes the grid identically; an error found by every
# rank is reported once.  Skipped (77) unless the program was built with
# MPI and mpirun is on the PATH.
. "$srcdir/tests/lib.sh"
t_init mpi

"$SATBENCH" --version | grep -q '^MPI: yes' || t_skip_all "satbench was built without --with-mpi"
command -v mpirun >/dev/null 2>&1 || t_skip_all "no mpirun on the PATH"
# Root may run mpirun only when it says so; a single node needs no ssh and
# no network (shared memory only); more ranks than cores need
# --oversubscribe, and a rank's OpenMP threads want no core binding.
if test "$(id -u)" -eq 0; then
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
fi
MPIRUN="mpirun --oversubscribe --bind-to none --mca btl self,vader --mca btl_vader_single_copy_mechanism none"

G="--optimizers sgd,adam --log-schedule log --activations tanh,relu --inits standard,he_normal --depths 2,4 --widths 8,12 --seeds 2
   --train-size 128 --test-size 32 --batch 8 --input-dim 4 --classes 3 --steps 30 --log-every 10 --quiet"
TABLES="cells.tsv layers.tsv summary.tsv hist.tsv curves.tsv curves_summary.tsv"
same_tables()
{
  for t_f in $TABLES; do cmp -s "$1/$t_f" "$2/$t_f" || { echo "$t_f differs"; return 1; }; done
  return 0
}

sb grid $G --threads 2 --out "$T/one"
test "$rc" -eq 0 && t_pass "the MPI build without mpirun runs as one rank" || t_fail "the MPI build without mpirun runs" "exit $rc: $(cat "$err")"

for np in 1 2 3; do
  for th in 1 2; do
    d="$T/np${np}t$th"
    $MPIRUN -np $np "$SATBENCH" grid $G --threads $th --out "$d" >"$d.out" 2>"$d.err"
    r=$?
    why=$(same_tables "$T/one" "$d")
    test $r -eq 0 && test -z "$why" \
      && t_pass "mpirun -np $np, $th threads per rank: every table equals the one-rank run (cmp)" \
      || t_fail "mpirun -np $np, $th threads per rank: every table equals the one-rank run" "exit $r: $(cat "$d.err")" "$why"
  done
done
n_digest=$(grep -c 'cells done' "$T/np3t2.out")
test "$n_digest" -eq 1 && t_pass "only rank 0 prints the digest" || t_fail "only rank 0 prints the digest" "$(cat "$T/np3t2.out")"
hosts=$(grep -c '"host": ' "$T/np3t2/manifest.json")
test "$hosts" -ge 64 && t_pass "the manifest names each cell's host" || t_fail "the manifest names each cell's host" "$hosts"

# -- an error every rank finds is said once, with exit 2 ---------------------------
$MPIRUN -np 3 "$SATBENCH" grid $G --threads 1 --out "$T/one" >"$T/refuse.out" 2>"$T/refuse.err"
r=$?
n=$(grep -c 'already holds a grid' "$T/refuse.err")
test $r -ne 0 && test "$n" -eq 1 && t_pass "--out holding a grid, under mpirun -np 3: refused, said once" \
  || t_fail "--out holding a grid, under mpirun -np 3: refused, said once" "exit $r, $n times: $(cat "$T/refuse.err")"

# -- SIGTERM to mpirun, then --resume ---------------------------------------------------
# (cells long enough, 0.1 s each, that the grid cannot finish before the signal)
LONG="--optimizers sgd --activations tanh,relu --inits standard,he_normal --depths 2,6 --widths 32 --seeds 3
      --train-size 512 --test-size 64 --batch 16 --input-dim 8 --classes 3 --steps 12000 --log-every 400 --quiet"
sb grid $LONG --threads 2 --out "$T/long1"
d="$T/term"
$MPIRUN -np 2 "$SATBENCH" grid $LONG --threads 1 --out "$d" >"$d.out" 2>"$d.err" &
pid=$!
while kill -0 $pid 2>/dev/null && test "$(ls "$d/records" 2>/dev/null | grep -c '\.rec$')" -lt 3; do sleep 0.02; done
kill -TERM $pid
wait $pid
saved=$(ls "$d/records" | grep -c '\.rec$')
whole=$(for f in "$d"/records/*.rec; do tail -n 1 "$f"; done | grep -c '^# end$')
# mpirun forwards SIGTERM to the ranks, which stop after their current
# cells; it does not always relay what rank 0 then says before it exits.
test "$saved" -lt 24 && test "$whole" -eq "$saved" \
  && t_pass "SIGTERM to mpirun: the ranks stop, $saved of 24 cells saved, every record whole" \
  || t_fail "SIGTERM to mpirun: the ranks stop with whole records" "$saved saved, $whole whole: $(cat "$d.err")"
$MPIRUN -np 2 "$SATBENCH" grid $LONG --threads 2 --out "$d" --resume >"$d.out2" 2>"$d.err2"
r=$?
why=$(same_tables "$T/long1" "$d")
test $r -eq 0 && test -z "$why" && t_pass "then --resume under mpirun: tables equal the uninterrupted run" \
  || t_fail "then --resume under mpirun: tables equal the uninterrupted run" "exit $r: $(cat "$d.err2")" "$why"

t_done
