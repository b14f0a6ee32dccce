/* store_resume.c - reopening a sweep's file to continue it (see gd_store_reopen).
 *
 * What the file says is committed is what resume trusts: rows whose `written` cell is 1.
 * A batch marks its rows written only after its data were flushed, so those rows are
 * complete whatever instant a crash hit. Rows without the mark are redone; their old
 * data (if any) are overwritten, and arrays appended after the last flush are appended
 * again past the flushed length. The file is first opened read-only and every check is
 * made (there, regular, writable, ours, this grid, its shard, what is committed); only
 * gd_store_begin_resume opens it for writing, so a refused resume changes no byte and
 * no mtime. The caller holds OUT's lock (gdsweep/out_lock.h) throughout. */
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gdsweep/selection.h"
#include "gdsweep/text_diff.h"

#define WRITTEN_BLOCK 65536

/* A text attribute of obj, malloc'd; NULL if absent or not text. */
static char *attr_text(hid_t obj, const char *name)
{
    hid_t a = H5Aexists(obj, name) > 0 ? H5Aopen(obj, name, H5P_DEFAULT) : H5I_INVALID_HID;
    char *text = a >= 0 ? gd_h5_read_text(a) : NULL;
    gd_h5_close(&a);
    return text;
}

int gd_store_read_implicit(gd_store *st, gd_error *err)
{
    char *text = attr_text(st->file, GD_ATTR_TRAJ_IMPLICIT);
    int bad = text && gd_traj_implicit_parse(text, &st->implicit) < 0;
    if (!text)
        st->implicit = 0;
    free(text);
    return bad ? gd_fail(err, "%s: its %s attribute names a series this gdsweep does not "
                         "know (a newer gdsweep's file, or corrupt); resume it with the "
                         "gdsweep that wrote it", st->path, GD_ATTR_TRAJ_IMPLICIT)
               : 0;
}

static int other_grid(gd_store *st, gd_error *err)
{
    char *text = attr_text(st->file, GD_ATTR_GRID_TEXT), diff[512];
    gd_text_first_difference(text ? text : "", st->path, st->sweep->text, st->sweep->path,
                             diff, sizeof diff);
    free(text);
    return gd_fail(err, "%s was written by another grid than %s (%s); resume with the grid "
                   "that made it, or write a new output", st->path, st->sweep->path, diff);
}

/* Same grid text: the files it names must still hold what the output was made from
 * (the identity; files written before it have none and read no file). */
static int same_files(gd_store *st, gd_error *err)
{
    char *identity = attr_text(st->file, GD_ATTR_IDENTITY);
    int same = strcmp(identity ? identity : st->sweep->hash, st->sweep->identity) == 0;
    free(identity);
    if (same)
        return 0;
    char *was = attr_text(st->file, GD_ATTR_INPUT_FILES), diff[512];
    char *now = gd_sweep_input_files_text(st->sweep);
    gd_text_first_difference(was ? was : "", st->path, now ? now : "", st->sweep->path, diff,
                             sizeof diff);
    free(was);
    free(now);
    return gd_fail(err, "%s was made from other contents of the files %s names (%s); "
                   "restore those files, or write a new output", st->path, st->sweep->path,
                   diff);
}

static int check_identity(gd_store *st, gd_error *err)
{
    if (H5Aexists(st->file, GD_ATTR_FORMAT_VERSION) <= 0 ||
        H5Lexists(st->file, GD_H5_RUNS, H5P_DEFAULT) <= 0)
        return gd_fail(err, "%s is not a gdsweep file (no format_version or runs table); "
                       "choose another output, or run without --resume", st->path);
    double version = gd_h5_attr_number(st->file, GD_ATTR_FORMAT_VERSION, NAN);
    if (gd_store_check_format(st->path, version, "resume", err) < 0 ||
        gd_store_read_implicit(st, err) < 0)
        return -1;
    char *hash = attr_text(st->file, GD_ATTR_GRID_HASH);
    int same = hash && strcmp(hash, st->sweep->hash) == 0;
    free(hash);
    if (!same)
        return other_grid(st, err);
    return same_files(st, err);
}

/* The table must have the grid's rows, and the row type this gdsweep writes or one that
 * takes its rows (an older gdsweep's: resume_layout.c); a corrupt type (a member's offset
 * past the row) would make HDF5 read out of bounds. */
