# figure-seeds.sh - what the figures of seeds and choices promise: with
# few seeds (3 here) a band is the seeds' min and max, never a t interval
# (t = 4.30), and the title or the legend says so; saturation-dynamics
# holds one variant and one depth in every panel and every init side by
# side; learning-curves gives each optimizer its own block of rows; the
# depth figures draw each seed as an open circle, said in the legend; a
# legend that leaves layers out says how many are drawn; --select
# composes with all of it; with 6 seeds the 95% interval, said so; spectra's
# panels each on their own x axis.  Scripts and data only (--no-render): plot.sh
# renders every figure.
. "$srcdir/tests/lib.sh"
t_init figure-seeds

sb grid --activations sigmoid,tanh,relu --inits standard,xavier_normal --depths 3,10 --widths 8 --lrs 0.05,0.2 \
  --optimizers sgd,adam --norms none,layernorm --seeds 3 --train-size 128 --test-size 32 --batch 8 --input-dim 4 \
  --classes 3 --steps 30 --log-schedule log --quiet --out "$T/data"
test "$rc" -eq 0 || t_fail "the grid runs" "exit $rc: $(cat "$err")"
sb plot -d "$T/data" -o "$T/p" --no-render
test "$rc" -eq 0 || t_fail "plot --no-render" "exit $rc: $(cat "$err")"
P=$T/p

# gp_var FILE NAME: the value of a `NAME = '...'` setting.
gp_var() { sed -n "s/^$2 = '\\(.*\\)'\$/\\1/p" "$1"; }

# -- saturation-dynamics: one variant and depth everywhere, every init in every activation's row
bad=$(awk '/^# block [0-9]+: / { sub(/^# block [0-9]+: /, ""); split($0, h, " depth "); n = split(h[1], w, " ")
    v = ""; for (k = 3; k <= n; k++) v = v " " w[k]; split(h[2], d, " ")
    vd[v " @" d[1]] = 1; pair[w[1] " " w[2]] = 1; acts[w[1]] = 1; inits[w[2]] = 1 }
  END { nvd = 0; for (k in vd) nvd++; na = 0; for (a in acts) na++; ni = 0; for (i in inits) ni++
        miss = 0; for (a in acts) for (i in inits) if (!((a " " i) in pair)) miss++
        if (nvd != 1) print nvd " (variant, depth) pairs"; if (na != 3 || ni != 2 || miss) print na " activations, " ni " inits, " miss " missing pairs" }' \
  "$P/saturation-dynamics.dat")
test -s "$P/saturation-dynamics.dat" && test -z "$bad" &&
  t_pass "saturation-dynamics: one variant and one depth in every panel, both inits beside each activation" ||
  t_fail "saturation-dynamics: one variant and one depth in every panel, both inits beside each activation" "$bad"
choice=$(gp_var "$P/saturation-dynamics.gp" choice)
case $choice in
  "every panel "*"(where saturation rises most, of 8 variants x 2 depths)") t_pass "saturation-dynamics: the title says the rule of the choice ($choice)" ;;
  *) t_fail "saturation-dynamics: the title says the rule of the choice" "choice: '$choice'" ;;
esac

# -- the band's meaning and n, on the figure
for f in saturation-dynamics:fixed saturation-training:what learning-curves:fixed grad-layers:fixed; do
  v=$(gp_var "$P/${f%%:*}.gp" "${f#*:}")
  case $v in
    *"bands: min–max of 3 seeds"*) t_pass "${f%%:*}: the title says 'bands: min–max of 3 seeds'" ;;
    *) t_fail "${f%%:*}: the title says 'bands: min–max of 3 seeds'" "${f#*:} = '$v'" ;;
  esac
done
for f in depth remedies; do
  v=$(gp_var "$P/$f.gp" fixed)
  keys=$(grep '^array key_titles' "$P/$f.gp")
  dts=$(gp_var "$P/$f.gp" key_dts)
  bars=$(sed -n 's/^bars = //p' "$P/$f.gp")
  case "$v|$keys|$dts|$bars" in
    *"circles: each of 3 seeds, no interval drawn"*"|"*"'each seed'"*"'mean of the seeds'"*"|"*"-6 -7|0")
      t_pass "$f: no t bars with 3 seeds; each seed an open circle (pt 6), said in the legend and the title" ;;
    *) t_fail "$f: no t bars with 3 seeds; each seed an open circle, said in the legend and the title" \
         "fixed = '$v'" "$keys" "key_dts = '$dts', bars = '$bars'" ;;
  esac
done

