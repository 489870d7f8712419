// coupang-mock dashboard: plain DOM, no framework, no network beyond this mock's own /_mock routes.
"use strict";

const TOKEN = document.querySelector('meta[name="mock-token"]').content;
const $ = (sel, root = document) => root.querySelector(sel);
const ui = { tab: "journal", vendor: "", kind: "boxes", status: "", journalId: null, recordId: null, timer: null, lastJournal: "" };

// ---------------------------------------------------------------- helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Coupang ids reach 18 digits (shipmentBoxId), past a JS number's 2^53: keep them exact as BigInt on the
// way in (JSON.parse source access) and write them back as raw digits on the way out (JSON.rawJSON).
const parseJSON = (text) => JSON.parse(text, (_key, value, context) =>
  (typeof value === "number" && !Number.isSafeInteger(value) && context && /^-?\d+$/.test(context.source) ? BigInt(context.source) : value));
const toJSON = (value, indent) => JSON.stringify(value, (_key, v) =>
  (typeof v === "bigint" ? (JSON.rawJSON ? JSON.rawJSON(v.toString()) : v.toString()) : v), indent);

async function api(method, url, body) {
  const headers = {};
  if (TOKEN) headers["X-Mock-Token"] = TOKEN;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : toJSON(body) });
  const text = await response.text();
  let data = text;
  try { data = text ? parseJSON(text) : null; } catch (_e) { /* plain text answer (curl line, svg) */ }
  if (!response.ok) {
    const message = data && data.message ? data.message : text;
    throw new Error(`${method} ${url} → ${response.status}: ${message}`);
  }
  return data;
}

function flash(message, error = false) {
  const box = el("div", { class: error ? "error" : "" }, message);
  $("#flash").append(box);
  setTimeout(() => box.remove(), error ? 8000 : 3500);
}

const guarded = (fn) => async (...args) => {
  try { return await fn(...args); } catch (err) { flash(err.message, true); return undefined; }
};

function pretty(text) {
  if (text === null || text === undefined || text === "") return "";
  try { return toJSON(parseJSON(text), 2); } catch (_e) { return String(text); }
}

const time = (iso) => (iso ? iso.replace("T", " ").replace(/\.\d+/, "").replace("+00:00", "Z") : "");
const kst = (iso) => new Date(iso).toLocaleString("ko-KR", { timeZone: "Asia/Seoul", hour12: false });
const statusClass = (code) => `s${String(code || "")[0] || ""}`;
const V = (path) => `/_mock/vendors/${encodeURIComponent(ui.vendor)}${path}`;

// replaceChildren() would print null as text: optional parts of a view are left out instead.
function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

function kv(rows) {
  return el("dl", { class: "kv" }, Object.entries(rows).flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v === null || v === undefined ? "" : String(v))]));
}

// ---------------------------------------------------------------- routing (#tab/arg?query)

function parseHash() {
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const [tab, ...rest] = (path || "journal").split("/");
  return { tab, rest, query: new URLSearchParams(query || "") };
}

async function route() {
  const { tab, rest, query } = parseHash();
  ui.tab = ["journal", "debugger", "state", "clock", "coverage"].includes(tab) ? tab : "journal";
  document.querySelectorAll(".tab").forEach((s) => s.classList.toggle("active", s.id === `tab-${ui.tab}`));
  document.querySelectorAll("#tabs a[data-tab]").forEach((a) => a.classList.toggle("active", a.dataset.tab === ui.tab));
  clearInterval(ui.timer);
  if (ui.tab === "journal") {
    const form = $("#journal-filter");
    if (query.has("operationId")) form.operationId.value = query.get("operationId");
    if (query.has("status")) form.status.value = query.get("status");
    ui.journalId = rest[0] ? Number(rest[0]) : null;
    await loadJournal(true);
    if (ui.journalId) await showEntry(ui.journalId);
    ui.timer = setInterval(() => { if ($("#journal-filter").live.checked) loadJournal(false); }, 1000);
  } else if (ui.tab === "debugger") {
    await loadRefused();
    if (rest[0]) { $("#debugger-form").journalId.value = rest[0]; await loadDebuggerEntry(); }
  } else if (ui.tab === "state") {
    ui.kind = rest[0] || ui.kind;
    ui.recordId = rest[1] || null;
    if (query.has("status")) ui.status = query.get("status");
    await loadState();
    if (ui.recordId) await showRecord(ui.recordId);
    ui.timer = setInterval(refreshRecord, 2000);
  } else if (ui.tab === "clock") {
    await loadClockTab();
    ui.timer = setInterval(loadClocks, 2000);
  } else if (ui.tab === "coverage") {
    await loadCoverage();
  }
}

