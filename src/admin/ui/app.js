// clerk-mock dashboard: one vanilla module over the admin API (/__admin/*).
// It never holds a full secret key: instances are picked by the opaque handle
// from GET /__admin/instances, sent as X-Clerk-Mock-Instance. With
// --admin-token, the token lives in sessionStorage and goes out as X-Admin-Token.
// Live updates are polling (once a second): instances (their `generation`
// changes on every write) and the journal (`?since=<last seq>`).

const TOKEN_KEY = "clerk-mock-admin-token";
const INSTANCE_KEY = "clerk-mock-instance";
const POLL_MS = 1000;
const PAGE = 50;

const COLLECTIONS = [
  { name: "users", label: "Users", columns: [
    ["id", (o) => o.id],
    ["name", (o) => [o.first_name, o.last_name].filter(Boolean).join(" ")],
    ["email", (o) => (o.email_addresses || []).map((e) => e.email_address).join(", ")],
    ["username", (o) => o.username],
    ["created", (o) => time(o.created_at)],
  ] },
  { name: "organizations", label: "Organizations", columns: [
    ["id", (o) => o.id], ["name", (o) => o.name], ["slug", (o) => o.slug],
    ["members", (o) => o.members_count], ["created", (o) => time(o.created_at)],
  ] },
  { name: "sessions", label: "Sessions", columns: [
    ["id", (o) => o.id], ["user", (o) => o.user_id], ["status", (o) => o.status],
    ["expires", (o) => time(o.expire_at)], ["created", (o) => time(o.created_at)],
  ] },
  { name: "invitations", label: "Invitations", columns: [
    ["id", (o) => o.id], ["email", (o) => o.email_address], ["status", (o) => o.status], ["created", (o) => time(o.created_at)],
  ] },
  { name: "allowlist_identifiers", label: "Allowlist", columns: [
    ["id", (o) => o.id], ["identifier", (o) => o.identifier], ["type", (o) => o.identifier_type], ["created", (o) => time(o.created_at)],
  ] },
  { name: "blocklist_identifiers", label: "Blocklist", columns: [
    ["id", (o) => o.id], ["identifier", (o) => o.identifier], ["type", (o) => o.identifier_type], ["created", (o) => time(o.created_at)],
  ] },
];

const EXAMPLE_RULE = `# A scenario document (YAML or JSON); see scenarios/*.yaml
name: my-rule
rules:
  - name: no-new-users
    match:
      operation_id: CreateUser
    times: 1
    respond:
      status: 422
      error:
        code: form_identifier_exists
        message: is taken
        long_message: That email address is taken (my-rule).
        meta: { param_name: email_address }`;

const ui = {
  token: sessionStorage.getItem(TOKEN_KEY) || "",
  health: null,
  instances: [],
  instance: sessionStorage.getItem(INSTANCE_KEY) || "",
  generation: null,
  tab: "data",
  collection: "users",
  query: "",
  offset: 0,
  selected: null,
  journal: [],
  lastSeq: 0,
  selectedSeq: null,
  polling: false,
};

// ---------- helpers ----------

const $ = (id) => document.getElementById(id);

/** Builds an element; strings become text nodes (never HTML). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function time(ms) {
  if (typeof ms !== "number") return "";
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

function pretty(text) {
  if (text === undefined || text === null || text === "") return "(empty)";
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return String(text); }
}

class AdminError extends Error {
  constructor(status, body) {
    const first = body && body.errors && body.errors[0];
    super(first ? first.long_message || first.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** One admin API call: token and instance handle attached, JSON back. */
async function api(path, { method = "GET", body, instance = true, raw = false } = {}) {
  const headers = {};
  if (ui.token) headers["X-Admin-Token"] = ui.token;
  if (instance && ui.instance) headers["X-Clerk-Mock-Instance"] = ui.instance;
  if (body !== undefined) headers["Content-Type"] = typeof body === "string" ? "text/plain" : "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  if (raw && res.ok) return text;
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    if (res.status === 401 && ui.health && ui.health.admin_token_required) showLogin("The admin token was refused.");
    throw new AdminError(res.status, data);
  }
  return data;
}

