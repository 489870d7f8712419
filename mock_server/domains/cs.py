"""Customer inquiries (store kind "inquiries", key inquiryId): product Q&A and Coupang call-center cases.

Two lifecycles (cs.yaml → state_machines), each one table:

- ONLINE_MACHINE, a product question: NOANSWER --reply--> ANSWERED; the customer may delete it in
  either state (DELETED: gone from the list, answers refused).
- CALL_CENTER_MACHINE, a case Coupang CS transferred: REQUEST_ANSWER (answer requested) --reply or
  24 h--> ANSWERED; TRANSFER (resolved by Coupang, confirmation requested) --confirm--> CONFIRMED,
  --24 h or counsellor--> CLOSED; a counsellor completes a progress case (COMPLETE).

Documents keep times as ISO-8601 UTC strings and are rendered in v5 (i18n) or v4 (legacy) formats.
Inquiries come from the control plane (customers and Coupang CS); the 24-hour limits run on the test
clock through each inquiry's `dueAt` and the "due" index, so the ticker reads only what is due. Lists
ask the indexes declared below for their page and count; "cs-meta" keeps the WING users only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from ..errors import ApiError
from ..store import IndexKey, Probe, Tx, declare_index
from . import inventory, orders, products, query_paging, timefmt
from .fsm import IllegalTransition, StateMachine

KIND = "inquiries"
META = "cs-meta"
NewId = Callable[[str, int], int]

ONLINE, CALL_CENTER = "ONLINE", "CALL_CENTER"

# ---------------------------------------------------------------- transition tables

NOANSWER, ANSWERED, DELETED = "NOANSWER", "ANSWERED", "DELETED"
ONLINE_MACHINE = StateMachine(
    name="online-inquiry",
    states=(NOANSWER, ANSWERED, DELETED),
    initial=NOANSWER,
    terminal=frozenset({DELETED}),
    table={
        (NOANSWER, "reply"): ANSWERED,
        (NOANSWER, "customerDelete"): DELETED,
        (ANSWERED, "customerDelete"): DELETED,
    },
)

REQUEST_ANSWER, CC_ANSWERED, COMPLETE = "REQUEST_ANSWER", "ANSWERED", "COMPLETE"
TRANSFER, CONFIRMED, CLOSED = "TRANSFER", "CONFIRMED", "CLOSED"
CALL_CENTER_MACHINE = StateMachine(
    name="call-center-inquiry",
    states=(REQUEST_ANSWER, CC_ANSWERED, COMPLETE, TRANSFER, CONFIRMED, CLOSED),
    terminal=frozenset({COMPLETE, CONFIRMED, CLOSED}),
    table={
        (REQUEST_ANSWER, "reply"): CC_ANSWERED,
        (REQUEST_ANSWER, "expire"): CC_ANSWERED,  # Coupang's system notice after 24 h
        (REQUEST_ANSWER, "counsellorComplete"): COMPLETE,
        (CC_ANSWERED, "counsellorComplete"): COMPLETE,
        (TRANSFER, "confirm"): CONFIRMED,
        (TRANSFER, "expire"): CLOSED,
        (TRANSFER, "counsellorClose"): CLOSED,
    },
)

# Control-plane events per kind (the customer / Coupang CS side of the tables).
EXTERNAL_EVENTS = {ONLINE: ("customerDelete",), CALL_CENTER: ("counsellorComplete", "counsellorClose")}

# ---------------------------------------------------------------- indexes


def _created(inquiry: dict[str, Any]) -> str:
    return query_paging.iso_key(inquiry["inquiryAt"])


def _group(inquiry: dict[str, Any]) -> str:
    """What a list's status filter selects: the state of a question, the counseling group of a case."""
    if inquiry["kind"] == ONLINE:
        return str(inquiry["state"])
    if inquiry["state"] in (TRANSFER, REQUEST_ANSWER):
        return "TRANSFER" if inquiry["state"] == TRANSFER else "NO_ANSWER"
    return "ANSWER" if counseling_status(inquiry) == "answered" else "OTHER"


