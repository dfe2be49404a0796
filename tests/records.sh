# records.sh - what becomes of records/cell-*.rec: a complete merge (the
# end of a grid, satbench merge) removes them once its tables and manifest
# are in place, unless --keep-records (an option and a config key that
# changes no table and not the grid's fingerprint); an incomplete grid,
# an interrupted one, shards and an incomplete merge keep them, and
# --resume then finishes and removes them; --from's source folders keep
# theirs.  A folder whose records were removed has nothing to resume or
# merge: exit 0 saying so while its tables match their manifest, exit 2
# naming the table and writing nothing when one does not.
. "$srcdir/tests/lib.sh"
t_init records

TINY="--optimizers sgd --log-schedule linear --activations tanh,relu --inits standard --depths 2,3 --widths 8 --seeds 2
      --train-size 128 --test-size 32 --batch 8 --input-dim 4 --classes 3 --steps 10 --log-every 5"
NTINY=8
TABLES="cells.tsv layers.tsv summary.tsv hist.tsv curves.tsv curves_summary.tsv"   # no spectra.tsv: no --jacobian here
records() { ls "$1/records" 2>/dev/null | grep -c '\.rec$'; }
same_tables()  # DIR_A DIR_B: nothing printed when every table is byte-identical
{
  for t_f in $TABLES; do cmp -s "$1/$t_f" "$2/$t_f" || echo "$t_f differs"; done
}
# snapshot DIR COPY: the folder's files as they are now, for a later cmp
snapshot() { rm -rf "$2"; cp -r "$1" "$2"; }
unchanged()  # DIR COPY: nothing printed when no file of DIR changed
{
  for t_f in $TABLES manifest.json records/config.txt; do
    test -e "$2/$t_f" || continue
    cmp -s "$1/$t_f" "$2/$t_f" || echo "$t_f changed"
  done
  test "$(records "$1")" -eq "$(records "$2")" || echo "records: $(records "$2") before, $(records "$1") now"
}

# -- a complete grid removes its records; --keep-records keeps them ------------
sb grid $TINY --out "$T/plain"
test "$rc" -eq 0 && test "$(records "$T/plain")" -eq 0 && test -s "$T/plain/records/config.txt" && test -e "$T/plain/records/lock" &&
  grep -q '"records_kept": false' "$T/plain/manifest.json" &&
  grep -q "removed the $NTINY cell records from .*/plain/records (--keep-records keeps them)" "$err" &&
  t_pass "a complete grid removes its $NTINY records, keeps records/config.txt and the lock, and says so" ||
  t_fail "a complete grid removes its records" "exit $rc, $(records "$T/plain") records: $(cat "$err")" "$(ls "$T/plain/records")"
sb grid $TINY --out "$T/kept" --keep-records
test "$rc" -eq 0 && test "$(records "$T/kept")" -eq $NTINY && grep -q '"records_kept": true' "$T/kept/manifest.json" &&
  ! grep -q 'removed the' "$err" && t_pass "grid --keep-records keeps every record, and the manifest says so" ||
  t_fail "grid --keep-records keeps every record" "exit $rc, $(records "$T/kept") records: $(cat "$err")"
why=$(same_tables "$T/plain" "$T/kept")
test -z "$why" && t_pass "tables byte-identical with and without --keep-records (cmp)" ||
  t_fail "tables byte-identical with and without --keep-records" "$why"
cmp -s "$T/plain/records/config.txt" "$T/kept/records/config.txt" &&
  grep -q "^# config = fnv1a64:$(grep '^# config = ' "$T/kept/records/cell-000000.rec" | sed 's/.*fnv1a64://')\$" "$T/kept/records/cell-000001.rec" &&
  t_pass "--keep-records is not part of the configuration (config.txt identical)" ||
  t_fail "--keep-records is not part of the configuration" "$(diff "$T/plain/records/config.txt" "$T/kept/records/config.txt")"
