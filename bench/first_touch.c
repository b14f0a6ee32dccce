/* first_touch.c - what this machine charges for memory a process touches for the first
 * time, against rewriting memory it already has (a VM can charge 10x or more; a fresh
 * buffer per batch, message or chunk pays it every time).
 *
 * Usage: build/bench/first_touch [MiB]   (default 24). Prints, three times: fill of a
 * fresh mmap'd buffer, then the same buffer filled again, in ms and in us per 4 KiB page;
 * then the same with the buffer asked for transparent huge pages (gdsweep/huge_pages.h). */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "gdsweep/huge_pages.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One round: a fresh buffer filled, then filled again (huge: asked for huge pages). */
static int round_trip(size_t mib, int huge)
{
    size_t bytes = mib << 20;
    double pages = (double)bytes / 4096.0;
    volatile unsigned char *p =
        mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return perror("mmap"), 1;
    if (huge)
        gd_huge_pages_advise((void *)p, bytes);
    double t0 = now();
    memset((void *)p, 1, bytes);
    double t1 = now();
    memset((void *)p, 2, bytes);
    double t2 = now();
    printf("%zu MiB%s: first touch %.1f ms (%.2f us/page), again %.1f ms (%.3f us/page)%s\n",
           mib, huge ? ", huge pages asked" : "", 1e3 * (t1 - t0), 1e6 * (t1 - t0) / pages,
           1e3 * (t2 - t1), 1e6 * (t2 - t1) / pages, p[bytes - 1] == 2 ? "" : " (?)");
    munmap((void *)p, bytes);
    return 0;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 24;
    for (int huge = 0; huge < 2; huge++)
        for (int round = 0; round < 3; round++)
            if (round_trip(mib, huge) != 0)
                return 1;
    return 0;
}