// ---------------------------------------------------------------- vendors

async function loadVendors() {
  const vendors = await api("GET", "/_mock/vendors");
  const select = $("#vendor");
  const asked = new URLSearchParams(location.search).get("vendorId");
  const keep = ui.vendor || asked || localStorage.getItem("coupangMockVendor") || (vendors[0] && vendors[0].vendorId) || "";
  select.replaceChildren(...vendors.map((v) => el("option", { value: v.vendorId, selected: v.vendorId === keep }, v.vendorId)));
  ui.vendor = vendors.some((v) => v.vendorId === keep) ? keep : (vendors[0] && vendors[0].vendorId) || "";
  select.value = ui.vendor;
}

// ---------------------------------------------------------------- journal

async function loadJournal(force) {
  const form = $("#journal-filter");
  const params = new URLSearchParams({ limit: "300" });
  if (!form.allVendors.checked && ui.vendor) params.set("vendorId", ui.vendor);
  if (form.status.value.trim()) params.set("status", form.status.value.trim());
  if (form.operationId.value.trim()) params.set("operationId", form.operationId.value.trim());
  const rows = await api("GET", `/_mock/ui/api/journal?${params}`);
  const signature = JSON.stringify(rows.map((r) => r.id)) + params;
  if (!force && signature === ui.lastJournal) return;
  ui.lastJournal = signature;
  $("#journal-count").textContent = `${rows.length} request(s)`;
  $("#journal-table tbody").replaceChildren(...rows.map((r) => el("tr", {
    "data-id": r.id, class: r.id === ui.journalId ? "selected" : "",
    onclick: () => { location.hash = `#journal/${r.id}`; },
  },
  el("td", {}, r.id), el("td", { class: "mono nowrap" }, time(r.at).slice(11)), el("td", {}, r.method),
  el("td", { class: "path" }, r.path + (r.query ? `?${r.query}` : "")), el("td", {}, r.operationId || "—"),
  el("td", { class: statusClass(r.status) }, r.status),
  el("td", {}, r.vendorId || (r.keyVendorId ? el("span", { class: "muted", title: "refused; signed with this vendor's key" }, `(${r.keyVendorId})`) : "")),
  el("td", {}, r.auth === "ok" ? el("span", { class: "badge ok" }, "ok") : el("span", { class: "badge bad" }, r.auth || "—")),
  el("td", {}, r.latencyMs ?? ""))));
}

function checksList(checks) {
  return el("ul", { class: "checks" }, (checks || []).map((c) => el("li", { class: c.ok ? "" : "fail" },
    el("b", {}, `${c.ok ? "✓" : "✗"} ${c.check}`), " ", c.detail)));
}

function diffView(expected, received, diff) {
  if (!expected) return null;
  if (!received) {
    return el("div", { class: "diff" },
      el("div", {}, el("span", { class: "who" }, "expected"), expected),
      el("div", {}, el("span", { class: "who" }, "signed"), el("i", {}, "unknown — no usual variant matches the signature (wrong secret key?)")));
  }
  const d = diff || { prefix: expected, expected: "", received: "", suffix: "" };
  return el("div", { class: "diff" },
    el("div", {}, el("span", { class: "who" }, "expected"), d.prefix, el("mark", { class: "exp" }, d.expected), d.suffix),
    el("div", {}, el("span", { class: "who", title: "what the client signed (found among the usual mistakes)" }, "signed"), d.prefix, el("mark", { class: "got" }, d.received), d.suffix));
}

