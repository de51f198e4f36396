"""The simulated business: creators and products (who exists, since when, how they behave).

Creator k and product p are pure functions of (seed, k) / (seed, p). Both are numbered in order
of arrival, so "everyone who had joined by time t" is a prefix of the arrays, and a weighted pick
among them is one binary search in a prefix of cumulative weights.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .rand import Rng, cdf, hex16
from .render import dec, join, pick, when
from .scales import Scale
from .schema import CATEGORIES, PERMISSIONS
from .seasons import DAY, epoch_day

BASE_FROM = epoch_day(dt.date(2019, 1, 1)) * DAY
BASE_UNTIL = epoch_day(dt.date(2024, 7, 1)) * DAY
# Creators who joined on or after this day have no legacy creator_user_id (schema drift).
ID_MIGRATION = epoch_day(dt.date(2025, 1, 1)) * DAY

_REGIONS = ("US", "CA", "GB", "MX", "DE", "FR", "BR", "AU", "JP")
_REGION_CDF = cdf((82, 4, 4, 3, 2, 2, 1, 1, 1))
_ADJ = (
    "sunny",
    "urban",
    "cozy",
    "glow",
    "daily",
    "tiny",
    "bold",
    "happy",
    "lucky",
    "fresh",
    "smart",
    "wild",
    "calm",
    "retro",
    "pure",
    "vivid",
    "sweet",
    "true",
    "neat",
    "epic",
)
_NOUN = (
    "bakes",
    "style",
    "deals",
    "finds",
    "beauty",
    "gadgets",
    "home",
    "fitness",
    "pets",
    "closet",
    "kitchen",
    "picks",
    "vibes",
    "haul",
    "tech",
    "garden",
    "mom",
    "chef",
    "glam",
    "gear",
)
_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "proton.me")
_AREA = ("206", "212", "213", "305", "312", "415", "503", "512", "602", "617", "702", "718", "801", "917")
_TITLE_NOUN = {
    "BEAUTY": ("Lip Oil", "Serum", "Mascara", "Face Mask"),
    "FASHION": ("Hoodie", "Sneakers", "Tote Bag", "Jeans"),
    "HOME": ("Throw Blanket", "Candle Set", "Storage Bins", "Desk Lamp"),
    "ELECTRONICS": ("Earbuds", "Phone Stand", "Power Bank", "Ring Light"),
    "FOOD": ("Protein Bar", "Hot Sauce", "Matcha Powder", "Snack Box"),
    "HEALTH": ("Vitamin Gummies", "Massage Gun", "Sleep Mask", "Collagen"),
    "SPORTS": ("Yoga Mat", "Water Bottle", "Resistance Bands", "Gym Bag"),
    "TOYS": ("Puzzle", "Plush Toy", "Building Set", "Slime Kit"),
    "PETS": ("Dog Treats", "Cat Toy", "Pet Bed", "Grooming Brush"),
    "OTHER": ("Gift Card Holder", "Sticker Pack", "Phone Case", "Keychain"),
}
_CAT_CDF = cdf((18, 20, 14, 10, 8, 8, 7, 6, 5, 4))
_CAT_PRICE = np.array([1800, 2800, 3500, 6000, 1500, 2200, 3000, 2000, 1800, 2000], dtype=np.float64)
_COMMISSIONS = np.array([500, 800, 1000, 1200, 1500, 2000, 2500, 3000])
_COMMISSION_CDF = cdf((8, 10, 20, 12, 20, 15, 8, 7))
_PERM_SETS = ((0, 1, 2), (0, 2), (0, 1), (0,))
_PERM_CDF = cdf((60, 20, 10, 10))

_GOLDEN = 0.6180339887498949
_TOP_BOOST = 7.5


def _pareto(u: np.ndarray, alpha: float, cap: float) -> np.ndarray:
    return np.minimum((1.0 - u) ** (-1.0 / alpha), cap)


def _arrival_times(rng: Rng, stream: str, n: int, base: int, per_day: float) -> np.ndarray:
    """Monotone arrival times: `base` spread over 2019-01..2024-06, then `per_day` a day."""
    k = np.arange(n, dtype=np.int64)
    u = rng.uniform(stream, 0, k)
    early = BASE_FROM + ((k + u) * ((BASE_UNTIL - BASE_FROM) / base)).astype(np.int64)
    late = BASE_UNTIL + ((k - base + u) * (DAY / per_day)).astype(np.int64)
    return np.where(k < base, early, late)


def _count_until(base: int, per_day: float, t: int) -> int:
    return base + max(0, math.ceil((t - BASE_UNTIL) * per_day / DAY)) + 1


class World:
    def __init__(self, rng: Rng, scale: Scale):
        self.rng, self.scale = rng, scale
        self.until = -1
        self.n_creators = self.n_products = 0

    def ensure(self, t: int) -> None:
        """Make sure everyone who arrives up to UTC time `t` exists."""
        if t <= self.until:
            return
        s, t = self.scale, t + 7 * DAY  # a margin, so nearby requests rebuild nothing
        self._build_creators(_count_until(s.creators_base, s.creators_per_day, t))
        self._build_products(_count_until(s.products_base, s.products_per_day, t))
        self.until = t

    # ------------------------------------------------------------------ creators
    def _build_creators(self, n: int) -> None:
        if n <= self.n_creators:
            return
        r, s, k = self.rng, self.scale, np.arange(n, dtype=np.int64)
        self.n_creators = n
        self.c_joined = _arrival_times(r, "creator.joined", n, s.creators_base, s.creators_per_day)
        self.c_id = hex16(r.bits("creator.id", 0, k))
        # GMV weight from a low-discrepancy quantile, so that every prefix of the population (the
        # creators who had joined by some day) holds ~1% top sellers carrying ~40% of GMV
        q = (k * _GOLDEN + r.scalar("creator.gmv", 0)) % 1.0
        gmv = np.maximum(1.0 - q, 1e-3) ** -0.5 * np.where(q >= 0.99, _TOP_BOOST, 1.0)
        self.c_gmv_cum = np.cumsum(np.round(gmv * 100).astype(np.int64))
        # A few creators cause most violations: 2% very risky, 8% somewhat.
        ur = r.uniform("creator.risk", 0, k)
        risk = np.where(ur < 0.02, 150, np.where(ur < 0.10, 10, 1)).astype(np.int64)
        self.c_risk_cum = np.cumsum(risk)
        self.c_policy = r.integers("creator.policy", 0, k, 0, 8)
        self.c_video_count = r.integers("creator.videos", 0, k, 3, 60)
        # follower tiers NANO 55% / MICRO 30% / MID 12% / MACRO 3%, log-uniform inside a tier
        uf, ut = r.uniform("creator.followers", 0, k), r.uniform("creator.tier", 0, k)
        ut = np.where(q >= 0.99, 0.85 + 0.15 * ut, ut)  # top sellers are MID or MACRO creators
        lo = np.select([ut < 0.55, ut < 0.85, ut < 0.97], [300, 10_000, 100_000], 1_000_000)
        hi = np.select([ut < 0.55, ut < 0.85, ut < 0.97], [10_000, 100_000, 1_000_000], 20_000_000)
        self.c_followers = np.exp(np.log(lo) + uf * (np.log(hi) - np.log(lo)))
        self.c_growth = 0.5 * r.uniform("creator.growth", 0, k)
        # CHR bands: HEALTHY >= 200 (most), CAUTION 151..199, UNHEALTHY <= 150; risky ones lower
        uc, uv = r.uniform("creator.chr_band", 0, k), r.uniform("creator.chr", 0, k)
        uc = np.where(risk > 1, uc * 0.5 + 0.5, uc)
        self.c_chr = np.select([uc < 0.80, uc < 0.92], [300 + uv * 700, 151 + uv * 48], uv * 150)
        self._creator_strings(k)

    def _creator_strings(self, k: np.ndarray) -> None:
        """The static part of each creator's JSON line (everything before follower_count)."""
        r = self.rng
        w = r.bits("creator.name", 0, k)
        bit = lambda shift, mod: ((w >> np.uint64(shift)) % np.uint64(mod)).astype(np.int64)  # noqa: E731
        name = join(pick(_ADJ, bit(0, 20)), pick(_NOUN, bit(8, 20)), when(bit(16, 2) == 1, "_", ""), dec(bit(20, 1000)))
        email = join(name, "@", pick(_DOMAINS, bit(32, len(_DOMAINS))))
        cap = pc.utf8_capitalize(email)
        # free-format emails: some upper case, some capitalised, some with stray spaces
        email = pc.choose(
            pa.array(np.minimum(r.integers("creator.email_fmt", 0, k, 0, 10), 3).astype(np.int8)),
            pc.utf8_upper(email),
            join(" ", cap, " "),
            cap,
            email,
        )
        region = np.searchsorted(_REGION_CDF, r.uniform("creator.region", 0, k), side="right")
        has_uid = self.c_joined < ID_MIGRATION
        uid = dec(r.bits("creator.uid", 0, k) % np.uint64(10**18) + np.uint64(6 * 10**18))
        fmt = r.integers("creator.phone_fmt", 0, k, 0, 10)
        phone = _phones(r.bits("creator.phone", 0, k), region, fmt)
        phone_piece = when(fmt < 8, join('"phone":"', phone, '",'), when(fmt == 9, '"phone":null,', ""))
        self.c_prefix = join(
            '{"creator_open_id":"',
            self.c_id,
            '",',
            when(has_uid, join('"creator_user_id":"', uid, '",'), ""),
            '"username":"',
            name,
            '","email":"',
            email,
            '",',
            phone_piece,
            '"region":"',
            pick(_REGIONS, region),
            '","follower_count":',
        )
        perms = np.searchsorted(_PERM_CDF, r.uniform("creator.perms", 0, k), side="right")
        self.c_perms = pick(['["' + '","'.join(PERMISSIONS[j] for j in p) + '"]' for p in _PERM_SETS], perms)

    def creators_joined_by(self, t) -> np.ndarray:
        return np.searchsorted(self.c_joined, t, side="right")

    def pick_creator(self, t: np.ndarray, u: np.ndarray, by: str = "gmv") -> np.ndarray:
        """Weighted pick among creators who had joined by time t."""
        cum = self.c_gmv_cum if by == "gmv" else self.c_risk_cum
        n = np.maximum(self.creators_joined_by(t), 1)
        target = (u * cum[n - 1]).astype(np.int64)
        return np.searchsorted(cum, target, side="right")

    def followers(self, k: np.ndarray, day: int) -> np.ndarray:
        years = np.maximum(0, day * DAY - self.c_joined[k]) / (365.0 * DAY)
        return (self.c_followers[k] * (1 + self.c_growth[k] * years)).astype(np.int64)

    def chr_score(self, k: np.ndarray, day: int) -> np.ndarray:
        wiggle = self.rng.integers("creator.chr_week", day // 7, k, -15, 16)
        return np.clip(self.c_chr[k].astype(np.int64) + wiggle, 0, 1000)

    # ------------------------------------------------------------------ products
    def _build_products(self, n: int) -> None:
        if n <= self.n_products:
            return
        r, s, p = self.rng, self.scale, np.arange(n, dtype=np.int64)
        self.n_products = n
        self.p_created = _arrival_times(r, "product.created", n, s.products_base, s.products_per_day)
        self.p_id = pc.cast(pa.array(r.bits("product.id", 0, p)), pa.string())
        shop = r.integers("product.shop", 0, p, 0, s.shops)
        self.p_shop_id = pc.cast(pa.array(r.bits("shop.id", 0, shop)), pa.string())
        cat = np.searchsorted(_CAT_CDF, r.uniform("product.category", 0, p), side="right")
        self.p_category = cat
        u = np.clip(r.uniform("product.price", 0, p), 1e-6, 1 - 1e-6)
        cents = _CAT_PRICE[cat] * np.exp(0.55 * np.log(u / (1 - u)))
        self.p_price = np.maximum(99, np.round(cents / 100) * 100 - 1).astype(np.int64)  # x.99 prices
        comm = _COMMISSIONS[np.searchsorted(_COMMISSION_CDF, r.uniform("product.comm", 0, p), side="right")]
        odd = r.uniform("product.comm_odd", 0, p) < 0.1
        self.p_commission = np.where(odd, r.integers("product.comm_val", 0, p, 100, 8001), comm)
        self.p_period = r.integers("product.period", 0, p, 20, 121)
        self.p_phase = (r.uniform("product.phase", 0, p) * self.p_period).astype(np.int64)
        popularity = _pareto(r.uniform("product.pop", 0, p), 1.5, 500)
        self.p_pop_cum = np.cumsum(np.maximum(1, np.round(popularity * 100)).astype(np.int64))
        names = r.bits("product.title", 0, p)
        nouns = [noun for c in CATEGORIES for noun in _TITLE_NOUN[c]]
        titles = join(
            pick([a.capitalize() for a in _ADJ], (names % np.uint64(20)).astype(np.int64)),
            " ",
            pick(nouns, cat * 4 + ((names >> np.uint64(8)) % np.uint64(4)).astype(np.int64)),
        )
        self.p_prefix = join(
            '{"product_id":"',
            self.p_id,
            '","shop_id":"',
            self.p_shop_id,
            '","title":"',
            titles,
            '","category":"',
            pick(CATEGORIES, cat),
            '",',
        )

    def products_created_by(self, t) -> np.ndarray:
        return np.searchsorted(self.p_created, t, side="right")

    def pick_product(self, t: np.ndarray, u: np.ndarray) -> np.ndarray:
        n = np.maximum(self.products_created_by(t), 1)
        target = (u * self.p_pop_cum[n - 1]).astype(np.int64)
        return np.searchsorted(self.p_pop_cum, target, side="right")

    def product_state(self, p: np.ndarray, day) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(price cents, commission_rate, updated_at) of products p on `day`: prices and
        commissions change every 20..120 days."""
        r = self.rng
        cday = self.p_created[p] // DAY
        day = np.broadcast_to(np.asarray(day, dtype=np.int64), p.shape)
        v = np.maximum(0, day - cday + self.p_phase[p]) // self.p_period[p]
        changed = v > 0
        change_day = cday + v * self.p_period[p] - self.p_phase[p]
        updated = np.where(
            changed, change_day * DAY + r.integers("product.change_sec", p, v, 0, 20 * 3600), self.p_created[p]
        )
        factor = np.where(changed, 0.85 + 0.3 * r.uniform("product.reprice", p, v), 1.0)
        price = np.maximum(99, (self.p_price[p] * factor).astype(np.int64))
        new_comm = _COMMISSIONS[np.searchsorted(_COMMISSION_CDF, r.uniform("product.recomm", p, v), side="right")]
        recomm = changed & (r.uniform("product.recomm_p", p, v) < 0.3)
        return price, np.where(recomm, new_comm, self.p_commission[p]), updated


def _phones(b: np.ndarray, region: np.ndarray, fmt: np.ndarray) -> pa.Array:
    """Phone numbers as creators type them: US/CA in eight formats, others international."""
    part = lambda shift, mod: ((b >> np.uint64(shift)) % np.uint64(mod)).astype(np.int64)  # noqa: E731
    line = pc.utf8_lpad(dec(part(0, 10000)), 4, "0")
    exch = dec(200 + part(14, 800))
    area = pick(_AREA, part(24, len(_AREA)))
    us = pc.choose(
        pa.array(np.minimum(fmt, 7).astype(np.int8)),
        join("+1 ", area, " ", exch, " ", line),
        join("(", area, ") ", exch, "-", line),
        join(area, "-", exch, "-", line),
        join(area, exch, line),
        join("+1", area, exch, line),
        join(area, ".", exch, ".", line),
        join("1-", area, "-", exch, "-", line),
        join("+1 (", area, ") ", exch, "-", line),
    )
    cc = pick(("1", "1", "44", "52", "49", "33", "55", "61", "81"), region)
    nsn = join(dec(7 + part(40, 2)), exch, line, pc.utf8_lpad(dec(part(50, 100)), 2, "0"))
    spaced = join(
        "+",
        cc,
        " ",
        pc.utf8_slice_codeunits(nsn, 0, 3),
        " ",
        pc.utf8_slice_codeunits(nsn, 3, 6),
        " ",
        pc.utf8_slice_codeunits(nsn, 6, 20),
    )
    intl = when(fmt % 2 == 1, spaced, join("+", cc, nsn))
    return when(region <= 1, us, intl)  # _REGIONS[0:2] are US and CA
