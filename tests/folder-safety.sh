#!/bin/sh
# folder-safety.sh - a grid's folder as someone else may have left it (a
# shared --out, a folder received from a colleague): satbench never writes
# through a symbolic link or a hard link planted there (the victim stays
# byte for byte), never waits on a FIFO named like a record, the manifest,
# a table or config.txt (each refused by name, exit 2), reads manifest.json
# as JSON (re-indented, reordered, extended: the same; a table gzipped or
# gunzipped since still checks; a value of the wrong type refused naming
# its key), says true things about its lock (the holder the kernel knows,
# a lock removed mid-run with the records intact), and merges a grid
# trained on a CSV file without that file.
# Every command runs under `timeout -k 10 60`, only so that a regression fails
# instead of hanging; no check depends on how long anything takes.
. "${srcdir:-.}/tests/lib.sh"
t_init folder-safety

# Every satbench of this script: a hang is a failure (exit 124), not a stuck suite.
sb()
{
  t_runs=$((t_runs + 1))
  out="$T/$t_runs.out"
  err="$T/$t_runs.err"
  timeout -k 10 60 "$SATBENCH" "$@" >"$out" 2>"$err"
  rc=$?
}

TINY="--optimizers sgd --log-schedule linear --activations tanh --inits standard --depths 2 --widths 8 --seeds 2
      --train-size 128 --test-size 32 --batch 8 --input-dim 4 --classes 3 --steps 10 --log-every 5"
TABLES="cells.tsv layers.tsv summary.tsv hist.tsv curves.tsv curves_summary.tsv"   # no spectra.tsv: no --jacobian here
same_tables()  # DIR_A DIR_B [SUFFIX]: nothing printed when every table is byte-identical
{
  for t_f in $TABLES; do cmp -s "$1/$t_f$3" "$2/$t_f$3" || echo "$t_f$3 differs"; done
}
printf 'precious bytes\n' > "$T/victim"
cp "$T/victim" "$T/victim.orig"
victim_intact() { cmp -s "$T/victim" "$T/victim.orig"; }

sb grid $TINY --out "$T/ref" --keep-records --quiet
test "$rc" -eq 0 || { t_fail "the reference grid" "exit $rc: $(cat "$err")"; t_done; }
host=$(sed -n 's/^pid [0-9]* on //p' "$T/ref/records/lock")

# ---- 1. no write through a link ---------------------------------------------------
# records/lock as a symbolic link to the victim, before a new grid, --resume, a shard, merge.
plant_lock() { rm -rf "$T/s"; cp -r "$T/ref" "$T/s"; rm "$T/s/records/lock"; ln -s "$PWD/$T/victim" "$T/s/records/lock"; }
plant_lock
rm -rf "$T/new"; mkdir -p "$T/new/records"; ln -s "$PWD/$T/victim" "$T/new/records/lock"
for how in grid resume shard merge; do
  case $how in
    grid) set -- grid $TINY --out "$T/new" --quiet; d=new ;;
    resume) set -- grid $TINY --out "$T/s" --resume --quiet; d=s ;;
    shard) set -- grid $TINY --out "$T/s" --shard 1/2 --quiet; d=s ;;
    merge) set -- merge --out "$T/s" --quiet; d=s ;;
  esac
  t_label="$how with records/lock a symbolic link to another file"
  expect_fail 2 "^satbench: --out: .*/$d/records/lock: a symbolic link: refused" "$@"
  victim_intact && test -L "$T/$d/records/lock" && t_pass "$how: the file the link names is untouched" ||
    t_fail "$how: the file the link names is untouched" "$(cat "$T/victim")"
done

# records/lock as a hard link to the victim (same filesystem), and as a FIFO.
plant_lock
rm "$T/s/records/lock"
if ln "$T/victim" "$T/s/records/lock" 2>/dev/null; then
  t_label="merge with records/lock a hard link to another file"
  expect_fail 2 "^satbench: --out: .*/s/records/lock: a file with other hard links: refused" merge --out "$T/s"
  victim_intact && t_pass "merge: the hard-linked file is untouched" || t_fail "merge: the hard-linked file is untouched"
  rm "$T/s/records/lock"
else
  t_skip "merge with records/lock a hard link" "no hard links here"
  t_skip "merge: the hard-linked file is untouched" "no hard links here"
fi
mkfifo "$T/s/records/lock"
t_label="--resume with records/lock a FIFO"
expect_fail 2 "^satbench: --out: .*/s/records/lock: not a regular file" grid $TINY --out "$T/s" --resume

