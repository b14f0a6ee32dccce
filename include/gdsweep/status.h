/* status.h - `gdsweep status OUT.h5`: how far a sweep's file is, without changing it. */
#ifndef GDSWEEP_STATUS_H
#define GDSWEEP_STATUS_H

/* argv[0] = "status". Prints runs committed / pending / by outcome and the grid's name and
 * hash. Exit 0 when every run of the file (of its shard) is committed, 3 when it can be
 * resumed, 2 on a bad file or usage. */
int gd_status_main(int argc, char **argv);

#endif
