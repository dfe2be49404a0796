# theory.sh - `satbench theory`: the TSV it prints (header, one row, the
# per-layer table, the phase grid, the critical line), its known answers
# (tanh critical at sigma_w2 = 1 for sigma_b2 = 0, relu chi1 = sigma_w2/2,
# Glorot's standard init gives tanh chi1 = 1/3), --arch rnn's per-step
# profile (by hand for linear and relu), the theory columns of a grid's
# tables, and that bad invocations exit 2 with one line on stderr.
. "${srcdir:-.}/tests/lib.sh"
t_init theory

HEADER="activation	sigma_w2	sigma_b2	q_star	chi1	xi_q	xi_grad	critical_sigma_w2	c_star	chi_c	xi_c"

# check DESC AWK-PROGRAM: run the program on $out (comment lines dropped);
# it prints nothing when all is well, else what is wrong.
check()
{
  ck_msg=$(grep -v '^#' "$out" | awk -F '\t' "$2" 2>&1)
  if test "$rc" -eq 0 && test -z "$ck_msg" && test ! -s "$err"; then t_pass "$1"
  else t_fail "$1" "exit $rc" "$ck_msg" "stderr: $(cat "$err")" "stdout: $(head -n 5 "$out")"; fi
}

# one ARGS...: satbench theory ARGS must print exactly HEADER and one row.
one()
{
  sb theory "$@"
  if test "$rc" -eq 0 && test "$(lines "$out")" -eq 2 && test "$(head -n 1 "$out")" = "$HEADER" \
     && test "$(awk -F '\t' 'NR == 2 { print NF }' "$out")" -eq 11; then
    t_pass "theory $(t_args "$@"): header and one row of 11 fields"
  else
    t_fail "theory $(t_args "$@"): header and one row of 11 fields" "exit $rc" "$(cat "$out")" "$(cat "$err")"
  fi
}

# ---- the one-row form and its known answers ----------------------------------

one --activation tanh --sigma-w2 1
check "tanh at sigma_w2 = 1, sigma_b2 = 0: q* = 0, chi1 = 1, critical sigma_w2 = 1" '
  NR == 2 && !($1 == "tanh" && $4 == 0 && $5 == 1 && $8 == 1 && $7 == "Inf") { print "row: " $0 }'

one --activation tanh --sigma-w2 2.5 --sigma-b2 0.05
check "tanh at sigma_w2 2.5, sigma_b2 0.05 (chaotic): 0 < c* < 1, chi_c < 1, xi_c > 0 finite" '
  NR == 2 && !($9 > 0 && $9 < 1 && $10 < 1 && $11 > 0 && $11 != "Inf") { print "row: " $0 }'
one --activation tanh --sigma-w2 1.5 --sigma-b2 0.05
check "tanh at sigma_w2 1.5, sigma_b2 0.05 (ordered): c* = 1, xi_c = xi_grad" '
  NR == 2 && !($9 == 1 && $11 == $7) { print "row: " $0 }'

one --activation tanh --init standard
check "tanh under standard init: sigma_w2 = 1/3, chi1 = 1/3 (1e-12)" '
  function abs(x) { return x < 0 ? -x : x }
  NR == 2 && (abs($2 - 1/3) > 1e-12 || abs($5 - 1/3) > 1e-12 || $3 != 0) { print "row: " $0 }'

