"""How big the simulated business is. Counts are per delivery day on an ordinary weekday;
weekends and sale days scale clicks and orders up (see seasons.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    creators_base: int  # creators who joined 2019-01-01 .. 2024-06-30
    creators_per_day: float  # joiners per day from 2024-07-01 on (the population keeps growing)
    products_base: int
    products_per_day: float
    shops: int
    links_per_day: int  # share links created per day
    clicks_per_day: int
    click_to_order: float  # share of clicks that convert into a LINKSHARE order
    orders_per_day: int  # SHOP / VIDEO / LIVE orders per day (LINKSHARE ones come from clicks)
    violations_per_day: int
    rows_per_file: int  # a feed-day is split into max(2, ceil(rows / rows_per_file)) files


SCALES: dict[str, Scale] = {
    # ~5k clicks and ~1k order lines a day; a few hundred creators. Generates in well under a second.
    "small": Scale(
        "small",
        creators_base=250,
        creators_per_day=0.15,
        products_base=400,
        products_per_day=0.3,
        shops=60,
        links_per_day=60,
        clicks_per_day=5_000,
        click_to_order=0.02,
        orders_per_day=280,
        violations_per_day=12,
        rows_per_file=1_500,
    ),
    # ~1M clicks and ~100k order lines a day.
    "medium": Scale(
        "medium",
        creators_base=40_000,
        creators_per_day=25.0,
        products_base=20_000,
        products_per_day=15.0,
        shops=2_500,
        links_per_day=8_000,
        clicks_per_day=1_000_000,
        click_to_order=0.02,
        orders_per_day=18_000,
        violations_per_day=1_200,
        rows_per_file=250_000,
    ),
    # ~10x medium.
    "large": Scale(
        "large",
        creators_base=400_000,
        creators_per_day=250.0,
        products_base=150_000,
        products_per_day=100.0,
        shops=20_000,
        links_per_day=80_000,
        clicks_per_day=10_000_000,
        click_to_order=0.02,
        orders_per_day=180_000,
        violations_per_day=12_000,
        rows_per_file=1_000_000,
    ),
}
