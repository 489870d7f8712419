"""`coupang-mock trigger …` and `coupang-mock state …`: the counterparty's events and snapshots from a shell.

For integrators whose tests are not in Python: every subcommand is one control-plane call of a
running mock (`--base-url`, env COUPANG_MOCK_URL), prints the ids it created (`--json`: the whole
answer, for scripts) and exits 1 with the mock's own message when the call is refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import click
import requests

DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_VENDOR = "A00012345"
_DURATION = re.compile(r"^(-?\d+(?:\.\d+)?)([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass
class Mock:
    base_url: str
    vendor_id: str
    as_json: bool
    token: str | None

    def call(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        headers = {"X-Mock-Token": self.token} if self.token else {}
        url = f"{self.base_url.rstrip('/')}/_mock{path}"
        try:
            response = requests.request(method, url, json=body, params=params, headers=headers, timeout=60)
        except requests.RequestException as exc:
            raise click.ClickException(f"cannot reach the mock at {self.base_url}: {exc}") from None
        answer = _json(response)
        if response.status_code >= 300:
            message = answer.get("message") if isinstance(answer, dict) else response.text
            raise click.ClickException(f"{response.status_code}: {message}")
        return answer

    def vendor(self, path: str, body: Any = None, method: str = "POST") -> Any:
        return self.call(method, f"/vendors/{self.vendor_id}{path}", body)

    def show(self, answer: Any, *fields: str) -> None:
        """The whole answer with --json; otherwise one `name value` line per field of interest."""
        if self.as_json:
            click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
            return
        for name in fields:
            value = answer.get(name) if isinstance(answer, dict) else None
            if value is not None:
                shown = " ".join(str(v) for v in value) if isinstance(value, list) else value
                click.echo(f"{name} {shown}")


def _json(response: requests.Response) -> Any:
    try:
        return response.json() if response.content else {}
    except ValueError:
        return {"message": response.text.strip()}


def _mock(ctx: click.Context) -> Mock:
    return ctx.find_object(Mock)  # type: ignore[no-any-return]


def _common(func: Any) -> Any:
    options = [
        click.option("--base-url", envvar="COUPANG_MOCK_URL", default=DEFAULT_URL, show_default=True),
        click.option("--vendor-id", envvar="COUPANG_MOCK_VENDOR", default=DEFAULT_VENDOR, show_default=True),
        click.option("--json", "as_json", is_flag=True, help="Print the mock's whole answer as JSON."),
        click.option("--token", envvar="COUPANG_MOCK_CONTROL_TOKEN", default=None, help="X-Mock-Token, if set."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _items(specs: tuple[str, ...]) -> list[dict[str, int]]:
    """VENDOR_ITEM_ID[:QUANTITY] arguments → the buyer's item list."""
    items = []
    for spec in specs:
        vendor_item, _, quantity = spec.partition(":")
        if not vendor_item.isdigit() or (quantity and not quantity.isdigit()):
            raise click.BadParameter(f"{spec!r}: use VENDOR_ITEM_ID or VENDOR_ITEM_ID:QUANTITY")
        items.append({"vendorItemId": int(vendor_item), "quantity": int(quantity or 1)})
    return items