for sw in 0.5 2.385 3; do
  one --activation relu --sigma-w2 $sw --sigma-b2 0.1
  check "relu at sigma_w2 = $sw: chi1 = sigma_w2/2, critical sigma_w2 = 2" "
    function abs(x) { return x < 0 ? -x : x }
    NR == 2 && (abs(\$5 - $sw / 2) > 1e-12 || abs(\$8 - 2) > 1e-10) { print \"row: \" \$0 }"
done
sb theory --activation relu --sigma-w2 2.5 --sigma-b2 0.1
check "relu at sigma_w2 = 2.5, sigma_b2 = 0.1: q* = Inf, xi_q NaN, xi_grad < 0" '
  NR == 2 && !($4 == "Inf" && $6 == "NaN" && $7 < 0) { print "row: " $0 }'

one --activation tanh --init critical
check "tanh --init critical: sigma_b2 0.05, chi1 = 1 (1e-9), sigma_w2 = critical_sigma_w2 ~ 1.761" '
  function abs(x) { return x < 0 ? -x : x }
  NR == 2 && (abs($5 - 1) > 1e-9 || $3 != 0.05 || $2 != $8 || abs($2 - 1.7609546) > 1e-6) { print "row: " $0 }'
one --activation tanh --init critical:0
check "tanh --init critical:0: sigma_w2 = 1" 'NR == 2 && !($2 == 1 && $3 == 0) { print "row: " $0 }'
one --activation tanh --init meanfield:2.385:0.1
check "--init meanfield:2.385:0.1 sets sigma_w2 2.385 and sigma_b2 0.1" 'NR == 2 && !($2 == 2.385 && $3 == 0.1) { print "row: " $0 }'
one --activation selu --init lecun_normal
check "selu under lecun_normal: self-normalizing q* = 1 (1e-9)" '
  function abs(x) { return x < 0 ? -x : x }
  NR == 2 && abs($4 - 1) > 1e-9 { print "row: " $0 }'
one --activation tanh --init xavier_normal
check "--init xavier_normal: sigma_w2 = 1 (equal fans)" 'NR == 2 && $2 != 1 { print "row: " $0 }'
one --activation tanh --init normal:0.05 --width 400
check "--init normal:0.05 --width 400: sigma_w2 = 0.05^2 x 400 = 1" '
  function abs(x) { return x < 0 ? -x : x }
  NR == 2 && abs($2 - 1) > 1e-12 { print "row: " $0 }'
one --activation tanh --init he_normal --sigma-b2 0.3
check "--init he_normal --sigma-b2 0.3: sigma_w2 2, sigma_b2 0.3" 'NR == 2 && !($2 == 2 && $3 == 0.3) { print "row: " $0 }'
one --activation gelu --sigma-w2 1.5 --sigma-b2 0.05
check "gelu at sigma_b2 0.05 has no critical sigma_w2: NaN" 'NR == 2 && $8 != "NaN" { print "row: " $0 }'
one --activation=tanh --sigma-w2=1.5 --sigma-b2=0.05 --q0=2
check "--opt=value spelling" 'NR == 2 && !($2 == 1.5 && $3 == 0.05) { print "row: " $0 }'

# ---- --depth: the per-layer table ------------------------------------------------

sb theory --activation tanh --sigma-w2 1.5 --sigma-b2 0.05 --depth 6 --q0 2
check "--depth 6: header, layers 1..6, q^1 = sigma_w2 q0 + sigma_b2, steps of log10(chi)/2, 0 at the last" '
  function abs(x) { return x < 0 ? -x : x }
  NR == 1 { if ($0 != "layer\tq\tchi\tlog10_delta_ratio") print "header: " $0; next }
  { n++; if ($1 != n) print "row " n ": layer " $1; q[n] = $2; chi[n] = $3; r[n] = $4 }
  END {
    if (n != 6) print n " rows"
    if (abs(q[1] - 3.05) > 1e-12) print "q^1 = " q[1]
    if (r[6] != 0) print "last ratio " r[6]
    for (l = 1; l < 6; l++) if (abs(r[l] - r[l + 1] - log(chi[l]) / log(10) / 2) > 1e-12) print "step at " l
    for (l = 2; l <= 6; l++) if (!(q[l] < q[l - 1])) print "q does not settle: " q[l]
  }'
sb theory --activation relu --init he_normal --depth 4
check "relu under he_normal: chi = 1 and flat ratios" '
  function abs(x) { return x < 0 ? -x : x }
  NR > 1 && (abs($3 - 1) > 1e-12 || abs($4) > 1e-12) { print "row: " $0 }'
sb theory --activation sigmoid --init standard --depth 10
check "sigmoid under standard init: ||delta^1|| / ||delta^10|| below 1e-7" '
  NR == 2 && !($4 < -7) { print "layer 1: " $0 }'

# ---- --phase and --critical-line ----------------------------------------------------

sb theory --activation tanh --phase --sigma-w2-range 0.5:1.5:0.5 --sigma-b2-range 0:0.1:0.05
check "--phase: 3 blocks of 3 rows, blank lines between, tanh chi1(1, 0) = 1" '
  NR == 1 { if ($0 != "sigma_w2\tsigma_b2\tq_star\tchi1") print "header: " $0; next }
  /^$/ { blank++; next }
  { rows++; if ($1 == 1 && $2 == 0 && $4 != 1) print "chi1(1, 0) = " $4
    if (NF != 4) print "row: " $0 }
  END { if (rows != 9 || blank != 2) print rows " rows, " blank " blank lines" }'
grep -v '^#' "$out" | awk 'NR > 1 && !/^$/ { print $2 }' | uniq | tr '\n' ' ' >"$T/b2"
if test "$(cat "$T/b2")" = "0 0.05 0.1 "; then t_pass "--phase: sigma_b2 blocks 0, 0.05, 0.1 in order"
else t_fail "--phase: sigma_b2 blocks 0, 0.05, 0.1 in order" "got $(cat "$T/b2")"; fi
sb theory --activation tanh --phase
check "--phase defaults: 21 blocks of 50 rows" '
  NR > 1 && !/^$/ { rows++ } END { if (rows != 1050) print rows " rows" }'

sb theory --activation tanh --critical-line --sigma-b2-range 0:0.05:0.05
check "--critical-line: tanh 1 at sigma_b2 0, ~1.761 at 0.05" '
  function abs(x) { return x < 0 ? -x : x }
  NR == 1 { if ($0 != "sigma_b2\tcritical_sigma_w2") print "header: " $0; next }
  NR == 2 && !($1 == 0 && $2 == 1) { print "row: " $0 }
  NR == 3 && !($1 == 0.05 && abs($2 - 1.7609546) < 1e-6) { print "row: " $0 }
  END { if (NR != 3) print NR " lines" }'
sb theory --activation gelu --critical-line --sigma-b2-range 0:2:1
check "--critical-line: gelu has none at sigma_b2 0 (NaN), one near 2 at sigma_b2 1 and 2" '
  NR == 2 && $2 != "NaN" { print "row: " $0 }
  NR > 2 && !($2 > 1.9 && $2 < 2.01) { print "row: " $0 }'

expect_ok "theory --help exits 0" theory --help
grep -q 'critical-line' "$out" && t_pass "theory --help describes --critical-line" || t_fail "theory --help describes --critical-line"

# ---- the theory columns of a grid's tables ------------------------------------------

sb grid --activations tanh,relu --inits standard,he_normal,critical --depths 4 --widths 8 --seeds 2 \
  --train-size 64 --test-size 32 --batch 8 --input-dim 8 --classes 3 --steps 2 --log-every 1 \
  --quiet --out "$T/grid"
cells="$T/grid/cells.tsv"
summary="$T/grid/summary.tsv"
if test "$rc" -eq 0 && grep -v '^#' "$cells" | head -n 1 | grep -q '	decay_rate_theory\(	\|$\)'; then
  t_pass "grid with critical runs; cells.tsv has decay_rate_theory"
else
  t_fail "grid with critical runs; cells.tsv has decay_rate_theory" "exit $rc: $(cat "$err")"
fi
out="$cells"
check "cells.tsv: decay_rate_theory the same for a cell's seeds, ~0 for relu/he_normal, > 0 for tanh/standard" '
  function abs(x) { return x < 0 ? -x : x }
  NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { k = $(c["activation"]) "/" $(c["init"]); v = $(c["decay_rate_theory"])
    if (k in seen && seen[k] != v) print k ": " seen[k] " vs " v
    seen[k] = v
    if (k == "relu/he_normal" && abs(v) > 1e-12) print k ": " v
    if (k == "tanh/standard" && !(v > 0.1)) print k ": " v }'
out="$summary"
check "summary.tsv: log10_delta_ratio_theory 0 at layer depth, NaN at the output, the same at every step" '
  NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
            if (!("log10_delta_ratio_mean" in c) || !("log10_delta_ratio_theory" in c)) print "columns missing"; next }
  { t = $(c["log10_delta_ratio_theory"]); m = $(c["log10_delta_ratio_mean"]); L = $(c["layer"])
    k = $(c["activation"]) "/" $(c["init"]) "/" L
    if (L == 4 && (t != 0 || m != 0)) print "layer 4: theory " t ", measured " m
    if (L == 5 && t != "NaN") print "output layer: " t
    if (L < 4 && (t == "NaN" || m == "NaN")) print k ": " t " " m
    if (k in seen && seen[k] != t) print k ": changes with step"
    seen[k] = t }'

