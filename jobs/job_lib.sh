# job_lib.sh - shared by the batch scripts in jobs/: resume, signal forwarding, requeue.
#
# Sourced, not run, by slurm_sweep.sbatch, slurm_array.sbatch and pbs_sweep.pbs. A batch
# system warns a job before its time limit by signalling the batch shell (Slurm's
# --signal=B:USR1@S, or the PBS script's own timer) and ends it with SIGTERM (time limit,
# scancel, qdel). gdsweep stops gracefully on SIGUSR1/SIGTERM: it hands out no more runs,
# lets running ones finish for --grace seconds, commits and exits 3. The batch shell runs
# the launcher (srun, mpirun) in the background and passes every signal it gets on to it
# as SIGUSR1, which srun and mpirun pass on to every rank.

gd_signals=""   # the signals the batch shell has received, e.g. " USR1"
gd_child=""     # the launcher's pid while it runs

gd_log() { echo "$(date '+%F %T') job: $*" >&2; }

# gd_on_signal SIG: trap handler: records SIG and passes SIGUSR1 on to the launcher.
gd_on_signal() {
  gd_signals+=" $1"
  gd_log "got SIG$1${gd_child:+; asking the sweep to stop (SIGUSR1 to $gd_child)}"
  if [ -n "$gd_child" ]; then kill -USR1 "$gd_child" 2>/dev/null || true; fi
}

# gd_warned: true when the job was warned of its time limit (SIGUSR1) and not cancelled
# (SIGTERM, SIGINT).
gd_warned() {
  case "$gd_signals " in *" TERM "* | *" INT "*) return 1 ;; *" USR1 "*) return 0 ;; esac
  return 1
}

# gd_check_inputs BINARY GRID: one line and status 2 when either is missing.
gd_check_inputs() {
  if [ ! -x "$1" ]; then gd_log "gdsweep binary '$1' not found (set GD_BIN)"; return 2; fi
  if [ ! -r "$2" ]; then gd_log "grid file '$2' not found (set GD_GRID)"; return 2; fi
}

# gd_wait PID: PID's exit status. A trapped signal interrupts `wait` with a status above
# 128 while PID still runs: wait again then.
gd_wait() {
  local rc again
  while :; do
    rc=0; wait "$1" || rc=$?
    if [ "$rc" -le 128 ]; then return "$rc"; fi
    if kill -0 "$1" 2>/dev/null; then continue; fi
    again=0; wait "$1" 2>/dev/null || again=$? # PID ended right after the signal
    if [ "$again" -eq 127 ]; then return "$rc"; fi # 127: rc was PID's own status
    return "$again"
  done
}

# gd_run OUT COMMAND...: runs `COMMAND... -o OUT`, adding --resume when OUT exists (an
# earlier attempt's output is continued, else the sweep starts afresh), in the background
# with signals passed on; returns its exit status (3 when it stopped on a signal, also
# when the signal came before the launch).
gd_run() {
  local out=$1 resume=() seen rc=0
  shift
  if [ -e "$out" ]; then resume=(--resume); fi
  trap 'gd_on_signal USR1' USR1
  trap 'gd_on_signal TERM' TERM
  trap 'gd_on_signal INT' INT
  if [ -n "$gd_signals" ]; then return 3; fi
  gd_log "${resume:+resuming }$out: $* -o $out${resume:+ --resume}"
  seen=$gd_signals
  "$@" -o "$out" "${resume[@]}" &
  gd_child=$!
  if [ "$gd_signals" != "$seen" ]; then kill -USR1 "$gd_child" 2>/dev/null || true; fi
  gd_wait "$gd_child" || rc=$?
  gd_child=""
  return "$rc"
}

# gd_slurm_sweep OUT GDSWEEP_ARGS...: the sweep as one job step (srun --mpi=pmix, every
# task of the job a rank) into OUT via gd_run. When it stopped at the time-limit warning
# (exit 3 after SIGUSR1, no cancellation), requeues the job: Slurm runs the script again
# from the top with the same job id, and that attempt resumes OUT. Exits with gdsweep's
# status otherwise: 0 complete, 3 interrupted (resumable: submit again), else a failure.
# Reads the job script's GD_BIN, GD_GRID and GD_GRACE.
gd_slurm_sweep() {
  local out=$1 rc=0
  shift
  gd_log "Slurm job ${SLURM_JOB_ID:?not inside a Slurm job}, attempt $((${SLURM_RESTART_COUNT:-0} + 1)), ${SLURM_NTASKS:-1} task(s) on ${SLURM_JOB_NODELIST:-?}"
  gd_check_inputs "$GD_BIN" "$GD_GRID" || exit
  gd_run "$out" srun --mpi=pmix --cpus-per-task="${SLURM_CPUS_PER_TASK:-1}" \
    "$GD_BIN" "$GD_GRID" --grace "$GD_GRACE" "$@" || rc=$?
  if [ "$rc" -eq 3 ] && gd_warned; then
    gd_log "stopped before the time limit; requeueing job $SLURM_JOB_ID to continue"
    scontrol requeue "$SLURM_JOB_ID" && exit 3 # Slurm ends this attempt now
    gd_log "requeue failed"
  fi
  gd_exit "$rc" "$out"
}

# gd_exit STATUS OUT: says how the sweep into OUT ended and exits with gdsweep's STATUS.
gd_exit() {
  if [ "$1" -eq 3 ]; then gd_log "stopped; $2 is resumable: submit the script again"; fi
  gd_log "gdsweep exit status $1"
  exit "$1"
}
