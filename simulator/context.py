"""Everything a feed builder needs: randomness, scale, the world, fault rates, daily volumes."""

from __future__ import annotations

from functools import lru_cache

from .faults import FaultRates
from .plants import Plants
from .rand import Rng
from .scales import Scale
from .seasons import day_factor
from .world import World


class Ctx:
    """State of one generate() call; nothing outlives it, so a long-lived process keeps no memory."""

    def __init__(self, seed: int, scale: Scale, rates: FaultRates, plans: tuple = (), plants: Plants | None = None):
        self.seed, self.scale, self.rates = seed, scale, rates
        self.plans = tuple(plans)  # experiments run (simulator/experiments.py)
        self.plants = plants if plants is not None else Plants()
        self.rng = Rng(seed)
        self.world = World(self.rng, scale)
        self.memo: dict = {}  # per-call memo of results several days reuse
        self.n_links = lru_cache(maxsize=None)(self._n_links)
        self.n_clicks = lru_cache(maxsize=None)(self._n_clicks)
        self.n_orders = lru_cache(maxsize=None)(self._n_orders)
        self.n_violations = lru_cache(maxsize=None)(self._n_violations)

    def _noise(self, stream: str, day: int, spread: float) -> float:
        return 1.0 - spread + 2 * spread * self.rng.scalar(stream, day)

    def _n_links(self, day: int) -> int:
        return max(1, round(self.scale.links_per_day * day_factor(day) ** 0.5 * self._noise("n.links", day, 0.1)))

    def _n_clicks(self, day: int) -> int:
        return round(self.scale.clicks_per_day * day_factor(day) * self._noise("n.clicks", day, 0.05))

    def n_conversions(self, day: int) -> int:
        return round(self.n_clicks(day) * self.scale.click_to_order)

    def _n_orders(self, day: int) -> int:
        return round(self.scale.orders_per_day * day_factor(day) * self._noise("n.orders", day, 0.05))

    def _n_violations(self, day: int) -> int:
        return round(self.scale.violations_per_day * day_factor(day) ** 0.5 * self._noise("n.violations", day, 0.15))
