"""Settlement (정산): revenue rows and payouts derived on the fly from the vendor's orders and returns.

Nothing is stored but the vendor's settlement profile ("settlement-meta" / "profile"): the rows are a
pure function of the order documents ("orders", "boxes", owned by domains/orders.py) and the cancel /
return receipts ("receipts", domains/receipts.py), read only, at the test clock's `now`.

Inferred model (settlement.yaml notes; Coupang publishes no calculation):
- SALE: the shipped units of a box are recognised on purchase confirmation (by the customer or the
  automatic one, delivery + 7 days); an untracked box (NONE_TRACKING) 7 days after its invoice upload.
  Units cancelled before shipment were never sold, so they appear nowhere.
- REFUND: the units of a completed return, negative, recognised on the refund day — or on the sale's
  recognition day when the return finished first, so a refund never precedes its sale.
- Rows are one per (orderId, saleType, recognitionDate); commission at the vendor's serviceFeeRatio
  (default 10.5 %, the official example) plus 10 % VAT, shipping commission 3 %.
- Payout calendar: weekly cycle pays 70 % of each Mon–Sun week (clipped to the month) 15 days after the
  week ends and the held 30 % (RESERVE) on the 1st of the month after next; monthly pays 100 % 15 days
  after the month ends (matches the official examples' dates).
"""

from __future__ import annotations

import base64
import calendar
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..errors import ApiError
from ..store import Tx
from . import orders, receipts, timefmt

META = "settlement-meta"
WEEKLY, MONTHLY = "WEEKLY", "MONTHLY"
DEFAULT_PROFILE: dict[str, Any] = {
    "settlementType": MONTHLY,
    "serviceFeeRatio": 10.5,
    "deliveryFeeRatio": 3.0,
    "bankName": "국민은행",
    "bankAccountHolder": "주식회사 한빛상점",
    "bankAccount": "1234567890",
}
RECOGNITION_DAYS = orders.UNTRACKED_RECOGNITION_DAYS  # untracked shipments: invoice upload + 7 days
PAYOUT_DELAY_DAYS = 15
WEEKLY_SHARE = Decimal("0.7")
VAT = Decimal("0.1")
SHIPPED_RELEASE = ("Y", "A")  # returned units that had left the seller (released / already shipped)

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

# ---------------------------------------------------------------- Coupang's texts


def format_error(name: str, value: str) -> str:
    return (
        f"The request is invalid: {name}: Invalid format. 'yyyy-MM-dd' 형식을 사용하세요. (예시) '2011-12-03' "
        f"사용자 입력값 = {value}"
    )


def yesterday_error(value: str) -> str:
    return f"The request is invalid: dateTo: 전일까지만 조회할 수 있습니다. 사용자 입력값 = {value}"


def month_window_error(first: str, last: str) -> str:
    return (
        f"The request is invalid: dateFrom, dateTo: 1달 이내의 범위로만 조회가능합니다. 사용자 입력값 = {first}, {last}"
    )


def token_error(value: str) -> str:
    return (
        "The request is invalid: token: Invalid format. 첫 페이지 호출 시에는 비워두세요. 두 번째 페이지부터는 "
        f"이전 페이지 응답에 포함된 nextToken 값을 사용해주세요. 사용자 입력값 = {value}"
    )


MONTH_FORMAT_ERROR = "Invalid revenueRecognitionYearMonth format (yyyy-MM)"
FUTURE_MONTH_ERROR = "해당월까지만 조회할 수 있습니다."


# ---------------------------------------------------------------- profile


def profile(tx: Tx) -> dict[str, Any]:
    return {**DEFAULT_PROFILE, **(tx.get(META, "profile") or {})}