printf 'keep-records = true\n' > "$T/keep.cfg"
sb grid $TINY -c "$T/keep.cfg" --out "$T/cfgkept" --quiet
test "$rc" -eq 0 && test "$(records "$T/cfgkept")" -eq $NTINY && test -z "$(same_tables "$T/plain" "$T/cfgkept")" &&
  t_pass "keep-records = true in a config file keeps them too, same tables" ||
  t_fail "keep-records = true in a config file keeps them" "exit $rc, $(records "$T/cfgkept") records: $(cat "$err")"
sb grid $TINY -c "$T/keep.cfg" --keep-records=false --out "$T/cfgoff" --quiet
test "$rc" -eq 0 && test "$(records "$T/cfgoff")" -eq 0 && t_pass "--keep-records=false on the command line overrides the file" ||
  t_fail "--keep-records=false overrides the file" "exit $rc, $(records "$T/cfgoff") records: $(cat "$err")"
# plot takes a folder without records: the tables are the results.
sb plot -d "$T/plain" -o "$T/plain-plots" --no-render --only heatmap
test "$rc" -eq 0 && t_pass "plot draws a grid whose records were removed" || t_fail "plot draws a grid whose records were removed" "exit $rc: $(cat "$err")"
sb run --from "$T/plain" --cell 5 --table cells
test "$rc" -eq 0 && grep -q "byte-identical" "$err" && t_pass "run --from DIR --cell 5 still checks its rows (records/config.txt stays)" ||
  t_fail "run --from DIR --cell 5 on a grid whose records were removed" "exit $rc: $(cat "$err")"

# -- a folder whose records were removed: nothing to resume, nothing to merge -------------
snapshot "$T/plain" "$T/plain.before"
sb grid $TINY --out "$T/plain" --resume
test "$rc" -eq 0 && grep -q "^nothing to do: the tables in .*/plain/ are complete ($NTINY of $NTINY cells) and match manifest.json; the records were removed after the merge that wrote them (--keep-records keeps them)" "$out" &&
  test -z "$(unchanged "$T/plain" "$T/plain.before")" &&
  t_pass "grid --resume of it: exit 0, nothing to do, nothing run or written" ||
  t_fail "grid --resume of a folder whose records were removed" "exit $rc: $(cat "$out" "$err")" "$(unchanged "$T/plain" "$T/plain.before")"
sb merge --out "$T/plain"
test "$rc" -eq 0 && grep -q "^nothing to merge: the tables in .*/plain/ are complete ($NTINY of $NTINY cells) and match manifest.json; the records were removed after the merge that wrote them (--keep-records keeps them); nothing was written" "$out" &&
  test -z "$(unchanged "$T/plain" "$T/plain.before")" &&
  t_pass "merge of it: exit 0, nothing to merge, nothing written" ||
  t_fail "merge of a folder whose records were removed" "exit $rc: $(cat "$out" "$err")" "$(unchanged "$T/plain" "$T/plain.before")"
sb grid $TINY --out "$T/plain" --shard 1/2
test "$rc" -eq 0 && grep -q "^shard 1/2: nothing to do: the tables in .*/plain/ are complete" "$out" &&
  test -z "$(unchanged "$T/plain" "$T/plain.before")" &&
  t_pass "a shard of it: exit 0, nothing to do, no record written" ||
  t_fail "a shard of a folder whose records were removed" "exit $rc: $(cat "$out" "$err")" "$(unchanged "$T/plain" "$T/plain.before")"
