/* journal_file.h - the state of a file open through the journaling driver, and its commit.
 *
 * Private to src/store/: journal_vfd.c (the HDF5 driver: opening, reads, writes, the
 * driver table) and journal_commit.c (the writes held over committed bytes, and the
 * commit that journals, writes and syncs them) share it. Failures set errno and return
 * -1; the driver turns them into HDF5 errors. */
#ifndef GDSWEEP_JOURNAL_FILE_H
#define GDSWEEP_JOURNAL_FILE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>

#include "store_internal.h"

#define NO_CUT UINT64_MAX

/* A write over committed bytes, held until the commit. */
typedef struct held_write {
    uint64_t addr, len;
    unsigned char *bytes;
} held_write;

typedef struct journal_file {
    H5FD_t pub; /* first: HDF5 sees this part */
    int fd, journal_fd;
    int writable;
    int torn; /* a commit failed after its journal was saved */
    int creating; /* created, journal not started: nothing held, nothing journaled */
    char journal[GD_PATH_MAX + 16];
    struct stat sb;     /* its inode names the owner of a journal */
    haddr_t eoa;
    uint64_t eof;       /* the file's size as HDF5 sees it */
    uint64_t committed; /* its size at the last commit: bytes below are journaled */
    uint64_t cut;       /* lowest size a truncation set below `committed` (NO_CUT: none) */
    uint64_t largest_journal; /* the largest journal a commit saved so far (bytes) */
    uint64_t journal_room;    /* bytes of the journal allocated for the next commit */
    held_write *held;
    size_t n_held, cap_held;
    /* The last commit's syncs, running in the background (journal_commit.c). */
    pthread_t syncer;
    int syncing;        /* syncer runs: join it (gd_jfile_settle) before the next commit */
    int sync_unlocks;   /* it releases the commit lock when done */
    atomic_int sync_done; /* it has finished (joining it will not wait) */
    int sync_errno;     /* 0, or why its fsync or the journal's clearing failed */
    int sync_failed;    /* some commit's syncs failed: it was not committed */
} journal_file;

/* Holds a copy of a write over committed bytes (a rewrite of the same range replaces it). */
int gd_jfile_hold(journal_file *f, uint64_t addr, uint64_t len, const void *buf);
/* Copies the held bytes that fall in [addr, addr + len) over buf, oldest first. */
void gd_jfile_overlay_held(const journal_file *f, uint64_t addr, uint64_t len,
                           unsigned char *buf);
/* A truncation to `size` below the committed size: held bytes past it are gone. */
void gd_jfile_cut_held(journal_file *f, uint64_t size);
/* Sets the file's size on disk to size (nothing when it is already). */
int gd_jfile_set_size(journal_file *f, uint64_t size);
/* Frees every held write. */
void gd_jfile_drop_held(journal_file *f);
/* 1 while the last commit's background syncs still run (a commit now would wait). */
int gd_jfile_syncing(journal_file *f);
/* Waits for the last commit's background syncs: 0; -1 with errno when they failed (the
 * file is then torn: its journal restores the commit before; f->sync_failed is set). */
int gd_jfile_settle(journal_file *f);
/* Allocates room on the disk for the next commit's journal: the `most` bytes it may hold
 * (the old bytes of what the commit overwrites), and at least twice the largest journal
 * so far and 64 KiB. 0; -1 with errno (ENOSPC, EDQUOT) when there is no room. A file
 * system that cannot allocate ahead: 0. The last commit's syncs may still run: emptying
 * the journal frees the allocation, and the commit allocates the same room again before
 * it writes the journal (that fails only if another writer took the space between). */
int gd_jfile_reserve_journal(journal_file *f, uint64_t most);
/* Frees what gd_jfile_reserve_journal allocated (a journal that is empty: the file is not
 * torn), for a writer that gives up. */
void gd_jfile_release_journal(journal_file *f);
/* The commit: the held writes' changes journaled (durable), written, the size set, synced,
 * the journal emptied; after a failure past the journal the file is torn (f->torn) and
 * every later commit fails. 0 for a read-only file. */
int gd_jfile_commit(journal_file *f);

#endif