static int open_runs(gd_store *st, gd_error *err)
{
    st->row_type = gd_h5_row_type(&st->cols);
    st->written_type = gd_h5_written_type(&st->cols);
    if (st->row_type < 0 || st->written_type < 0)
        return gd_h5_fail(st, err, "runs types");
    st->runs = H5Dopen2(st->file, GD_H5_RUNS, H5P_DEFAULT);
    hid_t type = st->runs >= 0 ? H5Dget_type(st->runs) : H5I_INVALID_HID;
    hid_t space = st->runs >= 0 ? H5Dget_space(st->runs) : H5I_INVALID_HID;
    hsize_t dims = 0;
    int ok = type >= 0 && space >= 0 && H5Sget_simple_extent_ndims(space) == 1 &&
             H5Sget_simple_extent_dims(space, &dims, NULL) == 1 &&
             dims == st->sweep->n_runs && H5Tget_class(type) == H5T_COMPOUND;
    int rc = !ok ? gd_fail(err, "%s: its runs table does not match this grid (corrupt?); "
                           "write a new output", st->path)
             : H5Tequal(type, st->row_type) > 0 ? 0
                                                 : gd_store_resume_layout(st, type, err);
    gd_h5_close(&type);
    gd_h5_close(&space);
    return rc;
}

/* Reads the `written` column in blocks into the commit bitmap. */
static int load_committed(gd_store *st, gd_error *err)
{
    uint8_t *cells = malloc(WRITTEN_BLOCK);
    hid_t fspace = H5Dget_space(st->runs);
    int rc = cells && fspace >= 0 ? 0 : -1;
    for (uint64_t first = 0; rc == 0 && first < st->sweep->n_runs; first += WRITTEN_BLOCK) {
        hsize_t start = first, count = st->sweep->n_runs - first;
        if (count > WRITTEN_BLOCK)
            count = WRITTEN_BLOCK;
        hid_t mspace = H5Screate_simple(1, &count, NULL);
        rc = mspace >= 0 &&
                     H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0 &&
                     H5Dread(st->runs, st->written_type, mspace, fspace, H5P_DEFAULT, cells) >= 0
                 ? 0
                 : -1;
        for (hsize_t i = 0; rc == 0 && i < count; i++)
            if (cells[i] == 1)
                gd_store_mark_committed(st, first + i);
        gd_h5_close(&mspace);
    }
    gd_h5_close(&fspace);
    free(cells);
    return rc == 0 ? 0 : gd_h5_fail(st, err, "reading which runs are committed");
}

static herr_t add_instance(hid_t group, const char *name, const H5L_info_t *info, void *ctx)
{
    (void)group;
    (void)info;
    char *end;
    unsigned long long id = strtoull(name, &end, 10);
    return *end == '\0' && gd_id_set_add(ctx, id) >= 0 ? 0 : -1;
}

static int open_instances(gd_store *st, gd_error *err)
{
    st->instances = H5Gopen2(st->file, GD_H5_INSTANCES, H5P_DEFAULT);
    if (st->instances < 0 ||
        H5Literate(st->instances, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, add_instance,
                    &st->written_instances) < 0)
        return gd_h5_fail(st, err, "reading /instances");
    return 0;
}

int gd_store_set_shard(gd_store *st, uint64_t shard, uint64_t shards, gd_error *err)
{
    st->shard = shard;
    st->shards = shards;
    if (gd_h5_attr_u64(st->file, GD_ATTR_SHARD_INDEX, shard) < 0 ||
        gd_h5_attr_u64(st->file, GD_ATTR_SHARD_COUNT, shards) < 0 ||
        H5Fflush(st->file, H5F_SCOPE_LOCAL) < 0)
        return gd_h5_fail(st, err, "recording the shard");
    return 0;
}

void gd_store_shard(const gd_store *st, uint64_t *shard, uint64_t *shards)
{
    *shard = st->shard;
    *shards = st->shards;
}

/* The file's shard attributes, checked (a resume continues the file's own shard). */
static int read_shard(gd_store *st, gd_error *err)
{
    return gd_h5_read_shard(st->file, st->path, "; write a new output", &st->shard,
                            &st->shards, err);
}

