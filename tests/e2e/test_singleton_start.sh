#!/usr/bin/env bash
# test_singleton_start.sh - a plain `gdsweep grid.ini` (no mpirun) starts Open MPI without
# probing fabrics it cannot use: ob1 over self and shared memory, an isolated singleton (no
# orted), PMIx native security; a setting the user made wins; under mpirun the singleton's
# defaults are not forced, and the ranks open the psm/psm2/ofi components only where the
# node has a fabric device or the user chose them. Open MPI itself reports the parameters
# it took from the environment (mpi_show_mca_params=enviro) and the components it loads
# (mtl_base_verbose), so the test reads what MPI_Init saw, not gdsweep's code.
source "$(dirname "$0")/common.sh"
cat >"$work/g.ini" <<'INI'
[sweep]
iterations = 5
[problem q]
type = quadratic
[optimizer gd]
lr = 0.1
INI

# show NAME [env...] -- command...: runs it with the parameters shown, into $work/NAME.txt.
show() {
  local name=$1; shift
  rm -f "$work/$name.h5"
  env OMPI_MCA_mpi_show_mca_params=enviro "$@" "$GD_BINARY" "$work/g.ini" \
    -o "$work/$name.h5" --quiet >"$work/$name.txt" 2>&1 \
    || fail "$name: exit $?: $(cat "$work/$name.txt")"
  [ -s "$work/$name.h5" ] || fail "$name: no output file"
}
has() { grep -Eq "\] $2 \(environment\)" "$work/$1.txt"; }

show plain
for p in 'pml=ob1' 'btl=self,vader' 'ess_singleton_isolated=true'; do
  has plain "$p" && echo "ok: plain singleton: $p" \
    || fail "plain singleton: '$p' not set: $(cat "$work/plain.txt")"
done

show user OMPI_MCA_btl=self,tcp OMPI_MCA_pml=ob1
has user 'btl=self,tcp' && echo "ok: the user's btl=self,tcp wins" \
  || fail "the user's btl setting was overridden: $(cat "$work/user.txt")"

rm -f "$work/mpirun.h5"
OMPI_MCA_mpi_show_mca_params=enviro mpirun -n 1 "$GD_BINARY" "$work/g.ini" \
  -o "$work/mpirun.h5" --quiet >"$work/mpirun.txt" 2>&1 || fail "mpirun: exit $?"
if has mpirun 'pml=ob1' || has mpirun 'ess_singleton_isolated=true'; then
  fail "under mpirun the singleton defaults were forced: $(cat "$work/mpirun.txt")"
else
  echo "ok: under mpirun the singleton's defaults are not forced"
fi

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
