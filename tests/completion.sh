# completion.sh - the bash completion (contrib/bash-completion/satbench)
# driven as bash drives it (COMP_WORDS, COMP_CWORD, then _satbench): it
# learns everything from `satbench list --complete` alone; --select KEY=
# and run --table complete; a name the program's tables gain (a preset, an
# activation) is offered with no change to the script; and every option that
# refuses a value with a "(valid: ...)" list completes to that same list.
# tests/package.sh drives the rest (options, files, folders, lists).
. "$srcdir/tests/lib.sh"
t_init completion
command -v bash >/dev/null 2>&1 || t_skip_all "no bash"

TA=$(cd "$T" && pwd)
COMPLETION=$srcdir/contrib/bash-completion/satbench
case $COMPLETION in /*) ;; *) COMPLETION=$(pwd)/$COMPLETION ;; esac
mkdir -p "$TA/cwd" "$TA/bin"

# comp PROG WORD...: what _satbench offers for "PROG WORD..." with the
# cursor at the end of the last WORD, sorted, on one line.
comp()
{
  (cd "$TA/cwd" && bash -c '. "$1" || exit 1; shift
     COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
     _satbench; printf "%s\n" "${COMPREPLY[@]}"' \
     _ "$COMPLETION" "$@") 2>"$TA/comp.err" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
sorted() { printf '%s\n' $1 | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'; }
# expect_comp DESC "WANT" PROG WORD...
expect_comp()
{
  ec_d=$1 ec_want=$2
  shift 2
  ec_have=$(comp "$@")
  if test "$ec_have" = "$ec_want" && ! test -s "$TA/comp.err"; then t_pass "completion: $ec_d"
  else t_fail "completion: $ec_d" "$*<TAB>" "offers: $ec_have" "wanted: $ec_want" "$(cat "$TA/comp.err")"; fi
}

# A satbench that logs every call, then runs the real one.
cat >"$TA/bin/traced" <<EOF2
#!/bin/sh
printf '%s\n' "\$*" >>"$TA/calls"
exec "$SATBENCH" "\$@"
EOF2
chmod +x "$TA/bin/traced"
S=$TA/bin/traced

# -- --select KEY=VALUE and run --table -----------------------------------------
keys=$("$SATBENCH" list --complete plot --select | grep '=$')
expect_comp "plot --select: the keys, each an axis's column or seed" \
  "activation= arch= clip= depth= forget_bias= init= loss= loss_scale= lr= norm= optimizer= precision= residual= seed= width=" "$S" plot --select ''
test "$(sorted "$keys")" = "activation= arch= clip= depth= forget_bias= init= loss= loss_scale= lr= norm= optimizer= precision= residual= seed= width=" &&
  t_pass "list --complete plot --select: the keys" || t_fail "list --complete plot --select: the keys" "$keys"
expect_comp "plot --select in: the key" "init=" "$S" plot --select in
expect_comp "plot --select init=he: its values (split at '=' as bash does)" "he_normal he_uniform" "$S" plot --select init = he
expect_comp "plot --select activation=tanh,s: the next value, not one it has" \
  "tanh,selu tanh,sigmoid tanh,softplus tanh,softsign tanh,swish" "$S" plot --select activation = tanh,s
expect_comp "plot --select=optimizer=a" "adam" "$S" plot --select = optimizer = a
expect_comp "plot --select norm=: every normalization" "batchnorm layernorm none" "$S" plot --select norm = ''
expect_comp "run --table: the tables of one cell's rows" "cells curves gates hist layers log2hist precision spectra" "$S" run --table ''
expect_comp "run --table c" "cells curves" "$S" run --table c
expect_comp "run --from DIR --cell 0 --ta" "--table" "$S" run --from x --cell 0 --ta

# -- only satbench list --complete is asked --------------------------------------
: >"$TA/calls"
for w in "grid --" "grid --activations ''" "grid --inits he_" "grid --preset ''" "run --dataset ''" "plot --only h" \
         "plot --format pdf," "theory --activation ta" "list ''" "data ''" "compare ''" "''" "merge --o"; do
  eval "comp \"\$S\" $w" >/dev/null
done
other=$(grep -v '^list --complete' "$TA/calls" | head -n 3)
n=$(lines "$TA/calls")
if test "$n" -gt 10 && test -z "$other"; then t_pass "the completion asks satbench only 'list --complete ...' ($n calls)"
else t_fail "the completion asks satbench only 'list --complete ...'" "$n calls; others: $other"; fi

# -- a name the tables gain is offered, the script unchanged ----------------------
# A satbench whose tables have one more preset and activation.
cat >"$TA/bin/grown" <<EOF2
#!/bin/sh
case "\$*" in
  "list --complete grid --preset") "$SATBENCH" "\$@"; echo zz_newpreset ;;
  "list --complete grid --activations") "$SATBENCH" "\$@"; echo zz_newact ;;
  "list --complete plot --select") "$SATBENCH" "\$@"; echo activation=zz_newact ;;
  *) exec "$SATBENCH" "\$@" ;;
esac
EOF2
chmod +x "$TA/bin/grown"
expect_comp "a new preset of the program's table" "zz_newpreset" "$TA/bin/grown" grid --preset zz
expect_comp "a new activation of the program's table" "relu,zz_newact" "$TA/bin/grown" grid --activations relu,z
expect_comp "a new activation under --select" "zz_newact" "$TA/bin/grown" plot --select activation = zz

# -- every "(valid: ...)" list is the completion's list ----------------------------
# satbench CMD --OPT=? refuses with the valid values; list --complete CMD --OPT
# must name the same (normal:STD as normal:, orthogonal[:GAIN] as orthogonal,
# csv:PATH as csv:).  A guard argument the command refuses keeps ? from running.
nchecked=0
bad=
for cmd in grid run plot theory merge report compare data; do
  case $cmd in
    grid | run) guard="--batch 0" ;;
    plot) guard="--data ''" ;;
    theory) guard="--depth 0" ;;
    *) guard= ;;
  esac
  for opt in $("$SATBENCH" list --complete "$cmd" | awk -F'\t' '$1 ~ /^--/ && $2 != "" { print $1 }'); do
    msg=$(cd "$TA/cwd" && eval "\"\$SATBENCH\" $cmd $opt=? $guard" 2>&1 >/dev/null)
    case $msg in *'(valid: '*) ;; *) continue ;; esac
    want=$(printf '%s\n' "$msg" | sed 's/.*(valid: \([^)]*\)).*/\1/' | tr -d ' ' | tr ',' '\n' |
           sed 's/\[.*//; s/:[A-Z].*/:/' | LC_ALL=C sort | tr '\n' ' ')
    have=$("$SATBENCH" list --complete "$cmd" "$opt" | cut -f1 | LC_ALL=C sort | tr '\n' ' ')
    nchecked=$((nchecked + 1))
    test "$want" = "$have" || bad="$bad
$cmd $opt: valid: $want; list --complete: $have"
  done
done
if test "$nchecked" -ge 12 && test -z "$bad"; then t_pass "every option's '(valid: ...)' list is its completion ($nchecked options)"
else t_fail "every option's '(valid: ...)' list is its completion" "$nchecked options checked$bad"; fi
left=$(ls -A "$TA/cwd")
test -z "$left" && t_pass "completing and checking wrote nothing" || t_fail "completing and checking wrote nothing" "$left"

# -- satbench list --complete itself -------------------------------------------------
expect_fail 2 '^satbench: list: --complete \[COMMAND \[OPTION\]\]: too many arguments$' list --complete grid --preset x
sb list --complete nosuch
test "$rc" -eq 0 && ! test -s "$out" && t_pass "list --complete of an unknown command: nothing" ||
  t_fail "list --complete of an unknown command: nothing" "exit $rc: $(cat "$out" "$err")"

t_done
