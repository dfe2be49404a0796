#!/bin/sh
# mkref.sh SATBENCH DIR README - write the manual's reference parts into DIR as
# texinfo, from the program's own tables, so that they cannot drift:
#
#   ref-opts-CMD.texi  each command's `satbench CMD --help`: its usage, its
#                      prose and every option as a @table item, indexed
#                      in the option index as "--NAME (CMD)"; for grid and
#                      run, the default from the preset (quick, cell) where
#                      the help text does not say it
#   ref-columns.texi   `satbench list columns`: per table, every column
#                      with its unit and meaning ("NAME (TABLE)" in the
#                      column index)
#   ref-LIST.texi      `satbench list LIST` for presets, figures,
#                      activations, inits, datasets, statuses,
#                      precisions and archs ("NAME
#                      (KIND)" in the concept index)
#   ref-setup-example.texi, ref-cluster-example.texi
#                      README's set-up commands and cluster example, the
#                      lines between its <!-- setup-example: begin --> (or
#                      cluster-example) and end markers: one text for both,
#                      the one CI runs
#
# A file is replaced only when its text changes, so that a rebuilt
# satbench with the same tables leaves the manual alone (and a tarball's
# read-only source folder untouched: make distcheck).  The commands are
# those of `satbench --help`; tests/manual.sh checks that the built manual
# holds every entry the program lists.  The help texts are read as
# cli_usage prints them (src/cli.c, as man/mkman.sh reads them): an option
# or a name, two spaces or more, its help; a name too long for its column
# on a line of its own, its help indented below; text at the left margin
# is prose.
set -e
sb=$1
dir=$2
readme=$3
if test $# -ne 3 || test ! -x "$sb" || test ! -d "$dir" || test ! -r "$readme"; then
  echo "usage: mkref.sh SATBENCH DIR README" >&2
  exit 2
fi

tmp=${TMPDIR:-/tmp}/mkref.$$
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
mkdir "$tmp"

# texinfo's three special characters, in text of the program's
TEXI='function tx(s) { gsub(/@/, "@@", s); gsub(/\{/, "@{", s); gsub(/\}/, "@}", s); return s }
# prose: and a "--" that texinfo would set as a dash kept as two hyphens
function txp(s) { s = tx(s); gsub(/--/, "-@w{}-", s); return s }
# an index entry: no colon (info menus end an entry there), no brackets
function ix(s) { sub(/[:\[].*/, "", s); return tx(s) }'

"$sb" --help >"$tmp/top"
awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }' "$tmp/top" >"$tmp/commands"
test -s "$tmp/commands" || { echo "mkref.sh: no Commands: in $sb --help" >&2; exit 1; }
"$sb" list presets >"$tmp/presets"

# The settings of a preset as KEY<tab>VALUE, for the defaults of grid and run.
preset_settings() {
  awk -F '\t' -v p="$1" '!/^\t/ { on = ($1 == p); next } on { sub(/^\t/, ""); i = index($0, "="); print substr($0, 1, i - 1) "\t" substr($0, i + 1) }' "$tmp/presets"
}

