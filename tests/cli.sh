#!/bin/sh
# cli.sh - satbench's command line against its contract (the manual,
# "Commands" and "Tables"): help and version, the
# table `satbench run` prints (columns, rows, numbers, determinism, seeds),
# the lists, config-file layering, and that every bad invocation exits 2
# with one line on stderr naming the option (or file and line) at fault.
# Writes only under ./tests/out in the build directory.

. "${srcdir:-.}/tests/lib.sh"
t_init cli

# A cell small enough to train in milliseconds.
SMALL="--depths 2 --widths 8 --train-size 64 --test-size 32 --batch 8 --input-dim 4 --classes 3"

# layers.tsv columns as the program lists them; the contract's columns
# must be among them, in the contract's order.
# (precision and loss_scale only in an emulated grid's tables: not these)
COLUMNS=$("$SATBENCH" list columns | awk -F '\t' '$1 == "layers.tsv" && $2 !~ /^(precision|loss_scale|arch|clip|forget_bias|t)$/ { printf "%s ", $2 }')
t_in_order "satbench list columns has layers.tsv's contracted columns" \
  "cell activation init depth width seed step layer grad_w_norm grad_b_norm delta_norm act_mean act_std
   act_p02 act_p98 preact_std sat_frac dead_frac update_ratio" "$COLUMNS"

# check_table DESC FILE DEPTH "STEPS": FILE is a run's stdout; it must have
# '#' comment lines, then the header row with exactly COLUMNS, then one row
# per (step in STEPS, layer 1..DEPTH+1) in that order, each with as many
# fields as the header, integers and numbers where they belong (columns
# found by name).
check_table()
{
  ct_problems=$(awk -F '\t' -v want="$(echo $COLUMNS)" -v depth="$3" -v steps="$4" '
    function bad(msg) { if (nbad++ < 5) print msg }
    BEGIN {
      ns = split(steps, st, " ")
      for (i = 1; i <= ns; i++)
        for (l = 1; l <= depth + 1; l++) { k++; wstep[k] = st[i]; wlayer[k] = l }
      nwant = k
      num = "^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$"
      split("cell depth width seed step layer", ints, " ")
      split("activation init norm residual optimizer loss", texts, " ")
    }
    /^#/ { if (!header) ncomment++; next }
    !header {
      header = 1; nf = NF
      got = $1; for (i = 2; i <= NF; i++) { got = got " " $i }
      for (i = 1; i <= NF; i++) col[$i] = i
      if (got != want) bad("header: " got)
      for (k in ints) isint[col[ints[k]]] = 1
      for (k in texts) istext[col[texts[k]]] = 1
      next
    }
    {
      rows++
      if (NF != nf) { bad("row " rows ": " NF " fields, header has " nf); next }
      for (i = 1; i <= NF; i++) {
        if (istext[i]) continue
        if (isint[i] && $i !~ /^[0-9]+$/) bad("row " rows ": field " i " = \"" $i "\" is not an integer")
        if (!isint[i] && $i !~ num && $i != "NaN" && $i != "Inf" && $i != "-Inf")
          bad("row " rows ": field " i " = \"" $i "\" is not a number")
      }
      if ($col["depth"] != depth) bad("row " rows ": depth " $col["depth"] ", expected " depth)
      if (rows <= nwant && ($col["step"] != wstep[rows] || $col["layer"] != wlayer[rows]))
        bad("row " rows ": step " $col["step"] " layer " $col["layer"] ", expected step " wstep[rows] " layer " wlayer[rows])
    }
    END {
      if (!ncomment) bad("no # comment lines above the header")
      if (!header) bad("no header row")
      if (rows != nwant) bad(rows + 0 " rows, expected " nwant)
    }' "$2")
  if test $? -eq 0 && test -z "$ct_problems"; then
    t_pass "$1"
  else
    t_fail "$1" "$ct_problems"
  fi
}

# metrics FILE: the measured columns (those after "layer") of a run's table rows.
metrics()
{
  awk -F '\t' '/^#/ { next } !h { h = 1; for (i = 1; i <= NF; i++) if ($i == "layer") first = i + 1; next } {
    s = $first; for (i = first + 1; i <= NF; i++) s = s "\t" $i; print s }' "$1"
}