async function showEntry(id) {
  const entry = await api("GET", `/_mock/journal/${id}`);
  document.querySelectorAll("#journal-table tr").forEach((tr) => tr.classList.toggle("selected", Number(tr.dataset.id) === id));
  const curlBox = el("pre", { class: "curl", hidden: true });
  const copyCurl = guarded(async () => {
    const line = await api("GET", `/_mock/journal/${id}/curl`);
    curlBox.textContent = line;
    curlBox.hidden = false;
    try { await navigator.clipboard.writeText(line); flash("curl line copied (signed now, valid ±5 min)"); } catch (_e) { flash("curl line below (clipboard not available)"); }
  });
  const is401 = entry.status === 401;
  $("#journal-detail").classList.remove("muted");
  fill($("#journal-detail"),
    el("h3", {}, `#${entry.id} ${entry.method} `, el("span", { class: "mono" }, entry.path)),
    el("div", { class: "row" },
      el("button", { type: "button", onclick: copyCurl }, "Copy as curl (re-signed)"),
      el("button", { type: "button", class: "secondary", onclick: () => { location.hash = `#debugger/${id}`; } }, "Open in HMAC debugger")),
    curlBox,
    kv({ operationId: entry.operationId || "— (no route)", status: entry.status, vendor: entry.vendorId || (entry.keyVendorId ? `${entry.keyVendorId} (key owner; refused)` : ""), auth: entry.auth || "", latency: `${entry.latencyMs} ms`, at: entry.at }),
    is401 ? el("h3", {}, "Why 401") : null,
    is401 ? checksList(entry.authChecks) : null,
    is401 ? diffView(entry.expectedStringToSign, entry.receivedStringToSign, entry.stringToSignDiff) : null,
    is401 && entry.authHint ? el("p", { class: "hint" }, entry.authHint) : null,
    el("h3", {}, "Request headers"), kv(entry.requestHeaders || {}),
    entry.query ? el("h3", {}, "Query") : null,
    entry.query ? kv(Object.fromEntries(new URLSearchParams(entry.query))) : null,
    entry.requestBody ? el("h3", {}, "Request body", entry.requestBodyTruncated ? " (truncated)" : "") : null,
    entry.requestBody ? el("pre", {}, pretty(entry.requestBody)) : null,
    el("h3", {}, `Response ${entry.status}`, entry.responseBodyTruncated ? " (truncated)" : ""),
    el("pre", { class: "response" }, pretty(entry.responseBody)));
}

// ---------------------------------------------------------------- HMAC debugger

function renderDiagnosis(report) {
  fill($("#debugger-result"),
    el("h3", {}, "Checks"), checksList(report.checks),
    report.expectedStringToSign ? el("h3", {}, "String-to-sign") : null,
    diffView(report.expectedStringToSign, report.receivedStringToSign, report.diff),
    report.hint ? el("p", { class: "hint" }, report.hint) : null);
}

const checkSignature = guarded(async (event) => {
  event.preventDefault();
  const form = $("#debugger-form");
  const report = await api("POST", "/_mock/auth/diagnose", {
    authorization: form.authorization.value.trim(), method: form.method.value,
    path: form.path.value.trim(), query: form.query.value.trim().replace(/^\?/, ""),
  });
  renderDiagnosis(report);
});

async function loadRefused() {
  const params = new URLSearchParams({ status: "401", limit: "30" });
  if (ui.vendor) params.set("vendorId", ui.vendor);
  const rows = await api("GET", `/_mock/ui/api/journal?${params}`);
  $("#debugger-recent").replaceChildren(el("option", { value: "" }, rows.length ? "recent refused requests…" : "no refused request yet"),
    ...rows.map((r) => el("option", { value: r.id }, `#${r.id} ${time(r.at).slice(11)} ${r.method} ${r.operationId || r.path} — ${r.auth}`)));
}

const loadDebuggerEntry = guarded(async () => {
  const form = $("#debugger-form");
  const report = await api("POST", "/_mock/auth/diagnose", { journalId: Number(form.journalId.value) });
  const req = report.request || {};
  form.method.value = req.method || "GET";
  form.path.value = req.path || "";
  form.query.value = req.query || "";
  form.authorization.value = req.authorization || "";
  renderDiagnosis(report);
});

// ---------------------------------------------------------------- state

const KIND_TITLES = { boxes: "Orders", receipts: "Returns / cancels", exchanges: "Exchanges", products: "Products", inquiries: "Inquiries", coupons: "Coupons" };