static int note_resume(gd_store *st, const char *command_line, gd_error *err)
{
    double resumed = gd_h5_attr_number(st->file, GD_ATTR_RESUMED, 0);
    if (gd_h5_attr_i64(st->file, GD_ATTR_RESUMED, (int64_t)resumed + 1) < 0 ||
        gd_h5_attr_text(st->file, GD_ATTR_RESUME_COMMAND_LINE, command_line) < 0 ||
        gd_h5_attr_i64(st->file, GD_ATTR_COMPLETE, 0) < 0 || gd_store_note_session(st) < 0 ||
        H5Fflush(st->file, H5F_SCOPE_LOCAL) < 0)
        return gd_h5_fail(st, err, "recording the resume");
    return 0;
}

/* What the file is, before HDF5 opens it: there, regular, writable, HDF5. Opening it
 * for writing here and closing it at once changes nothing (not even its mtime). */
static int check_file(const gd_store *st, gd_error *err)
{
    struct stat sb;
    if (stat(st->path, &sb) != 0)
        return errno == ENOENT ? gd_fail(err, "%s does not exist: nothing to resume; run "
                                         "without --resume to start the sweep", st->path)
                               : gd_fail(err, "%s: %s", st->path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return gd_fail(err, "%s is not a regular file: nothing to resume; name the .h5 file "
                       "the sweep wrote", st->path);
    int fd = open(st->path, O_RDWR);
    if (fd < 0)
        return gd_fail(err, "%s cannot be written: %s%s", st->path, strerror(errno),
                       errno == EROFS ? "; copy it to a writable file system and resume the "
                                        "copy there" : "; give yourself write permission");
    close(fd);
    if (sb.st_size == 0)
        return gd_fail(err, "%s is empty (0 bytes), not a gdsweep file; remove it and run "
                       "without --resume", st->path);
    if (H5Fis_hdf5(st->path) <= 0)
        return gd_fail(err, "%s is not an HDF5 file, so not a gdsweep file; choose another "
                       "output, or run without --resume", st->path);
    return 0;
}

enum { CAUSE_UNKNOWN, CAUSE_TRUNCATED, CAUSE_LOCKED };

static herr_t find_cause(unsigned n, const H5E_error2_t *e, void *data)
{
    int *cause = data;
    (void)n;
    if (e->desc && strstr(e->desc, "lock"))
        *cause = CAUSE_LOCKED;
    else if (e->desc && strstr(e->desc, "truncated") && *cause == CAUSE_UNKNOWN)
        *cause = CAUSE_TRUNCATED;
    return 0;
}

/* Why H5Fopen failed on an HDF5 file: HDF5's own lock, a cut file, or other damage. */
static int open_failed(const gd_store *st, gd_error *err)
{
    int cause = CAUSE_UNKNOWN;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, find_cause, &cause);
    H5Eclear2(H5E_DEFAULT);
    if (cause == CAUSE_LOCKED)
        return gd_fail(err, "%s is locked through HDF5's file locking by a program that has "
                       "it open (a gdsweep writing it, h5py?); wait until it closes the file",
                       st->path);
    return gd_fail(err, "%s is %s: HDF5 cannot open it, so it cannot be resumed (`gdsweep "
                   "status %s` says the same); rerun the sweep into a new output or with "
                   "--overwrite", st->path, cause == CAUSE_TRUNCATED
                       ? "truncated (shorter than its HDF5 superblock says: a copy or a "
                         "write cut short?)"
                       : "damaged", st->path);
}

static herr_t object_read(hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
    (void)obj, (void)name, (void)info, (void)data;
    return 0;
}

/* Every object's header is read (and its checksum checked) once: a file that a failed
 * write or a kill tore in the middle of HDF5's flush is refused here, not resumed into a
 * file that reads as complete but cannot be opened. */
static int read_every_object(gd_store *st, gd_error *err)
{
    if (H5Ovisit2(st->file, H5_INDEX_NAME, H5_ITER_NATIVE, object_read, NULL,
                  H5O_INFO_BASIC) < 0)
        return gd_h5_fail(st, err, "reading its objects");
    return 0;
}

/* Reads the value at `at` of a 1-D dataset (as a double, whatever its type). */
static int read_one(hid_t dset, hsize_t at)
{
    double value;
    hsize_t one = 1;
    hid_t file_space = H5Dget_space(dset), memory_space = H5Screate_simple(1, &one, NULL);
    int ok = file_space >= 0 && memory_space >= 0 &&
             H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &at, NULL, &one, NULL) >= 0 &&
             H5Dread(dset, H5T_NATIVE_DOUBLE, memory_space, file_space, H5P_DEFAULT,
                     &value) >= 0;
    gd_h5_close(&memory_space);
    gd_h5_close(&file_space);
    return ok ? 0 : -1;
}

