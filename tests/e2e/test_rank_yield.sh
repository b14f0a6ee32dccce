#!/usr/bin/env bash
# test_rank_yield.sh - ranks under mpirun yield their core while they wait in MPI
# (mpi_yield_when_idle, src/parallel/parallel.c: rank 0's own threads need the core a
# spinning rank would hold), and a user's own choice of that parameter is kept. Open MPI
# itself reports the parameters it took from the environment (mpi_show_mca_params=enviro),
# so the test reads what MPI_Init saw, not gdsweep's code.
source "$(dirname "$0")/common.sh"
write_one_run_grid "$work/g.ini"

# yield_seen NAME [mpirun args...]: the mpi_yield_when_idle value MPI_Init reported.
yield_seen() {
  local name=$1; shift
  rm -f "$work/$name.h5"
  OMPI_MCA_mpi_show_mca_params=enviro mpirun -n 2 "$@" "$GD_BINARY" "$work/g.ini" \
    -o "$work/$name.h5" --quiet >"$work/$name.txt" 2>&1 || fail "$name: exit $?"
  [ -s "$work/$name.h5" ] || fail "$name: no output file: $(cat "$work/$name.txt")"
  { grep -o '\] mpi_yield_when_idle=[a-z0-9]*' "$work/$name.txt" || true; } | sed 's/.*=//' | sort -u | xargs
}

seen=$(unset OMPI_MCA_mpi_yield_when_idle; yield_seen ranks)
[ "$seen" = true ] && echo "ok: the ranks yield while they wait in MPI" ||
  fail "the ranks did not set mpi_yield_when_idle (MPI_Init saw '$seen'): $(cat "$work/ranks.txt")"
seen=$(OMPI_MCA_mpi_yield_when_idle=0 yield_seen chosen -x OMPI_MCA_mpi_yield_when_idle)
[ "$seen" = false ] && echo "ok: the user's mpi_yield_when_idle=0 is kept" ||
  fail "the user's mpi_yield_when_idle=0 was overridden: MPI_Init saw '$seen'"
finish