sb grid $TINY --steps 11 --quiet --out "$T/other"
t_label="merge --from another grid into it"
expect_fail 2 "^satbench: --from: .* is another grid than .*differs in: steps" merge --out "$T/plain" --from "$T/other"
# A table changed after the merge: nothing can rebuild it, and both say so.
awk '/^#/ || !n++ { print; next } { print; exit }' "$T/plain.before/layers.tsv" > "$T/plain/layers.tsv"
snapshot "$T/plain" "$T/plain.edited"
t_label="merge of it with layers.tsv cut"
expect_fail 2 "^satbench: merge: .*/plain/layers.tsv does not match manifest.json \\([0-9]+ bytes, [0-9]+ expected\\): it was changed after the merge; its records were removed after that merge \\(--keep-records keeps them\\), so nothing can rebuild it, and nothing was written: run the grid again, into a new --out" \
  merge --out "$T/plain"
test -z "$(unchanged "$T/plain" "$T/plain.edited")" && t_pass "that refused merge wrote nothing" ||
  t_fail "that refused merge wrote nothing" "$(unchanged "$T/plain" "$T/plain.edited")"
t_label="grid --resume of it with layers.tsv cut"
expect_fail 2 "^satbench: --resume: .*/plain/layers.tsv does not match manifest.json .*records were removed after that merge" \
  grid $TINY --out "$T/plain" --resume
test -z "$(unchanged "$T/plain" "$T/plain.edited")" && t_pass "that refused --resume ran and wrote nothing" ||
  t_fail "that refused --resume ran and wrote nothing" "$(unchanged "$T/plain" "$T/plain.edited")"
rm "$T/plain/manifest.json" "$T/plain/layers.tsv"
t_label="merge of it with the manifest gone"
expect_fail 1 "^satbench: merge: $NTINY of $NTINY cells of .*/plain have no complete record" merge --out "$T/plain"

# -- an interrupted grid keeps its records; --resume finishes and removes them ------------
LONG="--optimizers sgd --log-schedule linear --activations tanh,relu --inits standard,he_normal --depths 2,6 --widths 32 --seeds 3
      --train-size 512 --test-size 64 --batch 16 --input-dim 8 --classes 3 --steps 3000 --log-every 100 --quiet"
NLONG=24
sb grid $LONG --threads 2 --out "$T/full"
d="$T/cut"
# held after its fourth record (stop.h's hold point) and sent SIGINT there
hold_start record-4 "$d.out" "$d.err" grid $LONG --threads 2 --out "$d"
test "$held" = 1 && kill -INT "$held_pid"
hold_release
hold_end
st=$rc
saved=$(records "$d")
if test "$st" -eq 130; then
  test "$saved" -ge 4 && test "$saved" -lt $NLONG && grep -q '"complete": false' "$d/manifest.json" &&
    grep -q '"records_kept": true' "$d/manifest.json" &&
    t_pass "SIGINT mid-grid: its $saved records are kept, the manifest says so" ||
    t_fail "SIGINT mid-grid: its records are kept" "$saved records: $(cat "$d.err")"
  sb grid $LONG --threads 2 --out "$d" --resume
  why=$(same_tables "$T/full" "$d")
  test "$rc" -eq 0 && test -z "$why" && test "$(records "$d")" -eq 0 && grep -q '"records_kept": false' "$d/manifest.json" &&
    t_pass "then --resume completes the grid (tables equal an uninterrupted run) and removes the records" ||
    t_fail "then --resume completes the grid and removes the records" "exit $rc, $(records "$d") records: $(cat "$err")" "$why"
else
  t_skip "SIGINT mid-grid: its records are kept" "the grid finished first (exit $st)"
  t_skip "then --resume completes the grid and removes the records" "the grid finished first"
fi

# -- shards keep their records; the merge removes them, never --from's -------------------
for k in 0 1; do sb grid $TINY --quiet --threads 1 --shard $k/2 --out "$T/sh"; done
n_sh=$(records "$T/sh")
test "$n_sh" -eq $NTINY && test ! -e "$T/sh/cells.tsv" && t_pass "shards write and keep their records ($n_sh)" ||
  t_fail "shards write and keep their records" "$n_sh records" "$(ls "$T/sh")"