# -- the band is the seeds' min and max: learning-curves against curves.tsv
want=$(awk -F'\t' '/^#/ { next } $1 == "cell" { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["activation"] == "sigmoid" && $c["init"] == "standard" && $c["depth"] == 3 && $c["norm"] == "none" &&
  $c["lr"] == "0.05" && $c["optimizer"] == "sgd" { s = $c["step"]; x = $c["eval_train_loss"] + 0
    if (!(s in lo) || x < lo[s]) lo[s] = x; if (!(s in hi) || x > hi[s]) hi[s] = x; n[s]++ }
  END { for (s in lo) printf "%s %.9g %.9g %d\n", s, lo[s], hi[s], n[s] }' "$T/data/curves.tsv" | sort -n)
got=$(awk '/^# block/ { on = ($0 ~ /: sigmoid standard no norm lr 0\.05 sgd depth 3: /); next }
  on && NF == 7 { printf "%s %.9g %.9g 3\n", $1, $3, $4 }' "$P/learning-curves.dat" | sort -n)
test -n "$want" && test "$got" = "$want" &&
  t_pass "learning-curves: the loss band is the 3 seeds' min and max of curves.tsv at every step" ||
  t_fail "learning-curves: the loss band is the 3 seeds' min and max of curves.tsv" "want: $(echo $want | head -c 300)" "got:  $(echo $got | head -c 300)"
# grad-layers: the band of ||delta^1|| at step 0 against layers.tsv (depth 10, the deepest)
want=$(awk -F'\t' '/^#/ { next } $1 == "cell" { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["activation"] == "tanh" && $c["init"] == "standard" && $c["depth"] == 10 && $c["norm"] == "none" &&
  $c["step"] == 0 && $c["layer"] == 1 { x = $c["delta_norm"] + 0; if (lo == "" || x < lo) lo = x; if (hi == "" || x > hi) hi = x }
  END { printf "%.6g %.6g", lo, hi }' "$T/data/layers.tsv")
got=$(awk '/^# block/ { on = ($0 ~ /: tanh standard no norm: /); next } on && $1 == 1 { printf "%.6g %.6g", $3, $4; exit }' \
  "$P/grad-layers.dat")
test -n "$got" && test "$got" = "$want" &&
  t_pass "grad-layers: the band of ||delta^1|| is the 3 seeds' min and max ($got)" ||
  t_fail "grad-layers: the band of ||delta^1|| is the 3 seeds' min and max" "want: $want" "got:  $got"

# -- learning-curves: a block of rows per optimizer, sgd (the grid's first) above adam
ncols=$(sed -n 's/^ncols = //p' "$P/learning-curves.gp")
bad=$(awk -v nc="$ncols" '/^array ptitles/ { sub(/^[^[]*\[[0-9]*\] = \[/, ""); sub(/\]$/, ""); n = split($0, t, "'"'"', '"'"'") }
  /^places = / { gsub(/'"'"'/, ""); sub(/^places = /, ""); split($0, pl, " ") }
  END { if (!n || !nc) { print "no ptitles or places"; exit }
        for (k = 1; k <= n; k++) { r = int(pl[k] / nc); o = t[k] ~ /sgd/ ? "sgd" : t[k] ~ /adam/ ? "adam" : "?"
          if (o == "?") print "panel " k " names no optimizer: " t[k]
          if (o == "sgd" && (maxs == "" || r > maxs)) maxs = r; if (o == "adam" && (mina == "" || r < mina)) mina = r }
        if (!(maxs < mina)) print "sgd rows up to " maxs ", adam rows from " mina }' "$P/learning-curves.gp")
test -z "$bad" && t_pass "learning-curves: every sgd panel in a row above every adam panel" ||
  t_fail "learning-curves: every sgd panel in a row above every adam panel" "$bad"

# -- a depth-10 legend that draws 9 layers says so; --select composes
sb plot -d "$T/data" -o "$T/s" --no-render --only saturation-dynamics,saturation-training,learning-curves,histograms \
  --select depth=10 --select optimizer=adam --select init=xavier_normal
test "$rc" -eq 0 || t_fail "plot --select depth=10 --select optimizer=adam --select init=xavier_normal" "exit $rc: $(cat "$err")"
for f in saturation-dynamics saturation-training histograms; do
  keys=$(grep '^array key_titles' "$T/s/$f.gp")
  case $keys in
    *"'9 of 10 layers:', 'layer 1', 'layer 2', 'layer 3', 'layer 4', 'layer 6'"*) t_pass "$f at depth 10: the legend says '9 of 10 layers:'" ;;
    *) t_fail "$f at depth 10: the legend says '9 of 10 layers:'" "$keys" ;;
  esac
done
bad=$(grep '^# block [0-9]*: ' "$T/s/saturation-dynamics.dat" | grep -v '^# block [0-9]*: [a-z]* xavier_normal .*depth 10 layer ' | head -3)
n=$(grep -c '^# block [0-9]*: ' "$T/s/saturation-dynamics.dat")
fx=$(gp_var "$T/s/saturation-dynamics.gp" fixed)
case $fx in *adam*) ;; *) bad="$bad; fixed = '$fx' (no adam)" ;; esac
test "$n" -gt 0 && test -z "$bad" && t_pass "--select narrows saturation-dynamics to xavier_normal, adam, depth 10 ($n blocks)" ||
  t_fail "--select narrows saturation-dynamics to xavier_normal, adam, depth 10" "$n blocks; $bad"
t=$(grep '^array ptitles' "$T/s/learning-curves.gp")
case $t in
  *sgd*) t_fail "--select optimizer=adam: no sgd panel in learning-curves" "$t" ;;
  *"depth 10"*) t_pass "--select optimizer=adam depth=10: learning-curves has adam panels of depth 10 only" ;;
  *) t_fail "--select depth=10: learning-curves panels of depth 10" "$t" ;;