def _pairs(specs: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{spec!r}: use FIELD=VALUE (name, addr1, addr2, postCode, safeNumber)")
        found[key] = value
    return found


def _json_here(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        _mock(ctx).as_json = True


# `--json` is accepted after the subcommand too (`trigger order 123 --json`)
json_flag = click.option(
    "--json", "sub_json", is_flag=True, expose_value=False, callback=_json_here, help="Print the whole answer."
)


# ---------------------------------------------------------------- trigger


@click.group()
@_common
@click.pass_context
def trigger(ctx: click.Context, base_url: str, vendor_id: str, as_json: bool, token: str | None) -> None:
    """Play the buyer, the courier, Coupang's reviewer and CS against a running mock."""
    ctx.obj = Mock(base_url, vendor_id, as_json, token)


@trigger.command()
@json_flag
@click.argument("items", nargs=-1, required=True)
@click.option("--paid-at", default=None, help="ISO-8601 payment time (default: the vendor's clock).")
@click.pass_context
def order(ctx: click.Context, items: tuple[str, ...], paid_at: str | None) -> None:
    """A buyer orders ITEMS (VENDOR_ITEM_ID[:QUANTITY] …)."""
    body: dict[str, Any] = {"items": _items(items)}
    if paid_at:
        body["paidAt"] = paid_at
    _mock(ctx).show(_mock(ctx).vendor("/orders", body), "orderId", "shipmentBoxIds")


@trigger.command()
@json_flag
@click.argument("order_id")
@click.argument("items", nargs=-1)
@click.option("--reason", default=None, help="VOC reason code (default CHANGEMIND).")
@click.pass_context
def cancel(ctx: click.Context, order_id: str, items: tuple[str, ...], reason: str | None) -> None:
    """The buyer cancels ORDER_ID (the given ITEMS only, or everything)."""
    body: dict[str, Any] = {"items": _items(items)} if items else {}
    if reason:
        body["reason"] = reason
    answer = _mock(ctx).vendor(f"/orders/{order_id}/cancel", body)
    mock = _mock(ctx)
    mock.show(answer, "orderId")
    if not mock.as_json:
        for receipt in answer.get("receipts", []):
            click.echo(f"receiptId {receipt['receiptId']} {receipt['receiptStatus']}")


@trigger.command()
@json_flag
@click.argument("order_id")
@click.argument("fields", nargs=-1, required=True)
@click.pass_context
def address(ctx: click.Context, order_id: str, fields: tuple[str, ...]) -> None:
    """The buyer changes the delivery address of ORDER_ID: FIELD=VALUE … (name, addr1, addr2, postCode, safeNumber)."""
    answer = _mock(ctx).vendor(f"/orders/{order_id}/address", {"receiver": _pairs(fields)})
    _mock(ctx).show(answer, "orderId", "shipmentBoxIds")


@trigger.command()
@json_flag
@click.argument("order_id")
@click.pass_context
def confirm(ctx: click.Context, order_id: str) -> None:
    """The buyer confirms the purchase of ORDER_ID (구매확정)."""
    _mock(ctx).show(_mock(ctx).vendor(f"/orders/{order_id}/confirm"), "orderId", "confirmedShipmentBoxIds")


@trigger.command()
@json_flag
@click.argument("shipment_box_id")
@click.argument("event", type=click.Choice(["pickup", "deliver"]))
@click.pass_context
def ship(ctx: click.Context, shipment_box_id: str, event: str) -> None:
    """The courier picks SHIPMENT_BOX_ID up (DEPARTURE → DELIVERING) or delivers it (→ FINAL_DELIVERY)."""
    wire = {"pickup": "PICKED_UP", "deliver": "DELIVERED"}[event]
    answer = _mock(ctx).vendor(f"/shipments/{shipment_box_id}/track", {"event": wire})
    _mock(ctx).show(answer, "shipmentBoxId", "status")


def _claim(ctx: click.Context, kind: str, order_id: str, items: tuple[str, ...], reason: str) -> Any:
    return _mock(ctx).vendor(f"/orders/{order_id}/{kind}", {"items": _items(items), "reasonCode": reason})


@trigger.command(name="return")
@json_flag
@click.argument("order_id")
@click.argument("items", nargs=-1, required=True)
@click.option("--reason", default="CHANGEMIND", show_default=True, help="VOC reason code.")
@click.option("--pickup", is_flag=True, help="Also let the courier collect the goods.")
@click.pass_context
def return_(ctx: click.Context, order_id: str, items: tuple[str, ...], reason: str, pickup: bool) -> None:
    """The buyer returns ITEMS of ORDER_ID (VENDOR_ITEM_ID[:QUANTITY] …)."""
    answer = _claim(ctx, "returns", order_id, items, reason)
    if pickup:
        answer = _mock(ctx).vendor(f"/returns/{answer['receiptId']}/pickup")
    _mock(ctx).show(answer, "receiptId", "receiptStatus")


@trigger.command()
@json_flag
@click.argument("order_id")
@click.argument("items", nargs=-1, required=True)
@click.option("--reason", default="WRONGOPT", show_default=True, help="VOC reason code.")
@click.pass_context
def exchange(ctx: click.Context, order_id: str, items: tuple[str, ...], reason: str) -> None:
    """The buyer asks to exchange ITEMS of ORDER_ID."""
    _mock(ctx).show(_claim(ctx, "exchanges", order_id, items, reason), "exchangeId", "exchangeStatus", "collectStatus")


@trigger.command()
@json_flag
@click.argument("claim_id")
@click.option("--exchange", "is_exchange", is_flag=True, help="CLAIM_ID is an exchangeId (default: a receiptId).")
@click.pass_context
def withdraw(ctx: click.Context, claim_id: str, is_exchange: bool) -> None:
    """The buyer withdraws a return (receiptId) or, with --exchange, an exchange."""
    kind = "exchanges" if is_exchange else "returns"
    answer = _mock(ctx).vendor(f"/{kind}/{claim_id}/withdraw")
    _mock(ctx).show(answer, "receiptId", "receiptStatus", "exchangeId", "exchangeStatus")


@trigger.command()
@json_flag
@click.option("--kind", type=click.Choice(["ONLINE", "CALL_CENTER"]), default="ONLINE", show_default=True)
@click.option("--content", default=None, help="The question (a new inquiry).")
@click.option("--item", "vendor_item_id", type=int, default=None, help="vendorItemId asked about.")
@click.option("--order", "order_id", type=int, default=None, help="orderId asked about.")
@click.option("--transfer", is_flag=True, help="CALL_CENTER: transferred for confirmation (TRANSFER).")
@click.option("--id", "inquiry_id", default=None, help="An existing inquiry, with --event.")
@click.option("--event", type=click.Choice(["customerDelete", "counsellorComplete", "counsellorClose"]), default=None)
@click.pass_context
def inquiry(
    ctx: click.Context,
    kind: str,
    content: str | None,
    vendor_item_id: int | None,
    order_id: int | None,
    transfer: bool,
    inquiry_id: str | None,
    event: str | None,
) -> None:
    """A customer asks (--content …), or an existing inquiry gets a customer/counsellor --event."""
    mock = _mock(ctx)
    if event or inquiry_id:
        if not (event and inquiry_id):
            raise click.UsageError("--id and --event go together")
        mock.show(mock.vendor(f"/inquiries/{inquiry_id}/events", {"event": event}), "inquiryId", "state")
        return
    body: dict[str, Any] = {"kind": kind, "content": content or ""}
    if vendor_item_id is not None:
        body["vendorItemId"] = vendor_item_id
    if order_id is not None:
        body["orderId"] = order_id
    if transfer:
        body["status"] = "TRANSFER"
    mock.show(mock.vendor("/inquiries", body), "inquiryId", "kind", "state")


@trigger.command()
@json_flag
@click.argument("seller_product_id")
@click.option(
    "--decision",
    type=click.Choice(["APPROVE", "DENY", "PARTIAL_APPROVE", "START_REVIEW"]),
    default="APPROVE",
    show_default=True,
)
@click.option("--reason", default=None)
@click.pass_context
def review(ctx: click.Context, seller_product_id: str, decision: str, reason: str | None) -> None:
    """Coupang's reviewer decides SELLER_PRODUCT_ID now."""
    body = {"decision": decision, **({"reason": reason} if reason else {})}
    answer = _mock(ctx).vendor(f"/products/{seller_product_id}/review", body)
    _mock(ctx).show(answer, "sellerProductId", "status", "vendorItemIds")


def _seconds(text: str) -> float:
    found = _DURATION.match(text.strip())
    if not found:
        raise click.BadParameter(f"{text!r}: use seconds or a number with s, m, h or d (90m, 2d)")
    return float(found.group(1)) * _UNITS[found.group(2)]


@trigger.command()
@json_flag
@click.option("--advance", default=None, help="Move forward: seconds, or 90m, 6h, 2d.")
@click.option("--set", "moment", default=None, help="Set to an ISO-8601 time with offset.")
@click.option("--global", "global_clock", is_flag=True, help="Every vendor's clock, not only --vendor-id's.")
@click.pass_context
def clock(ctx: click.Context, advance: str | None, moment: str | None, global_clock: bool) -> None:
    """Read or move the test clock (timed behaviour catches up at once)."""
    mock = _mock(ctx)
    scope = {} if global_clock else {"vendorId": mock.vendor_id}
    if advance is not None and moment is not None:
        raise click.UsageError("give --advance or --set, not both")
    if advance is not None:
        answer = mock.call("POST", "/clock", {"advanceSeconds": _seconds(advance), **scope})
    elif moment is not None:
        answer = mock.call("POST", "/clock", {"now": moment, **scope})
    else:
        answer = mock.call("GET", "/clock", params=scope or None)
    mock.show(answer, "now")


# ---------------------------------------------------------------- state


@click.group()
def state() -> None:
    """Snapshots of one vendor's whole state: export from a running mock, import into one."""


@state.command(name="export")
@_common
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None, help="Default: stdout.")
def export_state(base_url: str, vendor_id: str, as_json: bool, token: str | None, output: str | None) -> None:
    """Write the vendor's snapshot (JSON)."""
    snapshot = Mock(base_url, vendor_id, as_json, token).vendor("/snapshot", method="GET")
    text = json.dumps(snapshot, ensure_ascii=False, indent=1)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        click.echo(f"{vendor_id}: {sum(len(d) for d in snapshot['documents'].values())} documents → {output}", err=True)
    else:
        click.echo(text)


@state.command(name="import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@_common
def import_state(file: Any, base_url: str, vendor_id: str, as_json: bool, token: str | None) -> None:
    """Restore a snapshot FILE ("-" for stdin) into its vendor (or --vendor-id)."""
    try:
        snapshot = json.load(file)
    except ValueError as exc:
        raise click.ClickException(f"{file.name}: not JSON ({exc})") from None
    target = _snapshot_vendor(snapshot, vendor_id)
    answer = Mock(base_url, target, as_json, token).vendor("/snapshot", snapshot, method="PUT")
    Mock(base_url, target, as_json, token).show(answer, "vendorId", "now", "documents")


def _snapshot_vendor(snapshot: Any, given: str) -> str:
    """--vendor-id when given (option or environment), else the snapshot's own vendor."""
    source = click.get_current_context().get_parameter_source("vendor_id")
    inside = snapshot.get("vendor", {}).get("vendorId") if isinstance(snapshot, dict) else None
    if source == click.core.ParameterSource.DEFAULT and isinstance(inside, str):
        return inside
    return given
