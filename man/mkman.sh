#!/bin/sh
# mkman.sh SATBENCH TEMPLATE DATE - write the man page satbench.1 on stdout.
#
# The page is TEMPLATE (man/satbench.1.in, roff) with these lines replaced
# by text made from the program's own --help output, so that it lists
# exactly the commands and options SATBENCH takes, with their help:
#
#   @SYNOPSIS@  one line per command of `satbench --help`
#   @COMMANDS@  a subsection per command: its `satbench COMMAND --help`
#   @OPTIONS@   the "Options:" block of `satbench --help`
#
# and @VERSION@ (from `satbench --version`) and @DATE@ (DATE) replaced
# wherever they appear.  It reads the help texts as cli_usage prints them
# (src/cli.c): an option or a name, two spaces or more, its help; a name
# too long for its column on a line of its own with its help indented
# below; text at the left margin is prose.  tests/package.sh checks that
# every option of every command is in the page.
set -e
sb=$1
template=$2
date=$3
if test $# -ne 3 || test ! -x "$sb" || test ! -r "$template"; then
  echo "usage: mkman.sh SATBENCH TEMPLATE DATE" >&2
  exit 2
fi

tmp=${TMPDIR:-/tmp}/mkman.$$
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
mkdir "$tmp"

"$sb" --help >"$tmp/top"
version=$("$sb" --version | sed -n '1s/^satbench //p')
test -n "$version" || { echo "mkman.sh: $sb --version did not say its version" >&2; exit 1; }

# The commands, as `satbench --help` lists them: NAME and its synopsis.
awk '/^Commands:/ { on = 1; next }
     on && /^$/ { exit }
     on && /^  [a-z]/ {
       name = $1
       rest = substr($0, index($0, name) + length(name))
       sub(/^ +/, "", rest)
       sub(/  .*/, "", rest)
       print name "\t" rest
     }' "$tmp/top" >"$tmp/commands"
test -s "$tmp/commands" || { echo "mkman.sh: no Commands: in $sb --help" >&2; exit 1; }

# Roff helpers shared by the renderers below: esc() escapes backslashes
# and makes every hyphen a \- (so options copy and search as typed);
# text() guards a line that roff would take for a request; tag() sets an
# option's names in bold and its argument in italics.
ROFF='
function esc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); return s }
function text(s) { s = esc(s); if (s ~ /^[.'"'"']/) s = "\\&" s; return s }
function tag(t,    n, w, i, out, comma) {
  if (t !~ /^-/) return "\\fB" esc(t) "\\fR"
  n = split(t, w, " ")
  out = ""
  for (i = 1; i <= n; i++) {
    if (w[i] ~ /^-/) {
      comma = sub(/,$/, "", w[i])
      out = out (i > 1 ? " " : "") "\\fB" esc(w[i]) "\\fR" (comma ? "," : "")
    } else out = out " \\fI" esc(w[i]) "\\fR"
  }
  return out
}'

# render: one help text as roff.  Its usage lines (the first line and the
# indented ones under it) are set as they are, the command in bold; a
# line at the left margin is prose, filled into paragraphs; an indented
# "NAME  help" line is a tagged paragraph, and the lines indented deeper
# under it continue its help.
RENDER=$ROFF'
NR == 1 && /^usage: / {
  u = substr($0, 8)
  print ".nf"
  split(u, w, " ")
  lead = w[1] " " w[2]
  print "\\fB" esc(lead) "\\fR" text(substr(u, length(lead) + 1))
  usage = 1
  next
}
usage && /^ / { s = $0; if (s ~ /^       /) s = substr(s, 8); print text(s); next }
usage { print ".fi"; usage = 0 }
/^$/ { para = 0; tp = 0; next }
/^[^ ]/ { if (!para) print ".PP"; para = 1; tp = 0; print text($0); next }
{
  s = $0
  match(s, /^ */)
  indent = RLENGTH
  sub(/^ +/, "", s)
  if (indent >= 12 && tp) { print text(s); next }
  para = 0
  if (indent >= 12) { print ".IP"; print text(s); next }
  gap = match(s, /  +/)
  print ".TP"
  if (gap) { print tag(substr(s, 1, gap - 1)); print text(substr(s, gap + RLENGTH)) }
  else print tag(s)
  tp = 1
}
END { if (usage) print ".fi" }'

# @SYNOPSIS@
awk -F '\t' "$ROFF"'
  { if (NR > 1) print ".br"; print ".B satbench " $1; if ($2 != "") print text($2) }' "$tmp/commands" >"$tmp/synopsis"

# @OPTIONS@: the top level's options, rendered like a command's.
awk '/^Options:/ { on = 1; next } on && /^$/ { exit } on' "$tmp/top" | awk "$RENDER" >"$tmp/options"
test -s "$tmp/options" || { echo "mkman.sh: no Options: in $sb --help" >&2; exit 1; }

# @COMMANDS@
: >"$tmp/cmds"
for cmd in $(cut -f1 "$tmp/commands"); do
  "$sb" "$cmd" --help >"$tmp/help"
  printf '.SS "satbench %s"\n' "$cmd" >>"$tmp/cmds"
  awk "$RENDER" "$tmp/help" >>"$tmp/cmds"
done

awk -v version="$version" -v date="$date" -v dir="$tmp" '
  function put(file,    l) { while ((getline l < file) > 0) print l; close(file) }
  /^@SYNOPSIS@$/ { put(dir "/synopsis"); next }
  /^@COMMANDS@$/ { put(dir "/cmds"); next }
  /^@OPTIONS@$/ { put(dir "/options"); next }
  { gsub(/@VERSION@/, version); gsub(/@DATE@/, date); print }' "$template"