# records/ itself a symbolic link to a directory of someone else's (holding a file named lock).
rm -rf "$T/other" "$T/new"; mkdir -p "$T/other" "$T/new"; cp "$T/victim" "$T/other/lock"
ln -s "$PWD/$T/other" "$T/new/records"
t_label="a new grid whose records/ is a symbolic link"
expect_fail 2 "^satbench: --out: .*/new/records is a symbolic link, not a directory: refused" grid $TINY --out "$T/new"
cmp -s "$T/other/lock" "$T/victim.orig" && test "$(ls "$T/other")" = lock && t_pass "the linked directory is untouched" ||
  t_fail "the linked directory is untouched" "$(ls -l "$T/other")"

# records/config.txt a symbolic link to the victim: a new grid, --resume, merge.
rm -rf "$T/new"; mkdir -p "$T/new/records"; ln -s "$PWD/$T/victim" "$T/new/records/config.txt"
t_label="a new grid with records/config.txt a symbolic link"
expect_fail 2 "^satbench: --out: .*/new/records/config.txt: a symbolic link: refused" grid $TINY --out "$T/new"
t_label="--resume with records/config.txt a symbolic link"
expect_fail 2 "^satbench: --resume: .*/new/records/config.txt: a symbolic link: refused" grid $TINY --out "$T/new" --resume
t_label="merge with records/config.txt a symbolic link"
expect_fail 2 "^satbench: merge: .*/new/records/config.txt: a symbolic link: refused" merge --out "$T/new"
victim_intact && t_pass "config.txt: the file the link names is untouched" || t_fail "config.txt: the file the link names is untouched"

# A record a symbolic link: refused by name; tables and the manifest links: replaced, never written through.
rm -rf "$T/s"; cp -r "$T/ref" "$T/s"
rm "$T/s/records/cell-000001.rec"; ln -s "$PWD/$T/ref/records/cell-000001.rec" "$T/s/records/cell-000001.rec"
t_label="--resume with a record a symbolic link"
expect_fail 2 "^satbench: .*/s/records/cell-000001.rec: a symbolic link: refused" grid $TINY --out "$T/s" --resume
rm "$T/s/records/cell-000001.rec"; cp "$T/ref/records/cell-000001.rec" "$T/s/records/"
for f in cells.tsv manifest.json; do rm "$T/s/$f"; ln -s "$PWD/$T/victim" "$T/s/$f"; done
sb merge --out "$T/s" --keep-records --quiet
test "$rc" -eq 0 && victim_intact && test ! -L "$T/s/cells.tsv" && test ! -L "$T/s/manifest.json" &&
  test -z "$(same_tables "$T/s" "$T/ref")" && t_pass "merge replaces links at cells.tsv and manifest.json, never writes through them" ||
  t_fail "merge replaces links at cells.tsv and manifest.json, never writes through them" "exit $rc: $(cat "$err")"

# ---- 2. no wait on a FIFO -------------------------------------------------------------
rm -rf "$T/f"; cp -r "$T/ref" "$T/f"
rm "$T/f/records/cell-000001.rec"; mkfifo "$T/f/records/cell-000001.rec"
t_label="merge with a FIFO as a record"
expect_fail 2 "^satbench: .*/f/records/cell-000001.rec: not a regular file" merge --out "$T/f"
t_label="--resume with a FIFO as a record"
expect_fail 2 "^satbench: .*/f/records/cell-000001.rec: not a regular file" grid $TINY --out "$T/f" --resume
# A device (a copy of /dev/null: makes it only as root) is refused the same way.
rm "$T/f/records/cell-000001.rec"
if mknod "$T/f/records/cell-000001.rec" c 1 3 2>/dev/null; then
  t_label="merge with a character device as a record"
  expect_fail 2 "^satbench: .*/f/records/cell-000001.rec: not a regular file" merge --out "$T/f"
  rm "$T/f/records/cell-000001.rec"
else
  t_skip "merge with a character device as a record" "mknod needs root"
fi
cp "$T/ref/records/cell-000001.rec" "$T/f/records/"
rm "$T/f/records/config.txt"; mkfifo "$T/f/records/config.txt"
t_label="merge with a FIFO as records/config.txt"
expect_fail 2 "^satbench: merge: .*/f/records/config.txt: not a regular file" merge --out "$T/f"
t_label="--resume with a FIFO as records/config.txt"
expect_fail 2 "^satbench: --resume: .*/f/records/config.txt: not a regular file" grid $TINY --out "$T/f" --resume
rm "$T/f/records/config.txt"; cp "$T/ref/records/config.txt" "$T/f/records/"
# The manifest and a table: plot checks the set; a folder whose records were
# removed (--resume, merge) checks its tables against the manifest.
sb grid $TINY --out "$T/c" --quiet
test "$rc" -eq 0 && test -z "$(ls "$T/c/records" | grep '\.rec$')" && t_pass "a grid whose records were removed" ||
  t_fail "a grid whose records were removed" "exit $rc: $(cat "$err")"
