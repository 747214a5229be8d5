// The classroom playground: picks a preset, turns the levers into a request to polarity serve,
// and draws what comes back. Every number on the page comes from the server (docs/classroom.md).
"use strict";

const COLORS = { us_aligned: "#1f5fbf", china: "#c62828", nonaligned: "#2e7d32" };
const SPARE_COLORS = ["#6a1b9a", "#ef6c00", "#00838f", "#5d4037"];
const ROUTE_COLORS = { legal: "#1f5fbf", licensed: "#64b5f6", gray: "#8e24aa", domestic: "#c62828", remote: "#f9a825" };
const ROUTE_NAMES = { legal: "bought legally", licensed: "under licence", gray: "smuggled", domestic: "made at home", remote: "rented abroad" };

const state = {
  presets: [],
  preset: null,
  levers: [],       // from /api/levers
  rules: [],
  values: {},       // lever id -> value now
  rulesOff: new Set(),
  last: null,       // last run reply
  pinned: null,     // { run, description }
  inFlight: false,
  pending: false,
  generation: 0,    // a run reply older than the last preset change is dropped
};
// Round trips of /api/run and /api/study in ms, and when the first answer was on screen (ms since
// the page was requested); the browser test and benchmarks/serve_playground.py read them.
window.polarityTimings = { run: [], study: [], firstAnswerMs: null };

const $ = (id) => document.getElementById(id);
const charts = {};

function blocColor(bloc, i) { return COLORS[bloc] || SPARE_COLORS[i % SPARE_COLORS.length]; }

function formatValue(lever, v) {
  if (lever.kind === "toggle") return v ? "on" : "off";
  const digits = Math.min(4, Math.max(0, Math.ceil(-Math.log10(lever.slider.step))));
  const text = v.toFixed(digits);
  if (lever.unit === "factor") return `${text}×`;
  if (lever.unit === "share" || lever.unit === "share of price") return `${text} (${Math.round(v * 100)} %)`;
  return lever.unit ? `${text} ${lever.unit}` : text;
}

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
  if (!response.ok) throw new Error(body.error || `the server answered ${response.status}`);
  return body;
}

function setStatus(text, isError) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("error", !!isError);
}

// ---- presets and levers -------------------------------------------------------------------

async function loadPresets() {
  const reply = await getJSON("/api/presets");
  state.presets = reply.presets;
  $("futures").textContent = `Run ${reply.limits.default_study_runs} futures`;
  const select = $("preset");
  for (const p of reply.presets) {
    const option = document.createElement("option");
    option.value = p.id;
    option.textContent = p.title;
    select.appendChild(option);
  }
  select.addEventListener("change", () => choosePreset(select.value));
  await choosePreset(reply.presets[0].id);
}

async function choosePreset(id) {
  state.generation += 1;
  const preset = state.presets.find((p) => p.id === id);
  state.preset = preset;
  $("question").textContent = preset.question;
  $("description").textContent = preset.description;
  // The preset as it stands runs while its levers load: the first answer comes sooner.
  state.levers = [];
  state.rules = [];
  resetValues();
  $("futures-panel").hidden = true;
  requestRun();
  const reply = await getJSON(`/api/levers?preset=${encodeURIComponent(id)}`);
  state.levers = reply.levers;
  state.rules = reply.rules;
  $("rules-note").textContent = reply.rules_note;
  resetValues();
  buildLevers();
}

function resetValues() {
  state.values = {};
  for (const l of state.levers) state.values[l.id] = l.value;
  state.rulesOff = new Set();
}