# col_values FILE NAME: the distinct values of column NAME of the table rows.
col_values()
{
  awk -F '\t' -v name="$2" '/^#/ { next } !h { h = 1; for (i = 1; i <= NF; i++) if ($i == name) n = i; next }
    !seen[$n]++ { print $n }' "$1"
}

# expect_same DESC FILE1 FILE2 / expect_differ DESC FILE1 FILE2
expect_same()
{
  if cmp -s "$2" "$3"; then t_pass "$1"; else t_fail "$1" "$2 and $3 differ"; fi
}
expect_differ()
{
  if cmp -s "$2" "$3"; then t_fail "$1" "$2 and $3 are identical"; else t_pass "$1"; fi
}

# run_ok DESC ARGS...: `satbench run ARGS` exits 0 with a quiet stderr;
# its stdout is left in $out.
run_ok()
{
  ro_d=$1
  shift
  expect_ok "$ro_d" run "$@"
}

# bad REGEX ARGS...: `satbench run SMALL ARGS` is bad usage (exit 2) with a
# one-line message matching REGEX.  SMALL comes first so that the bad
# arguments override it, and a regression that accepts them runs quickly.
bad()
{
  b_re=$1
  shift
  t_label="run $(t_args "$@")"
  expect_fail 2 "$b_re" run $SMALL "$@"
}

# ---- help and version ------------------------------------------------------

expect_ok "satbench --help exits 0" --help
if grep -q '^usage: satbench' "$out"; then t_pass "--help prints usage on stdout"
else t_fail "--help prints usage on stdout" "stdout: $(head -n 2 "$out")"; fi

expect_ok "satbench run --help exits 0" run --help
missing=
for o in preset activations inits depths widths seed seed-index dataset input-dim classes \
         train-size test-size epochs steps batch lr optimizer loss log-every sat-threshold quiet; do
  grep -q -e "--$o[ =]" "$out" || missing="$missing --$o"
done
if grep -q '^usage: satbench run' "$out" && test -z "$missing"; then
  t_pass "run --help prints usage and every run option on stdout"
else
  t_fail "run --help prints usage and every run option on stdout" "missing:${missing:- the usage line}"
fi

expect_ok "satbench --version exits 0" --version
version_line=$(sed -n 1p "$out")
if { test "$(lines "$out")" -eq 5 || { test "$(lines "$out")" -eq 6 && sed -n 6p "$out" | grep -q '^MPI: yes'; }; } &&
   echo "$version_line" | grep -Eq '^satbench [0-9]+\.[0-9]+' &&
   sed -n 2p "$out" | grep -Eq '^BLAS: (openblas \(kernel [A-Za-z0-9]+\)|[^ ]+ \(kernel ([A-Za-z0-9]+ \+ )?libxsmm [a-z0-9_]+(, cblas from m\*n\*k 2\^[0-9]+)?\)|[^ ]+$)' &&
   sed -n 3p "$out" | grep -Eq '^GEMM: (auto: libxsmm|the CBLAS \(built without libxsmm\)$)' &&
   sed -n 4p "$out" | grep -Eq '^Kernels: (avx512f|avx2|default|baseline)$' &&
   sed -n 5p "$out" | grep -Eq '^OpenMP: [^ ]'; then
  t_pass "--version prints the version, BLAS, GEMM rule, kernels and OpenMP lines"
else
  t_fail "--version prints the version, BLAS, GEMM rule, kernels and OpenMP lines" "$(cat "$out")"
fi

sb
if test "$rc" -eq 2 && ! test -s "$out" && grep -q 'usage' "$err"; then
  t_pass "satbench with no arguments -> exit 2, usage on stderr"
else
  t_fail "satbench with no arguments -> exit 2, usage on stderr" "exit $rc" "stdout: $(head -n 2 "$out")"