for what in manifest.json layers.tsv; do
  mv "$T/c/$what" "$T/c/$what.keep"; mkfifo "$T/c/$what"
  t_label="plot with a FIFO as $what"
  expect_fail 2 "^satbench: .*/c/$what.*not a regular file" plot -d "$T/c" -o "$T/c-plots" --no-render
  t_label="--resume with a FIFO as $what"
  expect_fail 2 "^satbench: .*/c/$what.*not a regular file" grid $TINY --out "$T/c" --resume
  t_label="merge with a FIFO as $what"
  expect_fail 2 "^satbench: .*/c/$what.*not a regular file" merge --out "$T/c"
  if test "$what" = layers.tsv; then   # run --from prints the cell's rows, then compares them with the table
    sb run --from "$T/c" --cell 1
    test "$rc" -eq 2 && test -s "$out" && grep -q "^satbench: .*/c/layers.tsv: not a regular file" "$err" &&
      t_pass "run --from with a FIFO as layers.tsv: exit 2 naming it" ||
      t_fail "run --from with a FIFO as layers.tsv: exit 2 naming it" "exit $rc: $(cat "$err")"
  fi
  rm "$T/c/$what"; mv "$T/c/$what.keep" "$T/c/$what"
done

# ---- 3. manifest.json is JSON ------------------------------------------------------------
sb grid $TINY --out "$T/z" --compress --quiet
z_ok=$rc   # 0 when this build writes and reads gzip
rm -rf "$T/c0" "$T/z0"; cp -r "$T/c" "$T/c0"; test "$z_ok" -ne 0 || cp -r "$T/z" "$T/z0"
# takes D WHAT: plot, grid --resume and merge each take the complete grid
# in $T/D ("plot takes WHAT (D)", then "--resume takes it", "merge takes it").
takes()
{
  sb plot -d "$T/$1" -o "$T/$1-plots" --no-render
  test "$rc" -eq 0 && t_pass "plot takes $2 ($1)" || t_fail "plot takes $2 ($1)" "exit $rc: $(cat "$err")"
  sb grid $TINY --out "$T/$1" --resume
  test "$rc" -eq 0 && grep -q "^nothing to do: the tables in .*/$1/ are complete" "$out" &&
    t_pass "--resume takes it ($1)" || t_fail "--resume takes it ($1)" "exit $rc: $(cat "$err")"
  sb merge --out "$T/$1"
  test "$rc" -eq 0 && grep -q "^nothing to merge: the tables in .*/$1/ are complete" "$out" &&
    t_pass "merge takes it ($1)" || t_fail "merge takes it ($1)" "exit $rc: $(cat "$err")"
}

if command -v python3 >/dev/null 2>&1; then
  # Re-indented, its keys in reverse order, a key added at the top and in a table's entry.
  for d in c z; do
    python3 - "$T/$d/manifest.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["added_by_a_colleague"] = {"note": [1, 2.5, None]}
for v in m["files"].values(): v["comment"] = "checked"
json.dump(dict(reversed(list(m.items()))), open(sys.argv[1], "w"), indent=5, sort_keys=False)
EOF
  done
  for d in c z; do takes "$d" "a re-indented, reordered, extended manifest"; done
  # As a colleague's tools rewrite it: python3 -m json.tool (keys sorted,
  # another indentation), jq (a key added, one line): still the manifest of
  # complete tables, and still checked against them.
  python3 -m json.tool --sort-keys "$T/c/manifest.json" > "$T/m.json" && mv "$T/m.json" "$T/c/manifest.json"
  sb grid $TINY --out "$T/c" --resume
  test "$rc" -eq 0 && grep -q "^nothing to do: the tables in .*/c/ are complete" "$out" &&
    t_pass "--resume takes a manifest rewritten by python3 -m json.tool --sort-keys" ||
    t_fail "--resume takes a manifest rewritten by python3 -m json.tool --sort-keys" "exit $rc: $(cat "$out" "$err")"
  cp "$T/c/layers.tsv" "$T/c-layers.tsv"; echo 'x' >> "$T/c/layers.tsv"
  t_label="plot with that manifest and layers.tsv changed"
  expect_fail 2 "^satbench: .*/c/layers.tsv does not match manifest.json" plot -d "$T/c" -o "$T/c-plots" --no-render
  mv "$T/c-layers.tsv" "$T/c/layers.tsv"
  if command -v jq >/dev/null 2>&1; then
    jq -c '. + {"reviewed_by": "jq"}' "$T/c/manifest.json" > "$T/m.json" && mv "$T/m.json" "$T/c/manifest.json"
    sb merge --out "$T/c"
    test "$rc" -eq 0 && grep -q "^nothing to merge: the tables in .*/c/ are complete" "$out" &&
      t_pass "merge takes a manifest rewritten by jq with a key added" ||
      t_fail "merge takes a manifest rewritten by jq with a key added" "exit $rc: $(cat "$err")"
  else
    t_skip "merge takes a manifest rewritten by jq with a key added" "no jq"
  fi
  cp "$T/c/manifest.json" "$T/c-manifest.json"
  # A value of the wrong type, or missing: refused naming the key.
  python3 - "$T/c/manifest.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1])); m["files"]["hist.tsv"]["bytes"] = "16734"; json.dump(m, open(sys.argv[1], "w"))