snapshot "$T/sh" "$T/sh-keep"
sb merge --out "$T/sh" --quiet
why=$(same_tables "$T/plain.before" "$T/sh")
test "$rc" -eq 0 && test -z "$why" && test "$(records "$T/sh")" -eq 0 &&
  t_pass "a complete merge of the shards removes the records; tables equal the one-process run (cmp)" ||
  t_fail "a complete merge of the shards removes the records" "exit $rc, $(records "$T/sh") records: $(cat "$err")" "$why"
sb merge --out "$T/sh-keep" --quiet --keep-records
why=$(same_tables "$T/plain.before" "$T/sh-keep")
test "$rc" -eq 0 && test -z "$why" && test "$(records "$T/sh-keep")" -eq $NTINY &&
  t_pass "merge --keep-records keeps them; the same tables (cmp)" ||
  t_fail "merge --keep-records keeps them" "exit $rc, $(records "$T/sh-keep") records: $(cat "$err")" "$why"
sb grid $TINY --quiet --threads 1 --shard 0/2 --out "$T/half"
n_half=$(records "$T/half")
sb merge --out "$T/half" --quiet --partial
test "$rc" -eq 0 && test "$n_half" -gt 0 && test "$(records "$T/half")" -eq "$n_half" && grep -q '"records_kept": true' "$T/half/manifest.json" &&
  t_pass "merge --partial of half a grid keeps its $n_half records" ||
  t_fail "merge --partial of half a grid keeps its records" "exit $rc, $(records "$T/half") of $n_half: $(cat "$err")"
sb grid $TINY --quiet --threads 1 --shard 0/2 --out "$T/hostA"
sb grid $TINY --quiet --threads 1 --shard 1/2 --out "$T/hostB"
a=$(records "$T/hostA") b=$(records "$T/hostB")
sb merge --out "$T/gathered" --from "$T/hostA" --from "$T/hostB" --quiet
why=$(same_tables "$T/plain.before" "$T/gathered")
test "$rc" -eq 0 && test -z "$why" && test "$(records "$T/gathered")" -eq 0 && test $((a + b)) -eq $NTINY &&
  test "$(records "$T/hostA")" -eq "$a" && test "$(records "$T/hostB")" -eq "$b" &&
  t_pass "merge --from: the copies are removed, the source folders keep theirs ($a + $b)" ||
  t_fail "merge --from: the copies are removed, the source folders keep theirs" \
    "exit $rc, gathered $(records "$T/gathered"), A $(records "$T/hostA") of $a, B $(records "$T/hostB") of $b: $(cat "$err")" "$why"

# -- a record that cannot be removed is a warning, not a failed merge ---------------------
# (root removes files from a read-only folder: it runs the merge as nobody)
as=
test "$(id -u)" -eq 0 && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1 &&
  as="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
if test "$(id -u)" -ne 0 || test -n "$as"; then
  snapshot "$T/sh-keep" "$T/ro"
  test -n "$as" && chown -R nobody "$T/ro"
  chmod a-w "$T/ro/records"
  $as "$SATBENCH" merge --out "$T/ro" --quiet >"$T/ro.out" 2>"$T/ro.err"
  rc=$?
  chmod u+w "$T/ro/records"
  test "$rc" -eq 0 && grep -q "warning: $NTINY of the $NTINY records could not be removed after the merge (.*cell-000000.rec: Permission denied); the tables in .*/ro/ are complete all the same" "$T/ro.err" &&
    test -z "$(same_tables "$T/plain.before" "$T/ro")" && test "$(records "$T/ro")" -eq $NTINY &&
    t_pass "records that cannot be removed: a warning, exit 0, the tables complete" ||
    t_fail "records that cannot be removed: a warning, exit 0" "exit $rc: $(cat "$T/ro.err")"
  test -n "$as" && chown -R "$(id -u)" "$T/ro"
else
  t_skip "records that cannot be removed: a warning, exit 0" "root, and no setpriv to run as nobody"
fi

t_done
