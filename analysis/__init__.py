"""analysis - read gdsweep HDF5 sweeps: open(path) for notebooks (api.py, docs/PYTHON.md), the reader here, and the report (analysis.report)."""
from .api import Results, open
from .curve_plot import plot_curves
from .reader import NotASweep, final_params, instance, load_runs, sweep_info, trajectories, trajectory

__all__ = ["NotASweep", "Results", "final_params", "instance", "load_runs", "open", "plot_curves",
           "sweep_info", "trajectories", "trajectory"]