function buildLevers() {
  const box = $("levers");
  box.replaceChildren();
  for (const lever of state.levers) {
    const id = `lever-${lever.id}`;
    const wrap = document.createElement("div");
    if (lever.kind === "number") {
      wrap.className = "lever";
      wrap.innerHTML = `<div class="lever-head"><label for="${id}"></label><output for="${id}" id="${id}-out"></output></div>
        <input type="range" id="${id}" aria-describedby="${id}-doc">
        <span class="hint" id="${id}-doc"></span>`;
      wrap.querySelector("label").textContent = lever.label;
      const input = wrap.querySelector("input");
      input.min = lever.slider.min; input.max = lever.slider.max; input.step = lever.slider.step;
      input.value = state.values[lever.id];
      input.dataset.path = lever.paths[0];
      wrap.querySelector(".hint").textContent = `${lever.description} Preset: ${formatValue(lever, lever.value)}.`;
      input.addEventListener("input", () => {
        state.values[lever.id] = Number(input.value);
        showLeverValue(lever);
        requestRun();
      });
    } else {
      wrap.className = "toggle";
      wrap.innerHTML = `<input type="checkbox" id="${id}" aria-describedby="${id}-doc"><div><label for="${id}"></label><span class="hint" id="${id}-doc"></span></div>`;
      wrap.querySelector("label").textContent = lever.label;
      wrap.querySelector(".hint").textContent = lever.description;
      const input = wrap.querySelector("input");
      input.checked = !!state.values[lever.id];
      input.addEventListener("change", () => {
        state.values[lever.id] = input.checked ? 1 : 0;
        requestRun();
      });
    }
    box.appendChild(wrap);
    showLeverValue(lever);
  }
  const list = $("rule-list");
  list.replaceChildren();
  $("rules").hidden = state.rules.length === 0;
  state.rules.forEach((rule, i) => {
    const row = document.createElement("div");
    row.className = "rule";
    row.innerHTML = `<input type="checkbox" id="rule-${i}" checked><label for="rule-${i}"></label>`;
    row.querySelector("label").textContent = `${rule.name.replaceAll("_", " ")}: ${rule.summary}`;
    const input = row.querySelector("input");
    input.addEventListener("change", () => {
      if (input.checked) state.rulesOff.delete(rule.name); else state.rulesOff.add(rule.name);
      requestRun();
    });
    list.appendChild(row);
  });
}

function showLeverValue(lever) {
  const out = document.getElementById(`lever-${lever.id}-out`);
  if (!out) return;
  const v = state.values[lever.id];
  out.textContent = formatValue(lever, v);
  out.classList.toggle("changed", v !== lever.value);
  const input = document.getElementById(`lever-${lever.id}`);
  input.setAttribute("aria-valuetext", out.textContent);
}

/// The request body: the preset, the levers the student moved, the rules switched off.
function requestBody(extra) {
  const set = {};
  for (const lever of state.levers) {
    const v = state.values[lever.id];
    if (v === lever.value) continue;
    for (const path of lever.paths) set[path] = lever.kind === "toggle" ? !!v : v;
  }
  return JSON.stringify({ preset: state.preset.id, set, rules_off: [...state.rulesOff], ...extra });
}

// ---- runs ----------------------------------------------------------------------------------

/// One request at a time; moves made meanwhile collapse into one more run with the latest values.
function requestRun() {
  if (state.inFlight) { state.pending = true; return; }
  runNow();
}

async function runNow() {
  state.inFlight = true;
  state.pending = false;
  const generation = state.generation;
  const t0 = performance.now();
  try {
    const run = await getJSON("/api/run", { method: "POST", headers: { "Content-Type": "application/json" }, body: requestBody({}) });
    const ms = performance.now() - t0;
    window.polarityTimings.run.push(ms);
    if (generation === state.generation) {
      state.last = run;
      draw(run);
      if (window.polarityTimings.firstAnswerMs === null) window.polarityTimings.firstAnswerMs = performance.now();
      setStatus(`Updated in ${Math.round(ms)} ms (the model itself: ${Math.round(run.elapsed_ms)} ms).`);
    }
  } catch (e) {
    setStatus(e.message, true);
  } finally {
    state.inFlight = false;
    if (state.pending) runNow();
  }
}

function monthIndex(run, month) { return month ? run.months.indexOf(month) : -1; }

