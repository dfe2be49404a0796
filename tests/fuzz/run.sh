#!/bin/sh
# tests/fuzz/run.sh - build satbench's libFuzzer harnesses with clang under
# ASan and UBSan and run each for a bounded time (HACKING.md, "Fuzzing").
# `make fuzz` runs it from the build folder; everything it writes goes to
# ./tests/fuzz/out there, never into $srcdir:
#   obj/, libsatbench-fuzz.a   the library's sources compiled by clang
#   fuzz_NAME                  the harnesses (tests/fuzz/fuzz_NAME.c)
#   corpus/NAME/               the working corpus: the seeds of
#                              $srcdir/tests/fuzz/corpus/NAME copied in,
#                              then whatever the fuzzer adds (kept between runs)
#   NAME.log, crash/           libFuzzer's output and its reproducers
# Exit 0 when no harness crashed, leaked or hit undefined behaviour, 1
# otherwise (each failure names its reproducer), 77 when there is no clang
# with libFuzzer here (a skip: nothing was run).
#
# Environment (the Makefile passes the first six from configure):
#   srcdir, CC            the source tree; the configured compiler, used when
#                         it is clang (else `clang` from PATH, or CLANG)
#   FUZZ_CPPFLAGS         -I and -D flags of the library's sources (config.h, src/, GSL, libxsmm)
#   FUZZ_SOURCES          the library's .c files, relative to srcdir
#   FUZZ_LIBS             GSL, libxsmm, CBLAS, zlib and libm link flags
#   FUZZ_WARN             warning flags for the harnesses (configure's)
#   FUZZ_SECONDS          seconds per harness (default 60)
#   FUZZ_HARNESSES        which to run (default "config csv idx record")
#   FUZZ_JOBS             parallel compiles (default 2)
#   CLANG                 the clang to use, overriding the choice above
set -u

srcdir=${srcdir:-.}
SECONDS_EACH=${FUZZ_SECONDS:-60}
HARNESSES=${FUZZ_HARNESSES:-config csv idx record}
JOBS=${FUZZ_JOBS:-2}
OUT=./tests/fuzz/out
FZ=$srcdir/tests/fuzz

skip() { echo "fuzz: SKIP: $*"; exit 77; }
die() { echo "fuzz: $*" >&2; exit 1; }

# The longest input each harness is given: a config file reaches the
# 8191-byte line limit, a record holds the real seed records (11 KB);
# datasets need only a few rows to reach every check.
max_len() {
  case $1 in
    config|record) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

case $SECONDS_EACH in ''|*[!0-9]*) die "FUZZ_SECONDS='$SECONDS_EACH' is not a number of seconds" ;; esac
test -n "${FUZZ_SOURCES-}" || die "FUZZ_SOURCES is empty: run me through 'make fuzz'"

# -- the compiler ---------------------------------------------------------------
if test -z "${CLANG-}"; then
  if ${CC:-cc} --version 2>/dev/null | grep -q clang; then CLANG=${CC}; else CLANG=clang; fi
fi
command -v "${CLANG%% *}" >/dev/null 2>&1 || skip "no clang (CLANG='$CLANG'; Debian: apt-get install clang libclang-rt-14-dev)"

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS_FUZZ="-g -O1 -std=gnu11 $SAN"
mkdir -p "$OUT/obj" "$OUT/crash" || die "cannot make $OUT"

printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return d && n == 1 && d[0] == 1; }\n' \
  > "$OUT/probe.c"
$CLANG $CFLAGS_FUZZ -fsanitize=fuzzer "$OUT/probe.c" -o "$OUT/probe" >"$OUT/probe.log" 2>&1 ||
  skip "$CLANG cannot build a libFuzzer program under ASan/UBSan (Debian: apt-get install libclang-rt-14-dev): $(head -n 1 "$OUT/probe.log")"
rm -f "$OUT/probe" "$OUT/probe.c" "$OUT/probe.log"

