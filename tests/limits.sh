#!/bin/sh
# limits.sh - odd limits, each refused up front with a message naming it
# (exit 2, nothing written) or run to a clean end: grids whose cell count
# overflows or whose bookkeeping cannot fit, the runtimes' thread
# variables, and a grid under ulimit -v (OpenBLAS's own threads are off:
# satbench runs itself again with OPENBLAS_NUM_THREADS=1).
. "${srcdir:-.}/tests/lib.sh"
t_init limits

A="--activations tanh --optimizers sgd --inits standard --steps 0 --train-size 64 --test-size 16 --input-dim 4
   --classes 3 --quiet"
TINY="--activations tanh,relu --inits standard --optimizers sgd --depths 2,3 --widths 8 --seeds 2 --steps 10
      --log-every 5 --train-size 128 --test-size 32 --batch 8 --input-dim 4 --classes 3"
TABLES="cells.tsv layers.tsv summary.tsv hist.tsv curves.tsv curves_summary.tsv"   # no spectra.tsv: no --jacobian here
L=$(seq -s, 1 1024)   # 1024 values, the most an axis takes
# A guard against the hang at exit this script checks for (not a
# synchronisation: a healthy run takes well under a second).
if command -v timeout >/dev/null 2>&1; then GUARD="timeout 300"; else GUARD=; fi
inits() { seq -s, 1 "$1" | sed 's/\([0-9][0-9]*\)/normal:\1/g'; }

# refused DESC RE ARGS...: exit 2, one line matching RE, no $T/never.
refused()
{
  r_what=$1
  t_label=$1
  shift
  t_re=$1
  shift
  expect_fail 2 "$t_re" "$@"
  test ! -e "$T/never" && t_pass "$r_what: nothing written" || t_fail "$r_what: nothing written" "$(ls -R "$T/never")"
  rm -rf "$T/never"
}

# -- cells: counted before anything is sized from them ---------------------------------
# 2^64 cells once wrapped to "0 cells" and empty tables marked complete;
# 2^60 overflowed the heap.
refused "a grid of 2^64 cells" \
  "^satbench: the grid has 1\\.845e\\+19 \\(about 2\\^64\\.0\\) cells \\(--inits 256 x --depths 1024 x --widths 1024 x --residual 1024 x --lrs 1024 x --seeds 65536\\); at most 4294967296 \\(2\\^32\\) can be run" \
  grid $A --inits "$(inits 256)" --depths 1:1024 --widths 1:1024 --residual "$L" --lrs "$L" --seeds 65536 --out "$T/never"
refused "a grid of 2^60 cells" \
  "^satbench: the grid has 1\\.153e\\+18 \\(about 2\\^60\\.0\\) cells \\(--inits 16 x .* x --seeds 65536\\); at most 4294967296" \
  grid $A --inits "$(inits 16)" --depths 1:1024 --widths 1:1024 --residual "$L" --lrs "$L" --seeds 65536 --out "$T/never"
refused "a grid of 2^32 + 2^16 cells, just over the limit" \
  "^satbench: the grid has 4295032832 cells \\(--depths 256 x --widths 256 x --seeds 65537\\); at most 4294967296 \\(2\\^32\\)" \
  grid $A --depths 1:256 --widths 1:256 --seeds 65537 --out "$T/never"
# AddressSanitizer reserves terabytes of address space for its shadow
# memory, so a build with it cannot start under ulimit -v: those checks
# are skipped there (CI's ASan stage), and run in every other build.
asan=0
grep -qa '__asan_init' "$SATBENCH" && asan=1
# At the limit, the bookkeeping (400 GiB and more) is what cannot fit:
# refused by the memory check, here under ulimit -v 4 GiB so that no
# machine runs it.
if test "$asan" = 1; then
  t_skip "a grid of 2^32 cells under ulimit -v 4 GiB: its bookkeeping refused up front" "AddressSanitizer build"
else
t_runs=$((t_runs + 1))
(ulimit -v 4194304; exec "$SATBENCH" grid $A --depths 1:256 --widths 1:256 --seeds 65536 --out "$T/never") \
  >"$T/cap.out" 2>"$T/cap.err"
