#!/bin/sh
# preset-times.sh - the presets' run times have one home,
# bench/preset-times.tsv: the README's table is the one the store makes,
# `satbench list presets` (and so the man page) quotes the store and no
# other time, the store has a row for every preset and none for a preset
# that is gone, and bench/preset-times.sh measures, keeps the rows it did
# not measure and refreshes the README (run on a stand-in satbench that
# trains nothing: no timing is checked).
# Writes only under ./tests/out in the build directory.

. "${srcdir:-.}/tests/lib.sh"
t_init preset-times

script=$srcdir/bench/preset-times.sh
store=$srcdir/bench/preset-times.tsv
readme=$srcdir/README.md
sh=${SHELL:-/bin/sh}

# ---- the README's table is the store's ---------------------------------------
awk '/^<!-- presets: end -->$/ { on = 0 } on; /^<!-- presets: begin -->$/ { on = 1 }' "$readme" >"$T/readme-table"
if ! "$sh" "$script" table "$store" "$readme" >"$T/table" 2>"$T/table.err"; then
  t_fail "preset-times.sh table reads $store and README.md's presets table" "$(cat "$T/table.err")"
elif test "$(grep -c '^| `' "$T/table")" -lt 3; then
  t_fail "the README has presets rows" "$(cat "$T/table")"
elif grep -q 'not measured' "$T/table"; then
  t_fail "every preset of the README's table has its time in the store" "$(grep 'not measured' "$T/table")"
elif cmp -s "$T/table" "$T/readme-table"; then
  t_pass "README.md's presets table gives the times bench/preset-times.tsv holds"
else
  t_fail "README.md's presets table gives the times bench/preset-times.tsv holds" \
    "$(diff "$T/readme-table" "$T/table" | head -n 8)" "(make preset-times, or bench/preset-times.sh readme STORE README.md)"
fi

# ---- a row for every preset, none for another --------------------------------
"$SATBENCH" list presets | awk -F '\t' '!/^\t/ { print $1 }' >"$T/presets"
awk -F '\t' '!/^#/ && !/^preset\t/ && NF { print $1 }' "$store" >"$T/stored"
unmeasured=$(grep -v -x -F -f "$T/stored" "$T/presets" | tr '\n' ' ')
stale=$(grep -v -x -F -f "$T/presets" "$T/stored" | tr '\n' ' ')
if test -z "$unmeasured$stale" && test -s "$T/presets"; then
  t_pass "bench/preset-times.tsv has a row for each of the $(wc -l <"$T/presets" | tr -d ' ') presets, and no other"
else
  t_fail "bench/preset-times.tsv: a row for each preset, and no other" "not measured: $unmeasured" \
    "not a preset: $stale" "(make preset-times PRESETS='...')"
fi

# ---- satbench list presets quotes the store, and no other time ---------------
"$sh" "$script" header "$store" | sed -n 's/^  { "\([^"]*\)", "\(.*\)" },$/\1\t\2/p' >"$T/texts"
bad=
while IFS='	' read -r name text; do
  line=$("$SATBENCH" list presets | awk -F '\t' -v p="$name" '!/^\t/ && $1 == p { print $2 }')
  case $line in
  *"; $text") about=${line%"; $text"} ;;
  *) bad="$bad $name(says '$line', the store '$text')"; continue ;;
  esac
  # the description alone, without the store's text: no time of its own
  if printf '%s\n' "$about" | grep -E -q -e '[0-9] ?(s|sec|seconds|min|minutes|h|hours)([^a-z]|$)'; then
    bad="$bad $name(a time of its own: '$about')"
  fi
done <"$T/texts"
if test ! -s "$T/texts"; then
  t_fail "the header bench/preset-times.sh makes has the store's texts" "$("$sh" "$script" header "$store" 2>&1 | head -n 5)"
elif test -z "$bad"; then
  t_pass "satbench list presets quotes bench/preset-times.tsv, and no other time"
else
  t_fail "satbench list presets quotes bench/preset-times.tsv, and no other time" "$bad" \
    "(satbench is built with the header made from the store: make)"
fi

# No time in the README's lines that name a preset or the default grid but
# the table's.
awk '/^<!-- presets: begin -->$/ { skip = 1 } /^<!-- presets: end -->$/ { skip = 0; next } !skip' "$readme" |
  grep -n -E -e '--preset [a-z0-9]+|default grid' |
  grep -E -e '[0-9] ?(s|seconds|minutes)([^a-z0-9]|$)|a few seconds' >"$T/readme-times" || true
if test -s "$T/readme-times"; then
  t_fail "README.md quotes no preset's time outside the table" "$(head -n 5 "$T/readme-times")"
else
  t_pass "README.md quotes no preset's time outside the table"
fi

