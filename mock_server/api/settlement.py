"""HTTP glue of the settlement group: revenue history (token paging) and payout history (bare array).

Both are read-only views computed by `mock_server.domains.settlement` from the order and receipt
documents; the only control route sets the vendor's settlement profile (cycle, fee rate, bank).
"""

from __future__ import annotations

from typing import Any

from .. import envelopes
from ..core import MockServices
from ..domains import settlement
from ..registry import RequestContext, control, handles
from ..simulate import vendor_tx

DEFAULT_PAGE = 50


@handles("getRevenueHistory")
def get_revenue_history(ctx: RequestContext) -> dict[str, Any]:
    query = ctx.query
    window = settlement.revenue_window(str(query["recognitionDateFrom"]), str(query["recognitionDateTo"]), ctx.now)
    rows, next_token = settlement.revenue_page(
        ctx.tx, ctx.now, ctx.vendor_id, window, str(query.get("token") or ""), query.get("maxPerPage") or DEFAULT_PAGE
    )
    return {**envelopes.with_next_token(rows, next_token), "hasNext": bool(next_token)}


@handles("getSettlementHistories")
def get_settlement_histories(ctx: RequestContext) -> list[dict[str, Any]]:
    month = settlement.parse_month(str(ctx.query["revenueRecognitionYearMonth"]), ctx.now)
    return settlement.settlement_histories(ctx.tx, ctx.now, month)


@control("/vendors/<vendor_id>/settlement-profile", methods=("GET", "PUT"))
def settlement_profile(services: MockServices, body: dict[str, Any], vendor_id: str) -> Any:
    """Cycle and payout data: {"settlementType": WEEKLY|MONTHLY, "serviceFeeRatio", "deliveryFeeRatio",
    "bankName", "bankAccountHolder", "bankAccount"} (any subset on PUT)."""
    with vendor_tx(services, vendor_id) as (tx, _now, _new_id):
        return settlement.set_profile(tx, body) if body else settlement.profile(tx)
