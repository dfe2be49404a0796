#!/bin/sh
# badinput.sh - a sweep of hostile input: every option of `satbench grid`
# (read from its --help, so a new option is swept too) with every value of
# a list of malformed ones, on the command line and in a config file;
# malformed CSV and IDX datasets.  Each must be handled: exit 0 (a value
# that is valid after all) or exit 2 with exactly one line on stderr, no
# raw control byte in it, nothing on stdout and no --out folder -- never a
# crash, a hang, exit 1 or a partial folder.  The counts are printed as
# "# N hostile inputs tried, N handled" for the closing note of issue 13.
. "${srcdir:-.}/tests/lib.sh"
t_init badinput

export OMP_NUM_THREADS=1
BASE="--activations tanh --inits standard --depths 1 --widths 4 --seeds 1 --steps 0 --train-size 16 --test-size 4
      --batch 4 --input-dim 3 --classes 2 --probe-size 8 --eval-size 8 --quiet"
# A guard against a hang (a healthy run takes milliseconds), generous so
# that a loaded machine never trips it: no synchronisation.
if command -v timeout >/dev/null 2>&1; then TO="timeout 120"; else TO=; fi
ESC=$(printf '\033')
CTRL=$(printf '[\001-\010\013-\037]')   # control bytes but tab and newline (ESC is \033)
LONG=$(awk 'BEGIN { s = ""; while (length(s) < 5000) s = s "9"; print s }')
tried=0
handled=0

# handled_run DESC ARGS...: run satbench; 0 when the outcome is one of the
# handled ones (see the top), else 1 with the reason added to $bad (the
# current group's failures, which its caller empties and reports).
handled_run()
{
  hr_desc=$1
  shift
  $TO "$SATBENCH" "$@" >"$T/o" 2>"$T/e" </dev/null
  hr_rc=$?
  tried=$((tried + 1))
  why=
  if test "$hr_rc" -eq 0; then
    :
  elif test "$hr_rc" -eq 2; then
    hr_lines=$(wc -l < "$T/e")
    if test "$hr_lines" -ne 1; then why="$hr_desc: exit 2 with $hr_lines lines on stderr: $(head -c 300 "$T/e")"
    elif grep -q "$CTRL" "$T/e"; then why="$hr_desc: a raw control byte in the message"
    elif test -s "$T/o"; then why="$hr_desc: exit 2 but stdout has: $(head -c 200 "$T/o")"
    elif test -e "$T/never"; then why="$hr_desc: exit 2 but --out was created"
    fi
  else
    why="$hr_desc: exit $hr_rc: $(head -c 300 "$T/e")"
  fi
  if test -e "$T/never"; then rm -rf "$T/never"; fi
  if test -z "$why"; then handled=$((handled + 1)); return 0; fi
  bad="$bad${bad:+; }$why"
  return 1
}

VALUES_FILE="$T/values"
{
  printf '%s\n' '' '-1' '0' 'abc' '1e999' 'nan' '99999999999999999999' '1,,2' '2:1:1' ' 5' "$LONG" "tanh$ESC[31m"
} > "$VALUES_FILE"
n_values=$(wc -l < "$VALUES_FILE")

options=$("$SATBENCH" grid --help | sed -n 's/^  *--\([a-z][a-z0-9-]*\).*/\1/p' | sort -u)
run_options=" $("$SATBENCH" run --help | sed -n 's/^  *--\([a-z][a-z0-9-]*\).*/\1/p' | tr '\n' ' ') "
BASE_RUN=$(echo "$BASE" | sed 's/--seeds 1//')
for opt in $options; do
  case $opt in help) continue ;; esac
  bad=
  i=0
  while IFS= read -r v; do
    i=$((i + 1))
    shown=$(printf %.40s "$v" | tr -c '[:print:]' '?')
    # run where it has the option (no folder, no fsync: faster), else grid.
    case $opt in
      out) set -- grid $BASE --out "$T/never/$v" ;;
      *) case $run_options in
           *" $opt "*) set -- run $BASE_RUN "--$opt=$v" ;;
           *) set -- grid $BASE --out "$T/never" "--$opt=$v" ;;
         esac ;;
    esac
    handled_run "--$opt='$shown'" "$@"
    # The telling ones again as a config file line (its own parser, its own
    # limits): empty, too long, a control byte.
    case $opt in config|preset|out) continue ;; esac
    case $i in 1|11|12) ;; *) continue ;; esac
    printf '%s = %s\n' "$opt" "$v" > "$T/c.cfg"
    if test "$1" = run; then set -- run $BASE_RUN -c "$T/c.cfg"; else set -- grid $BASE --out "$T/never" -c "$T/c.cfg"; fi
    handled_run "config '$opt = $shown'" "$@"
  done < "$VALUES_FILE"
  test -z "$bad" && t_pass "--$opt: $n_values hostile values on the command line, 3 in a config file: each handled" ||
    t_fail "--$opt: every hostile value handled" "$bad"