fi
expect_fail 2 "'frobnicate'.*unknown command" frobnicate

# ---- the table of `satbench run` ------------------------------------------

run_ok "run with small sizes exits 0" $SMALL --steps 5 --log-every 2
cp "$out" "$T/base.tsv"
check_table "run --steps 5 --log-every 2: header, depth+1 rows for steps 0,2,4,5, numbers" "$T/base.tsv" 2 "0 2 4 5"
if test "$(sed -n 1p "$T/base.tsv")" = "# $version_line"; then
  t_pass "the first comment line is the version"
else
  t_fail "the first comment line is the version" "got: $(sed -n 1p "$T/base.tsv")" "expected: # $version_line"
fi
missing=
for kv in 'activations = tanh' 'inits = standard' 'depths = 2' 'widths = 8' 'seed = 1' \
          'seed-index = 0' 'train-size = 64' 'steps = 5' 'log-every = 2'; do
  grep -qx "# $kv" "$T/base.tsv" || missing="$missing '$kv'"
done
if test -z "$missing"; then t_pass "comments carry the resolved configuration and master seed"
else t_fail "comments carry the resolved configuration and master seed" "missing:$missing"; fi

run_ok "the same run again exits 0" $SMALL --steps 5 --log-every 2
expect_same "the same run twice gives byte-identical output" "$T/base.tsv" "$out"
OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 "$SATBENCH" run $SMALL --steps 5 --log-every 2 >"$T/threads2.tsv" 2>/dev/null
expect_same "OMP_NUM_THREADS=2 gives byte-identical output" "$T/base.tsv" "$T/threads2.tsv"
for arch in "--norms batchnorm" "--norms layernorm --residual 1" "--residual 2 --residual-scale 0.5"; do
  run_ok "run $arch exits 0" $SMALL --steps 5 --log-every 2 $arch
  cp "$out" "$T/arch1.tsv"
  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 "$SATBENCH" run $SMALL --steps 5 --log-every 2 $arch >"$T/arch2.tsv" 2>/dev/null
  expect_same "run $arch: byte-identical output on 2 threads" "$T/arch1.tsv" "$T/arch2.tsv"
  expect_differ "run $arch: differs from the plain net" "$T/base.tsv" "$T/arch1.tsv"
done

run_ok "--steps 0 exits 0" $SMALL --steps 0 --log-every 2
check_table "--steps 0 gives only step 0 rows" "$out" 2 "0"
run_ok "--log-every 0 exits 0" $SMALL --steps 5 --log-every 0
check_table "--log-every 0 measures at init and at the end only" "$out" 2 "0 5"
run_ok "--epochs 1 exits 0" $SMALL --epochs 1 --log-every 4
check_table "--epochs 1 is train-size/batch = 8 steps" "$out" 2 "0 4 8"
run_ok "a deeper cell exits 0" $SMALL --depths 5 --steps 1 --log-every 1
check_table "--depths 5 gives 6 rows per step" "$out" 5 "0 1"

# ---- seeds -------------------------------------------------------------------

metrics "$T/base.tsv" >"$T/base.m"
run_ok "--seed 1 (the preset's master seed) exits 0" $SMALL --steps 5 --log-every 2 --seed 1
expect_same "--seed 1 is the default: identical output" "$T/base.tsv" "$out"
run_ok "--seed 2 exits 0" $SMALL --steps 5 --log-every 2 --seed 2
cp "$out" "$T/seed2.tsv"
metrics "$out" >"$T/seed2.m"
expect_differ "--seed 2 changes the numbers" "$T/base.m" "$T/seed2.m"
run_ok "--seed 2 again exits 0" $SMALL --steps 5 --log-every 2 --seed 2
expect_same "the same --seed repeats exactly" "$T/seed2.tsv" "$out"
run_ok "--seed-index 1 exits 0" $SMALL --steps 5 --log-every 2 --seed-index 1
metrics "$out" >"$T/index1.m"
expect_differ "--seed-index 1 changes the numbers" "$T/base.m" "$T/index1.m"
if test "$(col_values "$out" seed)" = 1; then t_pass "--seed-index 1 rows have seed 1"
else t_fail "--seed-index 1 rows have seed 1" "seed column: $(col_values "$out" seed)"; fi

