"""Coupons: contracts and monthly budgets, instant discount coupons (fms) and download coupons.

Store kinds (per vendor, all owned here):
    coupon-contracts  key contractId: contractId, vendorContractId, type, start/end (ISO UTC),
                      sellerShareRatio, coupangShareRatio, gmvRatio, monthlyBudget, modifiedAt/By
    coupon-budgets    key "<contractId>:<yyyy-MM>": totalBudgetAmount, usedBudgetAmount (written on change only)
    coupons           key couponId: an instant coupon (status through COUPON_MACHINE)
    coupon-items      key couponItemId: one option of an instant coupon (detachedAt once detached)
    coupon-requests   key requestedId: an asynchronous fms request (status through REQUEST_MACHINE)
    download-coupons  key couponId: a download coupon (status through DOWNLOAD_MACHINE)
    coupon-transactions key requestTransactionId: an attach / expiry of download coupons (TRANSACTION_MACHINE)
    coupon-timers     key "<kind>:<id>" (req, txn, ic, dc): {key, due, order}; the ticker reads only the
                      due ones through the "due" index
    download-coupon-options  links vendorItemId → download couponId (query_paging links)
    coupons-meta      "policy" (processing delays)

Coupang's messages are verbatim (coupons.yaml → errors); texts it does not document are marked
x-inferred in specs/paths/coupons.yaml. Option documents are read through `inventory`, never written.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import ApiError
from ..store import Tx, declare_index
from . import inventory, orders, query_paging, timefmt
from .fsm import IllegalTransition, StateMachine

CONTRACTS = "coupon-contracts"
BUDGETS = "coupon-budgets"
COUPONS = "coupons"
ITEMS = "coupon-items"
REQUESTS = "coupon-requests"
DOWNLOADS = "download-coupons"
TRANSACTIONS = "coupon-transactions"
META = "coupons-meta"
TIMERS = "coupon-timers"
DOWNLOAD_OPTIONS = "download-coupon-options"
NewId = Callable[[str, int], int]

# ---------------------------------------------------------------- lifecycles

REQUESTED, DONE, FAIL = "REQUESTED", "DONE", "FAIL"
REQUEST_MACHINE = StateMachine(
    name="coupon-request",
    states=(REQUESTED, DONE, FAIL),
    initial=REQUESTED,
    terminal=frozenset({DONE, FAIL}),
    table={(REQUESTED, "succeed"): DONE, (REQUESTED, "fail"): FAIL},
)

STANDBY, APPLIED, PAUSED, EXPIRED, DETACHED = "STANDBY", "APPLIED", "PAUSED", "EXPIRED", "DETACHED"
COUPON_STATUSES = (STANDBY, APPLIED, PAUSED, EXPIRED, DETACHED)
ITEM_STATUSES = (STANDBY, APPLIED, PAUSED, EXPIRED)
# Instant coupon (coupons.yaml notes): STANDBY until startAt, APPLIED while it runs, PAUSED while its
# contract's budget is used up (x-inferred trigger), EXPIRED at endAt or on expiry, DETACHED when every
# option was detached. Expiring an expired coupon is accepted without change (spec x-inferred).
COUPON_MACHINE = StateMachine(
    name="instant-coupon",
    states=COUPON_STATUSES,
    initial=STANDBY,
    terminal=frozenset({EXPIRED}),
    table={
        (STANDBY, "start"): APPLIED,
        (APPLIED, "pause"): PAUSED,
        (PAUSED, "resume"): APPLIED,
        **{(state, "detachAll"): DETACHED for state in (STANDBY, APPLIED, PAUSED)},
        **{(state, "end"): EXPIRED for state in (STANDBY, APPLIED, PAUSED, DETACHED)},
        **{(state, "expire"): EXPIRED for state in (STANDBY, APPLIED, PAUSED, DETACHED, EXPIRED)},
    },
)

DELETED = "DELETED"  # internal: destroyed after a failed attach, answered as unknown everywhere
DOWNLOAD_MACHINE = StateMachine(
    name="download-coupon",
    states=(STANDBY, APPLIED, EXPIRED, DELETED),
    initial=STANDBY,
    terminal=frozenset({EXPIRED, DELETED}),
    table={
        (STANDBY, "start"): APPLIED,
        (STANDBY, "destroy"): DELETED,
        (APPLIED, "destroy"): DELETED,
        (STANDBY, "end"): EXPIRED,
        (APPLIED, "end"): EXPIRED,
        (STANDBY, "expire"): EXPIRED,
        (APPLIED, "expire"): EXPIRED,
    },
)

PROCESSING, SUCCESS = "PROCESSING", "SUCCESS"
TRANSACTION_MACHINE = StateMachine(
    name="download-coupon-transaction",
    states=(PROCESSING, SUCCESS, FAIL),
    initial=PROCESSING,
    terminal=frozenset({SUCCESS, FAIL}),
    table={(PROCESSING, "succeed"): SUCCESS, (PROCESSING, "fail"): FAIL},
)

# ---------------------------------------------------------------- indexes (every list and lookup reads one)


def _created(doc: dict[str, Any]) -> str:
    return query_paging.iso_key(doc["createdAt"])


declare_index(CONTRACTS, "byId", lambda c: (c["contractId"],))
# Standard names shared with the dashboard: newest coupons of a status, newest overall.
declare_index(COUPONS, "byStatus", lambda c: (c["status"], _created(c), c["couponId"]))
declare_index(COUPONS, "recent", lambda c: (_created(c), c["couponId"]))
declare_index(COUPONS, "statusById", lambda c: (c["status"], c["couponId"]))
declare_index(COUPONS, "byContractStatus", lambda c: (c["contractId"], c["status"], c["couponId"]))
declare_index(ITEMS, "byCoupon", lambda i: (i["couponId"], i["couponItemId"]))
declare_index(
    ITEMS,
    "byCouponAttached",
    lambda i: (i["couponId"], "DETACHED" if i.get("detachedAt") else "LIVE", i["couponItemId"]),
)
declare_index(ITEMS, "byCouponOption", lambda i: (i["couponId"], i["vendorItemId"], i["couponItemId"]))
declare_index(ITEMS, "byOption", lambda i: (i["vendorItemId"], i["couponItemId"]))
declare_index(REQUESTS, "byCouponStatus", lambda r: (r["couponId"] or 0, r["status"], r["requestedId"]))
declare_index(DOWNLOADS, "byStatus", lambda c: (c["status"], _created(c), c["couponId"]))
declare_index(DOWNLOADS, "recent", lambda c: (_created(c), c["couponId"]))
query_paging.declare_links(DOWNLOAD_OPTIONS)
declare_index(TIMERS, "due", lambda t: (query_paging.iso_key(t["due"]), t["order"]))

# ---------------------------------------------------------------- verbatim texts (coupons.yaml → errors)

CONTRACT_NOT_FOUND = "조회 할 수 없는 계약서 아이디 입니다."
START_PATTERN = "startAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss"
END_PATTERN = "endAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss"
DISCOUNT_RANGE = "discount 양수만 입력 가능합니다. (정률은 1~100, 정액은 1이상)"
COUPON_UNKNOWN_EXPIRE = "조회되지 않는 쿠폰입니다.{id}"
COUPON_UNKNOWN_GET = "쿠폰이 없습니다. 쿠폰 번호를 확인해주세요."
COUPON_ID_CHECK = "쿠폰아이디를 확인해주세요 {id}"
ITEM_NOT_IN_COUPON = "couponId {id}에서 아이템을 찾을 수 없습니다."
NEGATIVE_PAGE = "Page index must not be less than zero!"
CIE00 = "[CIE00] 유효하지 않은 옵션아이디 입니다."
CIR06 = "[CIR06] 옵션 상품을 찾지 못했습니다."
CIR08 = "[CIR08] 해당 옵션은 이미 다른 쿠폰에 발행되어져 있습니다."
CIR14 = "[CIR14] 해당 옵션은 이미 다른 쿠폰({others})에 발행되어져 있습니다."
DL_CONTRACT = "contractId={contract} (으)로 계약이 판매자={vendor} 에 속하지 않습니다."
DL_START = "startAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss, 프로모션 기간을 확인해주세요."
DL_END = "endAt 패턴을 확인하세요. yyyy-MM-dd HH:mm:ss, 프로모션 기간을 확인해주세요."
DL_TITLE = "createCouponRequest.title 은 빈칸임. createCouponRequest.title 은 필수임"
DL_PRICE_UNIT = "policies[{index}] 금액 정보는 10원 단위로 입력해야 합니다."
DL_PER_DAILY = "policies[{index}].maxPerDaily 1~9999 양수만 입력 가능합니다."
DL_DELETED = "삭제된 프로모션 입니다."
DL_EXPIRE_UNKNOWN = "expire할 쿠폰이 존재하지 않습니다."
DL_NOT_FOUND = "존재 하지 않는 프로모션 ({id})"
SYSTEM_ERROR = "시스템 오류"
# x-inferred texts (Coupang documents the rule, not the message)
REQUEST_UNKNOWN = "요청 정보를 찾을 수 없습니다."
MAX_DISCOUNT = "maxDiscountPrice 최소 10원 이상 입력 가능합니다."
DL_MIXED_TYPES = "한 쿠폰에 서로다른 타입의 정책 생성불가"
DL_RATE_RANGE = "policies[{index}] 할인율은 1~99 사이의 정수만 입력 가능합니다."
CIR_EXPIRED_COUPON = "[CIR10] 사용종료된 쿠폰에는 옵션을 추가할 수 없습니다."
DL_ALREADY_EXPIRED = "이미 파기된 쿠폰입니다."
BUDGET_EXCEEDED = "예산 잔액({remaining}원)을 초과하여 사용할 수 없습니다."

DEFAULT_POLICY = {"requestDelaySeconds": 3, "transactionDelaySeconds": 3}
FREE_CONTRACT_END = "2999-12-31 23:59:59"
MAX_ITEMS_LIST_SIZE = 1000
DATE_TIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$")


def fms_error(status: int, message: str) -> ApiError:
    """fms refusals carry the verbatim reason in message and errorMessage (spec x-inferred)."""
    phrase = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 500: "Internal Server Error"}
    return ApiError(
        status,
        message,
        extra={
            "httpStatus": status,
            "httpStatusMessage": phrase.get(status, "Error"),
            "errorMessage": message,
            "data": None,
        },
    )


# ---------------------------------------------------------------- time helpers


def _iso(moment: datetime) -> str:
    """Stored times are UTC so their strings sort in time order (the ticker relies on it)."""
    return moment.astimezone(UTC).isoformat()


def _at(value: str) -> datetime:
    return timefmt.parse_iso(value)


def wire(value: str | None) -> str | None:
    """Stored ISO UTC → Coupang's `yyyy-MM-dd HH:mm:ss` in KST."""
    return timefmt.legacy_space(_at(value)) if value else None


