/* progress.h - the progress line on rank 0: runs done / total, runs per second, ETA.
 *
 * On a terminal the line is redrawn in place about 5 times a second; when stderr is not
 * a terminal (batch jobs, logs) a plain line is printed every GD_PROGRESS_PLAIN_SECONDS.
 * Quiet mode prints nothing. Owned by one thread; no allocation. */
#ifndef GDSWEEP_PROGRESS_H
#define GDSWEEP_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#define GD_PROGRESS_PLAIN_SECONDS 5.0

typedef struct gd_progress {
    FILE *out;
    int tty, quiet;
    uint64_t total, done;
    double start, last_print;
    double last_update;    /* time of the last gd_progress_add */
} gd_progress;

void gd_progress_init(gd_progress *p, uint64_t total, int quiet);
/* Counts n more runs done; prints when a line is due. */
void gd_progress_add(gd_progress *p, uint64_t n);
/* Ends the live line (on a terminal). */
void gd_progress_finish(gd_progress *p);

/* Monotonic seconds, for timing across modules. */
double gd_now_seconds(void);

#endif
