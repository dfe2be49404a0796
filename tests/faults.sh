# faults.sh - results that survive faults and tampering: records prove
# themselves (their grid, cell, row counts and checksum) and a bad one is
# refused by name, never merged; a --resume over a bad record refuses too,
# and runs the cell again once the record is deleted.
. "$srcdir/tests/lib.sh"
t_init faults

TINY="--optimizers sgd --log-schedule linear --activations tanh,relu --inits standard --depths 2,3 --widths 8 --seeds 2
      --train-size 128 --test-size 32 --batch 8 --input-dim 4 --classes 3 --steps 10 --log-every 5 --quiet"
TABLES="cells.tsv layers.tsv summary.tsv hist.tsv curves.tsv curves_summary.tsv"   # no spectra.tsv: no --jacobian here

# The reference keeps its records (--keep-records): they are what is tampered with.
sb grid $TINY --out "$T/ref" --keep-records
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
  'awk "/^L\t/ && ++n == 3 { next } { print }" "$R/cell-000003.rec" > "$R/x" && mv "$R/x" "$R/cell-000003.rec"'
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
sb grid $(echo "$TINY" | sed 's/--steps 10/--steps 11/') --out "$T/other" --keep-records
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
# The grid that holds the folder is held after its first record (stop.h's
# hold point) while the others try, then let go.
LONG="--optimizers sgd --activations tanh --inits standard --depths 10 --widths 64 --seeds 2 --steps 800 --log-every 400
      --threads 1 --quiet"
hold_start record-1 /dev/null "$T/busy.err" grid $LONG --out "$T/busy"
busy=$held_pid
if test "$held" = 1; then
  t_label="a second grid on a folder in use"
  expect_fail 2 "--out: .*/busy already holds a grid" grid $LONG --steps 10 --out "$T/busy"
  t_label="--resume of a folder in use"
  expect_fail 2 "is in use by another satbench \\(pid $busy " grid $LONG --out "$T/busy" --resume
  t_label="merge of a folder in use"
  expect_fail 2 "is in use by another satbench \\(pid $busy " merge --out "$T/busy"
  t_label="a shard of a folder in use"
  expect_fail 2 "is in use by another satbench \\(pid $busy " grid $LONG --out "$T/busy" --shard 1/2
else
  t_fail "the grid that holds the folder reaches its first record" "exit $rc: $(cat "$T/busy.err")"
fi
hold_release
hold_end
test "$rc" -eq 0 && t_pass "the grid that holds the folder finishes, exit 0" ||
  t_fail "the grid that holds the folder finishes, exit 0" "exit $rc: $(cat "$T/busy.err")"
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

# -- signals and pipes ------------------------------------------------------------------
TINYV=$(echo "$TINY" | sed 's/--quiet//')
# A closed pipe on stdout and stderr (2>&1 | head -1) does not lose the
# grid: it finishes, writes every table, and exits 1.
rm -rf "$T/pipe"
"$SATBENCH" grid $TINYV --out "$T/pipe" 2>&1 | head -c 1 >/dev/null
rc=${PIPESTATUS[0]}
n=0
for f in $TABLES manifest.json; do test -s "$T/pipe/$f" && n=$((n + 1)); done
test "$rc" -eq 1 && test "$n" -eq 7 && grep -q '^# complete = true$' "$T/pipe/cells.tsv" \
  && t_pass "grid ... 2>&1 | head: every table written, exit 1" || t_fail "grid ... 2>&1 | head: every table written, exit 1" "exit $rc, $n of 7 files"
# Only stderr closed: the message comes on stdout, saying the tables are complete.
rm -rf "$T/pipe"
{ "$SATBENCH" grid $TINYV --out "$T/pipe" 2>&1 >&3 3>&- | head -c 0; } 3>"$T/pipe.out"
rc=${PIPESTATUS[0]}
test "$rc" -eq 1 && grep -q "^satbench: writing to stderr failed.*the tables are complete in .*/pipe/" "$T/pipe.out" && test -s "$T/pipe/summary.tsv" \
  && t_pass "grid with stderr closed: tables written, exit 1, the message on stdout" \
  || t_fail "grid with stderr closed: tables written, exit 1, the message on stdout" "exit $rc: $(cat "$T/pipe.out")"
