# grid.sh - `satbench grid`: byte-identical tables across thread counts,
# kill -9 / SIGINT then --resume equal to an uninterrupted run, refusals
# that protect existing results, input checking that writes nothing, and
# write failures reported without damage.
. "$srcdir/tests/lib.sh"
t_init grid

TINY="--optimizers sgd --log-schedule linear --activations tanh,relu --inits standard,he_normal --depths 2,3 --widths 8 --seeds 2
      --train-size 128 --test-size 32 --batch 8 --input-dim 4 --classes 3 --steps 20 --log-every 5 --quiet"
TABLES="cells.tsv layers.tsv summary.tsv hist.tsv curves.tsv curves_summary.tsv spectra.tsv"

same_tables()  # DIR_A DIR_B: 0 when every table is byte-identical (or in neither: spectra.tsv without --jacobian)
{
  for t_f in $TABLES; do
    { test ! -e "$1/$t_f" && test ! -e "$2/$t_f"; } || cmp -s "$1/$t_f" "$2/$t_f" || return 1
  done
  return 0
}

# -- thread counts ----------------------------------------------------------
# t1 keeps its records (the refusals below edit them), t2 and t8 do not:
# --keep-records changes no table's bytes either.
for n in 1 2 8; do
  sb grid $TINY --threads $n --out "$T/t$n" $(test $n -eq 1 && echo --keep-records)
  test "$rc" -eq 0 || t_fail "grid --threads $n exits 0" "exit $rc: $(cat "$err")"
done
if same_tables "$T/t1" "$T/t2" && same_tables "$T/t1" "$T/t8"; then
  t_pass "tables byte-identical for --threads 1, 2 and 8"
else
  t_fail "tables byte-identical for --threads 1, 2 and 8"
fi
sb grid $TINY --threads 2 --out "$T/again"
if same_tables "$T/t1" "$T/again"; then t_pass "a repeated run gives the same bytes"; else t_fail "a repeated run gives the same bytes"; fi