# ---- the script, on a stand-in satbench ---------------------------------------
# It knows two presets, a and b; grid writes a manifest of 12 cells on 3
# threads and the digest on stdout, run prints a table.
cat >"$T/fake" <<'EOF'
#!/bin/sh
case "$1 $2" in
"list presets") printf 'a\tpreset a\n\tdepths=2\nb\tpreset b\n\tdepths=3\n' ;;
"--version ") printf 'satbench 0.0\nBLAS: fake (kernel none)\n' ;;
"grid --preset")
  mkdir -p "$5" && printf '{\n  "threads": 3,\n  "cells_total": 12,\n  "wall_seconds": 0.1\n}\n' >"$5/manifest.json"
  echo "the digest" ;;
*) echo "fake satbench: $*" >&2; exit 2 ;;
esac
EOF
chmod +x "$T/fake"
printf '# old\npreset\tseconds\tcells\tthreads\tcpu_share\tload\tcpu\tblas\tdate\tcommit\nb\t99.00\t7\t2\t1.00\t0.1\tX\tY\t2026-01-01\tabc\ngone\t1.00\t1\t1\t1.00\t0\tX\tY\t2026-01-01\tabc\n' >"$T/store.tsv"
if "$sh" "$script" measure "$T/fake" "$T/store.tsv" a >"$T/m.out" 2>"$T/m.err"; then
  rows=$(awk -F '\t' '!/^#/ && !/^preset\t/' "$T/store.tsv")
  a=$(printf '%s\n' "$rows" | awk -F '\t' '$1 == "a"')
  if printf '%s\n' "$rows" | cut -f 1 | tr '\n' ' ' | grep -qx 'a b ' &&
     printf '%s\n' "$a" | awk -F '\t' 'NF == 10 && $2 ~ /^[0-9]+\.[0-9][0-9]$/ && $3 == 12 && $4 == 3 && $8 == "fake (kernel none)" { ok = 1 } END { exit !ok }' &&
     printf '%s\n' "$rows" | grep -q -x -F "$(printf 'b\t99.00\t7\t2\t1.00\t0.1\tX\tY\t2026-01-01\tabc')" &&
     ! test -s "$T/m.out"; then
    t_pass "measure a: a's row (12 cells, 3 threads, the BLAS), b's row kept, the gone preset's dropped, in list order"
  else
    t_fail "measure a: a's row, b's kept, the gone preset's dropped" "$(cat "$T/store.tsv")" "stdout: $(cat "$T/m.out")"
  fi
else
  t_fail "preset-times.sh measure on a stand-in satbench exits 0" "$(cat "$T/m.err")"
fi
expect_measure_refuses() {
  if "$sh" "$script" measure "$T/fake" "$T/store.tsv" "$1" >/dev/null 2>"$T/r.err"; then
    t_fail "measure $1 is refused" "exit 0"
  elif grep -q -e "$2" "$T/r.err"; then
    t_pass "measure $1 is refused: $(cat "$T/r.err")"
  else
    t_fail "measure $1 is refused, naming it" "$(cat "$T/r.err")"
  fi
}
expect_measure_refuses nosuch "unknown preset 'nosuch'"

printf 'intro\n<!-- presets: begin -->\n| preset | reproduces | figure |\n|---|---|---|\n| `a` | A things | [f](f.png) |\n| `b` | B things | - |\n| `c` | C things | - |\n<!-- presets: end -->\nafter\n' >"$T/README.md"
"$sh" "$script" readme "$T/store.tsv" "$T/README.md" 2>"$T/rd.err"
cp "$T/README.md" "$T/README.once"
"$sh" "$script" readme "$T/store.tsv" "$T/README.md" 2>>"$T/rd.err"
if grep -q '^| `a` | A things | \[f\](f.png) | [0-9.]* s' "$T/README.md" && grep -q '^| `c` | C things | - | not measured |$' "$T/README.md" \
   && grep -q '^| preset | reproduces | figure | time |$' "$T/README.md" && grep -q '^Times: wall time on ' "$T/README.md" \
   && head -n 1 "$T/README.md" | grep -qx intro && tail -n 1 "$T/README.md" | grep -qx after && cmp -s "$T/README.md" "$T/README.once"; then
  t_pass "readme: the presets table's time column from the store (a preset without a row: not measured), the rest kept, the same again"
else
  t_fail "readme: the presets table's time column from the store" "$(cat "$T/README.md")" "$(cat "$T/rd.err")"
fi
printf 'no markers\n' >"$T/R2.md"
if "$sh" "$script" readme "$T/store.tsv" "$T/R2.md" 2>"$T/rd2.err"; then
  t_fail "readme without the markers is refused" "exit 0"
else
  t_pass "readme without the markers is refused: $(cat "$T/rd2.err")"
fi

t_done