# Only stdout closed: the message on stderr.
rm -rf "$T/pipe"
"$SATBENCH" grid $TINY --out "$T/pipe" 2>"$T/pipe.err" | head -c 0
rc=${PIPESTATUS[0]}
test "$rc" -eq 1 && grep -q "^satbench: writing to stdout: Broken pipe; the tables are complete in " "$T/pipe.err" && test -s "$T/pipe/summary.tsv" \
  && t_pass "grid with stdout closed: tables written, exit 1, the message on stderr" \
  || t_fail "grid with stdout closed: tables written, exit 1, the message on stderr" "exit $rc: $(cat "$T/pipe.err")"

# A file over `ulimit -f` (12 KiB in bash: a record fits, layers.tsv does not)
# fails its write with a message naming it, exit 1, and publishes nothing
# (SIGXFSZ, which would kill satbench silently, is ignored).
rm -rf "$T/fsz"
(ulimit -f 12; exec "$SATBENCH" grid $TINY --out "$T/fsz") >"$T/fsz.out" 2>"$T/fsz.err"
rc=$?
test "$rc" -eq 1 && grep -q "^satbench: writing .*/fsz/[a-z_]*\.tsv: File too large" "$T/fsz.err" &&
  test -z "$(ls "$T/fsz" | grep '\.tsv\|manifest')" && test -z "$(find "$T/fsz" -name '*.tmp.*')" &&
  t_pass "grid under ulimit -f: exit 1 naming the table, no table, no temporary file" ||
  t_fail "grid under ulimit -f: exit 1 naming the table, no table, no temporary file" "exit $rc: $(cat "$T/fsz.err")" "$(ls "$T/fsz")"
(ulimit -f 2; exec "$SATBENCH" grid $TINY --out "$T/fsz2") >"$T/fsz2.out" 2>"$T/fsz2.err"
rc=$?
test "$rc" -eq 1 && grep -q "^satbench: writing .*/fsz2/records/cell-[0-9]*\.rec: File too large" "$T/fsz2.err" &&
  ! grep -q 'complete = true' "$T"/fsz2/*.tsv 2>/dev/null && test -z "$(find "$T/fsz2" -name '*.tmp.*')" &&
  t_pass "grid under ulimit -f smaller than a record: exit 1 naming the record, nothing that looks complete" ||
  t_fail "grid under ulimit -f smaller than a record: exit 1 naming the record" "exit $rc: $(cat "$T/fsz2.err")" "$(ls "$T/fsz2")"
rm -rf "$T/fszm"
cp -r "$T/ref" "$T/fszm"
(ulimit -f 12; exec "$SATBENCH" merge --out "$T/fszm" --keep-records) >"$T/fszm.out" 2>"$T/fszm.err"
rc=$?
same=1
for f in $TABLES manifest.json; do cmp -s "$T/ref/$f" "$T/fszm/$f" || same=0; done
test "$rc" -eq 1 && grep -q "^satbench: writing .*/fszm/[a-z_]*\.tsv: File too large" "$T/fszm.err" && test "$same" -eq 1 &&
  test -z "$(find "$T/fszm" -name '*.tmp.*')" &&
  t_pass "merge under ulimit -f: exit 1 naming the table, the previous set untouched, no temporary file" ||
  t_fail "merge under ulimit -f: exit 1 naming the table, the previous set untouched" "exit $rc, same $same: $(cat "$T/fszm.err")"

