/* out_lock.c - the writer's lock file OUT.lock: take, take over when stale, release
 * (see gdsweep/out_lock.h for the protocol and why it is safe).
 *
 * Failure: a lock held by a running writer, or a file at OUT.lock that is not a lock, is
 * a usage error naming who holds it; nothing of OUT is touched. The process's own lock
 * file (OUT.lock.HOST.PID) exists only while gd_out_lock_take runs. */
#include "gdsweep/out_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gdsweep/grid.h"

#define LOCK_PATH_MAX (GD_PATH_MAX + 320)
#define HOST_MAX 256
#define TAKE_ROUNDS 40       /* link / examine / take over, before giving up */
#define ROUND_PAUSE_NS 5000000L

typedef struct holder {
    char host[HOST_MAX];
    long pid;
    unsigned long long start; /* clock ticks after boot (/proc/PID/stat); 0 if unknown */
    char since[32];
    char command[512];
} holder;

typedef enum { LOCK_LIVE, LOCK_REMOTE, LOCK_STALE } lock_state;

static struct {
    char path[LOCK_PATH_MAX];
    dev_t dev;
    ino_t ino;
    int held, registered;
} self_lock;

/* ---- who we are, who holds it -------------------------------------------------------- */

/* Field 3 (state) and field 22 (start time) of /proc/PID/stat, read after the command
 * name (which may hold ") "); start 0 and state '?' if unreadable. */