# -- table shapes -------------------------------------------------------------
ncells=$(grep -v '^#' "$T/t1/cells.tsv" | tail -n +2 | wc -l)
test "$ncells" -eq 16 && t_pass "cells.tsv has 16 cells" || t_fail "cells.tsv has 16 cells" "got $ncells"
# Each table's header is the program's column list, which holds the
# contract's columns in the contract's order.
for tbl in cells layers summary hist curves curves_summary; do
  hdr=$(grep -v '^#' "$T/t1/$tbl.tsv" | head -n 1 | tr '\t' ' ')
  # (jac_* only with --jacobian, the precision axes and flush columns only
  # with --precisions or --loss-scales, the arch axis and the recurrent
  # columns only with --archs, which this grid is without)
  listed=$("$SATBENCH" list columns | awk -F '\t' -v t="$tbl.tsv" '$1 == t && $2 !~ /^jac_/ &&
    $2 !~ /^(precision|loss_scale|flush_depth0|flush_depth_theory|loss_scale_end|skipped_steps)$/ &&
    $2 !~ /^(arch|clip|forget_bias|t|success|hh_rho0|hh_sigma_gamma0|hh_rho_end|hh_sigma_gamma_end)$/ { printf "%s%s", sep, $2; sep = " " }')
  test "$hdr" = "$listed" && t_pass "$tbl.tsv header = satbench list columns" || t_fail "$tbl.tsv header = satbench list columns" "header: $hdr" "listed: $listed"
done
t_in_order "cells.tsv has the contracted columns" "cell activation init depth width seed status final_loss
  final_train_acc final_test_acc attenuation0 attenuation_end decay_rate decay_rate_r2 sat_frac_end dead_frac_end
  decay_rate_theory" "$(grep -v '^#' "$T/t1/cells.tsv" | head -n 1 | tr '\t' ' ')"
t_in_order "layers.tsv has the contracted columns" "cell activation init depth width seed step layer grad_w_norm
  grad_b_norm delta_norm act_mean act_std act_p02 act_p98 preact_std sat_frac dead_frac update_ratio" \
  "$(grep -v '^#' "$T/t1/layers.tsv" | head -n 1 | tr '\t' ' ')"
# layers: 16 cells x 5 logged steps (0,5,10,15,20) x (depth+1) layers = 8x5x3 + 8x5x4
nl=$(grep -v '^#' "$T/t1/layers.tsv" | tail -n +2 | wc -l)
test "$nl" -eq 280 && t_pass "layers.tsv has 280 rows" || t_fail "layers.tsv has 280 rows" "got $nl"
if grep -v '^#' "$T/t1/layers.tsv" | awk -F'\t' '
     NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
     { key = sprintf("%09d %09d %09d", $1, $(c["step"]), $(c["layer"])); if (NR > 2 && key <= prev) bad = 1; prev = key }
     END { exit bad }'; then
  t_pass "layers.tsv sorted by cell, step, layer"
else
  t_fail "layers.tsv sorted by cell, step, layer"
fi
# summary: one row per (act, init, depth, width, step, layer), n = 2 seeds
ns=$(grep -v '^#' "$T/t1/summary.tsv" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $(c["n"]) == 2' | wc -l)
test "$ns" -eq 140 && t_pass "summary.tsv has 140 rows over 2 seeds" || t_fail "summary.tsv has 140 rows over 2 seeds" "got $ns"
grep -q '^# seed = 1$' "$T/t1/cells.tsv" && grep -q '^# satbench ' "$T/t1/summary.tsv" &&
  t_pass "tables carry version and configuration comments" || t_fail "tables carry version and configuration comments"
grep -q '"complete": true' "$T/t1/manifest.json" && t_pass "manifest says complete" || t_fail "manifest says complete"

# -- summary.tsv against a hand computation from layers.tsv (2 seeds) ----------------
# For n = 2: mean = (a+b)/2, sd = |a-b|/sqrt(2), ci95 = t(0.975, 1) sd / sqrt(2)
# with t(0.975, 1) = 12.706204736174707.  Means have 9 significant digits,
# spreads 4 (table.h): to within their last digit.
if awk -F'\t' '
  /^#/ { next }
  !hdr[FILENAME]++ { for (i = 1; i <= NF; i++) col[FILENAME, $i] = i; next }
  function key(f) { return $(col[f, "activation"]) SUBSEP $(col[f, "init"]) SUBSEP $(col[f, "depth"]) SUBSEP \
                           $(col[f, "width"]) SUBSEP $(col[f, "step"]) SUBSEP $(col[f, "layer"]) }
  FILENAME ~ /layers/ { k = key(FILENAME); c = col[FILENAME, "delta_norm"]; v[k, ++n[k]] = $c; next }
  { k = key(FILENAME)
    a = v[k, 1]; b = v[k, 2]; m = (a + b) / 2; sd = (a > b ? a - b : b - a) / sqrt(2)
    ci = 12.706204736174707 * sd / sqrt(2)
    gm = $(col[FILENAME, "delta_norm_mean"]); gs = $(col[FILENAME, "delta_norm_sd"])
    gc = $(col[FILENAME, "delta_norm_ci95"])
    if (n[k] != 2 || $(col[FILENAME, "n"]) != 2) bad++
    if (abs(gm - m) > 1e-8 * abs(m) || abs(gs - sd) > 1e-3 * abs(sd) + 1e-300 || abs(gc - ci) > 1e-3 * abs(ci) + 1e-300) bad++
    rows++ }
  function abs(x) { return x < 0 ? -x : x }
  END { exit !(rows == 140 && bad == 0) }' "$T/t1/layers.tsv" "$T/t1/summary.tsv"; then
  t_pass "summary.tsv mean, sd and 95% interval of delta_norm match a hand computation"
else
  t_fail "summary.tsv mean, sd and 95% interval of delta_norm match a hand computation"
fi

# -- curves.tsv: a row per (cell, logged step), its summary over the seeds ------------
nc=$(grep -v '^#' "$T/t1/curves.tsv" | tail -n +2 | wc -l)
test "$nc" -eq 80 && t_pass "curves.tsv has 80 rows (16 cells x 5 logged steps)" || t_fail "curves.tsv has 80 rows" "got $nc"
t_in_order "curves.tsv has the issue's columns" "cell step train_loss eval_train_loss eval_train_acc eval_test_loss
  eval_test_acc grad_norm sat_frac sat_low sat_high dead_frac" "$(grep -v '^#' "$T/t1/curves.tsv" | head -n 1 | tr '\t' ' ')"
# step 0 has no training loss yet; every later one has, and the saturated
# fraction is the sum of its low and high parts
if grep -v '^#' "$T/t1/curves.tsv" | awk -F'\t' '
     NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
     { s = $(c["step"]); tl = $(c["train_loss"])
       if ((s == 0) != (tl == "NaN")) bad++
       d = $(c["sat_frac"]) - $(c["sat_low"]) - $(c["sat_high"]); if (d > 2e-9 || d < -2e-9) bad++
       if ($(c["eval_train_acc"]) < 0 || $(c["eval_train_acc"]) > 1) bad++ }
     END { exit bad > 0 }'; then
  t_pass "curves.tsv: train_loss NaN at step 0 only, sat_frac = sat_low + sat_high, accuracies in [0, 1]"
else
  t_fail "curves.tsv: train_loss NaN at step 0 only, sat_frac = sat_low + sat_high, accuracies in [0, 1]"
fi
# the summary: mean and sd over the two seeds, by hand
if awk -F'\t' '
  /^#/ { next }
  !hdr[FILENAME]++ { for (i = 1; i <= NF; i++) col[FILENAME, $i] = i; next }
  function key(f) { return $(col[f, "activation"]) SUBSEP $(col[f, "init"]) SUBSEP $(col[f, "depth"]) SUBSEP \
                           $(col[f, "width"]) SUBSEP $(col[f, "step"]) }
  FILENAME ~ /curves.tsv/ { k = key(FILENAME); v[k, ++n[k]] = $(col[FILENAME, "eval_test_loss"]); next }
  { k = key(FILENAME)
    a = v[k, 1]; b = v[k, 2]; m = (a + b) / 2; sd = (a > b ? a - b : b - a) / sqrt(2)
    gm = $(col[FILENAME, "eval_test_loss_mean"]); gs = $(col[FILENAME, "eval_test_loss_sd"])
    if (n[k] != 2 || $(col[FILENAME, "n"]) != 2) bad++
    if (abs(gm - m) > 1e-8 * abs(m) || abs(gs - sd) > 1e-3 * abs(sd) + 1e-300) bad++
    rows++ }
  function abs(x) { return x < 0 ? -x : x }
  END { exit !(rows == 40 && bad == 0) }' "$T/t1/curves.tsv" "$T/t1/curves_summary.tsv"; then
  t_pass "curves_summary.tsv: 40 rows, mean and sd of eval_test_loss over 2 seeds match a hand computation"
else
  t_fail "curves_summary.tsv: 40 rows, mean and sd of eval_test_loss over 2 seeds match a hand computation"
fi
# --log-schedule log: steps 0, 1, 2, 5, 10, 20, 50, 100 and the last (and every
# --log-every, here beyond the run)
sb grid $TINY --log-schedule log --log-every 1000 --steps 120 --activations tanh --inits standard --depths 2 --seeds 1 --out "$T/logsched"
st=$(grep -v '^#' "$T/logsched/curves.tsv" 2>/dev/null | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { printf "%s ", $(c["step"]) }')
test "$rc" -eq 0 && test "$st" = "0 1 2 5 10 20 50 100 120 " && t_pass "--log-schedule log logs steps 0 1 2 5 10 20 50 100 and the last" ||
  t_fail "--log-schedule log logs steps 0 1 2 5 10 20 50 100 and the last" "exit $rc, steps: $st"

# -- adding a value to an axis leaves other cells' numbers unchanged ---------------
sb grid $(echo "$TINY" | sed 's/--activations tanh,relu/--activations tanh,sigmoid,relu/') --out "$T/wider"
a=$(grep -v '^#' "$T/t1/layers.tsv" | awk -F'\t' '$2 == "relu"' | cut -f 2- )
b=$(grep -v '^#' "$T/wider/layers.tsv" | awk -F'\t' '$2 == "relu"' | cut -f 2- )
test -n "$a" && test "$a" = "$b" && t_pass "adding an activation leaves relu cells' numbers unchanged" ||
  t_fail "adding an activation leaves relu cells' numbers unchanged"

# -- the papers' presets resolve and run (shrunk with command-line overrides) ----------
for p in glorot2010 he2015 meanfield; do
  sb grid --preset $p --depths 2 --widths 8 --seeds 1 --train-size 64 --test-size 16 --batch 8 \
    --steps 2 --log-every 1 --quiet --out "$T/preset-$p"
  n=$(grep -v '^#' "$T/preset-$p/cells.tsv" 2>/dev/null | tail -n +2 | wc -l)
  case $p in glorot2010) want=6 ;; he2015) want=2 ;; meanfield) want=7 ;; esac
  if test "$rc" -eq 0 && test "$n" -eq "$want"; then
    t_pass "--preset $p runs ($n cells with depth, width and seeds overridden)"
  else
    t_fail "--preset $p runs" "exit $rc, $n cells (want $want): $(cat "$err")"
  fi
