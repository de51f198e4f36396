"""Planted patterns: known behaviour the daily review's findings must find (`cwh generate --plant NAME`).

Each plant changes the simulated world, never the rendered files directly, so it reaches the
deliveries the way real behaviour would: refunds arrive as REFUNDED order states, violations as
violation records, missing conversions as clicks that no order ever traces back to. A plant is a
property of the world, active on every day, so a day's files still do not depend on the range it
was generated in. What each plant concerns (category, policy, channel, creators) is written to
`<landing>/_simulator/plants.json`, the ground truth a test compares the findings with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .schema import CATEGORIES, CHANNELS, POLICIES

REFUND_CATEGORY = "ELECTRONICS"
SPIKE_POLICY = "MEDICAL_CLAIM"
COLLAPSED_CHANNEL = "PINTEREST"
COHORT_EVERY, COHORT_FIRST = 20, 7  # creators 7, 27, 47, ...: 5% of creators
COHORT_LINKS = 0.2  # share of new links the cohort shares

PLANTS = {
    "category_refund_spike": f"{REFUND_CATEGORY} products: half the lines that would settle are refunded "
    "instead (refund rate about 3-4x the other categories')",
    "policy_violation_spike": f"{SPIKE_POLICY}: as many extra violations a day as all policies together have otherwise",
    "channel_conversion_collapse": f"links shared on {COLLAPSED_CHANNEL}: 9 in 10 of their conversions never happen",
    "links_never_convert": f"a cohort of 1 in {COHORT_EVERY} creators shares {COHORT_LINKS:.0%} of the links, "
    "and their links never convert",
}


class PlantError(ValueError):
    pass


@dataclass(frozen=True)
class Plants:
    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, names) -> Plants:
        unknown = sorted(set(names) - set(PLANTS))
        if unknown:
            raise PlantError(f"unknown plant {unknown[0]!r}; known: {', '.join(PLANTS)}")
        return cls(frozenset(names))

    def __contains__(self, name: str) -> bool:
        return name in self.names

    # --- what each plant does to the world (called by the feed builders) ---
    def extra_refunds(self, ctx, o, lk, product, is_link) -> np.ndarray:
        """Lines whose settlement becomes a refund: half the lines of the planted category. Only
        SHOP/VIDEO/LIVE orders, whose products are known before their clicks are looked up."""
        if "category_refund_spike" not in self:
            return np.zeros(len(o), bool)
        planted = ctx.world.p_category[product] == CATEGORIES.index(REFUND_CATEGORY)
        return planted & ~is_link & (ctx.rng.uniform("plant.refund", o, lk) < 0.5)

    def extra_violations(self, n: int) -> int:
        """Violations of the planted policy added to a day that has `n`."""
        return n if "policy_violation_spike" in self else 0

    spike_policy = POLICIES.index(SPIKE_POLICY)

    def lost_conversions(self, ctx, o, jj, channel, creator) -> np.ndarray:
        """LINKSHARE orders that never happen: most from the planted channel, all of the cohort."""
        lost = np.zeros(len(o), bool)
        if "channel_conversion_collapse" in self:
            lost |= (channel == CHANNELS.index(COLLAPSED_CHANNEL)) & (ctx.rng.uniform("plant.conv", o, jj) < 0.9)
        if "links_never_convert" in self:
            lost |= self.in_cohort(ctx, creator)
        return lost

    @property
    def loses_conversions(self) -> bool:
        return bool({"channel_conversion_collapse", "links_never_convert"} & self.names)

    def link_owners(self, ctx, e, i, created, creator) -> np.ndarray:
        """Owners of links (e, i): with the cohort planted, a share of the links go to its members."""
        if "links_never_convert" not in self:
            return creator
        members = np.maximum(ctx.world.creators_joined_by(created) - COHORT_FIRST + COHORT_EVERY - 1, 0) // COHORT_EVERY
        u = ctx.rng.uniform("plant.cohort_member", e, i)
        member = COHORT_FIRST + COHORT_EVERY * (u * members).astype(np.int64)
        return np.where((ctx.rng.uniform("plant.cohort_link", e, i) < COHORT_LINKS) & (members > 0), member, creator)

    @staticmethod
    def in_cohort(ctx, creator: np.ndarray) -> np.ndarray:
        return creator % COHORT_EVERY == COHORT_FIRST

    def truth(self, ctx, n_creators: int) -> dict:
        """What each plant concerns, for the ground truth."""
        out = {}
        if "category_refund_spike" in self:
            out["category_refund_spike"] = {"category": REFUND_CATEGORY}
        if "policy_violation_spike" in self:
            out["policy_violation_spike"] = {"policy_category": SPIKE_POLICY}
        if "channel_conversion_collapse" in self:
            out["channel_conversion_collapse"] = {"channel": COLLAPSED_CHANNEL}
        if "links_never_convert" in self:
            k = np.arange(n_creators, dtype=np.int64)
            ids = ctx.world.c_id.to_pylist()
            out["links_never_convert"] = {"creator_open_ids": sorted(ids[i] for i in k[self.in_cohort(ctx, k)])}
        return {name: {"what": PLANTS[name], **subject} for name, subject in out.items()}
