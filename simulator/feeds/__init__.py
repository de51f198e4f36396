"""One builder per feed: `build(ctx, day) -> Batch` with every record delivered on `day`."""

from . import assignments, clicks, creators, governance, links, orders, products

BUILDERS = {
    "creators": creators.build,
    "products": products.build,
    "links": links.build,
    "link_clicks": clicks.build,
    "affiliate_orders": orders.build,
    "violations": governance.build_violations,
    "appeals": governance.build_appeals,
    "experiment_assignments": assignments.build,
}
