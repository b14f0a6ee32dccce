/* interrupt.c - signal handlers for a graceful stop (see gdsweep/interrupt.h). */
#include "gdsweep/interrupt.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the signal flags must be lock-free atomics");

atomic_int gd_stop_flag = 0, gd_abandon_flag = 0;
static unsigned grace = 30;

static void on_stop_signal(int sig)
{
    (void)sig;
    if (gd_stop_flag) {
        gd_abandon_flag = 1; /* a second signal cuts the grace period short */
        return;
    }
    gd_stop_flag = 1;
    if (grace == 0) {
        gd_abandon_flag = 1;
    } else {
        int saved = errno; /* the interrupted thread may be about to read it */
        alarm(grace);
        errno = saved;
    }
}

static void on_alarm(int sig)
{
    (void)sig;
    if (gd_stop_flag)
        gd_abandon_flag = 1;
}

static void handle(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(sig, &sa, NULL);
}

void gd_interrupt_install(unsigned grace_seconds)
{
    grace = grace_seconds;
    handle(SIGTERM, on_stop_signal);
    handle(SIGINT, on_stop_signal);
    handle(SIGUSR1, on_stop_signal);
    handle(SIGALRM, on_alarm);
}

void gd_interrupt_request(void)
{
    if (!gd_stop_flag)
        on_stop_signal(0);
}
