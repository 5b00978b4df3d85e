// wiebetaalt: the page for wijkteam consultants. One question at a time, only the
// questions that can still change the outcome (the API's `questions`), then a check of
// the answers, then the outcome in words a consultant can read aloud to a parent.
//
// The state of a case lives in the URL (rule set, answers in asking order, step), so
// that the browser's Back goes one question back and a reload keeps the answers.
"use strict";

// ───────────────────────────── small helpers ─────────────────────────────

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** `persoonlijke_verzorging` → `persoonlijke verzorging`. */
const words = (name) => String(name).replaceAll("_", " ");
const capital = (text) => (text ? text[0].toUpperCase() + text.slice(1) : text);
const quoted = (text) => `‘${text}’`;

/** `a, b of c`. */
function orList(items, word = "of") {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} ${word} ${items.at(-1)}`;
}

const NUMBER = new Intl.NumberFormat("nl-NL", { maximumFractionDigits: 2 });
/** 5.5 → `5,5`: numbers in Dutch notation. */
const number = (n) => NUMBER.format(n);

/**
 * What a Dutch keyboard gives (`5,5`) and what a pasted value may hold (`5.5`); else NaN.
 * `1.000` (a Dutch thousands separator) is not read as 1: it is refused, as the case
 * reader refuses it (`thousands` tells the message to say so).
 */
function parseNumber(text) {
  const t = text.replace(/\s/g, "");
  if (thousands(t)) return NaN;
  return /^-?\d+([.,]\d+)?$/.test(t) ? Number(t.replace(",", ".")) : NaN;
}
/** `1.000`, `12.500,5`: a number written with a dot between groups of three digits. */
const thousands = (t) => /^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(t);

const MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
  "september", "oktober", "november", "december"];
/** `2025-09-01` → `1 september 2025`. */
function date(iso) {
  const [y, m, d] = String(iso).split("-").map(Number);
  return MONTHS[m - 1] ? `${d} ${MONTHS[m - 1]} ${y}` : String(iso);
}

// ───────────────────────────── the rule set in words ─────────────────────────────

const page = {
  sets: [],            // GET /api/v1/regelsets
  meta: new Map(),     // id → GET /api/v1/regelsets/{id}
  questions: new Map(), // rule set and answers → POST .../questions (they never change)
};

/** The current case. Everything but `remembered` and `decision` is in the URL. */
const state = {
  id: "",            // the chosen rule set
  answers: [],       // [fact, value] in asking order: only answers that still apply
  step: "regio",     // regio | vraag | wijzig | controle | uitkomst
  fact: null,        // the fact whose answer is being changed (step wijzig)
  dossier: "",       // the consultant's reference for the case, sent as the case `id`
  asked: null,       // the last POST .../questions for these answers
  decision: null,    // the decision on the outcome step (not recorded)
  recorded: null,    // the decision as recorded by "Vastleggen"
  remembered: {},    // answers given before in this case, to fill a form again after Back
  invalid: null,     // {field, message}: a field error to show
};

const meta = () => page.meta.get(state.id);
const fact = (name) => meta().facts.find((f) => f.name === name);

/** What a person reads for a value of a `keuze` or `lijst`: its label, else its name. */
function valueLabel(f, value) {
  const option = (f.options || []).find((o) => o.value === value);
  return (option && option.label) || words(value);
}

/** A domain of the law, or a value of a further decision (`beslissing ... waarde`). */
function outcomeMeta(name) {
  const m = meta();
  const values = (m.decisions || []).flatMap((d) => d.values);
  return m.domains.find((d) => d.name === name) || values.find((v) => v.name === name) || { name };
}
const outcomeLabel = (name) => outcomeMeta(name).label || words(name);
const rule = (name) => meta().rules.find((r) => r.name === name) || { name };
const ruleTitle = (name) => rule(name).title || capital(words(name));

/** A help text without the rule language: `onderwijsprogramma` → ‘onderwijsprogramma’ (its label). */
function plainHelp(f, text) {
  return text.replace(/`([^`]+)`/g, (_, name) =>
    quoted((f.values || []).includes(name) ? valueLabel(f, name) : words(name)));
}

/** An answer as a person reads it. */
function showAnswer(f, value) {
  if (f.type === "ja/nee") return value ? "Ja" : "Nee";
  if (f.type === "lijst") return value.length ? capital(value.map((v) => valueLabel(f, v)).join(", ")) : "Geen";
  if (f.type === "keuze") return capital(valueLabel(f, value));
  if (f.type === "getal") return f.unit ? `${number(value)} ${f.unit}` : number(value);
  return String(value);
}

const questionText = (f) => f.question || `Wat is de ${words(f.name)}?`;

// ───────────────────────────── the URL ─────────────────────────────
// ?regio=nijmegen&stap=controle&soort=begeleiding&wlz_indicatie=nee&...
// The answers keep their asking order; `stap` is left out for a question.

const RESERVED = new Set(["regio", "stap", "vraag", "dossier", "regelset"]);

function encodeValue(f, value) {
  if (f.type === "ja/nee") return value ? "ja" : "nee";
  if (f.type === "lijst") return value.join(",");
  return String(value);
}

/** A value from the URL, or undefined when it does not fit the fact. */
function decodeValue(f, raw) {
  switch (f.type) {
    case "ja/nee": return raw === "ja" ? true : raw === "nee" ? false : undefined;
    case "getal": {
      const n = Number(raw);
      return raw !== "" && Number.isFinite(n) && inBounds(f, n) ? n : undefined;
    }
    case "keuze": return f.values.includes(raw) ? raw : undefined;
    case "lijst": {
      const items = raw ? raw.split(",") : [];
      return items.every((v) => f.values.includes(v)) ? items : undefined;
    }
    default: return raw;
  }
}

function toUrl(s) {
  const p = new URLSearchParams();
  if (s.id) p.set("regio", s.id);
  if (s.id && s.step !== "vraag") p.set("stap", s.step);
  if (s.step === "wijzig") p.set("vraag", s.fact);
  if (s.dossier) p.set("dossier", s.dossier);
  for (const [name, value] of s.answers) p.append(name, encodeValue(fact(name), value));
  const query = p.toString();
  return query ? `?${query}` : location.pathname;
}

/** What the URL asks for; its answers (`raw`) are read once the rule set is known. */
function fromUrl() {
  const p = new URLSearchParams(location.search);
  const id = p.get("regio") || "";
  return {
    id,
    step: id ? (p.get("stap") || "vraag") : "regio",
    fact: p.get("vraag"),
    dossier: p.get("dossier") || "",
    raw: [...p].filter(([k]) => !RESERVED.has(k)),
  };
}

/** The URL's answers in order, up to the first that does not fit the rule set `m`. */
function answersFromUrl(m, raw) {
  const answers = [];
  for (const [name, text] of raw) {
    const f = m.facts.find((x) => x.name === name);
    const value = f && decodeValue(f, text);
    if (value === undefined || answers.some(([n]) => n === name)) break; // the rest built on it
    answers.push([name, value]);
  }
  return answers;
}

// ───────────────────────────── requests ─────────────────────────────
// One navigation at a time: each starts a new generation and aborts the requests of the
// one before, and a reply is used only while its generation is the latest. So a slow
// reply to an older answer can never overwrite a newer one.

