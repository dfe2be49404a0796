# rnn.sh - recurrent cells in the grid (--archs, --clip, --forget-bias):
# a grid of mlp cells has the tables of a grid without the option (no arch
# column, no gates.tsv, no line in its fingerprint); a recurrent grid is
# byte-identical across threads and across shards and merge, `run --from`
# reprints its gates.tsv rows and --resume of a whole folder changes
# nothing; W_hh's spectrum in cells.tsv is the known one of orthogonal and
# identity inits (LAPACK's claims checked); at initialization each step's
# error shrinks by no more than sigma_max(W_hh) gamma (Pascanu et al.
# 2013's bound); a tiny --clip freezes training; bad values are refused
# with exit 2 and nothing written.
. "$srcdir/tests/lib.sh"
t_init rnn

BASE="--activations tanh --depths 8 --widths 16 --dataset gaussian --input-dim 16 --classes 4 --seeds 2
      --optimizers adam --lr 0.01 --batch 32 --steps 40 --log-every 20 --train-size 512 --test-size 128
      --probe-size 64 --eval-size 128 --quiet"
REC="$BASE --archs rnn,lstm,gru --inits orthogonal,identity:0.9 --forget-bias 1"

col() { grep -v '^#' "$1" | head -n 1 | tr '\t' '\n' | awk -v n="$2" '$0 == n { print NR; exit }'; }
# values DIR TABLE COLUMN AWK-CONDITION: COLUMN of the rows of DIR/TABLE.tsv where the condition holds
values()
{
  grep -v '^#' "$1/$2.tsv" | awk -F'\t' -v c="$(col "$1/$2.tsv" "$3")" "NR == 1 { for (i = 1; i <= NF; i++) k[\$i] = i; next } $4 { print \$c }"
}
same_tables()
{
  ok=1
  for f in "$1"/*.tsv; do cmp -s "$f" "$2/$(basename "$f")" || { ok=0; echo "# differs: $(basename "$f")"; }; done
  test $ok -eq 1 && test "$(cd "$1" && ls *.tsv)" = "$(cd "$2" && ls *.tsv)"
}

# 1. mlp named: the tables of before.
sb grid $BASE --inits orthogonal --out "$T/plain"
sb grid $BASE --inits orthogonal --archs mlp --out "$T/named"
same_tables "$T/plain" "$T/named" && ! test -e "$T/plain/gates.tsv" && ! grep -q 'arch' "$T/plain/cells.tsv" &&
  t_pass "--archs mlp writes the tables of a grid without it, byte for byte, with no arch column or gates.tsv" ||
  t_fail "--archs mlp writes the tables of a grid without it"

# 2. A recurrent grid: byte-identical over threads, shards and merge; run --from; resume.
sb grid $REC --threads 1 --out "$T/r1"
test "$rc" -eq 0 && test -s "$T/r1/gates.tsv" && test "$(values "$T/r1" cells status 1 | wc -l)" -eq 12 &&
  t_pass "a grid of rnn, lstm and gru cells runs: 12 cells and gates.tsv" ||
  t_fail "a grid of rnn, lstm and gru cells runs" "exit $rc: $(cat "$err")"
sb grid $REC --threads 2 --keep-records --out "$T/r2"
same_tables "$T/r1" "$T/r2" && t_pass "a recurrent grid's tables are byte-identical on 1 and 2 threads" ||
  t_fail "a recurrent grid's tables are byte-identical on 1 and 2 threads"
sb grid $REC --threads 1 --shard 0/2 --out "$T/sh"
sb grid $REC --threads 1 --shard 1/2 --out "$T/sh"
sb merge --out "$T/sh"
same_tables "$T/r1" "$T/sh" && t_pass "two shards and a merge write the one process's tables, gates.tsv included" ||
  t_fail "two shards and a merge write the one process's tables"
cell=$(values "$T/r1" cells cell '$k["arch"] == "gru" && $k["init"] == "orthogonal" && $k["seed"] == 1')
sb run --from "$T/r2" --cell "$cell" --table gates
grep -v '^#' "$out" | tail -n +2 > "$T/mine.rows"
grep -v '^#' "$T/r1/gates.tsv" | tail -n +2 | awk -F'\t' -v c="$cell" '$1 == c' > "$T/theirs.rows"
nlogs=$(cut -f"$(col "$T/r1/gates.tsv" step)" "$T/mine.rows" | sort -u | wc -l)
test "$rc" -eq 0 && test "$nlogs" -ge 3 && test "$(wc -l < "$T/mine.rows")" -eq $((nlogs * 8 * 2)) &&
  cmp -s "$T/mine.rows" "$T/theirs.rows" &&
  t_pass "run --from DIR --cell N --table gates: a GRU's $nlogs probes x 8 steps x 2 gates rows, byte for byte" ||
  t_fail "run --from DIR --cell N --table gates" "exit $rc: $(cat "$err")" "$(wc -l < "$T/mine.rows") rows"
cp -R "$T/r2" "$T/r3"
sb grid $REC --threads 2 --resume --out "$T/r3"
test "$rc" -eq 0 && same_tables "$T/r1" "$T/r3" && t_pass "--resume of a complete recurrent grid leaves its tables" ||
  t_fail "--resume of a complete recurrent grid" "exit $rc: $(cat "$err")"
gates=$(values "$T/r1" gates gate '$k["step"] == 0 && $k["t"] == 1' | sort -u | tr '\n' ' ')
test "$gates" = "f i o r z " && t_pass "gates.tsv names the LSTM's i, f, o and the GRU's r, z" ||
  t_fail "gates.tsv names the LSTM's i, f, o and the GRU's r, z" "got: $gates"

# layers.tsv's t: the time step on a recurrent cell's rows 1..T, NaN on its readout's (layer T + 1).
badt=$(grep -v '^#' "$T/r1/layers.tsv" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
  { want = $k["layer"] <= $k["depth"] ? $k["layer"] : "NaN"; if ($k["t"] != want) { print $k["cell"], $k["layer"], $k["t"]; exit } }')
test -n "$(col "$T/r1/layers.tsv" t)" && test -z "$badt" &&
  t_pass "layers.tsv's t is the time step on a recurrent cell's rows, NaN on the readout's" ||
  t_fail "layers.tsv's t column" "$badt"

# 3. W_hh's spectrum: orthogonal:1.3 has every singular value and |eigenvalue| 1.3, identity:0.9 0.9;
# tanh's gamma is 1.
sb grid $BASE --archs rnn --inits orthogonal:1.3,identity:0.9 --steps 0 --seeds 1 --out "$T/spec"
bad=$(grep -v '^#' "$T/spec/cells.tsv" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
  { want = $k["init"] == "identity:0.9" ? 0.9 : 1.3
    if ((($k["hh_rho0"] - want) ^ 2) > 1e-16 || (($k["hh_sigma_gamma0"] - want) ^ 2) > 1e-16) print $k["init"], $k["hh_rho0"], $k["hh_sigma_gamma0"] }')
test "$rc" -eq 0 && test -z "$bad" &&
  t_pass "hh_rho0 and hh_sigma_gamma0: 1.3 for orthogonal:1.3, 0.9 for identity:0.9 (to 1e-8)" ||
  t_fail "hh_rho0 and hh_sigma_gamma0 of orthogonal and identity W_hh" "$bad $(cat "$err")"

# 4. Pascanu's bound at init: ||dL/dh_{t-1}|| <= sigma_max(W_hh) gamma ||dL/dh_t|| for an Elman tanh
# cell, each step (stream_grad_norm of rows t-1 and t; the readout's row excluded), and the error
# does shrink into the past at gain 0.5.
sb grid $BASE --archs rnn --inits orthogonal:0.5 --steps 0 --seeds 1 --out "$T/pas"
viol=$(grep -v '^#' "$T/pas/layers.tsv" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
  $k["layer"] <= 8 { g[$k["layer"]] = $k["stream_grad_norm"] }
  END { for (t = 2; t <= 8; t++) if (g[t - 1] > 0.5 * g[t] * (1 + 1e-12)) print t, g[t - 1] / g[t]; if (!(g[1] < g[8] / 10)) print "no decay" }')
test "$rc" -eq 0 && test -z "$viol" &&
  t_pass "each step back the error shrinks at least to sigma_max gamma = 0.5 of the step after (orthogonal:0.5, tanh)" ||
  t_fail "Pascanu's bound at init" "$viol"
grep -q 'vanishes most in tanh · orthogonal:0.5 at depth 8.*the oldest of the last T steps' "$out" &&
  t_pass "the findings speak of time steps for recurrent cells (not of hidden layers)" ||
  t_fail "the findings speak of time steps for recurrent cells" "$(grep 'vanishes most' "$out")"

# 5. --clip: a bound of 1e-9 leaves the weights where they were (update ratios ~1e-9 / lr scale).
sb grid $BASE --archs rnn --inits orthogonal --optimizers sgd --lr 0.1 --clip 1e-9 --seeds 1 --out "$T/clip"
big=$(values "$T/clip" layers update_ratio '$k["step"] == 40' | awk '$1 > 1e-9 { print }')
sb grid $BASE --archs rnn --inits orthogonal --optimizers sgd --lr 0.1 --seeds 1 --out "$T/noclip"
moved=$(values "$T/noclip" layers update_ratio '$k["step"] == 40' | awk '$1 > 1e-6 { n++ } END { print n + 0 }')
test -z "$big" && test "$moved" -gt 0 && grep -q "^# clips = 1e-09" "$T/clip/cells.tsv" &&
  t_pass "--clip 1e-9 holds every update ratio at or below 1e-9 (without it $moved rows move more than 1e-6)" ||
  t_fail "--clip 1e-9 holds the updates" "big: $big; moved: $moved"

# 6. A sequence task: one dataset per length, the same bytes on 1 and 2 threads, run --from of a cell
# of the second length; the adding problem's chance loss is 1/2 Var(target) (H&S: target 0.5 + (X1 + X2)/4,
# X uniform on [-1, 1]: Var = 2 (1/3) / 16 = 1/24, chance 1/48 = 0.0208, less when a marked first step's
# value is 0 as the paper sets it, likelier at short lengths; up to the sample's spread).
SEQ="--dataset adding --archs rnn,lstm --activations tanh --inits xavier_normal --losses mse --depths 6,12 --widths 8 --seeds 1 --optimizers adam --lr 0.01
     --batch 16 --steps 30 --log-every 10 --train-size 256 --test-size 64 --probe-size 32 --eval-size 64 --quiet"
sb grid $SEQ --threads 1 --out "$T/s1"
rc1=$rc
sb grid $SEQ --threads 2 --keep-records --out "$T/s2"
test "$rc1" -eq 0 && test "$rc" -eq 0 && same_tables "$T/s1" "$T/s2" &&
  t_pass "an adding grid of lengths 6 and 12: byte-identical on 1 and 2 threads" ||
  t_fail "an adding grid of lengths 6 and 12" "exit $rc1/$rc: $(cat "$err")"
cell=$(values "$T/s1" cells cell '$k["arch"] == "lstm" && $k["depth"] == 12')
sb run --from "$T/s2" --cell "$cell" --table layers
test "$rc" -eq 0 && grep -q 'byte-identical' "$err" &&
  t_pass "run --from reruns the length-12 LSTM on its own length's data, byte for byte" ||
  t_fail "run --from of a length-12 cell" "exit $rc: $(cat "$err")"
digests=$(cat "$T"/s2/records/cell-*.rec | grep '^# data = ' | sort -u | wc -l)
chance=$(values "$T/s1" cells chance_loss 1 | sort -u | awk '{ printf "%s ", $1 }')
echo "$chance" | awk '{ for (i = 1; i <= NF; i++) if ($i < 0.01 || $i > 0.027) exit 1; exit NF != 2 }' &&
  test "$digests" -eq 2 &&
  t_pass "two lengths, two datasets (record digests), each with chance loss in [0.01, 0.027] (1/48 and less): $chance" ||
  t_fail "two lengths, two datasets, chance near 1/48" "chance: $chance; digests: $digests"
expect_fail 2 "--archs: the adding task is for recurrent cells" grid $SEQ --archs mlp,rnn --out "$T/bad9"
expect_fail 2 "--losses: the adding task's targets are real numbers; it needs mse, not xent" grid $SEQ --losses xent \
  --out "$T/bad10"
expect_fail 2 "--depths: the adding task needs sequences of at least 6 steps" grid $SEQ --depths 4 --out "$T/bad11"

# 7. Bad input: exit 2, nothing written.
expect_fail 2 "--archs: unknown architecture 'lsmt' \\(did you mean 'lstm'\\?\\)" grid $BASE --archs lsmt --out "$T/bad1"
expect_fail 2 "--inits: identity is for recurrent cells" grid $BASE --archs mlp,rnn --inits identity --out "$T/bad2"
expect_fail 2 "--depths: .* 7 does not divide" grid $BASE --archs rnn --depths 7 --inits orthogonal --out "$T/bad3"
expect_fail 2 "--clip: -1 must be a finite number >= 0" grid $BASE --archs rnn --clip -1 --out "$T/bad4"
expect_fail 2 "--norms: recurrent cells" grid $BASE --archs gru --norms batchnorm --out "$T/bad5"
expect_fail 2 "--precisions, --loss-scales: recurrent cells" grid $BASE --archs lstm --precisions fp16 --out "$T/bad6"
expect_fail 2 "--forget-biases: only the LSTM has a forget gate" grid $BASE --archs rnn,gru --forget-biases 0,1 --out "$T/bad7"
expect_fail 2 "--clips: '1' appears twice" grid $BASE --archs rnn --clips 1,1 --out "$T/bad8"
# the memory check counts a recurrent cell's work: 5000 steps of an LSTM of 64 units over 288 rows want
# about 24 GiB a cell, where a feed-forward net of that depth and width would want 4 (exit 1 at setup before)
# (AddressSanitizer reserves terabytes of address space for its shadow: no
# ulimit -v there, as in limits.sh)
if grep -qa '__asan_init' "$SATBENCH"; then
  t_skip "a grid of 5000-step LSTMs over the memory there is: refused before anything is written" \
    "AddressSanitizer build"
else
  (ulimit -v 16000000; "$SATBENCH" grid --dataset adding --archs lstm --losses mse --activations tanh --inits xavier_normal \
    --depths 5000 --widths 64 --probe-size 256 --steps 0 --threads 2 --out "$T/bad12" >"$T/mem.out" 2>"$T/mem.err")
  mrc=$?
  test "$mrc" -eq 2 && grep -q "the grid needs about .* GiB" "$T/mem.err" &&
    t_pass "a grid of 5000-step LSTMs over the memory there is: refused (exit 2) before anything is written" ||
    t_fail "the memory check counts a recurrent cell's work" "exit $mrc: $(cat "$T/mem.err")"
fi
ls "$T"/bad* >/dev/null 2>&1 && t_fail "a refused grid writes nothing" "$(ls -d "$T"/bad*)" ||
  t_pass "a refused grid writes nothing"

t_done