done

# -- refusals ---------------------------------------------------------------------
t_label="grid into a finished grid's folder"
expect_fail 2 'already holds a grid.*--resume' grid $TINY --out "$T/t1"
t_label="resume with another --lr"
expect_fail 2 'different configuration.*lr' grid $TINY --lr 0.5 --out "$T/t1" --resume
t_label="resume of nothing"
expect_fail 2 'no grid to resume' grid $TINY --out "$T/nothing" --resume
same_tables "$T/t1" "$T/t2" && t_pass "refused runs left the tables intact" || t_fail "refused runs left the tables intact"

# -- records written by a satbench with other columns are recognised -------------
# One with a column fewer in its layer rows (and so another format hash), one
# from before record format 2: --resume refuses both, naming the file, what
# differs and what to do, and runs nothing.
cp -R "$T/t1" "$T/oldcols"
rec="$T/oldcols/records/cell-000003.rec"
sed -e '/^# columns L = /s/\tgrad_w_norm\t/\t/' -e 's/^# format = fnv1a64:.*/# format = fnv1a64:0123456789abcdef/' \
  "$rec" > "$rec.new" && mv "$rec.new" "$rec"
rm "$T/oldcols/records/cell-000005.rec"
t_label="resume over a record with other layers.tsv columns"
expect_fail 2 'cell-000003.rec was written by satbench .* with other layers.tsv columns \(it lacks the column .grad_w_norm. .*rerun without --resume' \
  grid $TINY --out "$T/oldcols" --resume
