#!/bin/sh
# data.sh - datasets from the command line: `satbench data shapeset` contact
# sheets (size, determinism, refusals, write failures), `run` and `grid` on
# shapeset, csv: and idx: data end to end (sizes taken from the data,
# --input-scale, gzip), malformed files refused with exit 2 and their file
# and line or byte offset before anything is written, and the dataset
# digest that keeps --resume from mixing two versions of a file.
# Writes only under ./tests/out in the build directory.

. "${srcdir:-.}/tests/lib.sh"
t_init data

SMALLD="--depths 2 --widths 8 --train-size 40 --test-size 16 --batch 8 --steps 2 --log-every 1"

# bytes N...: the bytes with these decimal values, on stdout.
bytes()
{
  for b in "$@"; do printf "\\$(printf '%03o' "$b")"; done
}

# comment_value FILE KEY: the value of a '# KEY = VALUE' line.
comment_value()
{
  sed -n "s/^# $2 = //p" "$1" | head -n 1
}

# expect_value DESC FILE KEY WANT
expect_value()
{
  ev_got=$(comment_value "$2" "$3")
  if test "$ev_got" = "$4"; then t_pass "$1"; else t_fail "$1" "$3 = '$ev_got', expected '$4'"; fi
}

# rows FILE: the table rows (no comments, no header) of a run's stdout.
rows()
{
  grep -v '^#' "$1" | tail -n +2
}

# ---- satbench data shapeset ------------------------------------------------

sheet="$T/sheet.pgm"
expect_ok "data shapeset --out FILE --count 18 --seed 3 exits 0" data shapeset --out "$sheet" --count 18 --seed 3
labels=$(grep -v '^#' "$out" | tr -s ' \n' '  ' | wc -w)
bad_labels=$(grep -v '^#' "$out" | tr ' ' '\n' | grep -cv '^[0-8]$')
if test "$labels" -eq 18 && test "$bad_labels" -eq 0; then t_pass "stdout lists 18 labels in 0..8"
else t_fail "stdout lists 18 labels in 0..8" "$(cat "$out")"; fi
# ceil(sqrt(18)) = 5 tiles per row, 4 rows, 64-px tiles with 1-px frames.
hdr=$(head -n 4 "$sheet" | sed -n '1p;3p;4p' | tr '\n' ' ')
hbytes=$(head -n 4 "$sheet" | wc -c)
size=$(wc -c <"$sheet")
if test "$hdr" = "P5 326 261 255 " && test "$size" -eq $((hbytes + 326 * 261)); then
  t_pass "the sheet is a 326 x 261 binary PGM of exactly that many bytes"
else
  t_fail "the sheet is a 326 x 261 binary PGM of exactly that many bytes" "header '$hdr', $size bytes, header $hbytes"
fi
sb data shapeset --out "$T/sheet2.pgm" --count=18 --seed=3
if test "$rc" -eq 0 && cmp -s "$sheet" "$T/sheet2.pgm"; then t_pass "the same seed draws the same sheet"
else t_fail "the same seed draws the same sheet" "exit $rc"; fi
sb data shapeset --out "$T/sheet3.pgm" --count 18 --seed 4
if test "$rc" -eq 0 && ! cmp -s "$sheet" "$T/sheet3.pgm"; then t_pass "another seed draws another sheet"
else t_fail "another seed draws another sheet" "exit $rc"; fi
expect_ok "data shapeset --help exits 0" data shapeset --help

expect_fail 1 "$T/no/such/dir/x.pgm" data shapeset --out "$T/no/such/dir/x.pgm"

# The sheet is written beside its name and renamed over it: a write that
# fails (here over ulimit -f) keeps the previous sheet byte for byte and
# leaves no temporary file; it once truncated the sheet and wrote half.
mkdir "$T/keep"
cp "$sheet" "$T/keep/sheet.pgm"
(ulimit -f 8; exec "$SATBENCH" data shapeset --out "$T/keep/sheet.pgm" --count 100 --zoom 4 --seed 5) >"$out" 2>"$err"
rc=$?
if test "$rc" -eq 1 && grep -q "^satbench: writing $T/keep/sheet.pgm: File too large$" "$err" &&
   cmp -s "$sheet" "$T/keep/sheet.pgm" && test "$(ls "$T/keep")" = sheet.pgm; then
  t_pass "a sheet over ulimit -f: exit 1 naming it, the previous sheet byte-identical, no temporary left"
else
  t_fail "a sheet over ulimit -f: exit 1 naming it, the previous sheet byte-identical, no temporary left" \
    "exit $rc: $(cat "$err")" "$(ls -l "$T/keep")"
