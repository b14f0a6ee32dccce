/* crash_watch.h - a clear last line when a plugin's code crashes a run.
 *
 * A plugin is code gdsweep did not write: a SIGSEGV, SIGBUS, SIGFPE or SIGILL in it takes
 * its rank down (the process cannot go on safely), but first one line names the run, the
 * problem section and the plugin, written from the signal handler (async-signal-safe:
 * write(2) of text prepared per thread). The handler then restores the default action
 * and raises the signal again, so mpirun sees the rank die and ends the job (never a
 * hang), and the output file keeps what was committed: --resume runs the rest. Threads
 * that are not in a watched run get the default action, without the line. */
#ifndef GDSWEEP_CRASH_WATCH_H
#define GDSWEEP_CRASH_WATCH_H

#include <stdint.h>

/* Installs the handlers for the process (again: the same handlers). */
void gd_crash_watch_install(void);

/* The calling thread runs run `id` of section `label` on the plugin `plugin` from
 * `library` until gd_crash_watch_end. The strings must outlive the run. */
void gd_crash_watch_begin(uint64_t id, const char *label, const char *plugin,
                          const char *library);
void gd_crash_watch_end(void);

#endif
