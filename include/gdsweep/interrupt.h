/* interrupt.h - graceful stop on SIGTERM, SIGINT and SIGUSR1.
 *
 * The first signal asks the sweep to stop: no new runs are started, running ones may
 * finish. After the grace period (an alarm) or at a second signal, running runs are
 * abandoned too: the iteration loop checks gd_interrupt_abandon() and returns early, and
 * an abandoned run is never recorded. The handlers only set flags and call alarm(), both
 * async-signal-safe. The flags are atomic (lock-free, so also safe in a handler): the
 * handler runs on whichever thread takes the signal (the compute, writer or sync
 * thread too) and every thread reads them. Process-wide state, by necessity of signals. */
#ifndef GDSWEEP_INTERRUPT_H
#define GDSWEEP_INTERRUPT_H

#include <signal.h>
#include <stdatomic.h>

extern atomic_int gd_stop_flag, gd_abandon_flag;

/* Installs the handlers; grace_seconds = 0 abandons at the first signal. */
void gd_interrupt_install(unsigned grace_seconds);

/* Asks for a stop as a signal would (when another rank was signalled). */
void gd_interrupt_request(void);

static inline int gd_interrupt_stop(void)
{
    return atomic_load_explicit(&gd_stop_flag, memory_order_relaxed) != 0;
}
static inline int gd_interrupt_abandon(void)
{
    return atomic_load_explicit(&gd_abandon_flag, memory_order_relaxed) != 0;
}

#endif