while read -r cmd; do
  "$sb" "$cmd" --help >"$tmp/help" 2>&1 || { echo "mkref.sh: $sb $cmd --help failed" >&2; exit 1; }
  : >"$tmp/defaults"
  case $cmd in
    grid) preset_settings quick >"$tmp/defaults"; preset=quick ;;
    run) preset_settings cell >"$tmp/defaults"; preset=cell ;;
    *) preset= ;;
  esac
  awk -v cmd="$cmd" -v preset="$preset" "$TEXI"'
  FILENAME == ARGV[1] { split($0, kv, "\t"); dflt[kv[1]] = kv[2]; next }
  function flush_para() { if (para != "") { print txp(para); print ""; para = "" } }
  function close_item(    d, n, w, i, key) {
    if (item == "") return
    d = ihelp
    # the default from the preset when the help does not say one
    if (preset != "" && d !~ /default/) {
      n = split(item, w, /[ ,]+/)
      for (i = 1; i <= n; i++) if (w[i] ~ /^--/) { key = substr(w[i], 3); break }
      if (key in dflt && dflt[key] != "") d = d " (default in preset " preset ": " dflt[key] ")"
    }
    print "@item " tx(item)
    n = split(item, w, /[ ,]+/)
    short = ""
    for (i = 1; i <= n; i++) {
      if (w[i] ~ /^--/) { print "@opindex " ix(w[i]) " (" cmd ")"; short = "" ; indexed = 1 }
      else if (w[i] ~ /^-[A-Za-z]$/ && short == "") short = w[i]
    }
    if (!indexed && short != "") print "@opindex " ix(short) " (" cmd ")"
    if (!indexed && short == "" && item !~ /^-/ && cmd == "list") print "@opindex " ix(w[1]) " (" cmd ")"
    print txp(d)
    print ""
    item = ""; ihelp = ""; indexed = 0
  }
  function open_table() { if (!intable) { flush_para(); print "@table @code"; intable = 1 } }
  function close_table() { close_item(); if (intable) { print "@end table"; print ""; intable = 0 } }
  FNR == 1 && /^usage: / { print "@example"; print tx($0); inusage = 1; next }
  inusage && /^       *[^ ]/ { print tx($0); next }
  inusage { print "@end example"; print ""; inusage = 0 }
  /^$/ { close_table(); flush_para(); next }
  # a heading line of the help ("Options:", "Figures:")
  /^[A-Z][A-Za-z ()`=-]*:$/ { close_table(); flush_para(); print "@noindent"; print "@emph{" tx(substr($0, 1, length($0) - 1)) "}"; print ""; next }
  /^[^ ]/ { close_table(); para = para (para == "" ? "" : " ") $0; next }
  # continuation of an item: indented deeper than the names
  /^                  +[^ ]/ && (item != "" || pending != "") {
    s = $0; sub(/^ +/, "", s)
    if (pending != "") { item = pending; ihelp = s; pending = "" }
    else ihelp = ihelp " " s
    next
  }
  /^  [^ ]/ {
    s = $0; sub(/^  /, "", s)
    open_table(); close_item()
    if (s ~ /  +[^ ]/) {
      name = s; sub(/  +.*/, "", name)
      h = substr(s, length(name) + 1); sub(/^ +/, "", h)
      item = name; ihelp = h
    } else pending = s
    next
  }
  { s = $0; sub(/^ +/, "", s); para = para (para == "" ? "" : " ") s }
  END { close_table(); if (inusage) print "@end example"; flush_para() }
  ' "$tmp/defaults" "$tmp/help" >"$tmp/ref-opts-$cmd.texi"
done <"$tmp/commands"

# The columns, one @table per table file.
"$sb" list columns | awk -F '\t' "$TEXI"'
  $1 != cur { if (cur != "") print "@end table\n"; cur = $1
              print "@subheading @file{" tx(cur) "}\n@cindex " ix(cur) " (table)\n\n@table @code"; }
  { print "@item " tx($2) "\n@coindex " ix($2) " (" tx($1) ")\n@emph{" txp($3) "}: " txp($4) "\n" }
  END { if (cur != "") print "@end table" }' >"$tmp/ref-columns.texi"

# The other lists: NAME<tab>MEANING (presets: and their settings below).
for what in presets figures activations inits datasets statuses precisions archs; do
  kind=$(echo "$what" | sed 's/s$//; s/^statuse$/status/')
  "$sb" list "$what" | awk -F '\t' -v kind="$kind" "$TEXI"'
    BEGIN { print "@table @code" }
    /^\t/ { if (!ex) { print "@example"; ex = 1 } sub(/^\t/, ""); print tx($0); next }
    { if (ex) { print "@end example"; ex = 0 }
      m = ""; for (i = 2; i <= NF; i++) m = m (i > 2 ? "; " : "") $i
      print "@item " tx($1) "\n@cindex " ix($1) " (" kind ")\n" txp(m) "\n" }
    END { if (ex) print "@end example"; print "@end table" }' >"$tmp/ref-$what.texi"
done

# README's examples, the code blocks between the markers as they are.
for ex in setup cluster; do
  awk "$TEXI"'
    $0 ~ "<!-- " ex "-example: begin -->" { on = 1; print "@example"; next }
    $0 ~ "<!-- " ex "-example: end -->" { on = 0; print "@end example"; done = 1; next }
    on && /^```/ { if (!code && blocks++) print ""; code = !code; next }
    on && code { print tx($0) }
    END { if (!done) exit 1 }' ex="$ex" "$readme" >"$tmp/ref-$ex-example.texi" ||
    { echo "mkref.sh: no $ex-example markers in $readme" >&2; exit 1; }
done

# Into DIR, each file only when it changed.
for f in "$tmp"/ref-*.texi; do
  b=${f##*/}
  if ! cmp -s "$f" "$dir/$b"; then cp "$f" "$dir/$b.tmp" && mv "$dir/$b.tmp" "$dir/$b"; fi
done
# The list of files, for the build to check against its own list.
ls "$tmp" | grep '^ref-.*\.texi$' | sort