EOF
  t_label="plot with a size that is a string"
  expect_fail 2 "^satbench: .*/c/manifest.json: \"files\": \"hist.tsv\": \"bytes\" is of another type" plot -d "$T/c" -o "$T/c-plots" --no-render
  cp "$T/c-manifest.json" "$T/c/manifest.json"
  python3 - "$T/c/manifest.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1])); del m["files"]["hist.tsv"]["fnv1a64"]; json.dump(m, open(sys.argv[1], "w"))
EOF
  t_label="merge with a checksum missing"
  expect_fail 2 "^satbench: merge: .*/c/manifest.json: \"files\": \"hist.tsv\": \"fnv1a64\" is missing" merge --out "$T/c"
  t_label="--resume with a checksum missing"
  expect_fail 2 "^satbench: --resume: .*/c/manifest.json: \"files\": \"hist.tsv\": \"fnv1a64\" is missing" grid $TINY --out "$T/c" --resume
  python3 - "$T/c/manifest.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1])); del m["files"]; json.dump(m, open(sys.argv[1], "w"))
EOF
  t_label="plot with no files key"
  expect_fail 2 "^satbench: .*/c/manifest.json: \"files\" is missing, not an object" plot -d "$T/c" -o "$T/c-plots" --no-render
  cp "$T/c-manifest.json" "$T/c/manifest.json"
  python3 - "$T/c/manifest.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1])); del m["records_kept"]; json.dump(m, open(sys.argv[1], "w"))
EOF
  t_label="--resume with records_kept missing"
  expect_fail 2 "^satbench: --resume: .*/c/manifest.json: \"records_kept\" is missing, not true or false" grid $TINY --out "$T/c" --resume
  cp "$T/c-manifest.json" "$T/c/manifest.json"
else
  t_skip "manifest.json re-indented, reordered and extended" "no python3"
fi
printf '{"files": ' > "$T/bad.json"
rm -rf "$T/j"; cp -r "$T/ref" "$T/j"; cp "$T/bad.json" "$T/j/manifest.json"
t_label="plot with a manifest that is not JSON"
expect_fail 2 "^satbench: .*/j/manifest.json:[0-9]+:[0-9]+: not valid JSON" plot -d "$T/j" -o "$T/j-plots" --no-render

# A table gunzipped (a --compress grid) or gzipped (a plain one) since the
# merge: found under either name, and checked by its text (fresh copies of
# both grids, their records removed by the merge).
if command -v gzip >/dev/null 2>&1 && test "$z_ok" -eq 0; then
  gzip -dc "$T/z0/layers.tsv.gz" > "$T/z-layers.tsv"
  cmp -s "$T/z-layers.tsv" "$T/c0/layers.tsv" && t_pass "--compress tables are the plain tables, gzipped" ||
    t_fail "--compress tables are the plain tables, gzipped"
  gzip -d "$T/z0/layers.tsv.gz"
  gzip "$T/c0/cells.tsv"
  for d in c0 z0; do takes "$d" "a table gzipped or gunzipped since the merge"; done
  # Changed after it was gunzipped: refused naming the file that is there.
  echo 'x' >> "$T/z0/layers.tsv"
  t_label="plot with a gunzipped table changed"
  expect_fail 2 "^satbench: .*/z0/layers.tsv does not match manifest.json \\([0-9]+ bytes, [0-9]+ expected, as text\\)" \
    plot -d "$T/z0" -o "$T/z-plots" --no-render
else
  t_skip "tables gzipped or gunzipped since the merge" "no gzip, or a satbench without zlib"
fi