function notice(text, ok = false) {
  const n = $("notice");
  n.textContent = text;
  n.classList.toggle("ok", ok);
  n.hidden = !text;
  if (ok && text) setTimeout(() => { if (n.textContent === text) n.hidden = true; }, 3000);
}

function current() {
  return ui.instances.find((i) => i.id === ui.instance);
}

// ---------- login ----------

function showLogin(message) {
  $("login").hidden = false;
  $("main").hidden = true;
  $("tabs").hidden = true;
  $("login-error").hidden = !message;
  $("login-error").textContent = message || "";
  ui.token = "";
  sessionStorage.removeItem(TOKEN_KEY);
}

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  ui.token = $("login-token").value;
  sessionStorage.setItem(TOKEN_KEY, ui.token);
  $("login").hidden = true;
  await start();
});

$("logout").addEventListener("click", () => showLogin(""));

// ---------- instances ----------

async function loadInstances() {
  const list = await api("/__admin/instances", { instance: false });
  ui.instances = list.data;
  const select = $("instance");
  const known = ui.instances.some((i) => i.id === ui.instance);
  if (!known) {
    const first = ui.instances.find((i) => i.key !== "public") || ui.instances[0];
    ui.instance = first ? first.id : "";
    sessionStorage.setItem(INSTANCE_KEY, ui.instance);
  }
  const options = ui.instances.map((i) => h("option", { value: i.id, selected: i.id === ui.instance }, `${i.key} · ${i.counts.users} user${i.counts.users === 1 ? "" : "s"}`));
  const labels = options.map((o) => o.textContent + o.value).join("|");
  if (select.dataset.labels !== labels) {
    select.replaceChildren(...options);
    select.dataset.labels = labels;
    select.value = ui.instance;
  }
  const empty = ui.instances.length === 0;
  $("empty").hidden = !empty;
  $("main").hidden = empty;
  $("tabs").hidden = empty;
  for (const id of ["download", "reset"]) $(id).disabled = empty;
  $("upload").disabled = empty;
  if (empty) {
    $("empty").replaceChildren(
      "No instance yet. Any request with a secret key creates one, e.g. ",
      h("code", {}, `curl -H 'Authorization: Bearer sk_test_mine' ${location.origin}/v1/users`),
      " — it appears here within a second.",
    );
  }
  return !known;
}

$("instance").addEventListener("change", () => {
  ui.instance = $("instance").value;
  sessionStorage.setItem(INSTANCE_KEY, ui.instance);
  ui.journal = []; ui.lastSeq = 0; ui.selected = null; ui.selectedSeq = null; ui.offset = 0;
  refreshAll();
});

// ---------- tabs ----------

for (const b of document.querySelectorAll("#tabs button")) {
  b.addEventListener("click", () => showTab(b.dataset.tab));
}

function showTab(tab) {
  ui.tab = tab;
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === tab);
  for (const p of document.querySelectorAll(".panel")) p.hidden = p.id !== `tab-${tab}`;
  refreshTab().catch(report);
}

function report(err) {
  notice(err instanceof AdminError ? err.message : `Error: ${err.message || err}`);
}

// ---------- data ----------

function renderCollectionButtons() {
  const counts = (current() || {}).counts || {};
  $("collections").replaceChildren(...COLLECTIONS.map((c) => h("button", {
    type: "button", class: c.name === ui.collection ? "active" : "", "data-collection": c.name,
    onclick: () => { ui.collection = c.name; ui.offset = 0; ui.selected = null; loadData().catch(report); },
  }, `${c.label} (${counts[c.name] ?? 0})`)));
}