def _listed(inquiry: dict[str, Any]) -> str:
    return "GONE" if inquiry["state"] == DELETED else "LIVE"


def _keyed(*head: Any) -> Callable[[dict[str, Any]], IndexKey]:
    return lambda doc: (*(part(doc) for part in head), _created(doc), doc["inquiryId"])


# Standard names shared with the dashboard: newest of a status, newest overall.
declare_index(KIND, "byStatus", _keyed(lambda d: d["state"]))
declare_index(KIND, "recent", _keyed())
# Lists: newest first inside a kind and filter; the time component takes the day window as a range.
declare_index(KIND, "byKindListed", _keyed(lambda d: d["kind"], _listed))
declare_index(KIND, "byKindGroup", _keyed(lambda d: d["kind"], _group))
declare_index(KIND, "byKindItem", _keyed(lambda d: d["kind"], lambda d: d["vendorItemId"] or 0))
declare_index(KIND, "byKindOrder", _keyed(lambda d: d["kind"], lambda d: d["orderId"] or 0))
declare_index(KIND, "due", lambda d: (query_paging.iso_key(d["dueAt"]), d["inquiryId"]) if d.get("dueAt") else None)

# ---------------------------------------------------------------- Coupang's texts

WINDOW_ERROR = "time interval needs to be less than or equal to 7 days， pattern should be yyyy-MM-dd"
NOT_FOUND = "Inquiry not found"
OTHER_VENDOR = "Vendor id should be same with the vendor id in this inquiry"
REPLY_BY_ERROR = "The value of replyBy (Responder Seller Portal (WING) ID) is incorrect. Please enter the correct wing ID or vendorId."
DELETED_ERROR = "삭제된 상품문의에는 더 이상 답변할 수 없습니다."
EMPTY_CONTENT = "내용을 입력하세요."
DUPLICATE = "동일한 답변이 존재합니다."
CANNOT_ANSWER = (
    "The inquiry can't be answer. It can do only inquiryStatus:progress, partnerTransferStatus:requestAnswer"
)
CONTENT_LENGTH = "The reply content length should be between 2 ~ 1000"
PARENT_REQUIRED = "The parentAnswerId is required."
USER_ID_ERROR = "userId가 올바르지 않습니다 - 520"
CLOSED_ERROR = "상담이 종료된 문의입니다 - 522"
SYSTEM_NOTICE = (
    "[쿠팡 시스템] CS문의가 24시간 내 답변되지 않아, 쿠팡 약관 및 정책에 따라 상담사가 처리할 예정임을 알려드립니다."
)

WINDOW_DAYS = 7
ANSWER_HOURS = 24
REPLY_MIN, REPLY_MAX = 2, 1000
# buyerEmail leaves product-inquiry answers from this day on (cs.yaml notes).
EMAIL_REMOVED_FROM = date(2026, 3, 15)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WING_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,49}$")


# ---------------------------------------------------------------- store helpers


def get(tx: Tx, inquiry_id: int) -> dict[str, Any] | None:
    return tx.get(KIND, inquiry_id)


def _put(tx: Tx, inquiry: dict[str, Any]) -> None:
    tx.put(KIND, inquiry["inquiryId"], inquiry)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _at(value: str) -> datetime:
    return timefmt.parse_iso(value)


def wing_users(tx: Tx) -> list[str]:
    return list((tx.get(META, "wing-users") or {}).get("userIds", []))


def set_wing_users(tx: Tx, user_ids: Any) -> list[str]:
    if not isinstance(user_ids, list) or not all(isinstance(u, str) and _WING_ID_RE.match(u) for u in user_ids):
        raise ApiError(400, "userIds must be a list of WING login ids (letters, digits, _ . @ -)")
    tx.put(META, "wing-users", {"userIds": sorted(set(user_ids))})
    return wing_users(tx)


