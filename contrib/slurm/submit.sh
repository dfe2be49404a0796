#!/bin/sh
# submit.sh - submit a satbench grid to SLURM as an array of N shards and
# its merge, chained:
#
#   contrib/slurm/submit.sh 16 --preset he2015 --out /shared/he2015
#
# prints the two job ids.  The program the jobs run is SATBENCH when set,
# else the satbench of the build folder this contrib/ is in (../../satbench),
# else the one on the PATH; submit.sh checks that it runs before submitting
# anything (exit 2 when it does not) and passes its absolute path to the
# jobs, so that a build folder every node sees needs no install.  The jobs'
# output goes to DIR/slurm/ (the --out folder).  Pass sbatch options through
# SBATCH_ARGS (e.g. SBATCH_ARGS="--partition=short --time=1:00:00").
set -eu
here=$(cd "$(dirname "$0")" && pwd)
n=${1:?usage: submit.sh N GRID-OPTIONS... --out DIR}
shift
case $n in
  '' | *[!0-9]* | 0) echo "submit.sh: N: '$n' is not a number of shards (1 or more)" >&2; exit 2 ;;
esac
out=
prev=
for a in "$@"; do
  test "$prev" = --out && out=$a
  case $a in --out=*) out=${a#--out=} ;; esac
  prev=$a
done
test -n "$out" || { echo "submit.sh: give the grid an --out DIR on a filesystem every node sees" >&2; exit 2; }

# The program, as an absolute path: a job starts in another environment.
if test -n "${SATBENCH-}"; then
  case $SATBENCH in
    */*) sb=$SATBENCH ;;
    *) sb=$(command -v "$SATBENCH" || true) ;;
  esac
  told="SATBENCH=$SATBENCH"
elif test -x "$here/../../satbench"; then
  sb=$here/../../satbench
  told="$here/../../satbench"
else
  sb=$(command -v satbench || true)
  told="satbench on the PATH"
fi
if test -z "$sb" || ! test -f "$sb" || ! test -x "$sb" || ! "$sb" --version >/dev/null 2>&1; then
  echo "submit.sh: no satbench that runs ($told): build it beside contrib/ (./configure && make)," \
    "install it, or set SATBENCH=/path/to/satbench; nothing submitted" >&2
  exit 2
fi
sb=$(cd "$(dirname "$sb")" && pwd)/$(basename "$sb")
SATBENCH=$sb
export SATBENCH

# sbatch opens the jobs' output files but makes no folder.
logs=$out/slurm
mkdir -p "$logs" || { echo "submit.sh: cannot make $logs for the jobs' output; nothing submitted" >&2; exit 1; }
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_ARGS-} --output="$logs/satbench-grid-%A_%a.out" --array=0-$((n - 1)) \
  "$here/grid-array.sbatch" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS-} --output="$logs/satbench-merge-%j.out" --dependency=afterok:"$array" \
  --kill-on-invalid-dep=yes "$here/merge.sbatch" "$out")
echo "array job $array ($n shards), merge job ${merge%%;*}: tables in $out when it finishes, job logs in $logs/"