rc=$?
test "$rc" -eq 2 && test "$(lines "$T/cap.err")" -eq 1 &&
  grep -q "^satbench: the grid needs about [0-9.]* GiB of memory (.*) but .* [0-9.]* GiB: the bookkeeping of its 4294967296 cells alone is [0-9.]* GiB; reduce the number of cells" "$T/cap.err" &&
  test ! -e "$T/never" && t_pass "a grid of 2^32 cells under ulimit -v 4 GiB: its bookkeeping refused up front, nothing written" ||
  t_fail "a grid of 2^32 cells under ulimit -v 4 GiB: its bookkeeping refused up front" "exit $rc: $(cat "$T/cap.err")"
fi

# -- the runtimes' thread variables -------------------------------------------------------
sb grid $TINY --threads 2 --out "$T/ref" --quiet
test "$rc" -eq 0 || t_fail "the reference grid runs" "exit $rc: $(cat "$err")"
same_as_ref()
{
  for f in $TABLES; do cmp -s "$T/ref/$f" "$1/$f" || { echo "$f differs"; return; }; done
}
# OMP_NUM_THREADS is held to --threads's limit (it crashed the runtime at 100000).
OMP_NUM_THREADS=100000 refused "OMP_NUM_THREADS=100000" \
  "^satbench: OMP_NUM_THREADS=100000: more threads than the limit of 4096 \\(give --threads N, which overrides it\\)$" \
  grid $TINY --out "$T/never"
for v in "OMP_NUM_THREADS=100000 --threads 2" "OMP_NUM_THREADS=2,100000" "OMP_NUM_THREADS=abc --threads 2" \
         "OMP_THREAD_LIMIT=1 --threads 3" "OMP_DYNAMIC=true OMP_NUM_THREADS=2" "OPENBLAS_NUM_THREADS=100000 --threads 2" \
         "GOTO_NUM_THREADS=100000 --threads 2" "OMP_STACKSIZE=1M --threads 2"; do
  d="$T/env$t_runs"
  vars=$(echo "$v" | sed 's/ --threads.*//')
  opts=$(echo "$v" | sed -n 's/.*\(--threads.*\)/\1/p')
  t_runs=$((t_runs + 1))
  env $vars "$SATBENCH" grid $TINY $opts --out "$d" >"$d.out" 2>"$d.err"
  rc=$?
  why=$(same_as_ref "$d")
  test "$rc" -eq 0 && test -z "$why" && t_pass "$v: runs to the end, tables identical" ||
    t_fail "$v: runs to the end, tables identical" "exit $rc: $(cat "$d.err")" "$why"
done
# A build without OpenMP runs one thread and starts no worker: the
# checks of how many threads run and of their stacks are skipped there.
omp=1
"$SATBENCH" --version | grep -q '^OpenMP: disabled' && omp=0
if test "$omp" = 1; then
OMP_NUM_THREADS=2,100000 sb grid $TINY --out "$T/list"
grep -q " on 2 threads, " "$err" && t_pass "OMP_NUM_THREADS=2,100000: the first value, 2 threads" ||
  t_fail "OMP_NUM_THREADS=2,100000: the first value, 2 threads" "$(cat "$err")"
else
  t_skip "OMP_NUM_THREADS=2,100000: the first value, 2 threads" "built without OpenMP"
fi
OMP_THREAD_LIMIT=1 sb grid $TINY --threads 3 --out "$T/limit"
grep -q " on 1 thread, " "$err" && t_pass "OMP_THREAD_LIMIT=1 --threads 3: 1 thread, as the runtime runs it" ||
  t_fail "OMP_THREAD_LIMIT=1 --threads 3: 1 thread, as the runtime runs it" "$(cat "$err")"
if test "$omp" = 1; then
OMP_STACKSIZE=100G refused "OMP_STACKSIZE=100G" \
  "^satbench: the grid needs about [0-9.]+ GiB of memory \\(2 threads\\) but .*: the stacks of its 1 worker thread \\(102400 MiB each, OMP_STACKSIZE\\) alone are 100\\.0 GiB" \
  grid $TINY --threads 2 --out "$T/never"
else
  t_skip "OMP_STACKSIZE=100G refused" "built without OpenMP: no worker threads"
  t_skip "OMP_STACKSIZE=100G: nothing written" "built without OpenMP: no worker threads"
fi

# -- under ulimit -v ------------------------------------------------------------------------
if test "$asan" = 1; then
  for what in "what is mapped before main" "a tiny grid under ulimit -v, base + its need + 8 MiB" "a tiny grid under ulimit -v, base + its need + 108 MiB" \
              "ulimit -v sweep"; do t_skip "$what" "AddressSanitizer build"; done
