#!/usr/bin/env bash
# run_tests.sh - the batch scripts of jobs/ on a real one-node Slurm cluster (root, ~5 min).
#
# Starts the cluster (start_cluster.sh) and checks every job's file against a plain
# gdsweep run of the same grid (same_sweep.py: bit-identical results):
#  1. slurm_sweep.sbatch with 2 tasks: exit 0, a complete file, identical.
#  2. scancel of a running slurm_sweep.sbatch: stopped and committed, not requeued,
#     the file resumable (gdsweep status: 3).
#  3. the same output submitted again with --time=1 --signal=B:USR1@20: resumed, warned
#     before the limit, requeued (Restarts >= 1), then complete and identical.
#  4. slurm_array.sbatch with 3 tasks and the merge job it submits: one complete,
#     identical file.
#  5. pbs_sweep.pbs (no PBS here): bash -n; run as a plain script it is stopped by its own
#     walltime timer and by SIGTERM (exit 3, resumable), then completes: identical.
# Usage: bash tests/slurm/run_tests.sh [GDSWEEP]
#   GDSWEEP defaults to $GD_BINARY, else build/gdsweep (built by jobs/setup.sh first).
# The work directory (job logs) is kept when a check fails.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-${GD_BINARY:-}}
if [ -z "$bin" ]; then
  bash "$root/jobs/setup.sh" build
  bin=$root/build/gdsweep
