"""Coupons: contracts and monthly budgets, the kinds, lifecycles, indexes and timers of both coupon kinds.

Instant discount coupons (fms) are in `coupon_instant`, download coupons in `coupon_downloads`.

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
from ..store import Probe, Tx, declare_index
from . import inventory, query_paging, timefmt
from .fsm import StateMachine

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


def store_time(moment: datetime) -> str:
    """Stored times are UTC so their strings sort in time order (the ticker relies on it)."""
    return moment.astimezone(UTC).isoformat()


def stored_time(value: str) -> datetime:
    return timefmt.parse_iso(value)


def wire(value: str | None) -> str | None:
    """Stored ISO UTC → Coupang's `yyyy-MM-dd HH:mm:ss` in KST."""
    return timefmt.legacy_space(stored_time(value)) if value else None


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


def plan(tx: Tx, key: str, due: datetime | None) -> None:
    """Set or clear a timer; a timer set again keeps its place among timers due at the same moment."""
    if due is None:
        tx.delete(TIMERS, key)
        return
    existing = tx.get(TIMERS, key)
    order = existing["order"] if existing else tx.next_seq(TIMERS)
    tx.put(TIMERS, key, {"key": key, "due": store_time(due), "order": order})


Step = Callable[[Tx, str, datetime, NewId], Any]
# Timer kinds → their step; coupon_instant ("req", "ic") and coupon_downloads ("txn", "dc") register theirs.
STEPS: dict[str, Step] = {}


def due(_tx: Tx, now: datetime) -> list[Probe]:
    return [Probe(TIMERS, "due", hi=query_paging.iso_key(now + timedelta(microseconds=1)))]


def tick(tx: Tx, now: datetime, new_id: NewId) -> None:
    """Settle what is due, oldest first: requests, transactions, coupon starts and ends."""
    (probe,) = due(tx, now)
    for timer in tx.find(probe.kind, probe.index, hi=probe.hi):
        kind, _, ident = timer["key"].partition(":")
        plan(tx, timer["key"], None)
        STEPS[kind](tx, ident, stored_time(timer["due"]), new_id)


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
            "start": store_time(month_start),
            "end": store_time(datetime(2999, 12, 31, 23, 59, 59, tzinfo=timefmt.KST)),
            "type": "NON_CONTRACT_BASED",
            "monthlyBudget": 500_000,
            "modifiedAt": store_time(month_start),
            "modifiedBy": "system",
        },
        {
            "contractId": 9960 + tx.next_seq("couponContract"),
            "vendorContractId": 7,
            "sellerId": vendor_id,
            "sellerShareRatio": 100,
            "coupangShareRatio": 0,
            "gmvRatio": 100,
            "start": store_time(month_start),
            "end": store_time(datetime(kst.year + 1, 12, 31, 23, 59, 59, tzinfo=timefmt.KST)),
            "type": "CONTRACT_BASED",
            "monthlyBudget": 1_000_000,
            "modifiedAt": store_time(month_start),
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


def covers_month(contract: dict[str, Any], month: str) -> bool:
    return month_of(stored_time(contract["start"])) <= month <= month_of(stored_time(contract["end"]))


def budgets(tx: Tx, now: datetime, vendor_id: str, contract_id: int | None, month: str) -> list[dict[str, Any]]:
    contracts = ensure_contracts(tx, now, vendor_id)
    if contract_id is not None:
        chosen = get_contract(tx, now, vendor_id, contract_id, alias=True)
        contracts = [chosen] if chosen else []
    return [budget(tx, c, month) for c in contracts if covers_month(c, month)]


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
        move_coupon(tx, coupon, event, now)


# ---------------------------------------------------------------- shared by both coupon kinds


def move_coupon(tx: Tx, coupon: dict[str, Any], event: str, at: datetime) -> None:
    coupon["status"] = COUPON_MACHINE.next(coupon["status"], event)
    if coupon["status"] == EXPIRED and not coupon.get("expiredAt"):
        coupon["expiredAt"] = store_time(at)
    tx.put(COUPONS, coupon["couponId"], coupon)


def whole(value: Any) -> int | None:
    """A JSON id sent as 15, 15.0 or "15" (the schema admits all three; Jackson reads them alike)."""
    try:
        number = float(str(value))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def parse_number(value: Any, message: str) -> float:
    try:
        return float(str(value))
    except ValueError:
        raise fms_error(400, message) from None


def option_problem(tx: Tx, vendor_item_id: int) -> str | None:
    document = inventory.get_item(tx, vendor_item_id)
    if document is None:
        return CIE00
    if not document.get("approved") or document.get("deleted"):
        return CIR06
    return None