test -e "$T/oldcols/records/cell-000005.rec" && t_fail "a refused resume ran no cell" || t_pass "a refused resume ran no cell"
cp -R "$T/t1" "$T/v1"
rec="$T/v1/records/cell-000000.rec"
sed -e 's/^# satbench record 2$/# satbench record 1/' -e '/^# version = /d' -e '/^# format = /d' -e '/^# columns /d' \
  "$rec" > "$rec.new" && mv "$rec.new" "$rec"
t_label="resume over a record of format 1"
expect_fail 2 'cell-000000.rec was written by an earlier satbench ..# satbench record 1.*rerun without --resume' \
  grid $TINY --out "$T/v1" --resume
# -- the remedies and the Jacobian probe: the same bytes on any thread count --
ARCH="$TINY --norms none,batchnorm,layernorm --residual none,1 --jacobian 3"
for n in 1 2; do sb grid $ARCH --threads $n --out "$T/arch$n"; done
if same_tables "$T/arch1" "$T/arch2"; then t_pass "norms x residual x --jacobian 3: tables byte-identical for --threads 1 and 2"
else t_fail "norms x residual x --jacobian 3: tables byte-identical for --threads 1 and 2"; fi
nspec=$(grep -vc '^#' "$T/arch1/spectra.tsv")
# 96 cells x 3 inputs x min(width 8, input-dim 4) values x 5 logged steps, and the header
if test "$nspec" -eq $((96 * 3 * 4 * 5 + 1)); then t_pass "spectra.tsv has a row per cell, step, input and rank ($nspec)"
else t_fail "spectra.tsv has a row per cell, step, input and rank" "$nspec lines"; fi
sb grid $ARCH --jacobian-at init --out "$T/archinit"
nspec=$(grep -vc '^#' "$T/archinit/spectra.tsv")
if test "$nspec" -eq $((96 * 3 * 4 + 1)); then t_pass "--jacobian-at init: spectra at step 0 only ($nspec)"
else t_fail "--jacobian-at init: spectra at step 0 only" "$nspec lines"; fi
if awk -F '\t' '/^#/ { next } !h { h = 1; for (i = 1; i <= NF; i++) c[$i] = i; next }
     $c["norm"] == "none" && $c["residual"] == 0 && $c["jac_msv_theory"] == "NaN" { bad = 1 }
     ($c["norm"] != "none" || $c["residual"] != 0) && $c["jac_msv_theory"] != "NaN" { bad = 1 }
     $c["jac_msv0"] !~ /^[0-9]/ { bad = 1 }
     END { exit bad }' "$T/arch1/cells.tsv"; then
  t_pass "cells.tsv: spectra summaries for every cell, a mean-field value for plain nets only"
