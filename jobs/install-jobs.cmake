# install-jobs.cmake - `cmake --install` step (CMakeLists.txt): the batch scripts, pointed at the installed gdsweep.
#
# In the checkout the scripts run $GD_ROOT/build/gdsweep and source $GD_ROOT/jobs/job_lib.sh;
# the installed copies default to PREFIX/bin/gdsweep and their own job_lib.sh instead (both
# still overridden by GD_BIN, and GD_ROOT is then only the submit directory). Runs at install
# time, so `cmake --install build --prefix P` and DESTDIR get the right paths. Needs
# GD_JOBS_SOURCE, GD_JOBS_STAGE (a scratch folder), GD_BINDIR and GD_JOBSDIR (relative to
# the prefix) from install(CODE).
set(jobs ${CMAKE_INSTALL_PREFIX}/${GD_JOBSDIR})
foreach(script slurm_sweep.sbatch slurm_array.sbatch pbs_sweep.pbs)
  file(READ ${GD_JOBS_SOURCE}/${script} text)
  string(REPLACE "$GD_ROOT/build/gdsweep" "${CMAKE_INSTALL_PREFIX}/${GD_BINDIR}/gdsweep" text
         "${text}")
  string(REPLACE "$GD_ROOT/jobs/job_lib.sh" "${jobs}/job_lib.sh" text "${text}")
  file(WRITE ${GD_JOBS_STAGE}/${script} "${text}")
  file(INSTALL ${GD_JOBS_STAGE}/${script} DESTINATION ${jobs} FILE_PERMISSIONS OWNER_READ
       OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
file(INSTALL ${GD_JOBS_SOURCE}/job_lib.sh DESTINATION ${jobs})