# --out removed or replaced while the grid runs: exit 1 saying so, never 0.
# The grid (one thread: nothing writes while it is held) is held after
# its first record, when its folder is surely there (a removal that came
# before the folder was made said another thing).
for how in removed replaced; do
  rm -rf "$T/gone"
  hold_start record-1 /dev/null "$T/gone.err" grid $LONG --depths 2 --widths 8 --steps 200 --seeds 6 --out "$T/gone"
  if test $how = removed; then rm -rf "$T/gone"; else mv "$T/gone" "$T/gone.old"; mkdir -p "$T/gone/records"; fi
  hold_release
  hold_end
  test "$rc" -eq 1 && grep -q "^satbench: --out: .*/gone was removed, moved or replaced while satbench ran" "$T/gone.err" &&
    test ! -e "$T/gone/cells.tsv" && t_pass "--out $how while the grid runs: exit 1 saying so, no tables" ||
    t_fail "--out $how while the grid runs: exit 1 saying so, no tables" "exit $rc: $(cat "$T/gone.err")"
  rm -rf "$T/gone.old"
done

# Temporary files that a killed run left (a record's, a merge's) are
# removed by --resume and by merge, which say how many.
rm -rf "$T/left"
cp -r "$T/ref" "$T/left"
head -c 5000 /dev/zero > "$T/left/records/cell-000003.rec.tmp.somehost.4242.00beef"
head -c 9000 /dev/zero > "$T/left/hist.tsv.tmp.somehost.4243.0abcde"
echo mine > "$T/left/notes.tmp.txt"
echo mine > "$T/left/records/mine.tmp.a.1.abcdef"
sb grid $TINYV --out "$T/left" --resume
test "$rc" -eq 0 && grep -q "removed 2 temporary files (0.0 MB) that an interrupted run left" "$err" &&
  test "$(find "$T/left" -name '*.tmp.*' | wc -l)" -eq 2 && test -s "$T/left/notes.tmp.txt" && test -s "$T/left/records/mine.tmp.a.1.abcdef" &&
  t_pass "--resume removes the temporary files a killed run left, saying so, and no other file" ||
  t_fail "--resume removes the temporary files a killed run left, and no other file" "exit $rc: $(cat "$err")" "$(find "$T/left" -name '*.tmp.*')"
rm -f "$T/left/notes.tmp.txt" "$T/left/records/mine.tmp.a.1.abcdef"
head -c 5000 /dev/zero > "$T/left/layers.tsv.tmp.somehost.4243.0abcdf"
sb merge --out "$T/left"
test "$rc" -eq 0 && grep -q "removed 1 temporary file " "$err" && test -z "$(find "$T/left" -name '*.tmp.*')" &&
  t_pass "merge removes them too" || t_fail "merge removes them too" "exit $rc: $(cat "$err")"

# SIGINT during a merge: exit 130 saying so, nothing replaced, no temporary
# file left; a merge then writes the set.
rm -rf "$T/big"
sb grid --activations tanh,relu,sigmoid,linear --inits standard,xavier_normal,he_normal --optimizers sgd --depths 20 --widths 16 --seeds 16 --steps 0 \
  --train-size 64 --test-size 16 --probe-size 64 --input-dim 4 --classes 3 --out "$T/big" --quiet --keep-records