def valid_user(tx: Tx, vendor_id: str, user_id: Any) -> bool:
    """A responder the vendor owns: a registered WING user, or the vendorId itself (Coupang's text
    names both). With no users registered any well-formed login id passes (inferred: the mock
    cannot know the vendor's WING accounts)."""
    if not isinstance(user_id, str) or not _WING_ID_RE.match(user_id):
        return False
    users = wing_users(tx)
    return not users or user_id in users or user_id == vendor_id


# ---------------------------------------------------------------- creation (control plane)


def create(tx: Tx, now: datetime, new_id: NewId, request: dict[str, Any]) -> dict[str, Any]:
    """A customer question (ONLINE) or a case Coupang CS transfers (CALL_CENTER)."""
    kind = request.get("kind")
    if kind not in (ONLINE, CALL_CENTER):
        raise ApiError(400, 'kind must be "ONLINE" or "CALL_CENTER"')
    content = request.get("content")
    if not isinstance(content, str) or not content.strip():
        raise ApiError(400, "content must be a non-empty string")
    order, item = _subject(tx, request.get("orderId"), request.get("vendorItemId"), required=kind == ONLINE)
    base: dict[str, Any] = {
        "kind": kind,
        "content": content,
        "inquiryAt": _iso(now),
        "orderId": order["orderId"] if order else None,
        "vendorItemId": item["vendorItemId"] if item else None,
        "productId": _product_id(tx, item),
        "sellerProductId": (item or {}).get("sellerProductId", 0),
        "itemName": _item_name(item),
        "sellerItemId": (item or {}).get("sellerProductItemId") or (item or {}).get("vendorItemId"),
        # the option's sale period as registered; undated catalog items sell indefinitely (inferred)
        "saleStartedAt": str(item.get("saleStartedAt") or "2025-01-01")[:10] if item else None,
        "saleEndedAt": str(item.get("saleEndedAt") or "2099-12-31")[:10] if item else None,
    }
    if kind == ONLINE:
        inquiry = {**base, "inquiryId": new_id("onlineInquiryId", 8), "state": NOANSWER, "comments": []}
    else:
        inquiry = _call_center(tx, now, new_id, base, order, request)
    _put(tx, inquiry)
    return inquiry


