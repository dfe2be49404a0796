#!/bin/sh
# manpage.sh - the man page against the program, each list taken from the
# program itself (never a list kept here): every option of every command's
# --help in that command's SYNOPSIS, a default for every option of grid and
# run that takes a value, and the options grid and run share described once.
# Writes only under ./tests/out in the build directory.

. "${srcdir:-.}/tests/lib.sh"
t_init manpage

man=man/satbench.1
test -f "$man" || man=$srcdir/man/satbench.1
test -f "$man" || { echo "Bail out! neither man/satbench.1 nor $srcdir/man/satbench.1" >&2; exit 99; }

# The commands, as satbench --help lists them.
COMMANDS=$("$SATBENCH" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }')
test -n "$COMMANDS" || { echo "Bail out! no Commands: in satbench --help" >&2; exit 99; }

# opts CMD: "LONG ALIAS" (ALIAS "-" if none) for every option line of
# satbench CMD --help but -h, --help; a help that lists several usages
# (run --from) lists the options of each.
opts()
{
  "$SATBENCH" "$1" --help | awk '
    /^  -/ {
      t = substr($0, 3)
      if (match(t, /  +/)) t = substr(t, 1, RSTART - 1)
      if (t == "-h, --help") next
      alias = "-"
      if (t ~ /^-[^-], /) { alias = substr(t, 1, 2); t = substr(t, 5) }
      sub(/ .*/, "", t)
      print t, alias
    }'
}

# synopsis CMD: the SYNOPSIS lines of CMD (each ".B satbench CMD" and the
# line after it), hyphens unescaped.
synopsis()
{
  awk -v cmd="$1" '
    /^\.SH / { on = ($0 ~ /^\.SH SYNOPSIS/); next }
    on && $0 == ".B satbench " cmd { take = 1; next }
    on && take { print; take = 0 }' "$man" | sed 's/\\-/-/g'
}

# ---- every option of every command in its SYNOPSIS --------------------------
missing= n=0
for cmd in $COMMANDS; do
  synopsis "$cmd" >"$T/syn-$cmd"
  test -s "$T/syn-$cmd" || { missing="$missing $cmd(no SYNOPSIS line)"; continue; }
  opts "$cmd" >"$T/opts-$cmd"
  while read -r long alias; do
    n=$((n + 1))
    # the option as a word: "[--compress]", "[--out DIR]", "--activation A", "[-d DIR"
    if grep -E -q -e "(^|[[ (|])$long([] =]|\$)" "$T/syn-$cmd"; then continue; fi
    if test "$alias" != - && grep -E -q -e "(^|[[ (|])$alias([] ]|\$)" "$T/syn-$cmd"; then continue; fi
    missing="$missing $cmd:$long"
  done <"$T/opts-$cmd"
done
if test "$n" -lt 50; then
  t_fail "the options of every command's --help read" "only $n options"
elif test -z "$missing"; then
  t_pass "SYNOPSIS: each command has every option of its --help ($n options)"
else
  t_fail "SYNOPSIS: each command has every option of its --help" "missing:$missing" \
    "(man/mkman.sh writes the SYNOPSIS from the usage lines of each command's --help)"
fi

# ---- a default for every option of grid and run that takes a value ----------
for cmd in grid run; do
  # the options of its first usage (run's second, --from DIR --cell N,
  # has options that must be given)
  "$SATBENCH" "$cmd" --help | awk '
    /^usage: / && ++u > 1 { exit }
    /^  -/ {
      s = substr($0, 3)
      if (match(s, /  +/)) { tag = substr(s, 1, RSTART - 1); help = substr(s, RSTART + RLENGTH) }
      else { tag = s; getline l; sub(/^ +/, "", l); help = l }
      if (tag == "-h, --help") next
      if (tag !~ /^(-., )?--[^ ]+ [^ ]/) next     # a flag: off unless given
      if (help !~ /default/) print tag
    }' >"$T/nodefault-$cmd"
  if test -s "$T/nodefault-$cmd"; then
    t_fail "satbench $cmd --help: every option that takes a value says its default" \
      "no default: $(tr '\n' ';' <"$T/nodefault-$cmd")"
  else
    t_pass "satbench $cmd --help: every option that takes a value says its default"
  fi
done
# The defaults shown are the presets': --depths of grid is quick's, of run
# cell's (as satbench list presets gives them).
preset_depths() { "$SATBENCH" list presets | awk -F '\t' -v p="$1" '!/^\t/ { on = ($1 == p) } on && /^\tdepths=/ { sub(/^\tdepths=/, ""); print; exit }'; }
help_depths() { "$SATBENCH" "$1" --help | sed -n 's/^  --depths LIST .*(default: \([^)]*\))$/\1/p'; }
QD=$(preset_depths quick) CD=$(preset_depths cell)
if test -n "$QD" && test "$(help_depths grid)" = "$QD" && test "$(help_depths run)" = "$CD"; then
  t_pass "--help: --depths' default is the preset's (grid: quick's $QD, run: cell's $CD)"
else
  t_fail "--help: --depths' default is the preset's" "grid says '$(help_depths grid)', quick has '$QD'" \
    "run says '$(help_depths run)', cell has '$CD'"
fi

# ---- the options grid and run share, described once --------------------------
# In the page, an option is described where a tagged paragraph names it:
# ".TP" then "\fB\-\-name\fR ..."
opts grid | cut -d ' ' -f 1 | sort >"$T/g.names"
opts run | cut -d ' ' -f 1 | sort >"$T/r.names"
comm -12 "$T/g.names" "$T/r.names" >"$T/shared"
# (counted in the subsections of grid, of run, and of the two)
awk '/^\.S[SH] / { on = ($0 ~ /^\.SS "(satbench grid|satbench run|Options of grid and run)"/) }
     on && /^\.TP$/ { getline; gsub(/\\-/, "-"); if (match($0, /\\fB--[a-z0-9-]+\\fR/)) print substr($0, RSTART + 3, RLENGTH - 6) }' \
  "$man" >"$T/described"
twice=
while read -r o; do
  c=$(grep -c -x -F -e "$o" "$T/described")
  test "$c" -eq 1 || twice="$twice $o($c)"
done <"$T/shared"
if test "$(wc -l <"$T/shared")" -lt 20; then
  t_fail "grid and run share their options" "only $(wc -l <"$T/shared") in common"
elif test -z "$twice"; then
  t_pass "the $(wc -l <"$T/shared" | tr -d ' ') options grid and run share are each described once in the page"
else
  t_fail "the options grid and run share are each described once" "described (times):$twice"
fi
# ... with both defaults where they differ.
sect=$(awk '/^\.SS "Options of grid and run"/ { on = 1; next } /^\.S[SH] / { on = 0 } on' "$man" | sed 's/\\-/-/g')
if printf '%s\n' "$sect" | grep -q -F -e "(default: $QD for grid, $CD for run)"; then
  t_pass "Options of grid and run: --depths with grid's default and run's"
else
  t_fail "Options of grid and run: --depths with grid's default and run's" \
    "$(printf '%s\n' "$sect" | grep -A2 -e '--depths' | head -n 3)"
fi

t_done