else
  t_fail "cells.tsv: spectra summaries for every cell, a mean-field value for plain nets only"
fi

# -- residual nets measured along the stream (issue 26) ---------------------------
# cells.tsv's attenuation and decay rate read ||dL/da^l|| (stream_grad_norm)
# in a net with a skip connection and ||delta^l|| in one without (a stride of
# 5 is longer than the 4 layers: no skip); act_* describe phi(h^l), sigmoid's
# inside [0, 1] while its stream grows past 1; hist.tsv counts every value
# (tanh's stream goes below -1, whose values phi's range used to drop).
RES="--optimizers sgd --log-schedule linear --activations sigmoid,tanh,relu --inits standard --depths 4 --widths 8
     --seeds 1 --norms none,layernorm --residual none,1,2,5 --residual-scale 0.5 --train-size 128 --test-size 32
     --batch 8 --input-dim 4 --classes 3 --steps 10 --log-every 5 --quiet"
sb grid $RES --out "$T/res"
test "$rc" -eq 0 || t_fail "residual grid exits 0" "exit $rc: $(cat "$err")"
if awk -F '\t' '
     FNR == 1 { f++ } /^#/ { next }
     !h[f] { h[f] = 1; for (i = 1; i <= NF; i++) c[f, $i] = i; next }
     f == 1 { id = $c[1, "cell"]; k = $c[1, "residual"]; d = $c[1, "depth"]
              col = k + 0 > 0 && k + 0 < d + 0 ? "stream_grad_norm" : "delta_norm"
              g = $c[1, col]; l = $c[1, "layer"]; st = $c[1, "step"] + 0
              if (l == 1) g1[id, st] = g; if (l == d) gd[id, st] = g
              if (st > last[id]) last[id] = st
              if (st == 0 && l <= d) { y = log(g) / log(10); n[id]++; sx[id] += l; sy[id] += y; sxx[id] += l * l; sxy[id] += l * y }
              if ($c[1, "activation"] == "sigmoid" && l <= d) {
                if ($c[1, "act_p02"] < 0 || $c[1, "act_p98"] > 1) bad++
                if ($c[1, "stream_rms"] > 1) grown++ }
              next }
     function off(x, want) { return x - want > 1e-7 * (1 + (want < 0 ? -want : want)) || want - x > 1e-7 * (1 + (want < 0 ? -want : want)) }
     { id = $c[2, "cell"]; checked++
       if (off($c[2, "attenuation0"], log(g1[id, 0] / gd[id, 0]) / log(10))) bad++
       if (off($c[2, "attenuation_end"], log(g1[id, last[id]] / gd[id, last[id]]) / log(10))) bad++
       slope = (n[id] * sxy[id] - sx[id] * sy[id]) / (n[id] * sxx[id] - sx[id] * sx[id])
       if (off($c[2, "decay_rate"], slope)) bad++ }
     END { exit bad || checked != 24 || !grown }' "$T/res/layers.tsv" "$T/res/cells.tsv"; then
  t_pass "cells.tsv: attenuation and decay_rate from stream_grad_norm with skips, delta_norm without; sigmoid's act_* in [0, 1]"