function draw(run) {
  const o = run.outcome;
  const answer = $("answer");
  answer.replaceChildren();
  const label = document.createElement("span");
  label.className = "label";
  label.textContent = o.class.replace("_", " ");
  label.title = o.meaning;
  answer.append(label, document.createTextNode(o.answer));
  if (state.pinned) {
    const p = document.createElement("span");
    p.className = "pinned";
    p.textContent = `Pinned run (${state.pinned.description}): ${state.pinned.run.outcome.answer}`;
    answer.appendChild(p);
  }
  drawFacts(run);
  $("lag-title").textContent = `${o.rival_name}'s lag`;
  $("routes-title").textContent = `${o.rival_name}'s chips by route`;
  $("fan-title").textContent = `The spread of ${o.rival_name}'s lag`;
  drawCapability(run);
  drawLag(run);
  drawCompute(run);
  drawRoutes(run);
}

function fact(value, what, was) {
  const d = document.createElement("div");
  d.className = "fact";
  d.innerHTML = `<div class="value"></div><div class="what"></div>`;
  d.querySelector(".value").textContent = value;
  d.querySelector(".what").textContent = what;
  if (was !== undefined && was !== value) {
    const w = document.createElement("div");
    w.className = "was";
    w.textContent = `pinned: ${was}`;
    d.appendChild(w);
  }
  return d;
}

function drawFacts(run) {
  const o = run.outcome, p = state.pinned ? state.pinned.run.outcome : null;
  const facts = $("facts");
  facts.replaceChildren(
    fact(o.leader_crossing || "never", `${o.leader_name} reaches powerful AI`, p ? (p.leader_crossing || "never") : undefined),
    fact(o.rival_crossing || "never", `${o.rival_name} reaches powerful AI`, p ? (p.rival_crossing || "never") : undefined),
    fact(`${o.leader_alone_months} months`, `${o.leader_name} alone with powerful AI`, p ? `${p.leader_alone_months} months` : undefined),
    fact(`${Math.round(o.rival_lag_months)} months`, `${o.rival_name} behind at the end`, p ? `${Math.round(p.rival_lag_months)} months` : undefined),
  );
}

function baseOptions(extra) {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: "index", intersect: false },
    plugins: { legend: { labels: { boxWidth: 14, font: { size: 13 } } } },
    scales: { x: { ticks: { maxTicksLimit: 9, autoSkip: true } } },
    ...extra,
  };
}

function upsert(key, config) {
  if (charts[key]) {
    charts[key].data = config.data;
    charts[key].options = config.options;
    charts[key].update("none");
  } else {
    charts[key] = new Chart($(`chart-${key}`), config);
  }
}

function pinnedSeries(run, name, entity) {
  if (!state.pinned) return null;
  const s = state.pinned.run.series[name];
  if (!s) return null;
  return entity === undefined ? s.values : s.values[entity];
}

function drawCapability(run) {
  const s = run.series.bloc_frontier_capability;
  const datasets = [];
  run.blocs.forEach((bloc, i) => {
    const b = run.outcome.blocs[i];
    const color = blocColor(bloc, i);
    datasets.push({ label: `${b.name}${b.crossing ? ` (crosses ${b.crossing})` : ""}`, data: s.values[i], borderColor: color,
                    backgroundColor: color, pointRadius: 0, borderWidth: 2.5 });
    const crossing = monthIndex(run, b.crossing);
    if (crossing >= 0) {
      const marks = run.months.map((_, m) => (m === crossing ? s.values[i][m] : null));
      datasets.push({ label: `${b.name} crossing`, data: marks, borderColor: color, backgroundColor: color, showLine: false,
                      pointStyle: "triangle", pointRadius: 9, hideInLegend: true });
    }
    const pinned = pinnedSeries(run, "bloc_frontier_capability", i);
    if (pinned) datasets.push({ label: `${b.name} (pinned)`, data: pinned, borderColor: color, borderDash: [6, 4],
                                borderWidth: 1.5, pointRadius: 0, hideInLegend: true });
  });
  datasets.push({ label: "powerful-AI threshold", data: run.months.map(() => run.threshold), borderColor: "#333",
                  borderDash: [2, 3], borderWidth: 1.5, pointRadius: 0 });
  upsert("capability", {
    type: "line",
    data: { labels: run.months, datasets },
    options: baseOptions({
      plugins: { legend: { labels: { boxWidth: 14, font: { size: 13 }, filter: (item, data) => !data.datasets[item.datasetIndex].hideInLegend } },
                 tooltip: { filter: (item) => item.raw !== null } },
      scales: { x: { ticks: { maxTicksLimit: 9 } }, y: { title: { display: true, text: "log10 FLOP" } } },
    }),
  });
}