/* The chunks a resume appends into (each series' last committed value and its last
 * value on disk) must read: a torn flush can leave their index pointing past the file. */
static int read_series_ends(gd_store *st, gd_error *err)
{
    for (int i = 0; i < GD_SERIES_COUNT; i++) {
        if (st->series[i].id < 0) /* to be added by the writing pass */
            continue;
        hid_t space = H5Dget_space(st->series[i].id);
        hsize_t extent = 0;
        int ok = space >= 0 && H5Sget_simple_extent_dims(space, &extent, NULL) == 1;
        gd_h5_close(&space);
        uint64_t len = st->series[i].len;
        if (!ok || (len > 0 && read_one(st->series[i].id, len - 1) < 0) ||
            (extent > len && read_one(st->series[i].id, extent - 1) < 0))
            return gd_h5_fail(st, err, "reading the ends of its trajectories");
    }
    return 0;
}

/* An output of an earlier gdsweep of format 2 can lack a series added since (such as
 * traj/batch_loss): the writing pass adds it (resume_series.c; the checking pass, read
 * only, leaves it unopened); one that cannot be added is refused with its name (usage
 * error), not taken for damage; a link HDF5 cannot read is left to the damage checks. A
 * series the file names implicit (format 3) is not looked for. */
static int has_every_series(gd_store *st, int scan, gd_error *err)
{
    for (int i = 0; i < GD_SERIES_COUNT; i++) {
        const char *name = gd_series_table[i].name;
        if (!gd_store_series_stored(st, i))
            continue;
        htri_t exists = H5Lexists(st->file, name, H5P_DEFAULT);
        if (exists < 0) /* unreadable: left to the checks of damage */
            H5Eclear2(H5E_DEFAULT);
        if (exists == 0 && !gd_store_series_addable(i))
            return gd_fail(err, "%s has no dataset %s: an earlier gdsweep wrote it; resume it "
                           "with that gdsweep, or rerun with --overwrite", st->path, name);
        if (exists == 0 && !scan && gd_store_add_series(st, i, err) < 0)
            return -1;
    }
    return 0;
}

/* The datasets a resume appends to, and the commit map; with scan, first and last the
 * checks that the file is whole (run once, by the read-only pass that decides). */
static int open_contents(gd_store *st, int scan, gd_error *err)
{
    if ((scan && read_every_object(st, err) < 0) || open_runs(st, err) < 0 ||
        has_every_series(st, scan, err) < 0)
        return -1;
    if (gd_store_open_series(st) < 0)
        return gd_h5_fail(st, err, "opening the trajectory datasets");
    return (scan && read_series_ends(st, err) < 0) || open_instances(st, err) < 0 ||
                   load_committed(st, err) < 0
               ? -1
               : 0;
}

/* HDF5 could not read a file of this grid: its metadata is damaged, as a write that
 * failed, or a kill, in the middle of HDF5's flush can leave it (or a read failed once:
 * the advice says to try again first, since --overwrite discards every committed run). */
static int explain_damage(gd_error *err)
{
    gd_error_append(err, "the file is damaged (a write failed or its writer was killed while "
                    "HDF5 wrote it) or could not be read; if it fails the same way again, it "
                    "cannot be resumed: rerun with --overwrite or into a new output");
    return -1;
}

enum { OPENED = 0, REFUSED = -1, DAMAGED = -2 };

/* Opens the file (H5F_ACC_RDONLY to check and read it, H5F_ACC_RDWR to write) and
 * everything a resume continues; reads what is committed. DAMAGED: a file of this grid
 * that HDF5 fails to read (err says so). */
static int open_all(gd_store *st, unsigned mode, int scan, gd_error *err)
{
    if (check_file(st, err) < 0)
        return REFUSED;
    hid_t fapl = gd_h5_file_access(NULL);
    st->file = fapl >= 0 ? H5Fopen(st->path, mode, fapl) : -1;
    gd_h5_close(&fapl);
    if (st->file < 0)
        return open_failed(st, err);
    if (check_identity(st, err) < 0)
        return REFUSED;
    if (open_contents(st, scan, err) < 0)
        return err->exit_code == GD_EXIT_RUNTIME ? (explain_damage(err), DAMAGED) : REFUSED;
    return read_shard(st, err);
}

