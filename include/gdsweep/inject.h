/* inject.h - test-only failure injection: GD_INJECT_FAILURE names one failure point.
 *
 * For tests only (tests/e2e/test_failure_paths.sh): the environment variable
 * GD_INJECT_FAILURE = plan | local_worker | tally_rank1 makes that step fail as if it had
 * run out of memory, so that the job's failure paths can be exercised; rung_boundary and
 * after_promotion kill rank 0 at a halving sweep's first barrier (halving_sweep.c). Unset (always, in
 * real use), nothing fails. The variable is read here and nowhere else. */
#ifndef GDSWEEP_INJECT_H
#define GDSWEEP_INJECT_H

#include "gdsweep/error.h"

/* 1 when GD_INJECT_FAILURE names `point`; then err says "injected failure: <point>"
 * (a runtime error). 0 otherwise, err untouched. */
int gd_inject_failure(const char *point, gd_error *err);

#endif
