# faults.sh - results that survive faults and tampering: records prove
# themselves (their grid, cell, row counts and checksum) and a bad one is
# refused by name, never merged; a --resume over a bad record refuses too,
# and runs the cell again once the record is deleted.
. "$srcdir/tests/lib.sh"
t_init faults

TINY="--optimizers sgd --log-schedule linear --activations tanh,relu --inits standard --depths 2,3 --widths 8 --seeds 2
      --train-size 128 --test-size 32 --batch 8 --input-dim 4 --classes 3 --steps 10 --log-every 5 --quiet"
TABLES="cells.tsv layers.tsv summary.tsv hist.tsv curves.tsv curves_summary.tsv spectra.tsv"

sb grid $TINY --out "$T/ref"
test "$rc" -eq 0 || t_fail "the reference grid runs" "exit $rc: $(cat "$err")"

# tamper DESC RE CMD: a copy of the reference's records, CMD run in it
# (on $R, its records folder); then merge must refuse with exit 2 naming
# the file (RE), write no table, and a --resume must refuse the same.
tamper()
{
  rm -rf "$T/tam"
  mkdir -p "$T/tam"
  cp -r "$T/ref/records" "$T/tam/records"
  R="$T/tam/records"
  eval "$3"
  t_label="merge of a record $1"
  expect_fail 2 "$2" merge --out "$T/tam"
  n=$(ls "$T/tam" | grep -c '\.tsv$\|manifest')
  test "$n" -eq 0 && t_pass "merge of a record $1 writes no table" || t_fail "merge of a record $1 writes no table" "$(ls "$T/tam")"
  t_label="grid --resume over a record $1"
  expect_fail 2 "$2" grid $TINY --out "$T/tam" --resume
}

tamper "copied over another" 'cell-000002.rec: refused: it is the record of cell 1, not of cell 2' \
  'cp "$R/cell-000001.rec" "$R/cell-000002.rec"'
tamper "with a line removed" 'cell-000003.rec: refused: its rows do not match their checksum' \
  'sed "25d" "$R/cell-000003.rec" > "$R/x" && mv "$R/x" "$R/cell-000003.rec"'
tamper "with another appended" 'cell-000004.rec: refused: its rows do not match their checksum' \
  'cat "$R/cell-000005.rec" >> "$R/cell-000004.rec"'
tamper "with one digit changed" 'cell-000005.rec: refused: its rows do not match their checksum' \
  'awk "/^L/ && !done { d = substr(\$0, length(\$0)); \$0 = substr(\$0, 1, length(\$0) - 1) ((d + 1) % 10); done = 1 } { print }" \
     "$R/cell-000005.rec" > "$R/x" && mv "$R/x" "$R/cell-000005.rec"'
tamper "whose checksum line is gone" 'cell-000006.rec: refused: its header lacks' \
  'grep -v "^# checksum" "$R/cell-000006.rec" > "$R/x" && mv "$R/x" "$R/cell-000006.rec"'
tamper "whose counts were edited" 'cell-000007.rec: refused: its row counts do not match' \
  'sed "s/^# rows = C:1 L:\([0-9]*\)/# rows = C:1 L:9\1/" "$R/cell-000007.rec" > "$R/x" && mv "$R/x" "$R/cell-000007.rec"'
tamper "of NUL bytes" 'cell-000000.rec: not a record: it holds NUL bytes' \
  '{ head -c 100 "$R/cell-000000.rec"; printf "\000\000"; tail -c +103 "$R/cell-000000.rec"; } > "$R/x" && mv "$R/x" "$R/cell-000000.rec"'

# A record of another grid: the same cell of a grid with one more step.
sb grid $(echo "$TINY" | sed 's/--steps 10/--steps 11/') --out "$T/other"
tamper "of another grid" 'cell-000001.rec: refused: it belongs to another grid' \
  'cp "$T/other/records/cell-000001.rec" "$R/cell-000001.rec"'

# Deleting the bad record and resuming runs that cell again: the tables
# are those of the untouched grid, byte for byte.
rm -f "$T/tam/records/cell-000001.rec"
sb grid $TINY --out "$T/tam" --resume
same=1
for f in $TABLES; do cmp -s "$T/ref/$f" "$T/tam/$f" || same=0; done
test "$rc" -eq 0 && test "$same" -eq 1 && t_pass "the bad record deleted, --resume reruns the cell: tables identical" ||
  t_fail "the bad record deleted, --resume reruns the cell: tables identical" "exit $rc: $(cat "$err")"

# -- one writer per folder -----------------------------------------------------
LONG="--optimizers sgd --activations tanh --inits standard --depths 10 --widths 64 --seeds 2 --steps 8000 --log-every 4000
      --threads 1 --quiet"
