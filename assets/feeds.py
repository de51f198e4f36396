"""The landing-zone feeds: fields, types and rules (the contract in SOURCES.md, as data).

Ingestion validates from this table and the lake's Parquet schema is derived from it, so a
field added here reaches validation, the lake and the raw contract in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

# Field types of SOURCES.md. `ts` is epoch seconds (milliseconds are normalised on ingest).
STR, INT, BOOL, DEC, TS, STR_LIST, LOCAL_TS = "str", "int", "bool", "dec", "ts", "list[str]", "local_ts"

CATEGORIES = ("BEAUTY", "FASHION", "HOME", "ELECTRONICS", "FOOD", "HEALTH", "SPORTS", "TOYS", "PETS", "OTHER")
CHANNELS = ("INSTAGRAM", "YOUTUBE", "X", "PINTEREST", "FACEBOOK", "WHATSAPP", "SMS", "EMAIL", "BLOG", "OTHER")
CONTENT_TYPES = ("SHOP", "VIDEO", "LIVE", "LINKSHARE")
ORDER_STATUSES = ("ORDERED", "SETTLED", "REFUNDED", "FROZEN", "DEDUCTED")
POLICY_CATEGORIES = (
    "MISLEADING_PROMOTION",
    "PROHIBITED_PRODUCT",
    "LOW_QUALITY_CONTENT",
    "UNORIGINAL_CONTENT",
    "MEDICAL_CLAIM",
    "FAKE_ENGAGEMENT",
    "IP_INFRINGEMENT",
    "OFF_PLATFORM_TRANSACTION",
)
ENFORCEMENT_ACTIONS = ("WARNING", "CONTENT_REMOVED", "TRAFFIC_RESTRICTED", "AFFILIATE_SUSPENDED", "PERMISSION_REVOKED")
APPEAL_STATUSES = ("PENDING", "APPROVED", "REJECTED")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool = True
    enum: tuple[str, ...] | None = None
    min: float | None = None  # inclusive
    max: float | None = None  # inclusive
    exclusive_min: float | None = None  # value must be > this
    # Reason code when the range fails; a few ranges have their own codes (SOURCES.md fault 5).
    range_reason: str = "out_of_range"
    enum_reason: str = "invalid_enum"


@dataclass(frozen=True)
class Feed:
    name: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    version: str | None = None  # the latest-state field, if the feed has one
    # Cross-field rules: (reason, SQL predicate TRUE for a bad record; {field} stands for its typed value).
    row_rules: tuple[tuple[str, str], ...] = ()

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


# Fields several feeds share, declared once: the same name, type and rules wherever they appear.
CREATOR_OPEN_ID = Field("creator_open_id", STR)
PRODUCT_ID = Field("product_id", STR)
SHOP_ID = Field("shop_id", STR)
CONTENT_ID = Field("content_id", STR, required=False)
COMMISSION_RATE = Field("commission_rate", INT, min=100, max=8000, range_reason="commission_out_of_range")
UPDATE_TIME = Field("update_time", TS)

FEEDS: dict[str, Feed] = {
    f.name: f
    for f in (
        Feed(
            "creators",
            key=("creator_open_id",),
            version="snapshot_at",
            fields=(
                CREATOR_OPEN_ID,
                Field("creator_user_id", STR, required=False),
                Field("username", STR),
                Field("email", STR),
                Field("phone", STR, required=False),
                Field("region", STR),
                Field("follower_count", INT, min=0),
                Field("chr_score", INT, min=0, max=1000),
                Field("permissions", STR_LIST),
                Field("joined_at", TS),
                Field("snapshot_at", TS),
            ),
        ),
        Feed(
            "products",
            key=("product_id",),
            version="updated_at",
            fields=(
                PRODUCT_ID,
                SHOP_ID,
                Field("title", STR),
                Field("category", STR, enum=CATEGORIES),
                Field("price", DEC, exclusive_min=0),
                COMMISSION_RATE,
                Field("updated_at", TS),
            ),
        ),
        Feed(
            "links",
            key=("link_id",),
            fields=(
                Field("link_id", STR),
                CREATOR_OPEN_ID,
                PRODUCT_ID,
                Field("channel", STR, enum=CHANNELS),
                Field("created_at", TS),
            ),
        ),
        Feed(
            "link_clicks",
            key=("event_id",),
            fields=(
                Field("event_id", STR),
                Field("link_id", STR),
                Field("clicked_at", TS),
                Field("device_type", INT, min=1, max=2),
                Field("device_id", STR),
                Field("referrer_src", STR, required=False),
                Field("app_installed", BOOL),
            ),
        ),
        Feed(
            "affiliate_orders",
            key=("order_id", "sku_id"),
            version="update_time",
            fields=(
                Field("order_id", STR),
                Field("sku_id", STR),
                CREATOR_OPEN_ID,
                PRODUCT_ID,
                SHOP_ID,
                Field("content_type", STR, enum=CONTENT_TYPES),
                CONTENT_ID,
                Field("trace_event_id", STR, required=False),
                Field("quantity", INT, min=1, range_reason="quantity_lt_1"),
                Field("unit_price", DEC, exclusive_min=0, range_reason="unit_price_not_positive"),
                Field("currency", STR, enum=("USD",), enum_reason="currency_not_usd"),
                COMMISSION_RATE,
                Field("status", STR, enum=ORDER_STATUSES),
                Field("refunded_quantity", INT, min=0),
                Field("created_at", TS),
                UPDATE_TIME,
            ),
            row_rules=(("refunded_gt_quantity", "{refunded_quantity} > {quantity}"),),
        ),
        Feed(
            "violations",
            key=("violation_id",),
            fields=(
                Field("violation_id", STR),
                CREATOR_OPEN_ID,
                CONTENT_ID,
                Field("policy_category", STR, enum=POLICY_CATEGORIES),
                Field("severity", INT, min=1, max=4),
                Field("chr_delta", INT, max=0),
                Field("enforcement_action", STR, enum=ENFORCEMENT_ACTIONS),
                Field("detected_at", TS),
                Field("enforced_local", LOCAL_TS),
            ),
        ),
        Feed(
            "appeals",
            key=("appeal_id",),
            version="update_time",
            fields=(
                Field("appeal_id", STR),
                Field("violation_id", STR),
                Field("submitted_at", TS),
                Field("status", STR, enum=APPEAL_STATUSES),
                Field("resolved_at", TS, required=False),
                UPDATE_TIME,
            ),
        ),
        # An event log, not a state (EXPERIMENTS.md): a creator's arm is its FIRST assignment.
        Feed(
            "experiment_assignments",
            key=("experiment_id", "creator_open_id"),
            fields=(
                Field("experiment_id", STR),
                CREATOR_OPEN_ID,
                Field("arm", STR),
                Field("assigned_at", TS),
            ),
        ),
    )
}

# Lake metadata columns every raw row carries, for latest-state tie-breaks and lineage.
META_COLUMNS = ("_dt", "_file", "_line", "_extra")
