/* file_text.c - the text of a problem's file: gzip inflated by zlib, else the bytes.
 *
 * The output buffer doubles from four times the file's size up to the cap; zlib's
 * counters are 32-bit, so input and output are handed to it in slices of at most
 * SLICE bytes. At the end of a gzip member the stream is reset for the next one. */
#include "file_text.h"

#include <stdlib.h>
#include <zlib.h>

#define SLICE ((size_t)1 << 30)
#define AT_CAP 100 /* inflate_step's code for "the output is at its cap" (zlib's are < 3) */

static size_t smaller(size_t a, size_t b)
{
    return a < b ? a : b;
}

static int is_gzip(const gd_problem_file *f)
{
    return f->len >= 2 && f->bytes[0] == 0x1f && f->bytes[1] == 0x8b;
}

/* An output buffer that grows to at most max bytes. */
typedef struct out_buf {
    unsigned char *bytes;
    size_t used, cap, max;
} out_buf;

/* Room for more output: 0, 1 when the buffer is at its cap, -1 when memory ran out. */
static int make_room(out_buf *o)
{
    if (o->used < o->cap)
        return 0;
    if (o->cap == o->max)
        return 1;
    size_t cap = smaller(2 * o->cap, o->max);
    unsigned char *more = realloc(o->bytes, cap);
    if (!more)
        return -1;
    o->bytes = more;
    o->cap = cap;
    return 0;
}

/* One step of inflate: feeds the next slice of input when zlib has none, and the room
 * there is. Returns inflate's code, or Z_MEM_ERROR / AT_CAP of its own. */
static int inflate_step(z_stream *z, const gd_problem_file *f, size_t *fed, out_buf *o)
{
    if (z->avail_in == 0 && *fed < f->len) {
        z->next_in = (unsigned char *)f->bytes + *fed;
        z->avail_in = (uInt)smaller(f->len - *fed, SLICE);
        *fed += z->avail_in;
    }
    int room = make_room(o);
    if (room != 0)
        return room < 0 ? Z_MEM_ERROR : AT_CAP;
    z->next_out = o->bytes + o->used;
    z->avail_out = (uInt)smaller(o->cap - o->used, SLICE);
    uInt before = z->avail_out;
    int rc = inflate(z, Z_NO_FLUSH);
    o->used += before - z->avail_out;
    return rc;
}

/* Inflates every member of f into o; the failure's message into err. */
static int inflate_all(z_stream *z, const gd_problem_file *f, out_buf *o, gd_error *err)
{
    size_t fed = 0;
    for (;;) {
        int rc = inflate_step(z, f, &fed, o);
        int input_left = z->avail_in > 0 || fed < f->len;
        if (rc == Z_STREAM_END && !input_left)
            return 0;
        if (rc == Z_STREAM_END)
            rc = inflateReset(z);
        if (rc == Z_OK)
            continue;
        if (rc == Z_MEM_ERROR)
            return gd_fail_runtime(err, "%s: out of memory inflating it", f->path);
        if (rc == AT_CAP)
            return gd_fail(err, "%s: inflates to more than %zu bytes; give a smaller file",
                           f->path, o->max);
        if (rc == Z_BUF_ERROR && !input_left)
            return gd_fail(err, "%s: the gzip data end early; give a whole .gz file",
                           f->path);
        return gd_fail(err, "%s: not valid gzip data (zlib: %s); give a .gz file or plain "
                       "text", f->path, z->msg ? z->msg : "error");
    }
}

static int inflate_file(const gd_problem_file *f, size_t max, gd_file_text *t, gd_error *err)
{
    z_stream z = {0};
    /* a first guess: text compresses about four times */
    out_buf o = {NULL, 0, smaller(smaller(f->len, max / 4) * 4 + 4096, max), max};
    if (!(o.bytes = malloc(o.cap)))
        return gd_fail_runtime(err, "%s: out of memory inflating it", f->path);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        free(o.bytes);
        return gd_fail_runtime(err, "%s: out of memory starting zlib", f->path);
    }
    int rc = inflate_all(&z, f, &o, err);
    inflateEnd(&z);
    if (rc < 0) {
        free(o.bytes);
        return -1;
    }
    *t = (gd_file_text){o.bytes, o.used, o.bytes};
    return 0;
}

int gd_file_text_get(const gd_problem_file *f, size_t max, gd_file_text *t, gd_error *err)
{
    *t = (gd_file_text){NULL, 0, NULL};
    if (!is_gzip(f)) {
        t->bytes = f->bytes;
        t->len = f->len;
        return 0;
    }
    return inflate_file(f, max, t, err);
}

void gd_file_text_free(gd_file_text *t)
{
    free(t->owned);
    *t = (gd_file_text){NULL, 0, NULL};
}