/* A kill or a failed write in the middle of HDF5's flush can leave new objects and the
 * links to them on disk while the superblock still records the older end of the file
 * (its EOA): HDF5 then refuses to read past it ("address of object past end of
 * allocation"). Those bytes were written, so the end is moved to the file's real end; the
 * checks that follow (every object header with its checksum, each trajectory's end chunk,
 * the commit column) then decide whether the file is whole. */
static int end_is_behind(const gd_store *st)
{
    haddr_t eoa;
    struct stat sb;
    return st->file >= 0 && H5Fget_eoa(st->file, &eoa) >= 0 && stat(st->path, &sb) == 0 &&
           (haddr_t)sb.st_size > eoa;
}

static int move_end_to_eof(const char *path)
{
    hid_t fapl = gd_h5_file_access(NULL);
    hid_t file = fapl >= 0 ? H5Fopen(path, H5F_ACC_RDWR, fapl) : -1;
    gd_h5_close(&fapl);
    int ok = file >= 0 && H5Fincrement_filesize(file, 0) >= 0;
    if (file >= 0 && H5Fclose(file) < 0)
        ok = 0;
    H5Eclear2(H5E_DEFAULT);
    return ok ? 0 : -1;
}

/* Closes the store's ids, then anything a failed check left open in its file, so that
 * the file is closed for real (HDF5 keeps it open while any object in it is). */
static void close_everything(gd_store *st)
{
    unsigned types = H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR |
                     H5F_OBJ_LOCAL;
    ssize_t n = st->file >= 0 ? H5Fget_obj_count(st->file, types) : 0;
    hid_t *ids = n > 0 ? malloc((size_t)n * sizeof *ids) : NULL;
    ssize_t got = ids ? H5Fget_obj_ids(st->file, types, (size_t)n, ids) : 0;
    gd_store_close_ids(st);
    for (ssize_t i = 0; i < got; i++)
        if (H5Iis_valid(ids[i]) > 0)
            gd_h5_close(&ids[i]);
    free(ids);
}

/* Opens read-only for the checks; a file of this grid that HDF5 fails to read and whose
 * recorded end is behind its data has its end moved (the one change a resume makes before
 * its checks end, and only to a damaged file) and is checked again. */
static int open_for_checks(gd_store *st, gd_error *err)
{
    int rc = open_all(st, H5F_ACC_RDONLY, 1, err);
    if (rc != DAMAGED || !end_is_behind(st))
        return rc == OPENED ? 0 : -1;
    close_everything(st);
    if (move_end_to_eof(st->path) < 0)
        return -1;
    return open_all(st, H5F_ACC_RDONLY, 1, err) == OPENED ? 0 : -1;
}

int gd_store_reopen(gd_store **out, const char *path, const gd_sweep *s, gd_error *err)
{
    *out = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    gd_store *st = gd_store_new(path, s);
    if (!st)
        return gd_fail_runtime(err, "%s: out of memory opening the store", path);
    if (gd_columns_build_sweep(&st->cols, s, err) < 0 ||
        gd_store_alloc_committed(st, err) < 0 ||
        open_for_checks(st, err) < 0) {
        gd_store_abandon(st);
        return -1;
    }
    st->runs_written = 0;
    *out = st;
    return 0;
}

int gd_store_begin_resume(gd_store *st, const char *command_line, gd_error *err)
{
    gd_store_close_ids(st);
    if (open_all(st, H5F_ACC_RDWR, 0, err) != OPENED ||
        gd_store_reserve(st, GD_STORE_METADATA_ROOM, "resuming", err) < 0)
        return -1;
    st->runs_written = 0;
    return note_resume(st, command_line ? command_line : "", err);
}

int gd_store_end_complete(gd_store *st, gd_error *err)
{
    if (gd_h5_attr_number(st->file, GD_ATTR_COMPLETE, 0) == 1) {
        gd_store_abandon(st);
        return 0;
    }
    double wall = gd_h5_attr_number(st->file, GD_ATTR_WALL_SECONDS, 0);
    gd_store_close_ids(st);
    if (open_all(st, H5F_ACC_RDWR, 0, err) != OPENED) {
        gd_store_abandon(st);
        return -1;
    }
    return gd_store_close(st, wall, 1, err);
}

void gd_store_abandon(gd_store *st)
{
    if (!st)
        return;
    gd_store_close_ids(st);
    gd_store_free(st);
}