# ---- --arch rnn: the Elman RNN's per-step profile ------------------------------------

# rcheck DESC AWK: the awk program on the whole output (comments included).
rcheck()
{
  ck_msg=$(awk -F '\t' "$2" "$out" 2>&1)
  if test "$rc" -eq 0 && test -z "$ck_msg" && test ! -s "$err"; then t_pass "$1"
  else t_fail "$1" "exit $rc" "$ck_msg" "stderr: $(cat "$err")" "stdout: $(head -n 8 "$out")"; fi
}
# comment(NAME): the text after "NAME = " in a comment line, up to a blank or comma.
RNN_AWK='
  function abs(x) { return x < 0 ? -x : x }
  function comment(name,   v) { v = $0; if (index(v, "# ") != 1 || !index(v, name " = ")) return ""
    v = substr(v, index(v, name " = ") + length(name) + 3); sub(/[ ,].*/, "", v); return v }
  # numbers as numbers (a field cut out by sub() compares as a string); xi may be "Inf"
  /^#/ { if (comment("decay_rate") != "") dr = comment("decay_rate") + 0; if (comment("xi") != "") xi = comment("xi")
         if (comment("chi1") != "") chi1 = comment("chi1") + 0; if (comment("q_star") != "") qs = comment("q_star") + 0; next }
  /^t\t/ { hdr = $0 == "t\tq\tchi\tlog10_dh_ratio"; next }
  { n++; t[n] = $1; q[n] = $2; chi[n] = $3; r[n] = $4 }
  # the least-squares slope of log10_dh_ratio against t, computed here
  function slope(   i, mx, my, sxy, sxx) { for (i = 1; i <= n; i++) { mx += t[i]; my += r[i] }
    mx /= n; my /= n; for (i = 1; i <= n; i++) { sxy += (t[i] - mx) * (r[i] - my); sxx += (t[i] - mx)^2 }
    return sxy / sxx }