esac

# -- many seeds: the 95% interval of the mean, said so; bars on the depth figure
sb grid --activations tanh --inits standard --depths 2,3 --widths 8 --seeds 6 --train-size 64 --test-size 16 --batch 8 \
  --input-dim 4 --classes 3 --steps 10 --log-schedule log --optimizers sgd --quiet --out "$T/six"
test "$rc" -eq 0 || t_fail "a grid of 6 seeds runs" "exit $rc: $(cat "$err")"
sb plot -d "$T/six" -o "$T/six-p" --no-render --only grad-layers,depth,learning-curves
g=$(gp_var "$T/six-p/grad-layers.gp" fixed); d=$(gp_var "$T/six-p/depth.gp" fixed); l=$(gp_var "$T/six-p/learning-curves.gp" fixed)
bars=$(sed -n 's/^bars = //p' "$T/six-p/depth.gp")
case "$g|$d|$l|$bars" in
  *"bands: 95% interval of the mean of 6 seeds|"*"bars: 95% interval of the mean of 6 seeds|"*"bands: 95% interval of the mean of 6 seeds|1")
    t_pass "6 seeds: bands and bars are the 95% interval of the mean, and say so" ;;
  *) t_fail "6 seeds: bands and bars are the 95% interval of the mean, and say so" "grad-layers: $g" "depth: $d (bars = $bars)" "learning-curves: $l" ;;
esac

# -- spectra: each panel's x axis fits its own singular values (a shared
# axis from the lowest floor squeezed a narrow spectrum into a sliver)
sb grid --activations tanh,relu --inits orthogonal,standard --depths 2,8 --widths 16 --seeds 1 --train-size 64 \
  --test-size 16 --batch 8 --input-dim 16 --classes 3 --steps 0 --jacobian 4 --quiet --out "$T/jac"
test "$rc" -eq 0 || t_fail "a grid with --jacobian runs" "exit $rc: $(cat "$err")"
sb plot -d "$T/jac" -o "$T/jac-p" --no-render --only spectra
bad=$(awk 'FNR == 1 { file++ }
  file == 1 && /^xlo_[0-9]+ = / { split($0, w, " = "); sub(/^xlo_/, "", w[1]); xlo[w[1]] = w[2] + 0; next }
  file == 1 && /^xhi_[0-9]+ = / { split($0, w, " = "); sub(/^xhi_/, "", w[1]); xhi[w[1]] = w[2] + 0; next }
  file == 2 && /^# block/ { p = $0; sub(/^# block [0-9]+: panel /, "", p); sub(/ .*/, "", p); next }
  file == 2 && NF == 2 && $1 != "NaN" { if (!(p in lo) || $1 < lo[p]) lo[p] = $1; if (!(p in hi) || $1 > hi[p]) hi[p] = $1 }
  END { n = 0; for (p in lo) { n++
          if (!(p in xlo) || xlo[p] > lo[p] || xhi[p] < hi[p] || xlo[p] < lo[p] / 1000 || xhi[p] > hi[p] * 1000)
            print "panel " p ": values " lo[p] ".." hi[p] ", axis " xlo[p] ".." xhi[p] }
        if (n < 4) print n " panels" }' "$T/jac-p/spectra.gp" "$T/jac-p/spectra.dat")
test -z "$bad" && t_pass "spectra: each panel's x axis holds its values within three decades on either side" ||
  t_fail "spectra: each panel's x axis holds its values within three decades on either side" "$bad"

t_done