# ---- lists, and that every listed name runs --------------------------------

# The contract's names, each of which must be listed ...
ACTIVATIONS="sigmoid tanh softsign relu leaky_relu elu selu gelu swish softplus hardtanh linear"
INITS="standard normal uniform xavier_uniform xavier_normal he_normal he_uniform lecun_normal orthogonal critical meanfield"
DATASETS="gaussian mixture spirals"
PRESETS="quick cell"
# ... and every one the program lists must run.
LISTED_ACTIVATIONS=$("$SATBENCH" list activations | cut -f1 | tr '\n' ' ')

# check_list WHAT NAMES: `satbench list WHAT` starts a line with each name.
check_list()
{
  expect_ok "satbench list $1 exits 0" list "$1"
  cl_missing=
  for n in $2; do
    grep -Eq "^$n([[:space:]:[]|\$)" "$out" || cl_missing="$cl_missing $n"
  done
  if test -z "$cl_missing"; then t_pass "list $1 names every one of: $2"
  else t_fail "list $1 names every one of: $2" "missing:$cl_missing"; fi
}
check_list activations "$ACTIVATIONS"
check_list inits "$INITS"
check_list datasets "$DATASETS"
check_list presets "$PRESETS"
check_list figures "grad-layers saturation-training grad-vs-saturation heatmap depth histograms theory"
check_list columns "cells.tsv layers.tsv summary.tsv hist.tsv"
expect_fail 2 "list.*'bogus'" list bogus
# a value too long for its buffer is refused with the limit named, never cut
long=$(awk 'BEGIN { for (i = 0; i < 2500; i++) printf "%s2", (i ? "," : ""); }')
t_label="--depths of 4999 bytes"
expect_fail 2 "--depths: value of 4999 bytes is too long \\(at most 4095\\)" grid --depths "$long" --out "$T/long"
test -e "$T/long" && t_fail "the refused --depths wrote nothing" "$(ls "$T/long")" || t_pass "the refused --depths wrote nothing"
expect_fail 2 "list" list

failed=
for a in $LISTED_ACTIVATIONS; do
  sb run $SMALL --steps 1 --activations "$a"
  test "$rc" -eq 0 && test "$(col_values "$out" activation)" = "$a" || failed="$failed $a"
done
if test -z "$failed"; then t_pass "every listed activation trains a step ($(echo $LISTED_ACTIVATIONS | wc -w))"
else t_fail "every activation trains a step" "failed:$failed"; fi
failed=
for i in standard normal:0.3 uniform:0.2 xavier_uniform xavier_normal he_normal he_uniform \
         lecun_normal orthogonal orthogonal:1.5 critical:0.05 critical:0 meanfield:1.5 meanfield:1.5:0.1; do
  sb run $SMALL --steps 1 --inits "$i"
  test "$rc" -eq 0 && test "$(col_values "$out" init)" = "$i" || failed="$failed $i"
done
if test -z "$failed"; then t_pass "every init trains a step"
else t_fail "every init trains a step" "failed:$failed"; fi
run_ok "--dataset mixture" $SMALL --steps 1 --dataset mixture
run_ok "--dataset spirals --input-dim 2" $SMALL --steps 1 --dataset spirals --input-dim 2
run_ok "--optimizer momentum" $SMALL --steps 2 --optimizer momentum
run_ok "--optimizer adam --loss mse" $SMALL --steps 2 --optimizer adam --loss mse
run_ok "--preset cell with --opt=value spelling" --preset cell $SMALL --steps=1 --lr=0.1

# ---- bad invocations: exit 2, one line naming the option --------------------

