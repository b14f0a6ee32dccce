"""analysis - read gdsweep HDF5 sweeps (the reader API here) and report them (analysis.report)."""
from .reader import NotASweep, final_params, instance, load_runs, sweep_info, trajectories, trajectory

__all__ = ["NotASweep", "final_params", "instance", "load_runs", "sweep_info", "trajectories", "trajectory"]
