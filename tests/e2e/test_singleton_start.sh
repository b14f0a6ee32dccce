#!/usr/bin/env bash
# test_singleton_start.sh - a plain `gdsweep grid.ini` (no mpirun) does not start Open MPI
# at all (one process talks only to itself: no component loading, no fabric probes, no
# PMIx), and still writes its file; under mpirun the ranks start MPI, and open the
# psm/psm2/ofi components only where the node has a fabric device or the user chose them.
# Open MPI itself reports the parameters it took from the environment
# (mpi_show_mca_params=enviro) and the components it loads (mtl_base_verbose), so the test
# reads what MPI_Init saw, not gdsweep's code.
source "$(dirname "$0")/common.sh"
write_one_run_grid "$work/g.ini"

# started NAME: 0 when Open MPI's MPI_Init ran in $work/NAME.txt's process (it lists the
# parameters the environment set, mpi_show_mca_params among them).
started() { grep -Eq '\] mpi_show_mca_params=enviro \(environment\)' "$work/$1.txt"; }

rm -f "$work/plain.h5"
# (the launcher's variables unset: this test may itself run under srun or mpirun)
env -u OMPI_COMM_WORLD_RANK -u PMIX_RANK -u PMI_RANK OMPI_MCA_mpi_show_mca_params=enviro \
  OMPI_MCA_mtl_base_verbose=10 "$GD_BINARY" "$work/g.ini" -o "$work/plain.h5" --quiet \
  >"$work/plain.txt" 2>&1 || fail "plain: exit $?: $(cat "$work/plain.txt")"
[ -s "$work/plain.h5" ] || fail "plain: no output file"
if started plain || grep -Eq 'mtl_base|components_register' "$work/plain.txt"; then
  fail "a plain invocation started Open MPI: $(cat "$work/plain.txt")"
else
  echo "ok: a plain invocation writes its file without starting Open MPI"
fi

rm -f "$work/mpirun.h5"
OMPI_MCA_mpi_show_mca_params=enviro mpirun -n 1 "$GD_BINARY" "$work/g.ini" \
  -o "$work/mpirun.h5" --quiet >"$work/mpirun.txt" 2>&1 || fail "mpirun: exit $?"
[ -s "$work/mpirun.h5" ] || fail "mpirun -n 1: no output file"
started mpirun && echo "ok: under mpirun the rank starts MPI" ||
  fail "under mpirun the rank did not start MPI: $(cat "$work/mpirun.txt")"

# mtl_components NAME [mpirun args...]: the mtl components each rank's MPI_Init loaded.
mtl_components() {
  local name=$1; shift
  rm -f "$work/$name.h5"
  OMPI_MCA_mtl_base_verbose=10 mpirun -n 2 "$@" "$GD_BINARY" "$work/g.ini" \
    -o "$work/$name.h5" --quiet >"$work/$name.txt" 2>&1 || fail "$name: exit $?"
  grep -o 'components_register: found loaded component [a-z0-9]*' "$work/$name.txt" |
    awk '{ print $NF }' | sort -u | xargs || true
}
fabric=$(ls -d /sys/class/infiniband/* /sys/class/cxi/* /dev/hfi1_* /dev/ipath* /dev/kgni* \
  2>/dev/null | head -1 || true)
loaded=$(unset OMPI_MCA_mtl; mtl_components ranks)
[ -s "$work/ranks.h5" ] || fail "mpirun -n 2: no output file: $(cat "$work/ranks.txt")"
grep -q 'registering framework mtl' "$work/ranks.txt" ||
  fail "mpirun -n 2: Open MPI reported no mtl components: $(cat "$work/ranks.txt")"
if [ -z "$fabric" ]; then
  case " $loaded " in
    *" psm2 "* | *" psm "* | *" ofi "*) fail "no fabric here, yet the ranks loaded: $loaded" ;;
    *) echo "ok: no fabric device here: the ranks loaded no psm/psm2/ofi ($loaded)" ;;
  esac
else
  echo "ok: this node has a fabric device ($fabric): Open MPI's own choice ($loaded)"
fi
chosen=$(OMPI_MCA_mtl=psm2 mtl_components chosen -x OMPI_MCA_mtl)
[ -s "$work/chosen.h5" ] || fail "OMPI_MCA_mtl=psm2: no output file: $(cat "$work/chosen.txt")"
case " $chosen " in
  *" psm2 "*) echo "ok: the user's OMPI_MCA_mtl=psm2 is kept ($chosen)" ;;
  *) fail "the user's OMPI_MCA_mtl=psm2 was overridden: loaded '$chosen'" ;;
esac
[ "$failures" -eq 0 ] || exit 1
