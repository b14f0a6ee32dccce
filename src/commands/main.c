/* main.c - entry point of the gdsweep executable. */
#include "gdsweep/app.h"

int main(int argc, char **argv) { return gd_main(argc, argv); }