# The merge is held as it is about to write (stop.h's hold point), the
# signal sent, and let go: it opens its temporary tables and abandons them.
rm -f "$T/big"/*.tsv "$T/big/manifest.json"
hold_start merge /dev/null "$T/big.err" merge --out "$T/big" --quiet --keep-records
test "$held" = 1 && kill -INT "$held_pid"
hold_release
hold_end
test "$rc" -eq 130 && grep -q "^satbench: interrupted by SIGINT during the merge: no table was replaced" "$T/big.err" &&
  test -z "$(ls "$T/big" | grep '\.tsv\|manifest')" && test -z "$(find "$T/big" -name '*.tmp.*')" &&
  t_pass "SIGINT during a merge: exit 130 saying so, no table, no temporary file" ||
  t_fail "SIGINT during a merge: exit 130 saying so, no table, no temporary file" "exit $rc: $(cat "$T/big.err")" "$(ls "$T/big")"
sb merge --out "$T/big" --quiet
test "$rc" -eq 0 && test -s "$T/big/manifest.json" && t_pass "then a merge writes the set" || t_fail "then a merge writes the set" "exit $rc: $(cat "$err")"

# An --out too long for the files under it is refused before anything is written.
long=$T/$(printf 'd%.0s' $(seq 200))
for k in $(seq 19); do long=$long/$(printf 'e%.0s' $(seq 200)); done
t_label="--out of $(printf %s "$long" | wc -c) bytes"
expect_fail 2 "^satbench: --out: the path is [0-9]+ bytes long; at most 3839 fit" grid $TINY --out "$long"
test ! -e "${long%%/eeee*}" && t_pass "the long --out: nothing created" || t_fail "the long --out: nothing created"

# -- provenance ---------------------------------------------------------------------------
M="$T/ref/manifest.json"
ok=1
for re in '"depths": \[2, 3\]' '"activations": \["tanh", "relu"\]' '"seeds": 2,' '"steps": 10,' '"sat-threshold": 0.05,' \
          '"dataset": "gaussian",' '"command": "satbench grid --optimizers sgd ' '"git_commit": "' '"compiler": "' \
          '"cpu": "' '"blas_kernel": "' '"started": "20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z"' \
          '"ended": "20[0-9][0-9]-' '"merged": "20' '"data_digest": "fnv1a64:[0-9a-f]\{16\}"' '"records": {'; do
  grep -q "$re" "$M" || { ok=0; t_fail "manifest.json has $re" "$(head -c 2000 "$M")"; }
done
test $ok -eq 1 && t_pass "manifest.json: typed values (numbers, arrays), command, build, CPU, BLAS kernel, UTC start/end, data digest"
grep -q '^# started = 20.*Z$' "$T/ref/records/cell-000000.rec" && grep -q '^# command = satbench grid ' "$T/ref/records/cell-000000.rec" &&
  grep -q '^# data = fnv1a64:' "$T/ref/records/cell-000000.rec" && t_pass "records carry their start, command and data digest" ||
  t_fail "records carry their start, command and data digest" "$(head -40 "$T/ref/records/cell-000000.rec")"
# run --from DIR --cell N reprints that cell's rows, byte for byte.
for table in layers cells hist curves; do
  sb run --from "$T/ref" --cell 5 --table $table
  grep -v '^#' "$out" | tail -n +2 > "$T/mine.rows"
  grep -v '^#' "$T/ref/$table.tsv" | tail -n +2 | awk -F'\t' '$1 == 5' > "$T/theirs.rows"
  test "$rc" -eq 0 && test -s "$T/mine.rows" && cmp -s "$T/mine.rows" "$T/theirs.rows" && grep -q "byte-identical" "$err" &&
    t_pass "run --from DIR --cell 5 --table $table: the rows of $table.tsv, byte for byte" ||
    t_fail "run --from DIR --cell 5 --table $table: the rows of $table.tsv" "exit $rc: $(cat "$err")"
done
rm -rf "$T/edit" && cp -r "$T/ref" "$T/edit"
awk -F'\t' 'BEGIN { OFS = "\t" } $1 == 5 && !done { $NF = $NF "1"; done = 1 } { print }' "$T/ref/layers.tsv" > "$T/edit/layers.tsv"
sb run --from "$T/edit" --cell 5
test "$rc" -eq 1 && grep -q "cell 5: its [0-9]* rows differ from its [0-9]* in .*layers.tsv, first at row 1" "$err" &&
  t_pass "run --from: a table that differs from the rerun: exit 1, naming the first row" ||
  t_fail "run --from: a table that differs: exit 1" "exit $rc: $(cat "$err")"
t_label="run --from of a cell out of range"
expect_fail 2 "run: --cell: 8 is not a cell of the grid in .* \\(cells 0 to 7\\)" run --from "$T/ref" --cell 8
t_label="run --from without --cell"
expect_fail 2 "run: --from DIR needs --cell N" run --from "$T/ref"
t_label="run --from with a table of summaries"
expect_fail 2 "run: --table: 'summary' is not a table of one cell's rows" run --from "$T/ref" --cell 1 --table summary

t_done
