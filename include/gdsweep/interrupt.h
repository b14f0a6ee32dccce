/* interrupt.h - graceful stop on SIGTERM, SIGINT and SIGUSR1.
 *
 * The first signal asks the sweep to stop: no new runs are started, running ones may
 * finish. After the grace period (an alarm) or at a second signal, running runs are
 * abandoned too: the iteration loop checks gd_interrupt_abandon() and returns early, and
 * an abandoned run is never recorded. The handlers only set flags and call alarm(), both
 * async-signal-safe. Process-wide state, by necessity of signals. */
#ifndef GDSWEEP_INTERRUPT_H
#define GDSWEEP_INTERRUPT_H

#include <signal.h>

extern volatile sig_atomic_t gd_stop_flag, gd_abandon_flag;

/* Installs the handlers; grace_seconds = 0 abandons at the first signal. */
void gd_interrupt_install(unsigned grace_seconds);

/* Asks for a stop as a signal would (when another rank was signalled). */
void gd_interrupt_request(void);

static inline int gd_interrupt_stop(void) { return gd_stop_flag != 0; }
static inline int gd_interrupt_abandon(void) { return gd_abandon_flag != 0; }

#endif