else
# Without OPENBLAS_NUM_THREADS (the harness sets it), OpenBLAS started a
# pool in its constructor: a tiny grid crashed under 200 MB and hung at
# exit under 100 MB.  Now it runs to the end, the tables those of the
# grid run without a limit.  The limits are set above what the program
# maps before main (its libraries: 60-70 MB, more with each library
# linked), which the memory check's refusal of a large grid reports.
base=$( (ulimit -v 1048576; exec env -u OPENBLAS_NUM_THREADS "$SATBENCH" grid --activations tanh --depths 2 --widths 8192 \
          --train-size 200000 --input-dim 4096 --out "$T/never") 2>&1 </dev/null |
        sed -n 's/.*, of which \([0-9]*\) MiB are mapped already.*/\1/p')
test -n "$base" && t_pass "the memory check's refusal reports what is mapped before main ($base MiB)" ||
  t_fail "the memory check's refusal reports what is mapped before main" "no figure in its message"
base=${base:-70}
# What the tiny grid needs beyond that, libraries' buffers included (each
# thread's OpenBLAS GEMM buffer of 128 MiB: without libxsmm the grid spun
# in OpenBLAS when it could not map it), from its own refusal just above
# base: then it must run in what it asked for, and in 100 MiB more.
need=$( (ulimit -v $(((base + 1) * 1024)); exec env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS "$SATBENCH" grid $TINY \
          --threads 2 --out "$T/never") 2>&1 </dev/null | sed -n 's/.*the grid needs about \([0-9]*\)\.[0-9] MiB of memory.*/\1/p')
need=${need:-300}
for kb in $(((base + need + 8) * 1024)) $(((base + need + 108) * 1024)); do
  d="$T/as$kb"
  t_runs=$((t_runs + 1))
  (ulimit -v $kb; exec $GUARD env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS "$SATBENCH" grid $TINY --threads 2 --out "$d") \
    >"$d.out" 2>"$d.err" </dev/null
  rc=$?
  why=$(same_as_ref "$d")
  test "$rc" -eq 0 && test -z "$why" && grep -q "^12 of 12\\|^8 of 8 cells done" "$d.out" &&
    t_pass "a tiny grid under ulimit -v $kb, OpenBLAS's threads unset: exit 0, tables identical" ||
    t_fail "a tiny grid under ulimit -v $kb, OpenBLAS's threads unset: exit 0, tables identical" "exit $rc: $(cat "$d.err")" "$why"
done
# From the least address space the program can start in, up: every grid
# runs to its end or is refused up front naming the limit (or the
# libraries, mapped before main, say they cannot load) -- never a signal.
bad=
kb=40000
top=$(((base + need + 16) * 1024))
while test $kb -le $top; do
  d="$T/sweep$kb"
  (ulimit -v $kb; exec $GUARD env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS "$SATBENCH" grid $TINY --threads 2 --quiet --out "$d") \
    >"$d.out" 2>"$d.err" </dev/null
  rc=$?
  case $rc in
    0) test -z "$(same_as_ref "$d")" || bad="$bad $kb:tables" ;;
    2) grep -q "^satbench: the grid .*RLIMIT_AS (ulimit -v $kb, " "$d.err" && test ! -e "$d/cells.tsv" || bad="$bad $kb:$(head -c 200 "$d.err")" ;;
    124) bad="$bad $kb:hung" ;;
    # the dynamic loader, before main: a library's segment or the first thread's TLS does not fit
    127) grep -q "error while loading shared libraries\|cannot allocate TLS data structures for initial thread" "$d.err" ||
           bad="$bad $kb:127" ;;
    130) grep -q "^OpenBLAS blas_thread_init: pthread_create failed" "$d.err" || bad="$bad $kb:130" ;;
    139)  # a crash before main, in a library's initialisation (seen: libgfortran's
          # os_error recursing when its first calloc fails, about 58000 kB): then
          # --version, which does nothing after main, dies the same way
      (ulimit -v $kb; exec $GUARD env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS "$SATBENCH" --version) >/dev/null 2>&1 </dev/null
      test $? -eq 139 || bad="$bad $kb:exit139" ;;
    *) bad="$bad $kb:exit$rc" ;;
  esac
  rm -rf "$d"
  kb=$((kb + 2000))
done
test -z "$bad" && t_pass "ulimit -v from 40 to $top kB: each grid runs or is refused naming RLIMIT_AS, no crash" ||
  t_fail "ulimit -v from 40 to $top kB: each grid runs or is refused naming RLIMIT_AS, no crash" "$bad"

fi

t_done
