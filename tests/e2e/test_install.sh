#!/usr/bin/env bash
# test_install.sh - `cmake --install` into a fresh prefix, then, from a folder outside the
# source tree, with nothing but the prefix: a sweep of the installed binary under mpirun,
# `python3 -m gdsweep.report` on its file, `man -l` of the installed page (no warnings; every
# flag of every command's --help on it), the installed bash completion (commands, flags,
# files, a flag's choices), the example plugin compiled against the installed header and
# swept, the batch scripts pointed at the installed binary; no test binary installed; and
# `cpack -G DEB` makes a .deb of the same files with its library and Python dependencies.
source "$(dirname "$0")/common.sh"
build=$(dirname "$GD_BINARY")
prefix=$work/prefix
here=$work/elsewhere
mkdir -p "$here"
cd "$here"

check() { # check WHAT COMMAND...: COMMAND succeeds
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else fail "$what"; fi
}

env -u DESTDIR cmake --install "$build" --prefix "$prefix" >"$work/install.log" ||
  { cat "$work/install.log"; fail "cmake --install exits 0"; finish; }
bin=$prefix/bin/gdsweep
page=$prefix/share/man/man1/gdsweep.1
completion=$prefix/share/bash-completion/completions/gdsweep
report_py=$(find "$prefix" -path '*/gdsweep/report.py')
pydir=$(dirname "$(dirname "$report_py")")

# ---- the layout: what is installed, and nothing of the tests.
for f in "$bin" "$prefix/include/gdsweep/plugin.h" "$page" "$completion" "$report_py" \
         "$prefix/share/gdsweep/experiments/seed.ini" \
         "$prefix/share/gdsweep/experiments/plugins/example_problems.c"; do
  check "installed: ${f#$prefix/}" test -s "$f"
done
check "the Python package is in PREFIX/lib/python3*/dist-packages/gdsweep" \
  test "$pydir" != "${pydir#$prefix/lib/python3}" -a "${pydir##*/}" = dist-packages
check "bin/ holds gdsweep only" test "$(ls "$prefix/bin")" = gdsweep
check "no library, plugin or test binary installed" \
  test -z "$(find "$prefix" -name '*.so' -o -name '*.a' -o -name 'gd_*' -o -name 'test_*')"
for s in slurm_sweep.sbatch slurm_array.sbatch pbs_sweep.pbs; do
  job=$prefix/share/gdsweep/jobs/$s
  check "jobs/$s: executable, valid, runs $bin" \
    eval 'test -x "$job" && bash -n "$job" && grep -q "GD_BIN=\${GD_BIN:-$bin}" "$job" &&
          grep -q "source \"$prefix/share/gdsweep/jobs/job_lib.sh\"" "$job"'
done

# ---- a sweep with the installed binary, outside the source tree.
cat >grid.ini <<'INI'
[sweep]
name = installed
seed = 3
iterations = 50
[problem quadratic]
x0 = 5, -3
[problem fit]
type = curvefit
points = 20
[optimizer gd]
lr = 0.01, 0.1
[optimizer adam]
lr = 0.05
INI
check "mpirun -n 2 PREFIX/bin/gdsweep grid.ini" \
  eval 'mpirun -n 2 "$bin" grid.ini -o out.h5 --quiet --threads 1 >sweep.txt 2>&1'
check "gdsweep status: complete" eval '"$bin" status out.h5 >status.txt'

# ---- the report from the installed package: PYTHONPATH names the prefix's folder only.
check "python3 -m gdsweep.report comes from the prefix" eval \
  'PYTHONPATH=$pydir /usr/bin/python3 -c "import gdsweep.report as r; print(r.__file__)" |
   grep -qx "$report_py"'
check "python3 -m gdsweep.report out.h5 exits 0" \
  eval 'PYTHONPATH=$pydir /usr/bin/python3 -m gdsweep.report out.h5 -o report >report.txt 2>&1'
for f in index.html report.js best_configurations.csv convergence.png; do
  check "the report wrote $f" test -s "report/$f"
done
check "the report's usage names gdsweep.report" eval \
  'PYTHONPATH=$pydir /usr/bin/python3 -m gdsweep.report --help | grep -q "python3 -m gdsweep.report"'

# ---- the man page: renders without warnings and shows every flag of every --help.
check "man -l renders the page without a warning" \
  eval 'test -z "$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null)"'