bad '--actvations.*--activations' --actvations tanh
bad "^satbench: --activations: .*unknown.*'tnah'.*'tanh'" --activations tnah
bad "--activations.*twice" --activations tanh,tanh
bad "^satbench: --norms: unknown normalization 'batchnrom'.*batchnorm" --norms batchnrom
bad "^satbench: --norms: 'layernorm' appears twice" --norms layernorm,layernorm
bad "^satbench: --residual: 'none' appears twice" --residual 0,none
bad "^satbench: --residual: 'x' is neither none" --residual none,x
bad "^satbench: --residual: '2' appears twice" --residual 2,2
bad "^satbench: --residual-scale: -1 must be a positive number" --residual-scale -1
bad "^satbench: --norms: 'satbench run' runs one cell" --norms none,batchnorm
bad "^satbench: --inits: .*unknown.*'stndard'.*'standard'" --inits stndard
bad "^satbench: --inits: .*'normal:abc'" --inits normal:abc
bad "--inits.*normal" --inits normal
bad "--inits.*'critical:0.05'.*gelu.*no critical sigma_w2" --inits critical --activations gelu
bad "--inits.*meanfield.*SW2" --inits meanfield
bad "--inits.*meanfield:0" --inits meanfield:0
bad "--inits.*meanfield:1:-1" --inits meanfield:1:-1
bad "--depths.*12abc" --depths 12abc
bad "--depths.*0" --depths 0
bad "--depths.*-3" --depths -3
bad "--depths.*empty" --depths 2,,5
bad "--depths.*5:2" --depths 5:2
bad "--depths.*one cell" --depths 2,5
bad "--depths.*one cell" --depths 2:4
bad "--widths.*empty" --widths ''
bad "--lr.*nan" --lr nan
bad "--lr.*-1" --lr -1
bad "--lr.*0" --lr 0
bad "--lr.*inf" --lr inf
bad "--lr.*0.1x" --lr 0.1x
bad "--lr" --lr
bad "--batch.*100.*--train-size" --batch 100 --train-size 50
bad "--batch.*40.*--train-size" --batch 40 --train-size 32 --test-size 32
bad "--probe-size.*300.*training split" --probe-size 300
bad "--sat-threshold.*1.5" --sat-threshold 1.5
bad "--sat-threshold.*0" --sat-threshold 0
bad "--epochs.*--steps|--steps.*--epochs" --epochs 2 --steps 3
bad "--steps.*-1" --steps=-1
bad "--dataset.*'nope'" --dataset nope
bad "--input-dim.*spirals|spirals.*--input-dim" --dataset spirals --input-dim 3
bad "--classes.*1" --classes 1
bad "--optimizer.*'rmsprop'" --optimizer rmsprop
bad "--loss.*'hinge'" --loss hinge
bad "--seeds.*satbench run" --seeds 3
bad "--train_size.*--train-size" --train_size 64
bad "--quiet.*maybe" --quiet=maybe
bad "'stray'" stray
bad "'-x'" -x
bad "--preset.*'nosuch'" --preset nosuch
bad "--preset.*'cel'.*cell" --preset cel
bad "-c.*/nonexistent/file" -c /nonexistent/file
bad "-c" -c

# ---- config files ---------------------------------------------------------------

conf="$T/cell.conf"
cat >"$conf" <<'EOF'
# a small cell; keys may use '_' for '-'
depths = 3          # comments may follow a value
widths = 8

train_size = 64
test_size = 32
batch = 8
input_dim = 4
classes = 3
steps = 2
log_every = 1
EOF
run_ok "-c FILE exits 0" -c "$conf"
check_table "the file alone: depth 3, steps 0,1,2 (train_size etc. accepted)" "$out" 3 "0 1 2"
run_ok "-c FILE --depths 2 exits 0" -c "$conf" --depths 2
check_table "the command line overrides the file: depth 2" "$out" 2 "0 1 2"
run_ok "--depths 2 -c FILE exits 0" --depths 2 -c "$conf"
check_table "the command line overrides the file wherever -c stands" "$out" 2 "0 1 2"
run_ok "--config=FILE --epochs 1 --log-every 4 exits 0" --config="$conf" --epochs 1 --log-every 4
check_table "--epochs on the command line overrides the file's steps" "$out" 3 "0 4 8"