static unsigned long long process_start(long pid, char *state)
{
    char name[64], buf[1024];
    snprintf(name, sizeof name, "/proc/%ld/stat", pid);
    FILE *f = fopen(name, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    *state = p && p[1] == ' ' && p[2] ? p[2] : '?';
    for (int field = 2; p && field < 22; field++) {
        p = strchr(p + 1, ' ');
    }
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

static void this_host(char *host, size_t size)
{
    if (gethostname(host, size) != 0)
        snprintf(host, size, "unknown");
    host[size - 1] = '\0';
}

static void describe_self(holder *h, const char *command_line)
{
    time_t now = time(NULL);
    struct tm tm;
    memset(h, 0, sizeof *h);
    this_host(h->host, sizeof h->host);
    h->pid = (long)getpid();
    char state;
    h->start = process_start(h->pid, &state);
    if (!gmtime_r(&now, &tm) || !strftime(h->since, sizeof h->since, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(h->since, sizeof h->since, "unknown");
    snprintf(h->command, sizeof h->command, "%s", command_line ? command_line : "");
    for (char *c = h->command; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
}

static lock_state judge(const holder *h)
{
    char host[HOST_MAX];
    this_host(host, sizeof host);
    if (strcmp(h->host, host) != 0)
        return LOCK_REMOTE;
    if (h->pid <= 0 || (kill((pid_t)h->pid, 0) != 0 && errno == ESRCH))
        return LOCK_STALE;
    char state;
    unsigned long long now = process_start(h->pid, &state);
    if (state == 'Z' || state == 'X') /* ended, only not reaped: it holds no file */
        return LOCK_STALE;
    return h->start && now && now != h->start ? LOCK_STALE : LOCK_LIVE;
}

static int same_holder(const holder *a, const holder *b)
{
    return !strcmp(a->host, b->host) && a->pid == b->pid && a->start == b->start &&
           !strcmp(a->since, b->since);
}

/* ---- the lock file ----------------------------------------------------------------------- */

static int write_holder(int fd, const holder *h)
{
    char text[1024];
    int n = snprintf(text, sizeof text, "gdsweep lock\nhost %s\npid %ld\nstart %llu\nsince %s\n"
                     "command %s\n", h->host, h->pid, h->start, h->since, h->command);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
    return len && write(fd, text, len) == (ssize_t)len && fsync(fd) == 0 ? 0 : -1;
}

/* Reads a lock file (never following a link, never waiting on a FIFO): 0, or -1 with
 * errno ENOENT (gone) or EINVAL (not a gdsweep lock). */
static int read_holder(const char *path, holder *h, struct stat *sb)
{
    char text[1024];
    memset(h, 0, sizeof *h);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? -1 : (errno = EINVAL, -1);
    ssize_t n = fstat(fd, sb) == 0 && S_ISREG(sb->st_mode) ? read(fd, text, sizeof text - 1) : -1;
    close(fd);
    text[n > 0 ? n : 0] = '\0';
    const char *cmd = strstr(text, "\ncommand ");
    if (n <= 0 || sscanf(text, "gdsweep lock host %255s pid %ld start %llu since %31s", h->host,
                         &h->pid, &h->start, h->since) != 4) {
        errno = EINVAL;
        return -1;
    }
    if (cmd)
        snprintf(h->command, sizeof h->command, "%.*s", (int)strcspn(cmd + 9, "\n"), cmd + 9);
    return 0;
}

/* The process's own complete lock file, under a name only it uses. */
static int write_own(const char *tmp, const holder *mine, gd_error *err)
{
    int fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW, 0644);
    int rc = fd >= 0 ? write_holder(fd, mine) : -1;
    int why = errno;
    if (fd >= 0)
        close(fd);
    if (rc == 0)
        return 0;
    unlink(tmp);
    if (why == EROFS || why == EACCES || why == ENOENT)
        return gd_fail(err, "cannot make the writer's lock %s: %s; write the output in a "
                       "writable directory", tmp, strerror(why));
    return gd_fail_runtime(err, "cannot make the writer's lock %s: %s", tmp, strerror(why));
}

/* Puts our lock in place: 0, or an errno (EEXIST: someone holds it). Without hard links
 * (some FUSE file systems) the lock is created in place with O_EXCL instead. */
static int install(const char *tmp, const char *path, const holder *mine)
{
    if (link(tmp, path) == 0)
        return 0;
    if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != ENOSYS)
        return errno;
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0)
        return errno;
    int rc = write_holder(fd, mine), why = errno;
    close(fd);
    if (rc != 0)
        unlink(path);
    return rc ? why : 0;
}

/* Removes the stale lock `seen` (its inode in sb) if no one else is taking it over: the
 * claim (a hard link named after the inode) admits one taker, who checks that the claim
 * is still that lock before removing it. 0 when removed. */
static int take_over(const char *path, const holder *seen, const struct stat *sb)
{
    char claim[LOCK_PATH_MAX + 32];
    struct stat now;
    holder again;
    snprintf(claim, sizeof claim, "%s.stale-%llu", path, (unsigned long long)sb->st_ino);
    if (link(path, claim) != 0)
        return -1;
    int ours = read_holder(claim, &again, &now) == 0 && now.st_ino == sb->st_ino &&
               now.st_dev == sb->st_dev && same_holder(&again, seen);
    if (ours)
        unlink(path);
    unlink(claim);
    return ours ? 0 : -1;
}

/* ---- taking it ------------------------------------------------------------------------ */

static int refuse_held(const char *out, const char *path, const holder *h, lock_state s,
                       gd_error *err)
{
    if (s == LOCK_REMOTE)
        return gd_fail(err, "%s is being written by pid %ld on host %s since %s (%.80s); wait "
                       "until that job ends; if it is dead, remove %s and run again", out,
                       h->pid, h->host, h->since, h->command, path);
    return gd_fail(err, "%s is being written by pid %ld on this host (%s) since %s (%.80s); "
                   "wait until it ends, or stop it first", out, h->pid, h->host, h->since,
                   h->command);
}

/* One round: 0 taken, 1 try again, -1 refused (err set). */
static int take_round(const char *out, const char *path, const char *tmp, const holder *mine,
                      char *note, size_t note_size, gd_error *err)
{
    holder h;
    struct stat sb;
    int why = install(tmp, path, mine);
    if (why == 0)
        return 0;
    if (why != EEXIST)
        return gd_fail(err, "cannot take the writer's lock %s: %s", path, strerror(why));
    if (read_holder(path, &h, &sb) != 0)
        return errno == ENOENT ? 1
                               : gd_fail(err, "%s exists but is not a gdsweep lock; if no "
                                         "gdsweep writes %s, remove it", path, out);
    lock_state s = judge(&h);
    if (s != LOCK_STALE)
        return refuse_held(out, path, &h, s, err);
    if (take_over(path, &h, &sb) == 0)
        snprintf(note, note_size, "took over the stale lock %s of pid %ld on this host "
                 "(started %s, no longer running)", path, h.pid, h.since);
    else
        nanosleep(&(struct timespec){0, ROUND_PAUSE_NS}, NULL);
    return 1;
}

static void remember(const char *path)
{
    struct stat sb;
    snprintf(self_lock.path, sizeof self_lock.path, "%s", path);
    self_lock.held = lstat(path, &sb) == 0;
    self_lock.dev = sb.st_dev;
    self_lock.ino = sb.st_ino;
    if (!self_lock.registered)
        self_lock.registered = atexit(gd_out_lock_release) == 0;
}

int gd_out_lock_take(const char *out, const char *command_line, char *note, size_t note_size,
                     gd_error *err)
{
    char path[LOCK_PATH_MAX], tmp[LOCK_PATH_MAX + HOST_MAX + 32];
    holder mine;
    note[0] = '\0';
    if (strlen(out) >= GD_PATH_MAX)
        return gd_fail(err, "output path is longer than %d bytes", GD_PATH_MAX - 1);
    describe_self(&mine, command_line);
    snprintf(path, sizeof path, "%s.lock", out);
    snprintf(tmp, sizeof tmp, "%s.%s.%ld", path, mine.host, mine.pid);
    if (write_own(tmp, &mine, err) < 0)
        return -1;
    int rc = 1;
    for (int round = 0; rc > 0 && round < TAKE_ROUNDS; round++)
        rc = take_round(out, path, tmp, &mine, note, note_size, err);
    unlink(tmp);
    if (rc > 0)
        rc = gd_fail(err, "%s: cannot take over the stale lock %s: another process keeps "
                     "claiming it (%s.stale-*); if no gdsweep writes %s, remove those files",
                     out, path, path, out);
    if (rc == 0)
        remember(path);
    return rc;
}

void gd_out_lock_release(void)
{
    struct stat sb;
    if (!self_lock.held)
        return;
    self_lock.held = 0;
    if (lstat(self_lock.path, &sb) == 0 && sb.st_dev == self_lock.dev &&
        sb.st_ino == self_lock.ino)
        unlink(self_lock.path);
}

int gd_out_lock_holder(const char *out, char *desc, size_t size)
{
    char path[LOCK_PATH_MAX];
    holder h;
    struct stat sb;
    snprintf(path, sizeof path, "%s.lock", out);
    if (read_holder(path, &h, &sb) != 0 || judge(&h) == LOCK_STALE)
        return 0;
    snprintf(desc, size, "pid %ld on host %s since %s", h.pid, h.host, h.since);
    return 1;
}