fi
sb data shapeset --out "$T/keep/sheet.pgm" --count 18 --seed 4
if test "$rc" -eq 0 && cmp -s "$T/sheet3.pgm" "$T/keep/sheet.pgm" && test "$(ls "$T/keep")" = sheet.pgm; then
  t_pass "a sheet written over another: the new one whole, no temporary left"
else t_fail "a sheet written over another: the new one whole, no temporary left" "exit $rc: $(cat "$err")"; fi
# What cannot be replaced whole is refused before anything is written: a
# device, a directory, a symbolic link (/dev/stdout is one; a link planted
# in a shared folder would be another), a FIFO (which blocked the write).
# The FIFO's guard is no synchronisation: the refusal is immediate.
if command -v timeout >/dev/null 2>&1; then GUARD="timeout 120"; else GUARD=; fi
ln -s "$T/keep/sheet.pgm" "$T/link.pgm"
mkfifo "$T/fifo.pgm"
for f in /dev/full "$T/keep" "$T/link.pgm" "$T/fifo.pgm"; do
  case $f in
    /dev/full) what="a device" ;; "$T/keep") what="a directory" ;; "$T/link.pgm") what="a symbolic link" ;; *) what="a FIFO" ;;
  esac
  $GUARD "$SATBENCH" data shapeset --out "$f" --count 4 >"$out" 2>"$err" </dev/null
  rc=$?
  if test "$rc" -eq 2 && test "$(lines "$err")" -eq 1 &&
     grep -q "^satbench: data: --out: $f: $what, not a regular file" "$err" && test ! -s "$out" &&
     cmp -s "$T/sheet3.pgm" "$T/keep/sheet.pgm" && test "$(ls "$T/keep")" = sheet.pgm; then
    t_pass "data shapeset --out $what: refused (exit 2) naming it, nothing written"
  else t_fail "data shapeset --out $what: refused (exit 2) naming it, nothing written" "exit $rc: $(cat "$err")"; fi
done
expect_fail 2 "data: .*shapeset" data
expect_fail 2 "data: .*'gaussian'" data gaussian --out "$T/g.pgm"
expect_fail 2 "data: --out" data shapeset
expect_fail 2 "data: --count.*'0'" data shapeset --out "$T/c0.pgm" --count 0
expect_fail 2 "data: --count.*'12x'" data shapeset --out "$T/c0.pgm" --count 12x
expect_fail 2 "data: --zoom.*'17'" data shapeset --out "$T/c0.pgm" --zoom 17
expect_fail 2 "data: --colour.*unknown" data shapeset --out "$T/c0.pgm" --colour 3
expect_fail 2 "data: --seed.*needs a value" data shapeset --out "$T/c0.pgm" --seed
if test -e "$T/g.pgm" || test -e "$T/c0.pgm"; then t_fail "refused data commands write no file"
else t_pass "refused data commands write no file"; fi

# ---- the list ----------------------------------------------------------------

expect_ok "list datasets exits 0" list datasets
missing=
for n in gaussian mixture spirals shapeset idx:PATH csv:PATH; do
  grep -q "^$n[[:space:]]" "$out" || missing="$missing $n"
done
if test -z "$missing"; then t_pass "list datasets names shapeset, idx:PATH and csv:PATH too"
else t_fail "list datasets names shapeset, idx:PATH and csv:PATH too" "missing:$missing"; fi

# ---- shapeset runs --------------------------------------------------------------

expect_ok "run --dataset shapeset" run $SMALLD --dataset shapeset
expect_value "shapeset sets input-dim 1024 over the preset's" "$out" input-dim 1024
expect_value "shapeset sets classes 9 over the preset's" "$out" classes 9
expect_value "shapeset scales unit by default" "$out" input-scale unit
expect_fail 2 "--input-dim.*shapeset.*1024.*32" run $SMALLD --dataset shapeset --input-dim 32
expect_fail 2 "--classes.*shapeset.*9.*10" run $SMALLD --dataset shapeset --classes 10
expect_ok "run --dataset shapeset --input-dim 1024 --classes 9 (agreeing)" run $SMALLD --dataset shapeset \
  --input-dim 1024 --classes 9

# ---- csv: ------------------------------------------------------------------------

csv="$T/small.csv"
awk 'BEGIN { print "label,a,b,c"; print "# 60 rows"
             for (i = 0; i < 60; i++) printf "%d,%.6f,%.6f,%d\n", i % 3, sin(i), cos(i) * (i % 3), i }' >"$csv"
