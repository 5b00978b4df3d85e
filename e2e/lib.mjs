// Helpers for the end-to-end test of the consultant's page (pagina.mjs): opening the page
// at desktop or phone size, answering the questions the way a consultant would, and the
// checks every state must pass (axe-core, plain Dutch, the focus ring).
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const DESKTOP = { viewport: { width: 1280, height: 900 } };
export const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A fresh browser context at `size` with the page at `path`. Collects script errors and
 * every API request (method, path, query, body) the page sends.
 */
export async function open(browser, base, { size = DESKTOP, path = "/", before } = {}) {
  const context = await browser.newContext({ ...size, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // A request the test aborts on purpose is logged by Chromium as a failed resource.
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && errors.push(m.text()));
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith("/api/")) {
      requests.push({ method: r.method(), path: url.pathname, query: url.search, body: r.postDataJSON(), key: r.headers()["idempotency-key"] });
    }
  });
  if (before) await before(page);
  await page.goto(`${base}${path}`);
  if (!before) await idle(page);
  return { page, errors, requests, close: () => context.close() };
}

/** Until no request of the page is running. */
export async function idle(page) {
  await page.waitForFunction(() => document.querySelector("#inhoud").getAttribute("aria-busy") === "false");
}

export async function chooseRegion(page, id) {
  await page.getByLabel("Afspraken van de regio").selectOption(id);
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await idle(page);
}

const heading = (page) => page.locator("#stap h1");
export const onCheck = async (page) => (await heading(page).innerText()) === "Controleer uw antwoorden";

/** Answers every question the page asks from `answers` until the check of the answers. */
export async function answerAll(page, answers, { tap = false } = {}) {
  const asked = [];
  for (let i = 0; i < 40; i++) {
    await idle(page);
    if (await onCheck(page)) return asked;
    const form = page.locator("#stap form[data-fact]");
    const name = await form.getAttribute("data-fact");
    assert.ok(name in answers, `the page asks for ${name}, which this case does not give`);
    assert.ok(!asked.includes(name), `the page asks for ${name} twice`);
    asked.push(name);
    await answerOne(page, answers[name], { tap });
  }
  throw new Error("no check of the answers after 40 questions");
}

/** One answer with the mouse (or fingers): a radio, checkboxes or a text field, then Volgende. */
export async function answerOne(page, value, { tap = false, submit = "Volgende" } = {}) {
  const form = page.locator("#stap form");
  const press = (locator) => (tap ? locator.tap() : locator.click());
  if (typeof value === "boolean") {
    await press(form.getByLabel(value ? "Ja" : "Nee", { exact: true }));
  } else if (Array.isArray(value)) {
    for (const box of await form.locator("input[type=checkbox]").all()) {
      await box.setChecked(value.includes(await box.getAttribute("value")));
    }
  } else if (await form.locator("input[type=text]").count()) {
    // A number as a Dutch keyboard types it: 5.5 as 5,5.
    await form.locator("input[type=text]").fill(typeof value === "number" ? String(value).replace(".", ",") : value);
  } else {
    await press(form.locator(`input[value="${value}"]`));
  }
  await press(form.getByRole("button", { name: submit, exact: true }));
  await idle(page);
}

export async function toOutcome(page, { tap = false } = {}) {
  const button = page.getByRole("button", { name: "Bekijk de uitkomst" });
  await (tap ? button.tap() : button.click());
  await idle(page);
  await page.locator("#stap .uitkomst").waitFor();
}

/** The outcome as the page shows it. */
export async function shown(page) {
  const box = page.locator("#stap .uitkomst");
  return {
    outcome: JSON.parse(await box.getAttribute("data-outcome")),
    kind: await box.getAttribute("data-kind"),
    status: await page.locator("#stap .status").getAttribute("data-status"),
    rules: await page.locator("#stap .regels li").evaluateAll((l) => l.map((x) => x.dataset.rule)),
    payers: await page.locator("#stap .betaler").allInnerTexts(),
  };
}

/** The facts in "Uw antwoorden" / "Controleer uw antwoorden", in order. */
export async function listed(page) {
  return page.locator("#stap .antwoorden > div").evaluateAll((l) => l.map((x) => x.dataset.fact));
}

export async function apiDecision(base, id, answers) {
  const r = await fetch(`${base}/api/v1/regelsets/${id}/decisions?record=false`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(answers),
  });
  assert.equal(r.status, 200);
  return r.json();
}

/** axe-core in the page: no violation at all in this state. */
export async function accessible(page, where) {
  // Evaluated, not added as a <script>: the page's Content-Security-Policy allows no
  // inline script, and the test must not weaken it.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, [], `axe-core in ${where}`);
}

/**
 * What a parent can see is Dutch and no code: no names with underscores, no backticks,
 * no ISO dates, no English of the browser or of JavaScript, no rule names. The folded
 * trace (rule names belong there) is left out.
 */
export async function plainDutch(page, where, ruleNames = []) {
  const text = await page.evaluate(() => {
    const open = [...document.querySelectorAll("details.spoor-blok[open]")];
    for (const d of open) d.open = false;
    const t = document.body.innerText;
    for (const d of open) d.open = true;
    return t;
  });
  const forbidden = [/_/, /`/, /\b\d{4}-\d{2}-\d{2}\b/, /\b(undefined|null|NaN|true|false|Failed|fetch|error|object|Error)\b/,
    /ouders betaalt/i, /\bsha256\b/];
  for (const pattern of forbidden) assert.doesNotMatch(text, pattern, `${where}: ${pattern} in\n${text}`);
  for (const name of ruleNames.filter((n) => n.includes("_"))) {
    assert.ok(!text.includes(name), `${where}: rule name ${name}`);
  }
}

export async function ruleNames(base, id) {
  const r = await fetch(`${base}/api/v1/regelsets/${id}`);
  return (await r.json()).rules.map((x) => x.name);
}

/** The contrast ratio of two CSS colours (WCAG 2). */
export function contrast(a, b) {
  const lum = (c) => {
    const [r, g, b2] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The focused element's focus ring: its colour, width and the background around it. */
export async function focusRing(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    let bg = "rgb(255, 255, 255)";
    for (let n = e.parentElement; n; n = n.parentElement) {
      const c = getComputedStyle(n).backgroundColor;
      if (c && c !== "transparent" && !c.startsWith("rgba(0, 0, 0, 0")) { bg = c; break; }
    }
    return {
      tag: e.tagName, text: (e.innerText || e.value || e.id || "").slice(0, 40),
      style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: style.outlineColor, bg,
    };
  });
}

/** Presses Tab until the focused element matches `test` (a role and name), checking each
 * stop's focus ring on the way. */
export async function tabTo(page, test, { max = 60, back = false } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    const ring = await focusRing(page);
    if (ring.tag !== "BODY") {
      assert.notEqual(ring.style, "none", `no focus ring on ${ring.tag} ${ring.text}`);
      assert.ok(ring.width >= 2, `focus ring of ${ring.width}px on ${ring.tag} ${ring.text}`);
      assert.ok(contrast(ring.color, ring.bg) >= 3, `focus ring ${ring.color} on ${ring.bg}: ${ring.tag} ${ring.text}`);
    }
    if (await page.evaluate(test)) return;
  }
  throw new Error(`no element after ${max} presses of Tab: ${test}`);
}

export async function streamText(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}