'
sb theory --arch rnn --activation tanh --sigma-w2 1.5 --sigma-b2 0.1 --q-in 1 --depth 30
rcheck "--arch rnn tanh: rows t = 0..30, q_1 = sigma_b2 + q_in, ratio_{t-1} - ratio_t = log10(chi_t)/2, 0 at T, decay_rate the fitted slope, q_t -> q_star, xi = -1/ln chi1" "$RNN_AWK"'
  END {
    if (!hdr) print "header"
    if (n != 31) print n " rows"
    for (i = 1; i <= n; i++) if (t[i] != i - 1) print "row " i ": t " t[i]
    if (q[1] != "NaN" || chi[1] != "NaN") print "t = 0: q " q[1] ", chi " chi[1]
    if (abs(q[2] - 1.1) > 1e-12) print "q_1 = " q[2]
    if (r[n] != 0) print "last ratio " r[n]
    for (i = 2; i <= n; i++) if (abs(r[i - 1] - r[i] - log(chi[i]) / log(10) / 2) > 1e-12) print "step at t = " t[i]
    if (abs(dr / slope() - 1) > 1e-9) print "decay_rate " dr ", fitted " slope()
    if (abs(q[n] / qs - 1) > 1e-9 || abs(chi[n] / chi1 - 1) > 1e-9) print "q_30 " q[n] " vs q_star " qs
    if (abs(xi + 1 / log(chi1)) > 1e-9 * xi) print "xi " xi ", chi1 " chi1
    if (!(dr > 0.12 && dr < 0.14)) print "decay_rate " dr " (0.1293 expected)"
  }'
