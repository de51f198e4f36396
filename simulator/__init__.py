"""Delivery simulator: stands in for the upstream systems and writes the landing zone of
SOURCES.md (8 feeds, manifests, realistic volumes and every documented fault).

    from simulator import generate, FaultRates, SCALES
    generate(Path("landing"), date(2026, 11, 1), days=3, scale="small", seed=7)
"""

from .experiments import PlanError
from .faults import FaultRates
from .generate import generate
from .plants import PLANTS
from .scales import SCALES

__all__ = ["generate", "FaultRates", "PlanError", "SCALES", "PLANTS"]
