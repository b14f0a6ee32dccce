/* app.h - the gdsweep program as a function: parse, dispatch, print errors, exit code. */
#ifndef GDSWEEP_APP_H
#define GDSWEEP_APP_H

/* Runs the gdsweep command line; returns the process exit status. */
int gd_main(int argc, char **argv);

#endif