# by hand: linear, sigma_w2 0.7: q_t = 0.7 q_{t-1} + 0.6 from 0.6; chi = 0.7;
# decay -log10(0.7)/2 = 0.07745098; xi = -1/ln 0.7 = 2.8036; q* = 0.6/0.3 = 2
sb theory --arch rnn --activation linear --sigma-w2 0.7 --sigma-b2 0.1 --q-in 0.5 --depth 5
rcheck "--arch rnn linear by hand: q 0.6 1.02 1.314 1.5198 1.66386, chi 0.7, decay 0.0774509800, xi 2.8036, q_star 2" "$RNN_AWK"'
  END {
    split("0.6 1.02 1.314 1.5198 1.66386", h, " ")
    for (i = 1; i <= 5; i++) if (abs(q[i + 1] - h[i]) > 1e-12 || abs(chi[i + 1] - 0.7) > 1e-12) print "t = " i ": " q[i + 1] " " chi[i + 1]
    if (abs(dr - 0.07745098) > 1e-8 || abs(xi - 2.8036) > 1e-4 || abs(qs - 2) > 1e-9) print "decay " dr ", xi " xi ", q_star " qs
    if (n != 6) print n " rows"
  }'
sb theory --arch rnn --activation relu --init he_normal --depth 4
rcheck "--arch rnn relu under he_normal: chi 1, flat ratios, decay 0, xi Inf" "$RNN_AWK"'
  END { for (i = 2; i <= n; i++) if (abs(chi[i] - 1) > 1e-12 || abs(r[i]) > 1e-12) print "t = " t[i] ": " chi[i] " " r[i]
        if (abs(dr) > 1e-12 || xi != "Inf") print "decay " dr ", xi " xi }'
sb theory --arch rnn --activation tanh --init standard --depth 3
rcheck "--arch rnn --init standard: sigma_w2 1/3, q_in = sigma_w2 q0 = 1/3 by default, q_1 = 1/3" "$RNN_AWK"'
  /^# satbench theory --arch rnn: / && !/sigma_w2 = 0.3333333333333333, sigma_b2 = 0, q_in = 0.3333333333333333, T = 3$/ { print "comment: " $0 }
  END { if (abs(q[2] - 1/3) > 1e-15) print "q_1 " q[2] }'
sb theory --arch rnn --activation tanh --sigma-w2 1.5 --sigma-b2 0.05 --q0 2 --depth 2
rcheck "--arch rnn --q0 2: q_in = sigma_w2 q0 = 3, q_1 = 3.05" "$RNN_AWK"'
  END { if (abs(q[2] - 3.05) > 1e-12) print "q_1 " q[2] }'
