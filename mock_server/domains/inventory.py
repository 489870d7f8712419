"""Option items (vendor items) as the order domain sees them: what can be sold, and stock.

The products domain writes `vendor-items` documents when an item is approved; orders take and
return stock through these functions only, so stock has one owner and cannot go negative.
Document (store kind "vendor-items", key vendorItemId):
    vendorItemId, sellerProductId, sellerProductName, itemName, salePrice, originalPrice,
    quantity (stock), onSale (bool), approved (bool), outboundShippingPlaceCode, returnCenterCode,
    deliveryChargeType, deliveryCharge, freeShipOverAmount, deliveryCompanyCode, externalVendorSku,
    maximumBuyCount, unitCount, …
"""

from __future__ import annotations

from typing import Any

from ..errors import ApiError
from ..store import Tx

KIND = "vendor-items"


def get_item(tx: Tx, vendor_item_id: int) -> dict[str, Any] | None:
    return tx.get(KIND, vendor_item_id)


def put_item(tx: Tx, item: dict[str, Any]) -> None:
    if item.get("quantity", 0) < 0:
        raise ValueError("stock cannot be negative")
    tx.put(KIND, item["vendorItemId"], item)


def sellable_item(tx: Tx, vendor_item_id: int, quantity: int) -> dict[str, Any]:
    """The item if a buyer can order `quantity` of it now; a 400 saying why otherwise."""
    item = get_item(tx, vendor_item_id)
    if item is None or not item.get("approved"):
        raise ApiError(400, f"vendorItemId {vendor_item_id} is not an approved item of this vendor")
    if not item.get("onSale", True):
        raise ApiError(400, f"vendorItemId {vendor_item_id} is not on sale")
    if quantity < 1 or item.get("quantity", 0) < quantity:
        raise ApiError(400, f"vendorItemId {vendor_item_id} has {item.get('quantity', 0)} in stock, {quantity} ordered")
    return item


def take_stock(tx: Tx, vendor_item_id: int, quantity: int) -> dict[str, Any]:
    item = sellable_item(tx, vendor_item_id, quantity)
    item["quantity"] -= quantity
    put_item(tx, item)
    return item


def return_stock(tx: Tx, vendor_item_id: int, quantity: int) -> None:
    item = get_item(tx, vendor_item_id)
    if item is None:  # the product was deleted meanwhile: nothing to restore
        return
    item["quantity"] = item.get("quantity", 0) + quantity
    put_item(tx, item)


def is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def item_quantities(raw: Any, default_quantity: int | None = None) -> dict[int, int]:
    """{"items": [{"vendorItemId", "quantity"}]} of a buyer action → {vendorItemId: quantity}."""
    if not isinstance(raw, list) or not raw:
        raise ApiError(400, 'items must be a non-empty list of {"vendorItemId", "quantity"}')
    wanted: dict[int, int] = {}
    for entry in raw:
        vid = entry.get("vendorItemId") if isinstance(entry, dict) else None
        qty = entry.get("quantity", default_quantity) if isinstance(entry, dict) else None
        if not is_positive_int(vid) or not is_positive_int(qty):
            raise ApiError(400, "each item needs an integer vendorItemId and a quantity >= 1")
        wanted[vid] = wanted.get(vid, 0) + qty
    return wanted