expect_ok "run --dataset csv:FILE" run $SMALLD --dataset "csv:$csv"
csv_run=$out
expect_value "the header names the csv file" "$out" dataset "csv:$csv"
expect_value "csv: input-dim from the file" "$out" input-dim 3
expect_value "csv: classes from the labels" "$out" classes 3
expect_value "csv: standard scaling by default" "$out" input-scale standard
if grep -Eq '^# dataset-digest = fnv1a64:[0-9a-f]{16}$' "$out"; then t_pass "the header carries the file's digest"
else t_fail "the header carries the file's digest" "$(grep dataset "$out")"; fi
expect_ok "run --dataset csv:FILE --input-scale none" run $SMALLD --dataset "csv:$csv" --input-scale none
if test "$(rows "$out")" != "$(rows "$csv_run")"; then t_pass "--input-scale none trains on other inputs"
else t_fail "--input-scale none trains on other inputs"; fi
expect_fail 2 "--input-scale.*'bogus'" run $SMALLD --dataset "csv:$csv" --input-scale bogus
expect_fail 2 "--input-dim: $csv:1: 3 features per row.*4" run $SMALLD --dataset "csv:$csv" --input-dim 4
expect_fail 2 "--train-size.*$csv.*60 examples" run $SMALLD --dataset "csv:$csv" --train-size 50 --test-size 16
expect_fail 2 "$csv:5:.*--classes 2" run $SMALLD --dataset "csv:$csv" --classes 2
conf="$T/csv.conf"
printf 'dataset = csv:%s\ninput_scale = standard\n' "$csv" >"$conf"
expect_ok "dataset = csv:FILE in a config file" run -c "$conf" $SMALLD
if test "$(rows "$out")" = "$(rows "$csv_run")"; then t_pass "... gives the same table"
else t_fail "... gives the same table"; fi

# Malformed CSV files: exit 2, FILE:LINE, nothing on stdout.
printf 'label,a,b\n0,1,2\n1,3\n' >"$T/ragged.csv"
expect_fail 2 "^satbench: --dataset: $T/ragged.csv:3: 2 fields, expected 3" run $SMALLD --dataset "csv:$T/ragged.csv"
printf '0,1,2\n1,2,3\n0,x,3\n' >"$T/word.csv"
expect_fail 2 "$T/word.csv:3: field 2 \('x'\) is not a number" run $SMALLD --dataset "csv:$T/word.csv"
printf '0,1\n1.5,2\n' >"$T/label.csv"
expect_fail 2 "$T/label.csv:2: label '1.5'" run $SMALLD --dataset "csv:$T/label.csv"
: >"$T/empty.csv"
expect_fail 2 "$T/empty.csv:1: empty file" run $SMALLD --dataset "csv:$T/empty.csv"
expect_fail 2 "$T/none.csv: cannot open" run $SMALLD --dataset "csv:$T/none.csv"
expect_fail 2 "--dataset: 'csv:' needs a file" run $SMALLD --dataset csv:

# ---- idx: ------------------------------------------------------------------------

# 60 examples of 2 x 2 unsigned bytes, labels i % 3.
{
  bytes 0 0 8 3 0 0 0 60 0 0 0 2 0 0 0 2
  i=0
  while test $i -lt 60; do
    bytes $((i * 7 % 256)) $((i * 13 % 256)) $(((i % 3) * 80 + i)) $((255 - i))
    i=$((i + 1))
  done
} >"$T/m-images-idx3-ubyte"
{
  bytes 0 0 8 1 0 0 0 60
  i=0
  while test $i -lt 60; do bytes $((i % 3)); i=$((i + 1)); done
} >"$T/m-labels-idx1-ubyte"
expect_ok "run --dataset idx:PREFIX" run $SMALLD --dataset "idx:$T/m"
idx_run=$out
expect_value "idx: input-dim 2 x 2 from the header" "$out" input-dim 4
expect_value "idx: classes from the labels" "$out" classes 3
expect_value "idx: unit scaling by default" "$out" input-scale unit
expect_ok "run --dataset idx:IMAGES,LABELS" run $SMALLD --dataset "idx:$T/m-images-idx3-ubyte,$T/m-labels-idx1-ubyte"
if test "$(rows "$out")" = "$(rows "$idx_run")"; then t_pass "IMAGES,LABELS trains exactly as the prefix"
else t_fail "IMAGES,LABELS trains exactly as the prefix"; fi

