/* png_image.c - grayscale images from a problem's file: PNG decoded by libpng.
 *
 * libpng reads from the bytes already in memory (a read callback) and reports errors by
 * longjmp to the setjmp in decode(), the only function that calls setjmp; everything it
 * allocates lives in the decoder (on the heap, so nothing changes in decode's frame
 * between setjmp and longjmp), freed on either path. See image_file.h for the
 * conversions. */
#include "image_file.h"
#include "image_formats.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHY_MAX 160

typedef struct decoder {
    png_structp png;
    png_infop info;
    const unsigned char *bytes;
    size_t len, at;
    unsigned char *pixels; /* the decoded samples, rows of png_get_rowbytes bytes */
    png_bytep *rows;
    char why[WHY_MAX];     /* libpng's message when it fails */
} decoder;

static void read_bytes(png_structp png, png_bytep out, size_t n)
{
    decoder *dec = png_get_io_ptr(png);
    if (n > dec->len - dec->at)
        png_error(png, "the file ends before the image does");
    memcpy(out, dec->bytes + dec->at, n);
    dec->at += n;
}

static void on_error(png_structp png, png_const_charp msg)
{
    decoder *dec = png_get_error_ptr(png);
    snprintf(dec->why, sizeof dec->why, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
}

/* Gray or RGB samples of 8 or 16 bits, whatever the file holds. */
static void ask_for_samples(png_structp png, png_infop info, int color, int depth)
{
    if (color == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    png_set_strip_alpha(png); /* also the alpha that a palette's tRNS expands into */
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
}

/* Sample c of pixel j of row r (big-endian when 16-bit), over the largest sample. */
static double sample(const unsigned char *r, size_t j, int channels, int c, int depth)
{
    size_t k = j * (size_t)channels + (size_t)c;
    if (depth == 16)
        return (double)(r[2 * k] << 8 | r[2 * k + 1]) / 65535.0;
    return (double)r[k] / 255.0;
}

/* The decoded samples into out: gray as it is, colour as Rec. 709 luminance. */
static void samples_to_values(const decoder *dec, size_t height, size_t width, double *out)
{
    int depth = png_get_bit_depth(dec->png, dec->info);
    int channels = png_get_channels(dec->png, dec->info);
    for (size_t i = 0; i < height; i++) {
        const unsigned char *r = dec->rows[i];
        double *o = out + i * width;
        for (size_t j = 0; j < width; j++)
            o[j] = channels == 1 ? sample(r, j, 1, 0, depth)
                                 : 0.2126 * sample(r, j, 3, 0, depth) +
                                       0.7152 * sample(r, j, 3, 1, depth) +
                                       0.0722 * sample(r, j, 3, 2, depth);
    }
}

/* The whole image into out (NULL: the header only). Calls libpng, which may longjmp. */
static int read_png(decoder *dec, double *out, size_t *height, size_t *width, gd_error *err)
{
    png_uint_32 w, h;
    int depth, color;
    png_set_read_fn(dec->png, dec, read_bytes);
    png_set_user_limits(dec->png, GD_IMAGE_SIDE_MAX, GD_IMAGE_SIDE_MAX);
    png_read_info(dec->png, dec->info);
    png_get_IHDR(dec->png, dec->info, &w, &h, &depth, &color, NULL, NULL, NULL);
    *height = h;
    *width = w;
    if (!out)
        return 0;
    ask_for_samples(dec->png, dec->info, color, depth);
    int channels = png_get_channels(dec->png, dec->info);
    if (channels != 1 && channels != 3)
        return gd_fail(err, "%d samples per pixel after conversion to gray; save the image "
                       "as gray or RGB", channels);
    size_t row_bytes = png_get_rowbytes(dec->png, dec->info);
    dec->pixels = malloc(row_bytes * h);
    dec->rows = malloc(h * sizeof *dec->rows);
    if (!dec->pixels || !dec->rows)
        return gd_fail_runtime(err, "out of memory for a %ux%u image", (unsigned)w,
                               (unsigned)h);
    for (size_t i = 0; i < h; i++)
        dec->rows[i] = dec->pixels + i * row_bytes;
    png_read_image(dec->png, dec->rows);
    samples_to_values(dec, h, w, out);
    return 0;
}

int gd_png_decode(const gd_problem_file *f, double *out, size_t *height, size_t *width,
                  gd_error *err)
{
    decoder *dec = calloc(1, sizeof *dec);
    if (!dec)
        return gd_fail_runtime(err, "%s = %s: out of memory", f->key, f->path);
    *dec = (decoder){.bytes = f->bytes, .len = f->len};
    dec->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, dec, on_error, on_warning);
    dec->info = dec->png ? png_create_info_struct(dec->png) : NULL;
    int rc = -1;
    if (!dec->info)
        gd_fail_runtime(err, "%s = %s: out of memory starting libpng", f->key, f->path);
    else if (setjmp(png_jmpbuf(dec->png)))
        gd_fail(err, "%s = %s: %s; give a valid PNG file", f->key, f->path, dec->why);
    else if ((rc = read_png(dec, out, height, width, err)) < 0)
        gd_error_prefix(err, "%s = %s", f->key, f->path);
    png_destroy_read_struct(&dec->png, &dec->info, NULL);
    free(dec->pixels);
    free(dec->rows);
    free(dec);
    return rc;
}

int gd_png_is(const gd_problem_file *f)
{
    return f->len >= 8 && png_sig_cmp(f->bytes, 0, 8) == 0;
}