def _subject(
    tx: Tx, raw_order: Any, raw_item: Any, required: bool
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    order = None
    if raw_order is not None:
        order = orders.get_order(tx, raw_order) if _is_int(raw_order) else None
        if order is None:
            raise ApiError(404, f"orderId {raw_order} does not exist")
    vendor_item_id = raw_item
    if vendor_item_id is None and order is not None:
        first = orders.order_boxes(tx, order)[0]["orderItems"][0]
        vendor_item_id = first["vendorItemId"]
    if vendor_item_id is None:
        if required:
            raise ApiError(400, "a product question needs vendorItemId (or orderId)")
        return order, None
    item = inventory.get_item(tx, vendor_item_id) if _is_int(vendor_item_id) else None
    if item is None:
        raise ApiError(404, f"vendorItemId {vendor_item_id} does not exist")
    return order, item


def _product_id(tx: Tx, item: dict[str, Any] | None) -> int:
    """The display productId of the option's product (0 without an option, as Coupang shows it)."""
    if item is None:
        return 0
    return item.get("productId") or _display_product_id(tx, item.get("sellerProductId"))


def _display_product_id(tx: Tx, seller_product_id: Any) -> int:
    product = products.get(tx, seller_product_id)
    return int(product["mock"]["productId"] or 0) if product else 0


def _item_name(item: dict[str, Any] | None) -> str | None:
    if item is None:
        return None
    product = item.get("sellerProductName") or item.get("itemName", "")
    option = item.get("itemName", "")
    return f"{product}, {option}" if option and option != product else product


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _call_center(
    tx: Tx, now: datetime, new_id: NewId, base: dict[str, Any], order: dict[str, Any] | None, request: dict[str, Any]
) -> dict[str, Any]:
    status = request.get("status", "NO_ANSWER")
    if status not in ("NO_ANSWER", "TRANSFER"):
        raise ApiError(400, 'status must be "NO_ANSWER" (answer requested) or "TRANSFER" (confirmation requested)')
    inquiry_id = new_id("callCenterInquiryId", 9)
    transfer = {
        "answerId": new_id("callCenterAnswerId", 14),
        "parentAnswerId": None,
        "answerType": "csAgent",
        "receptionistName": "쿠팡 상담사",
        "receptionist": "cs-agent-01",
        "replyAt": _iso(now),
        "content": "[판매자이관]\n"
        + (f"주문번호: {order['orderId']}\n" if order else "")
        + f"문의내용: {base['content']}",
        "transfer": True,
    }
    inquiry = {
        **base,
        "inquiryId": inquiry_id,
        "state": REQUEST_ANSWER if status == "NO_ANSWER" else TRANSFER,
        "replies": [transfer],
        "answeredAt": None,
        "answeredBy": None,  # "vendor" or "system" once answered
        "buyerPhone": _safe_number(inquiry_id),
        "orderDate": order["paidAt"] if order else None,
        "receiptCategory": str(request.get("receiptCategory") or "배송>배송>배송"),
        "dueAt": _iso(now + timedelta(hours=ANSWER_HOURS)),
    }
    return inquiry


def _safe_number(seed: int) -> str:
    """A deterministic 050 safe number (안심번호), stored in the v4 Korean format."""
    digits = f"{seed % 10**8:08d}"
    return f"0503-{digits[:4]}-{digits[4:]}"


# ---------------------------------------------------------------- timers (24 h limits)


def due(_tx: Tx, now: datetime) -> list[Probe]:
    return [Probe(KIND, "due", hi=query_paging.iso_key(now + timedelta(microseconds=1)))]


def tick(tx: Tx, now: datetime, new_id: NewId) -> None:
    """Unanswered requests get Coupang's system notice; unconfirmed transfers close, at their due time."""
    (probe,) = due(tx, now)
    for inquiry in tx.find(probe.kind, probe.index, hi=probe.hi):
        at = _at(inquiry["dueAt"])
        if CALL_CENTER_MACHINE.can(inquiry["state"], "expire"):
            _move(inquiry, "expire", at)
            if inquiry["state"] == CC_ANSWERED:
                _append_answer(inquiry, SYSTEM_NOTICE, "system", "쿠팡 시스템", at, new_id("callCenterAnswerId", 14))
        inquiry["dueAt"] = None
        _put(tx, inquiry)


# ---------------------------------------------------------------- transitions


def _move(inquiry: dict[str, Any], event: str, now: datetime) -> None:
    machine = ONLINE_MACHINE if inquiry["kind"] == ONLINE else CALL_CENTER_MACHINE
    inquiry["state"] = machine.next(inquiry["state"], event)
    inquiry.setdefault("history", []).append({"event": event, "state": inquiry["state"], "at": _iso(now)})


def external_event(tx: Tx, now: datetime, inquiry_id: int, event: str) -> dict[str, Any]:
    """The customer deletes a question; a counsellor completes or closes a case."""
    inquiry = get(tx, inquiry_id)
    if inquiry is None:
        raise ApiError(404, f"inquiryId {inquiry_id} does not exist")
    allowed = EXTERNAL_EVENTS[inquiry["kind"]]
    if event not in allowed:
        raise ApiError(400, f"event must be one of {list(allowed)} for a {inquiry['kind']} inquiry")
    try:
        _move(inquiry, event, now)
    except IllegalTransition:
        raise ApiError(409, f"inquiry {inquiry_id} is {inquiry['state']}: {event} does not apply") from None
    inquiry["dueAt"] = None  # a counsellor's decision ends the 24-hour limit
    _put(tx, inquiry)
    return inquiry


def reply_online(tx: Tx, now: datetime, new_id: NewId, vendor_id: str, inquiry_id: int, body: dict[str, Any]) -> None:
    inquiry = get(tx, inquiry_id)
    if inquiry is None or inquiry["kind"] != ONLINE:
        raise ApiError(404, NOT_FOUND)
    content = body.get("content")
    if not isinstance(content, str) or not content.strip():
        raise ApiError(400, EMPTY_CONTENT)
    if not valid_user(tx, vendor_id, body.get("replyBy")):
        raise ApiError(400, REPLY_BY_ERROR)
    try:
        _move(inquiry, "reply", now)
    except IllegalTransition:
        raise ApiError(400, DELETED_ERROR if inquiry["state"] == DELETED else DUPLICATE) from None
    inquiry["comments"].append(
        {
            "inquiryCommentId": new_id("inquiryCommentId", 8),
            "content": content,
            "inquiryCommentAt": _iso(now),
            "replyBy": body["replyBy"],
        }
    )
    _put(tx, inquiry)


def reply_call_center(
    tx: Tx, now: datetime, new_id: NewId, vendor_id: str, inquiry_id: int, body: dict[str, Any]
) -> None:
    inquiry = get(tx, inquiry_id)
    if inquiry is None or inquiry["kind"] != CALL_CENTER:
        raise ApiError(404, NOT_FOUND)
    parent = body.get("parentAnswerId")
    if parent is None or str(parent).strip() == "":
        raise ApiError(400, PARENT_REQUIRED)
    content = body.get("content")
    if not isinstance(content, str) or not REPLY_MIN <= len(content.strip()) <= REPLY_MAX:
        raise ApiError(400, CONTENT_LENGTH)
    if not valid_user(tx, vendor_id, body.get("replyBy")):
        raise ApiError(400, USER_ID_ERROR)
    if str(body.get("inquiryId")) != str(inquiry_id) or str(parent) != str(_transfer(inquiry)["answerId"]):
        raise ApiError(400, CANNOT_ANSWER)
    try:
        _move(inquiry, "reply", now)
    except IllegalTransition:
        raise ApiError(400, CLOSED_ERROR if inquiry["state"] in (COMPLETE, CLOSED) else CANNOT_ANSWER) from None
    _append_answer(inquiry, content, "vendor", str(body["replyBy"]), now, new_id("callCenterAnswerId", 14))
    inquiry["dueAt"] = None
    _put(tx, inquiry)


def confirm_call_center(tx: Tx, now: datetime, vendor_id: str, inquiry_id: int, body: dict[str, Any]) -> None:
    inquiry = get(tx, inquiry_id)
    if inquiry is None or inquiry["kind"] != CALL_CENTER:
        raise ApiError(404, NOT_FOUND)
    if not valid_user(tx, vendor_id, body.get("confirmBy")):
        raise ApiError(400, USER_ID_ERROR)
    try:
        _move(inquiry, "confirm", now)
    except IllegalTransition:
        raise ApiError(400, CLOSED_ERROR) from None
    inquiry["confirmedBy"] = body["confirmBy"]
    inquiry["confirmedAt"] = _iso(now)
    inquiry["dueAt"] = None
    _put(tx, inquiry)


def _transfer(inquiry: dict[str, Any]) -> dict[str, Any]:
    return next(reply for reply in inquiry["replies"] if reply.get("transfer"))


def _append_answer(inquiry: dict[str, Any], content: str, by: str, name: str, at: datetime, answer_id: int) -> None:
    transfer = _transfer(inquiry)
    inquiry["replies"].append(
        {
            "answerId": answer_id,
            "parentAnswerId": transfer["answerId"],
            "answerType": "vendor" if by == "vendor" else "csAgent",
            "receptionistName": name,
            "receptionist": name,
            "replyAt": _iso(at),
            "content": content,
            "transfer": False,
        }
    )
    inquiry["answeredAt"] = _iso(at)
    inquiry["answeredBy"] = by


# ---------------------------------------------------------------- queries


def parse_day(value: Any) -> date:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise ApiError(400, WINDOW_ERROR)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, WINDOW_ERROR) from None


