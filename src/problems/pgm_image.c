/* pgm_image.c - grayscale images from a problem's file: PGM and PBM decoded by libnetpbm.
 *
 * libnetpbm reads a stdio stream (fmemopen over the bytes in memory). It reports an error
 * by passing the message to the function set with pm_setusererrormsgfn, then longjmp'ing to
 * the jmp_buf set with pm_setjmpbuf (or exiting when none is set): both are process-global,
 * and check_files (main thread) may decode while rank 0's compute thread sets up an
 * instance. So every call into libnetpbm holds netpbm_lock, which guards the jmp_buf, the
 * message buffer `why`, and libnetpbm itself; setjmp is called only in gd_pgm_decode, and what
 * changes between setjmp and longjmp lives on the heap (the decoder). Values are the samples
 * over the file's maxval (1..65535), so 8 and 16-bit files scale like PNG's v / 255 and
 * v / 65535; a PBM's white is 1 and black 0. */
#include "image_formats.h"
#include "image_file.h"

#include <pgm.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHY_MAX 160

static pthread_mutex_t netpbm_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t netpbm_started = PTHREAD_ONCE_INIT;
static char why[WHY_MAX]; /* libnetpbm's last error message; guarded by netpbm_lock */

typedef struct decoder {
    jmp_buf jump;
    FILE *in;
    gray *row;
} decoder;

static void on_error(const char *msg)
{
    snprintf(why, sizeof why, "%s", msg);
    size_t n = strcspn(why, "\n");
    while (n > 0 && strchr(". ", why[n - 1])) /* "... is zero." then "; give ..." */
        n--;
    why[n] = '\0';
}

static void on_message(const char *msg)
{
}

static void start_netpbm(void)
{
    pm_init("gdsweep", 0);
    pm_setusererrormsgfn(on_error);
    pm_setusermessagefn(on_message);
}

int gd_pgm_is(const gd_problem_file *f)
{
    return f->len >= 2 && f->bytes[0] == 'P' && f->bytes[1] != '\0' &&
           strchr("1245", f->bytes[1]);
}

/* The whole image into out (NULL: the header only). Calls libnetpbm, which may longjmp. */
static int read_pgm(decoder *dec, double *out, size_t *height, size_t *width, gd_error *err)
{
    int cols, rows, format;
    gray maxval;
    pgm_readpgminit(dec->in, &cols, &rows, &maxval, &format);
    *height = (size_t)rows;
    *width = (size_t)cols;
    if (rows > GD_IMAGE_SIDE_MAX || cols > GD_IMAGE_SIDE_MAX)
        return gd_fail(err, "%dx%d pixels, more than %d on a side; give a smaller image",
                       cols, rows, GD_IMAGE_SIDE_MAX);
    if (!out)
        return 0;
    if (!(dec->row = malloc((size_t)cols * sizeof *dec->row)))
        return gd_fail_runtime(err, "out of memory for a %dx%d image", cols, rows);
    for (size_t i = 0; i < (size_t)rows; i++) {
        pgm_readpgmrow(dec->in, dec->row, cols, maxval, format);
        for (size_t j = 0; j < (size_t)cols; j++)
            out[i * (size_t)cols + j] = (double)dec->row[j] / (double)maxval;
    }
    return 0;
}

int gd_pgm_decode(const gd_problem_file *f, double *out, size_t *height, size_t *width,
                  gd_error *err)
{
    pthread_once(&netpbm_started, start_netpbm);
    decoder *dec = calloc(1, sizeof *dec);
    if (dec)
        dec->in = fmemopen((void *)f->bytes, f->len, "r");
    if (!dec || !dec->in) {
        free(dec);
        return gd_fail_runtime(err, "%s = %s: out of memory", f->key, f->path);
    }
    int rc = -1;
    jmp_buf *outer;
    pthread_mutex_lock(&netpbm_lock);
    pm_setjmpbufsave(&dec->jump, &outer);
    if (setjmp(dec->jump))
        gd_fail(err, "%s = %s: %s; give a valid PGM file", f->key, f->path, why);
    else if ((rc = read_pgm(dec, out, height, width, err)) < 0)
        gd_error_prefix(err, "%s = %s", f->key, f->path);
    pm_setjmpbuf(outer);
    pthread_mutex_unlock(&netpbm_lock);
    fclose(dec->in);
    free(dec->row);
    free(dec);
    return rc;
}
