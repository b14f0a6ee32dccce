/* journal.c - the rollback journal's file format: save, clear, load, restore (journal.h). */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdsweep/sha256.h"

#define MAGIC "GDSWJNL1"
enum { MAGIC_LEN = 8, NUMBERS = 5, HEADER = MAGIC_LEN + 8 * NUMBERS + GD_SHA256_BYTES };
/* An entry's length with this bit set: its old bytes were all zeros, and are not stored
 * (the unused tail of a chunk that a commit's appends fill: most of what is overwritten). */
#define ZEROS ((uint64_t)1 << 63)

/* ---- raw I/O ------------------------------------------------------------------------ */

int gd_read_at(int fd, void *buf, uint64_t len, uint64_t at)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t got = pread(fd, p, len, (off_t)at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        if (got == 0) { /* past the end of the file: reads as zeros */
            memset(p, 0, len);
            return 0;
        }
        p += got, at += (uint64_t)got, len -= (uint64_t)got;
    }
    return 0;
}

int gd_write_at(int fd, const void *buf, uint64_t len, uint64_t at)
{
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t put = pwrite(fd, p, len, (off_t)at);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return put == 0 ? (errno = EIO, -1) : -1;
        p += put, at += (uint64_t)put, len -= (uint64_t)put;
    }
    return 0;
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* ---- ranges ------------------------------------------------------------------------- */

static int by_address(const void *a, const void *b)
{
    const gd_journal_range *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

size_t gd_journal_merge_ranges(gd_journal_range *r, size_t n)
{
    if (n == 0)
        return 0;
    qsort(r, n, sizeof *r, by_address);
    size_t kept = 0;
    for (size_t i = 1; i < n; i++) {
        uint64_t end = r[kept].addr + r[kept].len;
        if (r[i].addr <= end) {
            uint64_t i_end = r[i].addr + r[i].len;
            r[kept].len = (i_end > end ? i_end : end) - r[kept].addr;
        } else {
            r[++kept] = r[i];
        }
    }
    return kept + 1;
}

/* ---- save and clear ----------------------------------------------------------------- */

static int all_zero(const unsigned char *p, uint64_t len)
{
    return len == 0 || (p[0] == 0 && memcmp(p, p + 1, (size_t)len - 1) == 0);
}

/* Writes the entries into `body`; returns the body's length. */
static uint64_t fill_body(unsigned char *body, const gd_journal_range *r,
                          const unsigned char *const *old, size_t n)
{
    unsigned char *p = body;
    for (size_t i = 0; i < n; i++) {
        int zeros = all_zero(old[i], r[i].len);
        put64(p, r[i].addr);
        put64(p + 8, r[i].len | (zeros ? ZEROS : 0));
        if (!zeros)
            memcpy(p + 16, old[i], (size_t)r[i].len);
        p += 16 + (zeros ? 0 : r[i].len);
    }
    return (uint64_t)(p - body);
}

/* The header's five numbers, then the digest of them and the body. */
static void fill_header(unsigned char *h, const struct stat *sb, uint64_t size, size_t n,
                        uint64_t body_len)
{
    memcpy(h, MAGIC, MAGIC_LEN);
    uint64_t numbers[NUMBERS] = {size, (uint64_t)sb->st_dev, (uint64_t)sb->st_ino, n, body_len};
    for (int i = 0; i < NUMBERS; i++)
        put64(h + MAGIC_LEN + 8 * i, numbers[i]);
    gd_sha256 c;
    gd_sha256_init(&c);
    gd_sha256_update(&c, h + MAGIC_LEN, 8 * NUMBERS);
    gd_sha256_update(&c, h + HEADER, body_len);
    gd_sha256_final(&c, h + MAGIC_LEN + 8 * NUMBERS);
}

int gd_journal_save(int journal_fd, const struct stat *sb, uint64_t size,
                    const gd_journal_range *ranges, const unsigned char *const *old, size_t n)
{
    uint64_t most = HEADER;
    for (size_t i = 0; i < n; i++)
        most += 16 + ranges[i].len;
    unsigned char *buf = most == (size_t)most ? malloc((size_t)most) : NULL;
    if (!buf)
        return errno = ENOMEM, -1;
    uint64_t body_len = fill_body(buf + HEADER, ranges, old, n), total = HEADER + body_len;
    fill_header(buf, sb, size, n, body_len);
    int rc = gd_write_at(journal_fd, buf, total, 0) < 0 ||
                     ftruncate(journal_fd, (off_t)total) < 0 || fdatasync(journal_fd) < 0
                 ? -1
                 : 0;
    int saved = errno;
    free(buf);
    errno = saved;
    return rc;
}

int gd_journal_clear(int journal_fd)
{
    return ftruncate(journal_fd, 0) < 0 || fdatasync(journal_fd) < 0 ? -1 : 0;
}

/* ---- load and restore --------------------------------------------------------------- */

/* The total of the entries' lengths (zeros included); 0 when the body does not parse. */
static uint64_t old_bytes_total(const unsigned char *body, uint64_t body_len, size_t n)
{
    uint64_t at = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        if (body_len - at < 16)
            return 0;
        uint64_t len = get64(body + at + 8), stored = len & ZEROS ? 0 : len;
        at += 16;
        if (body_len - at < stored || total + (len & ~ZEROS) < total)
            return 0;
        at += stored, total += len & ~ZEROS;
    }
    return at == body_len ? total + 1 : 0; /* + 1: a parse of only empty entries is valid */
}

