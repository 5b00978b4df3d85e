// wiebetaalt: the consultant's page. Asks the next question the evaluator still
// misses (the decision's `missing`), one at a time, until there is a decision.
"use strict";

const state = {
  id: "",          // the chosen rule set
  meta: null,      // GET /api/v1/regelsets/{id}
  answers: {},     // fact name -> JSON value
  order: [],       // fact names in the order they were answered
  editing: null,   // a fact whose answer is being changed
  decision: null,  // the last decision
  open: [],        // facts that can still change the outcome, in asking order
  complete: false, // every decision the case needs, and its payers, are settled
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** `persoonlijke_verzorging` → `persoonlijke verzorging`. */
const words = (name) => String(name).replaceAll("_", " ");

function fact(name) {
  return state.meta.facts.find((f) => f.name === name);
}

/** A domain of the law, or a value of a further decision (`beslissing ... waarde`). */
function domain(name) {
  const values = (state.meta.decisions || []).flatMap((d) => d.values);
  return state.meta.domains.find((d) => d.name === name)
    || values.find((v) => v.name === name) || { name };
}

/** What a person reads for a value of a `keuze` or `lijst`: its label, else its name. */
function label(f, value) {
  const option = (f.options || []).find((o) => o.value === value);
  return option && option.label ? option.label : words(value);
}

function rule(name) {
  return state.meta.rules.find((r) => r.name === name) || { name };
}

function showAnswer(f, value) {
  if (f.type === "ja/nee") return value ? "ja" : "nee";
  if (f.type === "lijst") return value.length ? value.map((v) => label(f, v)).join(", ") : "geen";
  if (f.type === "keuze") return label(f, value);
  if (f.type === "getal" && f.unit) return `${value} ${f.unit}`;
  return String(value);
}

function error(message) {
  const p = $("fout");
  p.textContent = message || "";
  p.hidden = !message;
}

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body && body.error ? body.error.message : `fout ${response.status}`;
    const e = new Error(message);
    e.status = response.status;
    throw e;
  }
  return body;
}

async function start() {
  try {
    const sets = await api("/api/v1/regelsets");
    const select = $("regelset");
    for (const s of sets) {
      select.append(el("option", { value: s.id }, s.version ? `${s.name} (${s.version})` : s.name));
    }
    select.addEventListener("change", () => choose(select.value));
    $("opnieuw").addEventListener("click", () => choose(state.id));
    const wanted = new URLSearchParams(location.search).get("regelset");
    if (wanted && sets.some((s) => s.id === wanted)) {
      select.value = wanted;
      await choose(wanted);
    }
  } catch (e) {
    error(`De afspraken konden niet geladen worden: ${e.message}`);
  }
}

async function choose(id) {
  Object.assign(state, {
    id, meta: null, answers: {}, order: [], editing: null, decision: null, open: [], complete: false,
  });
  error("");
  $("regelset-info").textContent = "";
  if (!id) {
    render();
    return;
  }
  try {
    state.meta = await api(`/api/v1/regelsets/${encodeURIComponent(id)}`);
    const m = state.meta;
    $("regelset-info").textContent =
      [m.source, m.version && `versie ${m.version}`].filter(Boolean).join(" · ");
    await update();
  } catch (e) {
    error(`Deze afspraken konden niet geladen worden: ${e.message}`);
  }
}