def window(start: Any, end: Any, optional: bool = False) -> tuple[date, date] | None:
    """The KST day window; both ends inclusive, at most 7 days apart. None when both are absent and
    that is allowed (a vendorItemId filter instead)."""
    if optional and start is None and end is None:
        return None
    first, last = parse_day(start), parse_day(end)
    if not timedelta(0) <= last - first <= timedelta(days=WINDOW_DAYS):
        raise ApiError(400, WINDOW_ERROR)
    return first, last


Page = tuple[list[dict[str, Any]], int]


# A list's status filter: the index holding it and the value of that index's status part.
StatusFilter = tuple[str, str]
# The status part of each status index, to check a status while walking another index.
STATUS_PARTS: dict[str, Callable[[dict[str, Any]], str]] = {"byKindListed": _listed, "byKindGroup": _group}
# Indexed single-value filters, most selective first.
FIELD_INDEXES = (("orderId", "byKindOrder"), ("vendorItemId", "byKindItem"))


def _listed_page(
    tx: Tx,
    kind: str,
    status: StatusFilter,
    days: tuple[date, date] | None,
    filters: dict[str, int | None],
    page: int,
    size: int,
) -> Page:
    """Newest first: the page and the total. An order or option filter picks its own index (it is the
    most selective); the status and any other filter are then checked while walking it."""
    lo, hi = query_paging.kst_days(*days) if days else (None, None)
    wanted = {name: value for name, value in filters.items() if value is not None}
    index, prefix = status[0], (kind, status[1])
    field = next((field for field, _ in FIELD_INDEXES if field in wanted), None)
    if field is not None:
        index, prefix = dict(FIELD_INDEXES)[field], (kind, wanted.pop(field))
        wanted_status: StatusFilter | None = status
    else:
        wanted_status = None

    def keep(doc: dict[str, Any]) -> bool:
        if wanted_status is not None and STATUS_PARTS[wanted_status[0]](doc) != wanted_status[1]:
            return False
        return all(doc[name] == value for name, value in wanted.items())

    checked = wanted_status is not None or bool(wanted)
    return query_paging.page_and_total(
        tx, KIND, index, page, size, prefix=prefix, lo=lo, hi=hi, reverse=True, keep=keep if checked else None
    )