JODA_FIELDS = (
    ("monthOfYear", 1, 12),
    ("dayOfMonth", 1, 31),
    ("hourOfDay", 0, 23),
    ("minuteOfHour", 0, 59),
    ("secondOfMinute", 0, 59),
)


def parse_wire(text: str, pattern_message: str) -> datetime:
    """`yyyy-MM-dd HH:mm:ss` (KST) with Joda's range messages for impossible values."""
    match = DATE_TIME_RE.match(text or "")
    if not match:
        raise fms_error(400, pattern_message)
    year, *rest = (int(part) for part in match.groups())
    if year < 1:  # Joda would take year 0; Python's calendar starts at 1
        raise fms_error(400, f'Cannot parse "{text}": Value {year} for year must be in the range [1,9999]')
    for (name, low, high), value in zip(JODA_FIELDS, rest, strict=True):
        if name == "dayOfMonth" and 1 <= rest[0] <= 12:
            high = calendar.monthrange(year, rest[0])[1]
        if not low <= value <= high:
            raise fms_error(400, f'Cannot parse "{text}": Value {value} for {name} must be in the range [{low},{high}]')
    return datetime(year, *rest, tzinfo=timefmt.KST)


def parse_month(text: str) -> str:
    """targetMonth `yyyy-MM`, refused with Joda's wording (e.g. Invalid format: "2020" is too short)."""
    if not re.fullmatch(r"\d{4}-\d{2}", text):
        digits = re.match(r"^\d{0,4}(-\d{0,2})?", text)
        consumed = digits.group(0) if digits else ""
        if consumed == text:
            raise fms_error(400, f'Invalid format: "{text}" is too short')
        raise fms_error(400, f'Invalid format: "{text}" is malformed at "{text[len(consumed) :]}"')
    month = int(text[5:])
    if not 1 <= month <= 12:
        raise fms_error(400, f'Cannot parse "{text}": Value {month} for monthOfYear must be in the range [1,12]')
    return text