if command -v gzip >/dev/null 2>&1; then
  gzip -c "$T/m-images-idx3-ubyte" >"$T/z-images-idx3-ubyte.gz"
  gzip -c "$T/m-labels-idx1-ubyte" >"$T/z-labels-idx1-ubyte.gz"
  sb run $SMALLD --dataset "idx:$T/z"
  if test "$rc" -eq 0 && test "$(rows "$out")" = "$(rows "$idx_run")"; then
    t_pass "gzip'd IDX files train exactly as the plain ones"
  elif test "$rc" -eq 2 && grep -q "without zlib" "$err"; then
    t_pass "gzip'd IDX files are refused by a build without zlib, by name"
  else
    t_fail "gzip'd IDX files: read (zlib) or refused by name (no zlib)" "exit $rc: $(cat "$err")"
  fi
fi

head -c 16 "$T/m-images-idx3-ubyte" >"$T/cut-images-idx3-ubyte"
head -c 100 "$T/m-images-idx3-ubyte" | tail -c 84 >>"$T/cut-images-idx3-ubyte"
cp "$T/m-labels-idx1-ubyte" "$T/cut-labels-idx1-ubyte"
expect_fail 2 "$T/cut-images-idx3-ubyte: byte 100: truncated" run $SMALLD --dataset "idx:$T/cut"
{ bytes 0 1 8 3; tail -c +5 "$T/m-images-idx3-ubyte"; } >"$T/magic-images-idx3-ubyte"
cp "$T/m-labels-idx1-ubyte" "$T/magic-labels-idx1-ubyte"
expect_fail 2 "$T/magic-images-idx3-ubyte: byte 0: wrong magic" run $SMALLD --dataset "idx:$T/magic"
{ bytes 0 0 8 1 0 0 0 59; tail -c +9 "$T/m-labels-idx1-ubyte" | head -c 59; } >"$T/few-labels-idx1-ubyte"
cp "$T/m-images-idx3-ubyte" "$T/few-images-idx3-ubyte"
expect_fail 2 "few-images-idx3-ubyte: byte 4: 60 examples.*few-labels-idx1-ubyte: byte 4: 59 labels" \
  run $SMALLD --dataset "idx:$T/few"
expect_fail 2 "idx:$T/nothing: no IDX files" run $SMALLD --dataset "idx:$T/nothing"

# ---- grid ------------------------------------------------------------------------

TINYD="--optimizers sgd --log-schedule linear --activations tanh --inits standard,he_normal --depths 2 --widths 8 --seeds 2 --train-size 40
       --test-size 16 --batch 8 --steps 4 --log-every 2 --quiet --threads 2"
sb grid $TINYD --dataset "csv:$csv" --out "$T/g"
if test "$rc" -eq 0 && test -s "$T/g/cells.tsv" && grep -q '^# dataset-digest = fnv1a64:' "$T/g/cells.tsv"; then
  t_pass "grid --dataset csv:FILE writes tables with the file's digest"
else
  t_fail "grid --dataset csv:FILE writes tables with the file's digest" "exit $rc: $(cat "$err")"
fi
sb grid -c "$T/g/records/config.txt" --out "$T/g-again" --quiet --threads 1
if test "$rc" -eq 0 && cmp -s "$T/g/cells.tsv" "$T/g-again/cells.tsv" && cmp -s "$T/g/layers.tsv" "$T/g-again/layers.tsv"
then t_pass "records/config.txt, given back with -c, reproduces the tables byte for byte"
else t_fail "records/config.txt, given back with -c, reproduces the tables byte for byte" "exit $rc: $(cat "$err")"; fi

for bad in ragged.csv word.csv empty.csv none.csv; do
  t_label="grid --dataset csv:$bad"
  expect_fail 2 "$T/$bad" grid $TINYD --dataset "csv:$T/$bad" --out "$T/gbad"
done
t_label="grid --dataset idx:cut"
expect_fail 2 "byte 100: truncated" grid $TINYD --dataset "idx:$T/cut" --out "$T/gbad"
if test -e "$T/gbad"; then t_fail "a grid on a malformed file creates no --out"
else t_pass "a grid on a malformed file creates no --out"; fi

cp "$csv" "$T/moving.csv"
sb grid $TINYD --dataset "csv:$T/moving.csv" --out "$T/gm"
test "$rc" -eq 0 || t_fail "grid on a copy of the csv exits 0" "exit $rc: $(cat "$err")"
echo "2,0.5,0.5,99" >>"$T/moving.csv"
expect_fail 2 "--resume: .*different configuration.*dataset-digest" grid $TINYD --dataset "csv:$T/moving.csv" \
  --out "$T/gm" --resume
printf 'dataset-digest = fnv1a64:0123456789abcdef\n' >"$T/pin.conf"
expect_fail 2 "--dataset-digest: $csv holds other data" run -c "$T/pin.conf" $SMALLD --dataset "csv:$csv"

t_done
