/* crash_watch.c - the handler that names the run a plugin crashed (crash_watch.h).
 *
 * The current run lives in thread-local storage, set before and cleared after each
 * plugin run; the handler only reads it, formats the run id by hand and calls write(2),
 * which are async-signal-safe. */
#include "gdsweep/crash_watch.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

typedef struct watched_run {
    uint64_t id;
    const char *label, *plugin, *library; /* NULL: no watched run on this thread */
} watched_run;

static _Thread_local watched_run current;

static const int watched_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};

static void put(const char *s)
{
    ssize_t left = (ssize_t)strlen(s);
    while (left > 0) {
        ssize_t n = write(STDERR_FILENO, s, (size_t)left);
        if (n <= 0)
            return;
        s += n;
        left -= n;
    }
}

static void put_number(uint64_t v)
{
    char digits[24];
    size_t i = sizeof digits - 1;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(digits + i);
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    default: return "SIGILL";
    }
}

static void on_crash(int sig)
{
    if (current.plugin) {
        put("gdsweep: run ");
        put_number(current.id);
        put(" (problem ");
        put(current.label);
        put(", ");
        put(current.plugin);
        put(" from ");
        put(current.library);
        put(") crashed with ");
        put(signal_name(sig));
        put(" in the plugin's code; this rank stops. Fix the plugin; the output keeps "
            "the committed runs (--resume runs the rest)\n");
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void gd_crash_watch_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_crash;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    for (size_t i = 0; i < sizeof watched_signals / sizeof *watched_signals; i++)
        sigaction(watched_signals[i], &sa, NULL);
}

void gd_crash_watch_begin(uint64_t id, const char *label, const char *plugin,
                          const char *library)
{
    current = (watched_run){id, label, plugin, library};
}

void gd_crash_watch_end(void)
{
    current.plugin = NULL;
}
