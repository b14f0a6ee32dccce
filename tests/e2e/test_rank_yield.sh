#!/usr/bin/env bash
# test_rank_yield.sh - ranks under mpirun yield their core while they wait in MPI
# (mpi_yield_when_idle, src/parallel/parallel.c: rank 0's own threads need the core a
# spinning rank would hold), and a user's own choice of that parameter is kept. Open MPI
# itself reports the parameters it took from the environment (mpi_show_mca_params=enviro;
# rank 0 prints them), so the test reads what MPI_Init saw, not gdsweep's code.
source "$(dirname "$0")/common.sh"
write_one_run_grid "$work/g.ini"

# yield_run NAME [mpirun args...]: a 2-rank run of the grid, Open MPI's report in
# $work/NAME.txt; fails the test when it does not write its file.
yield_run() {
  local name=$1 rc=0; shift
  rm -f "$work/$name.h5"
  OMPI_MCA_mpi_show_mca_params=enviro mpirun -n 2 "$@" "$GD_BINARY" "$work/g.ini" \
    -o "$work/$name.h5" --quiet >"$work/$name.txt" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] && [ -s "$work/$name.h5" ] ||
    fail "$name: exit $rc, or no output file: $(cat "$work/$name.txt")"
}
# yield_seen NAME: the mpi_yield_when_idle value(s) rank 0's MPI_Init reported.
yield_seen() {
  { grep -o '\] mpi_yield_when_idle=[a-z0-9]*' "$work/$1.txt" || true; } |
    sed 's/.*=//' | sort -u | xargs
}

unset OMPI_MCA_mpi_yield_when_idle # (this test may run where someone set it)
yield_run ranks
seen=$(yield_seen ranks)
[ "$seen" = true ] && echo "ok: rank 0 reports mpi_yield_when_idle=true" ||
  fail "the ranks did not set mpi_yield_when_idle (MPI_Init saw '$seen'): $(cat "$work/ranks.txt")"
OMPI_MCA_mpi_yield_when_idle=0 yield_run chosen -x OMPI_MCA_mpi_yield_when_idle
seen=$(yield_seen chosen)
[ "$seen" = false ] && echo "ok: the user's mpi_yield_when_idle=0 is kept" ||
  fail "the user's mpi_yield_when_idle=0 was overridden: MPI_Init saw '$seen'"
finish
