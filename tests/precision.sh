# precision.sh - the precision axis (--precisions, --loss-scales): a grid
# in fp64 unscaled has the tables it had before the axis (no precision or
# loss_scale column, no precision.tsv, no line in its fingerprint), and
# naming the defaults changes no byte; an emulated grid is byte-identical
# across threads and across shards and merge, and `run --from` reprints its
# precision.tsv rows; fp16 without a loss scale flushes a depth-8 sigmoid
# net's early errors to zero (status flushed, the flushed fractions in
# precision.tsv, the measured flush depth where the mean-field prediction
# puts it) while bf16 flushes nothing and a loss scale of 2^16 brings fp16
# back (2^16); a dynamic scale skips steps on overflow and halves, doubles after
# its window, and precision.tsv logs it; bad values are refused with exit
# 2 and nothing written.
. "$srcdir/tests/lib.sh"
t_init precision

# Glorot's `standard` init on sigmoid: each layer shrinks the error about
# 4 times (sigma_w2 1/3 times E[phi'^2] ~ 1/16 ... measured -7.7 decades
# over 10 layers in the default grid), so at depth 8 and batch 128 the
# first layers' errors fall below fp16's smallest subnormal, 2^-24.
BASE="--activations sigmoid --inits standard --depths 8 --widths 32 --seeds 1 --optimizers sgd --lr 0.5 --batch 128
      --steps 120 --log-every 40 --train-size 1024 --test-size 256 --quiet"
EMU="$BASE --precisions fp64,bf16,fp16 --loss-scales 1,65536"

# col FILE NAME: the column number of NAME in FILE's header
col() { grep -v '^#' "$1" | head -n 1 | tr '\t' '\n' | awk -v n="$2" '$0 == n { print NR; exit }'; }
# cell_value DIR PRECISION SCALE COLUMN: cells.tsv's COLUMN of that cell
cell_value()
{
  cp=$(col "$1/cells.tsv" precision) cs=$(col "$1/cells.tsv" loss_scale) cc=$(col "$1/cells.tsv" "$4")
  grep -v '^#' "$1/cells.tsv" | awk -F'\t' -v p="$2" -v s="$3" -v a="$cp" -v b="$cs" -v c="$cc" \
    'NR > 1 && $a == p && $b == s { print $c }'
}

