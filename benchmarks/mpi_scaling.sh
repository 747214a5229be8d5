#!/bin/bash
# Study throughput on one machine: threads in one process against MPI ranks (benchmarks/README.md).
#   benchmarks/mpi_scaling.sh BUILD_DIR [RUNS_PER_ARM] [REPETITIONS]
# Configurations alternate within each repetition, so that drifts of a shared machine hit all
# alike. Prints per configuration the median of the study's own "runs/s" (the run loop, without
# process start-up) and of the wall time of the whole command (mpirun start-up included).
set -euo pipefail
B=${1:?build dir}; RUNS=${2:-200}; REPS=${3:-5}
SRC=$(cd "$(dirname "$0")/.." && pwd)
STUDY=$SRC/scenarios/studies/enforcement.yaml  # 6 arms of baseline runs, cut to 60 months below
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
labels=("1 process, 1 thread" "1 process, 2 threads" "mpirun -n 1, 1 thread" "mpirun -n 2, 1 thread each"
        "mpirun -n 2, 2 threads each" "mpirun -n 3, 1 thread each")
prefixes=("" "" "mpirun -n 1" "mpirun -n 2" "mpirun -n 2" "mpirun --oversubscribe -n 3")
threads=(1 2 1 1 2 1)
declare -A rate wall
for rep in $(seq "$REPS"); do
    for i in "${!labels[@]}"; do
        t0=$(date +%s.%N)
        line=$(${prefixes[$i]} "$B/polarity" study "$STUDY" --set run.horizon_months=60 --runs "$RUNS" --threads "${threads[$i]}" -q \
               -o "$OUT/s.h5" --force | grep 'runs/s')
        t1=$(date +%s.%N)
        rate[$i]+="$(echo "$line" | sed 's/.*(\([0-9.]*\) runs\/s).*/\1/') "
        wall[$i]+="$(awk "BEGIN {print $t1 - $t0}") "
    done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "$((RUNS * 6)) runs per study, median of $REPS; $(nproc) cores; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!labels[@]}"; do
    printf '%-30s %6.0f runs/s   wall %6.2f s   (runs/s: %s)\n' "${labels[$i]}" \
        "$(echo "${rate[$i]}" | median)" "$(echo "${wall[$i]}" | median)" "${rate[$i]}"
done