async function loadData() {
  renderCollectionButtons();
  const spec = COLLECTIONS.find((c) => c.name === ui.collection);
  const q = new URLSearchParams({ query: ui.query, limit: PAGE, offset: ui.offset });
  const page = await api(`/__admin/collections/${spec.name}?${q}`);
  const head = h("thead", {}, h("tr", {}, spec.columns.map(([label]) => h("th", {}, label))));
  const rows = page.data.map((o) => h("tr", {
    class: o.id === ui.selected ? "selected" : "", "data-id": o.id,
    onclick: () => { ui.selected = o.id; showObject(spec, o); loadData().catch(report); },
  }, spec.columns.map(([, get]) => {
    const v = get(o);
    return h("td", { title: v ?? "" }, v ?? "");
  })));
  if (rows.length === 0) rows.push(h("tr", {}, h("td", { class: "empty-row", colspan: spec.columns.length }, ui.query ? "Nothing matches." : `No ${spec.label.toLowerCase()} in this instance.`)));
  $("data-table").replaceChildren(head, h("tbody", {}, rows));
  const last = Math.min(ui.offset + PAGE, page.total_count);
  $("data-count").textContent = page.total_count ? `${ui.offset + 1}–${last} of ${page.total_count}` : "0";
  $("prev").disabled = ui.offset === 0;
  $("next").disabled = last >= page.total_count;
  if (ui.selected && !page.data.some((o) => o.id === ui.selected)) { ui.selected = null; $("data-detail").hidden = true; }
  if (ui.selected) showObject(spec, page.data.find((o) => o.id === ui.selected));
}

async function showObject(spec, o) {
  const detail = $("data-detail");
  const parts = [h("h3", {}, `${spec.label.replace(/s$/, "")} ${o.id}`)];
  if (spec.name === "organizations") {
    try {
      const members = await api(`/__admin/collections/organization_memberships?owner=${encodeURIComponent(o.id)}&limit=500`);
      parts.push(h("h4", {}, `Members (${members.total_count})`));
      parts.push(h("table", {}, h("tbody", {}, members.data.map((m) => h("tr", {},
        h("td", {}, (m.public_user_data && (m.public_user_data.identifier || m.public_user_data.user_id)) || ""),
        h("td", {}, m.role || ""))))));
    } catch (err) { report(err); }
  }
  parts.push(h("h4", {}, "Stored JSON"), h("pre", {}, JSON.stringify(o, null, 2)));
  detail.replaceChildren(...parts);
  detail.hidden = false;
}

let searchTimer = null;
$("search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => { ui.query = $("search").value; ui.offset = 0; loadData().catch(report); }, 200);
});
$("prev").addEventListener("click", () => { ui.offset = Math.max(0, ui.offset - PAGE); loadData().catch(report); });
$("next").addEventListener("click", () => { ui.offset += PAGE; loadData().catch(report); });

$("reset").addEventListener("click", async () => {
  const inst = current();
  if (!inst || !confirm(`Reset ${inst.key} to its fixtures? Its objects, scenarios and counters go.`)) return;
  try {
    await api("/__admin/reset", { method: "POST" });
    notice(`${inst.key} was reset.`, true);
    ui.selected = null; $("data-detail").hidden = true;
    await refreshAll();
  } catch (err) { report(err); }
});

