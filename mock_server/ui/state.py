"""The dashboard's state view: per vendor, records of each lifecycle kind by status, and the events
that may happen next as buttons bound to the existing control routes.

Reads go through the store's indexes (`byStatus`, `recent`), never a scan of a kind. Which buttons a
record offers follows the domain's transition table: an action is shown when its machine event is
legal from the record's state (or the record is in one of the action's states).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..domains import coupons, cs, exchanges, orders, products, receipts, returns
from ..domains.fsm import StateMachine
from ..store import Tx
from . import indexes  # noqa: F401  (declares the indexes read here when their owners have not)

Document = dict[str, Any]
BodyOf = Callable[[Tx, Document], dict[str, Any]]
Rule = Callable[[Tx, Document], bool]
PAGE = 50
V = "/_mock/vendors/{vendorId}"
SELLER = "/_mock/ui/api/vendors/{vendorId}/%s/{%s}/seller/%s"  # kind, id field, seller action


@dataclass(frozen=True)
class Action:
    label: str
    actor: str  # buyer, courier, reviewer, seller (signed API call), counsellor, customer, WING
    route: str  # format string over the record's fields and vendorId
    event: str | None = None  # shown when this machine event is legal from the record's state
    states: frozenset[str] = frozenset()  # … or when the record is in one of these states
    body: BodyOf | None = None
    when: Rule | None = None  # a rule beyond the table (units left to cancel or return …)

    def applies(self, machine: StateMachine | None, state: str, tx: Tx, doc: Document) -> bool:
        legal = self.event is not None and machine is not None and machine.can(state, self.event)
        return (legal or state in self.states) and (self.when is None or self.when(tx, doc))


@dataclass(frozen=True)
class KindView:
    kind: str
    title: str
    id_field: str
    statuses: tuple[str, ...]
    state_of: Callable[[Document], str]  # the machine state (may be finer than the listed status)
    status_of: Callable[[Document], str]  # the status the byStatus index groups by
    machine_of: Callable[[Document], StateMachine | None]
    label_of: Callable[[Document], str]
    created_of: Callable[[Document], str | None]
    history_of: Callable[[Document], list[dict[str, Any]]]
    actions: tuple[Action, ...] = ()


def _returnable(tx: Tx, doc: Document) -> list[dict[str, int]]:
    """This box's units the buyer can still return or exchange: shipped, under neither a return nor an
    exchange, counted with the returns and exchanges domains' own functions (as their routes will)."""
    box_id = doc["shipmentBoxId"]
    returned = returns.returned_units(tx, doc["orderId"])  # (box, vendorItemId) → units, read by order
    exchanged = exchanges.exchanged_units(tx, doc["orderId"])
    lines = []
    for line in doc.get("orderItems", []):
        vid = line["vendorItemId"]
        left = returns.shipped_units(line) - returned.get((box_id, vid), 0) - exchanged.get((box_id, vid), 0)
        if left > 0:
            lines.append({"vendorItemId": vid, "quantity": left})
    return lines


def _is_return(doc: Document) -> bool:
    """The buyer/courier routes act on return receipts; cancel receipts are the seller's to answer."""
    return doc.get("receiptType") == "RETURN"


def _units_to_ship(_tx: Tx, doc: Document) -> bool:
    """Units neither cancelled nor held by a pending stop-shipment request: what a cancel can take."""
    return any(orders.shippable(line) > 0 for line in orders.live_lines(doc))


def _ready_to_ship(tx: Tx, doc: Document) -> bool:
    """An open stop-shipment request blocks the invoice until the seller answers it."""
    return _units_to_ship(tx, doc) and not any(line["holdCountForCancel"] for line in orders.live_lines(doc))


def _lines_to_cancel(doc: Document) -> list[dict[str, int]]:
    """This box's units (an order may have more boxes: the button cancels the one shown)."""
    return [
        {"vendorItemId": line["vendorItemId"], "quantity": orders.shippable(line)}
        for line in orders.live_lines(doc)
        if orders.shippable(line) > 0
    ]


def _box_label(doc: Document) -> str:
    names = ", ".join(f"{line['vendorItemName']} ×{line['shippingCount']}" for line in doc.get("orderItems", []))
    return f"order {doc['orderId']} · {names}"


def _timestamps(*fields: str) -> Callable[[Document], list[dict[str, Any]]]:
    """Records without a history list: their dated fields, in time order."""

    def history(doc: Document) -> list[dict[str, Any]]:
        rows = [{"at": doc[name], "what": name} for name in fields if doc.get(name)]
        return sorted(rows, key=lambda row: str(row["at"]))

    return history