"$SATBENCH" grid $LONG --out "$T/busy" >/dev/null 2>&1 &
busy=$!
i=0
while ! grep -q '^pid' "$T/busy/records/lock" 2>/dev/null && test $i -lt 100; do sleep 0.1; i=$((i + 1)); done
if kill -0 $busy 2>/dev/null; then
  t_label="a second grid on a folder in use"
  expect_fail 2 "--out: .*/busy already holds a grid" grid $LONG --steps 10 --out "$T/busy"
  t_label="--resume of a folder in use"
  expect_fail 2 "is in use by another satbench \\(pid $busy " grid $LONG --out "$T/busy" --resume
  t_label="merge of a folder in use"
  expect_fail 2 "is in use by another satbench \\(pid $busy " merge --out "$T/busy"
  t_label="a shard of a folder in use"
  expect_fail 2 "is in use by another satbench \\(pid $busy " grid $LONG --out "$T/busy" --shard 1/2
else
  for d in "a second grid" "--resume" "merge" "a shard"; do t_skip "$d of a folder in use" "the grid finished first"; done
fi
wait $busy
test $? -eq 0 && t_pass "the grid that holds the folder finishes, exit 0" || t_fail "the grid that holds the folder finishes, exit 0"
sb grid $LONG --out "$T/busy" --resume
test "$rc" -eq 0 && t_pass "once it has finished, --resume takes the folder" || t_fail "once it has finished, --resume takes the folder" "exit $rc: $(cat "$err")"

# Two grids of different configurations started together on one --out:
# exactly one runs, the other is refused, and the tables are the winner's.
ok=1
for round in 1 2 3; do
  rm -rf "$T/race"
  "$SATBENCH" grid $TINY --depths 2 --out "$T/race" >"$T/ra.out" 2>"$T/ra.err" & a=$!
  "$SATBENCH" grid $TINY --depths 3 --out "$T/race" >"$T/rb.out" 2>"$T/rb.err" & b=$!
  wait $a; ra=$?
  wait $b; rb=$?
  won=$(grep '^depths = ' "$T/race/records/config.txt" | sed 's/depths = //')
  depths=$(grep -v '^#' "$T/race/cells.tsv" | tail -n +2 | cut -f4 | sort -u | tr '\n' ' ')
  if ! { test "$ra" -eq 0 && test "$rb" -eq 2 && test "$won" = 2 && test "$depths" = "2 "; } &&
     ! { test "$ra" -eq 2 && test "$rb" -eq 0 && test "$won" = 3 && test "$depths" = "3 "; }; then
    ok=0
    t_fail "two grids at once on one --out (round $round): one runs, one is refused, tables the winner's" \
      "exits $ra $rb, config depths $won, table depths $depths" "$(cat "$T/ra.err" "$T/rb.err")"
  fi
done
test $ok -eq 1 && t_pass "two grids at once on one --out: one runs, one is refused (exit 2), tables the winner's (3 rounds)"

# The tables are one set, vouched for by manifest.json (written last):
# a merge killed between two renames leaves a table of another merge, or
# no manifest, and plot refuses either by name; a merge rebuilds the set.
rm -rf "$T/set"
cp -r "$T/ref" "$T/set"
cp "$T/other/layers.tsv" "$T/set/layers.tsv"
expect_fail 2 "set/layers.tsv does not match manifest.json \\([0-9]+ bytes, [0-9]+ expected\\)" \
  plot -d "$T/set" -o "$T/set-plots" --no-render
test ! -e "$T/set-plots" && t_pass "a table of another merge: plot writes nothing" || t_fail "a table of another merge: plot writes nothing" "$(ls "$T/set-plots")"
cp "$T/ref/layers.tsv" "$T/set/layers.tsv"
rm "$T/set/manifest.json"
expect_fail 2 "set: no manifest.json beside the tables.*satbench merge --out" plot -d "$T/set" -o "$T/set-plots" --no-render
sb merge --out "$T/set" --quiet
sb plot -d "$T/set" -o "$T/set-plots" --no-render
test "$rc" -eq 0 && t_pass "merge rebuilds the set and plot takes it" || t_fail "merge rebuilds the set and plot takes it" "exit $rc: $(cat "$err")"
# The manifest names each table's size and checksum, and the tables say they are complete.
ok=1
for f in $TABLES; do
  test -e "$T/ref/$f" || continue
  bytes=$(wc -c < "$T/ref/$f" | tr -d ' ')
  grep -q "\"$f\": {\"bytes\": $bytes, \"fnv1a64\": \"[0-9a-f]\{16\}\"}" "$T/ref/manifest.json" || ok=0
  grep -q '^# complete = true$' "$T/ref/$f" && grep -q '^# cells = 8 of 8$' "$T/ref/$f" || ok=0
done
test $ok -eq 1 && t_pass "manifest.json names every table's bytes and checksum; each says '# complete = true', '# cells = 8 of 8'" ||
  t_fail "manifest.json names every table's bytes and checksum" "$(cat "$T/ref/manifest.json")"

t_done
