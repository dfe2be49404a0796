# plot-rnn.sh - the figures of recurrent cells (grad-time, gate-saturation,
# success-length): drawn from a grid of rnn, lstm and gru cells without a
# gnuplot warning, their numbers recomputed from the tables with awk, and
# skipped (with a note) where the grid has no cell for them: no recurrent
# cell (tests/plot.sh's feed-forward grids), no gated cell, one length.
. "$srcdir/tests/lib.sh"
t_init plot-rnn

BASE="--activations tanh,sigmoid --inits orthogonal,identity --widths 4 --dataset gaussian --input-dim 8 --classes 3
      --seeds 2 --optimizers sgd --batch 8 --steps 20 --log-every 5 --train-size 64 --test-size 32 --probe-size 16
      --eval-size 16 --quiet"
FIGS="grad-time gate-saturation success-length"
sb grid $BASE --archs rnn,lstm,gru --depths 2,4 --out "$T/rec"
test "$rc" -eq 0 || t_fail "a recurrent grid runs" "exit $rc: $(cat "$err")"
sb plot -d "$T/rec" -o "$T/scripts" --no-render --only grad-time,gate-saturation,success-length
missing=
for f in $FIGS; do test -s "$T/scripts/$f.gp" && test -s "$T/scripts/$f.dat" || missing="$missing $f"; done
test "$rc" -eq 0 && test -z "$missing" && t_pass "a recurrent grid: the three figures' scripts and data written" ||
  t_fail "a recurrent grid: the three figures' scripts and data written" "exit $rc, missing:$missing: $(cat "$err")"

# grad-time: the longest T (4), a row per cell type, at init and after
# training (6 panels x 4 series); k = 0 is the last step itself (ratio 1);
# panel 1's tanh/orthogonal line at k is the geometric mean over the seeds
# of stream_grad_norm at t = T - k over the one at t = T, at step 0.
grep -q '^T = 4$' "$T/scripts/grad-time.gp" && grep -q '^npanels = 6$' "$T/scripts/grad-time.gp" &&
  test "$(grep -c '^# block' "$T/scripts/grad-time.dat")" -eq 24 &&
  t_pass "grad-time: T = 4, 6 panels (rnn, lstm, gru x init, trained), 4 lines each" ||
  t_fail "grad-time: T = 4, 6 panels, 24 lines" "$(grep '^\(T\|npanels\) =' "$T/scripts/grad-time.gp" | tr '\n' ' ')"