fi
bin=$(realpath "$bin")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export GD_ROOT=$root GD_BIN=$bin GD_GRACE=5 # read by the job scripts (sbatch exports all)
bash "$here/start_cluster.sh"
work=$(mktemp -d /tmp/gdsweep-slurm-XXXXXX)
cd "$work"
failures=0
jobs_submitted=()
cleanup() {
  if [ ${#jobs_submitted[@]} -gt 0 ]; then scancel "${jobs_submitted[@]}" 2>/dev/null || true; fi
  if [ "$failures" -eq 0 ]; then rm -rf "$work"; else echo "logs and files kept in $work"; fi
}
trap cleanup EXIT

ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { # check WHAT COMMAND...: ok when COMMAND succeeds
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

# write_grid FILE ITERATIONS: 72 denoising runs (400x400, ITERATIONS steps) and 360 tiny
# quadratic ones, two optimizers.
write_grid() {
  cat >"$1" <<INI
[sweep]
name = slurm-test
seed = 7
repeats = 3
record_every = 10
iterations = 200
[problem img]
type = denoise
size = 400
noise = 0.5
lambda = 0.05, 0.1, 0.2, 0.4
iterations = $2
[problem quad]
type = quadratic
x0 = linspace(-5, 5, 20)
[optimizer gd]
lr = 0.05, 0.1, 0.2
[optimizer adam]
lr = 0.01, 0.03, 0.1
INI
}

# submit NAME SCRIPT SBATCH_ARGS...: submits a job script of jobs/; prints the job id.
submit() {
  local name=$1 script=$2 id
  shift 2
  id=$(sbatch --parsable --job-name="$name" "$@" "$root/jobs/$script")
  jobs_submitted+=("$id")
  echo "$id"
}

# job_lines ID: one line per task of job ID: its id, state, exit code and restarts.
job_lines() {
  scontrol show job -o "$1" | awk '{ for (i = 1; i <= NF; i++)
    if ($i ~ /^(JobId|ArrayTaskId|JobState|ExitCode|Restarts)=/) printf "%s ", $i; print "" }'
}

# wait_job ID LIMIT: waits until no task of job ID is pending or running, at most LIMIT s.
# A requeued job waits cred_expire (120 s by default) before it may start again: the
# test lets it start at once.
wait_job() {
  local id=$1 limit=$2 t0=$SECONDS lines
  while lines=$(job_lines "$id") &&
    grep -Eq 'JobState=(PENDING|RUNNING|REQUEUE|CONFIGURING|COMPLETING|SUSPENDED|SIGNALING)' <<<"$lines"; do
    if scontrol show job -o "$id" | grep -q 'Reason=BeginTime'; then
      scontrol update JobId="$id" StartTime=now 2>/dev/null || true
    fi
    if [ $((SECONDS - t0)) -gt "$limit" ]; then
      fail "job $id still not done after $limit s"
      scancel "$id"
      return 0
    fi
    sleep 2
  done
  echo "job $id after $((SECONDS - t0)) s:"
  while read -r line; do echo "    $line"; done <<<"$lines"
}

# wait_text FILE PATTERN LIMIT: waits until FILE has a line matching PATTERN.
wait_text() {
  local t0=$SECONDS
  until grep -Eq "$2" "$1" 2>/dev/null; do
    if [ $((SECONDS - t0)) -gt "$3" ]; then fail "no /$2/ in $1 after $3 s"; return 0; fi
    sleep 1
  done
}

# expect_jobs WHAT ID PATTERN: every task line of job ID matches PATTERN.
expect_jobs() {
  local lines
  lines=$(job_lines "$2")
  if grep -Evq "$3" <<<"$lines"; then fail "$1: $lines"; else ok "$1"; fi
}

# absent WHAT FILE PATTERN: FILE has no line matching PATTERN.
absent() {
  if grep -Eq "$3" "$2"; then fail "$1"; else ok "$1"; fi
}

# status_is FILE CODE: `gdsweep status FILE` exits CODE (0 complete, 3 resumable).
status_is() {
  local rc=0
  "$bin" status "$1" >/dev/null 2>&1 || rc=$?
  [ "$rc" -eq "$2" ]
}

# expect_sweep WHAT FILE REFERENCE: FILE complete and identical to REFERENCE.
expect_sweep() {
  check "$1: $2 complete" status_is "$2" 0
  check "$1: $2 identical to the plain run" /usr/bin/python3 "$here/same_sweep.py" "$2" "$3"
}

# stopped WHAT RC FILE: exit status RC is 3 and FILE resumable.
stopped() {
  if [ "$2" -eq 3 ] && status_is "$3" 3; then ok "$1: exit 3, resumable"; else fail "$1: exit $2"; fi
}

# restarts ID: how often job ID was requeued.
restarts() { scontrol show job -o "$1" | grep -o 'Restarts=[0-9]*' | cut -d= -f2; }

echo "== reference files (plain gdsweep, mpirun -n 2) in $work"
write_grid small.ini 600
write_grid long.ini 2500
for g in small long; do
  t0=$SECONDS
  mpirun -n 2 "$bin" "$g.ini" -o "ref-$g.h5" --quiet
  echo "$g grid: $((SECONDS - t0)) s on 2 ranks"
done

echo "== 1. slurm_sweep.sbatch, 2 tasks"
id=$(GD_GRID=small.ini GD_OUT=one/sweep.h5 submit one slurm_sweep.sbatch --ntasks=2)
wait_job "$id" 240
expect_jobs "job completed, exit 0, never requeued" "$id" 'JobState=COMPLETED Restarts=0 ExitCode=0:0'
expect_sweep "sweep" one/sweep.h5 ref-small.h5

echo "== 2. scancel of a running slurm_sweep.sbatch"
id=$(GD_GRID=long.ini GD_OUT=limit/sweep.h5 submit cancel slurm_sweep.sbatch --ntasks=2)
wait_text "cancel-$id.log" '^gdsweep: [0-9]+/[0-9]+ runs' 120
scancel "$id"
wait_job "$id" 60
expect_jobs "job cancelled, not requeued" "$id" 'JobState=CANCELLED .*Restarts=0'
check "the script logged a resumable stop" grep -q 'resumable: submit the script again' "cancel-$id.log"
absent "the script did not requeue" "cancel-$id.log" requeueing
check "limit/sweep.h5 resumable (status 3)" status_is limit/sweep.h5 3

echo "== 3. the same output again, with a 1-minute limit: warned, requeued, resumed"
id=$(GD_GRID=long.ini GD_OUT=limit/sweep.h5 submit limit slurm_sweep.sbatch --ntasks=2 \
  --time=1 --signal=B:USR1@20)
wait_job "$id" 420
expect_jobs "job completed, exit 0" "$id" 'JobState=COMPLETED .*ExitCode=0:0'
log=limit-$id.log
check "requeued at least once (Restarts=$(restarts "$id"))" test "$(restarts "$id")" -ge 1
check "the log shows the warning (SIGUSR1)" grep -q 'got SIGUSR1' "$log"
check "the log shows a requeue" grep -q 'requeueing job' "$log"
attempts=$(grep -c 'Slurm job .*, attempt' "$log")
check "every attempt resumed ($attempts attempts)" \
  test "$(grep -c 'resuming limit/sweep.h5' "$log")" -eq "$attempts"
absent "no attempt reached the time limit" "$log" 'DUE TO TIME LIMIT'
expect_sweep "sweep" limit/sweep.h5 ref-long.h5

echo "== 4. slurm_array.sbatch, 3 tasks, and its merge job"
id=$(GD_GRID=small.ini GD_OUT=array/sweep.h5 submit array slurm_array.sbatch --array=1-3)
wait_job "$id" 300
expect_jobs "every task completed, exit 0" "$id" 'JobState=COMPLETED .*ExitCode=0:0'
for k in 1 2 3; do
  check "shard $k of 3 complete" status_is "array/sweep-shard-$k-of-3.h5" 0
done
merge=$(sed -n 's/.*submitted merge job \([0-9]*\).*/\1/p' "array-${id}_1.log")
if [ -n "$merge" ]; then
  jobs_submitted+=("$merge")
  wait_job "$merge" 120
  expect_jobs "merge job completed, exit 0" "$merge" 'JobState=COMPLETED .*ExitCode=0:0'
  expect_sweep "merged" array/sweep.h5 ref-small.h5
else
  fail "task 1 submitted no merge job (see array-${id}_1.log)"
fi

echo "== 5. pbs_sweep.pbs (syntax; run outside PBS)"
check "bash -n jobs/pbs_sweep.pbs" bash -n "$root/jobs/pbs_sweep.pbs"
mkdir pbs
# pbs LOG [VAR=VALUE...]: pbs_sweep.pbs as a plain script in pbs/ (run it with &: $! is its pid).
pbs() {
  cd pbs
  exec env GD_GRID=../small.ini GD_OUT=sweep.h5 GD_NP=2 "${@:2}" \
    bash "$root/jobs/pbs_sweep.pbs" >"$1" 2>&1
}
pbs timer.log PBS_WALLTIME=12 GD_LEAD=8 &
rc=0
wait $! || rc=$?
stopped "stopped by its walltime timer" "$rc" pbs/sweep.h5
pbs term.log &
pid=$!
wait_text pbs/term.log '^gdsweep: [0-9]+/[0-9]+ runs' 60
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
stopped "stopped by SIGTERM" "$rc" pbs/sweep.h5
pbs end.log &
rc=0
wait $! || rc=$?
check "resumed to the end: exit $rc" test "$rc" -eq 0
expect_sweep "sweep" pbs/sweep.h5 ref-small.h5
for log in term end; do check "the $log run resumed" grep -q 'resuming sweep.h5' "pbs/$log.log"; done

echo "Slurm tests: $failures failure(s), $SECONDS s"
[ "$failures" -eq 0 ]