def _box_history(doc: Document) -> list[dict[str, Any]]:
    return [{"at": row["at"], "what": row["status"]} for row in doc.get("history", [])]


def _product_history(doc: Document) -> list[dict[str, Any]]:
    return [
        {"at": row["createdAt"], "what": f"{row['status']} · {row['comment']} ({row['createdBy']})"}
        for row in (doc.get("mock") or {}).get("histories", [])
    ]


def _inquiry_history(doc: Document) -> list[dict[str, Any]]:
    rows = [{"at": doc.get("inquiryAt"), "what": f"asked ({doc.get('kind')})"}]
    rows += [
        {"at": r.get("replyAt"), "what": f"reply by {r.get('receptionistName') or r.get('answerType')}"}
        for r in doc.get("replies", [])
    ]
    rows += [{"at": r.get("at"), "what": f"{r['event']} → {r['state']}"} for r in doc.get("history", [])]
    return rows


def _inquiry_machine(doc: Document) -> StateMachine:
    return cs.ONLINE_MACHINE if doc.get("kind") == "ONLINE" else cs.CALL_CENTER_MACHINE


def _field(name: str) -> Callable[[Document], Any]:
    return lambda doc: doc.get(name)


def _fixed(body: dict[str, Any]) -> BodyOf:
    return lambda _tx, _doc: body


BOXES = KindView(
    kind=orders.BOXES,
    title="Order sheets (shipment boxes)",
    id_field="shipmentBoxId",
    statuses=(*orders.WIRE_STATUSES, orders.CANCELED),
    state_of=_field("status"),
    status_of=_field("status"),
    machine_of=lambda _doc: orders.BOX_MACHINE,
    label_of=_box_label,
    created_of=_field("createdAt"),
    history_of=_box_history,
    actions=(
        Action(
            "acknowledge (발주확인)",
            "seller",
            SELLER % ("boxes", "shipmentBoxId", "acknowledge"),
            event="acknowledge",
        ),
        Action(
            "upload invoice (송장업로드)",
            "seller",
            SELLER % ("boxes", "shipmentBoxId", "invoice"),
            event="uploadInvoice",
            when=_ready_to_ship,
        ),
        Action(
            "buyer cancels",
            "buyer",
            V + "/orders/{orderId}/cancel",
            event="cancelAll",
            body=lambda _tx, doc: {"items": _lines_to_cancel(doc)},
            when=_units_to_ship,
        ),
        Action(
            "courier picks up",
            "courier",
            V + "/shipments/{shipmentBoxId}/track",
            event="pickedUp",
            body=_fixed({"event": "PICKED_UP"}),
        ),
        Action(
            "courier delivers",
            "courier",
            V + "/shipments/{shipmentBoxId}/track",
            event="delivered",
            body=_fixed({"event": "DELIVERED"}),
        ),
        Action(
            "buyer confirms purchase",
            "buyer",
            V + "/orders/{orderId}/confirm",
            event="purchaseConfirm",
            body=_fixed({}),
            when=lambda _tx, doc: not doc.get("confirmDate"),  # confirmed once (then auto-confirmation is moot)
        ),
        Action(
            "buyer returns",
            "buyer",
            V + "/orders/{orderId}/returns",
            states=frozenset({orders.FINAL_DELIVERY}),
            body=lambda tx, doc: {"items": _returnable(tx, doc), "reasonCode": "CHANGEMIND"},
            when=lambda tx, doc: bool(_returnable(tx, doc)),
        ),
        Action(
            "buyer asks for an exchange",
            "buyer",
            V + "/orders/{orderId}/exchanges",
            states=frozenset({orders.FINAL_DELIVERY}),
            body=lambda tx, doc: {"items": _returnable(tx, doc), "reasonCode": "DEFECT"},
            when=lambda tx, doc: bool(_returnable(tx, doc)),
        ),
    ),
)

RECEIPTS = KindView(
    kind=receipts.KIND,
    title="Returns and cancellations (receipts)",
    id_field="receiptId",
    statuses=receipts.RECEIPT_MACHINE.states,
    state_of=_field("receiptStatus"),
    status_of=_field("receiptStatus"),
    machine_of=lambda _doc: receipts.RECEIPT_MACHINE,
    label_of=lambda doc: f"{doc.get('receiptType')} · order {doc.get('orderId')} · {doc.get('reasonCodeText') or ''}",
    created_of=_field("createdAt"),
    history_of=_timestamps("createdAt", "modifiedAt", "refundedAt", "completeConfirmDate"),
    actions=(
        Action(
            "buyer withdraws",
            "buyer",
            V + "/returns/{receiptId}/withdraw",
            event="withdraw",
            body=_fixed({}),
            when=lambda _tx, doc: _is_return(doc) and not (doc.get("collected") and doc.get("trackedPickup")),
        ),
        Action(
            "courier collects",
            "courier",
            V + "/returns/{receiptId}/pickup",
            event="pickup",
            body=_fixed({}),
            when=lambda _tx, doc: _is_return(doc) and not doc.get("collected"),
        ),
        Action(
            "seller asks Coupang to check (WING)",
            "WING",
            V + "/returns/{receiptId}/coupang-check",
            event="requestCoupangCheck",
            body=_fixed({}),
            when=lambda _tx, doc: _is_return(doc),
        ),
    ),
)

