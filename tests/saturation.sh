# saturation.sh - the phenomenon itself, on a reduced `saturation` preset
# (2 seeds, 300 steps, width 64: about a second): saturation develops in
# training where the learning rate or the optimizer drives it and not where
# it does not, sigmoid learning stalls as its units saturate, and ReLUs die.
# The numbers are read from curves_summary.tsv, means over the seeds.
. "$srcdir/tests/lib.sh"
t_init saturation

sb grid --preset saturation --lrs 0.1,1 --optimizers sgd,adam --seeds 2 --steps 300 --widths 64 \
  --train-size 1024 --test-size 256 --threads 2 --quiet --out "$T/sat"
test "$rc" -eq 0 && t_pass "the reduced saturation preset runs" || t_fail "the reduced saturation preset runs" "exit $rc: $(cat "$err")"

# at ACT LR OPT STEP COLUMN: the value in curves_summary.tsv
at()
{
  grep -v '^#' "$T/sat/curves_summary.tsv" | awk -F'\t' -v a="$1" -v lr="$2" -v o="$3" -v s="$4" -v col="$5" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $(c["activation"]) == a && $(c["lr"]) == lr && $(c["optimizer"]) == o && $(c["step"]) == s { print $(c[col]) }'
}
# check DESC EXPR: an awk condition on the numbers given as v1, v2, ...
check()
{
  t_d=$1 t_e=$2
  shift 2
  if awk -v e="$t_e" -v args="$*" 'BEGIN {
       n = split(args, v, " ")
       for (i = 1; i <= n; i++) if (v[i] == "" || v[i] == "NaN") exit 1
       exit 0 }' && awk "BEGIN { split(\"$*\", v, \" \"); exit !($t_e) }"; then
    t_pass "$t_d ($*)"
  else
    t_fail "$t_d" "values: $*"
  fi
}

# tanh under SGD: at lr 1 the saturated fraction of the hidden layers
# rises from near 0 over the run; at lr 0.1 it stays near 0.
check "tanh, SGD lr 1: saturated fraction from < 0.05 at step 0 to > 0.3 at step 300, rising at 10, 100, 300" \
  'v[1] < 0.05 && v[4] > 0.3 && v[1] <= v[2] && v[2] < v[3] && v[3] < v[4]' \
  "$(at tanh 1 sgd 0 sat_frac_mean)" "$(at tanh 1 sgd 10 sat_frac_mean)" "$(at tanh 1 sgd 100 sat_frac_mean)" \
  "$(at tanh 1 sgd 300 sat_frac_mean)"
check "tanh, SGD lr 0.1: the saturated fraction stays < 0.05 while the loss falls below half the start" \
  'v[1] < 0.05 && v[2] < 0.5 * v[3]' "$(at tanh 0.1 sgd 300 sat_frac_mean)" \
  "$(at tanh 0.1 sgd 300 eval_train_loss_mean)" "$(at tanh 0.1 sgd 0 eval_train_loss_mean)"
# Adam at lr 0.1: tanh and sigmoid saturate within ten updates, both at the
# top (sat_high) and the bottom (sat_low).
check "tanh, Adam lr 0.1: saturated fraction > 0.6 by step 10" 'v[1] < 0.05 && v[2] > 0.6' \
  "$(at tanh 0.1 adam 0 sat_frac_mean)" "$(at tanh 0.1 adam 10 sat_frac_mean)"
check "sigmoid, Adam lr 0.1: saturated fraction from 0 to > 0.5 by step 10, low and high ends both" \
  'v[1] < 0.05 && v[2] > 0.5 && v[3] > 0.05 && v[4] > 0.05' "$(at sigmoid 0.1 adam 0 sat_frac_mean)" \
  "$(at sigmoid 0.1 adam 10 sat_frac_mean)" "$(at sigmoid 0.1 adam 300 sat_low_mean)" "$(at sigmoid 0.1 adam 300 sat_high_mean)"
# ... and then it learns nothing: the loss stays within 3% of the chance
# loss (the label entropy of the training split, cells.tsv) while the
# gradient norm falls.
chance=$(grep -v '^#' "$T/sat/cells.tsv" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $(c["chance_loss"]); exit }')
check "sigmoid, Adam lr 0.1: loss at step 300 within 3% of the chance loss, gradient norm down 5x" \
  'v[1] < 1.03 * v[2] && v[3] < 0.2 * v[4]' "$(at sigmoid 0.1 adam 300 eval_train_loss_mean)" "$chance" \
  "$(at sigmoid 0.1 adam 300 grad_norm_mean)" "$(at sigmoid 0.1 adam 0 grad_norm_mean)"
st=$(grep -v '^#' "$T/sat/cells.tsv" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $(c["activation"]) == "sigmoid" && $(c["optimizer"]) == "adam" && $(c["lr"]) == "0.1" { printf "%s ", $(c["status"]) }')
# They are at chance with no usable gradient left at the first layer: 'vanished'.
test "$st" = "vanished vanished " && t_pass "those sigmoid cells are 'vanished' in cells.tsv" || t_fail "those sigmoid cells are 'vanished' in cells.tsv" "got: $st"
# ReLUs die during training: SGD at lr 1 slowly, Adam at 0.1 within ten updates.
check "relu, SGD lr 1: dead fraction from < 0.02 to > 0.05 and 5x its start by step 300" \
  'v[1] < 0.02 && v[2] > 0.05 && v[2] > 5 * v[1]' "$(at relu 1 sgd 0 dead_frac_mean)" "$(at relu 1 sgd 300 dead_frac_mean)"
check "relu, Adam lr 0.1: dead fraction > 0.5 by step 10" 'v[1] < 0.02 && v[2] > 0.5' \
  "$(at relu 0.1 adam 0 dead_frac_mean)" "$(at relu 0.1 adam 10 dead_frac_mean)"
check "relu, SGD lr 0.1: dead fraction stays < 0.05" 'v[1] < 0.05' "$(at relu 0.1 sgd 300 dead_frac_mean)"

t_done