def list_online(
    tx: Tx, answered_type: str, days: tuple[date, date] | None, vendor_item_id: int | None, page: int, size: int
) -> Page:
    status = ("byKindListed", "LIVE") if answered_type == "ALL" else ("byKindGroup", answered_type)
    return _listed_page(tx, ONLINE, status, days, {"vendorItemId": vendor_item_id}, page, size)


# Query partnerCounselingStatus (v5 names; v4 lower-case names map onto them).
COUNSELING_ALIASES = {"none": "NONE", "requestAnswer": "NO_ANSWER", "answered": "ANSWER"}


def counseling_status(inquiry: dict[str, Any]) -> str:
    """csPartnerCounselingStatus on the wire: requestAnswer, answered, or none (confirmation cases)."""
    if inquiry["state"] in (TRANSFER, CONFIRMED, CLOSED):
        return "none"
    return "answered" if inquiry.get("answeredBy") else "requestAnswer"


def list_call_center(
    tx: Tx,
    status: str,
    days: tuple[date, date] | None,
    vendor_item_id: int | None,
    order_id: int | None,
    page: int,
    size: int,
) -> Page:
    status = COUNSELING_ALIASES.get(status, status)
    wanted = ("byKindListed", "LIVE") if status == "NONE" else ("byKindGroup", status)
    filters = {"orderId": order_id, "vendorItemId": vendor_item_id}
    return _listed_page(tx, CALL_CENTER, wanted, days, filters, page, size)


# ---------------------------------------------------------------- rendering


