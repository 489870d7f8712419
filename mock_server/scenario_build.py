"""Building one vendor's section of a scenario: centers, products, orders, claims, inquiries.

Every step is a seller API operation or a control route (see `scenario_actor.Actor`); statuses are
reached by walking the domain's transition table (`scenario_lifecycles`). A failing step raises
`StepFailed` with the path of the entry it was building, which the loader turns into FILE:LINE.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .api.products import quick_body, quick_outbound_body, quick_return_body
from .domains import cs, exchanges, logistics, orders, products, receipts, timefmt
from .errors import ApiError
from .scenario_actor import Actor, bulk_failure
from .scenario_lifecycles import (
    CALL_CENTER_INQUIRY,
    EXCHANGE,
    ONLINE_INQUIRY,
    ORDER,
    PRODUCT,
    RETURN,
    Lifecycle,
    first_start,
)
from .store import Tx

Path = tuple[str | int, ...]
MAX_STEPS = 20
DEFAULT_REPLY = "안녕하세요. 문의 주셔서 감사합니다. 확인 후 안내드리겠습니다."


class StepFailed(Exception):
    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def alias(entry: dict[str, Any], index: int) -> str:
    return str(entry.get("id", index))


class VendorBuilder:
    """Applies one `vendors[i]` entry; `built` collects the ids created, by alias, for the answer."""

    def __init__(self, actor: Actor, path: Path) -> None:
        self.actor = actor
        self.path = path
        self.vendor_id = actor.vendor_id
        self.centers: dict[str, dict[str, Any]] = {"outbound": {}, "return": {}}
        self.built: dict[str, dict[str, Any]] = {
            "centers": {},
            "products": {},
            "orders": {},
            "returns": {},
            "exchanges": {},
            "inquiries": {},
        }

    def build(self, section: dict[str, Any]) -> dict[str, dict[str, Any]]:
        self._policies(section)
        for kind in ("outbound", "return"):
            for index, entry in enumerate((section.get("centers") or {}).get(kind, [])):
                self._step((*self.path, "centers", kind, index), lambda e=entry, k=kind: self._center(k, e))
        steps: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = [
            ("products", self._product),
            ("orders", self._order),
            ("returns", self._return),
            ("exchanges", self._exchange),
            ("inquiries", self._inquiry),
        ]
        for kind, make in steps:
            for index, entry in enumerate(section.get(kind, [])):
                self.built[kind][alias(entry, index)] = self._step(
                    (*self.path, kind, index), lambda e=entry, m=make: m(e)
                )
        return self.built

    def _step(self, path: Path, run: Callable[[], Any]) -> Any:
        self.current = path
        try:
            return run()
        except ApiError as err:
            raise StepFailed(path, f"the mock refused: {err.message}") from None

    # ------------------------------------------------------------------ vendor settings

    def _policies(self, section: dict[str, Any]) -> None:
        routes = {
            "reviewPolicy": "/review-policy",
            "orderPolicy": "/order-policy",
        }
        for field, rule in routes.items():
            if field in section:
                self._step((*self.path, field), lambda r=rule, b=section[field]: self.actor.control("PUT", r, b))
        if "wingUsers" in section:
            users = {"userIds": section["wingUsers"]}
            self._step((*self.path, "wingUsers"), lambda: self.actor.control("PUT", "/wing-users", users))

    # ------------------------------------------------------------------ catalog

    def _center(self, kind: str, entry: dict[str, Any]) -> None:
        index = len(self.centers[kind])
        make = quick_outbound_body if kind == "outbound" else quick_return_body
        fields = entry.get("fields") or {}
        body = {**make(self.vendor_id), **fields, "vendorId": self.vendor_id}
        body["shippingPlaceName"] = name = entry.get("name") or f"{body['shippingPlaceName']} {index + 1}"
        if "placeAddresses" not in fields:
            # Coupang refuses two centers at one address: the default address differs by center name
            address = body["placeAddresses"][0]
            body["placeAddresses"] = [{**address, "returnAddressDetail": f"{address['returnAddressDetail']} ({name})"}]
        operation = "createOutboundShippingCenter" if kind == "outbound" else "createReturnShippingCenter"
        answer = self.actor.api(operation, body=body)
        code = int(answer["data"]["resultMessage"])
        self.centers[kind][alias(entry, index)] = code
        self.built["centers"].setdefault(kind, {})[alias(entry, index)] = code

    def _center_code(self, kind: str, entry: dict[str, Any], field: str) -> int:
        wanted = entry.get(field)
        if wanted is not None:
            return int(self.centers[kind][str(wanted)])
        if not self.centers[kind]:
            existing = self.actor.read(lambda tx: _usable_center(tx, kind))
            if existing is not None:
                self.centers[kind][f"existing-{kind}"] = existing
            else:
                self._center(kind, {"id": f"default-{kind}"})
        return int(next(iter(self.centers[kind].values())))

    def _return_address(self, code: int) -> dict[str, Any]:
        """The return fields a seller copies from its return center into the product body."""
        center = self.actor.read(lambda tx: logistics.get_return(tx, code)) or {}
        address = (center.get("placeAddresses") or [{}])[0]
        fields = ("companyContactNumber", "returnZipCode", "returnAddress", "returnAddressDetail")
        return {"returnChargeName": center.get("shippingPlaceName", ""), **{f: address.get(f, "") for f in fields}}

    def _product(self, entry: dict[str, Any]) -> dict[str, Any]:
        options = entry.get("options") or [entry]
        raw_items = [
            {
                "itemName": option.get("name") or entry.get("name") or f"옵션 {i + 1}",
                "salePrice": option.get("price", 10000),
                "quantity": option.get("stock", 100),
            }
            for i, option in enumerate(options)
        ]
        outbound = self._center_code("outbound", entry, "outbound")
        return_code = self._center_code("return", entry, "returnCenter")
        body = quick_body(
            self.vendor_id,
            outbound,
            return_code,
            raw_items,
            {**self._return_address(return_code), **(entry.get("fields") or {})},
        )
        if entry.get("name"):
            body["sellerProductName"] = body["displayProductName"] = entry["name"]
        body["vendorId"], body["requested"] = self.vendor_id, False
        product_id = int(self.actor.api("createSellerProduct", body=body)["data"])
        pid = {"sellerProductId": str(product_id)}
        review = f"/products/{product_id}/review"
        actions = {
            "requestApproval": lambda: self.actor.api("requestSellerProductApproval", path=pid),
            "startReview": lambda: self.actor.control("POST", review, {"decision": "START_REVIEW"}),
            "approve": lambda: self.actor.control("POST", review, {"decision": "APPROVE"}),
            "deny": lambda: self.actor.control(
                "POST", review, {"decision": "DENY", "reason": entry.get("denyReason") or "상품 정보 보완 필요"}
            ),
        }
        status = self._drive(
            PRODUCT,
            entry.get("status", "approved"),
            lambda tx: products.status_of(products.get(tx, product_id)),
            actions,
        )
        found = self.actor.read(lambda tx: products.get(tx, product_id))
        return {
            "sellerProductId": product_id,
            "status": status,
            "vendorItemIds": [item.get("vendorItemId") for item in found["items"]],
        }

    def _vendor_item(self, line: dict[str, Any]) -> int:
        product = self.built["products"][str(line["product"])]
        option = int(line.get("option", 0))
        vendor_item_id = product["vendorItemIds"][option] if option < len(product["vendorItemIds"]) else None
        if vendor_item_id is None:
            raise StepFailed(
                self.current, f"product {line['product']} option {option} has no vendorItemId (not approved)"
            )
        return int(vendor_item_id)

    # ------------------------------------------------------------------ orders

    def _order(self, entry: dict[str, Any]) -> dict[str, Any]:
        lines = [(self._vendor_item(line), int(line.get("quantity", 1))) for line in entry["items"]]
        body: dict[str, Any] = {"items": [{"vendorItemId": v, "quantity": q} for v, q in lines]}
        body.update({k: entry[k] for k in ("orderer", "receiver", "paidAt") if k in entry})
        placed = self.actor.control("POST", "/orders", body)
        order_id = placed["orderId"]
        status = ""
        for box_id in placed["shipmentBoxIds"]:
            actions = self._box_actions(order_id, box_id)
            status = self._drive(ORDER, entry.get("status", "ACCEPT"), lambda tx, b=box_id: _box_status(tx, b), actions)
        if entry.get("confirmed"):
            self.actor.control("POST", f"/orders/{order_id}/confirm")
        return {"orderId": order_id, "shipmentBoxIds": placed["shipmentBoxIds"], "status": status, "lines": lines}

    def _box_actions(self, order_id: int, box_id: int) -> dict[str, Callable[[], Any]]:
        track = f"/shipments/{box_id}/track"
        return {
            "acknowledge": lambda: self._bulk(
                "acknowledgeOrdersheets", {"vendorId": self.vendor_id, "shipmentBoxIds": [box_id]}
            ),
            "uploadInvoice": lambda: self._invoice(box_id),
            "pickedUp": lambda: self.actor.control("POST", track, {"event": "PICKED_UP"}),
            "delivered": lambda: self.actor.control("POST", track, {"event": "DELIVERED"}),
            "buyerCancel": lambda: self.actor.control("POST", f"/orders/{order_id}/cancel"),
        }

    def _invoice(self, box_id: int) -> None:
        box = self.actor.read(lambda tx: orders.get_box(tx, box_id))
        number = f"5{box_id % 10**11:011d}"  # unique per box, so the 180-day reuse rule never trips
        dtos = [
            {
                "shipmentBoxId": box_id,
                "orderId": box["orderId"],
                "vendorItemId": line["vendorItemId"],
                "deliveryCompanyCode": "CJGLS",
                "invoiceNumber": number,
                "splitShipping": False,
                "preSplitShipped": False,
                "estimatedShippingDate": "",
            }
            for line in orders.live_lines(box)
        ]
        self._bulk("uploadInvoices", {"vendorId": self.vendor_id, "orderSheetInvoiceApplyDtos": dtos})

    def _bulk(self, operation_id: str, body: dict[str, Any], path: dict[str, Any] | None = None) -> None:
        failure = bulk_failure(self.actor.api(operation_id, path=path, body=body))
        if failure:
            raise ApiError(400, failure)

    def _order_of(self, entry: dict[str, Any]) -> dict[str, Any]:
        return self.built["orders"][str(entry["order"])]  # type: ignore[no-any-return]

    def _claim_items(self, entry: dict[str, Any]) -> list[dict[str, int]]:
        if entry.get("items"):
            return [
                {"vendorItemId": self._vendor_item(line), "quantity": int(line.get("quantity", 1))}
                for line in entry["items"]
            ]
        return [{"vendorItemId": v, "quantity": q} for v, q in self._order_of(entry)["lines"]]

    # ------------------------------------------------------------------ claims

    def _return(self, entry: dict[str, Any]) -> dict[str, Any]:
        order = self._order_of(entry)
        items, reason = self._claim_items(entry), entry.get("reasonCode", "CHANGEMIND")
        if receipt_start(order["status"]) == receipts.RELEASE_STOP_UNCHECKED:
            made = self.actor.control("POST", f"/orders/{order['orderId']}/cancel", {"items": items, "reason": reason})
            receipt_id = made["receipts"][0]["receiptId"]
        else:
            body = {"items": items, "reasonCode": reason}
            receipt_id = self.actor.control("POST", f"/orders/{order['orderId']}/returns", body)["receiptId"]
        rid = {"receiptId": receipt_id}
        base = f"/returns/{receipt_id}"
        ids = {"vendorId": self.vendor_id, "receiptId": receipt_id}

        def count() -> int:
            return int(self.actor.read(lambda tx: receipts.get(tx, receipt_id))["cancelCountSum"])

        shipped = {"deliveryCompanyCode": "CJGLS", "invoiceNumber": f"6{receipt_id % 10**11:011d}"}

        actions = {
            "withdraw": lambda: self.actor.control("POST", f"{base}/withdraw"),
            "pickup": lambda: self.actor.control("POST", f"{base}/pickup"),
            "confirmReceipt": lambda: self.actor.api("confirmReturnReceipt", path=rid, body=ids),
            "approve": lambda: self.actor.api("approveReturnRequest", path=rid, body={**ids, "cancelCount": count()}),
            "coupangCheck": lambda: self.actor.control("POST", f"{base}/coupang-check"),
            "stopShipment": lambda: self._bulk("stopShipment", {**ids, "cancelCount": count()}, path=rid),
            "alreadyShipped": lambda: self._bulk("markAlreadyShipped", {**ids, **shipped}, path=rid),
        }
        status = self._drive(
            RETURN,
            entry.get("status", receipts.RETURNS_UNCHECKED),
            lambda tx: receipts.get_any(tx, receipt_id)["receiptStatus"],
            actions,
        )
        return {"receiptId": receipt_id, "status": status}

    def _exchange(self, entry: dict[str, Any]) -> dict[str, Any]:
        order_id = self._order_of(entry)["orderId"]
        body = {"items": self._claim_items(entry), "reasonCode": entry.get("reasonCode", "WRONGOPT")}
        exchange_id = self.actor.control("POST", f"/orders/{order_id}/exchanges", body)["exchangeId"]
        eid = {"exchangeId": exchange_id}
        ids = {"vendorId": self.vendor_id, "exchangeId": exchange_id}
        base = f"/exchanges/{exchange_id}"
        actions = {
            "pickedUp": lambda: self.actor.control("POST", f"{base}/pickup", {"event": "PICKED_UP"}),
            "collected": lambda: self.actor.control("POST", f"{base}/pickup", {"event": "DELIVERED"}),
            "confirmReceipt": lambda: self.actor.api("confirmExchangeReceipt", path=eid, body=ids),
            "withdraw": lambda: self.actor.control("POST", f"{base}/withdraw"),
            "reject": lambda: self._bulk(
                "rejectExchangeRequest",
                {**ids, "exchangeRejectCode": entry.get("rejectCode", "SOLDOUT")},
                path=eid,
            ),
            "uploadInvoice": lambda: self._bulk("uploadExchangeInvoice", self._replacement_invoice(ids), path=eid),
            # the courier brings the replacement box; the exchanges ticker then records SUCCESS
            "delivered": lambda: [
                self.actor.control("POST", f"/shipments/{self._replacement(exchange_id)}/track", {"event": event})
                for event in ("PICKED_UP", "DELIVERED")
            ],
        }
        status = self._drive(
            EXCHANGE, entry.get("status", "RECEIPT"), lambda tx: exchanges.get(tx, exchange_id)["state"], actions
        )
        return {"exchangeId": exchange_id, "status": status}

    def _replacement(self, exchange_id: int) -> int:
        return int(self.actor.read(lambda tx: exchanges.get(tx, exchange_id)["replacementBoxId"]))

    def _replacement_invoice(self, ids: dict[str, Any]) -> dict[str, Any]:
        """The replacement box's invoice, once the box is visible: like a seller, the scenario waits
        for it (Coupang: up to ~10 min), moving this vendor's test clock on if it has to."""
        exchange = self.actor.read(lambda tx: exchanges.get(tx, ids["exchangeId"]))
        clock = self.actor.services.clock
        now = clock.now(self.vendor_id)
        if not exchanges.replacement_visible(exchange, now):
            wait = timefmt.parse_iso(exchange["replacementVisibleAt"]) - now
            clock.advance(wait.total_seconds(), self.vendor_id)
        box_id = int(exchange["replacementBoxId"])
        # unique per box (the 180-day reuse rule), apart from the forward boxes' "5…" numbers
        return {
            **ids,
            "shipmentBoxId": box_id,
            "goodsDeliveryCode": "CJGLS",
            "invoiceNumber": f"7{box_id % 10**11:011d}",
        }

    # ------------------------------------------------------------------ CS

    def _inquiry(self, entry: dict[str, Any]) -> dict[str, Any]:
        kind = entry.get("kind", cs.ONLINE)
        lifecycle = ONLINE_INQUIRY if kind == cs.ONLINE else CALL_CENTER_INQUIRY
        declared = entry.get("status", lifecycle.machine.initial or cs.REQUEST_ANSWER)
        body: dict[str, Any] = {"kind": kind, "content": entry.get("content") or "배송은 언제 되나요?"}
        if "order" in entry:
            body["orderId"] = self._order_of(entry)["orderId"]
        if "product" in entry:
            body["vendorItemId"] = self._vendor_item(entry)
        if kind == cs.CALL_CENTER:
            body["status"] = "TRANSFER" if first_start(lifecycle, declared) == cs.TRANSFER else "NO_ANSWER"
        created = self.actor.control("POST", "/inquiries", body)
        inquiry_id = created["inquiryId"]
        status = self._drive(
            lifecycle, declared, lambda tx: cs.get(tx, inquiry_id)["state"], self._inquiry_actions(entry, created)
        )
        return {"inquiryId": inquiry_id, "kind": kind, "status": status}

    def _inquiry_actions(self, entry: dict[str, Any], created: dict[str, Any]) -> dict[str, Callable[[], Any]]:
        inquiry_id = created["inquiryId"]
        iid = {"inquiryId": inquiry_id}
        content = entry.get("reply") or DEFAULT_REPLY
        events = f"/inquiries/{inquiry_id}/events"
        if created["kind"] == cs.ONLINE:
            reply_body = {"content": content, "vendorId": self.vendor_id, "replyBy": self.vendor_id}
            reply = lambda: self.actor.api("replyOnlineInquiry", path=iid, body=reply_body)  # noqa: E731
        else:
            reply_body = {
                "vendorId": self.vendor_id,
                "inquiryId": inquiry_id,
                "content": content,
                "replyBy": self.vendor_id,
                "parentAnswerId": created.get("answerId"),
            }
            reply = lambda: self.actor.api("replyCallCenterInquiry", path=iid, body=reply_body)  # noqa: E731
        return {
            "reply": reply,
            "confirm": lambda: self.actor.api("confirmCallCenterInquiry", path=iid, body={"confirmBy": self.vendor_id}),
            **{
                event: lambda e=event: self.actor.control("POST", events, {"event": e})
                for event in ("customerDelete", "counsellorComplete", "counsellorClose")
            },
        }

    # ------------------------------------------------------------------ walking a lifecycle

    def _drive(
        self,
        lifecycle: Lifecycle,
        declared: str,
        read: Callable[[Tx], str],
        actions: dict[str, Callable[[], Any]],
    ) -> str:
        """Play events until the state read back is the declared one; re-plan after every event."""
        target = lifecycle.target(declared)
        if target is None:
            raise StepFailed((*self.current, "status"), f"unknown {lifecycle.name} status {declared!r}")
        tried: dict[str, set[str]] = {}
        for _ in range(MAX_STEPS):
            state = self.actor.read(read)
            if target(state):
                return state
            # an action that left the state as it was (the domain took another edge) is not tried again
            plan = lifecycle.plan(state, target, frozenset(tried.get(state, ())))
            if not plan:
                why = f" ({', '.join(sorted(tried[state]))} left it there)" if state in tried else ""
                raise StepFailed(
                    (*self.current, "status"),
                    f"the {lifecycle.name} is {state} and cannot be brought to {declared}{why}",
                )
            event = plan[0][0]
            action = lifecycle.actions[event]
            tried.setdefault(state, set()).add(action)
            try:
                actions[action]()
            except ApiError as err:
                raise StepFailed(
                    (*self.current, "status"), f"{action} ({state} → {declared}) was refused: {err.message}"
                ) from None
        raise StepFailed((*self.current, "status"), f"{declared} not reached after {MAX_STEPS} events")


def receipt_start(order_status: str) -> str:
    """Where a `returns` entry starts: the buyer's cancel of an acknowledged order awaits the seller's
    stop-shipment answer; anything shipped is a return request."""
    return receipts.RELEASE_STOP_UNCHECKED if order_status == orders.INSTRUCT else receipts.RETURNS_UNCHECKED


def _usable_center(tx: Tx, kind: str) -> int | None:
    """The vendor's first usable center of that kind (a scenario built on top of existing state)."""
    if kind == "outbound":
        outbound = logistics.first_domestic_outbound(tx)
        return int(outbound["outboundShippingPlaceCode"]) if outbound else None
    returns = logistics.first_usable_return(tx)
    return int(returns["returnCenterCode"]) if returns else None


def _box_status(tx: Tx, box_id: int) -> str:
    box = orders.get_box(tx, box_id)
    return str(box["status"]) if box else "NONE"