else
  t_fail "cells.tsv: attenuation and decay_rate from stream_grad_norm with skips, delta_norm without; sigmoid's act_* in [0, 1]"
fi
if grep -v '^#' "$T/res/hist.tsv" | awk -F '\t' '
     NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
     { s = 0; for (b = 1; b <= 50; b++) s += $(c["count_" b]); if (s != 128 * 8) bad++; rows++ }
     END { exit bad || rows != 24 * 4 * 2 * 2 }'; then
  t_pass "hist.tsv of residual nets: every row counts all probe size x width values"
else
  t_fail "hist.tsv of residual nets: every row counts all probe size x width values"
fi

# The resolution floor (width 8 > input-dim 4: side 8): each input's floor is
# 8 eps sigma_1, `resolved` says sv > floor, jac_rank0 is the smallest count of
# resolved values over the inputs at step 0, and jac_log10_cond0 is Inf exactly
# when that is below min(8, 4); relu's dead top units give both kinds of cell.
if awk -F '\t' -v eps=2.220446049250313e-16 '
     FNR == 1 { f++ } /^#/ { next }
     !h[f] { h[f] = 1; for (i = 1; i <= NF; i++) c[f, $i] = i; next }
     f == 1 { k = $c[1, "cell"] SUBSEP $c[1, "step"] SUBSEP $c[1, "input"]
              if ($c[1, "rank"] == 1) top[k] = $c[1, "sv"]
              fl = $c[1, "floor"] + 0; want = 8 * eps * top[k]
              if (fl - want > 1e-8 * want || want - fl > 1e-8 * want) bad = 1
              if ((($c[1, "sv"] + 0) > fl) != $c[1, "resolved"] + 0) bad = 1
              if ($c[1, "step"] == 0) { n[$c[1, "cell"], $c[1, "input"]] += $c[1, "resolved"]; ni[$c[1, "cell"]] = $c[1, "input"] + 1 }
              next }
     { m = 4; for (i = 0; i < ni[$c[2, "cell"]]; i++) if (n[$c[2, "cell"], i] < m) m = n[$c[2, "cell"], i]
       if ($c[2, "jac_rank0"] != m) bad = 1
       if ((m < 4) != ($c[2, "jac_log10_cond0"] == "Inf")) bad = 1
       if (m < 4) def++; else full++ }
     END { exit bad || !def || !full }' "$T/arch1/spectra.tsv" "$T/arch1/cells.tsv"; then
  t_pass "spectra.tsv floor and resolved, cells.tsv jac_rank0 and an infinite jac_log10_cond0 agree"
else
  t_fail "spectra.tsv floor and resolved, cells.tsv jac_rank0 and an infinite jac_log10_cond0 agree"
fi

# -- invalid grids write nothing ----------------------------------------------------
for bad in "--depths 0" "--widths 8,,9" "--lr nan" "--batch 500" "--activations sigmoid,tnah" \
           "--inits he_normal,normal:-1" "--seeds 0" "--threads 0" "--widths 100000000" "--widths 60000 --depths 10" \
           "--jacobian 129" "--jacobian 1 --widths 8,1025" "--jacobian-at never" "--norms none,none"; do
  t_label="grid $bad"
  expect_fail 2 '.' grid $TINY $bad --out "$T/invalid"
  test -e "$T/invalid" && t_fail "grid $bad created its --out"
done