let generation = 0;
let controller = null;
const TIMEOUT_MS = 20000;

class Problem extends Error {
  constructor(kind, status) {
    super(kind);
    this.kind = kind;
    this.status = status;
  }
}

// Dutch for what can go wrong; the API's own messages name keys of the rule language.
const PROBLEMS = {
  offline: "De server is niet bereikbaar. Controleer de verbinding en probeer het opnieuw.",
  traag: "De server antwoordt niet op tijd. Probeer het opnieuw.",
  timeout: "De server antwoordt niet op tijd. Probeer het opnieuw.",
  not_found: "Deze regio is niet (meer) beschikbaar. Kies een andere regio.",
  not_valid: "De afspraken van deze regio gelden niet op de datum van vandaag.",
  invalid_case: "Een antwoord past niet bij de afspraken van deze regio. Begin de vragen opnieuw.",
  log_failed: "De beslissing kon niet worden vastgelegd; er is niets bewaard. Probeer het opnieuw.",
  payload_too_large: "De casus is te groot om te versturen.",
};
const problemText = (p) => PROBLEMS[p.kind] ||
  (p.status >= 500 ? "Er ging iets mis op de server. Probeer het opnieuw." : "Er ging iets mis. Probeer het opnieuw.");

async function api(path, { body, signal, headers = {} } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method: body ? "POST" : "GET",
      headers: body ? { "Content-Type": "application/json", ...headers } : headers,
      body: body ? JSON.stringify(body) : undefined,
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]) : AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new Problem(e.name === "TimeoutError" ? "traag" : "offline");
  }
  const reply = await response.json().catch(() => null);
  if (!response.ok) throw new Problem((reply && reply.error && reply.error.code) || "http", response.status);
  if (reply === null) throw new Problem("http", response.status);
  return reply;
}

const setPath = (id, what) => `/api/v1/regelsets/${encodeURIComponent(id)}${what}`;

/** The case as the API takes it: the facts, and the dossier reference as `id`. */
function caseBody(answers, dossier) {
  const body = Object.fromEntries(answers);
  if (dossier) body.id = dossier;
  return body;
}

async function loadMeta(id, signal) {
  if (!page.meta.has(id)) page.meta.set(id, await api(setPath(id, ""), { signal }));
  return page.meta.get(id);
}

async function ask(id, answers, signal) {
  const key = JSON.stringify([id, answers]);
  if (!page.questions.has(key)) {
    page.questions.set(key, await api(setPath(id, "/questions"), { body: caseBody(answers), signal }));
  }
  return page.questions.get(key);
}

/**
 * Decides the case; `record` writes it in the decision log (only "Vastleggen" does),
 * under an `Idempotency-Key` made of the case itself: the region, the answers, the
 * dossier and today's date. The same case sent again — a retry after a timeout, a
 * reload, Back and Forward while it was on its way, another tab — is answered with the
 * decision that was recorded, never recorded twice.
 */
function decide(id, answers, dossier, { record, signal }) {
  const query = record ? "" : "?record=false";
  const headers = record ? { "Idempotency-Key": recordingKey(id, answers, dossier) } : {};
  return api(setPath(id, `/decisions${query}`), { body: caseBody(answers, dossier), signal, headers });
}

/** `wb1-` and the FNV-1a hash (64 bits) of the case and today's date. */
function recordingKey(id, answers, dossier) {
  const today = new Date();
  const text = JSON.stringify([id, answers, dossier, today.getFullYear(), today.getMonth(), today.getDate()]);
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  }
  return `wb1-${hash.toString(16).padStart(16, "0")}`;
}

/**
 * Runs `task` as the latest navigation: busy while it runs, its result applied only if
 * no newer navigation started, and a Dutch message with "Probeer opnieuw" if it fails.
 */
async function run(task, retry) {
  const mine = ++generation;
  if (controller) controller.abort();
  controller = new AbortController();
  setBusy(true);
  try {
    const apply = await task(controller.signal);
    if (mine === generation) {
      const retried = afterProblem;
      afterProblem = null;
      clearProblem();
      apply();
      // "Probeer opnieuw" is gone with the message: the focus goes back to the control
      // that failed (the download button), not to the page, once it is enabled again.
      if (retried && !focusBeforeBusy) focusBeforeBusy = retried;
    }
  } catch (e) {
    if (mine !== generation || e.name === "AbortError") return;
    if (!(e instanceof Problem)) console.error(e);
    showProblem(e instanceof Problem ? problemText(e) : "Er ging iets mis op deze pagina. Probeer het opnieuw.", retry);
  } finally {
    if (mine === generation) setBusy(false);
  }
}

const busy = () => $("inhoud").getAttribute("aria-busy") === "true";

// While waiting, a click on a link ("Wijzig") or a button is not taken: it would start a
// navigation that drops the reply being waited for.
addEventListener("click", (e) => {
  if (busy() && e.target.closest("#inhoud a, #inhoud button")) {
    e.preventDefault();
    e.stopImmediatePropagation();
  }
}, true);

/** While waiting: a visible "Bezig…" and every control disabled (a double click sends once). */
function setBusy(busy) {
  $("bezig").textContent = busy ? "Bezig…" : "";
  const main = $("inhoud");
  const focused = document.activeElement && document.activeElement !== document.body ? document.activeElement : null;
  // A control that is disabled loses the focus: it gets it back when the wait is over
  // (unless the step moved it elsewhere).
  if (busy && focused) focusBeforeBusy = focused;
  main.setAttribute("aria-busy", String(busy));
  for (const c of main.querySelectorAll("button, input, select, textarea")) {
    if (busy && !c.disabled) {
      c.disabled = true;
      c.dataset.bezig = "";
    } else if (!busy && "bezig" in c.dataset) {
      c.disabled = false;
      delete c.dataset.bezig;
    }
  }
  if (!busy) {
    if (!focused && focusBeforeBusy && focusBeforeBusy.isConnected) focusBeforeBusy.focus({ preventScroll: true });
    focusBeforeBusy = null;
  }
}
let focusBeforeBusy = null;

// ───────────────────────────── navigation ─────────────────────────────

let depth = 0; // how many entries of this page lie behind the current one in the history
let loaded = false; // the first view after loading the page keeps the focus where a page load puts it

/**
 * Goes to `target` (a partial state): fetches what that step needs, then shows it.
 * `how`: "push" adds a history entry, "replace" changes the current one, "none" keeps
 * the URL the browser went to (Back and Forward) unless the step had to change.
 */
function go(target, how = "push") {
  return run(async (signal) => {
    const next = await settle(target, signal);
    return () => commit(next, how);
  }, () => go(target, how));
}

/** The state for `target`: the rule set, the answers that apply, the step it can show. */
async function settle(target, signal) {
  const next = { ...state, invalid: null, decision: null, ...target };
  if (!next.id) return { ...next, step: "regio", answers: [], asked: null };
  const m = await loadMeta(next.id, signal);
  if (target.raw) next.answers = answersFromUrl(m, target.raw);
  delete next.raw;
  let asked;
  if (target.changed !== undefined) {
    ({ answers: next.answers, asked } = await replay(next.id, next.answers, target.changed, signal));
  } else {
    asked = await ask(next.id, next.answers, signal);
  }
  next.asked = asked;
  if (next.step === "wijzig" && !next.answers.some(([n]) => n === next.fact)) next.step = "controle";
  if (!asked.complete && ["controle", "uitkomst"].includes(next.step)) next.step = "vraag";
  if (asked.complete && next.step === "vraag") next.step = "controle";
  if (next.step === "uitkomst") {
    next.decision = await decide(next.id, next.answers, next.dossier, { record: false, signal });
  }
  delete next.changed;
  return next;
}