# Several -c files apply in order: a later one overrides an earlier one
# (its keys only), the command line overrides both.
printf 'depths = 4\nsteps = 2\n' >"$T/a.conf"
printf 'depths = 5\n' >"$T/b.conf"
run_ok "-c FILE -c A -c B exits 0" -c "$conf" -c "$T/a.conf" -c "$T/b.conf"
check_table "-c FILE -c A -c B: B's depth 5, A's steps, FILE's log-every" "$out" 5 "0 1 2"
run_ok "-c FILE -c B -c A exits 0" -c "$conf" -c "$T/b.conf" -c "$T/a.conf"
check_table "-c FILE -c B -c A: A's depth 4 (the later file wins)" "$out" 4 "0 1 2"
run_ok "-c FILE -c A --depths 2 -c B exits 0" -c "$conf" -c "$T/a.conf" --depths 2 -c "$T/b.conf"
check_table "the command line overrides every file: depth 2" "$out" 2 "0 1 2"
printf 'epochs = 1\n' >"$T/ep.conf"
run_ok "-c FILE(steps) -c EPOCHS --log-every 4 exits 0: each file is a layer of its own" -c "$conf" -c "$T/ep.conf" --log-every 4
check_table "a later file's epochs override an earlier one's steps" "$out" 3 "0 4 8"
printf 'depths = 3\nwidths = x\n' >"$T/bad1.conf"
bad "$T/bad1.conf:2:.*--widths" -c "$T/bad1.conf" -c "$T/b.conf"
bad "$T/bad1.conf:2:.*--widths" -c "$T/b.conf" -c "$T/bad1.conf"
bad "-c.*/nonexistent/first" -c /nonexistent/first -c "$T/b.conf"
printf 'preset = cell\n' >"$T/p1.conf"
printf '\n\npreset = nosuch\n' >"$T/p2.conf"
bad "$T/p2.conf:3:.*'nosuch'" -c "$T/p1.conf" -c "$T/p2.conf"

printf 'depths = 3\n# fine\n\nlr 0.1\n' >"$T/noeq.conf"
bad "$T/noeq.conf:4:" -c "$T/noeq.conf"
printf 'depths = 3\nlearning_rate = 0.1\n' >"$T/key.conf"
bad "$T/key.conf:2:.*learning_rate" -c "$T/key.conf"
printf 'widths = 8\nlr = abc\n' >"$T/val.conf"
bad "$T/val.conf:2:.*--lr.*abc" -c "$T/val.conf"
printf 'activations = tnah\n' >"$T/act.conf"
bad "$T/act.conf:1:.*--activations.*'tnah'.*tanh" -c "$T/act.conf"
printf 'steps = 2\nepochs = 1\n' >"$T/both.conf"
bad "$T/both.conf:2:.*--epochs.*--steps" -c "$T/both.conf"
printf '\npreset = nosuch\n' >"$T/preset.conf"
bad "$T/preset.conf:2:.*'nosuch'" -c "$T/preset.conf"
printf 'seeds = 3\n' >"$T/grid.conf"
bad "$T/grid.conf:1:.*--seeds" -c "$T/grid.conf"
bad "-c.*$T" -c "$T"

# ---- writes are checked ---------------------------------------------------------

if test -w /dev/full; then
  for args in "run $SMALL --steps 1" "--version" "--help" "list activations"; do
    "$SATBENCH" $args >/dev/full 2>"$T/full.err"
    rc=$?
    if test "$rc" -eq 1 && test "$(lines "$T/full.err")" -eq 1 && grep -q 'stdout' "$T/full.err"; then
      t_pass "satbench ${args%% *} >/dev/full -> exit 1, one line on stderr"
    else
      t_fail "satbench ${args%% *} >/dev/full -> exit 1, one line on stderr" "exit $rc" "stderr: $(cat "$T/full.err")"
    fi
  done
else
  echo "# /dev/full is missing: write-failure checks skipped"
fi

t_done