function toolbar() {
  const bar = $("#state-toolbar");
  const item = el("input", { name: "vendorItemId", size: 14, placeholder: "vendorItemId", value: localStorage.getItem("coupangMockItem") || "" });
  const qty = el("input", { name: "quantity", size: 3, value: "1" });
  const remember = (id) => { item.value = id; localStorage.setItem("coupangMockItem", id); };
  const makeItem = guarded(async () => {
    const made = await api("POST", V("/catalog/items"), { items: [{ itemName: "대시보드 테스트 상품", salePrice: 12000, quantity: 100 }] });
    remember(made.vendorItemIds[0]);
    flash(`sellable item ${made.vendorItemIds[0]} created`);
  });
  const placeOrder = guarded(async () => {
    const order = await api("POST", V("/orders"), { items: [{ vendorItemId: Number(item.value), quantity: Number(qty.value) }] });
    flash(`buyer paid: order ${order.orderId}, boxes ${order.shipmentBoxIds.join(", ")}`);
    location.hash = `#state/boxes/${order.shipmentBoxIds[0]}`;  // the route shows the list and the new box
  });
  const after = (what) => async (result) => { if (result) { flash(what(result)); await loadState(); } };
  const tools = {
    boxes: [el("button", { type: "button", class: "secondary", onclick: makeItem }, "Create a sellable item"), item, "×", qty,
      el("button", { type: "button", id: "place-order", onclick: placeOrder }, "Buyer places order")],
    products: [el("button", { type: "button", onclick: guarded(async () => after((r) => `product ${r.sellerProductId} saved (임시저장): request approval to send it to the reviewer`)(await api("POST", V("/catalog/quick-product"), { approve: false }))) }, "Seller registers a product (임시저장)")],
    inquiries: [item,
      el("button", { type: "button", onclick: guarded(async () => after((r) => `inquiry ${r.inquiryId}`)(await api("POST", V("/inquiries"), { kind: "ONLINE", content: "배송은 언제 되나요?", vendorItemId: Number(item.value) }))) }, "Customer asks about the item"),
      el("button", { type: "button", class: "secondary", onclick: guarded(async () => after((r) => `call-center case ${r.inquiryId}`)(await api("POST", V("/inquiries"), { kind: "CALL_CENTER", content: "고객 전화 문의: 배송 지연" }))) }, "CS transfers a call")],
    receipts: [el("span", { class: "muted" }, "Returns and cancellations start from an order (buyer cancels / returns).")],
    exchanges: [el("span", { class: "muted" }, "Exchanges start from a delivered order (buyer asks for an exchange).")],
    coupons: [el("span", { class: "muted" }, "Instant coupons are created with the coupon API; their buyer events are here.")],
  };
  bar.replaceChildren(...(tools[ui.kind] || []));
}

async function loadState() {
  if (!ui.vendor) return;
  const kinds = Object.keys(KIND_TITLES);
  $("#kinds").replaceChildren(...kinds.map((k) => el("a", { href: `#state/${k}`, class: k === ui.kind ? "active" : "", onclick: () => { ui.status = ""; } }, KIND_TITLES[k])));
  if (!$("#state-toolbar").dataset.kind || $("#state-toolbar").dataset.kind !== ui.kind) { toolbar(); $("#state-toolbar").dataset.kind = ui.kind; }
  const params = ui.status ? `?status=${encodeURIComponent(ui.status)}` : "";
  const data = await api("GET", `/_mock/ui/api/vendors/${ui.vendor}/state/${ui.kind}${params}`);
  $("#status-chips").replaceChildren(
    el("button", { type: "button", class: ui.status ? "" : "active", onclick: () => { ui.status = ""; loadState(); } }, `all ${data.total}`),
    ...data.statuses.map((s) => el("button", { type: "button", "data-status": s.status, class: ui.status === s.status ? "active" : "", onclick: () => { ui.status = s.status; loadState(); } }, `${s.status} ${s.count}`)));
  $("#state-table tbody").replaceChildren(...data.records.map((r) => el("tr", {
    "data-id": r.id, class: String(r.id) === String(ui.recordId) ? "selected" : "",
    onclick: () => { location.hash = `#state/${ui.kind}/${r.id}`; },
  }, el("td", { class: "mono" }, r.id), el("td", {}, el("span", { class: "badge" }, r.state)), el("td", {}, r.label), el("td", { class: "mono" }, time(r.createdAt)))));
}