/**
 * After the answer at `from` changed: the later answers that still apply, found by asking
 * the questions again in order and taking a known answer for each, until a question has
 * none. An answer that is no longer asked for is dropped, with everything that was asked
 * because of it.
 */
async function replay(id, answers, from, signal) {
  const kept = answers.slice(0, from + 1);
  const later = new Map(answers.slice(from + 1));
  for (;;) {
    const asked = await ask(id, kept, signal);
    if (asked.complete || !later.has(asked.next)) return { answers: kept, asked };
    kept.push([asked.next, later.get(asked.next)]);
    later.delete(asked.next);
  }
}

function commit(next, how) {
  if (next.id !== state.id) state.remembered = {};
  Object.assign(state, next);
  if (state.step === "uitkomst" && !state.dossier) state.dossier = book.dossierFor(state.id, state.answers);
  for (const [name, value] of state.answers) state.remembered[name] = value;
  const url = toUrl(state);
  if (how === "push") {
    depth += 1;
    history.pushState({ depth }, "", url);
  } else if (how === "replace" || url !== (location.search || location.pathname)) {
    history.replaceState({ ...history.state, depth }, "", url);
  }
  state.recorded = recordedHere();
  render();
  if (loaded) openStep();
  loaded = true;
}

/**
 * The decisions recorded in this browser tab, by case (region, answers, dossier), kept in
 * `sessionStorage` (gone when the tab closes): a case recorded once shows "Vastgelegd"
 * wherever the consultant comes back to it — after Back, after "Wijzig" with the same
 * answer, after a reload — so it is not recorded twice by accident, and a reply to
 * "Vastleggen" is kept even when the consultant went elsewhere meanwhile.
 */
const book = {
  all() {
    try { return JSON.parse(sessionStorage.getItem("vastgelegd") || "{}"); } catch { return {}; }
  },
  put(key, decision) {
    const all = this.all();
    all[key] = { decision, round: this.round() };
    try { sessionStorage.setItem("vastgelegd", JSON.stringify(all)); } catch { /* full: shown, not kept */ }
  },
  get(key) {
    const entry = this.all()[key];
    return entry ? entry.decision : null;
  },
  /**
   * The dossier a case with these answers was recorded under in this round (since the
   * last "Nieuwe casus"): never the dossier of another child with the same answers.
   */
  dossierFor(id, answers) {
    const prefix = JSON.stringify([id, answers]).slice(0, -1);
    const round = this.round();
    const found = Object.entries(this.all())
      .filter(([k, e]) => k.startsWith(`${prefix},`) && e.round === round).pop();
    return found ? found[1].decision.case.id || "" : "";
  },
  /** Which case of this tab is open: "Nieuwe casus" starts the next. */
  round() {
    return Number(sessionStorage.getItem("ronde") || 0);
  },
  nextRound() {
    try { sessionStorage.setItem("ronde", String(this.round() + 1)); } catch { /* kept in memory only */ }
  },
};

/** The recorded decision for this very case, if "Vastleggen" was used on it. */
function recordedHere() {
  return book.get(caseKey());
}
const caseKey = () => JSON.stringify([state.id, state.answers, state.dossier]);

/** "Vorige": one step back, as the browser's Back does. */
function previous() {
  if (depth > 0) {
    history.back();
    return;
  }
  // Opened at this step (a link or a reload of the first entry): the step before it.
  if (state.step === "wijzig" || state.step === "uitkomst") go({ step: "controle" }, "replace");
  else if (!state.answers.length) go({ step: "regio" }, "replace");
  else go({ answers: state.answers.slice(0, -1), step: "vraag" }, "replace");
}

// Back and Forward: the state is in the URL the browser went to.
addEventListener("popstate", (event) => {
  depth = (event.state && event.state.depth) || 0;
  clearProblem();
  go(fromUrl(), "none");
});

// ───────────────────────────── start ─────────────────────────────

async function start() {
  depth = (history.state && history.state.depth) || 0;
  await run(async (signal) => {
    page.sets = await api("/api/v1/regelsets", { signal });
    return () => {
      const wanted = fromUrl();
      if (!page.sets.some((s) => s.id === wanted.id)) wanted.id = "";
      // An address of the earlier page (`?regelset=...`) still preselects the region.
      fillRegions(wanted.id || new URLSearchParams(location.search).get("regelset"));
      go(wanted, "replace");
    };
  }, start);
}

function fillRegions(selected) {
  const select = $("regelset");
  select.replaceChildren(el("option", { value: "" }, "Kies de afspraken van uw regio"),
    ...page.sets.map((s) => el("option", { value: s.id, selected: s.id === selected }, s.name)));
  describeRegion();
}

/** Version and validity of the region in the list, without loading it: arrowing through
 * the list changes nothing until "Start". */
function describeRegion() {
  const s = page.sets.find((x) => x.id === $("regelset").value);
  $("regelset-info").textContent = s
    ? [s.version && `Versie ${s.version}`, s.valid_from && `geldig vanaf ${date(s.valid_from)}`]
      .filter(Boolean).join(", ") + "."
    : "De regio bepaalt welke afspraken gelden over wie wat betaalt.";
}

$("regelset").addEventListener("change", describeRegion);
$("stap-regio").addEventListener("submit", (e) => {
  e.preventDefault();
  const id = $("regelset").value;
  if (!id) {
    fieldError("regelset", "Kies de afspraken van uw regio.");
    return;
  }
  const same = id === state.id;
  go({ id, step: "vraag", answers: [], fact: null, dossier: same ? state.dossier : "" });
});

// ───────────────────────────── showing a step ─────────────────────────────

const STEPS = [["regio", "Regio"], ["vraag", "Vragen"], ["controle", "Controleren"], ["uitkomst", "Uitkomst"]];
const stepIndex = (step) => STEPS.findIndex(([s]) => s === (step === "wijzig" ? "vraag" : step));

function render() {
  renderSteps();
  const regio = state.step === "regio";
  $("stap-regio").hidden = !regio;
  $("stap").hidden = regio;
  clearRegionError();
  if (regio) {
    if (state.id) $("regelset").value = state.id;
    describeRegion();
    $("stap").replaceChildren();
  } else {
    $("stap").replaceChildren(...stepView().flat(Infinity).filter(Boolean));
  }
  document.title = `${state.invalid ? "Fout: " : ""}${stepTitle()} – Wie betaalt?`;
}

function stepView() {
  switch (state.step) {
    case "vraag": return questionView(fact(state.asked.next), false);
    case "wijzig": return questionView(fact(state.fact), true);
    case "controle": return checkView();
    default: return outcomeView(state.decision);
  }
}

function stepTitle() {
  switch (state.step) {
    case "regio": return "Kies de regio";
    case "vraag": return `Vraag ${state.answers.length + 1}: ${questionText(fact(state.asked.next))}`;
    case "wijzig": return `Antwoord wijzigen: ${questionText(fact(state.fact))}`;
    case "controle": return "Controleer uw antwoorden";
    default: return `Uitkomst: ${(payerSentences(state.decision)[0] || "wie betaalt").replace(/\.$/, "")}`;
  }
}