check "groff -man -ww finds nothing to warn about" \
  eval 'test -z "$(groff -man -ww -z "$page" 2>&1)"'
MANWIDTH=80 man -l "$page" 2>/dev/null >man.txt  # plain text: stdout is no terminal
flags() { "$bin" "$@" --help | grep -E '^  -' | grep -Eo -- '--[a-z][a-z0-9-]+'; } # flags CMD: its rows
for cmd in "" status summary merge; do
  for flag in $(flags $cmd); do
    grep -q -- "$flag" man.txt || fail "man page lacks ${cmd:-gdsweep} $flag"
  done
done
check "the man page has the commands and the optimizers of --list" \
  eval 'grep -q "gdsweep merge" man.txt && grep -q "^ *adamw " man.txt'

# ---- bash completion, driven as bash drives it (COMP_WORDS, COMP_CWORD -> COMPREPLY).
complete_words() { # complete_words WORD...: the completions of the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _gdsweep
           for w in "${COMPREPLY[@]}"; do echo "$w"; done | sort | tr "\n" " "' _ "$completion" "$@"
}
check "complete -p gdsweep" eval 'bash -c "source \"$completion\"; complete -p gdsweep" | grep -q _gdsweep'
expect_completion() { # expect_completion EXPECTED WORD...
  local want=$1; shift
  local got; got=$(complete_words "$@")
  if [ "$got" = "$want" ]; then echo "ok: complete '$*' -> $got"; else fail "complete '$*': '$got', expected '$want'"; fi
}
expect_completion "grid.ini merge report status summary " gdsweep ""
expect_completion "--dry-run " gdsweep grid.ini --dry
expect_completion "out.h5 report " gdsweep grid.ini -o ""  # folders too
expect_completion "out.h5 report " gdsweep summary ""
expect_completion "max min " gdsweep summary out.h5 --mode ""
expect_completion "--mode=max --mode=min " gdsweep summary out.h5 --mode=m
expect_completion "out.h5 report " gdsweep grid.ini --output = ""  # bash splits at "="
expect_completion "--metric --mode " gdsweep summary out.h5 --m
expect_completion "" gdsweep --threads ""
for flag in $(flags merge); do
  [[ " $(complete_words gdsweep merge --) " == *" $flag "* ]] || fail "completion lacks merge $flag"
done

# ---- a plugin compiled against the installed header (the installed example), swept.
mkdir -p plugins
check "cc -I PREFIX/include example_problems.c" \
  cc -shared -fPIC -O2 -I"$prefix/include" "$prefix/share/gdsweep/experiments/plugins/example_problems.c" \
     -o plugins/example_problems.so -lm
cat >plugin.ini <<'INI'
[sweep]
name = plugin
seed = 1
iterations = 100
[problem ras]
type = plugin
library = plugins/example_problems.so
name = rastrigin
n = 4
[optimizer adam]
lr = 0.01, 0.1
INI
check "the installed gdsweep sweeps the plugin" \
  eval '"$bin" plugin.ini -o plugin.h5 --quiet --threads 1 >plugin.txt 2>&1 && "$bin" status plugin.h5 >/dev/null'

# ---- the .deb (cpack in the build folder, already built): the same files, its dependencies.
if command -v cpack >/dev/null && command -v dpkg-deb >/dev/null; then
  check "cpack -G DEB" eval '(cd "$build" && cpack -G DEB -B "$work/deb" >"$work/cpack.log" 2>&1)'
  deb=$(ls "$work"/deb/gdsweep_*.deb 2>/dev/null | head -1)
  dpkg-deb -c "$deb" >deb.txt 2>&1 || fail "dpkg-deb -c $deb"
  for f in bin/gdsweep include/gdsweep/plugin.h share/man/man1/gdsweep.1 gdsweep/report.py \
           share/bash-completion/completions/gdsweep share/gdsweep/jobs/slurm_sweep.sbatch; do
    grep -q "/$f\$" deb.txt || fail "the .deb lacks $f"
  done
  check "the .deb depends on HDF5, Open MPI and h5py" \
    eval 'dpkg-deb -f "$deb" Depends | grep -q "libhdf5.*openmpi-bin\|openmpi-bin.*libhdf5" &&
          dpkg-deb -f "$deb" Depends | grep -q python3-h5py'
else
  echo "skip: no cpack or dpkg-deb"
fi
finish