$("download").addEventListener("click", async () => {
  try {
    const text = await api("/__admin/state", { raw: true });
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const a = h("a", { href: url, download: `clerk-mock-${ui.instance}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (err) { report(err); }
});

$("upload").addEventListener("change", async () => {
  const file = $("upload").files[0];
  if (!file) return;
  try {
    await api("/__admin/state", { method: "PUT", body: await file.text() });
    notice(`Loaded ${file.name}.`, true);
    await refreshAll();
  } catch (err) { report(err); }
  $("upload").value = "";
});

// ---------- requests ----------

async function pollJournal() {
  if (!ui.instance) return false;
  const q = new URLSearchParams({ limit: ui.lastSeq ? 1000 : 300 });
  if (ui.lastSeq) q.set("since", ui.lastSeq);
  const page = await api(`/__admin/requests?${q}`);
  if (page.data.length) {
    ui.journal = page.data.concat(ui.journal).slice(0, 1000);
    ui.lastSeq = Math.max(ui.lastSeq, page.data[0].seq);
  }
  return page.data.length > 0;
}

function statusClass(e) {
  return e.dropped ? "status-dropped" : `status-${String(e.status)[0]}`;
}

function journalFilter(e) {
  const method = $("f-method").value, status = $("f-status").value, surface = $("f-surface").value;
  const op = $("f-operation").value.toLowerCase();
  if (method && e.method !== method) return false;
  if (status === "dropped" ? !e.dropped : status && String(e.status)[0] !== status) return false;
  if (surface && e.surface !== surface) return false;
  if (op && !`${e.operation_id || ""} ${e.path}`.toLowerCase().includes(op)) return false;
  return true;
}

function renderJournal() {
  const shown = ui.journal.filter(journalFilter);
  const head = h("thead", {}, h("tr", {}, ["#", "time", "surface", "method", "path", "status", "operation", "ms", "rules"].map((c) => h("th", {}, c))));
  const rows = shown.slice(0, 500).map((e) => h("tr", {
    class: e.seq === ui.selectedSeq ? "selected" : "", "data-seq": e.seq,
    onclick: () => { ui.selectedSeq = e.seq; renderJournal(); showRequest(e.seq).catch(report); },
  },
  h("td", {}, e.seq), h("td", {}, time(e.time)), h("td", {}, (e.surface || "").toUpperCase()), h("td", {}, e.method),
  h("td", { title: e.path + (e.query ? `?${e.query}` : "") }, e.path), h("td", { class: statusClass(e) }, e.dropped ? "dropped" : e.status),
  h("td", {}, e.operation_id || ""), h("td", {}, e.duration_ms), h("td", {}, (e.matched_rules || []).join(", "))));
  const off = ui.health && ui.health.journal_size === 0;
  if (rows.length === 0) rows.push(h("tr", {}, h("td", { class: "empty-row", colspan: 9 }, off ? "The journal is off (--journal-size 0)." : "No requests yet.")));
  $("req-table").replaceChildren(head, h("tbody", {}, rows));
  $("req-count").textContent = `${shown.length} of ${ui.journal.length}`;
}

for (const id of ["f-method", "f-status", "f-surface"]) $(id).addEventListener("change", renderJournal);
$("f-operation").addEventListener("input", renderJournal);

/** Why the mock (or a scenario) refused a request, in words. */
function why(e) {
  const failed = e.dropped || e.status >= 400;
  if (!failed) return null;
  const items = [];
  for (const p of e.problems || []) {
    items.push(h("li", {}, p.param ? [h("code", {}, p.param), ": "] : "", p.message, " ", h("span", { class: "muted" }, `(${p.code})`)));
  }
  const rules = e.matched_rules || [];
  if (rules.length) items.push(h("li", {}, `Scenario rule${rules.length > 1 ? "s" : ""} fired: `, rules.map((r) => h("code", {}, r)), e.dropped ? " — the connection was dropped." : ""));
  if (!items.length) {
    try {
      for (const err of JSON.parse(e.response_body).errors || []) items.push(h("li", {}, err.long_message || err.message, " ", h("span", { class: "muted" }, `(${err.code})`)));
    } catch { /* not an error envelope */ }
  }
  if (!items.length) items.push(h("li", {}, `The answer was ${e.status}.`));
  return h("div", { class: "why", id: "why" }, h("strong", {}, "Why was this rejected"), h("ul", {}, items));
}

async function showRequest(seq) {
  const e = await api(`/__admin/requests/${seq}`);
  const detail = $("req-detail");
  const trunc = (flag) => (flag ? h("span", { class: "muted" }, " (first 8 KiB)") : "");
  detail.replaceChildren(
    h("h3", {}, `${e.method} ${e.path}${e.query ? `?${e.query}` : ""}`),
    h("p", {}, h("span", { class: statusClass(e) }, e.dropped ? "dropped" : e.status), ` · ${e.operation_id || "no operation"} · ${(e.surface || "").toUpperCase()} · API ${e.api_version || "–"} · ${e.duration_ms} ms`),
    why(e),
    h("h4", {}, "Request body", trunc(e.request_body_truncated)), h("pre", {}, pretty(e.request_body)),
    h("h4", {}, "Response body", trunc(e.response_body_truncated)), h("pre", {}, pretty(e.response_body)),
  );
  detail.hidden = false;
}

$("clear-requests").addEventListener("click", async () => {
  try {
    await api("/__admin/requests", { method: "DELETE" });
    ui.journal = []; ui.selectedSeq = null; $("req-detail").hidden = true;
    renderJournal();
  } catch (err) { report(err); }
});

// ---------- scenarios ----------

async function loadScenarios() {
  const list = await api("/__admin/scenarios");
  const mine = new Map(list.scenarios.filter((s) => s.scope === "instance").map((s) => [s.name, s]));
  // The switches (and params being typed) are rebuilt only when what is on changes.
  const signature = `${ui.instance}|${[...mine].map(([n, s]) => n + JSON.stringify(s.params)).join(",")}`;
  if ($("bundled").dataset.signature !== signature) {
    $("bundled").dataset.signature = signature;
    renderBundled(list, mine);
  }
  renderActive(list);
}

function renderBundled(list, mine) {
  $("bundled").replaceChildren(...list.bundled.map((name) => {
    const on = mine.has(name);
    const params = h("input", { type: "text", placeholder: "params, e.g. times=2&operation_id=CreateUser", "aria-label": `${name} params` });
    const toggle = h("input", { type: "checkbox", checked: on, "data-scenario": name, "aria-label": name });
    toggle.addEventListener("change", async () => {
      try {
        if (toggle.checked) {
          const ref = params.value.trim() ? `${name}?${params.value.trim().replace(/^\?/, "")}` : name;
          await api("/__admin/scenarios", { method: "POST", body: { scenario: ref, scope: "instance" } });
          notice(`${name} is on for this instance.`, true);
        } else {
          await api(`/__admin/scenarios/${encodeURIComponent(name)}?scope=instance`, { method: "DELETE" });
          notice(`${name} is off.`, true);
        }
      } catch (err) { toggle.checked = !toggle.checked; report(err); }
      loadScenarios().catch(report);
    });
    const loaded = mine.get(name);
    return h("div", { class: "scenario" },
      h("header", {}, h("label", { class: "switch" }, toggle, name)),
      loaded ? h("p", {}, `on · params ${JSON.stringify(loaded.params)}`) : params);
  }));
}

function renderActive(list) {
  const active = list.scenarios.map((s) => h("div", { class: "scenario" },
    h("header", {}, h("strong", {}, s.name), h("span", { class: "muted" }, `${s.scope} · ${s.source}`), h("span", { class: "spacer" }),
      h("button", { type: "button", onclick: async () => {
        try {
          await api(`/__admin/scenarios/${encodeURIComponent(s.name)}?scope=${s.scope === "global" ? "global" : "instance"}`, { method: "DELETE" });
          loadScenarios().catch(report);
        } catch (err) { report(err); }
      } }, "Remove")),
    s.description ? h("p", {}, s.description) : "",
    h("table", {}, h("thead", {}, h("tr", {}, ["rule", "matched", "fired", "expired", "responds"].map((c) => h("th", {}, c)))),
      h("tbody", {}, s.rules.map((r) => h("tr", {}, h("td", {}, r.name), h("td", { "data-counter": "matched" }, r.matched), h("td", { "data-counter": "fired" }, r.fired),
        h("td", {}, r.expired ? "yes" : "no"), h("td", {}, r.drop ? "drop" : r.respond ? r.respond.status ?? "" : r.delay ? `delay ${JSON.stringify(r.delay)}` : "")))))));
  $("active").replaceChildren(...(active.length ? active : [h("p", { class: "muted" }, "No scenario is active: every request is served normally.")]));
}

$("rule-text").value = EXAMPLE_RULE;
$("rule-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const out = await api(`/__admin/scenarios?scope=${$("rule-scope").value}`, { method: "POST", body: $("rule-text").value });
    $("rule-result").textContent = `Loaded ${out.loaded.name} (${out.loaded.rules} rule${out.loaded.rules === 1 ? "" : "s"}, ${out.loaded.scope}).`;
    $("rule-result").className = "muted";
    loadScenarios().catch(report);
  } catch (err) {
    $("rule-result").textContent = err.message;
    $("rule-result").className = "error";
  }
});

// ---------- keys ----------

function copyButton(text) {
  return h("button", { type: "button", onclick: async (ev) => {
    try { await navigator.clipboard.writeText(text); ev.target.textContent = "Copied"; } catch { ev.target.textContent = "Select and copy"; }
    setTimeout(() => { ev.target.textContent = "Copy"; }, 1500);
  } }, "Copy");
}

function renderKeys() {
  const hl = ui.health;
  const inst = current();
  const api = location.origin;
  const secret = inst ? inst.key : "sk_test_…";
  const rows = [
    ["Secret key", `${secret} (masked: use the key your tests already send)`],
    ["Publishable key", hl.publishable_key],
    ["Issuer / FAPI URL", hl.issuer],
    ["Frontend host", hl.frontend_host],
    ["JWKS URL", `${api}/v1/jwks`],
    ["Backend API URL", `${api}/v1`],
    ["Signing key", hl.signing_key],
    ["Instance handle", ui.instance],
  ];
  $("keys").replaceChildren(...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", { class: "mono" }, v ?? "", " ", v ? copyButton(String(v)) : "")]));
  const placeholder = `${secret.split("…")[0]}…  # your secret key (${secret})`;
  const snippets = [
    ["Next.js (.env.local)", `CLERK_SECRET_KEY=${placeholder}\nNEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=${hl.publishable_key}\nCLERK_API_URL=${api}`],
    ["Express (.env, @clerk/express)", `CLERK_SECRET_KEY=${placeholder}\nCLERK_PUBLISHABLE_KEY=${hl.publishable_key}\nCLERK_API_URL=${api}`],
    ["Python (clerk-backend-api)", `import os\nfrom clerk_backend_api import Clerk\n\nclerk = Clerk(bearer_auth=os.environ["CLERK_SECRET_KEY"], server_url="${api}/v1")`],
  ];
  $("snippets").replaceChildren(...snippets.map(([title, text]) => h("div", { class: "snippet" },
    h("header", {}, h("strong", {}, title), copyButton(text)), h("pre", {}, text))));
}

// ---------- webhooks (builds that have them) ----------

async function loadWebhooks() {
  const box = $("webhooks");
  const [endpoints, events, deliveries] = await Promise.all(["/__admin/webhooks", "/__admin/webhooks/events", "/__admin/webhooks/deliveries"].map((p) => api(p)));
  const table = (title, page, columns, extra) => {
    const items = (page && (page.data || page)) || [];
    return [h("h2", {}, `${title} (${items.length})`), h("table", {}, h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c)), extra ? h("th", {}, "") : "")),
      h("tbody", {}, items.map((o) => h("tr", {}, columns.map((c) => h("td", {}, typeof o[c] === "object" ? JSON.stringify(o[c]) : o[c] ?? "")), extra ? h("td", {}, extra(o)) : ""))))];
  };
  box.replaceChildren(
    ...table("Endpoints", endpoints, ["id", "url", "event_types", "scope", "secret"]),
    ...table("Events", { data: ((events && events.data) || []).map((e) => ({ ...e, time: new Date(e.timestamp).toISOString(), deliveries: (e.deliveries || []).length })) },
      ["id", "type", "time", "object_id", "deliveries"]),
    ...table("Deliveries", { data: ((deliveries && deliveries.data) || []).map((d) => {
      const last = (d.attempts || [])[(d.attempts || []).length - 1];
      return { ...d, attempts: (d.attempts || []).length, last_answer: last ? (last.status_code || last.error || "") : "", next_attempt_at: d.next_attempt_at ? new Date(d.next_attempt_at).toISOString() : "" };
    }) }, ["id", "event_type", "url", "status", "attempts", "last_answer", "next_attempt_at"], (d) => h("button", { type: "button", onclick: async () => {
      try { await api(`/__admin/webhooks/deliveries/${encodeURIComponent(d.id)}/retry`, { method: "POST" }); loadWebhooks().catch(report); } catch (err) { report(err); }
    } }, "Retry")),
  );
}