function renderSteps() {
  const current = stepIndex(state.step);
  $("stappen").replaceChildren(...STEPS.map(([, name], i) => el("li", {
    class: i < current ? "klaar" : null,
    "aria-current": i === current ? "step" : null,
  }, name, i < current ? el("span", { class: "visueel-verborgen" }, " (klaar)") : null)));
}

/** A new step has the focus on its heading, at the top of the screen, as a new page would. */
function openStep() {
  const heading = state.step === "regio" ? $("regio-kop") : $("stap").querySelector("h1");
  if (!heading) return;
  heading.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  const box = heading.getBoundingClientRect();
  if (box.bottom > innerHeight) heading.scrollIntoView({ block: "start" });
}

// ───────────────────────────── messages ─────────────────────────────

/** The control that had the focus when a problem was shown, to return to after "Probeer opnieuw". */
let afterProblem = null;

/** A problem at the top of the page, with "Probeer opnieuw" when the action can be repeated. */
function showProblem(message, retry) {
  clearFieldErrors();
  const focused = document.activeElement && document.activeElement !== document.body ? document.activeElement : focusBeforeBusy;
  if (focused && !$("melding").contains(focused)) afterProblem = focused;
  const box = el("div", { class: "utrecht-alert utrecht-alert--error melding", role: "alert" },
    el("h2", { class: "nl-heading nl-heading--level-2", tabindex: "-1", id: "melding-kop" }, "Er is een probleem"),
    el("p", { class: "nl-paragraph" }, message),
    retry ? el("div", { class: "utrecht-action-group" },
      el("button", {
        type: "button", class: "nl-button nl-button--primary",
        // After a retry the next step gets the focus, also on the first view of the page.
        onclick: () => { clearProblem(); loaded = true; retry(); },
      }, "Probeer opnieuw")) : null);
  $("melding").replaceChildren(box);
  document.title = `Fout: ${document.title.replace(/^Fout: /, "")}`;
  $("melding-kop").focus({ preventScroll: true });
  $("melding").scrollIntoView({ block: "start" });
}

