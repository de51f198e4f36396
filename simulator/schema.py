"""The feed fields of SOURCES.md, as far as the simulator needs them: to name files, to pick a
field when it breaks a record on purpose, and to know which enum values are legal."""

from __future__ import annotations

from dataclasses import dataclass

FEEDS = (
    "creators",
    "products",
    "links",
    "link_clicks",
    "affiliate_orders",
    "violations",
    "appeals",
    "experiment_assignments",
)

CATEGORIES = ("BEAUTY", "FASHION", "HOME", "ELECTRONICS", "FOOD", "HEALTH", "SPORTS", "TOYS", "PETS", "OTHER")
CHANNELS = ("INSTAGRAM", "YOUTUBE", "X", "PINTEREST", "FACEBOOK", "WHATSAPP", "SMS", "EMAIL", "BLOG", "OTHER")
CONTENT_TYPES = ("SHOP", "VIDEO", "LIVE", "LINKSHARE")
ORDER_STATUSES = ("ORDERED", "SETTLED", "REFUNDED", "FROZEN", "DEDUCTED")
POLICIES = (
    "MISLEADING_PROMOTION",
    "PROHIBITED_PRODUCT",
    "LOW_QUALITY_CONTENT",
    "UNORIGINAL_CONTENT",
    "MEDICAL_CLAIM",
    "FAKE_ENGAGEMENT",
    "IP_INFRINGEMENT",
    "OFF_PLATFORM_TRANSACTION",
)
ACTIONS = ("WARNING", "CONTENT_REMOVED", "TRAFFIC_RESTRICTED", "AFFILIATE_SUSPENDED", "PERMISSION_REVOKED")
APPEAL_STATUSES = ("PENDING", "APPROVED", "REJECTED")
PERMISSIONS = ("ADD_AFFILIATE_PERMISSION", "LIVE_STREAM_PERMISSION", "SHARE_LINK_PERMISSION")


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # str, int, ts, dec, bool, list
    required: bool = True
    enum: tuple[str, ...] | None = None


def _f(spec: str, enum=None) -> Field:
    name, typ = spec.split(":")
    return Field(name, typ.rstrip("?"), not typ.endswith("?"), enum)


FIELDS: dict[str, tuple[Field, ...]] = {
    "creators": tuple(
        _f(s)
        for s in (
            "creator_open_id:str",
            "creator_user_id:str?",
            "username:str",
            "email:str",
            "phone:str?",
            "region:str",
            "follower_count:int",
            "chr_score:int",
            "permissions:list",
            "joined_at:ts",
            "snapshot_at:ts",
        )
    ),
    "products": (
        _f("product_id:str"),
        _f("shop_id:str"),
        _f("title:str"),
        _f("category:str", CATEGORIES),
        _f("price:dec"),
        _f("commission_rate:int"),
        _f("updated_at:ts"),
    ),
    "links": (
        _f("link_id:str"),
        _f("creator_open_id:str"),
        _f("product_id:str"),
        _f("channel:str", CHANNELS),
        _f("created_at:ts"),
    ),
    "link_clicks": tuple(
        _f(s)
        for s in (
            "event_id:str",
            "link_id:str",
            "clicked_at:ts",
            "device_type:int",
            "device_id:str",
            "referrer_src:str?",
            "app_installed:bool",
        )
    ),
    "affiliate_orders": (
        _f("order_id:str"),
        _f("sku_id:str"),
        _f("creator_open_id:str"),
        _f("product_id:str"),
        _f("shop_id:str"),
        _f("content_type:str", CONTENT_TYPES),
        _f("content_id:str?"),
        _f("trace_event_id:str?"),
        _f("quantity:int"),
        _f("unit_price:dec"),
        _f("currency:str"),
        _f("commission_rate:int"),
        _f("status:str", ORDER_STATUSES),
        _f("refunded_quantity:int"),
        _f("created_at:ts"),
        _f("update_time:ts"),
    ),
    "violations": (
        _f("violation_id:str"),
        _f("creator_open_id:str"),
        _f("content_id:str?"),
        _f("policy_category:str", POLICIES),
        _f("severity:int"),
        _f("chr_delta:int"),
        _f("enforcement_action:str", ACTIONS),
        _f("detected_at:ts"),
        _f("enforced_local:str"),
    ),
    "appeals": (
        _f("appeal_id:str"),
        _f("violation_id:str"),
        _f("submitted_at:ts"),
        _f("status:str", APPEAL_STATUSES),
        _f("resolved_at:ts?"),
        _f("update_time:ts"),
    ),
    "experiment_assignments": (
        _f("experiment_id:str"),
        _f("creator_open_id:str"),
        _f("arm:str"),
        _f("assigned_at:ts"),
    ),
}

# Unknown fields upstream starts sending (schema drift); consumers must keep, not fail on, them.
EXTRA_FIELDS: dict[str, str] = {
    "creators": ',"bio_language":"en"',
    "products": ',"brand_name":"Acme Goods","is_cod_supported":false',
    "links": ',"utm_campaign":"summer_drop"',
    "link_clicks": ',"ip_country":"US"',
    "affiliate_orders": ',"campaign_id":"7351002277","is_sample_order":false',
    "violations": ',"review_team":"T&S-LA"',
    "appeals": ',"appeal_channel":"APP"',
    "experiment_assignments": ',"assignment_source":"exp-platform"',
}
