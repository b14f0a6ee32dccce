/* wire.h - a result batch as one contiguous byte buffer, to ship between processes.
 *
 * No MPI here: the caller sends and receives the bytes. The packed form is a header
 * (magic, version, the sizes of the copied structs, the counts), then the run ids, the
 * results (copied as they are), the per-run trajectory/path/final counts, the trajectory,
 * path and final arrays, the instances and their input values. No pointer crosses the
 * wire: the receiver rebuilds each run description with gd_sweep_decode (a description is
 * a pure function of the run id, but holds a pointer to a schedule table whose address
 * differs between processes) and recomputes every offset.
 *
 * Both ends must run the same binary on the same architecture (byte order, type sizes and
 * struct layout are taken as they are); the header's struct sizes catch the grossest
 * mismatch. gd_batch_unpack trusts nothing in the buffer: a truncated or corrupt buffer is
 * a runtime error, never a read outside it, and leaves the batch as it was. */
#ifndef GDSWEEP_WIRE_H
#define GDSWEEP_WIRE_H

#include <stddef.h>

#include "gdsweep/batch.h"
#include "gdsweep/grid.h"

/* Bytes gd_batch_pack writes for b. */
size_t gd_batch_wire_size(const gd_batch *b);

/* Writes b into buf, which holds gd_batch_wire_size(b) bytes (any alignment). */
void gd_batch_pack(const gd_batch *b, void *buf);

/* Appends the runs and instances packed in buf (len bytes) to b, decoding each run's
 * description from its id in sweep s (the sweep the sender ran). Fails (runtime error,
 * b unchanged) on a buffer that is truncated, corrupt, from another version or layout,
 * or names runs s does not have, and when memory runs out. */
int gd_batch_unpack(gd_batch *b, const void *buf, size_t len, const gd_sweep *s,
                    gd_error *err);

#endif