/** Field errors of an earlier try: gone once another message or step takes over. */
function clearFieldErrors() {
  for (const error of $("stap").querySelectorAll(".utrecht-form-field-error-message")) error.hidden = true;
  for (const field of $("stap").querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  for (const field of $("stap").querySelectorAll(".utrecht-form-field--invalid")) field.classList.remove("utrecht-form-field--invalid");
}

function clearProblem() {
  $("melding").replaceChildren();
  document.title = document.title.replace(/^Fout: /, "");
}

/**
 * A field that cannot be sent as it is: the message at the top, linked to the field, and
 * at the field itself. `id` is an input, or the fieldset of a group of radio buttons or
 * checkboxes; its error message is the element `${id}-fout`.
 */
function fieldError(id, message) {
  const field = $(id);
  const error = $(`${id}-fout`);
  error.textContent = message;
  error.hidden = false;
  const controls = field.matches("fieldset") ? [...field.querySelectorAll("input")] : [field];
  for (const control of controls) control.setAttribute("aria-invalid", "true");
  const described = new Set((field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
  described.add(error.id);
  field.setAttribute("aria-describedby", [...described].join(" "));
  field.closest(".utrecht-form-field, .utrecht-form-fieldset")?.classList.add("utrecht-form-field--invalid");
  const target = controls[0];
  const summary = el("div", { class: "utrecht-alert utrecht-alert--error melding", role: "alert" },
    el("h2", { class: "nl-heading nl-heading--level-2", tabindex: "-1", id: "melding-kop" }, "Er is een probleem"),
    el("ul", {}, el("li", {}, el("a", {
      class: "nl-link", href: `#${target.id}`,
      onclick: (e) => { e.preventDefault(); target.focus(); },
    }, message))));
  $("melding").replaceChildren(summary);
  document.title = `Fout: ${document.title.replace(/^Fout: /, "")}`;
  $("melding-kop").focus({ preventScroll: true });
  $("melding").scrollIntoView({ block: "start" });
}

/** The region list without the error of an earlier "Start" without a choice. */
function clearRegionError() {
  const select = $("regelset");
  $("regelset-fout").hidden = true;
  select.removeAttribute("aria-invalid");
  select.setAttribute("aria-describedby", "regelset-info");
  select.closest(".utrecht-form-field").classList.remove("utrecht-form-field--invalid");
}

// ───────────────────────────── a question ─────────────────────────────

const button = (text, attrs) => el("button", { type: "button", class: "nl-button nl-button--secondary", ...attrs }, text);
const submit = (text) => el("button", { type: "submit", class: "nl-button nl-button--primary" }, text);

/** One question: the `vraag` as the heading, the `toelichting` below it, the controls. */
function questionView(f, changing) {
  const id = `antwoord-${f.name}`;
  const known = state.answers.find(([n]) => n === f.name);
  const current = known ? known[1] : state.remembered[f.name];
  const help = f.help ? el("p", { class: "utrecht-form-field-description", id: `${id}-hulp` }, plainHelp(f, f.help)) : null;
  const error = el("p", { class: "utrecht-form-field-error-message", id: `${id}-fout`, hidden: true });
  const heading = el("h1", { class: "nl-heading nl-heading--level-1", tabindex: "-1" });

  let field;
  let read;
  if (f.type === "ja/nee" || f.type === "keuze" || f.type === "lijst") {
    const multiple = f.type === "lijst";
    const options = f.type === "ja/nee" ? [["ja", "Ja"], ["nee", "Nee"]]
      : f.values.map((v) => [v, capital(valueLabel(f, v))]);
    const chosen = f.type === "ja/nee" ? (current === undefined ? [] : [current ? "ja" : "nee"])
      : [].concat(current ?? []);
    heading.append(questionText(f));
    field = el("fieldset", {
      id,
      class: "utrecht-form-fieldset utrecht-form-fieldset--html-fieldset",
      "aria-describedby": help ? help.id : null,
    },
    el("legend", { class: "utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend" }, heading),
    help, error,
    multiple ? el("p", { class: "utrecht-form-field-description" }, "Kies alles wat geldt. Geldt niets, kies dan niets.") : null,
    el("div", { class: options.length > 6 ? "keuzes veel" : "keuzes" }, options.map(([value, text], i) => choice(f, id, i, value, text, multiple, chosen.includes(value)))));
    read = () => {
      const checked = [...field.querySelectorAll("input:checked")].map((b) => b.value);
      if (multiple) return { value: checked };
      if (!checked.length) return { error: "Kies een antwoord." };
      return { value: f.type === "ja/nee" ? checked[0] === "ja" : checked[0] };
    };
  } else {
    const isNumber = f.type === "getal";
    const hint = isNumber ? numberHint(f) : null;
    const input = el("input", {
      id, name: f.name, type: "text", autocomplete: "off", spellcheck: "false",
      class: `utrecht-textbox utrecht-textbox--html-input ${isNumber ? "" : "utrecht-textbox--tekst"}`,
      inputmode: isNumber ? "decimal" : null,
      value: current === undefined ? null : isNumber ? number(current) : current,
      "aria-describedby": [help && help.id, hint && `${id}-hint`].filter(Boolean).join(" ") || null,
    });
    heading.append(el("label", { for: id }, questionText(f)));
    field = el("div", { class: "utrecht-form-field utrecht-form-field--text" },
      heading, help,
      hint ? el("p", { class: "utrecht-form-field-description", id: `${id}-hint` }, hint) : null,
      error,
      isNumber && f.unit ? el("div", { class: "getal" }, input, el("span", { class: "eenheid", "aria-hidden": "true" }, f.unit)) : input);
    read = () => readText(f, input.value);
  }

  const form = el("form", { "data-fact": f.name, novalidate: true },
    changing ? null : el("p", { class: "voortgang" }, progress()),
    field,
    el("div", { class: "utrecht-action-group" },
      submit(changing ? "Opslaan" : "Volgende"),
      button(changing ? "Terug naar uw antwoorden" : "Vorige", { onclick: previous })));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (busy()) return;
    const result = read();
    if (result.error) {
      fieldError(id, result.error);
      return;
    }
    (changing ? change : answer)(f.name, result.value);
  });
  return [form];
}

function choice(f, id, i, value, text, multiple, checked) {
  const inputId = `${id}-${i}`;
  return el("div", { class: `utrecht-form-field utrecht-form-field--${multiple ? "checkbox" : "radio"}` },
    el("input", {
      type: multiple ? "checkbox" : "radio",
      id: inputId, name: f.name, value, checked,
      class: multiple ? "utrecht-checkbox utrecht-checkbox--html-input utrecht-form-field__input"
        : "utrecht-radio-button utrecht-radio-button--html-input utrecht-form-field__input",
    }),
    el("label", {
      for: inputId,
      class: `utrecht-form-label utrecht-form-label--${multiple ? "checkbox" : "radio"} utrecht-form-field__label`,
    }, text));
}

function numberHint(f) {
  const unit = f.unit ? ` ${f.unit}` : "";
  const range = f.bounds ? `Een getal van ${number(f.bounds.min)} tot en met ${number(f.bounds.max)}${unit}` : "Een getal";
  return `${range}. Gebruik een komma voor een deel, bijvoorbeeld 5,5.`;
}

function inBounds(f, n) {
  return !f.bounds || (n >= f.bounds.min && n <= f.bounds.max);
}

function readText(f, text) {
  if (!text.trim()) return { error: f.type === "getal" ? "Vul een getal in." : "Vul een antwoord in." };
  if (f.type !== "getal") return { value: text.trim() };
  const n = parseNumber(text);
  const plain = text.replace(/\s/g, "");
  if (thousands(plain)) {
    const meant = plain.replaceAll(".", "");
    return { error: `Schrijf een getal zonder punt tussen de duizendtallen: bedoelt u ${meant}?` };
  }
  if (!Number.isFinite(n)) return { error: "Vul een getal in, bijvoorbeeld 12 of 12,5." };
  if (!inBounds(f, n)) {
    return { error: `Vul een getal in tussen ${number(f.bounds.min)} en ${number(f.bounds.max)}${f.unit ? ` ${f.unit}` : ""}.` };
  }
  return { value: n };
}

/**
 * "Vraag 3": the number of questions still possible is said only when it is small (an
 * upper bound of 14 when most cases need five frightens more than it helps).
 */
function progress() {
  const nr = state.answers.length + 1;
  const after = state.asked.open.length - 1;
  if (after <= 0) return `Vraag ${nr} · dit is waarschijnlijk de laatste vraag`;
  if (after <= 3) return `Vraag ${nr} · daarna nog hoogstens ${after} ${after === 1 ? "vraag" : "vragen"}`;
  return `Vraag ${nr}`;
}

/** The next question was answered. */
function answer(name, value) {
  go({ answers: [...state.answers, [name, value]], step: "vraag" });
}

/** An earlier answer changed: the later answers that no longer apply are dropped. */
function change(name, value) {
  const at = state.answers.findIndex(([n]) => n === name);
  if (JSON.stringify(state.answers[at][1]) === JSON.stringify(value)) {
    go({ step: "controle", fact: null });
    return;
  }
  const answers = state.answers.map(([n, v]) => [n, n === name ? value : v]);
  go({ answers, step: "controle", fact: null, changed: at });
}

// ───────────────────────────── check the answers ─────────────────────────────

/** The answers, each with a link that changes it. */
function answersList(withLinks) {
  return el("dl", { class: "antwoorden" }, state.answers.map(([name, value]) => {
    const f = fact(name);
    const target = { ...state, step: "wijzig", fact: name };
    return el("div", { "data-fact": name },
      el("dt", {}, questionText(f)),
      el("dd", { class: "waarde" }, showAnswer(f, value)),
      withLinks ? el("dd", { class: "wijzig" }, el("a", {
        class: "nl-link",
        href: toUrl(target),
        onclick: (e) => { e.preventDefault(); go({ step: "wijzig", fact: name }); },
      }, "Wijzig", el("span", { class: "visueel-verborgen" }, ` het antwoord op: ${questionText(f)}`))) : null);
  }));
}

function checkView() {
  const s = page.sets.find((x) => x.id === state.id);
  return [
    el("h1", { class: "nl-heading nl-heading--level-1", tabindex: "-1" }, "Controleer uw antwoorden"),
    el("p", { class: "nl-paragraph" }, `Regio: ${s ? s.name : meta().name}. `,
      "Klopt alles? Dan ziet u hierna wie betaalt. Met ‘Wijzig’ past u een antwoord aan; ",
      "vragen die daarna niet meer nodig zijn, vallen weg."),
    answersList(true),
    el("div", { class: "utrecht-action-group" },
      el("button", { type: "button", class: "nl-button nl-button--primary", onclick: () => go({ step: "uitkomst" }) },
        "Bekijk de uitkomst"),
      button("Vorige", { onclick: previous })),
  ];
}

// ───────────────────────────── the outcome in words ─────────────────────────────

/** Who pays which share: the payers of the payment, else the payer of each domain. */
function shares(d) {
  if (d.payment) {
    return (d.payment.payers || []).map((p) => ({ ...p }));
  }
  return Object.entries(d.outcome || {}).map(([domain, share]) => ({
    payer: outcomeMeta(domain).payer || outcomeLabel(domain), share, domain, via: null,
  }));
}

// Nouns that take `het`; every other payer without an article takes `de`.
const HET = new Set(["zorgkantoor", "samenwerkingsverband", "schoolbestuur", "wijkteam", "rijk", "college", "uwv"]);

/** `gemeente Wijchen` → `De gemeente Wijchen`; `school of samenwerkingsverband` →
 * `De school of het samenwerkingsverband`. */
function withArticle(phrase, first = true) {
  const either = phrase.match(/^([a-z]\w*) of ([a-z]\w*)$/);
  if (either) return `${withArticle(either[1], first)} of ${withArticle(either[2], false)}`;
  if (/^[A-Z0-9'‘]/.test(phrase) && !/^(De|Het|Een) /.test(phrase)) return phrase; // a name
  if (/^(de|het|een|nog) /i.test(phrase)) return first ? capital(phrase) : phrase;
  const article = HET.has(phrase.split(/[\s(]/)[0].toLowerCase()) ? "het" : "de";
  return `${first ? capital(article) : article} ${phrase}`;
}

/** `ouders` and `gemeenten` pay in the plural (`De Groningse gemeenten samen`); `school en gemeente` too. */
const plural = (payer) => /^(de )?(\p{L}+ )?(ouders|gemeenten|scholen|samenwerkingsverbanden)\b/iu.test(payer) ||
  /^\p{L}+ en \p{L}+$/u.test(payer);

/** Whether nobody pays yet: `nog niemand`, `nog niet afgesproken`. */
const nobody = (payer) => /^nog /i.test(payer.trim());
/** The same for a payer of the rule set, which may also be a fact of the case (`{fact}`). */
const nobodyPays = (payer) => typeof payer === "string" && nobody(payer);

function shareText(share) {
  if (share === 100) return "alle kosten";
  if (share === 50) return "de helft van de kosten (50%)";
  return `${number(share)}% van de kosten`;
}

/**
 * A payer taken from the case as the consultant typed it (`zeist`): a name, so with a
 * capital, and "de gemeente" before it when the fact asks for a gemeente.
 */
function typedPayer(p) {
  const from = p.via && outcomeMeta(p.via).payer;
  const f = from && typeof from === "object" && from.fact && fact(from.fact);
  if (!f || f.type !== "tekst") return p.payer.trim();
  const typed = p.payer.trim().replace(/^gemeente\s+/i, "");
  const name = typed.split(/(\s+|-)/).map((w, i) => (i === 0 || !/^(aan|den|der|op|de)$/i.test(w) ? placeName(w) : w.toLowerCase())).join("");
  return /gemeente/i.test(`${f.name} ${f.question || ""}`) ? `gemeente ${name}` : name;
}

/** One word of a place name as it is written: `zeist` → `Zeist`, `ijsselstein` → `IJsselstein`, `BILT` → `Bilt`. */
function placeName(word) {
  const w = word === word.toUpperCase() && word.length > 1 ? word.toLowerCase() : word;
  if (/^ij/i.test(w)) return `IJ${w.slice(2)}`;
  return capital(w);
}

/** The sentence a consultant reads aloud: "De gemeente Wijchen betaalt alle kosten." */
function payerSentence(p, all = [p]) {
  const payer = typedPayer(p);
  if (/^nog niet afgesproken/i.test(payer)) {
    // With several parts, each says which it is: "de helft van de kosten (50%, Jeugdwet)".
    const share = shareText(p.share);
    const label = outcomeLabel(p.domain);
    const part = all.length < 2 ? share
      : /\)$/.test(share) ? share.replace(/\)$/, `, ${label})`) : `${share} (${label})`;
    return `Het is nog niet afgesproken wie ${part} betaalt.`;
  }
  if (nobody(payer)) return `${capital(payer)} betaalt ${shareText(p.share)}.`;
  return `${withArticle(payer)} ${plural(payer) ? "betalen" : "betaalt"} ${shareText(p.share)}.`;
}

const payerSentences = (d) => (d ? shares(d).map((p, _, all) => payerSentence(p, all)) : []);

/** The further decisions the case needed (the route), each with its question and answer. */
function furtherDecisions(d) {
  return (meta().decisions || [])
    .map((m) => ({ meta: m, part: (d.decisions || {})[m.name] }))
    .filter(({ part }) => part && part.status !== "not_needed" && part.outcome);
}

/** Open points and outcomes that pay nobody must not look like a settled answer. */
function outcomeKind(d) {
  if (d.status === "conflict") return "error";
  const open = shares(d).some((p) => nobody(p.payer)) ||
    [...Object.keys(d.outcome || {}), ...furtherDecisions(d).flatMap(({ part }) => Object.keys(part.outcome))]
      .some((name) => /^(open_punt|niet_)/.test(name) || nobodyPays(outcomeMeta(name).payer));
  return d.status === "fallback" || open ? "warning" : "info";
}

function statusText(d) {
  if (d.status === "fallback") {
    return "Grijs gebied: geen enkele afspraak beslist over deze situatie. Daarom geldt de verdeling die de regio voor het grijze gebied heeft afgesproken.";
  }
  if (d.status === "conflict") {
    return "Afspraken spreken elkaar tegen: daarom geldt de verdeling die de regio voor dat geval heeft afgesproken. Leg de situatie voor aan de regio.";
  }
  return null;
}

function outcomeView(d) {
  const kind = outcomeKind(d);
  const list = shares(d);
  const further = furtherDecisions(d);
  const box = el("div", {
    class: `utrecht-alert utrecht-alert--${kind} uitkomst`,
    "data-outcome": JSON.stringify(d.outcome),
    "data-kind": kind,
  },
  kind === "info" ? null : el("p", { class: "soort" }, kind === "error" ? "Let op: tegenstrijdige afspraken" : "Let op: nog niet geregeld"),
  list.length ? list.map((p) => [
    el("p", { class: "betaler", "data-domain": p.domain, "data-via": p.via || null }, payerSentence(p, list)),
    el("p", { class: "betaler-detail" }, groundText(outcomeLabel(p.domain))),
  ]) : el("p", { class: "betaler" }, "Nog niet te zeggen wie betaalt."),
  el("p", { class: "status", "data-status": d.status }, statusText(d)));

  return [
    el("h1", { class: "nl-heading nl-heading--level-1", tabindex: "-1" }, "Uitkomst"),
    box,
    further.length ? el("dl", { class: "routes" }, further.map(({ meta: m, part }) => [
      el("dt", { "data-decision": m.name }, m.label || capital(words(m.name))),
      el("dd", {}, Object.keys(part.outcome).map(outcomeLabel).join("; ")),
    ])) : null,
    el("p", { class: "nl-paragraph advies" },
      "Dit is een advies over wie betaalt, geen beschikking. Een besluit over de ondersteuning zelf neemt de gemeente, de school of het zorgkantoor."),
    nextSteps(d),
    reasons(d, further),
    el("h2", { class: "nl-heading nl-heading--level-2" }, "Uw antwoorden"),
    answersList(true),
    traceView(d, further),
    keepView(d),
    accountView(d),
  ];
}

/** "Op grond van: Jeugdwet."; a label that names no law ("Geen publieke betaler") stands alone. */
const groundText = (label) => (/^geen /i.test(label) ? `${capital(label)}.` : `Op grond van: ${label}.`);

const OPEN_NEXT = "Hierover is in de regio nog niets afgesproken. Leg de casus voor aan de partijen die de afspraken van deze regio maken (zie hierboven bij ‘Waarom’), zodat zij besluiten wie betaalt. Deze uitkomst is geen grond voor een beschikking.";

/**
 * "Wat nu?": the `vervolg` of each route value that pays, else of its domain; for a
 * payer that is not agreed yet, the route value's own `vervolg` or what to do about an
 * open point (never the domain's usual way, which is not agreed).
 */
function nextSteps(d) {
  const items = [];
  for (const p of shares(d)) {
    const own = p.via && outcomeMeta(p.via).next;
    const domain = outcomeMeta(p.domain);
    // The domain's own next step holds when the domain pays, or is itself the open point.
    const usual = !nobody(p.payer) || nobodyPays(domain.payer) ? domain.next : null;
    const text = own || usual || (nobody(p.payer) ? OPEN_NEXT : null);
    if (text && !items.some((i) => i.text === text)) {
      items.push({ text, about: p.via ? outcomeLabel(p.via) : outcomeLabel(p.domain) });
    }
  }
  if (!items.length) return null;
  return [
    el("h2", { class: "nl-heading nl-heading--level-2" }, "Wat nu?"),
    el("ul", { class: "utrecht-unordered-list wat-nu" }, items.map((i) =>
      el("li", { class: "utrecht-unordered-list__item" },
        items.length > 1 ? [el("strong", {}, `${i.about}: `), i.text] : i.text))),
  ];
}

/** The rules that decided, in plain words: title, toelichting and bron (no rule names). */
function rulesList(names) {
  return el("ol", { class: "utrecht-ordered-list regels" }, names.map((name) => {
    const r = rule(name);
    return el("li", { class: "utrecht-ordered-list__item", "data-rule": name },
      el("strong", {}, ruleTitle(name)),
      r.explanation ? el("p", {}, r.explanation) : null,
      r.source ? el("p", { class: "bron" }, `Bron: ${r.source}`) : null);
  }));
}

function reasons(d, further) {
  const law = d.decided_by.length ? rulesList(d.decided_by)
    : el("p", { class: "nl-paragraph" }, further.length
      ? "Geen afspraak zegt onder welke wet deze situatie valt; daarom geldt de verdeling voor het grijze gebied. Hieronder staat wat wel is afgesproken."
      : "Geen enkele afspraak is van toepassing op deze situatie.");
  return [
    el("h2", { class: "nl-heading nl-heading--level-2" }, "Waarom"),
    law,
    further.map(({ meta: m, part }) => [
      el("h3", { class: "nl-heading nl-heading--level-3" }, m.label || capital(words(m.name))),
      part.decided_by.length ? rulesList(part.decided_by)
        : el("p", { class: "nl-paragraph" }, part.status === "conflict"
          ? "De afspraken spreken elkaar tegen; daarom geldt wat de regio voor dat geval heeft afgesproken."
          : "Geen afspraak beslist hierover; daarom geldt wat de regio dan heeft afgesproken."),
    ]),
  ];
}

// ───────────────────────────── the trace as sentences ─────────────────────────────

const RESULT = {
  applies: "geldt",
  not_applicable: "geldt niet",
  overridden: "is opzij gezet",
  unknown: "kan nog niet beoordeeld worden",
  not_valid: "geldt niet op deze datum",
};

// An atom is a part of the condition, not the condition: `niet minderjarig` has the part
// `minderjarig`, which is true for a child while the rule's condition is not met. So a
// part is "waar" or "niet waar", never "vervuld".
const VERDICT = (v) => (v === true ? "Waar" : v === false ? "Niet waar" : "Nog niet bekend");

const OPERATORS = {
  "<": "minder dan", "<=": "ten hoogste", "≤": "ten hoogste", ">": "meer dan", ">=": "ten minste",
  "≥": "ten minste", "=": "is", "!=": "is niet", "≠": "is niet", "+": "plus", "-": "min", "*": "maal", "/": "gedeeld door",
};
const KEYWORDS = new Set(["is", "niet", "en", "of", "in", "bevat", "ten", "hoogste", "minste", "minder",
  "meer", "dan", "regel", "geldt"]);

/**
 * A condition of the rule language in Dutch words: names of facts as words, values as
 * their labels, `in [a, b]` as `is a of b`, numbers with a decimal comma.
 * `soort in [begeleiding, verpleging]` → `soort is ‘begeleiding’ of ‘verpleging’`.
 */
function conditionText(text) {
  const tokens = text.match(/"[^"]*"|\d+(?:\.\d+)?%?|[\p{L}_][\p{L}\p{N}_]*|<=|>=|!=|[<>=≤≥≠+\-*/\[\](),]/gu) || [];
  const out = [];
  let subject = null; // the fact or decision on the left, whose values follow
  let valueNext = false;
  let list = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (list) {
      if (t === "]") {
        out.push(out[out.length - 1] === "is geen van" ? orList(list, "en") : orList(list));
        list = null;
      } else if (t !== ",") list.push(valueText(subject, t));
      continue;
    }
    if (t === "[") { list = []; continue; }
    if (t === "in") { out.push("is"); continue; }
    if (t === "niet" && tokens[i + 1] === "in") {
      out.push("is geen van");
      i++;
      list = [];
      i++; // the `[`
      continue;
    }
    if (t === "regel" && tokens[i + 1]) { out.push("de regel", quoted(ruleTitle(tokens[++i]))); continue; }
    if (KEYWORDS.has(t)) {
      out.push(t);
      valueNext = ["is", "bevat"].includes(t) || (t === "niet" && valueNext);
      continue;
    }
    if (t in OPERATORS) {
      out.push(OPERATORS[t]);
      valueNext = ["=", "!=", "≠"].includes(t);
      continue;
    }
    if (/^\d/.test(t)) {
      const unit = subject && subject.unit && !t.endsWith("%") ? ` ${subject.unit}` : "";
      out.push(`${number(parseFloat(t))}${t.endsWith("%") ? "%" : ""}${unit}`);
      continue;
    }
    if (t.startsWith('"')) { out.push(quoted(t.slice(1, -1))); continue; }
    if (valueNext && subject) { out.push(valueText(subject, t)); valueNext = false; continue; }
    subject = subjectOf(t);
    out.push(subject.text);
  }
  return out.join(" ").replace(/\( /g, "(").replace(/ \)/g, ")");
}

/** A name on the left of a condition: a fact, the law (`wet`), a decision or a begrip. */
function subjectOf(name) {
  const f = meta().facts.find((x) => x.name === name);
  if (f) return { fact: f, unit: f.unit, text: words(f.unit ? name.replace(new RegExp(`_${f.unit}$`), "") : name) };
  if (name === "wet") return { decision: true, text: "de wet" };
  const d = (meta().decisions || []).find((x) => x.name === name);
  if (d) return { decision: true, text: words(name) };
  // A begrip whose name holds `en` or `of` would read as two conditions: quoted.
  return { text: /_(en|of)_/.test(name) ? quoted(words(name)) : words(name) };
}

function valueText(subject, name) {
  if (subject && subject.fact && subject.fact.values) return quoted(valueLabel(subject.fact, name));
  if (subject && subject.decision) return quoted(outcomeLabel(name));
  return quoted(words(name));
}

/** The answers a condition read, with their questions. */
function readFacts(facts) {
  return Object.entries(facts || {}).map(([name, value]) => {
    const f = meta().facts.find((x) => x.name === name);
    if (!f) return "";
    return value === null || value === undefined
      ? ` Nog niet gevraagd: ${quoted(questionText(f))}.`
      : ` Antwoord op ${quoted(questionText(f))}: ${showAnswer(f, value)}.`;
  }).join("");
}

/** `Onderdeel: soort is ‘vervoer’. Niet waar. Antwoord op ‘Wat voor …?’: Begeleiding.` */
function conditionSentence(c) {
  const f = meta().facts.find((x) => x.name === c.text.trim());
  if (f && f.type === "ja/nee") {
    // A yes/no fact on its own reads best as its question.
    const given = (c.facts || {})[f.name];
    const answered = given === true || given === false;
    return `Onderdeel: het antwoord op ${quoted(questionText(f))} is ja. ${VERDICT(c.value)}` +
      (answered ? `: het antwoord is ${given ? "ja" : "nee"}.` : ": de vraag is nog niet gesteld.");
  }
  return `Onderdeel: ${conditionText(c.text)}. ${VERDICT(c.value)}.${readFacts(c.facts)}`;
}

/** The rule's whole condition as written, in words: `Voorwaarde: niet minderjarig.` */
function ruleCondition(name) {
  const text = rule(name).condition;
  return text ? el("p", { class: "voorwaarde" }, `Voorwaarde: ${conditionText(text)}.`) : null;
}

function stepSentence(step) {
  const by = step.overridden_by.map((n) => `${quoted(ruleTitle(n))} (${n})`);
  const result = RESULT[step.result] || step.result;
  return `De regel ${quoted(ruleTitle(step.rule))} (${step.rule}) ${result}${by.length ? ` door ${orList(by, "en")}` : ""}.`;
}

/** Every rule and its conditions, as sentences, folded until asked for. Rule names only here. */
function traceView(d, further) {
  const steps = [d.trace, ...further.map(({ part }) => part.trace)].flat();
  return el("details", { class: "spoor-blok" },
    el("summary", {}, "Volledig spoor: alle regels en hun voorwaarden"),
    el("ol", { class: "spoor" }, steps.map((step) => el("li", { "data-rule": step.rule },
      stepSentence(step),
      step.conditions.length ? [ruleCondition(step.rule),
        el("ul", {}, step.conditions.map((c) => el("li", {}, conditionSentence(c))))] : null))),
    el("p", { class: "verantwoording" }, "Regelbestanden: ", d.ruleset.files.join(", "), "."),
    el("p", { class: "verantwoording" }, "Controlegetal (SHA-256) van de afspraken: ",
      el("span", { class: "vingerafdruk" }, d.ruleset.sha256)));
}

// ───────────────────────────── keeping the decision ─────────────────────────────

/** Dossier reference, "Vastleggen" (the one decision written to the log), download, print. */
function keepView(d) {
  const recorded = state.recorded;
  const input = el("input", {
    id: "dossier", name: "dossier", type: "text", autocomplete: "off", spellcheck: "false",
    class: "utrecht-textbox utrecht-textbox--html-input utrecht-textbox--dossier",
    value: state.dossier || null, maxlength: "80", "aria-describedby": "dossier-uitleg",
  });
  input.addEventListener("input", () => {
    state.dossier = input.value.trim();
    const account = $("stap").querySelector(".account");
    if (account) account.replaceWith(accountView(state.decision));
  });
  input.addEventListener("change", () => {
    state.dossier = input.value.trim();
    const was = state.recorded;
    state.recorded = recordedHere();
    history.replaceState({ ...history.state, depth }, "", toUrl(state));
    if (was !== state.recorded && (was || state.recorded)) render();
  });
  const form = el("form", { novalidate: true, id: "vastleggen" },
    el("div", { class: "utrecht-form-field utrecht-form-field--text" },
      el("p", { class: "utrecht-form-field__label" },
        el("label", { class: "utrecht-form-label", for: "dossier" }, "Dossiernummer")),
      el("p", { class: "utrecht-form-field-description", id: "dossier-uitleg" },
        "Het kenmerk van de casus in uw eigen systeem. Het komt in het beslissingslog en in de naam van het bestand. Gebruik geen naam of burgerservicenummer."),
      el("p", { class: "utrecht-form-field-error-message", id: "dossier-fout", hidden: true }),
      input),
    el("div", { class: "utrecht-action-group" },
      recorded ? null : submit("Vastleggen"),
      button("Download de beslissing", { onclick: () => download() }),
      button("Afdrukken", { onclick: () => print() }),
      el("button", { type: "button", class: "nl-button nl-button--subtle", onclick: restart }, "Nieuwe casus")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    state.dossier = input.value.trim();
    if (!state.dossier) {
      fieldError("dossier", "Vul een dossiernummer in om de beslissing vast te leggen.");
      return;
    }
    if (looksLikeBsn(state.dossier)) {
      fieldError("dossier", "Dit lijkt een burgerservicenummer. Vul het kenmerk van de casus in uw eigen systeem in; een burgerservicenummer hoort niet in het beslissingslog.");
      return;
    }
    record();
  });
  return el("section", { class: "bewaren", "aria-labelledby": "bewaren-kop" },
    el("h2", { class: "nl-heading nl-heading--level-2", id: "bewaren-kop" }, "Beslissing bewaren"),
    recorded ? el("p", { class: "nl-paragraph vastgelegd", id: "vastgelegd", tabindex: "-1" },
      `Vastgelegd in het beslissingslog voor dossier ${recorded.case.id}, op ${date(recorded.reference_date)}.`)
      : el("p", { class: "nl-paragraph" }, "Leg de beslissing vast als u het met de ouders eens bent. Dat gebeurt één keer; de tussenstappen worden niet bewaard."),
    form);
}

/** Nine digits (spaces and dots aside) that pass the eleven test of a burgerservicenummer. */
function looksLikeBsn(text) {
  const digits = text.replace(/[\s.]/g, "");
  if (!/^\d{9}$/.test(digits)) return false;
  const sum = [...digits].reduce((acc, d, i) => acc + Number(d) * (i === 8 ? -1 : 9 - i), 0);
  return sum % 11 === 0 && sum !== 0;
}

/**
 * Writes the decision in the log, once: the reply is the decision as recorded. The
 * request is not cancelled by a later navigation (the service may have recorded it
 * already), and its reply goes into the book even when the page shows something else.
 */
function record() {
  const key = caseKey();
  const [id, answers, dossier] = [state.id, state.answers, state.dossier];
  run(async () => {
    const d = await decide(id, answers, dossier, { record: true });
    book.put(key, d);
    return () => {
      state.decision = d;
      state.recorded = d;
      history.replaceState({ ...history.state, depth }, "", toUrl(state));
      render();
      $("vastgelegd").focus();
    };
  }, record);
}

/** The decision as JSON, named by dossier (or region) and date. */
function download() {
  run(async (signal) => {
    const d = state.recorded || await decide(state.id, state.answers, state.dossier, { record: false, signal });
    return () => save(d);
  }, download);
}

function save(d) {
  const name = (state.dossier || state.id).replace(/[^\p{L}\p{N}_-]+/gu, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "") || "casus";
  const blob = new Blob([`${JSON.stringify(d, null, 2)}\n`], { type: "application/json" });
  const a = el("a", { href: URL.createObjectURL(blob), download: `beslissing-${name}-${d.reference_date}.json` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function restart() {
  state.remembered = {};
  book.nextRound();
  go({ step: "vraag", answers: [], fact: null, dossier: "" });
}

/** Which rule set, which version, on which date: so that the decision can be traced. */
function accountView(d) {
  const rs = d.ruleset;
  return el("p", { class: "verantwoording account" },
    `Afspraken: ${rs.name}${rs.version ? `, versie ${rs.version}` : ""}. Beslist op ${date(d.reference_date)}.`,
    state.dossier ? ` Dossier: ${state.dossier}${state.recorded ? "" : " (niet vastgelegd)"}.` : "");
}

start();
