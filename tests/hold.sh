# hold.sh - the hold protocol (tests/lib.sh's hold_start, hold_release,
# hold_end; stop.c's stop_hold) never blocks forever, whatever the held
# run does and however the processes are scheduled: a held run killed
# (kill -9) and gone before the test lets it go; a test that ends while
# its run is held; kill -9 of held runs in a row, the pattern of shard.sh
# and grid.sh that hung under load (the "exit N" line of the run's
# subshell lost between two reads of the FIFO).  Each case runs in a shell
# of its own under `timeout`, only so that a regression fails instead of
# hanging make check: nothing here waits for time to pass.
. "$srcdir/tests/lib.sh"

G="--optimizers sgd --activations tanh,relu --inits standard --depths 2 --widths 8 --seeds 2 --train-size 64
   --test-size 16 --batch 8 --input-dim 4 --classes 3 --steps 60 --log-every 20 --threads 2 --quiet"

# The cases, each run as `hold.sh CASE DIR` by the script below (DIR its
# folder; DIR/out, a FIFO, is satbench's stdout: read to its end, it says
# that satbench has ended).
case ${1-} in
  killed)
    T=$2
    cat "$T/out" >/dev/null &   # satbench's stdout: its end says satbench has ended
    c=$!
    hold_start record-1 "$T/out" "$T/err" grid $G --out "$T/g"
    test "$held" = 1 || { echo "not held: exit $rc"; exit 1; }
    kill -9 "$held_pid"
    wait "$c"   # gone, every thread of it
    hold_release
    hold_end
    echo "exit $rc"
    exit 0 ;;
  gone)
    T=$2
    hold_start record-1 "$T/out" "$T/err" grid $G --out "$T/g"
    echo "held $held pid $held_pid"
    exit 0 ;;   # neither hold_release nor hold_end: a script that stops here
  many)
    T=$2
    i=0
    while test $i -lt 20; do
      i=$((i + 1))
      rm -rf "$T/g"
      hold_start record-1 /dev/null "$T/err" grid $G --out "$T/g"
      test "$held" = 1 && kill -9 "$held_pid"
      hold_end
      echo "round $i: exit $rc"
    done
    exit 0 ;;
esac

t_init hold
if command -v timeout >/dev/null 2>&1; then GUARD="timeout -k 10 120"; else GUARD=; fi
SH=${SHELL:-/bin/sh}

# -- killed at the hold, gone, then let go: hold_release and hold_end return ------
# (before: hold_release's `: >FIFO` waited for a reader that was gone)
mkdir "$T/k" && mkfifo "$T/k/out"
$GUARD "$SH" "$0" killed "$T/k" >"$T/k.log" 2>"$T/k.err"
grc=$?
grep -q '^exit 137$' "$T/k.log" && test "$grc" -eq 0 \
  && t_pass "a held run killed and gone before hold_release: hold_release and hold_end return, exit 137" \
  || t_fail "a held run killed and gone before hold_release: hold_release and hold_end return, exit 137" \
       "guarded shell: exit $grc (124: it hung)" "$(cat "$T/k.log" "$T/k.err")"

# -- the test ends while its run is held: the run is let go and finishes ---------
# (before: satbench waited forever for a writer on its FIFO)
mkdir "$T/g" && mkfifo "$T/g/out"
$GUARD cat "$T/g/out" >/dev/null &
cat_job=$!
$GUARD "$SH" "$0" gone "$T/g" >"$T/g.log" 2>"$T/g.err"
grc=$?
wait "$cat_job"
crc=$?
grep -q '^held 1 ' "$T/g.log" && test "$grc" -eq 0 && test "$crc" -eq 0 && test -s "$T/g/g/cells.tsv" \
  && t_pass "a script that ends while its run is held: the run goes on to its tables" \
  || { t_fail "a script that ends while its run is held: the run goes on to its tables" \
         "held shell: exit $grc; satbench's stdout read to its end: exit $crc (124: it hung)" "$(cat "$T/g.log" "$T/g.err")"
       pid=$(sed -n 's/^held 1 pid //p' "$T/g.log"); test -n "$pid" && kill -9 "$pid" 2>/dev/null; }

# -- kill -9 of held runs, 20 in a row: every hold_end returns --------------------
mkdir "$T/m"
$GUARD "$SH" "$0" many "$T/m" >"$T/m.log" 2>"$T/m.err"
grc=$?
test "$grc" -eq 0 && test "$(grep -c '^round [0-9]*: exit 137$' "$T/m.log")" -eq 20 \
  && t_pass "20 held runs killed with kill -9: each hold_end returns with exit 137" \
  || t_fail "20 held runs killed with kill -9: each hold_end returns with exit 137" \
       "guarded shell: exit $grc (124: it hung)" "$(tail -n 3 "$T/m.log")"

t_done
