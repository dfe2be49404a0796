# manual.sh - the manual describes everything the program lists.  The
# built manual ($srcdir/doc/satbench.info: under make distcheck the one
# the tarball ships) must hold, as index entries "NAME (KIND)", every
# option of every command's --help (the option index), every column of
# every table (the column index) and every preset, figure, activation,
# init, dataset and status (the concept index), and a node for every
# command of `satbench --help`; and every column must have a unit and a
# meaning in table.c (`satbench list columns`).  A member added to a table
# and not described, or a manual not remade since, fails here by name.
. "$srcdir/tests/lib.sh"
t_init manual

info=$srcdir/doc/satbench.info
html=$srcdir/doc/manual.html
if ! test -r "$info"; then
  t_fail "the manual $info exists" "missing"
  t_done
fi

# The index entries of the info file: "* NAME (KIND):" (a repeated entry
# gets " <N>"), as "NAME (KIND)" lines; and the nodes.
sed -n 's/^\* \(.* ([^()]*)\)\( <[0-9]*>\)\{0,1\}: .*/\1/p' "$info" | LC_ALL=C sort -u >"$T/entries"
sed -n 's/^Node: \([^\x7f]*\)\x7f.*/\1/p' "$info" >"$T/nodes"
test -s "$T/entries" && test -s "$T/nodes" && t_pass "the manual has index entries and nodes" ||
  t_fail "the manual has index entries and nodes" "entries: $(wc -l <"$T/entries"), nodes: $(wc -l <"$T/nodes")"

# missing KIND-FILE: the lines "NAME (KIND)" of the file not among the entries.
missing() { LC_ALL=C sort -u "$1" | LC_ALL=C comm -23 - "$T/entries"; }
# An index entry stops at ':' and '[' (info menus; mkref.sh does the same).
key() { sed 's/[:[].*//'; }

# Commands: a node each, and the options of each command's --help.
"$SATBENCH" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }' >"$T/commands"
ncmd=$(wc -l <"$T/commands")
nonode=$(while read -r c; do grep -qx "$c" "$T/nodes" || printf '%s ' "$c"; done <"$T/commands")
test "$ncmd" -gt 5 && test -z "$nonode" && t_pass "every command of satbench --help ($ncmd) has its node in the manual" ||
  t_fail "every command of satbench --help has its node in the manual" "commands: $ncmd" "without a node: $nonode"

: >"$T/opts"
while read -r c; do
  # an option line: two spaces, then the names up to two spaces (or the line's end)
  "$SATBENCH" "$c" --help 2>/dev/null | sed -n 's/^  \(-[^ ].*\)$/\1/p' | sed 's/   *.*//' |
    tr ' ,' '\n\n' | grep -- '^--[a-z]' | key | sed "s/\$/ ($c)/" >>"$T/opts"
done <"$T/commands"
nopt=$(LC_ALL=C sort -u "$T/opts" | wc -l)
gone=$(missing "$T/opts" | tr '\n' ';')
test "$nopt" -gt 100 && test -z "$gone" && t_pass "every option of every command's --help ($nopt) is in the manual's option index" ||
  t_fail "every option of every command's --help is in the manual's option index" "options: $nopt" "not in the manual: $gone"

# Columns: each described in table.c, each in the manual.
"$SATBENCH" list columns >"$T/columns"
undoc=$(awk -F '\t' 'NF != 4 || $3 == "" || $3 == "?" || $4 == "" || $4 ~ /UNDOCUMENTED/ { printf "%s %s; ", $1, $2 }' "$T/columns")
ncol=$(wc -l <"$T/columns")
test "$ncol" -gt 100 && test -z "$undoc" && t_pass "satbench list columns gives every column ($ncol) a unit and a meaning" ||
  t_fail "satbench list columns gives every column a unit and a meaning" "columns: $ncol" "without: $undoc"
awk -F '\t' '{ print $2 " (" $1 ")" }' "$T/columns" >"$T/cols"
gone=$(missing "$T/cols" | tr '\n' ';')
test -z "$gone" && t_pass "every column of every table is in the manual's column index" ||
  t_fail "every column of every table is in the manual's column index" "not in the manual: $gone"

# The other lists.
for what in presets figures activations inits datasets statuses precisions archs; do
  kind=$(echo "$what" | sed 's/s$//; s/^statuse$/status/')
  "$SATBENCH" list "$what" | grep -v '^	' | cut -f1 | key | sed "s/\$/ ($kind)/" >"$T/$what"
  n=$(wc -l <"$T/$what")
  gone=$(missing "$T/$what" | tr '\n' ';')
  test "$n" -gt 0 && test -z "$gone" && t_pass "every one of satbench list $what ($n) is in the manual" ||
    t_fail "every one of satbench list $what is in the manual" "listed: $n" "not in the manual: $gone"
done

# The HTML manual is made from the same source: every command's section
# and every column is in it.
if test -r "$html"; then
  gone=$(while read -r c; do grep -q "satbench $c</code>" "$html" || printf '%s ' "$c"; done <"$T/commands")
  gone=$gone$(cut -f2 "$T/columns" | LC_ALL=C sort -u | while read -r n; do grep -q "<code>$n</code>" "$html" || printf '%s ' "$n"; done)
  test -z "$gone" && t_pass "the HTML manual has every command and column" ||
    t_fail "the HTML manual has every command and column" "missing: $gone"
else
  t_fail "the HTML manual $html exists" "missing"
fi

t_done
