/* fabric.h - whether this node has a high-speed network device, and the Open MPI
 * defaults for a node without one.
 *
 * Open MPI's MPI_Init opens its psm, psm2 and ofi components on every node; they load
 * libpsm2 and libinfinipath, whose constructors sleep 0.34 s probing for Omni-Path
 * (docs/BENCHMARKS.md, start-up). Where no device those components could drive exists,
 * every rank of every job pays that for nothing; gdsweep then leaves them out, unless the
 * user chose the components (OMPI_MCA_mtl set). A node with a device keeps Open MPI's own
 * choice: the job may need it. */
#ifndef GDSWEEP_FABRIC_H
#define GDSWEEP_FABRIC_H

/* 1 when the machine under `root` ("" for this one) has a device of a high-speed network:
 * an entry in sys/class/infiniband (InfiniBand, RoCE, Omni-Path, EFA, usNIC) or
 * sys/class/cxi (Slingshot), or a dev/hfi1_*, dev/ipath* or dev/kgni* node. */
int gd_fabric_present(const char *root);

/* Sets OMPI_MCA_mtl=^psm,psm2,ofi when no device is present under root and the user did
 * not set OMPI_MCA_mtl; returns 1 when it did. Call before MPI_Init. */
int gd_fabric_skip_probes(const char *root);

#endif
