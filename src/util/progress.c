/* progress.c - the rank-0 progress line (see gdsweep/progress.h). */
#include "gdsweep/progress.h"

#include <time.h>
#include <unistd.h>

double gd_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void gd_progress_init(gd_progress *p, uint64_t total, int quiet)
{
    p->out = stderr;
    p->tty = isatty(fileno(stderr));
    p->quiet = quiet;
    p->total = total;
    p->done = 0;
    p->start = p->last_print = p->last_update = gd_now_seconds();
}

static void format_eta(double seconds, char *buf, size_t size)
{
    if (!(seconds >= 0) || seconds > 1e8) {
        snprintf(buf, size, "?");
        return;
    }
    long s = (long)(seconds + 0.5);
    snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

static void print_line(gd_progress *p, double now)
{
    double elapsed = now - p->start, rate = elapsed > 0 ? (double)p->done / elapsed : 0;
    char eta[32];
    format_eta(rate > 0 ? (double)(p->total - p->done) / rate : -1, eta, sizeof eta);
    fprintf(p->out, "%sgdsweep: %llu/%llu runs (%.1f%%), %.0f runs/s, ETA %s%s",
            p->tty ? "\r" : "", (unsigned long long)p->done, (unsigned long long)p->total,
            p->total ? 100.0 * (double)p->done / (double)p->total : 100.0, rate, eta,
            p->tty ? "\033[K" : "\n");
    fflush(p->out);
    p->last_print = now;
}

void gd_progress_add(gd_progress *p, uint64_t n)
{
    double now = gd_now_seconds();
    p->done += n;
    p->last_update = now;
    if (p->quiet)
        return;
    if (now - p->last_print >= (p->tty ? 0.2 : GD_PROGRESS_PLAIN_SECONDS))
        print_line(p, now);
}

void gd_progress_finish(gd_progress *p)
{
    if (!p->quiet && p->tty && p->last_print > p->start) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
}