/* Splits a verified body into ranges and bytes; 0 when it does not parse. */
static int parse_body(const unsigned char *body, uint64_t body_len, size_t n, gd_journal *j)
{
    uint64_t total = n <= body_len / 16 ? old_bytes_total(body, body_len, n) : 0;
    if (total == 0 || total != (size_t)total)
        return 0;
    j->ranges = calloc(n ? n : 1, sizeof *j->ranges);
    j->bytes = malloc((size_t)total);
    if (!j->ranges || !j->bytes)
        return errno = ENOMEM, -1;
    uint64_t at = 0, out = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t len = get64(body + at + 8);
        j->ranges[i] = (gd_journal_range){get64(body + at), len & ~ZEROS};
        at += 16;
        if (len & ZEROS) {
            memset(j->bytes + out, 0, (size_t)j->ranges[i].len);
        } else {
            memcpy(j->bytes + out, body + at, (size_t)len);
            at += len;
        }
        out += j->ranges[i].len;
    }
    j->count = n;
    return at == body_len;
}

/* 1 when buf (len bytes, a whole journal) is valid for the file sb. Its inode names the
 * file, not its device: an NFS or Lustre client numbers the mounts it has itself, so the
 * node that resumes may see another device number than the node that wrote. */
static int verify(const unsigned char *buf, uint64_t len, const struct stat *sb)
{
    if (len < HEADER || memcmp(buf, MAGIC, MAGIC_LEN) != 0)
        return 0;
    uint64_t body_len = get64(buf + MAGIC_LEN + 32);
    if (body_len != len - HEADER || get64(buf + MAGIC_LEN + 16) != (uint64_t)sb->st_ino)
        return 0;
    unsigned char digest[GD_SHA256_BYTES];
    gd_sha256 c;
    gd_sha256_init(&c);
    gd_sha256_update(&c, buf + MAGIC_LEN, 8 * NUMBERS);
    gd_sha256_update(&c, buf + HEADER, body_len);
    gd_sha256_final(&c, digest);
    return memcmp(digest, buf + MAGIC_LEN + 8 * NUMBERS, GD_SHA256_BYTES) == 0;
}

static int read_whole(int fd, unsigned char **buf, uint64_t *len)
{
    struct stat jb;
    if (fstat(fd, &jb) < 0)
        return -1;
    *len = (uint64_t)jb.st_size;
    *buf = malloc(*len ? (size_t)*len : 1);
    if (!*buf)
        return errno = ENOMEM, -1;
    return gd_read_at(fd, *buf, *len, 0);
}

int gd_journal_load(const char *path, const struct stat *sb, gd_journal *j)
{
    memset(j, 0, sizeof *j);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    unsigned char *buf = NULL;
    uint64_t len = 0;
    int rc = read_whole(fd, &buf, &len);
    close(fd);
    if (rc == 0 && verify(buf, len, sb)) {
        j->size = get64(buf + MAGIC_LEN);
        rc = parse_body(buf + HEADER, len - HEADER, (size_t)get64(buf + MAGIC_LEN + 24), j);
    }
    int saved = errno;
    free(buf);
    if (rc != 1)
        gd_journal_free(j);
    errno = saved;
    return rc;
}

int gd_journal_restore(int file_fd, const gd_journal *j)
{
    const unsigned char *old = j->bytes;
    for (size_t i = 0; i < j->count; i++) {
        if (gd_write_at(file_fd, old, j->ranges[i].len, j->ranges[i].addr) < 0)
            return -1;
        old += j->ranges[i].len;
    }
    return ftruncate(file_fd, (off_t)j->size) < 0 || fsync(file_fd) < 0 ? -1 : 0;
}

void gd_journal_free(gd_journal *j)
{
    free(j->ranges);
    free(j->bytes);
    memset(j, 0, sizeof *j);
}