function drawLag(run) {
  const color = blocColor(run.outcome.rival, 1);
  const datasets = [{ label: `${run.outcome.rival_name}'s lag (months)`, data: run.series.rival_lag_months.values,
                      borderColor: color, backgroundColor: color, pointRadius: 0, borderWidth: 2.5 }];
  const pinned = pinnedSeries(run, "rival_lag_months");
  if (pinned) datasets.push({ label: "pinned run", data: pinned, borderColor: color, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0 });
  upsert("lag", { type: "line", data: { labels: run.months, datasets },
                  options: baseOptions({ scales: { x: { ticks: { maxTicksLimit: 9 } }, y: { title: { display: true, text: "months" } } } }) });
}

function drawCompute(run) {
  const s = run.series.bloc_compute_h100e;
  const datasets = [];
  run.blocs.forEach((bloc, i) => {
    const color = blocColor(bloc, i);
    // A log axis cannot show zero: months with no compute are left blank.
    datasets.push({ label: run.outcome.blocs[i].name, data: s.values[i].map((v) => (v > 0 ? v : null)), borderColor: color,
                    backgroundColor: color, pointRadius: 0, borderWidth: 2.5 });
    const pinned = pinnedSeries(run, "bloc_compute_h100e", i);
    if (pinned) datasets.push({ label: `${run.outcome.blocs[i].name} (pinned)`, data: pinned.map((v) => (v > 0 ? v : null)),
                                borderColor: color, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, hideInLegend: true });
  });
  upsert("compute", { type: "line", data: { labels: run.months, datasets },
    options: baseOptions({
      plugins: { legend: { labels: { boxWidth: 14, font: { size: 13 }, filter: (item, data) => !data.datasets[item.datasetIndex].hideInLegend } } },
      scales: { x: { ticks: { maxTicksLimit: 9 } },
                y: { type: "logarithmic", title: { display: true, text: "H100e" }, ticks: { callback: powerOfTen } } },
    }) });
}

/// Log-axis ticks: only the powers of ten, written short (10k, 1M).
function powerOfTen(v) {
  const e = Math.log10(v);
  if (Math.abs(e - Math.round(e)) > 1e-9) return null;
  return v >= 1e9 ? `${v / 1e9}B` : v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : `${v}`;
}

function drawRoutes(run) {
  const rival = run.blocs.indexOf(run.outcome.rival);
  const years = [...new Set(run.months.map((m) => m.slice(0, 4)))];
  const datasets = [];
  // Routes in the order chips travel further from a legal sale; any new route last.
  const routes = Object.keys(run.series).map((n) => n.match(/^bloc_delivered_(.+)_units$/)).filter(Boolean).map((m) => m[1]);
  const order = Object.keys(ROUTE_NAMES);
  routes.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  for (const route of routes) {
    const s = run.series[`bloc_delivered_${route}_units`];
    const perYear = years.map((y) => run.months.reduce((sum, m, i) => (m.startsWith(y) ? sum + s.values[rival][i] : sum), 0));
    datasets.push({ label: ROUTE_NAMES[route] || route, data: perYear, backgroundColor: ROUTE_COLORS[route] || "#777" });
  }
  upsert("routes", { type: "bar", data: { labels: years, datasets },
    options: baseOptions({ scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "chips per year" } } } }) });
}

// ---- pin and futures ---------------------------------------------------------------------

function describeLevers() {
  const moved = state.levers.filter((l) => state.values[l.id] !== l.value).map((l) => `${l.label} ${formatValue(l, state.values[l.id])}`);
  const off = [...state.rulesOff].map((r) => `${r.replaceAll("_", " ")} off`);
  const all = [...moved, ...off];
  return `${state.preset.title}${all.length ? "; " + all.join(", ") : ", as preset"}`;
}