# ---- 4. lock messages that are true ---------------------------------------------------------
# Another process holds the lock (flock(1), synchronised on its line), the
# lock file names a stale holder: the message names the holder, never the stale pid.
if command -v flock >/dev/null 2>&1; then
  rm -rf "$T/l"; cp -r "$T/ref" "$T/l"; rm -f "$T/ready" "$T/go"; mkfifo "$T/ready" "$T/go"
  printf 'pid 1 on %s\n' "$host" > "$T/l/records/lock"
  flock -x "$T/l/records/lock" sh -c 'echo holding; read x < "$1"' sh "$T/go" > "$T/ready" &
  holder=$!
  read line < "$T/ready"
  t_label="merge while flock holds the lock, the lock file naming pid 1"
  expect_fail 2 "is in use by another satbench \\(pid $holder on this host\\); wait" merge --out "$T/l"
  printf 'pid %s on %s\n' "$holder" "$host" > "$T/l/records/lock"
  t_label="--resume while flock holds the lock, the lock file naming it"
  expect_fail 2 "is in use by another satbench \\(pid $holder on $host\\); wait" grid $TINY --out "$T/l" --resume
  echo > "$T/go"
  wait $holder
else
  t_skip "the lock's holder named" "no flock(1)"
fi

# records/lock removed while a grid runs: the grid is held at its start
# (its folder and lock made, no cell run: SATBENCH_TEST_HOLD, lib.sh's
# hold_start), the lock removed, and only then let go.
rm -rf "$T/d"
hold_start start "$T/d.out" "$T/d.msg" grid $TINY --out "$T/d"
test "$held" = 1 && grep -q '^pid' "$T/d/records/lock" && t_pass "the grid is held at its start, its lock taken" ||
  t_fail "the grid is held at its start, its lock taken" "held $held, exit $rc"
rm -f "$T/d/records/lock"
hold_release
hold_end
test "$rc" -eq 1 && grep -q "^satbench: --out: .*/d/records/lock was removed while satbench ran, so the folder was no longer locked against another satbench and nothing more was written; its records are intact: 2 of the grid's 2 cells have a complete record in .*/d/records/; write the tables with satbench merge --out" "$T/d.msg" &&
  ! grep -q "lost" "$T/d.msg" && test ! -e "$T/d/cells.tsv" && t_pass "records/lock removed mid-grid: exit 1, saying the records are intact" ||
  t_fail "records/lock removed mid-grid: exit 1, saying the records are intact" "exit $rc: $(cat "$T/d.msg")"
sb merge --out "$T/d" --quiet
test "$rc" -eq 0 && test -z "$(same_tables "$T/d" "$T/ref")" && t_pass "then merge writes the tables, the same bytes" ||
  t_fail "then merge writes the tables, the same bytes" "exit $rc: $(cat "$err") $(same_tables "$T/d" "$T/ref")"

# ---- 5. merge never needs the dataset file -----------------------------------------------------
awk 'BEGIN { s = 7; for (i = 0; i < 200; i++) { line = i % 3;
  for (j = 0; j < 4; j++) { s = (s * 1103515245 + 12345) % 2147483648; line = line "," sprintf("%.3f", s / 2147483648 - 0.5 + (i % 3) * 0.2) }
  print line } }' > "$T/d.csv"
CSV="--optimizers sgd --activations tanh --inits standard --depths 2 --widths 8 --seeds 2 --train-size 128 --test-size 32
     --batch 8 --steps 10 --log-every 5"
mkdir -p "$T/csvrun"
(cd "$T/csvrun" && timeout 60 "$SATBENCH" grid $CSV --dataset csv:../d.csv --out g --keep-records --quiet) >/dev/null 2>"$T/csv.err"
rc=$?
test "$rc" -eq 0 && t_pass "a grid on a CSV dataset" || t_fail "a grid on a CSV dataset" "exit $rc: $(cat "$T/csv.err")"
mkdir -p "$T/csvref"
for t_f in $TABLES; do cp "$T/csvrun/g/$t_f" "$T/csvref/"; rm "$T/csvrun/g/$t_f"; done
mv "$T/d.csv" "$T/d.csv.moved"
mkdir -p "$T/elsewhere"
(cd "$T/elsewhere" && timeout 60 "$SATBENCH" merge --out ../csvrun/g --quiet) >/dev/null 2>"$T/csv.err"
rc=$?
test "$rc" -eq 0 && test -z "$(same_tables "$T/csvrun/g" "$T/csvref")" &&
  t_pass "merge from another directory, the CSV moved away: the same tables" ||
  t_fail "merge from another directory, the CSV moved away: the same tables" "exit $rc: $(cat "$T/csv.err") $(same_tables "$T/csvrun/g" "$T/csvref")"

t_done