async function update() {
  const post = (what) => api(`/api/v1/regelsets/${encodeURIComponent(state.id)}/${what}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(state.answers),
  });
  try {
    state.decision = await post("decisions");
    const questions = await post("questions");
    state.open = questions.open;
    state.complete = questions.complete;
    error("");
  } catch (e) {
    error(e.message);
  }
  render();
}

function render() {
  const d = state.decision;
  // The next question: the first fact that can still change the outcome, of the law,
  // of a decision that builds on it (the route) or of who pays.
  const incomplete = d && !state.complete;
  const asking = state.editing || (incomplete ? (state.open[0] || d.missing[0]) : null);
  renderAnswers();
  const vraag = $("vraag");
  const beslissing = $("beslissing");
  vraag.replaceChildren();
  beslissing.replaceChildren();
  vraag.hidden = !asking;
  beslissing.hidden = !(d && !asking && !incomplete);
  if (asking) {
    const left = incomplete ? state.open.length : 0;
    vraag.append(question(fact(asking), left));
    const first = vraag.querySelector("button, input, select");
    if (first) first.focus();
  } else if (d && !incomplete) {
    beslissing.append(...decisionView(d));
  }
}

function renderAnswers() {
  const list = $("antwoordlijst");
  list.replaceChildren();
  for (const name of state.order) {
    const f = fact(name);
    list.append(
      el("div", { "data-fact": name },
        el("dt", {}, f.question || words(name)),
        el("dd", {}, showAnswer(f, state.answers[name])),
        el("dd", {},
          el("button", {
            type: "button",
            class: "tweede klein",
            "aria-label": `Wijzig het antwoord op: ${f.question || words(name)}`,
            onclick: () => { state.editing = name; render(); },
          }, "Wijzig"))));
  }
  $("antwoorden").hidden = state.order.length === 0;
}

function answer(name, value) {
  if (!(name in state.answers)) state.order.push(name);
  state.answers[name] = value;
  state.editing = null;
  update();
}

/** The form for one fact: the `vraag`, the `toelichting`, and controls for its type. */
function question(f, left) {
  const id = `antwoord-${f.name}`;
  const current = state.answers[f.name];
  const helpId = f.help ? `hulp-${f.name}` : null;
  const problem = el("p", { class: "veldfout", role: "alert", hidden: true });
  const form = el("form", { "data-fact": f.name, novalidate: true });
  const legend = el("legend", {}, f.question || `Wat is ${words(f.name)}?`);
  const fieldset = el("fieldset", { "aria-describedby": helpId }, legend);
  if (f.help) {
    fieldset.append(el("details", { id: helpId },
      el("summary", {}, "Toelichting"), el("p", { class: "toelichting" }, f.help)));
  }
  const choiceButtons = (options) => el("div", { class: "knoppen" },
    options.map(([label, value]) => el("button", {
      type: "button",
      class: "keuze",
      "aria-pressed": current === undefined ? null : String(current === value),
      onclick: () => answer(f.name, value),
    }, label)));

  if (f.type === "ja/nee") {
    fieldset.append(choiceButtons([["Ja", true], ["Nee", false]]));
  } else if (f.type === "keuze" && f.values.length <= 6) {
    fieldset.append(choiceButtons(f.values.map((v) => [label(f, v), v])));
  } else if (f.type === "keuze") {
    const select = el("select", { id, name: f.name, required: true },
      el("option", { value: "" }, "Kies…"),
      f.values.map((v) => el("option", { value: v, selected: current === v }, label(f, v))));
    fieldset.append(el("label", { for: id }, "Antwoord"), select);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!select.value) return fail("Kies een antwoord.");
      answer(f.name, select.value);
    });
    fieldset.append(el("div", { class: "knoppen" }, el("button", { type: "submit" }, "Volgende")));
  } else if (f.type === "lijst") {
    const boxes = f.values.map((v) => {
      const box = el("input", {
        type: "checkbox", value: v, id: `${id}-${v}`,
        checked: Array.isArray(current) && current.includes(v),
      });
      return el("label", { for: `${id}-${v}` }, box, label(f, v));
    });
    fieldset.append(el("div", { class: "vinkjes" }, boxes),
      el("p", { class: "klein" }, "Vink alles aan wat geldt; niets aanvinken betekent: geen."));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const chosen = [...form.querySelectorAll("input[type=checkbox]:checked")].map((b) => b.value);
      answer(f.name, chosen);
    });
    fieldset.append(el("div", { class: "knoppen" }, el("button", { type: "submit" }, "Volgende")));
  } else {
    const number = f.type === "getal";
    const hint = number && f.bounds ? `tussen ${f.bounds.min} en ${f.bounds.max}` : "";
    const label = ["Antwoord", f.unit && `(${f.unit})`, hint && `, ${hint}`].filter(Boolean).join(" ");
    const input = el("input", {
      id, name: f.name, required: true,
      type: number ? "number" : "text",
      inputmode: number ? "decimal" : null,
      step: number ? "any" : null,
      min: number && f.bounds ? f.bounds.min : null,
      max: number && f.bounds ? f.bounds.max : null,
      value: current === undefined ? null : current,
    });
    fieldset.append(el("label", { for: id }, label), input);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const raw = input.value.trim().replace(",", ".");
      if (!raw) return fail("Vul een antwoord in.");
      if (!number) return answer(f.name, raw);
      const value = Number(raw);
      if (!Number.isFinite(value)) return fail("Vul een getal in, bijvoorbeeld 12 of 12.5.");
      if (f.bounds && (value < f.bounds.min || value > f.bounds.max)) {
        return fail(`Vul een getal ${hint} in.`);
      }
      answer(f.name, value);
    });
    fieldset.append(el("div", { class: "knoppen" }, el("button", { type: "submit" }, "Volgende")));
  }
  fieldset.append(problem);
  form.append(fieldset);
  if (state.editing) {
    form.append(el("button", {
      type: "button", class: "tweede",
      onclick: () => { state.editing = null; render(); },
    }, "Annuleren"));
  }

  function fail(message) {
    problem.textContent = message;
    problem.hidden = false;
  }

  const heading = el("h2", {}, state.editing ? "Antwoord wijzigen" : "Volgende vraag");
  const progress = left > 1
    ? el("p", { class: "klein" }, `Er zijn nog hoogstens ${left} vragen.`)
    : null;
  const wrap = document.createDocumentFragment();
  wrap.append(heading, progress || "", form);
  return wrap;
}

const RESULT = {
  applies: "van toepassing",
  not_applicable: "niet van toepassing",
  overridden: "opzij gezet door een uitzondering",
  unknown: "onbekend",
  not_valid: "geldt niet op de peildatum",
};

const TRUTH = (v) => (v === true ? "waar" : v === false ? "onwaar" : "onbekend");

/** The decisions of the case that build on the law and are needed (a route of a share). */
function furtherDecisions(d) {
  return (state.meta.decisions || [])
    .map((meta) => ({ meta, part: (d.decisions || {})[meta.name] }))
    .filter(({ part }) => part && part.status !== "not_needed");
}

/** The rules that decided, with their toelichting and bron. */
function rulesView(names) {
  return el("ol", { class: "regels" }, names.map((name) => {
    const r = rule(name);
    return el("li", { "data-rule": name },
      el("strong", {}, r.title || words(name)), " ", el("code", {}, name),
      r.explanation ? el("p", {}, r.explanation) : null,
      r.source ? el("p", { class: "bron" }, `Bron: ${r.source}`) : null);
  }));
}

function decisionView(d) {
  const kind = d.status === "fallback" ? "grijs" : d.status === "conflict" ? "conflict" : "";
  // Who pays: the actual payers when the rule set routes a share or takes a payer from
  // the case, else the payer of each domain of the law.
  const payers = d.payment && d.payment.payers
    ? d.payment.payers.map((p) => {
      const how = p.via ? domain(p.via) : domain(p.domain);
      return el("p", { class: "betaler", "data-domain": p.domain, "data-via": p.via || null },
        el("strong", {}, p.payer),
        " betaalt ",
        el("span", { class: "procent" }, `${p.share}%`),
        el("span", { class: "klein" }, ` — ${domain(p.domain).label || words(p.domain)}${p.via ? `, ${how.label || words(p.via)}` : ""}`));
    })
    : Object.entries(d.outcome).map(([name, pct]) => {
      const dom = domain(name);
      return el("p", { class: "betaler", "data-domain": name },
        el("strong", {}, dom.payer || dom.label || words(name)),
        " betaalt ",
        el("span", { class: "procent" }, `${pct}%`),
        el("span", { class: "klein" }, ` — ${dom.label || words(name)}`));
    });
  const further = furtherDecisions(d);
  const outcome = el("div", { class: `uitkomst ${kind}`, "data-outcome": JSON.stringify(d.outcome) },
    payers,
    further.map(({ meta, part }) => el("p", { class: "route", "data-decision": meta.name },
      `${meta.label || words(meta.name)} `,
      el("strong", {}, Object.keys(part.outcome).map((v) => domain(v).label || words(v)).join(", ")))),
    el("p", { class: "status", "data-status": d.status },
      d.status === "decided" ? "Beslist door de regel(s) hieronder."
        : d.status === "fallback" ? "Grijs gebied: geen regel beslist. De afgesproken verdeling voor het grijze gebied geldt."
          : "De regels hieronder spreken elkaar tegen. De afgesproken verdeling bij een conflict geldt."));

  const why = d.decided_by.length
    ? rulesView(d.decided_by)
    : el("p", {}, "Geen enkele regel is van toepassing op deze situatie.");
  const whyFurther = further.map(({ meta, part }) => [
    el("h4", {}, meta.label || words(meta.name)),
    part.decided_by.length
      ? rulesView(part.decided_by)
      : el("p", {}, part.status === "fallback"
        ? "Geen regel beslist: de afgesproken route als geen regel geldt."
        : "De regels spreken elkaar tegen: de afgesproken route bij een conflict."),
  ]);

  const steps = [d.trace, ...further.map(({ part }) => part.trace)].flat();
  const trace = el("details", { class: "spoor-blok" },
    el("summary", {}, "Volledig spoor: alle regels en hun voorwaarden"),
    el("ol", { class: "spoor" }, steps.map((step) =>
      el("li", {},
        el("code", {}, step.rule), `: ${RESULT[step.result] || step.result}`,
        step.overridden_by.length ? ` (door ${step.overridden_by.join(", ")})` : "",
        step.conditions.length
          ? el("ul", {}, step.conditions.map((c) => el("li", {}, `${TRUTH(c.value)}: ${c.text}`)))
          : null))));

  const download = el("button", {
    type: "button",
    onclick: () => {
      const blob = new Blob([JSON.stringify(d, null, 2) + "\n"], { type: "application/json" });
      const a = el("a", { href: URL.createObjectURL(blob), download: `beslissing-${state.id}.json` });
      document.body.append(a);
      a.click();
      a.remove();
      URL.revokeObjectURL(a.href);
    },
  }, "Download de beslissing (JSON)");
  const print = el("button", { type: "button", class: "tweede", onclick: () => window.print() }, "Afdrukken");

  const rs = d.ruleset;
  const account = el("p", { class: "verantwoording" },
    `Regelset: ${rs.name}${rs.version ? ` (versie ${rs.version})` : ""} · peildatum ${d.reference_date} · sha256 ${rs.sha256}`);

  return [
    el("h2", { id: "beslissing-kop" }, "Beslissing"),
    outcome,
    el("h3", {}, "Waarom"),
    why,
    whyFurther,
    trace,
    el("div", { class: "knoppen" }, download, print),
    account,
  ].flat(2);
}

start();