EXCHANGES = KindView(
    kind=exchanges.KIND,
    title="Exchanges",
    id_field="exchangeId",
    statuses=(exchanges.RECEIPT, exchanges.PROGRESS, exchanges.SUCCESS, exchanges.REJECT, exchanges.CANCEL),
    state_of=_field("state"),
    status_of=lambda doc: str(doc.get("state", "")).split("/")[0],
    machine_of=lambda _doc: exchanges.EXCHANGE_MACHINE,
    label_of=lambda doc: f"order {doc.get('orderId')} · {doc.get('reasonCodeText') or ''}",
    created_of=_field("createdAt"),
    history_of=_timestamps("createdAt", "modifiedAt", "collectCompleteDate"),
    actions=(
        Action("buyer withdraws", "buyer", V + "/exchanges/{exchangeId}/withdraw", event="withdraw", body=_fixed({})),
        Action(
            "courier picks up",
            "courier",
            V + "/exchanges/{exchangeId}/pickup",
            event="pickedUp",
            body=_fixed({"event": "PICKED_UP"}),
        ),
        Action(
            "courier delivers to seller",
            "courier",
            V + "/exchanges/{exchangeId}/pickup",
            event="collected",
            body=_fixed({"event": "DELIVERED"}),
        ),
    ),
)

_REVIEWABLE = frozenset({"APPROVING", "IN_REVIEW"})
PRODUCTS = KindView(
    kind=products.KIND,
    title="Products (approval)",
    id_field="sellerProductId",
    statuses=products.PRODUCT_MACHINE.states,
    state_of=lambda doc: (doc.get("mock") or {}).get("status", ""),
    status_of=lambda doc: (doc.get("mock") or {}).get("status", ""),
    machine_of=lambda _doc: products.PRODUCT_MACHINE,
    label_of=lambda doc: str(doc.get("sellerProductName") or ""),
    created_of=lambda doc: (doc.get("mock") or {}).get("createdAt"),
    history_of=_product_history,
    actions=(
        Action(
            "request approval (승인요청)",
            "seller",
            SELLER % ("products", "sellerProductId", "request-approval"),
            event="REQUEST_APPROVAL",
        ),
        Action(
            "reviewer starts review",
            "reviewer",
            V + "/products/{sellerProductId}/review",
            event="START_REVIEW",
            body=_fixed({"decision": "START_REVIEW"}),
        ),
        Action(
            "reviewer approves",
            "reviewer",
            V + "/products/{sellerProductId}/review",
            states=_REVIEWABLE,
            body=_fixed({"decision": "APPROVE"}),
        ),
        Action(
            "reviewer denies",
            "reviewer",
            V + "/products/{sellerProductId}/review",
            states=_REVIEWABLE,
            body=_fixed({"decision": "DENY", "reason": "대시보드에서 반려"}),
        ),
    ),
)

INQUIRIES = KindView(
    kind=cs.KIND,
    title="Inquiries (CS)",
    id_field="inquiryId",
    statuses=tuple(dict.fromkeys((*cs.ONLINE_MACHINE.states, *cs.CALL_CENTER_MACHINE.states))),
    state_of=_field("state"),
    status_of=_field("state"),
    machine_of=_inquiry_machine,
    label_of=lambda doc: f"{doc.get('kind')} · {str(doc.get('content') or '')[:60]}",
    created_of=_field("inquiryAt"),
    history_of=_inquiry_history,
    actions=tuple(
        Action(label, actor, V + "/inquiries/{inquiryId}/events", event=event, body=_fixed({"event": event}))
        for label, actor, event in (
            ("customer deletes the question", "customer", "customerDelete"),
            ("counsellor completes", "counsellor", "counsellorComplete"),
            ("counsellor closes", "counsellor", "counsellorClose"),
        )
    ),
)

