#!/bin/sh
# submit.sh - submit a satbench grid to SLURM as an array of N shards and
# its merge, chained:
#
#   contrib/slurm/submit.sh 16 --preset he2015 --out /shared/he2015
#
# prints the two job ids.  Pass sbatch options through SBATCH_ARGS (e.g.
# SBATCH_ARGS="--partition=short --time=1:00:00"); SATBENCH names the
# program when it is not on the PATH of the compute nodes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
n=${1:?usage: submit.sh N GRID-OPTIONS... --out DIR}
shift
out=
prev=
for a in "$@"; do
  test "$prev" = --out && out=$a
  case $a in --out=*) out=${a#--out=} ;; esac
  prev=$a
done
test -n "$out" || { echo "submit.sh: give the grid an --out DIR on a filesystem every node sees" >&2; exit 2; }
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_ARGS-} --array=0-$((n - 1)) "$here/grid-array.sbatch" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS-} --dependency=afterok:"$array" "$here/merge.sbatch" "$out")
echo "array job $array ($n shards), merge job ${merge%%;*}: tables in $out when it finishes"