def _time(value: str | None, legacy: bool) -> str | None:
    if value is None:
        return None
    return timefmt.legacy_space(_at(value)) if legacy else timefmt.iso_i18n(_at(value))


def _masked_email(inquiry_id: int) -> str:
    return f"buyer{inquiry_id % 1000:03d}***@na"


def render_online(inquiry: dict[str, Any], legacy: bool, now: datetime) -> dict[str, Any]:
    order_ids = [inquiry["orderId"]] if inquiry["orderId"] else []
    rendered: dict[str, Any] = {
        "inquiryId": inquiry["inquiryId"],
        "productId": inquiry["productId"],
        "sellerProductId": inquiry["sellerProductId"],
        "sellerItemId": inquiry["sellerItemId"],
        "vendorItemId": inquiry["vendorItemId"],
        "content": inquiry["content"],
        "inquiryAt": _time(inquiry["inquiryAt"], legacy),
        "orderIds": order_ids or (None if legacy else []),
        "commentDtoList": [
            {
                "inquiryCommentId": comment["inquiryCommentId"],
                "inquiryId": inquiry["inquiryId"],
                "content": comment["content"],
                "inquiryCommentAt": _time(comment["inquiryCommentAt"], legacy),
            }
            for comment in inquiry["comments"]
        ],
    }
    if timefmt.kst_date(now) < EMAIL_REMOVED_FROM:
        rendered["buyerEmail"] = _masked_email(inquiry["inquiryId"])
    return rendered


COMPLETE_REASONS = {TRANSFER: "DISPUTE_PROCESS", CONFIRMED: "DISPUTE_PROCESS_COMPLETE", CLOSED: "DISPUTE_PROCESS"}


def _render_reply(inquiry: dict[str, Any], reply: dict[str, Any], legacy: bool) -> dict[str, Any]:
    needs_answer = inquiry["state"] == REQUEST_ANSWER
    if reply["transfer"]:
        if inquiry["state"] in COMPLETE_REASONS:
            transfer_status = "none"
        else:
            transfer_status = "requestAnswer" if needs_answer else "answered"
        reason = COMPLETE_REASONS.get(inquiry["state"], "NONE")
    else:
        transfer_status, reason = "none", "NONE"
    return {
        "receptionistName": reply["receptionistName"],
        "receptionist": reply["receptionist"],
        "replyAt": _time(reply["replyAt"], legacy),
        "content": reply["content"],
        "answerId": reply["answerId"],
        "parentAnswerId": reply["parentAnswerId"] if reply["parentAnswerId"] is not None else (0 if legacy else None),
        "partnerTransferStatus": transfer_status,
        "partnerTransferCompleteReason": reason,
        "answerType": reply["answerType"],
        "needAnswer": bool(reply["transfer"] and needs_answer),
    }


def render_call_center(inquiry: dict[str, Any], legacy: bool) -> dict[str, Any]:
    phone = inquiry["buyerPhone"]
    return {
        "inquiryId": inquiry["inquiryId"],
        "inquiryStatus": "progress" if inquiry["state"] in (REQUEST_ANSWER, CC_ANSWERED, TRANSFER) else "complete",
        "csPartnerCounselingStatus": counseling_status(inquiry),
        "vendorItemId": [inquiry["vendorItemId"]] if inquiry["vendorItemId"] else [],
        "itemName": inquiry["itemName"],
        "content": inquiry["content"],
        "answeredAt": _time(inquiry["answeredAt"], legacy),
        "replies": [_render_reply(inquiry, reply, legacy) for reply in inquiry["replies"]],
        "inquiryAt": _time(inquiry["inquiryAt"], legacy),
        "buyerEmail": "",
        "buyerPhone": phone if legacy else "+82-" + phone[1:],
        "orderId": inquiry["orderId"],
        "orderDate": _time(inquiry["orderDate"], legacy),
        "receiptCategory": inquiry["receiptCategory"],
        "saleStartedAt": inquiry["saleStartedAt"],
        "saleEndedAt": inquiry["saleEndedAt"],
    }