# -- the library, compiled again by clang (only what changed) -----------------
# Objects are rebuilt when older than their source, a header of src/ or
# config.h; an archive lets each harness pull in only the modules it uses.
# No OpenMP: the readers are serial, and clang's runtime may be absent.
newest=$(ls -t ./config.h "$srcdir"/src/*.h | head -n 1)
objs=
n=0
for s in $FUZZ_SOURCES; do
  o=$OUT/obj/$(basename "$s" .c).o
  objs="$objs $o"
  if test ! -f "$o" || test "$srcdir/$s" -nt "$o" || test "$newest" -nt "$o"; then
    test "$n" -eq 0 && echo "fuzz: compiling the library with $CLANG"
    rm -f "$o" "$OUT/libsatbench-fuzz.a"
    # shellcheck disable=SC2086
    $CLANG $CFLAGS_FUZZ -fsanitize=fuzzer-no-link $FUZZ_CPPFLAGS -c "$srcdir/$s" -o "$o" &
    n=$((n + 1))
    test $((n % JOBS)) -eq 0 && wait
  fi
done
wait
for o in $objs; do test -f "$o" || die "compiling $o with $CLANG failed"; done
if test ! -f "$OUT/libsatbench-fuzz.a"; then
  # shellcheck disable=SC2086
  ar rc "$OUT/libsatbench-fuzz.a" $objs && ranlib "$OUT/libsatbench-fuzz.a" || die "ar failed"
fi

# -- the harnesses --------------------------------------------------------------
for h in $HARNESSES; do
  test -f "$FZ/fuzz_$h.c" || die "no harness $FZ/fuzz_$h.c"
  # shellcheck disable=SC2086
  $CLANG $CFLAGS_FUZZ ${FUZZ_WARN-} -fsanitize=fuzzer $FUZZ_CPPFLAGS -I"$FZ" "$FZ/fuzz_$h.c" "$OUT/libsatbench-fuzz.a" \
    $FUZZ_LIBS -o "$OUT/fuzz_$h" || die "building fuzz_$h failed"
done

# -- the runs ---------------------------------------------------------------------
# One at a time, each for SECONDS_EACH.  Leaks are errors (LeakSanitizer);
# a unit slower than 10 s is reported as a hang, with its input.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
failed=0
for h in $HARNESSES; do
  mkdir -p "$OUT/corpus/$h" || die "cannot make $OUT/corpus/$h"
  cp -f "$FZ/corpus/$h"/* "$OUT/corpus/$h"/ 2>/dev/null || die "no seed corpus in $FZ/corpus/$h"
  log=$OUT/$h.log
  echo "fuzz: fuzz_$h for $SECONDS_EACH s (log: $log)"
  "$OUT/fuzz_$h" -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$h")" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -error_exitcode=1 -timeout_exitcode=1 \
    -artifact_prefix="$OUT/crash/$h-" "$OUT/corpus/$h" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  files=$(ls "$OUT/corpus/$h" | wc -l | tr -d ' ')
  if test "$rc" -eq 0; then
    echo "fuzz_$h: ok: ${execs:-?} executions in $SECONDS_EACH s, corpus $files inputs"
  else
    failed=1
    repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "fuzz_$h: FAILED (exit $rc) after ${execs:-?} executions; the report:"
    grep -E '^(==[0-9]+==|SUMMARY|.*runtime error|    #[0-9]+ )' "$log" |
      grep -v -E 'fuzzer::|libc_start|in _start|in main ' | head -n 30 | sed 's/^/  /'
    if test -n "$repro"; then
      echo "  reproducer: $repro (run: $OUT/fuzz_$h $repro)"
      echo "  fix the bug, then add the reproducer to the seeds: cp $repro $FZ/corpus/$h/"
    else
      echo "  no reproducer was written: see $log"
    fi
  fi
done
exit $failed