done

# Malformed config files.
bad=
n=0
for text in '=' 'key' 'key =' '= value' 'steps = 0 = 1' 'no-such-option = 1' 'config = other.cfg' \
            'preset = nonexistent' 'steps = 0
steps = abc' "$(printf 'steps = 0\r')" "$(printf '\357\273\277')" '[section]' 'steps: 0' "$LONG = 1"; do
  n=$((n + 1))
  printf '%s\n' "$text" > "$T/m.cfg"
  handled_run "config file $n" grid $BASE --out "$T/never" -c "$T/m.cfg"
done
handled_run "-c of a directory" grid $BASE --out "$T/never" -c "$T"
handled_run "-c of a missing file" grid $BASE --out "$T/never" -c "$T/missing.cfg"
test -z "$bad" && t_pass "malformed config files: each handled" || t_fail "malformed config files: each handled" "$bad"

# Malformed CSV datasets (each for a grid that would need 20 examples).
bad=
n=0
csv()
{
  n=$((n + 1))
  printf "$1" > "$T/d.csv"
  handled_run "csv $n ($(printf %s "$1" | head -c 30))" grid $BASE --dataset "csv:$T/d.csv" --out "$T/never"
}
rows=$(awk 'BEGIN { for (i = 0; i < 20; i++) printf "%d,%.3f,%.3f\\n", i % 2, i / 7, -i / 3 }')
csv ''
csv '\n\n\n'
csv 'label,x,y\n'
csv '# only a comment\n'
csv "$rows"'0,1\n'
csv "$rows"'0,1,2,3\n'
csv "$rows"'-1,1,2\n'
csv "$rows"'1.5,1,2\n'
csv "$rows"'99999999999999999999,1,2\n'
csv "$rows"'0,abc,2\n'
csv "$rows"'0,nan,2\n'
csv "$rows"'0,inf,2\n'
csv "$rows"'0,1e999,2\n'
csv "$rows"'0,,2\n'
csv "$rows"'0,1,2,\n'
csv "$rows"'0,"1",2\n'
csv "$rows"'0,1\0002\n'
csv "$rows"'0,1,2\033[2J\n'
csv '0\n1\n'
csv "$(printf '%s' "$rows" | sed 's/\\n/\\r\\n/g')"
csv '\357\273\277'"$rows"
csv "$(awk 'BEGIN { for (i = 0; i < 19; i++) printf "%d,%.3f,%.3f\\n", i % 2, i / 7, -i / 3 }')"
csv "$(awk 'BEGIN { for (i = 0; i < 20; i++) printf "0,%.3f,%.3f\\n", i / 7, -i / 3 }')"
test -z "$bad" && t_pass "malformed CSV datasets ($n): each handled" || t_fail "malformed CSV datasets: each handled" "$bad"

# Malformed IDX pairs: images then labels, each a byte string.
bad=
n=0
idx()
{
  n=$((n + 1))
  printf "$1" > "$T/i.img"
  printf "$2" > "$T/i.lab"
  handled_run "idx $n" grid $BASE --dataset "idx:$T/i.img,$T/i.lab" --out "$T/never"
}
img20=$(awk 'BEGIN { printf "\\000\\000\\010\\003\\000\\000\\000\\024\\000\\000\\000\\001\\000\\000\\000\\003"; for (i = 0; i < 60; i++) printf "\\%03o", i % 200 }')
lab20=$(awk 'BEGIN { printf "\\000\\000\\010\\001\\000\\000\\000\\024"; for (i = 0; i < 20; i++) printf "\\%03o", i % 2 }')
idx "$img20" "$lab20"
idx '' "$lab20"
idx "$img20" ''
idx '\001\002\010\003' "$lab20"
idx '\000\000\077\003\000\000\000\024' "$lab20"
idx '\000\000\010\000' "$lab20"
idx '\000\000\010\003\000\000\000\024' "$lab20"
idx '\000\000\010\003\377\377\377\377\377\377\377\377\377\377\377\377' "$lab20"
idx '\000\000\010\003\000\000\000\000\000\000\000\001\000\000\000\003' '\000\000\010\001\000\000\000\000'
idx "$img20"'\001' "$lab20"
idx "$(printf %s "$img20" | head -c 200)" "$lab20"
idx "$img20" '\000\000\010\001\000\000\000\023\000\001'
idx "$img20" "$lab20"'\001'
idx "$img20" '\000\000\015\001\000\000\000\024'
idx "$img20" '\000\000\010\002\000\000\000\024\000\000\000\001'
idx '\037\213\010\000' "$lab20"
test -z "$bad" && t_pass "malformed IDX datasets ($n): each handled" || t_fail "malformed IDX datasets: each handled" "$bad"

echo "# $tried hostile inputs tried, $handled handled"
test "$tried" -eq "$handled" && t_pass "$tried hostile inputs tried, $handled handled" ||
  t_fail "every hostile input handled" "$tried tried, $handled handled"
t_done