COUPONS = KindView(
    kind=coupons.COUPONS,
    title="Instant coupons",
    id_field="couponId",
    statuses=coupons.COUPON_STATUSES,
    state_of=_field("status"),
    status_of=_field("status"),
    machine_of=lambda _doc: coupons.COUPON_MACHINE,
    label_of=lambda doc: f"{doc.get('promotionName')} · {doc.get('type')} {doc.get('discount')}",
    created_of=_field("createdAt"),
    history_of=_timestamps("createdAt", "startAt", "endAt"),
    actions=(
        Action(
            "buyer uses it (₩1,000)",
            "buyer",
            V + "/coupons/{couponId}/redemptions",
            states=frozenset({coupons.APPLIED}),
            body=_fixed({"amount": 1000}),
        ),
    ),
)

VIEWS: dict[str, KindView] = {view.kind: view for view in (BOXES, RECEIPTS, EXCHANGES, PRODUCTS, INQUIRIES, COUPONS)}


def summary(view: KindView, doc: Document) -> dict[str, Any]:
    return {
        "id": doc.get(view.id_field),
        "status": view.status_of(doc),
        "state": view.state_of(doc),
        "label": view.label_of(doc),
        "createdAt": view.created_of(doc),
    }


def listing(tx: Tx, view: KindView, status: str | None, limit: int = PAGE) -> dict[str, Any]:
    """Newest first, optionally one status; counts per status from the index."""
    if status:
        docs = tx.find(view.kind, "byStatus", prefix=(status,), reverse=True, limit=limit)
    else:
        docs = tx.find(view.kind, "recent", reverse=True, limit=limit)
    counts = [
        {"status": s, "count": tx.count(view.kind, "byStatus", prefix=(s,))} for s in dict.fromkeys(view.statuses)
    ]
    return {
        "kind": view.kind,
        "title": view.title,
        "statuses": counts,
        "total": sum(row["count"] for row in counts),  # the table's statuses cover every record
        "records": [summary(view, doc) for doc in docs],
    }


def detail(tx: Tx, view: KindView, doc: Document, vendor_id: str) -> dict[str, Any]:
    machine = view.machine_of(doc)
    state = view.state_of(doc)
    fields = {**doc, "vendorId": vendor_id}
    return {
        **summary(view, doc),
        "kind": view.kind,
        "machine": machine.name if machine else None,
        "history": view.history_of(doc),
        "events": machine.events_from(state) if machine else [],
        "actions": [
            {
                "label": action.label,
                "actor": action.actor,
                "method": "POST",
                "url": action.route.format(**fields),
                "body": action.body(tx, doc) if action.body else {},
            }
            for action in view.actions
            if action.applies(machine, state, tx, doc)
        ],
        "record": doc,
    }


# ---------------------------------------------------------------- the seller's own API calls


SellerRequest = tuple[str, str, dict[str, Any] | None]  # method, path, JSON body


def _acknowledge(vendor_id: str, box: Document) -> SellerRequest:
    path = f"/v2/providers/openapi/apis/api/v5/vendors/{vendor_id}/ordersheets/acknowledgement"
    return "PUT", path, {"vendorId": vendor_id, "shipmentBoxIds": [box["shipmentBoxId"]]}


def _invoice(vendor_id: str, box: Document) -> SellerRequest:
    """Every line of the box under one CJ대한통운 invoice (12 digits, as CJGLS requires)."""
    invoice = f"{box['shipmentBoxId'] % 10**12:012d}"
    lines = [
        {
            "shipmentBoxId": box["shipmentBoxId"],
            "orderId": box["orderId"],
            "vendorItemId": line["vendorItemId"],
            "deliveryCompanyCode": "CJGLS",
            "invoiceNumber": invoice,
            "splitShipping": False,
            "preSplitShipped": False,
            "estimatedShippingDate": "",
        }
        for line in box.get("orderItems", [])
    ]
    path = f"/v2/providers/openapi/apis/api/v4/vendors/{vendor_id}/orders/invoices"
    return "POST", path, {"vendorId": vendor_id, "orderSheetInvoiceApplyDtos": lines}


def _request_approval(_vendor_id: str, product: Document) -> SellerRequest:
    path = f"/v2/providers/seller_api/apis/api/v1/marketplace/seller-products/{product['sellerProductId']}/approvals"
    return "PUT", path, None


# (kind, action) -> the API request the seller would send for that record
SELLER_CALLS: dict[tuple[str, str], Callable[[str, Document], SellerRequest]] = {
    (orders.BOXES, "acknowledge"): _acknowledge,
    (orders.BOXES, "invoice"): _invoice,
    (products.KIND, "request-approval"): _request_approval,
}