// ---------- outbox: the emails and SMS Clerk would have sent ----------

async function loadOutbox() {
  const [emails, sms] = await Promise.all(["/__admin/emails", "/__admin/sms"].map((p) => api(p)));
  const section = (title, path, page, to) => {
    const items = (page && page.data) || [];
    const rows = items.map((m) => h("tr", {},
      h("td", {}, new Date(m.created_at).toISOString()), h("td", { class: "mono" }, m[to] || ""), h("td", {}, m.subject || m.message || ""),
      h("td", { class: "mono" }, m.code || ""), h("td", { class: "mono" }, m.link || ""),
      h("td", { class: "mono" }, m.belongs_to ? `${m.belongs_to.object} ${m.belongs_to.id}` : "")));
    const clear = h("button", { type: "button", onclick: async () => {
      try { await api(path, { method: "DELETE" }); loadOutbox().catch(report); } catch (err) { report(err); }
    } }, "Clear");
    return [h("h2", {}, `${title} (${items.length}) `, clear), h("table", {},
      h("thead", {}, h("tr", {}, ["time", "to", "subject", "code", "link", "belongs to"].map((c) => h("th", {}, c)))), h("tbody", {}, rows))];
  };
  $("outbox").replaceChildren(...section("Emails", "/__admin/emails", emails, "to_email_address"), ...section("SMS", "/__admin/sms", sms, "to_phone_number"));
}