bad=$(awk '/^# block/ { next } NF == 4 && $1 == 0 && ($2 != 1 || $3 != 1 || $4 != 1) { b++ } END { print b + 0 }' "$T/scripts/grad-time.dat")
test "$bad" = 0 && t_pass "grad-time: every line starts at ratio 1 at k = 0" || t_fail "grad-time: every line starts at ratio 1 at k = 0" "$bad rows"
want=$(awk -F'\t' '/^#/ { next } $1 == "cell" { for (k = 1; k <= NF; k++) c[$k] = k; next }
  $c["arch"] == "rnn" && $c["activation"] == "tanh" && $c["init"] == "orthogonal" && $c["depth"] == 4 && $c["step"] == 0 {
    n[$c["seed"], $c["layer"]] = $c["stream_grad_norm"]; s[$c["seed"]] = 1 }
  END { for (k = 0; k < 4; k++) { sum = 0; m = 0; for (q in s) { sum += log(n[q, 4 - k] / n[q, 4]); m++ }
          printf "%.6g ", exp(sum / m) } }' "$T/rec/layers.tsv")
got=$(awk '/^# block/ { on = /^# block 0: panel 1, tanh orthogonal:/; next } on && NF == 4 { printf "%.6g ", $2 }' "$T/scripts/grad-time.dat")
test -n "$want" && test "$got" = "$want" && t_pass "grad-time: rnn tanh/orthogonal at init is layers.tsv's ratio, geometric mean of the seeds ($got)" ||
  t_fail "grad-time: rnn tanh/orthogonal at init is layers.tsv's ratio" "got '$got', want '$want'"

# gate-saturation: a line per gate of the LSTM and the GRU, named; the
# below-0.1 share of one line at one step is gates.tsv's mean over t, then
# over the seeds.
keys="'lstm input (i)', 'lstm forget (f)', 'lstm output (o)', 'gru reset (r)', 'gru update (z)'"
grep -q "^array key_titles\[5\] = \[$keys\]$" "$T/scripts/gate-saturation.gp" &&
  t_pass "gate-saturation: the LSTM's i, f, o and the GRU's r, z, named" ||
  t_fail "gate-saturation: the LSTM's i, f, o and the GRU's r, z" "$(grep '^array key_titles' "$T/scripts/gate-saturation.gp")"
# The shares themselves, on gates saturated from the start (W's scaled by
# 4): the lstm f line at step 0 and at step 5 is gates.tsv's mean over t,
# then over the seeds (none of them 0: a mean and a sum over t would agree).
sb grid $BASE --activations sigmoid --inits orthogonal:4 --archs lstm,gru --depths 4 --steps 5 --out "$T/sat"
sb plot -d "$T/sat" -o "$T/sat-plots" --no-render --only gate-saturation
want=$(awk -F'\t' '/^#/ { next } $1 == "cell" { for (k = 1; k <= NF; k++) c[$k] = k; next }
  $c["arch"] == "lstm" && $c["gate"] == "f" { q = $c["step"] SUBSEP $c["seed"]; lo[q] += $c["low_frac"]; hi[q] += $c["high_frac"]; n[q]++ }
  END { for (st = 0; st <= 5; st += 5) { l = h = m = 0; for (q in n) { split(q, p, SUBSEP); if (p[1] == st) { l += lo[q] / n[q]; h += hi[q] / n[q]; m++ } }
          printf "%s%d %.6g %.6g", st ? " " : "", st, l / m, h / m } }' "$T/sat/gates.tsv")
got=$(awk '/^# block/ { on = /sigmoid orthogonal:4 lstm gate f:/; next } on && NF == 7 && ($1 == 0 || $1 == 5) { printf "%s%d %.6g %.6g", sep, $1, $2, $5; sep = " " }' "$T/sat-plots/gate-saturation.dat")
nonzero=$(echo "$want" | awk '{ print ($2 > 0 && $3 > 0 && $5 > 0 && $6 > 0) }')
test "$rc" -eq 0 && test "$nonzero" = 1 && test "$got" = "$want" &&
  t_pass "gate-saturation: lstm f of sigmoid/orthogonal:4 at steps 0 and 5 is gates.tsv's mean over t and seeds ($got)" ||
  t_fail "gate-saturation: lstm f at steps 0 and 5 is gates.tsv's mean over t and seeds" "got '$got', want '$want' (exit $rc)"

# success-length: a panel per cell type (one trained variant), the mean of
# the seeds' success per T, and chance at 1 - chance_error.
want=$(awk -F'\t' '/^#/ { next } $1 == "cell" { for (k = 1; k <= NF; k++) c[$k] = k; next }
  $c["arch"] == "gru" && $c["activation"] == "tanh" && $c["init"] == "identity" { s[$c["depth"]] += $c["success"]; n[$c["depth"]]++ }
  END { printf "%.6g %.6g", s[2] / n[2], s[4] / n[4] }' "$T/rec/cells.tsv")
got=$(awk '/^# block/ { on = /^# block [0-9]*: panel 3, tanh identity: T mean/; next } on && NF == 4 { printf "%s%.6g", sep, $2; sep = " " }' "$T/scripts/success-length.dat")
chance=$(awk -F'\t' '/^#/ { next } $1 == "cell" { for (k = 1; k <= NF; k++) c[$k] = k; next } { printf "%.6g", 1 - $c["chance_error"]; exit }' "$T/rec/cells.tsv")
gotc=$(sed -n "s/^chances = '\([^ ]*\) .*/\1/p" "$T/scripts/success-length.gp" | awk '{ printf "%.6g", $1 }')
grep -q '^npanels = 3$' "$T/scripts/success-length.gp" && test -n "$want" && test "$got" = "$want" && test "$gotc" = "$chance" &&
  t_pass "success-length: 3 panels; gru tanh/identity's means over the seeds ($got); chance 1 - chance_error ($gotc)" ||
  t_fail "success-length: gru tanh/identity's means and chance" "got '$got' chance '$gotc', want '$want' chance '$chance'"

# --select depth=2: grad-time at that T.
sb plot -d "$T/rec" -o "$T/sel" --no-render --only grad-time --select depth=2
test "$rc" -eq 0 && grep -q '^T = 2$' "$T/sel/grad-time.gp" && t_pass "--select depth=2: grad-time at T = 2" ||
  t_fail "--select depth=2: grad-time at T = 2" "exit $rc: $(cat "$err")"

# No gated cell: gate-saturation is skipped; one length: success-length is.
sb grid $BASE --archs rnn --depths 4 --out "$T/elman"
sb plot -d "$T/elman" -o "$T/elman-plots" --no-render
test "$rc" -eq 0 && grep -q '^skipped gate-saturation: no data' "$out" && grep -q '^skipped success-length: no data' "$out" &&
  test -s "$T/elman-plots/grad-time.gp" && ! test -e "$T/elman-plots/gate-saturation.gp" &&
  t_pass "Elman cells of one length: gate-saturation and success-length skipped with a note, grad-time drawn" ||
  t_fail "Elman cells of one length: gate-saturation and success-length skipped" "exit $rc: $(cat "$out")"

GNUPLOT=${GNUPLOT:-$(command -v gnuplot)}
if test -z "$GNUPLOT" || ! test -x "$GNUPLOT"; then
  t_skip "rendering the recurrent figures" "gnuplot not found"
  t_done
fi
sb plot -d "$T/rec" -o "$T/plots" --gnuplot "$GNUPLOT" --format pdf,png,svg
bad=
for f in $FIGS; do for ext in pdf png svg; do test -s "$T/plots/$f.$ext" || bad="$bad $f.$ext"; done; done
test "$rc" -eq 0 && ! test -s "$err" && test -z "$bad" &&
  t_pass "a recurrent grid: every figure renders as PDF, PNG and SVG without a gnuplot warning" ||
  t_fail "a recurrent grid: every figure renders without a warning" "exit $rc, missing:$bad" "stderr: $(cat "$err")"
# feed-forward and recurrent cells in one grid: every figure draws (the
# histograms' rows of recurrent cells, which have no hist.tsv rows, too)
sb grid $BASE --archs mlp,rnn,lstm --inits orthogonal --depths 2,4 --out "$T/mixed"
sb plot -d "$T/mixed" -o "$T/mixed-plots" --gnuplot "$GNUPLOT" --format png
bad=
for f in $FIGS histograms; do test -s "$T/mixed-plots/$f.png" || bad="$bad $f"; done
test "$rc" -eq 0 && ! test -s "$err" && test -z "$bad" &&
  t_pass "mlp, rnn and lstm cells in one grid: every figure renders, the recurrent ones and histograms too" ||
  t_fail "mlp, rnn and lstm cells in one grid: every figure renders" "exit $rc, missing:$bad" "stderr: $(cat "$err")"
# one seed, one init, one activation, at init only: nothing to train, nothing breaks
sb grid --activations tanh --inits orthogonal --widths 4 --dataset gaussian --input-dim 8 --classes 3 --seeds 1 \
  --steps 0 --train-size 64 --test-size 32 --probe-size 16 --eval-size 16 --quiet --archs lstm --depths 2,4 --out "$T/init"
sb plot -d "$T/init" -o "$T/init-plots" --gnuplot "$GNUPLOT" --format png
test "$rc" -eq 0 && ! test -s "$err" && test -s "$T/init-plots/grad-time.png" &&
  t_pass "an lstm grid at init only: grad-time drawn (one panel per row), no warning" ||
  t_fail "an lstm grid at init only: grad-time drawn, no warning" "exit $rc: $(cat "$err")"
t_done
