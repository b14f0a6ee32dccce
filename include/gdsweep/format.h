/* format.h - the names of the output file's datasets and attributes, and its version.
 *
 * docs/FORMAT.md describes the layout; every C file that writes or reads a gdsweep file
 * (src/store/, merge, status, summary) takes the names from here, and the series' names
 * from gdsweep/series.h (built from GD_H5_TRAJ_PREFIX). analysis/reader.py mirrors these
 * names in Python: change both together, and raise GD_FORMAT_VERSION when a change
 * would mislead an older reader. Plain constants: nothing to own, nothing fails. */
#ifndef GDSWEEP_FORMAT_H
#define GDSWEEP_FORMAT_H

/* The layout's version, in the root attribute GD_ATTR_FORMAT_VERSION. */
#define GD_FORMAT_VERSION 3
/* The oldest version --resume and merge take (format 1: summary reads it, nothing else). */
#define GD_FORMAT_OLDEST_WRITABLE 2

/* Datasets and groups. */
#define GD_H5_RUNS "runs"                 /* one row per run, row = run id */
#define GD_H5_INSTANCES "instances"       /* one group per stored problem instance */
#define GD_H5_TRAJ_PREFIX "traj/"         /* per-record series: traj/<member> */
#define GD_H5_PATH "path/x"               /* parameter paths, concatenated */
#define GD_H5_FINAL "final/x"             /* final parameters, concatenated */

/* The runs table's column that marks a committed row (1), 0 before. */
#define GD_COL_WRITTEN "written"

/* Root attributes. */
#define GD_ATTR_FORMAT_VERSION "format_version"
#define GD_ATTR_GDSWEEP_VERSION "gdsweep_version"
#define GD_ATTR_NAME "name"
#define GD_ATTR_GRID_TEXT "grid_text"
#define GD_ATTR_GRID_HASH "grid_hash"
/* The sweep's identity: grid_hash extended by the content hashes of the files its
 * problems read (gd_sweep_read_files); absent in older files, where it is grid_hash. */
#define GD_ATTR_IDENTITY "identity"
/* The files the grid names, one line per name: "<index>\t<name>\t<sha256>", index as
 * held by the runs table's file-key columns (0: none; no line). Absent: no file. */
#define GD_ATTR_INPUT_FILES "input_files"
/* The runs table's columns that hold those indices ("image"), comma-separated; written
 * with input_files. */
#define GD_ATTR_FILE_COLUMNS "file_columns"
/* The names the grid gives its name keys (GD_NAME: columns, datasets), one line per name
 * of the grid's table: "<index>\t<name>", index as held by the runs table's name-key
 * columns (0: none given; no line). Absent: no name key is given. */
#define GD_ATTR_NAMES "names"
/* The sampled designs, when some key is sampled (gd_sweep_designs_text, docs/FORMAT.md). */
#define GD_ATTR_DESIGN "design"
/* The runs table's columns that hold those indices ("x,y"), comma-separated; written with
 * names. */
#define GD_ATTR_NAME_COLUMNS "name_columns"
#define GD_ATTR_GRID_PATH "grid_path"
#define GD_ATTR_COMMAND_LINE "command_line"
#define GD_ATTR_CREATED "created"
#define GD_ATTR_METRIC_MODES "metric_modes"
#define GD_ATTR_SEED "seed"
#define GD_ATTR_N_RUNS "n_runs"
#define GD_ATTR_N_INSTANCES "n_instances"
#define GD_ATTR_RECORD_EVERY "record_every"
#define GD_ATTR_COMPLETE "complete"
#define GD_ATTR_RUNS_WRITTEN "runs_written"
#define GD_ATTR_WALL_SECONDS "wall_seconds"
#define GD_ATTR_RESUMED "resumed"
#define GD_ATTR_SESSION_START "session_start"  /* unix seconds the writing session began */
#define GD_ATTR_SESSION_RUNS "session_runs"    /* runs committed when it began */
#define GD_ATTR_RESUME_COMMAND_LINE "resume_command_line"
#define GD_ATTR_SHARD_INDEX "shard_index"   /* 0-based; absent: 0 */
#define GD_ATTR_SHARD_COUNT "shard_count"   /* absent: 1, the whole grid */
/* The per-record series the file does not store (format 3, gdsweep/traj_implicit.h), as
 * "iteration,lr": absent, every series is stored (format 2, or nothing implicit). */
#define GD_ATTR_TRAJ_IMPLICIT "traj_implicit"

#endif
