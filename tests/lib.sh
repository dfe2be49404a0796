# lib.sh - helpers for satbench's shell tests (POSIX sh; sourced, not run).
#
# A script calls t_init NAME, then checks; each check prints one TAP line,
# "ok N - ..." or "not ok N - ..." (with the observed and expected values
# on failure, as "# ..." lines); t_done prints the plan "1..N" and exits 1
# if any failed.  A check that cannot run here is t_skip DESC REASON (a
# "# SKIP" line); a script that cannot run at all calls t_skip_all REASON
# (the plan "1..0 # SKIP REASON", exit status 77).
# Every file a check writes goes to a scratch directory in the BUILD tree,
# ./tests/out/NAME.PID, never into $srcdir: the source tree may be read-only
# (make distcheck).  The scratch directory is removed when everything
# passed and kept for inspection otherwise.
#
# Environment (set by the Makefile's AM_TESTS_ENVIRONMENT): SATBENCH, the
# absolute path of the program under test; srcdir.

t_n=0
t_failed=0
t_label=

# t_init NAME: check the environment and make the scratch directory T.
t_init()
{
  if test -z "${SATBENCH-}" || test ! -x "$SATBENCH"; then
    echo "Bail out! SATBENCH='${SATBENCH-}' is not an executable program" >&2
    exit 99   # a broken harness is an ERROR, not a test failure
  fi
  T="./tests/out/$1.$$"
  rm -rf "$T"
  mkdir -p "$T" || { echo "Bail out! cannot create $T" >&2; exit 99; }
}

# t_result STATUS DESCRIPTION [DETAIL...]: one TAP-style line; STATUS 0 is ok.
# Each DETAIL argument is printed as a "# " line under a failure.
t_result()
{
  t_status=$1
  t_desc=$2
  shift 2
  t_n=$((t_n + 1))
  if test "$t_status" -eq 0; then
    echo "ok $t_n - $t_desc"
  else
    t_failed=$((t_failed + 1))
    echo "not ok $t_n - $t_desc"
    for t_line in "$@"; do
      printf '%s\n' "$t_line" | sed 's/^/#   /'
    done
  fi
}

# t_skip DESC REASON: a check that cannot run on this machine.
t_skip()
{
  t_n=$((t_n + 1))
  echo "ok $t_n - $1 # SKIP $2"
}

# t_skip_all REASON: nothing of this script can run here.
t_skip_all()
{
  echo "1..0 # SKIP $1"
  test -n "${T-}" && rm -rf "$T"
  exit 77
}

# t_pass DESC / t_fail DESC [DETAIL...]
t_pass() { t_result 0 "$1"; }
t_fail() { t_d=$1; shift; t_result 1 "$t_d" "$@"; }

# sb ARGS...: run $SATBENCH with ARGS; stdout to $T/N.out, stderr to
# $T/N.err (N counts invocations), exit status in $rc, the two file names
# in $out and $err.
t_runs=0
sb()
{
  t_runs=$((t_runs + 1))
  out="$T/$t_runs.out"
  err="$T/$t_runs.err"
  "$SATBENCH" "$@" >"$out" 2>"$err"
  rc=$?
}

# t_args ARGS...: the arguments as one readable string for descriptions.
t_args()
{
  t_s=
  for t_a in "$@"; do
    case $t_a in
      '') t_a="''" ;;
      *[!A-Za-z0-9_./:,=+-]*) t_a="'$t_a'" ;;
    esac
    t_s="${t_s:+$t_s }$t_a"
  done
  printf '%s' "$t_s"
}

# t_in_order DESC "WANT" "HAVE": every word of WANT is in HAVE, in WANT's
# order (the contract's names among what the program lists).
t_in_order()
{
  t_missing=$(awk -v want="$2" -v have="$3" 'BEGIN {
    nw = split(want, w, " "); nh = split(have, h, " "); j = 1
    for (i = 1; i <= nw; i++) {
      while (j <= nh && h[j] != w[i]) j++
      if (j > nh) { printf " %s", w[i]; j = 1 } else j++
    }
  }')
  if test -z "$t_missing"; then t_pass "$1"; else t_fail "$1" "missing or out of order:$t_missing" "have: $3"; fi
}

# lines FILE: number of lines in FILE (a final line without newline counts).
lines()
{
  awk 'END { print NR }' "$1"
}

# expect_ok DESC ARGS...: exit status 0 and nothing on stderr.
expect_ok()
{
  t_d=$1
  shift
  sb "$@"
  if test "$rc" -ne 0; then
    t_fail "$t_d" "command: satbench $(t_args "$@")" "exit status $rc, expected 0" "stderr: $(cat "$err")"
  elif test -s "$err"; then
    t_fail "$t_d" "command: satbench $(t_args "$@")" "unexpected stderr: $(cat "$err")"
  else
    t_pass "$t_d"
  fi
}

