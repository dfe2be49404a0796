#!/bin/sh
# mkman.sh SATBENCH TEMPLATE DATE - write the man page satbench.1 on stdout.
#
# The page is TEMPLATE (man/satbench.1.in, roff) with these lines replaced
# by text made from the program's own --help output, so that it lists
# exactly the commands and options SATBENCH takes, with their help:
#
#   @SYNOPSIS@  each command's usage lines, from `satbench COMMAND --help`,
#               "[options]" spelled out as the command's every option
#   @COMMANDS@  a subsection per command: its `satbench COMMAND --help`;
#               the options grid and run share are left out of theirs
#               and listed once, in a subsection of their own, with both
#               defaults where the two commands' differ
#   @OPTIONS@   the "Options:" block of `satbench --help`
#   @PRESETS@   `satbench list presets`: each preset, what it does and its
#               measured run time (bench/preset-times.tsv, compiled in)
#
# and @VERSION@ (from `satbench --version`) and @DATE@ (DATE) replaced
# wherever they appear.  It reads the help texts as cli_usage prints them
# (src/cli.c): an option or a name, two spaces or more, its help; a name
# too long for its column on a line of its own with its help indented
# below; text at the left margin is prose.  tests/package.sh checks that
# every option of every command is in the page, tests/manpage.sh that it
# is in the SYNOPSIS.
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
/^usage: / {
  u = substr($0, 8)
  if (NR > 1) print ".PP"
  para = 0; tp = 0
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

# opts: a help text's options as "TAG<tab>HELP" lines (-h, --help left
# out), a name on a line of its own joined with its help below.
OPTS='
/^  -/ {
  s = substr($0, 3)
  if (match(s, /  +/)) { tag = substr(s, 1, RSTART - 1); help = substr(s, RSTART + RLENGTH) }
  else { tag = s; getline l; sub(/^ +/, "", l); help = l }
  if (tag != "-h, --help") print tag "\t" help
}'

# @SYNOPSIS@: a command's usage lines, each "usage: satbench CMD ..." at
# the left margin (a second form of it starting "satbench CMD" further
# in, continuations indented deeper), one form a line, "[options]"
# spelled out as the options listed under that usage.
: >"$tmp/synopsis"
for cmd in $(cut -f1 "$tmp/commands"); do
  "$sb" "$cmd" --help >"$tmp/help"
  awk -v cmd="$cmd" -v first="$(test -s "$tmp/synopsis" && echo 0 || echo 1)" "$ROFF"'
    # pass 1: the options under each usage, as "[--name ARG]" words
    FNR == NR {
      if (/^usage: /) u++
      if ($0 ~ /^  -/ && $0 !~ /^  -h, --help/) {
        t = substr($0, 3)
        if (match(t, /  +/)) t = substr(t, 1, RSTART - 1)
        if (t ~ /^-., /) t = substr(t, 5)      # -c, --config FILE: the long name
        opts[u] = opts[u] (opts[u] == "" ? "" : " ") "[" t "]"
      }
      next
    }
    function flush() {
      if (!inform) return
      if (!first) print ".br"
      first = 0
      sub(/ *\[options\]/, " " opts[v], form)
      sub(/^ +/, "", form); sub(/ +$/, "", form)
      print ".B satbench " cmd
      if (form != "") print text(form)
      inform = 0
    }
    /^usage: / { flush(); v++; s = $0; sub(/^usage: satbench [^ ]+ ?/, "", s); form = s; inform = 1; next }
    inform && /^ +satbench / { flush(); s = $0; sub(/^ +satbench [^ ]+ ?/, "", s); form = s; inform = 1; next }
    inform && /^ +[^ ]/ { s = $0; sub(/^ +/, "", s); form = form " " s; next }
    { flush() }
    END { flush() }' "$tmp/help" "$tmp/help" >>"$tmp/synopsis"
done

# @OPTIONS@: the top level's options, rendered like a command's.
awk '/^Options:/ { on = 1; next } on && /^$/ { exit } on' "$tmp/top" | awk "$RENDER" >"$tmp/options"
test -s "$tmp/options" || { echo "mkman.sh: no Options: in $sb --help" >&2; exit 1; }

# The options grid and run share (the same name and help, but for their
# defaults, which come from their presets): listed once, in the grid's
# order, with the default of each, or both where they differ.
"$sb" grid --help | awk -F '\t' "$OPTS" >"$tmp/opts.grid"
"$sb" run --help | awk -F '\t' "$OPTS" >"$tmp/opts.run"
awk -F '\t' '
  function base(h) { sub(/ \(default: [^()]*\)$/, "", h); return h }
  function dflt(h) { return match(h, / \(default: [^()]*\)$/) ? substr(h, RSTART + 11, RLENGTH - 12) : "" }
  FNR == NR { run[$1] = $2; next }
  ($1 in run) && base($2) == base(run[$1]) {
    g = dflt($2); r = dflt(run[$1]); h = base($2)
    if (g == r && g != "") h = h " (default: " g ")"
    else if (g != r) h = h " (default: " (g == "" ? "none" : g) " for grid, " (r == "" ? "none" : r) " for run)"
    print $1 "\t" h
  }' "$tmp/opts.run" "$tmp/opts.grid" >"$tmp/shared"
test -s "$tmp/shared" || { echo "mkman.sh: grid and run share no option" >&2; exit 1; }

# @COMMANDS@: grid's and run's without the shared options, which follow
# them in a subsection of their own.
: >"$tmp/cmds"
for cmd in $(cut -f1 "$tmp/commands"); do
  "$sb" "$cmd" --help >"$tmp/help"
  printf '.SS "satbench %s"\n' "$cmd" >>"$tmp/cmds"
  case $cmd in
  grid|run)
    other=run; test "$cmd" = run && other=grid
    awk -v shared="$tmp/shared" -v other="$other" '
      BEGIN { while ((getline l < shared) > 0) is[substr(l, 1, index(l, "\t") - 1)] = 1 }
      /^Options/ {
        print "Its own options (long names are also the keys of a `key = value` config file;"
        print "those it shares with " other " are under \"Options of grid and run\" below):"
        next
      }
      /^  -/ {
        s = substr($0, 3)
        tag = match(s, /  +/) ? substr(s, 1, RSTART - 1) : s
        if (tag in is) { if (tag == s) getline; next }
      }
      { print }' "$tmp/help" | awk "$RENDER" >>"$tmp/cmds"
    ;;
  *) awk "$RENDER" "$tmp/help" >>"$tmp/cmds" ;;
  esac
  if test "$cmd" = run; then
    printf '.SS "Options of grid and run"\n%s\n' \
      "The options both commands take, and the keys of a config file for both." >>"$tmp/cmds"
    awk -F '\t' '{ print "  " $1 "  " $2 }' "$tmp/shared" | awk "$RENDER" >>"$tmp/cmds"
  fi
done
grep -q '^.SS "Options of grid and run"' "$tmp/cmds" || { echo "mkman.sh: no run command" >&2; exit 1; }

# @PRESETS@: a tagged paragraph per preset.
"$sb" list presets | awk -F '\t' "$ROFF"'
  !/^\t/ { print ".TP"; print "\\fB" esc($1) "\\fR"; print text($2) }' >"$tmp/presets"
test -s "$tmp/presets" || { echo "mkman.sh: $sb list presets printed none" >&2; exit 1; }

awk -v version="$version" -v date="$date" -v dir="$tmp" '
  function put(file,    l) { while ((getline l < file) > 0) print l; close(file) }
  /^@SYNOPSIS@$/ { put(dir "/synopsis"); next }
  /^@COMMANDS@$/ { put(dir "/cmds"); next }
  /^@OPTIONS@$/ { put(dir "/options"); next }
  /^@PRESETS@$/ { put(dir "/presets"); next }
  { gsub(/@VERSION@/, version); gsub(/@DATE@/, date); print }' "$template"