// The open record follows changes made elsewhere (your client's calls, timed transitions): one by-id
// read every 2 s, redrawn (with the list) only when the record changed.
let refreshing = false;
async function refreshRecord() {
  if (!ui.recordId || refreshing) return;
  refreshing = true;
  try {
    const rec = await api("GET", `/_mock/ui/api/vendors/${ui.vendor}/state/${ui.kind}/${ui.recordId}?only=record`);
    if (toJSON(rec.record) !== ui.shownRecord) { await loadState(); await showRecord(ui.recordId); }
  } catch (_e) { /* the record may be gone after a reset: the next click reports it */ } finally { refreshing = false; }
}

async function showRecord(id) {
  const rec = await api("GET", `/_mock/ui/api/vendors/${ui.vendor}/state/${ui.kind}/${id}`);
  ui.shownRecord = toJSON(rec.record);
  document.querySelectorAll("#state-table tr").forEach((tr) => tr.classList.toggle("selected", tr.dataset.id === String(id)));
  const act = (action) => guarded(async () => {
    const result = await api(action.method, action.url, action.body);
    const failed = result && typeof result.status === "number" && result.status >= 400;
    flash(`${action.label}: ${failed ? `refused ${result.status} ${toJSON(result.body)}` : "done"}`, failed);
    await loadState();
    await showRecord(id);
  });
  $("#state-detail").classList.remove("muted");
  fill($("#state-detail"),
    el("h3", {}, `${KIND_TITLES[ui.kind]} ${rec.id} `, el("span", { class: "badge", id: "record-state" }, rec.state)),
    el("p", {}, rec.label),
    el("h3", {}, "What can happen next"),
    rec.actions.length
      ? el("div", { class: "actions" }, rec.actions.map((a) => el("div", {}, el("button", { type: "button", "data-action": a.label, onclick: act(a) }, a.label), el("span", { class: "actor" }, a.actor))))
      : el("p", { class: "muted" }, "Nothing: a final state, or only the seller's API moves it on."),
    el("p", { class: "muted" }, `${rec.machine} events from ${rec.state}: ${rec.events.join(", ") || "none"}`),
    el("h3", {}, "History"),
    el("table", { class: "grid" }, el("tbody", {}, rec.history.map((h) => el("tr", {}, el("td", { class: "mono" }, time(h.at)), el("td", {}, h.what))))),
    el("h3", {}, "Record"), el("pre", {}, toJSON(rec.record, 2)));
}

// ---------------------------------------------------------------- clock, faults, throttle

async function loadClocks() {
  const data = await api("GET", "/_mock/ui/api/clocks");
  const advance = (vendorId, seconds) => guarded(async () => {
    const body = { advanceSeconds: seconds };
    if (vendorId) body.vendorId = vendorId;
    const moved = await api("POST", "/_mock/clock", body);
    flash(`${vendorId || "global"} clock → ${time(moved.now)}`);
    await loadClocks();
  });
  const steps = [["+1h", 3600], ["+1d", 86400], ["+7d", 7 * 86400]];
  $("#clock-table tbody").replaceChildren(...data.clocks.map((c) => el("tr", { "data-vendor": c.vendorId || "global" },
    el("td", {}, c.vendorId || "global (all vendors)"), el("td", { class: "mono clock-now" }, time(c.now)), el("td", {}, kst(c.now)),
    el("td", {}, steps.map(([label, s]) => el("button", { type: "button", class: "secondary", "data-advance": s, onclick: advance(c.vendorId, s) }, label))))));
}

async function loadFaults() {
  const rules = await api("GET", "/_mock/faults");
  const remove = (id) => guarded(async () => { await api("DELETE", `/_mock/faults/${id}`); flash(`fault ${id} removed`); await loadFaults(); });
  $("#fault-table tbody").replaceChildren(...(rules.length ? rules.map((r) => el("tr", { "data-fault": r.id },
    el("td", {}, r.id),
    el("td", { class: "mono" }, [r.method, r.operationId, r.pathPrefix, r.vendorId].filter(Boolean).join(" · ") || "every request"),
    el("td", {}, r.preset || r.status || "", r.latencyMs ? ` +${r.latencyMs} ms` : ""),
    el("td", {}, r.count ?? "∞"),
    el("td", {}, el("button", { type: "button", class: "danger", onclick: remove(r.id) }, "Remove")))) : [el("tr", {}, el("td", { colspan: 5, class: "muted" }, "No fault rules."))]));
}

