#!/bin/sh
# bench/preset-times.sh - the one home of the presets' run times.
#
#   preset-times.sh measure SATBENCH STORE [PRESET...]
#       run each preset (every one `SATBENCH list presets` names, or those
#       given) as a user would, `satbench grid --preset P --out TMP --quiet`
#       (`satbench run --preset P` for cell, the default of run), and write
#       its row of STORE as soon as it ends, keeping the rows of the presets
#       not run.  With PRESET_LIMIT=SECONDS a run still going after SECONDS
#       is stopped and stored as ">SECONDS" (texts: "over ..."): not
#       measured in full
#   preset-times.sh header STORE    the C header satbench is built with
#                                   (`satbench list presets` quotes it)
#   preset-times.sh table STORE README  the README's presets table with
#                                   the store's times, in Markdown
#   preset-times.sh readme STORE README
#                                   replace the table between README's
#                                   "<!-- presets: begin/end -->" markers
#
# `make preset-times` runs measure, then readme; the header follows at the
# next make, and the man page with it (it quotes `satbench list presets`).
# Nothing else may quote a preset's time: tests/preset-times.sh compares the
# README's table and `satbench list presets` with STORE.
#
# STORE (bench/preset-times.tsv) has one row per preset, tab-separated:
#   preset     the preset's name
#   seconds    wall time of the whole command (dataset, training, tables),
#              from start to exit
#   cells      cells it ran (manifest.json's cells_total; 1 for run)
#   threads    threads it ran on (manifest.json; 1 for run)
#   cpu_share  CPU time it got / (seconds x threads): near 1 on an idle
#              machine; below 0.75 the machine was shared and the time is
#              inflated by about its inverse (the texts then say "under load")
#   load       the 1-minute load average when it started
#   cpu        the CPU model (/proc/cpuinfo)
#   blas       the BLAS and its kernels (`satbench --version`): OpenBLAS's
#              generic kernels alone can make a preset three times slower
#   date       UTC day of the measurement
#   commit     the source's git commit (-dirty: with uncommitted changes)
#
# Every preset is measured in full unless PRESET_LIMIT says otherwise:
# on an idle two-core machine each takes seconds to a few minutes, on a
# shared one ten to twenty times that (he2015: 4 of its 12 cells in 16
# minutes on 2026-12-07).  Give presets to measure some only; the others
# keep their rows.
set -eu

usage() {
  echo "usage: preset-times.sh measure SATBENCH STORE [PRESET...] | header STORE | table STORE README | readme STORE README" >&2
  exit 2
}

HEAD='preset	seconds	cells	threads	cpu_share	load	cpu	blas	date	commit'

# The texts quoted from a row, made by one awk function so that `satbench
# list presets` and the README say the same: human(seconds) and
# loaded(cpu_share).
AWK_TEXT='
function human(s,    m) {
  if (s ~ /^>/) return "over " human(substr(s, 2)) " (stopped)"
  if (s < 10) return sprintf("%.1f s", s)
  s = int(s + 0.5)
  if (s < 100) return s " s"
  m = int(s / 60)
  return m " min" (s > 60 * m ? " " (s - 60 * m) " s" : "")
}
function loaded(share) { return share != "-" && share + 0 < 0.75 }
function check(   i) {
  if (NF != 10) { printf "%s: row %d: %d fields, not 10\n", f, NR, NF > "/dev/stderr"; bad = 1; exit 1 }
  if ($2 !~ /^>?[0-9]+(\.[0-9]+)?$/) { printf "%s: row %d: seconds \"%s\" is not a number\n", f, NR, $2 > "/dev/stderr"; bad = 1; exit 1 }
}'

# The rows of the store, header and comments left out.
rows() {
  test -r "$1" || { echo "preset-times.sh: cannot read $1" >&2; exit 1; }
  awk -F '\t' '/^#/ || /^preset\t/ || /^$/ { next } { print }' "$1"
}