for a in sigmoid tanh; do
  sb theory --arch rnn --activation $a --init critical --depth 2
  rcheck "--arch rnn --init critical ($a): the recurrent edge of chaos the grid draws, q_in = q0 = 1, chi1 = 1" "$RNN_AWK"'
    /^# satbench theory --arch rnn: / && !/sigma_b2 = 0.05, q_in = 1, T = 2$/ { print "comment: " $0 }
    /^# q_star = / { v = $0; sub(/.*chi1 = /, "", v); sub(/,.*/, "", v); if (abs(v - 1) > 1e-9) print "chi1 " v }'
done
sb theory --arch mlp --activation tanh --sigma-w2 1.5 --sigma-b2 0.05 --depth 6 --q0 2
cp "$out" "$T/mlp-arch"
sb theory --activation tanh --sigma-w2 1.5 --sigma-b2 0.05 --depth 6 --q0 2
if cmp -s "$out" "$T/mlp-arch"; then t_pass "--arch mlp is the default's output, byte for byte"
else t_fail "--arch mlp is the default's output, byte for byte" "$(diff "$out" "$T/mlp-arch")"; fi

# ---- bad invocations ---------------------------------------------------------------

bad() { t_re=$1; shift; expect_fail 2 "^satbench: theory: .*$t_re" theory "$@"; }
bad "--activation" --sigma-w2 1
bad "--activation.*'tnah'.*'tanh'" --activation tnah --sigma-w2 1
bad "--init.*--sigma-w2" --activation tanh --init standard --sigma-w2 1
bad "--sigma-w2.*--init" --activation tanh
bad "--sigma-w2.*'abc'" --activation tanh --sigma-w2 abc
bad "--sigma-w2.*0" --activation tanh --sigma-w2 0
bad "--sigma-w2.*-1" --activation tanh --sigma-w2 -1
bad "--sigma-w2.*'inf'" --activation tanh --sigma-w2 inf
bad "--sigma-w2.*'1x'" --activation tanh --sigma-w2 1x
bad "--sigma-b2.*-0.1" --activation tanh --sigma-w2 1 --sigma-b2 -0.1
bad "--depth.*'0'" --activation tanh --sigma-w2 1 --depth 0
bad "--depth.*'3x'" --activation tanh --sigma-w2 1 --depth 3x
bad "--depth.*twice" --activation tanh --sigma-w2 1 --depth 3 --depth 4
bad "--q0.*0" --activation tanh --sigma-w2 1 --q0 0
bad "--init.*'bogus'" --activation tanh --init bogus
bad "--init.*gelu.*no critical" --activation gelu --init critical
bad "--sigma-b2.*critical" --activation tanh --init critical --sigma-b2 0.1
bad "--width.*--init" --activation tanh --sigma-w2 1 --width 10
bad "--sigma-w2.*--phase" --activation tanh --phase --sigma-w2 1
bad "--depth.*--critical-line" --activation tanh --critical-line --depth 3
bad "--phase.*--critical-line" --activation tanh --phase --critical-line
bad "--phase.*takes no value" --activation tanh --phase=1
bad "--sigma-w2-range.*'1:0:0.1'" --activation tanh --phase --sigma-w2-range 1:0:0.1
bad "--sigma-w2-range.*'0:1:0.1'" --activation tanh --phase --sigma-w2-range 0:1:0.1
bad "--sigma-b2-range.*'0:1'" --activation tanh --phase --sigma-b2-range 0:1
bad "--sigma-b2-range.*'0:1:0'" --activation tanh --critical-line --sigma-b2-range 0:1:0
bad "--sigma-w2-range.*only with" --activation tanh --sigma-w2 1 --sigma-w2-range 1:2:1
bad "--foo: unknown option" --activation tanh --sigma-w2 1 --foo 2
bad "'stray'" --activation tanh --sigma-w2 1 stray
bad "--sigma-w2.*needs a value" --activation tanh --sigma-w2
bad "--arch: 'lstm'.*(valid: mlp, rnn)" --arch lstm --activation tanh --sigma-w2 1 --depth 3
bad "--depth: --arch rnn needs" --arch rnn --activation tanh --sigma-w2 1
bad "--phase: not with --arch rnn" --arch rnn --activation tanh --phase
bad "--critical-line: not with --arch rnn" --arch rnn --activation tanh --critical-line
bad "--precision: not with --arch rnn" --arch rnn --activation tanh --sigma-w2 1 --depth 3 --precision fp16
bad "--q-in: only with --arch rnn" --activation tanh --sigma-w2 1 --q-in 1
bad "--q-in: -1" --arch rnn --activation tanh --sigma-w2 1 --depth 3 --q-in -1
bad "--q-in: 'abc'" --arch rnn --activation tanh --sigma-w2 1 --depth 3 --q-in abc
bad "--q-in and --q0" --arch rnn --activation tanh --sigma-w2 1 --depth 3 --q-in 1 --q0 2
bad "--sigma-w2.*--init" --arch rnn --activation tanh --depth 3
bad "--arch.*twice" --arch rnn --arch mlp --activation tanh --sigma-w2 1 --depth 3