def month_of(moment: datetime) -> str:
    return timefmt.to_kst(moment).strftime("%Y-%m")


# ---------------------------------------------------------------- policy and timers


def policy(tx: Tx) -> dict[str, Any]:
    return {**DEFAULT_POLICY, **(tx.get(META, "policy") or {})}


def set_policy(tx: Tx, changes: dict[str, Any]) -> dict[str, Any]:
    current = policy(tx)
    for name in DEFAULT_POLICY:
        if name in changes:
            value = changes[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ApiError(400, f"{name} must be a number of seconds >= 0")
            current[name] = value
    tx.put(META, "policy", current)
    return current


def _plan(tx: Tx, key: str, due: datetime | None) -> None:
    """Set or clear a timer; a timer set again keeps its place among timers due at the same moment."""
    if due is None:
        tx.delete(TIMERS, key)
        return
    existing = tx.get(TIMERS, key)
    order = existing["order"] if existing else tx.next_seq(TIMERS)
    tx.put(TIMERS, key, {"key": key, "due": _iso(due), "order": order})


def tick(tx: Tx, now: datetime, new_id: NewId) -> None:
    """Settle what is due, oldest first: requests, transactions, coupon starts and ends."""
    for timer in tx.find(TIMERS, "due", hi=query_paging.iso_key(now + timedelta(microseconds=1))):
        kind, _, ident = timer["key"].partition(":")
        _plan(tx, timer["key"], None)
        STEPS[kind](tx, ident, _at(timer["due"]), new_id)


# ---------------------------------------------------------------- contracts and budgets


def ensure_contracts(tx: Tx, now: datetime, vendor_id: str) -> list[dict[str, Any]]:
    """Every vendor starts with a free contract and one budgeted contract (x-inferred seed)."""
    found = tx.find(CONTRACTS, "byId")  # the two seeded contracts
    if found:
        return found
    kst = timefmt.to_kst(now)
    month_start = kst.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    seeded = [
        {
            "contractId": 9960 + tx.next_seq("couponContract"),
            "vendorContractId": -1,
            "sellerId": vendor_id,
            "sellerShareRatio": 100.0,
            "coupangShareRatio": 0.0,
            "gmvRatio": 0,
            "start": _iso(month_start),
            "end": _iso(datetime(2999, 12, 31, 23, 59, 59, tzinfo=timefmt.KST)),
            "type": "NON_CONTRACT_BASED",
            "monthlyBudget": 500_000,
            "modifiedAt": _iso(month_start),
            "modifiedBy": "system",
        },
        {
            "contractId": 9960 + tx.next_seq("couponContract"),
            "vendorContractId": 7,
            "sellerId": vendor_id,
            "sellerShareRatio": 100,
            "coupangShareRatio": 0,
            "gmvRatio": 100,
            "start": _iso(month_start),
            "end": _iso(datetime(kst.year + 1, 12, 31, 23, 59, 59, tzinfo=timefmt.KST)),
            "type": "CONTRACT_BASED",
            "monthlyBudget": 1_000_000,
            "modifiedAt": _iso(month_start),
            "modifiedBy": "wing_admin",
        },
    ]
    for contract in seeded:
        tx.put(CONTRACTS, contract["contractId"], contract)
    return seeded


def get_contract(tx: Tx, now: datetime, vendor_id: str, contract_id: int, alias: bool = False) -> dict[str, Any] | None:
    contracts = ensure_contracts(tx, now, vendor_id)
    if alias and contract_id == -1:  # the free contract's alias in the budget API
        return next(c for c in contracts if c["vendorContractId"] == -1)
    return next((c for c in contracts if c["contractId"] == contract_id), None)


def free_contract(tx: Tx, now: datetime, vendor_id: str) -> dict[str, Any]:
    return next(c for c in ensure_contracts(tx, now, vendor_id) if c["vendorContractId"] == -1)


def render_contract(contract: dict[str, Any]) -> dict[str, Any]:
    return {
        "contractId": contract["contractId"],
        "vendorContractId": contract["vendorContractId"],
        "sellerId": contract["sellerId"],
        "sellerShareRatio": contract["sellerShareRatio"],
        "coupangShareRatio": contract["coupangShareRatio"],
        "gmvRatio": contract["gmvRatio"],
        "start": wire(contract["start"]),
        "end": FREE_CONTRACT_END if contract["vendorContractId"] == -1 else wire(contract["end"]),
        "type": contract["type"],
        "useBudget": True,
        "modifiedAt": wire(contract["modifiedAt"]),
        "modifiedBy": contract["modifiedBy"],
    }


def budget(tx: Tx, contract: dict[str, Any], month: str) -> dict[str, Any]:
    stored = tx.get(BUDGETS, f"{contract['contractId']}:{month}") or {}
    return {
        "contractId": contract["contractId"],
        "targetMonth": month,
        "vendorShareRatio": contract["sellerShareRatio"],
        "totalBudgetAmount": stored.get("totalBudgetAmount", contract["monthlyBudget"]),
        "usedBudgetAmount": stored.get("usedBudgetAmount", 0),
    }


def _save_budget(tx: Tx, entry: dict[str, Any]) -> None:
    tx.put(BUDGETS, f"{entry['contractId']}:{entry['targetMonth']}", entry)


def remaining(entry: dict[str, Any]) -> int:
    return int(entry["totalBudgetAmount"] - entry["usedBudgetAmount"])


def _covers_month(contract: dict[str, Any], month: str) -> bool:
    return month_of(_at(contract["start"])) <= month <= month_of(_at(contract["end"]))


def budgets(tx: Tx, now: datetime, vendor_id: str, contract_id: int | None, month: str) -> list[dict[str, Any]]:
    contracts = ensure_contracts(tx, now, vendor_id)
    if contract_id is not None:
        chosen = get_contract(tx, now, vendor_id, contract_id, alias=True)
        contracts = [chosen] if chosen else []
    return [budget(tx, c, month) for c in contracts if _covers_month(c, month)]


def set_budget(tx: Tx, now: datetime, vendor_id: str, contract_id: int, month: str, total: int) -> dict[str, Any]:
    """Control plane: the budget set in WING; a raised budget resumes paused coupons."""
    contract = _control_contract(tx, now, vendor_id, contract_id)
    entry = budget(tx, contract, month)
    entry["totalBudgetAmount"] = total
    _save_budget(tx, entry)
    _follow_budget(tx, now, contract["contractId"], entry)
    return entry


def redeem(tx: Tx, now: datetime, coupon_id: int, amount: int) -> dict[str, Any]:
    """Control plane: a buyer used the coupon for `amount` won, charged to this month's budget."""
    coupon = tx.get(COUPONS, coupon_id)
    if coupon is None:
        raise ApiError(404, COUPON_UNKNOWN_GET)
    if coupon["status"] != APPLIED:
        raise ApiError(409, f"coupon {coupon_id} is {coupon['status']}, only an APPLIED coupon can be used")
    contract = tx.get(CONTRACTS, coupon["contractId"])
    entry = budget(tx, contract, month_of(now))
    if amount > remaining(entry):
        raise ApiError(400, BUDGET_EXCEEDED.format(remaining=remaining(entry)))
    entry["usedBudgetAmount"] += amount
    _save_budget(tx, entry)
    coupon["usedAmount"] = coupon.get("usedAmount", 0) + amount
    tx.put(COUPONS, coupon_id, coupon)
    _follow_budget(tx, now, contract["contractId"], entry)
    return entry


def _control_contract(tx: Tx, now: datetime, vendor_id: str, contract_id: int) -> dict[str, Any]:
    contract = get_contract(tx, now, vendor_id, contract_id, alias=True)
    if contract is None:
        raise ApiError(404, CONTRACT_NOT_FOUND)
    return contract


def _follow_budget(tx: Tx, now: datetime, contract_id: int, entry: dict[str, Any]) -> None:
    """Running coupons of the contract pause when the month's budget is gone and resume when it is back."""
    if entry["targetMonth"] != month_of(now):
        return
    event, state = ("pause", APPLIED) if remaining(entry) <= 0 else ("resume", PAUSED)
    for coupon in tx.find(COUPONS, "byContractStatus", prefix=(contract_id, state)):
        _move_coupon(tx, coupon, event, now)


# ---------------------------------------------------------------- instant coupons


def _move_coupon(tx: Tx, coupon: dict[str, Any], event: str, at: datetime) -> None:
    coupon["status"] = COUPON_MACHINE.next(coupon["status"], event)
    if coupon["status"] == EXPIRED and not coupon.get("expiredAt"):
        coupon["expiredAt"] = _iso(at)
    tx.put(COUPONS, coupon["couponId"], coupon)


def validate_instant(tx: Tx, now: datetime, vendor_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The synchronous checks of create-instant-coupon; the rest happens when the request is processed."""
    start = parse_wire(str(body.get("startAt", "")), START_PATTERN)
    end = parse_wire(str(body.get("endAt", "")), END_PATTERN)
    kind = body["type"]
    discount = _number(body.get("discount"), DISCOUNT_RANGE)
    if discount < 1 or (kind == "RATE" and discount > 100):
        raise fms_error(400, DISCOUNT_RANGE)
    max_discount = _number(body.get("maxDiscountPrice"), MAX_DISCOUNT)
    if max_discount < 10:
        raise fms_error(400, MAX_DISCOUNT)
    earliest = timefmt.to_kst(now).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    if start < earliest:  # "earliest is 00:00 of the next day" (x-inferred message)
        raise fms_error(400, START_PATTERN)
    if end <= start:
        raise fms_error(400, END_PATTERN)
    contract_id = whole(body["contractId"])
    contract = get_contract(tx, now, vendor_id, contract_id) if contract_id is not None else None
    if contract is not None and not (_at(contract["start"]) <= start and end <= _at(contract["end"])):
        raise fms_error(400, _outside_contract(contract, start, end))
    return {
        "vendorId": vendor_id,
        "contractId": contract_id,
        "promotionName": body["name"],
        "type": kind,
        "discount": int(discount) if discount == int(discount) else discount,
        "maxDiscountPrice": int(max_discount),
        "startAt": _iso(start),
        "endAt": _iso(end),
        "wowExclusive": str(body.get("wowExclusive", False)).lower() == "true",
    }


def _outside_contract(contract: dict[str, Any], start: datetime, end: datetime) -> str:
    contract_end = FREE_CONTRACT_END if contract["vendorContractId"] == -1 else wire(contract["end"])
    return (
        f"계약의 유효기간 안에 쿠폰이 존재해야 한다(계약서의 유효기간:{wire(contract['start'])}~{contract_end}) "
        f"(쿠폰의 유효기간:{timefmt.legacy_space(start)}~{timefmt.legacy_space(end)})"
    )


def whole(value: Any) -> int | None:
    """A JSON id sent as 15, 15.0 or "15" (the schema admits all three; Jackson reads them alike)."""
    try:
        number = float(str(value))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _number(value: Any, message: str) -> float:
    try:
        return float(str(value))
    except ValueError:
        raise fms_error(400, message) from None


def get_coupon(tx: Tx, coupon_id: int) -> dict[str, Any] | None:
    return tx.get(COUPONS, coupon_id)


def require_coupon(tx: Tx, coupon_id: int, message: str) -> dict[str, Any]:
    coupon = get_coupon(tx, coupon_id)
    if coupon is None:
        raise fms_error(400, message.format(id=coupon_id))
    return coupon


def new_request(
    tx: Tx, now: datetime, new_id: NewId, kind: str, coupon_id: int | None, payload: dict[str, Any], total: int
) -> dict[str, Any]:
    request = {
        "requestedId": str(new_id("couponRequest", 18)),
        "type": kind,
        "couponId": coupon_id,
        "status": REQUEST_MACHINE.initial,
        "total": total,
        "succeeded": 0,
        "failed": 0,
        "failedVendorItems": [],
        "payload": payload,
        "requestedAt": _iso(now),
    }
    tx.put(REQUESTS, request["requestedId"], request)
    _plan(tx, f"req:{request['requestedId']}", now + timedelta(seconds=policy(tx)["requestDelaySeconds"]))
    return request


def busy(tx: Tx, coupon_id: int) -> bool:
    """Another request on the coupon is still running (expiry is refused meanwhile)."""
    return tx.count(REQUESTS, "byCouponStatus", prefix=(coupon_id, REQUESTED)) > 0


def get_request(tx: Tx, requested_id: str) -> dict[str, Any]:
    request = tx.get(REQUESTS, requested_id)
    if request is None:
        raise fms_error(400, REQUEST_UNKNOWN)
    return request


def settle_request(
    tx: Tx, requested_id: str, at: datetime, new_id: NewId, forced: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Process a REQUESTED request (IllegalTransition once it is DONE/FAIL).

    `forced` (control plane) = {"outcome": "FAIL"} makes it fail without effect.
    """
    request = tx.get(REQUESTS, requested_id)
    if request is None:
        raise ApiError(404, REQUEST_UNKNOWN)
    if not REQUEST_MACHINE.can(request["status"], "succeed"):
        raise IllegalTransition(REQUEST_MACHINE.name, request["status"], "settle")
    if forced and forced.get("outcome") == FAIL:
        ok = False
        request["failed"] = request["total"]
    else:
        ok = PROCESSORS[request["type"]](tx, request, at, new_id)
    request["status"] = REQUEST_MACHINE.next(request["status"], "succeed" if ok else "fail")
    request["settledAt"] = _iso(at)
    tx.put(REQUESTS, requested_id, request)
    _plan(tx, f"req:{requested_id}", None)
    return request


def _publish(tx: Tx, request: dict[str, Any], at: datetime, new_id: NewId) -> bool:
    values = request["payload"]
    vendor = values["vendorId"]
    contract = get_contract(tx, at, vendor, values["contractId"])
    if contract is None or not _covers_month(contract, month_of(_at(values["startAt"]))):
        request["failed"] = 1
        return False
    if values["maxDiscountPrice"] > remaining(budget(tx, contract, month_of(_at(values["startAt"])))):
        request["failed"] = 1  # the month's budget cannot carry one maximal discount (x-inferred)
        return False
    coupon_id = new_id("instantCoupon", 9)
    coupon = {
        "couponId": coupon_id,
        "contractId": contract["contractId"],
        "vendorContractId": None if contract["vendorContractId"] == -1 else contract["vendorContractId"],
        "promotionName": values["promotionName"],
        "status": COUPON_MACHINE.initial,
        "type": values["type"],
        "maxDiscountPrice": values["maxDiscountPrice"],
        "discount": values["discount"],
        "startAt": values["startAt"],
        "endAt": values["endAt"],
        "wowExclusive": values["wowExclusive"],
        "createdAt": _iso(at),
    }
    tx.put(COUPONS, coupon_id, coupon)
    request["couponId"] = coupon_id
    request["succeeded"] = 1
    _plan(tx, f"ic:{coupon_id}", _at(coupon["startAt"]))
    if _at(coupon["startAt"]) <= at:
        _coupon_step(tx, str(coupon_id), at, new_id)
    return True


def _attached_items(tx: Tx, coupon_id: int) -> list[dict[str, Any]]:
    return tx.find(ITEMS, "byCouponAttached", prefix=(coupon_id, "LIVE"))


def _live_instant_holder(tx: Tx, vendor_item_id: int) -> dict[str, Any] | None:
    """The instant coupon item currently holding the option (CIR08: one at a time)."""
    for item in tx.find(ITEMS, "byOption", prefix=(vendor_item_id,)):
        if item.get("detachedAt"):
            continue
        coupon = tx.get(COUPONS, item["couponId"])
        if coupon and coupon["status"] not in (EXPIRED, DETACHED):
            return item
    return None


def option_problem(tx: Tx, vendor_item_id: int) -> str | None:
    document = inventory.get_item(tx, vendor_item_id)
    if document is None:
        return CIE00
    if not document.get("approved") or document.get("deleted"):
        return CIR06
    return None


def _publish_items(tx: Tx, request: dict[str, Any], at: datetime, new_id: NewId) -> bool:
    coupon = tx.get(COUPONS, request["couponId"])
    failures: list[dict[str, Any]] = []
    for vid in request["payload"]["vendorItems"]:
        reason = CIR_EXPIRED_COUPON if coupon["status"] in (EXPIRED, DETACHED) else option_problem(tx, vid)
        holder = None if reason else _live_instant_holder(tx, vid)
        if holder is not None and holder["couponId"] != coupon["couponId"]:
            reason = CIR08
        if reason:
            failures.append({"vendorItemId": vid, "reason": reason})
        elif holder is None:
            item_id = new_id("couponItem", 9)
            tx.put(
                ITEMS,
                item_id,
                {"couponItemId": item_id, "couponId": coupon["couponId"], "vendorItemId": vid, "attachedAt": _iso(at)},
            )
    return _count(request, failures)


def _count(request: dict[str, Any], failures: list[dict[str, Any]]) -> bool:
    request["failedVendorItems"] = failures
    request["failed"] = len(failures)
    request["succeeded"] = request["total"] - len(failures)
    return request["succeeded"] > 0


def _expire(tx: Tx, request: dict[str, Any], at: datetime, new_id: NewId) -> bool:
    coupon = tx.get(COUPONS, request["couponId"])
    _move_coupon(tx, coupon, "expire", at)
    _plan(tx, f"ic:{coupon['couponId']}", None)
    request["succeeded"] = 1
    return True


def _expire_items(tx: Tx, request: dict[str, Any], at: datetime, new_id: NewId) -> bool:
    coupon = tx.get(COUPONS, request["couponId"])
    live = {i["vendorItemId"]: i for i in _attached_items(tx, coupon["couponId"])}
    failures = []
    for vid in request["payload"]["vendorItems"]:
        item = live.pop(vid, None)
        if item is None:
            failures.append({"vendorItemId": vid, "reason": ITEM_NOT_IN_COUPON.format(id=coupon["couponId"])})
            continue
        item["detachedAt"] = _iso(at)
        tx.put(ITEMS, item["couponItemId"], item)
    if not live and COUPON_MACHINE.can(coupon["status"], "detachAll") and len(failures) < request["total"]:
        _move_coupon(tx, coupon, "detachAll", at)
    return _count(request, failures)


PROCESSORS: dict[str, Callable[[Tx, dict[str, Any], datetime, NewId], bool]] = {
    "COUPON_PUBLISH": _publish,
    "COUPON_ITEM_PUBLISH": _publish_items,
    "COUPON_EXPIRE": _expire,
    "COUPON_ITEM_EXPIRE": _expire_items,
}


def _coupon_step(tx: Tx, ident: str, at: datetime, _new_id: NewId) -> None:
    """An instant coupon's start or end came due."""
    coupon = tx.get(COUPONS, int(ident))
    if coupon is None:
        return
    if coupon["status"] == STANDBY and _at(coupon["startAt"]) <= at:
        _move_coupon(tx, coupon, "start", _at(coupon["startAt"]))
        entry = budget(tx, tx.get(CONTRACTS, coupon["contractId"]), month_of(at))
        if remaining(entry) <= 0:
            _move_coupon(tx, coupon, "pause", at)
    if _at(coupon["endAt"]) <= at and COUPON_MACHINE.can(coupon["status"], "end"):
        _move_coupon(tx, coupon, "end", _at(coupon["endAt"]))
    if COUPON_MACHINE.can(coupon["status"], "end"):
        due = _at(coupon["startAt"]) if coupon["status"] == STANDBY else _at(coupon["endAt"])
        _plan(tx, f"ic:{ident}", due)


def item_status(coupon: dict[str, Any], item: dict[str, Any]) -> str:
    """Items follow their coupon; a detached item (or one of a detached coupon) is EXPIRED."""
    if item.get("detachedAt") or coupon["status"] == DETACHED:
        return EXPIRED
    return coupon["status"]


def render_coupon(coupon: dict[str, Any], legacy: bool = False) -> dict[str, Any]:
    rendered = {
        "contractId": coupon["contractId"],
        "vendorContractId": coupon["vendorContractId"],
        "couponId": coupon["couponId"],
        "promotionName": coupon["promotionName"],
        "status": coupon["status"],
        "type": coupon["type"],
        "maxDiscountPrice": coupon["maxDiscountPrice"],
        "discount": coupon["discount"],
        "startAt": wire(coupon["startAt"]),
        "endAt": wire(coupon["endAt"]),
        "wowExclusive": coupon["wowExclusive"],
    }
    if legacy:  # the v1 order lookup lacks these and prints discount as a decimal
        for name in ("type", "vendorContractId", "wowExclusive"):
            del rendered[name]
        rendered["discount"] = float(coupon["discount"])
    return rendered


def render_item(coupon: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    return {
        "couponItemId": item["couponItemId"],
        "couponId": coupon["couponId"],
        "vendorItemId": item["vendorItemId"],
        "startAt": wire(coupon["startAt"]),
        "endAt": wire(coupon["endAt"]),
        "status": item_status(coupon, item),
    }


def render_request(request: dict[str, Any]) -> dict[str, Any]:
    return {
        "couponId": request["couponId"],
        "requestedId": request["requestedId"],
        "type": request["type"],
        "status": request["status"],
        "total": request["total"],
        "succeeded": request["succeeded"],
        "failed": request["failed"],
        "failedVendorItems": list(request["failedVendorItems"]),
    }


Rows = tuple[list[dict[str, Any]], int]


def coupons_by_status(tx: Tx, status: str, descending: bool, offset: int, limit: int) -> Rows:
    """A page of the vendor's instant coupons of a status by couponId, and how many there are."""
    page = tx.find(COUPONS, "statusById", prefix=(status,), reverse=descending, offset=offset, limit=limit)
    return page, tx.count(COUPONS, "statusById", prefix=(status,))


def items_by_status(tx: Tx, coupon: dict[str, Any], status: str, descending: bool, offset: int, limit: int) -> Rows:
    """A page of the coupon's items whose `item_status` is `status`, by couponItemId, and the total."""
    prefix = _items_prefix(coupon, status)
    if prefix is None:
        return [], 0
    page = tx.find(ITEMS, prefix[0], prefix=prefix[1], reverse=descending, offset=offset, limit=limit)
    return page, tx.count(ITEMS, prefix[0], prefix=prefix[1])


def _items_prefix(coupon: dict[str, Any], status: str) -> tuple[str, tuple[Any, ...]] | None:
    """Where `item_status` puts the coupon's items: all EXPIRED once the coupon ended or was detached,
    otherwise attached ones share the coupon's status and detached ones are EXPIRED."""
    coupon_id = coupon["couponId"]
    if coupon["status"] in (EXPIRED, DETACHED):
        return ("byCoupon", (coupon_id,)) if status == EXPIRED else None
    if status == coupon["status"]:
        return "byCouponAttached", (coupon_id, "LIVE")
    return ("byCouponAttached", (coupon_id, "DETACHED")) if status == EXPIRED else None


def find_item(tx: Tx, coupon: dict[str, Any], ident: int, by: str) -> dict[str, Any]:
    if by == "couponItemId":
        item = tx.get(ITEMS, ident)
        found = item if item is not None and item["couponId"] == coupon["couponId"] else None
    else:  # the latest attachment of that option
        latest = tx.find(ITEMS, "byCouponOption", prefix=(coupon["couponId"], ident), reverse=True, limit=1)
        found = latest[0] if latest else None
    if found is None:
        raise fms_error(400, ITEM_NOT_IN_COUPON.format(id=coupon["couponId"]))
    return found


def coupons_of_order(tx: Tx, order_id: int) -> list[tuple[dict[str, Any], int]]:
    """(coupon, vendorItemId) for every option of the order that carried a running coupon when paid."""
    order = orders.get_order(tx, order_id)
    if order is None:
        return []
    paid = _at(order["paidAt"])
    vendor_item_ids = []
    for box in orders.order_boxes(tx, order):
        vendor_item_ids.extend(line["vendorItemId"] for line in box["orderItems"])
    found = []
    for vid in dict.fromkeys(vendor_item_ids):
        for item in tx.find(ITEMS, "byOption", prefix=(vid,)):
            coupon = tx.get(COUPONS, item["couponId"])
            if coupon and _ran_at(coupon, item, paid):
                found.append((coupon, vid))
    return found


def _ran_at(coupon: dict[str, Any], item: dict[str, Any], moment: datetime) -> bool:
    attached = _at(item["attachedAt"]) <= moment and (not item.get("detachedAt") or _at(item["detachedAt"]) > moment)
    running = _at(coupon["startAt"]) <= moment < _at(coupon["endAt"])
    alive = not coupon.get("expiredAt") or _at(coupon["expiredAt"]) > moment
    return attached and running and alive


# ---------------------------------------------------------------- download coupons


def parse_download_date(text: Any, message: str) -> datetime:
    try:
        return parse_wire(str(text or ""), message)
    except ApiError:
        raise ApiError(400, message) from None


def create_download(tx: Tx, now: datetime, new_id: NewId, vendor_id: str, body: dict[str, Any]) -> dict[str, Any]:
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ApiError(400, DL_TITLE)
    contract_id = whole(body["contractId"])
    contract = get_contract(tx, now, vendor_id, contract_id) if contract_id is not None else None
    if contract is None:
        raise ApiError(400, DL_CONTRACT.format(contract=contract_id, vendor=vendor_id))
    start = parse_download_date(body.get("startDate"), DL_START)
    end = parse_download_date(body.get("endDate"), DL_END)
    if start < now + timedelta(hours=1):  # visible at the earliest one hour after creation
        raise ApiError(400, DL_START)
    if end <= start:
        raise ApiError(400, DL_END)
    policies = _policies(body["policies"])
    coupon_id = new_id("downloadCoupon", 9)
    coupon = {
        "couponId": coupon_id,
        "contractId": contract["contractId"],
        "title": title,
        "userId": body["userId"],
        "status": DOWNLOAD_MACHINE.initial,
        "startDate": _iso(start),
        "endDate": _iso(end),
        "createdAt": _iso(now),
        "publishedAt": None,
        "vendorItemIds": [],
        "usageAmount": 0,
        "policies": [
            {**p, "manageCode": f"FMS_{contract['contractId']}_{vendor_id}_{new_id('manageCode', 14)}"}
            for p in policies
        ],
    }
    tx.put(DOWNLOADS, coupon_id, coupon)
    _plan(tx, f"dc:{coupon_id}", start)
    return coupon


def _policies(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len({p["typeOfDiscount"] for p in raw}) > 1:
        raise ApiError(400, DL_MIXED_TYPES)
    result = []
    for index, entry in enumerate(raw):
        discount = entry["discount"]
        if entry["typeOfDiscount"] == "PRICE" and discount % 10:
            raise ApiError(400, DL_PRICE_UNIT.format(index=index))
        if entry["typeOfDiscount"] == "RATE" and not 1 <= discount <= 99:
            raise ApiError(400, DL_RATE_RANGE.format(index=index))
        result.append(
            {
                "title": entry["title"],
                "typeOfDiscount": entry["typeOfDiscount"],
                "description": entry.get("description", ""),
                "minimumPrice": entry["minimumPrice"],
                "discount": discount,
                "maximumDiscountPrice": -1 if entry["typeOfDiscount"] == "PRICE" else entry["maximumDiscountPrice"],
                "maximumPerDaily": entry["maximumPerDaily"],
            }
        )
    return result


def live_download(tx: Tx, coupon_id: Any) -> dict[str, Any] | None:
    number = whole(coupon_id)
    coupon = tx.get(DOWNLOADS, number) if number is not None else None
    return coupon if coupon and coupon["status"] != DELETED else None


def attach_download(tx: Tx, now: datetime, new_id: NewId, coupon_id: Any, vendor_item_ids: list[int]) -> dict[str, Any]:
    coupon = live_download(tx, coupon_id)
    if coupon is None or coupon["status"] == EXPIRED:
        raise ApiError(400, DL_DELETED)
    if coupon["publishedAt"] is None:
        coupon["publishedAt"] = _iso(now)
        tx.put(DOWNLOADS, coupon["couponId"], coupon)
    return _new_transaction(tx, now, new_id, coupon, "COUPON_ITEM_PUBLISH", list(vendor_item_ids))


def _new_transaction(
    tx: Tx, now: datetime, new_id: NewId, coupon: dict[str, Any], kind: str, vendor_item_ids: list[int]
) -> dict[str, Any]:
    transaction = {
        "requestedId": f"et5_{coupon['couponId']}{new_id('couponTransaction', 15)}",
        "type": kind,
        "couponId": coupon["couponId"],
        "status": TRANSACTION_MACHINE.initial,
        "total": len(vendor_item_ids) if kind == "COUPON_ITEM_PUBLISH" else 1,
        "succeeded": 0,
        "failed": 0,
        "vendorItemIds": vendor_item_ids,
        "failures": [],
    }
    tx.put(TRANSACTIONS, transaction["requestedId"], transaction)
    _plan(tx, f"txn:{transaction['requestedId']}", now + timedelta(seconds=policy(tx)["transactionDelaySeconds"]))
    return transaction


def expire_downloads(tx: Tx, now: datetime, new_id: NewId, coupon_ids: list[Any]) -> list[dict[str, Any]]:
    """One result per coupon; an unknown coupon refuses the whole call (documented HTTP 500)."""
    coupons = [live_download(tx, cid) for cid in coupon_ids]
    if any(c is None for c in coupons):
        raise ApiError(500, DL_EXPIRE_UNKNOWN)
    results = []
    for coupon in coupons:
        assert coupon is not None
        if not DOWNLOAD_MACHINE.can(coupon["status"], "expire"):
            results.append({"couponId": coupon["couponId"], "refused": DL_ALREADY_EXPIRED})
            continue
        transaction = _new_transaction(tx, now, new_id, coupon, "COUPON_EXPIRE", [])
        results.append({"couponId": coupon["couponId"], "requestTransactionId": transaction["requestedId"]})
    return results


def _other_download_holders(tx: Tx, coupon_id: int, vendor_item_id: int) -> list[int]:
    holders = query_paging.linked(tx, DOWNLOAD_OPTIONS, str(vendor_item_id))
    coupons = (tx.get(DOWNLOADS, holder) for holder in holders if holder != coupon_id)
    return [c["couponId"] for c in coupons if c is not None and c["status"] in (STANDBY, APPLIED)]


def settle_transaction(tx: Tx, transaction_id: str, at: datetime, _new_id: NewId) -> dict[str, Any]:
    transaction = tx.get(TRANSACTIONS, transaction_id)
    if transaction is None:
        raise ApiError(404, SYSTEM_ERROR)
    coupon = tx.get(DOWNLOADS, transaction["couponId"])
    if transaction["type"] == "COUPON_EXPIRE":
        ok = DOWNLOAD_MACHINE.can(coupon["status"], "expire")
        if ok:
            _move_download(tx, coupon, "expire", at)
        transaction["failed"] = 0 if ok else 1
    else:
        transaction["failures"] = _attach_failures(tx, coupon, transaction["vendorItemIds"])
        transaction["failed"] = len(transaction["failures"])
        ok = not transaction["failures"] and coupon["status"] in (STANDBY, APPLIED)
        if ok:
            before = {str(vid) for vid in coupon["vendorItemIds"]}
            coupon["vendorItemIds"] = sorted({*coupon["vendorItemIds"], *transaction["vendorItemIds"]})
            after = {str(vid) for vid in coupon["vendorItemIds"]}
            query_paging.sync_links(tx, DOWNLOAD_OPTIONS, coupon["couponId"], before, after)
            tx.put(DOWNLOADS, coupon["couponId"], coupon)
            if _at(coupon["startDate"]) <= at and coupon["status"] == STANDBY:
                _move_download(tx, coupon, "start", at)
        elif DOWNLOAD_MACHINE.can(coupon["status"], "destroy"):
            _move_download(tx, coupon, "destroy", at)  # a failed attach destroys the coupon
    transaction["succeeded"] = transaction["total"] - transaction["failed"]
    transaction["status"] = TRANSACTION_MACHINE.next(transaction["status"], "succeed" if ok else "fail")
    tx.put(TRANSACTIONS, transaction_id, transaction)
    return transaction


def _attach_failures(tx: Tx, coupon: dict[str, Any], vendor_item_ids: list[int]) -> list[dict[str, Any]]:
    failures = []
    for vid in vendor_item_ids:
        reason = option_problem(tx, vid)
        others = [] if reason else _other_download_holders(tx, coupon["couponId"], vid)
        if others:
            label = str(others[0]) + (f" 외 {len(others) - 1}건" if len(others) > 1 else "")
            reason = CIR14.format(others=label)
        if reason:
            failures.append({"vendorItemId": vid, "failureReason": reason})
    return failures


def _move_download(tx: Tx, coupon: dict[str, Any], event: str, at: datetime) -> None:
    coupon["status"] = DOWNLOAD_MACHINE.next(coupon["status"], event)
    coupon["changedAt"] = _iso(at)
    tx.put(DOWNLOADS, coupon["couponId"], coupon)
    if coupon["status"] in (EXPIRED, DELETED):
        _plan(tx, f"dc:{coupon['couponId']}", None)
    elif coupon["status"] == APPLIED:
        _plan(tx, f"dc:{coupon['couponId']}", _at(coupon["endDate"]))


def _download_step(tx: Tx, ident: str, at: datetime, _new_id: NewId) -> None:
    coupon = tx.get(DOWNLOADS, int(ident))
    if coupon is None or coupon["status"] in (EXPIRED, DELETED):
        return
    if coupon["status"] == STANDBY and coupon["vendorItemIds"] and _at(coupon["startDate"]) <= at:
        _move_download(tx, coupon, "start", _at(coupon["startDate"]))
    if _at(coupon["endDate"]) <= at:
        _move_download(tx, coupon, "end", _at(coupon["endDate"]))
    elif coupon["status"] == STANDBY:
        _plan(tx, f"dc:{ident}", _at(coupon["endDate"]))


def get_transaction(tx: Tx, transaction_id: str) -> dict[str, Any]:
    transaction = tx.get(TRANSACTIONS, transaction_id)
    if transaction is None:
        raise ApiError(500, SYSTEM_ERROR)
    return transaction


def render_transaction(transaction: dict[str, Any]) -> dict[str, Any]:
    return {
        "transactionStatusResponse": {
            "type": transaction["type"],
            "total": transaction["total"],
            "succeeded": transaction["succeeded"],
            "status": transaction["status"],
            "requestedId": transaction["requestedId"],
            "couponFailedVendorItemIdResponses": list(transaction["failures"]),
            "failed": transaction["failed"],
            "couponId": transaction["couponId"],
        }
    }


def render_download_created(coupon: dict[str, Any], vendor_id: str) -> dict[str, Any]:
    return {
        "couponId": coupon["couponId"],
        "vendorId": vendor_id,
        "couponType": "DOWNLOAD",
        "lastModifiedBy": coupon["userId"],
        "lastModifiedDate": wire(coupon["createdAt"]),
        "title": coupon["title"],
        "publishedDate": None,
        "startDate": wire(coupon["startDate"]),
        "couponStatus": coupon["status"],
        "couponPolicies": [dict(p) for p in coupon["policies"]],
    }


def render_download(coupon: dict[str, Any]) -> dict[str, Any]:
    policies = []
    for p in coupon["policies"]:
        entry = {k: v for k, v in p.items() if k not in ("maximumPerDaily", "manageCode")}
        entry["maximumPerDay"] = p["maximumPerDaily"]
        policies.append(entry)
    return {
        "couponId": coupon["couponId"],
        "title": coupon["title"],
        "couponType": "DOWNLOAD",
        "couponStatus": coupon["status"],
        "publishedDate": wire(coupon["publishedAt"]) or "",
        "startDate": wire(coupon["startDate"]),
        "endDate": wire(coupon["endDate"]),
        "appliedOptionCount": len(coupon["vendorItemIds"]),
        "usageAmount": coupon["usageAmount"],
        "couponPolicies": policies,
    }


STEPS: dict[str, Callable[[Tx, str, datetime, NewId], Any]] = {
    "req": settle_request,
    "txn": settle_transaction,
    "ic": _coupon_step,
    "dc": _download_step,
}