# expect_fail CODE REGEX ARGS...: run satbench ARGS; pass when it exits with
# CODE, writes nothing to stdout, and writes exactly one line to stderr that
# matches the extended regular expression REGEX.  If t_label is set, the
# description shows it instead of ARGS (to hide common arguments); it is
# reset after each call.
expect_fail()
{
  t_code=$1
  t_re=$2
  shift 2
  sb "$@"
  t_d="satbench ${t_label:-$(t_args "$@")} -> exit $t_code, /$t_re/"
  t_label=
  t_nl=$(lines "$err")
  if test "$rc" -ne "$t_code"; then
    t_fail "$t_d" "exit status $rc, expected $t_code" "stderr: $(cat "$err")"
  elif test "$t_nl" -ne 1; then
    t_fail "$t_d" "stderr has $t_nl lines, expected exactly 1:" "$(cat "$err")"
  elif ! grep -E -e "$t_re" "$err" >/dev/null; then
    t_fail "$t_d" "stderr: $(cat "$err")" "does not match: $t_re"
  elif test -s "$out"; then
    t_fail "$t_d" "a failed command wrote to stdout: $(head -n 3 "$out")"
  else
    t_pass "$t_d"
  fi
}

# t_done: summary line, clean up, exit 0 (all passed) or 1.
t_done()
{
  echo "1..$t_n"
  if test "$t_failed" -eq 0; then
    echo "# all $t_n checks passed"
    rm -rf "$T"
    exit 0
  fi
  echo "# $t_failed of $t_n checks failed; outputs kept in $T"
  exit 1
}

# -- a run held at a known point (src/stop.h) -------------------------------------
# A test acts on a running satbench (a signal, a kill -9, its folder
# removed) at a point the program says it has reached, never after a sleep:
#   hold_start POINT OUT ERR ARGS...  start satbench ARGS in the background
#       (stdout to OUT, stderr to ERR) with SATBENCH_TEST_HOLD=POINT:FIFO;
#       returns when it is held at POINT ("record-N": its Nth record written;
#       "merge"), or when it ended without reaching it: $held is 1 or 0,
#       $held_pid its pid when held, $rc its exit status when it ended.
#   hold_release  let it go on;   hold_end  let it go (if not yet) and wait
#       for its end (exit status in $rc).  One hold at a time.
# Nothing here waits for a FIFO's other end to open, so no interleaving
# blocks forever (whatever the held process does: dies, is killed before or
# after its release, catches a signal).  The shell holds both FIFOs open
# read-write (Linux opens a FIFO so at once) from hold_start to hold_end, on
# fds 9 and 8: FIFO carries "POINT PID" from satbench and "exit N" from the
# subshell, each kept in the pipe until read, however the writers' opens and
# closes interleave with the reads; FIFO.go releases: satbench reads it to
# end of file, which comes once this shell closes fd 8 (hold_release, or
# hold_end, or this script's end), before or after satbench opens it.
# Neither fd is left to satbench or to the subshell (an fd 8 held by them
# would keep the end of file away).
hold_start()
{
  h_point=$1
  h_out=$2
  h_err=$3
  shift 3
  t_runs=$((t_runs + 1))
  h_fifo="$T/hold.$t_runs"
  rm -f "$h_fifo" "$h_fifo.go"
  { mkfifo "$h_fifo" && mkfifo "$h_fifo.go" && exec 9<>"$h_fifo" 8<>"$h_fifo.go"; } ||
    { echo "Bail out! cannot make and open the FIFOs $h_fifo(.go)" >&2; exit 99; }
  (
    exec 8>&-
    SATBENCH_TEST_HOLD="$h_point:$h_fifo" "$SATBENCH" "$@" >"$h_out" 2>"$h_err" </dev/null 9>&-
    echo "exit $?" >&9
  ) &
  h_job=$!
  h_what=
  while test -z "$h_what"; do read -r h_what h_arg <&9; done
  if test "$h_what" = "$h_point"; then held=1; held_pid=$h_arg; else held=0; held_pid=; rc=$h_arg; fi
}

hold_release()
{
  exec 8>&-
}

hold_end()
{
  exec 8>&-
  if test "$held" = 1; then
    h_what=
    while test "$h_what" != exit; do read -r h_what rc <&9; done
  fi
  wait "$h_job"
  exec 9<&-
  rm -f "$h_fifo" "$h_fifo.go"
  held=0
}