# -- kill -9 at several moments, then --resume ------------------------------------
# The moments are counted in finished cells, not seconds, so every kill
# lands inside the grid however fast the machine is.
LONG="--optimizers sgd --log-schedule linear --activations tanh,relu --inits standard,he_normal --depths 2,6 --widths 32 --seeds 3
      --train-size 512 --test-size 64 --batch 16 --input-dim 8 --classes 3 --steps 3000 --log-every 100 --quiet"
NLONG=24
records() { ls "$1/records" 2>/dev/null | grep -c '\.rec$'; }
# start_until DIR N: start the LONG grid into DIR in the background, held
# (stop.h's hold point; $pid) once it has saved N cells (N = 0: once its
# folder is prepared, before any cell).
start_until()
{
  if test "$2" -eq 0; then s_point=start; else s_point=record-$2; fi
  hold_start $s_point "$1.out" "$1.err" grid $LONG --threads 2 --out "$1"
  pid=$held_pid
  test "$held" = 1 || t_fail "the grid into $1 reaches $s_point" "exit $rc: $(cat "$1.err")"
}
sb grid $LONG --threads 2 --out "$T/full"
for at in 0 5 15; do
  d="$T/killed$at"
  start_until "$d" $at
  test -n "$pid" && kill -9 $pid
  hold_end
  done_before=$(records "$d")
  sb grid $LONG --threads 2 --out "$d" --resume
  if test "$done_before" -lt $NLONG && test "$rc" -eq 0 && same_tables "$T/full" "$d"; then
    t_pass "kill -9 with $done_before of $NLONG cells saved, then --resume, equals an uninterrupted run"
  else
    t_fail "kill -9 with $done_before of $NLONG cells saved, then --resume, equals an uninterrupted run" \
      "exit $rc: $(cat "$err")"
  fi
done

# -- SIGINT and SIGTERM: stop cleanly, say how to resume, exit 128 + signal -------------
for sig in INT:130 TERM:143; do
  name=${sig%:*} code=${sig#*:}
  d="$T/sig$name"
  start_until "$d" 4
  test -n "$pid" && kill -$name $pid
  hold_release
  hold_end
  st=$rc
  if test "$st" -eq "$code" && grep -q -- '--resume' "$d.err" && test "$(records "$d")" -lt $NLONG; then
    t_pass "SIG$name mid-grid exits $code and says how to resume"
  else
    t_fail "SIG$name mid-grid exits $code and says how to resume" "exit $st: $(cat "$d.err")"
  fi
  ls "$d/records" | grep -q tmp && t_fail "SIG$name leaves no half-written record" "$(ls "$d/records")" ||
    t_pass "SIG$name leaves no half-written record"
  sb grid $LONG --threads 1 --out "$d" --resume
  test "$rc" -eq 0 && same_tables "$T/full" "$d" && t_pass "resume after SIG$name equals an uninterrupted run" ||
    t_fail "resume after SIG$name equals an uninterrupted run" "exit $rc: $(cat "$err")"
done

# -- write failures --------------------------------------------------------------------
: > "$T/afile"
t_label="--out under a regular file"
expect_fail 1 'afile.*(Not a directory|not a directory)' grid $TINY --out "$T/afile/sub"
# Tables larger than the file-size limit: the merge fails with the path and
# errno, and the tables of the earlier run stay as they were.
cp -r "$T/t1" "$T/limited"
( trap '' XFSZ; ulimit -f 16; "$SATBENCH" grid $TINY --out "$T/limited" --resume >"$T/lim.out" 2>"$T/lim.err" )
st=$?
if test "$st" -eq 1 && grep -q 'limited/.*File too large' "$T/lim.err"; then
  t_pass "a write failure exits 1 naming the file and the error"
else
  t_fail "a write failure exits 1 naming the file and the error" "exit $st: $(cat "$T/lim.err")"
fi
same_tables "$T/t1" "$T/limited" && t_pass "the earlier tables are intact after the write failure" ||
  t_fail "the earlier tables are intact after the write failure"
ls "$T/limited" | grep -q tmp && t_fail "no temporary files left behind" "$(ls "$T/limited")" ||
  t_pass "no temporary files left behind"

t_done