# 1. fp64 unscaled: the tables of before, and the defaults named change nothing.
sb grid $BASE --threads 2 --out "$T/plain"
sb grid $BASE --precisions fp64 --loss-scales 1 --threads 2 --out "$T/named"
ok=1
for f in "$T/plain"/*.tsv; do cmp -s "$f" "$T/named/$(basename "$f")" || { ok=0; echo "# differs: $(basename "$f")"; }; done
test $ok -eq 1 && test "$(cd "$T/plain" && ls *.tsv)" = "$(cd "$T/named" && ls *.tsv)" &&
  t_pass "--precisions fp64 --loss-scales 1 writes the tables of a grid without them, byte for byte" ||
  t_fail "--precisions fp64 --loss-scales 1 writes the tables of a grid without them"
! test -e "$T/plain/precision.tsv" && ! grep -q 'precision\|loss_scale' "$T/plain/cells.tsv" "$T/plain/layers.tsv" &&
  ! grep -q '^precisions\|^loss-scales' "$T/plain/records/config.txt" 2>/dev/null &&
  t_pass "an fp64 grid has no precision.tsv, no precision or loss_scale column and no such line in its configuration" ||
  t_fail "an fp64 grid has no precision.tsv, no precision or loss_scale column" "$(ls "$T/plain")"

# 2. An emulated grid: byte-identical over threads, shards and merge.
sb grid $EMU --threads 1 --out "$T/emu1"
test "$rc" -eq 0 && test -s "$T/emu1/precision.tsv" && t_pass "an emulated grid runs and writes precision.tsv" ||
  t_fail "an emulated grid runs and writes precision.tsv" "exit $rc: $(cat "$err")"
sb grid $EMU --threads 2 --keep-records --out "$T/emu2"
ok=1
for f in "$T/emu1"/*.tsv; do cmp -s "$f" "$T/emu2/$(basename "$f")" || { ok=0; echo "# differs: $(basename "$f")"; }; done
test $ok -eq 1 && t_pass "an emulated grid's tables are byte-identical on 1 and 2 threads" ||
  t_fail "an emulated grid's tables are byte-identical on 1 and 2 threads"
sb grid $EMU --threads 1 --shard 0/2 --out "$T/sh"
sb grid $EMU --threads 1 --shard 1/2 --out "$T/sh"
sb merge --out "$T/sh"
ok=1
for f in "$T/emu1"/*.tsv; do cmp -s "$f" "$T/sh/$(basename "$f")" || { ok=0; echo "# differs: $(basename "$f")"; }; done
test $ok -eq 1 && t_pass "two shards and a merge write the one process's tables, precision.tsv included" ||
  t_fail "two shards and a merge write the one process's tables"
cell=$(cell_value "$T/emu1" fp16 1 cell)
sb run --from "$T/emu2" --cell "$cell" --table precision
grep -v '^#' "$out" | tail -n +2 > "$T/mine.rows"
grep -v '^#' "$T/emu1/precision.tsv" | tail -n +2 | awk -F'\t' -v c="$cell" '$1 == c' > "$T/theirs.rows"
test "$rc" -eq 0 && test -s "$T/mine.rows" && cmp -s "$T/mine.rows" "$T/theirs.rows" &&
  t_pass "run --from DIR --cell N --table precision: the cell's precision.tsv rows, byte for byte" ||
  t_fail "run --from DIR --cell N --table precision" "exit $rc: $(cat "$err")"

# 3. What fp16 does to the gradient, and what a loss scale undoes.
s1=$(cell_value "$T/emu1" fp16 1 status) s2=$(cell_value "$T/emu1" fp16 65536 status)
s3=$(cell_value "$T/emu1" bf16 1 status) s4=$(cell_value "$T/emu1" fp64 1 status)
test "$s1" = flushed && test "$s2" != flushed && test "$s3" != flushed && test "$s4" != flushed &&
  t_pass "fp16 unscaled ends flushed; fp16 at loss scale 2^16, bf16 and fp64 do not ($s2, $s3, $s4)" ||
  t_fail "fp16 unscaled ends flushed; scaled fp16, bf16 and fp64 do not" "fp16/1 $s1, fp16/65536 $s2, bf16 $s3, fp64 $s4"
P="$T/emu1/precision.tsv"
pp=$(col "$P" precision) ps=$(col "$P" loss_scale) pt=$(col "$P" tensor) pf=$(col "$P" flushed_frac)
pst=$(col "$P" step) pl=$(col "$P" layer) pz=$(col "$P" zero_frac)
# every fraction in [0, 1]; bf16's errors lose nothing; fp16 unscaled at step 0 flushes most of layer 1's errors
bad=$(grep -v '^#' "$P" | awk -F'\t' -v z="$pz" 'NR > 1 { for (i = z; i < z + 4; i++) if (!($i >= 0 && $i <= 1)) { print NR ": " $i; exit } }')
test -z "$bad" && t_pass "precision.tsv's fractions all lie in [0, 1]" || t_fail "precision.tsv's fractions all lie in [0, 1]" "$bad"
bf=$(grep -v '^#' "$P" | awk -F'\t' -v p="$pp" -v t="$pt" -v f="$pf" 'NR > 1 && $p == "bf16" && $t == "delta" { s += $f } END { print s + 0 }')
f1=$(grep -v '^#' "$P" | awk -F'\t' -v p="$pp" -v s="$ps" -v t="$pt" -v st="$pst" -v l="$pl" -v z="$pz" \
  'NR > 1 && $p == "fp16" && $s == "1" && $t == "delta" && $st == 0 && $l == 1 { print $z }')
f2=$(grep -v '^#' "$P" | awk -F'\t' -v p="$pp" -v s="$ps" -v t="$pt" -v st="$pst" -v l="$pl" -v z="$pz" \
  'NR > 1 && $p == "fp16" && $s == "65536" && $t == "delta" && $st == 0 && $l == 1 { print $z }')
awk -v bf="$bf" -v a="$f1" -v b="$f2" 'BEGIN { exit !(bf == 0 && a > 0.9 && b < 0.01) }' &&
  t_pass "step 0, layer 1's errors: fp16 unscaled $f1 zero, at scale 2^16 $f2; bf16 flushes none anywhere" ||
  t_fail "step 0, layer 1's errors zero: fp16 unscaled > 0.9, at 2^16 < 0.01; bf16 none" "fp16/1 $f1, fp16/65536 $f2, bf16 sum $bf"
m=$(cell_value "$T/emu1" fp16 1 flush_depth0) p=$(cell_value "$T/emu1" fp16 1 flush_depth_theory)
awk -v m="$m" -v p="$p" 'BEGIN { d = m - p; exit !(m >= 1 && m <= 7 && d <= 1 && d >= -1) }' &&
  t_pass "the flush depth at step 0: measured $m, predicted $p (mean-field profile, top error scale, 2^-25)" ||
  t_fail "the flush depth at step 0: measured and predicted within a layer" "measured $m, predicted $p"

# 4. A dynamic loss scale: with a window of 10 steps it doubles from 2^16
# until dz overflows fp16 (65504), skips that step and halves.
sb grid $BASE --precisions fp16 --loss-scales dynamic --loss-scale-window 10 --out "$T/dyn"
sk=$(cell_value "$T/dyn" fp16 dynamic skipped_steps) se=$(cell_value "$T/dyn" fp16 dynamic loss_scale_end)
awk -v k="$sk" -v e="$se" 'BEGIN { l = log(e) / log(2); exit !(k >= 1 && l == int(l) && l > 16 && l <= 24) }' &&
  t_pass "a dynamic scale grows from 2^16, skips $sk steps on overflow and ends at $se, a power of 2" ||
  t_fail "a dynamic scale grows, skips on overflow, ends a power of 2" "skipped $sk, scale $se: $(cat "$err")"
grep -q '^loss-scale-window = 10$' "$T/dyn/records/config.txt" 2>/dev/null || grep -q '^# loss-scale-window = 10$' "$T/dyn/cells.tsv" &&
  t_pass "the window is part of the grid's configuration" || t_fail "the window is part of the grid's configuration"

# 5. Bad values.
t_label="grid --precisions fp12"
expect_fail 2 "^satbench: --precisions: unknown precision 'fp12' \(valid: fp64, fp32, bf16, fp16, fp8e5m2, fp8e4m3\)$" grid $BASE --precisions fp12 --out "$T/bad"
t_label="grid --precisions fp16,fp16"
expect_fail 2 "^satbench: --precisions: 'fp16' appears twice$" grid $BASE --precisions fp16,fp16 --out "$T/bad"
for v in 0 -2 inf x; do
  t_label="grid --loss-scales $v"
  expect_fail 2 "^satbench: --loss-scales: " grid $BASE --loss-scales "$v" --out "$T/bad"
done
t_label="grid --loss-scales dynamic,dynamic"
expect_fail 2 "^satbench: --loss-scales: 'dynamic' appears twice$" grid $BASE --loss-scales dynamic,dynamic --out "$T/bad"
t_label="grid --loss-scale-window 0"
expect_fail 2 "^satbench: --loss-scale-window: " grid $BASE --loss-scale-window 0 --out "$T/bad"
! test -e "$T/bad" && t_pass "a refused value writes nothing" || t_fail "a refused value writes nothing" "$(ls -R "$T/bad")"

t_done