async function loadThrottle() {
  const t = await api("GET", `/_mock/ui/api/throttle?vendorId=${encodeURIComponent(ui.vendor)}`);
  const form = $("#throttle-form");
  form.enabled.checked = t.enabled;
  form.ratePerSecond.value = t.ratePerSecond;
  form.burst.value = t.burst;
  form.blockSeconds.value = t.blockSeconds;
  $("#throttle-classes").textContent = Object.entries(t.classes).map(([k, c]) => `${k}: ${Number(c.ratePerSecond.toFixed(3))}/s burst ${c.burst}`).join(" · ");
}

async function loadClockTab() { await Promise.all([loadClocks(), loadFaults(), loadThrottle()]); }

const addFault = guarded(async (event) => {
  event.preventDefault();
  const form = $("#fault-form");
  const rule = {};
  for (const name of ["operationId", "pathPrefix", "preset"]) if (form[name].value.trim()) rule[name] = form[name].value.trim();
  for (const name of ["status", "count"]) if (form[name].value.trim()) rule[name] = Number(form[name].value);
  if (form.thisVendor.checked && ui.vendor) rule.vendorId = ui.vendor;
  const made = await api("POST", "/_mock/faults", rule);
  flash(`fault ${made.id} added`);
  await loadFaults();
});

const saveThrottle = guarded(async (event) => {
  event.preventDefault();
  const form = $("#throttle-form");
  await api("PUT", "/_mock/throttle", {
    vendorId: ui.vendor, enabled: form.enabled.checked, ratePerSecond: Number(form.ratePerSecond.value),
    burst: Number(form.burst.value), blockSeconds: Number(form.blockSeconds.value),
  });
  flash(`throttle saved for ${ui.vendor}`);
  await loadThrottle();
});

// There is no per-vendor "delete": the vendor gets the values of a vendor without settings (the defaults).
const resetThrottle = guarded(async () => {
  const d = await api("GET", "/_mock/ui/api/throttle");
  await api("PUT", "/_mock/throttle", { vendorId: ui.vendor, enabled: d.enabled, ratePerSecond: d.ratePerSecond, burst: d.burst, blockSeconds: d.blockSeconds });
  flash(`throttle of ${ui.vendor} back to the defaults`);
  await loadThrottle();
});

// ---------------------------------------------------------------- coverage

async function loadCoverage() {
  const report = await api("GET", "/_mock/transitions");
  const blocks = await Promise.all(Object.entries(report).map(async ([name, m]) => {
    const svg = await api("GET", `/_mock/ui/api/machines/${encodeURIComponent(name)}.svg`);
    const holder = el("div", { class: "machine-holder", "data-machine": name });
    holder.innerHTML = svg; // our own server-rendered SVG; every label in it is escaped server-side
    return el("div", {}, el("div", { class: "machine-title" }, `${name} — ${m.covered}/${m.total} edges exercised`), holder);
  }));
  $("#machines").replaceChildren(...blocks);
}

// ---------------------------------------------------------------- start

async function start() {
  $("#journal-filter").addEventListener("input", () => loadJournal(true));
  $("#journal-filter").addEventListener("submit", (e) => e.preventDefault());
  $("#debugger-form").addEventListener("submit", checkSignature);
  $("#debugger-load").addEventListener("click", loadDebuggerEntry);
  $("#debugger-recent").addEventListener("change", () => {
    if (!$("#debugger-recent").value) return;
    $("#debugger-form").journalId.value = $("#debugger-recent").value;
    loadDebuggerEntry();
  });
  $("#fault-form").addEventListener("submit", addFault);
  $("#fault-clear").addEventListener("click", guarded(async () => { await api("DELETE", "/_mock/faults"); await loadFaults(); }));
  $("#throttle-form").addEventListener("submit", saveThrottle);
  $("#throttle-reset").addEventListener("click", resetThrottle);
  $("#vendor").addEventListener("focus", guarded(loadVendors));  // vendors your tests created since
  $("#vendor").addEventListener("change", () => {
    ui.vendor = $("#vendor").value;
    localStorage.setItem("coupangMockVendor", ui.vendor);
    ui.recordId = null;
    route();
  });
  window.addEventListener("hashchange", guarded(route));
  await guarded(loadVendors)();
  await guarded(route)();
  document.body.dataset.ready = "1";
}

start();