// ---------- refresh loop ----------

async function refreshTab() {
  if (!ui.instance) return;
  if (ui.tab === "data") await loadData();
  else if (ui.tab === "requests") renderJournal();
  else if (ui.tab === "scenarios") await loadScenarios();
  else if (ui.tab === "keys") renderKeys();
  else if (ui.tab === "webhooks") await loadWebhooks();
  else if (ui.tab === "outbox") await loadOutbox();
}

async function refreshAll() {
  await loadInstances();
  ui.generation = (current() || {}).generation ?? null;
  await pollJournal();
  await refreshTab();
}

async function tick() {
  if (ui.polling || !$("login").hidden) return;
  ui.polling = true;
  try {
    const switched = await loadInstances();
    if (switched) { ui.journal = []; ui.lastSeq = 0; }
    const generation = (current() || {}).generation ?? null;
    const changed = switched || generation !== ui.generation;
    ui.generation = generation;
    const fresh = await pollJournal();
    if (ui.tab === "data" && changed) await loadData();
    else if (ui.tab === "data") renderCollectionButtons();
    if (ui.tab === "requests" && fresh) renderJournal();
    if (ui.tab === "scenarios" && (fresh || changed)) await loadScenarios();
    if (ui.tab === "keys" && switched) renderKeys();
    if (ui.tab === "webhooks" && (fresh || changed)) await loadWebhooks();
    if (ui.tab === "outbox" && changed) await loadOutbox();
    $("live").classList.remove("stale");
  } catch (err) {
    $("live").classList.add("stale");
  } finally {
    ui.polling = false;
  }
}

let timer = null;

async function start() {
  ui.health = await api("/__admin/health", { instance: false });
  if (ui.health.admin_token_required && !ui.token) { showLogin(""); return; }
  $("logout").hidden = !ui.health.admin_token_required;
  document.querySelector('#tabs button[data-tab="webhooks"]').hidden = !(ui.health.features || []).includes("webhooks");
  document.querySelector('#tabs button[data-tab="outbox"]').hidden = !(ui.health.features || []).includes("outbox");
  try {
    await refreshAll();
  } catch (err) {
    if (err instanceof AdminError && err.status === 401) return;
    report(err);
  }
  showTab(ui.tab);
  if (!timer) timer = setInterval(tick, POLL_MS);
}

start().catch(report);