def set_profile(tx: Tx, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(DEFAULT_PROFILE)
    if unknown:
        raise ApiError(400, f"unknown profile fields {sorted(unknown)}; known: {sorted(DEFAULT_PROFILE)}")
    if "settlementType" in changes and changes["settlementType"] not in (WEEKLY, MONTHLY):
        raise ApiError(400, "settlementType must be WEEKLY or MONTHLY")
    for name in ("serviceFeeRatio", "deliveryFeeRatio"):
        value = changes.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise ApiError(400, f"{name} must be a number between 0 and 100")
    for name in ("bankName", "bankAccountHolder", "bankAccount"):
        if name in changes and not isinstance(changes[name], str):
            raise ApiError(400, f"{name} must be a string")
    merged = {**profile(tx), **changes}
    tx.put(META, "profile", merged)
    return merged


# ---------------------------------------------------------------- money


def _round(value: Decimal) -> int:
    """Half away from zero, so a refund mirrors its sale exactly (-157.5 → -158 like 157.5 → 158)."""
    magnitude = int(abs(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return -magnitude if value < 0 else magnitude


def _fee(amount: int, ratio: float) -> tuple[int, int]:
    fee = _round(Decimal(amount) * Decimal(str(ratio)) / 100)
    return fee, _round(Decimal(fee) * VAT)


def _share(amount: int, units: int, of: int) -> int:
    return _round(Decimal(amount) * units / of) if of else 0


def revenue_item(line: dict[str, Any], units: int, sign: int, ratio: float) -> dict[str, Any]:
    """One items[] entry for `units` units of an order line; sign -1 on REFUND rows."""
    sale_price = sign * line["salesPrice"] * units
    coupang_coupon = sign * _share(line.get("coupangDiscount", 0), units, line["shippingCount"])
    sale_amount = sale_price - coupang_coupon
    fee, fee_vat = _fee(sale_amount, ratio)
    return {
        "taxType": "TAX",
        "productId": line.get("productId", 0),
        "productName": line.get("sellerProductName", ""),
        "vendorItemId": line["vendorItemId"],
        "vendorItemName": line.get("vendorItemName", ""),
        "salePrice": sale_price,
        "quantity": units,
        "coupangDiscountCoupon": coupang_coupon,
        "discountCouponPolicyAgreement": False,
        "saleAmount": sale_amount,
        "sellerDiscountCoupon": sign * _share(line.get("instantCouponDiscount", 0), units, line["shippingCount"]),
        "downloadableCoupon": sign * _share(line.get("downloadableCouponDiscount", 0), units, line["shippingCount"]),
        "serviceFee": fee,
        "serviceFeeVat": fee_vat,
        "serviceFeeRatio": ratio,
        "settlementAmount": sale_amount - fee - fee_vat,
        "couranteeFeeRatio": 0,
        "couranteeFee": 0,
        "couranteeFeeVat": 0,
        "externalSellerSkuCode": line.get("externalVendorSkuCode") or None,
        "storeFeeDiscount": 0,
        "storeFeeDiscountVat": 0,
    }


def delivery_fee(base: int, remote: int, ratio: float) -> dict[str, Any]:
    base_fee, base_vat = _fee(base, ratio)
    remote_fee, remote_vat = _fee(remote, ratio)
    amount, fee, vat = base + remote, base_fee + remote_fee, base_vat + remote_vat
    return {
        "amount": amount,
        "fee": fee,
        "feeVat": vat,
        "feeRatio": ratio,
        "settlementAmount": amount - fee - vat,
        "baseAmount": base,
        "baseFee": base_fee,
        "baseFeeVat": base_vat,
        "remoteAmount": remote,
        "remoteFee": remote_fee,
        "remoteFeeVat": remote_vat,
    }


# ---------------------------------------------------------------- recognition


def _at(value: str) -> datetime:
    return timefmt.parse_iso(value)


def sale_recognition(box: dict[str, Any], now: datetime) -> date | None:
    """매출인식일 of a box, None while not yet recognised at `now` (orders.sale_day is the day it will have)."""
    day = orders.sale_day(box)
    if day is None or (not box.get("confirmDate") and orders.untracked_recognition(box) > now):
        return None
    return date.fromisoformat(day)


def shipped_units(line: dict[str, Any]) -> int:
    return line["shippingCount"] - line["cancelCount"]


def revenue_rows(tx: Tx, now: datetime, first: date, last: date) -> list[dict[str, Any]]:
    """The recognised SALE and REFUND rows dated in [first, last], ordered by recognitionDate, orderId, type.

    Read through date indexes, never every box: the boxes recognised in the window ("saleDay"), the
    returns refunded in it ("refunds"), and the earlier refunds of the window's orders (a refund that
    finished before its sale is dated on the sale)."""
    prof = profile(tx)
    lo, hi = first.isoformat(), (last + timedelta(days=1)).isoformat()
    sold = {box["shipmentBoxId"]: box for box in tx.find(orders.BOXES, "saleDay", lo=lo, hi=hi)}
    rows: dict[tuple[int, str, date], dict[str, Any]] = {}
    for box in sold.values():
        day = sale_recognition(box, now)
        if day is None:
            continue
        row = _row(rows, prof, box, "SALE", day)
        row["items"] += [
            revenue_item(line, shipped_units(line), 1, prof["serviceFeeRatio"])
            for line in box["orderItems"]
            if shipped_units(line) > 0
        ]
        _add_delivery(row, box["shippingPrice"], box["remotePrice"], prof)
    refunded = {r["receiptId"]: r for r in tx.find(receipts.KIND, "refunds", lo=lo, hi=hi)}
    for order_id in {box["orderId"] for box in sold.values()}:
        for receipt in receipts.of_order(tx, order_id):
            if (receipts.refund_day(receipt) or hi) < lo:
                refunded[receipt["receiptId"]] = receipt
    for receipt_id in sorted(refunded):  # creation order: the first receipt of a row carries the charge
        _refund(rows, prof, lambda box_id: sold.get(box_id) or orders.get_box(tx, box_id), refunded[receipt_id], now)
    chosen = [key for key in rows if first <= key[2] <= last]
    return [rows[key] for key in sorted(chosen, key=lambda k: (k[2], k[0], k[1] == "REFUND"))]


def _refund(
    rows: dict[tuple[int, str, date], dict[str, Any]],
    prof: dict[str, Any],
    box_of: Callable[[int], dict[str, Any] | None],
    receipt: dict[str, Any],
    now: datetime,
) -> None:
    done = receipt["receiptStatus"] == receipts.RETURNS_COMPLETED and receipt.get("refundedAt")
    if receipt["receiptType"] != "RETURN" or not done:
        return
    charged_to_customer = -receipt.get("returnShippingCharge", 0) if receipt.get("returnShippingCharge", 0) < 0 else 0
    for item in receipt["returnItems"]:
        box = box_of(item["shipmentBoxId"])
        sold_on = sale_recognition(box, now) if box else None
        if box is None or sold_on is None or item["releaseStatus"] not in SHIPPED_RELEASE:
            continue
        line = next(line for line in box["orderItems"] if line["vendorItemId"] == item["vendorItemId"])
        day = max(sold_on, timefmt.kst_date(_at(receipt["refundedAt"])))
        row = _row(rows, prof, box, "REFUND", day)
        row["items"].append(revenue_item(line, item["cancelCount"], -1, prof["serviceFeeRatio"]))
        if charged_to_customer and not row.get("_chargeCounted"):
            # the customer's return shipping fee is settled to the seller (settlement.yaml notes)
            _add_delivery(row, charged_to_customer, 0, prof)
            row["_chargeCounted"] = True


def _row(
    rows: dict[tuple[int, str, date], dict[str, Any]], prof: dict[str, Any], box: dict[str, Any], kind: str, day: date
) -> dict[str, Any]:
    key = (box["orderId"], kind, day)
    if key not in rows:
        first_payout, final_payout = payout_dates(day, prof["settlementType"])
        rows[key] = {
            "orderId": box["orderId"],
            "saleType": kind,
            "saleDate": timefmt.kst_date(_at(box["paidAt"])).isoformat(),
            "recognitionDate": day.isoformat(),
            "settlementDate": first_payout.isoformat(),
            "finalSettlementDate": final_payout.isoformat(),
            "deliveryFee": delivery_fee(0, 0, prof["deliveryFeeRatio"]),
            "items": [],
        }
    return rows[key]


def _add_delivery(row: dict[str, Any], base: int, remote: int, prof: dict[str, Any]) -> None:
    current = row["deliveryFee"]
    row["deliveryFee"] = delivery_fee(
        current["baseAmount"] + base, current["remoteAmount"] + remote, prof["deliveryFeeRatio"]
    )


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if not key.startswith("_")}


# ---------------------------------------------------------------- payout calendar


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _first_of_month_after_next(day: date) -> date:
    month = day.month + 2
    return date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def week_period(day: date) -> tuple[date, date]:
    """The Mon–Sun week of `day`, clipped to its month."""
    start = max(day - timedelta(days=day.weekday()), day.replace(day=1))
    end = min(day + timedelta(days=6 - day.weekday()), month_end(day))
    return start, end


def payout_dates(day: date, cycle: str) -> tuple[date, date]:
    """(settlementDate, finalSettlementDate) of revenue recognised on `day`."""
    if cycle == WEEKLY:
        return week_period(day)[1] + timedelta(days=PAYOUT_DELAY_DAYS), _first_of_month_after_next(day)
    payout = month_end(day) + timedelta(days=PAYOUT_DELAY_DAYS)
    return payout, payout


# ---------------------------------------------------------------- revenue-history query


def parse_date(value: str, name: str) -> date:
    if not DATE_RE.match(value):
        raise ApiError(400, format_error(name, value))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, format_error(name, value)) from None


def add_month(day: date) -> date:
    month = day.month % 12 + 1
    year = day.year + (1 if day.month == 12 else 0)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def revenue_window(raw_from: str, raw_to: str, now: datetime) -> tuple[date, date]:
    """Checked in Coupang's order: formats, dateTo ≤ yesterday (KST), then the one-month range.

    The official example refuses 2024-06-27..2024-07-27, so the end must come before the same day of
    the next month; an end before the start is refused with the same text (inferred)."""
    first = parse_date(raw_from, "recognitionDateFrom")
    last = parse_date(raw_to, "recognitionDateTo")
    if last >= timefmt.kst_date(now):
        raise ApiError(400, yesterday_error(raw_to))
    if last < first or last >= add_month(first):
        raise ApiError(400, month_window_error(raw_from, raw_to))
    return first, last


def encode_token(vendor_id: str, first: date, last: date, offset: int) -> str:
    text = f"{vendor_id}|{first.isoformat()}|{last.isoformat()}|{offset}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_token(token: str, vendor_id: str, first: date, last: date) -> int:
    """The offset a token of this vendor and window stands for; the token message for anything else."""
    if token == "":
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        owner, start, end, offset = text.split("|")
        if (owner, start, end) == (vendor_id, first.isoformat(), last.isoformat()) and offset.isdigit():
            return int(offset)
    except (ValueError, UnicodeDecodeError):
        pass
    raise ApiError(400, token_error(token))


def revenue_page(
    tx: Tx, now: datetime, vendor_id: str, window: tuple[date, date], token: str, size: int
) -> tuple[list[dict[str, Any]], str]:
    first, last = window
    offset = decode_token(token, vendor_id, first, last)
    rows = [public(r) for r in revenue_rows(tx, now, first, last)]
    page = rows[offset : offset + size]
    following = offset + size
    return page, encode_token(vendor_id, first, last, following) if following < len(rows) else ""


# ---------------------------------------------------------------- settlement histories


def parse_month(value: str, now: datetime) -> date:
    if not MONTH_RE.match(value):
        raise ApiError(400, MONTH_FORMAT_ERROR)
    first = date.fromisoformat(f"{value}-01")
    if first > timefmt.kst_date(now).replace(day=1):
        raise ApiError(400, FUTURE_MONTH_ERROR)
    return first


def _mask(account: str) -> str:
    return account[:-4] + "****" if len(account) > 4 else "****"


def _totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    items = [item for row in rows for item in row["items"]]
    sale = sum(item["saleAmount"] for item in items) + sum(row["deliveryFee"]["amount"] for row in rows)
    fee = sum(item["serviceFee"] + item["serviceFeeVat"] for item in items) + sum(
        row["deliveryFee"]["fee"] + row["deliveryFee"]["feeVat"] for row in rows
    )
    return {
        "totalSale": sale,
        "serviceFee": fee,
        "sellerDiscountCoupon": sum(item["sellerDiscountCoupon"] for item in items),
        "downloadableCoupon": sum(item["downloadableCoupon"] for item in items),
    }


def _history(
    kind: str,
    period: tuple[date, date],
    month: date,
    totals: dict[str, int],
    paid: int,
    held: int,
    prof: dict[str, Any],
) -> dict[str, Any]:
    target = totals["totalSale"] - totals["serviceFee"]
    return {
        "settlementType": kind,
        "settlementDate": "",
        "revenueRecognitionYearMonth": month.strftime("%Y-%m"),
        "revenueRecognitionDateFrom": period[0].isoformat(),
        "revenueRecognitionDateTo": period[1].isoformat(),
        "totalSale": totals["totalSale"],
        "serviceFee": totals["serviceFee"],
        "settlementTargetAmount": target,
        "settlementAmount": paid,
        "lastAmount": held,
        "pendingReleasedAmount": 0,
        "sellerDiscountCoupon": totals["sellerDiscountCoupon"],
        "downloadableCoupon": totals["downloadableCoupon"],
        "dedicatedDeliveryAmount": 0,
        "sellerServiceFee": 0,
        "couranteeFee": 0,
        "couranteeCustomerReward": 0,
        "deductionAmount": 0,
        "debtOfLastWeek": 0,
        "finalAmount": 0,
        "bankAccountHolder": prof["bankAccountHolder"],
        "bankName": prof["bankName"],
        "bankAccount": _mask(prof["bankAccount"]),
        "status": "SUBJECT",
        "storeFeeDiscount": 0,
    }


def _finish(entry: dict[str, Any], payout: date, today: date, debt: int) -> int:
    """Sets finalAmount, status and the carried debt; returns the debt for the next payout."""
    entry["settlementDate"] = payout.isoformat()
    entry["debtOfLastWeek"] = debt
    final = (
        entry["settlementAmount"]
        + entry["pendingReleasedAmount"]
        - entry["sellerDiscountCoupon"]
        - entry["downloadableCoupon"]
        - debt
    )
    entry["finalAmount"] = max(final, 0)
    entry["status"] = "DONE" if payout < today else "SUBJECT"
    return -final if final < 0 else 0


def settlement_histories(tx: Tx, now: datetime, month: date) -> list[dict[str, Any]]:
    prof = profile(tx)
    last_day = month_end(month)
    rows = revenue_rows(tx, now, month, last_day)
    if not rows:
        return []
    today = timefmt.kst_date(now)
    if prof["settlementType"] == MONTHLY:
        totals = _totals(rows)
        target = totals["totalSale"] - totals["serviceFee"]
        entry = _history(MONTHLY, (month, last_day), month, totals, target, 0, prof)
        _finish(entry, payout_dates(month, MONTHLY)[0], today, 0)
        return [entry]
    return _weekly(rows, month, prof, today)


def _weekly(rows: list[dict[str, Any]], month: date, prof: dict[str, Any], today: date) -> list[dict[str, Any]]:
    weeks: dict[tuple[date, date], list[dict[str, Any]]] = {}
    for row in rows:
        weeks.setdefault(week_period(date.fromisoformat(row["recognitionDate"])), []).append(row)
    result, held_total, debt = [], 0, 0
    for period in sorted(weeks):
        totals = _totals(weeks[period])
        target = totals["totalSale"] - totals["serviceFee"]
        paid = _round(Decimal(target) * WEEKLY_SHARE) if target > 0 else target
        entry = _history(WEEKLY, period, month, totals, paid, target - paid, prof)
        debt = _finish(entry, period[1] + timedelta(days=PAYOUT_DELAY_DAYS), today, debt)
        held_total += target - paid
        result.append(entry)
    zero = {"totalSale": 0, "serviceFee": 0, "sellerDiscountCoupon": 0, "downloadableCoupon": 0}
    reserve = _history("RESERVE", (month, month_end(month)), month, zero, 0, 0, prof)
    reserve["settlementTargetAmount"] = 0
    reserve["pendingReleasedAmount"] = held_total
    _finish(reserve, _first_of_month_after_next(month), today, debt)
    result.append(reserve)
    return result