function togglePin() {
  const button = $("pin");
  if (state.pinned) {
    state.pinned = null;
    button.textContent = "Pin this run to compare";
    button.setAttribute("aria-pressed", "false");
  } else if (state.last) {
    state.pinned = { run: state.last, description: describeLevers() };
    button.textContent = "Unpin the compared run";
    button.setAttribute("aria-pressed", "true");
  }
  if (state.last) draw(state.last);
}

async function runFutures() {
  const button = $("futures");
  button.disabled = true;
  const label = button.textContent;
  button.textContent = "Running…";
  const t0 = performance.now();
  try {
    const study = await getJSON("/api/study", { method: "POST", headers: { "Content-Type": "application/json" }, body: requestBody({}) });
    const ms = performance.now() - t0;
    window.polarityTimings.study.push(ms);
    drawFutures(study, ms);
  } catch (e) {
    setStatus(e.message, true);
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

function pct(x) { return `${Math.round(100 * x)} %`; }

function drawFutures(study, ms) {
  const panel = $("futures-panel");
  panel.hidden = false;
  $("futures-title").textContent = `${study.runs} futures`;
  const varied = study.parameters.map((p) => p.name.replaceAll("_", " ")).join(", ");
  $("futures-summary").textContent = `The same levers, run ${study.runs} times over what nobody knows (${varied || "only the random draws"}) ` +
    `and each run's own random breakthroughs. Computed in ${(ms / 1000).toFixed(1)} s.` +
    (study.stopped_at_time_limit ? " Stopped early at the time limit." : "");
  const shown = study.classes.filter((c) => c.count > 0 || c.class === "unipolar" || c.class === "bipolar");
  upsert("outcomes", {
    type: "bar",
    data: { labels: shown.map((c) => c.class.replace("_", " ")),
            datasets: [{ label: "share of runs", data: shown.map((c) => c.probability), backgroundColor: "#1f5fbf" }] },
    options: baseOptions({ indexAxis: "y", plugins: { legend: { display: false } },
                           scales: { x: { min: 0, max: 1, ticks: { callback: (v) => pct(v) } } } }),
  });
  const table = $("outcome-table");
  table.replaceChildren();
  const head = table.insertRow();
  for (const h of ["outcome", "share", "95 % interval"]) { const th = document.createElement("th"); th.textContent = h; head.appendChild(th); }
  for (const c of shown) {
    const row = table.insertRow();
    row.insertCell().textContent = c.class.replace("_", " ");
    row.cells[0].title = c.meaning;
    const p = row.insertCell(); p.className = "num"; p.textContent = pct(c.probability);
    const i = row.insertCell(); i.className = "num"; i.textContent = `${pct(c.low)} – ${pct(c.high)}`;
  }
  const band = study.bands.rival_lag_months.values;  // [percentile][month]
  const color = "#c62828";
  upsert("fan", {
    type: "line",
    data: { labels: study.months, datasets: [
      { label: "5th", data: band[0], borderColor: "transparent", pointRadius: 0, fill: false },
      { label: "90 % of runs", data: band[4], borderColor: "transparent", backgroundColor: "rgba(198,40,40,0.15)", pointRadius: 0, fill: 0 },
      { label: "25th", data: band[1], borderColor: "transparent", pointRadius: 0, fill: false },
      { label: "middle half", data: band[3], borderColor: "transparent", backgroundColor: "rgba(198,40,40,0.3)", pointRadius: 0, fill: 2 },
      { label: "median", data: band[2], borderColor: color, borderWidth: 2.5, pointRadius: 0, fill: false },
    ] },
    options: baseOptions({
      plugins: { legend: { labels: { boxWidth: 14, font: { size: 13 }, filter: (item) => !["5th", "25th"].includes(item.text) } } },
      scales: { x: { ticks: { maxTicksLimit: 9 } }, y: { title: { display: true, text: "months behind" } } },
    }),
  });
  panel.scrollIntoView({ behavior: "smooth", block: "nearest" });
}

// ---- start -------------------------------------------------------------------------------

$("reset").addEventListener("click", () => { resetValues(); buildLevers(); requestRun(); });
$("pin").addEventListener("click", togglePin);
$("futures").addEventListener("click", runFutures);
loadPresets().catch((e) => { $("answer").textContent = `The playground could not start: ${e.message}`; });