# ---- --precision: where a format flushes the error ---------------------------------
# By hand: relu at sigma_w2 = 1 has chi = 1/2 at every layer, so the rms
# error of layer l is E 2^(-(depth-l)/2); with E = 2^-20, depth 20 and
# fp16 (u = 2^-24), layer l = 20 - d holds s = 2^(-20-d/2), and half of
# its entries are 0 where s <= (u/2) / 0.6744897502 (the median of
# |N(0,1)|): d >= 2 (5 + log2 0.6744897502) = 8.864, flush depth 9.  Its
# flushed_frac is P(|N(0, s^2)| <= u/2) = erf(2^-25 / (sqrt 2 s)): at d = 9
# (layer 11) erf(1/2) = 0.5204998778, at d = 8 (layer 12) erf(1/(2 sqrt 2))
# = 0.3829249225.  A loss scale of 8 = 2^3 moves the threshold 6 layers
# down: d >= 14.864, flush depth 15.  In fp64 (u = 2^-1074) none: NaN.
pcheck()   # DESC AWK: the awk program on the whole output, prints what is wrong
{
  ck_msg=$(awk -F '\t' "$2" "$out" 2>&1)
  if test "$rc" -eq 0 && test -z "$ck_msg" && test ! -s "$err"; then t_pass "$1"
  else t_fail "$1" "exit $rc" "$ck_msg" "stderr: $(cat "$err")" "stdout: $(head -n 8 "$out")"; fi
}
sb theory --activation relu --sigma-w2 1 --depth 20 --precision fp16 --top-error 9.5367431640625e-07
pcheck "relu, sigma_w2 1, depth 20, fp16, top error 2^-20: flush depth 9, layer 11 flushed erf(1/2), layer 12 erf(1/(2 sqrt 2)), rms 2^-20 and 2^-24" '
  function abs(x) { return x < 0 ? -x : x }
  /^# flush_depth = / { fd = $0; sub(/^# flush_depth = /, "", fd); sub(/ .*/, "", fd) }
  /^layer\t/ { hdr = $0 == "layer\tq\tchi\tlog10_delta_ratio\trms_error\tflushed_frac"; next }
  /^#/ { next }
  { n++ }
  $1 == 11 && abs($6 - 0.520499877813) > 1e-9 { print "layer 11 flushed_frac " $6 }
  $1 == 12 && abs($6 - 0.382924922548) > 1e-9 { print "layer 12 flushed_frac " $6 }
  $1 == 20 && abs($5 / 2^-20 - 1) > 1e-12 { print "layer 20 rms_error " $5 }
  $1 == 12 && abs($5 / 2^-24 - 1) > 1e-9 { print "layer 12 rms_error " $5 }
  END { if (fd != "9") print "flush_depth " fd ", not 9"; if (!hdr) print "header"; if (n != 20) print n " rows" }'