# The README's presets table, in Markdown, on stdout: the rows of SECTION
# (the lines between README.md's presets markers: "| `NAME` | what it
# reproduces | its figure |" written by hand) with their time column from the
# store, then a line naming the machine, the date and the store.  A preset
# the store has no row for says "not measured".
table() {
  rows "$1" >"$2.rows" || exit 1
  awk -F '\t' -v f="$1" "$AWK_TEXT"'
    FNR == NR { check(); t[$1] = human($2) (loaded($5) ? " (under load)" : ""); th[$4] = 1
                m[$7 ", " $9] = 1; next }
    /^\|/ {
      n = split($0, c, "|")
      if (n < 5) next
      for (i = 2; i <= 4; i++) { gsub(/^ +| +$/, "", c[i]) }
      if (c[2] == "preset") { print "| preset | reproduces | figure | time |"; next }
      if (c[2] ~ /^-+$/) { print "|---|---|---|---:|"; next }
      name = c[2]; gsub(/`/, "", name)
      printf "| %s | %s | %s | %s |\n", c[2], c[3], c[4], (name in t) ? t[name] : "not measured"
      next
    }
    END {
      if (bad) exit 1
      threads = ""; for (k in th) threads = threads (threads == "" ? "" : " or ") k
      where = ""; for (k in m) where = where (where == "" ? "" : "; ") k
      print ""
      print "Times: wall time on " threads " threads, as `make preset-times` measured it into"
      print "`bench/preset-times.tsv` (" where "); \"under load\": the run got less than"
      print "75% of the CPU, so the time is inflated."
    }' FS='\t' - FS='|' "$2" <"$2.rows"
  rc=$?
  rm -f "$2.rows"
  return $rc
}

# The lines between README's presets markers, on stdout.
section() {
  n=$(grep -c '^<!-- presets: \(begin\|end\) -->$' "$1" || true)
  test "$n" = 2 || { echo "preset-times.sh: $1 needs one '<!-- presets: begin -->' and one '<!-- presets: end -->' line, has $n" >&2; exit 1; }
  awk '/^<!-- presets: end -->$/ { on = 0 } on; /^<!-- presets: begin -->$/ { on = 1 }' "$1"
}

cmd=${1:-}
test $# -ge 1 && shift
case $cmd in
measure)
  test $# -ge 2 || usage
  sb=$1 store=$2
  shift 2
  test -x "$sb" || { echo "preset-times.sh: $sb is not a program" >&2; exit 2; }
  known=$("$sb" list presets | awk -F '\t' '!/^\t/ { print $1 }')
  want=${*:-$known}
  for p in $want; do
    echo "$known" | grep -qx "$p" || { echo "preset-times.sh: unknown preset '$p' (known: $(echo $known))" >&2; exit 2; }
  done
  cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
  test -n "$cpu" || cpu=$(uname -m)
  blas=$("$sb" --version | sed -n 's/^BLAS: //p')
  test -n "$blas" || blas=-
  src=$(dirname "$0")/..
  commit=$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null) || commit=-
  if test "$commit" != - && ! git -C "$src" diff --quiet HEAD -- 2>/dev/null; then commit=$commit-dirty; fi
  day=$(date -u +%Y-%m-%d)
  limit=
  if test -n "${PRESET_LIMIT:-}"; then
    case $PRESET_LIMIT in *[!0-9]* | 0) echo "preset-times.sh: PRESET_LIMIT=$PRESET_LIMIT is not a number of seconds" >&2; exit 2 ;; esac
    limit="timeout $PRESET_LIMIT"
  fi
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/preset-times.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 1' HUP INT TERM
  for p in $want; do
    load=$(cut -d ' ' -f 1 /proc/loadavg 2>/dev/null) || load=-
    times >"$tmp/c0"   # in this shell: a subshell has no children
    t0=$(date +%s.%N)
    rc=0
    if test "$p" = cell; then
      $limit "$sb" run --preset "$p" --quiet >/dev/null || rc=$?
      cells=1 threads=1
    else
      $limit "$sb" grid --preset "$p" --out "$tmp/$p" --quiet >/dev/null || rc=$?   # >: the digest
      # a stopped grid has no manifest: its records/config.txt and the
      # thread count of the default (grid --help says which)
      cells=$(sed -n 's/^  "cells_total": \([0-9]*\),*$/\1/p' "$tmp/$p/manifest.json" 2>/dev/null) || cells=-
      threads=$(sed -n 's/^  "threads": \([0-9]*\),*$/\1/p' "$tmp/$p/manifest.json" 2>/dev/null) || threads=-
      rm -rf "${tmp:?}/$p"
    fi
    t1=$(date +%s.%N)
    stopped=
    if test "$rc" = 124 && test -n "$limit"; then
      stopped=">$PRESET_LIMIT"
      test -n "$cells" && test "$cells" != - || cells=-
      test -n "$threads" && test "$threads" != - || threads=$(nproc 2>/dev/null || echo 1)
    elif test "$rc" != 0; then
      echo "preset-times.sh: satbench failed on preset $p (exit $rc)" >&2
      exit 1
    fi
    times >"$tmp/c1"
    # times: the children's "XmY.ZZs XmY.ZZs" (user, system) so far.
    row=$({ sed -n 2p "$tmp/c0"; sed -n 2p "$tmp/c1"; } | awk -v p="$p" -v t0="$t0" -v t1="$t1" -v cells="$cells" -v th="$threads" -v stopped="$stopped" '
      function sec(x,    m) { m = x; sub(/m.*/, "", m); sub(/^[0-9]*m/, "", x); sub(/s$/, "", x); return 60 * m + x }
      { cpu[NR] = sec($1) + sec($2) }
      END {
        wall = t1 - t0
        printf "%s\t%s\t%s\t%s\t%.2f", p, stopped != "" ? stopped : sprintf("%.2f", wall), cells, th, (cpu[2] - cpu[1]) / (wall * th)
      }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$load" "$cpu" "$blas" "$day" "$commit" >"$tmp/new"
    echo "preset-times.sh: $(printf '%s' "$row" | cut -f 1,2 | tr '\t' ' ') s" >&2
    # Into the store at once (a long run stopped keeps what it measured):
    # the new row and the old ones of the other presets, in the order of
    # `satbench list presets`.
    { test -r "$store" && rows "$store"; cat "$tmp/new"; } >"$tmp/all" || true
    {
      echo "# The presets' wall times: made by bench/preset-times.sh (make preset-times),"
      echo "# whose header says what each column means.  Do not edit."
      echo "$HEAD"
      for k in $known; do
        awk -F '\t' -v p="$k" '$1 == p { r = $0 } END { if (r != "") print r }' "$tmp/all"
      done
    } >"$tmp/store"
    mv "$tmp/store" "$store"
  done
  ;;
header)
  test $# -eq 1 || usage
  rows "$1" | awk -F '\t' -v f="$1" "$AWK_TEXT"'
    function cstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
    BEGIN {
      print "/* preset_times.h - made by bench/preset-times.sh from bench/preset-times.tsv:"
      print " * each preset'"'"'s measured wall time, as `satbench list presets` quotes it."
      print " * Do not edit; `make preset-times` measures again. */"
      print "static const struct preset_time { const char *name, *text; } preset_times[] = {"
    }
    { check()
      t = human($2) " on " $4 " thread" ($4 == 1 ? "" : "s") " (" $7 ", " $9 (loaded($5) ? ", under load" : "") ")"
      print "  { " cstr($1) ", " cstr(t) " }," }
    END { if (!bad) { print "  { 0, 0 }"; print "};" } }'
  ;;
table)
  test $# -eq 2 || usage
  section "$2" >"$2.section.tmp" || { rm -f "$2.section.tmp"; exit 1; }
  table "$1" "$2.section.tmp"
  rc=$?
  rm -f "$2.section.tmp"
  exit $rc
  ;;
readme)
  test $# -eq 2 || usage
  store=$1 readme=$2
  section "$readme" >"$readme.section.tmp" || { rm -f "$readme.section.tmp"; exit 1; }
  table "$store" "$readme.section.tmp" >"$readme.table.tmp" || { rm -f "$readme.section.tmp" "$readme.table.tmp"; exit 1; }
  awk -v t="$readme.table.tmp" '
    /^<!-- presets: end -->$/ { skip = 0 }
    !skip { print }
    /^<!-- presets: begin -->$/ { while ((getline l < t) > 0) print l; skip = 1 }' "$readme" >"$readme.tmp"
  rm -f "$readme.table.tmp" "$readme.section.tmp"
  if cmp -s "$readme.tmp" "$readme"; then rm -f "$readme.tmp"; else mv "$readme.tmp" "$readme"; fi
  ;;
*) usage ;;
esac
