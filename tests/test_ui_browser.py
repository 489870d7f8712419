"""The dashboard in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

One server and one browser for the module; each test opens the page for its own vendor. Screenshots
of every page land in tests/artifacts/ui/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from coupang_mock.client import CoupangClient, RetryPolicy
from coupang_mock.client.signing import sign
from coupang_mock.server.app import create_app
from coupang_mock.server.server import RunningServer, start_in_thread
from coupang_mock.server.settings import Settings

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts" / "ui"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-nanum)", allow_module_level=True)


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    running = start_in_thread(create_app(Settings(throttle_enabled=False)))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def vendor(server: RunningServer) -> dict[str, str]:
    created: dict[str, str] = requests.post(f"{server.base_url}/_mock/vendors", json={}, timeout=10).json()
    return created


@pytest.fixture
def page(browser: Any, server: RunningServer, vendor: dict[str, str]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ko-KR")
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def open_ui(page: Any, server: RunningServer, vendor: dict[str, str], fragment: str) -> None:
    page.goto(f"{server.base_url}/_mock/ui?vendorId={vendor['vendorId']}#{fragment}")
    page.wait_for_selector("body[data-ready='1']")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def client_for(server: RunningServer, vendor: dict[str, str]) -> CoupangClient:
    return CoupangClient(
        vendor["accessKey"],
        vendor["secretKey"],
        vendor["vendorId"],
        base_url=server.base_url,
        retry=RetryPolicy(max_retries=0),
    )


def test_order_placed_acknowledged_and_delivered_from_the_dashboard(
    page: Any, server: RunningServer, vendor: dict[str, str]
) -> None:
    open_ui(page, server, vendor, "state/boxes")
    page.click("text=Create a sellable item")
    page.wait_for_function("document.querySelector('input[name=vendorItemId]').value !== ''")
    page.click("#place-order")
    row = page.locator("#state-table tbody tr").first
    row.wait_for()
    box_id = row.get_attribute("data-id")
    assert page.locator("#record-state").inner_text() == "ACCEPT"
    shot(page, "state-order-accept")

    client = client_for(server, vendor)  # the page stays open on the order while the client works
    sheet = client.orders.get_ordersheet_by_shipmentboxid(shipment_box_id=int(box_id))
    order_id = (sheet.get("data") or sheet)["orderId"] if isinstance(sheet, dict) else None
    assert order_id
    client.orders.acknowledge_ordersheets(body={"vendorId": vendor["vendorId"], "shipmentBoxIds": [int(box_id)]})
    page.wait_for_selector("#record-state:text-is('INSTRUCT')")  # followed without a reload
    page.wait_for_selector("#status-chips button[data-status='INSTRUCT']:has-text('INSTRUCT 1')")

    # the client's calls arrive in the journal, the newest first
    page.click("a[data-tab=journal]")
    page.wait_for_selector("#journal-table td:has-text('acknowledgeOrdersheets')")
    page.locator("#journal-table tr", has_text="getOrdersheetByShipmentboxid").click()
    page.wait_for_selector("#journal-detail pre.response")
    assert str(order_id) in page.locator("#journal-detail pre.response").inner_text()
    assert "signature=" in page.locator("#journal-detail").inner_text()
    assert re.search(r"signature=[0-9a-f]{4}…", page.locator("#journal-detail").inner_text())
    shot(page, "journal-detail")

    # back in the state view the order moves to delivered by buttons only
    page.click("a[data-tab=state]")
    page.locator(f"#state-table tr[data-id='{box_id}']").click()
    page.wait_for_selector("#record-state:text-is('INSTRUCT')")
    page.click("button[data-action^='upload invoice']")
    page.wait_for_selector("#record-state:text-is('DEPARTURE')")
    page.click("button[data-action='courier picks up']")
    page.wait_for_selector("#record-state:text-is('DELIVERING')")
    page.click("button[data-action='courier delivers']")
    page.wait_for_selector("#record-state:text-is('FINAL_DELIVERY')")
    history = page.locator("#state-detail table").inner_text()
    for status in ("ACCEPT", "INSTRUCT", "DEPARTURE", "DELIVERING", "FINAL_DELIVERY"):
        assert status in history
    assert page.locator("button[data-action='buyer returns']").is_visible()
    shot(page, "state-order-delivered")


def test_a_wrong_signature_is_explained_in_the_journal_and_the_debugger(
    page: Any, server: RunningServer, vendor: dict[str, str]
) -> None:
    path = f"/v2/providers/openapi/apis/api/v5/vendors/{vendor['vendorId']}/ordersheets"
    query = "createdAtFrom=2026-03-01&createdAtTo=2026-03-02&status=ACCEPT"
    open_ui(page, server, vendor, "journal?status=401")  # watching live while the client calls
    wrong = sign(vendor["accessKey"], vendor["secretKey"], "GET", path, "?" + query)  # the classic '?' mistake
    assert (
        requests.get(f"{server.base_url}{path}?{query}", headers={"Authorization": wrong}, timeout=10).status_code
        == 401
    )

    page.locator("#journal-table tbody tr").first.click()  # arrived without a reload
    page.wait_for_selector("#journal-detail .diff")
    assert page.locator("#journal-detail mark.got").inner_text() == "?"
    assert "✗ signature" in page.locator("#journal-detail ul.checks").inner_text()
    assert "leading '?'" in page.locator("#journal-detail .hint").inner_text()
    shot(page, "journal-401")

    page.click("a[data-tab=debugger]")
    page.fill("textarea[name=authorization]", wrong)
    page.select_option("select[name=method]", "GET")
    page.fill("input[name=path]", path)
    page.fill("input[name=query]", query)
    page.click("text=Check signature")
    page.wait_for_selector("#debugger-result .diff")
    checks = page.locator("#debugger-result ul.checks").inner_text()
    assert "✓ accessKey" in checks and "✗ signature" in checks
    assert page.locator("#debugger-result mark.got").inner_text() == "?"
    assert page.locator("#debugger-result mark.exp").inner_text() == ""
    shot(page, "debugger")

    # the same refusal picked from the journal instead of pasted
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.select_option("#debugger-recent", index=1)
    page.wait_for_selector("#debugger-result .hint")
    assert page.input_value("input[name=path]") == path and page.input_value("input[name=query]") == query
    assert "leading '?'" in page.locator("#debugger-result .hint").inner_text()


def test_reviewer_and_counsellor_buttons_move_products_and_inquiries(
    page: Any, server: RunningServer, vendor: dict[str, str]
) -> None:
    open_ui(page, server, vendor, "state/products")
    page.click("text=Seller registers a product")  # saved, not yet sent to review
    row = page.locator("#state-table tbody tr").first
    row.wait_for()
    row.click()
    page.click("button[data-action^='request approval']")  # the seller's signed API call
    page.wait_for_selector("button[data-action='reviewer approves']")
    page.click("button[data-action='reviewer approves']")
    page.wait_for_selector("#record-state:text-is('APPROVED')")
    assert "승인완료" in page.locator("#state-detail table").inner_text()
    shot(page, "state-product-approved")

    page.click("#kinds a:has-text('Inquiries')")
    page.click("text=CS transfers a call")
    page.locator("#state-table tbody tr").first.click()
    page.wait_for_selector("#record-state:text-is('REQUEST_ANSWER')")
    page.click("button[data-action='counsellor completes']")
    page.wait_for_selector("#record-state:text-is('COMPLETE')")
    assert page.locator("#state-detail .actions").count() == 0
    shot(page, "state-inquiry")


def test_clock_advances_and_a_fault_is_added_and_removed(
    page: Any, server: RunningServer, vendor: dict[str, str]
) -> None:
    open_ui(page, server, vendor, "clock")
    row = page.locator(f"#clock-table tr[data-vendor='{vendor['vendorId']}']")
    before = row.locator(".clock-now").inner_text()
    row.locator("button[data-advance='86400']").click()
    page.wait_for_function(
        "([sel, old]) => document.querySelector(sel).innerText !== old",
        arg=[f"#clock-table tr[data-vendor='{vendor['vendorId']}'] .clock-now", before],
    )
    clock = requests.get(f"{server.base_url}/_mock/clock", params={"vendorId": vendor["vendorId"]}, timeout=10).json()
    assert row.locator(".clock-now").inner_text()[:10] == clock["now"][:10] != before[:10]

    page.fill("#fault-form input[name=operationId]", "listOrdersheets")
    page.select_option("#fault-form select[name=preset]", "upstream-521")
    page.click("text=Add fault")
    fault_row = page.locator("#fault-table tr[data-fault]")
    fault_row.wait_for()
    assert "listOrdersheets" in fault_row.inner_text() and "upstream-521" in fault_row.inner_text()
    rules = requests.get(f"{server.base_url}/_mock/faults", timeout=10).json()
    assert [(r["operationId"], r["vendorId"]) for r in rules] == [("listOrdersheets", vendor["vendorId"])]
    shot(page, "clock-faults")
    fault_row.locator("text=Remove").click()
    page.wait_for_selector("#fault-table tr[data-fault]", state="detached")
    assert requests.get(f"{server.base_url}/_mock/faults", timeout=10).json() == []

    # throttle: set for this vendor, then back to the server's defaults
    page.check("#throttle-form input[name=enabled]")
    page.fill("#throttle-form input[name=ratePerSecond]", "2")
    page.click("text=Save for this vendor")
    throttle = f"{server.base_url}/_mock/ui/api/throttle?vendorId={vendor['vendorId']}"
    page.wait_for_selector("#flash div:has-text('throttle saved')")
    assert requests.get(throttle, timeout=10).json()["ratePerSecond"] == 2
    page.click("text=Back to the server defaults")
    page.wait_for_function("document.querySelector('#throttle-form [name=ratePerSecond]').value === '10'")
    assert requests.get(throttle, timeout=10).json()["enabled"] is False  # the server runs with throttle off


def test_coverage_draws_every_machine_with_exercised_edges(
    page: Any, server: RunningServer, vendor: dict[str, str]
) -> None:
    base = f"{server.base_url}/_mock/vendors/{vendor['vendorId']}"
    item = requests.post(
        f"{base}/catalog/items",
        json={"items": [{"itemName": "커버리지", "salePrice": 1000, "quantity": 5}]},
        timeout=10,
    ).json()
    order = requests.post(
        f"{base}/orders", json={"items": [{"vendorItemId": item["vendorItemIds"][0], "quantity": 1}]}, timeout=10
    ).json()
    requests.post(f"{base}/orders/{order['orderId']}/cancel", json={}, timeout=10).raise_for_status()

    open_ui(page, server, vendor, "coverage")
    page.wait_for_selector("svg.machine[data-machine='shipment-box']")
    machines = requests.get(f"{server.base_url}/_mock/transitions", timeout=10).json()
    assert page.locator("svg.machine").count() == len(machines)
    covered = page.locator("svg.machine[data-machine='shipment-box'] g.edge.covered")
    assert covered.count() >= 1
    assert (
        page.locator(
            "svg.machine[data-machine='shipment-box'] g.edge.covered[data-edge='ACCEPT|cancelAll|CANCELED']"
        ).count()
        == 1
    )
    shot(page, "coverage")


def test_docs_page_renders_markdown_searches_and_links_to_the_dashboard(page: Any, server: RunningServer) -> None:
    page.goto(f"{server.base_url}/_mock/docs")
    page.wait_for_selector("#search")
    # prose is rendered: no Markdown markers left outside the JSON examples (which mask data with ***)
    prose = page.evaluate(
        "() => { const m = document.querySelector('main').cloneNode(true);"
        " m.querySelectorAll('pre').forEach((p) => p.remove()); return m.textContent; }"
    )
    assert "**" not in prose and "`" not in prose
    assert page.locator("main strong").count() > 0 and page.locator("main li").count() > 0
    assert page.locator("main code").count() > 100
    page.fill("#search", "acknowledge")
    page.wait_for_function("document.querySelectorAll('.op:not([hidden])').length < 10")
    visible = page.locator(".op:not([hidden])")
    assert 0 < visible.count() < 10
    assert page.locator("#acknowledgeOrdersheets").is_visible()
    link = page.locator("#acknowledgeOrdersheets a.dashboard")
    assert link.get_attribute("href") == "/_mock/ui#journal?operationId=acknowledgeOrdersheets"
    shot(page, "docs-search")
    page.fill("#search", "mockPlaceOrder")
    page.wait_for_selector("#mockPlaceOrder:not([hidden])")
    shot(page, "docs-control-plane")