sb theory --activation relu --sigma-w2 1 --depth 20 --precision fp16 --top-error 9.5367431640625e-07 --loss-scale 8
pcheck "the same with --loss-scale 8: flush depth 15, layer 20's rms 2^-17" '
  function abs(x) { return x < 0 ? -x : x }
  /^# flush_depth = / { fd = $0; sub(/^# flush_depth = /, "", fd); sub(/ .*/, "", fd) }
  /^#/ || /^layer/ { next }
  $1 == 20 && abs($5 / 2^-17 - 1) > 1e-12 { print "layer 20 rms_error " $5 }
  END { if (fd != "15") print "flush_depth " fd ", not 15" }'
sb theory --activation relu --sigma-w2 1 --depth 20 --precision fp64 --top-error 9.5367431640625e-07
pcheck "the same in fp64: no layer flushes (NaN), flushed_frac below 1e-300 (u/2 = 2^-1075)" '
  /^# flush_depth = / { fd = $0; sub(/^# flush_depth = /, "", fd); sub(/ .*/, "", fd) }
  /^#/ || /^layer/ { next }
  !($6 + 0 >= 0 && $6 + 0 < 1e-300) { print "layer " $1 " flushed_frac " $6 }
  END { if (fd != "NaN") print "flush_depth " fd ", not NaN" }'
# The default top error, cross-entropy at init: rms sqrt(C-1)/(C B) at the
# output, times sqrt(C v_out E[phi'^2]) one layer down; relu at sigma_w2 2
# (E[phi'^2] = 1/2), fan-in output weights v_out = 2/width:
#   C 10, B 256, width 1000: 3/2560 sqrt(10 x 0.002 x 0.5) = 1.171875e-4;
#   C 2, B 100, width 50: 1/200 sqrt(2 x 0.04 x 0.5) = 1e-3.
for case in "10 256 1000 1.171875e-4" "2 100 50 1e-3"; do
  set -- $case
  if test "$1" = 10; then sb theory --activation relu --sigma-w2 2 --depth 3 --precision fp16
  else sb theory --activation relu --sigma-w2 2 --depth 3 --precision fp16 --classes "$1" --probe-size "$2" --width "$3"; fi
  pcheck "default top error, $1 classes, $2 examples, width $3: $4" "
    /^# top_error = / { t = \$0; sub(/^# top_error = /, \"\", t); sub(/ .*/, \"\", t)
                        d = t / $4 - 1; if (d < -1e-9 || d > 1e-9) print \"top_error \" t \", not $4\"; seen = 1 }
    END { if (!seen) print \"no top_error line\" }"
done
bad "--precision.*--depth" --activation tanh --sigma-w2 1 --precision fp16
bad "--precision.*'fp99'" --activation tanh --sigma-w2 1 --depth 3 --precision fp99
bad "--loss-scale.*only with --precision" --activation tanh --sigma-w2 1 --depth 3 --loss-scale 8
bad "--loss-scale.*0" --activation tanh --sigma-w2 1 --depth 3 --precision fp16 --loss-scale 0
bad "--top-error.*-1" --activation tanh --sigma-w2 1 --depth 3 --precision fp16 --top-error -1
bad "--classes.*--top-error" --activation tanh --sigma-w2 1 --depth 3 --precision fp16 --top-error 1e-3 --classes 3
bad "--classes.*'1'" --activation tanh --sigma-w2 1 --depth 3 --precision fp16 --classes 1
bad "--precision.*--phase" --activation tanh --phase --precision fp16

if test -w /dev/full; then
  "$SATBENCH" theory --activation tanh --phase >/dev/full 2>"$T/full.err"
  rc=$?
  if test "$rc" -eq 1 && test "$(lines "$T/full.err")" -eq 1; then t_pass "theory --phase >/dev/full -> exit 1, one line"
  else t_fail "theory --phase >/dev/full -> exit 1, one line" "exit $rc: $(cat "$T/full.err")"; fi
fi

t_done
