// End-to-end test of the consultant's page in headless Chromium.
//
//   node e2e/pagina.mjs http://127.0.0.1:8080 [screenshot.png]
//
// Answers the questions the page asks for real cases, the way a consultant would
// (mouse and keyboard), and checks the decision shown against the API's decision for
// the same answers. Exits 1 on the first failure, naming it.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const [base, screenshot] = process.argv.slice(2);
if (!base) {
  console.error("gebruik: node e2e/pagina.mjs URL [schermafbeelding.png]");
  process.exit(2);
}

const browser = await chromium.launch({
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

/** Answers every question the page asks from `answers`, until a decision shows. */
async function answerAll(page, answers, { keyboard = false } = {}) {
  const asked = [];
  for (let i = 0; i < 40; i++) {
    const form = page.locator("#vraag form");
    const decision = page.locator("#beslissing h2");
    await form.or(decision).first().waitFor();
    if (await decision.isVisible()) return asked;
    const name = await form.getAttribute("data-fact");
    assert.ok(name in answers, `the page asks for ${name}, which this case does not give`);
    assert.ok(!asked.includes(name), `the page asks for ${name} twice`);
    asked.push(name);
    await answerOne(page, form, answers[name], keyboard);
    // Wait until the page moved on from this question.
    await page.waitForFunction(
      (n) => !document.querySelector(`#vraag form[data-fact="${n}"]`),
      name,
    );
  }
  throw new Error("no decision after 40 questions");
}

async function answerOne(page, form, value, keyboard) {
  if (typeof value === "boolean") {
    const button = form.getByRole("button", { name: value ? "Ja" : "Nee", exact: true });
    if (keyboard) {
      await button.focus();
      await page.keyboard.press("Enter");
    } else {
      await button.click();
    }
  } else if (Array.isArray(value)) {
    for (const item of value) {
      await form.getByLabel(item.replaceAll("_", " "), { exact: true }).check();
    }
    await form.getByRole("button", { name: "Volgende" }).click();
  } else if (typeof value === "number") {
    await form.getByRole("spinbutton").fill(String(value));
    if (keyboard) await page.keyboard.press("Enter");
    else await form.getByRole("button", { name: "Volgende" }).click();
  } else if (await form.locator("select").count()) {
    await form.locator("select").selectOption(value);
    await form.getByRole("button", { name: "Volgende" }).click();
  } else {
    await form.getByRole("button", { name: value.replaceAll("_", " "), exact: true }).click();
  }
}

async function apiDecision(id, answers) {
  const r = await fetch(`${base}/api/v1/regelsets/${id}/decisions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(answers),
  });
  assert.equal(r.status, 200);
  return r.json();
}

async function shown(page) {
  const box = page.locator("#beslissing .uitkomst");
  return {
    outcome: JSON.parse(await box.getAttribute("data-outcome")),
    status: await page.locator("#beslissing .status").getAttribute("data-status"),
    rules: await page.locator("#beslissing .regels li").evaluateAll((l) => l.map((x) => x.dataset.rule)),
  };
}

async function open(id) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`${base}/`);
  await page.getByLabel("Afspraken van de regio").selectOption(id);
  return { page, errors };
}

let failures = 0;
async function scenario(name, body) {
  try {
    await body();
    console.log(`✓ ${name}`);
  } catch (e) {
    failures++;
    console.log(`✗ ${name}\n  ${e.stack || e}`);
  }
}

await scenario("Nijmegen: verzorging onder schooltijd, beschikbaarheidsfinanciering van de woongemeente", async () => {
  const answers = {
    soort: "persoonlijke_verzorging",
    wlz_indicatie: false,
    verbonden_met_verpleging: false,
    leeftijd: 9,
    onder_schooltijd: true,
    zorguren_per_week: 6,
    woongemeente: "wijchen",
    gericht_op: "zelfredzaamheid",
    ook_buiten_school_nodig: true,
    problematiek: ["lichamelijke_beperking"],
    enkelvoudig: false,
    schooltype: "so",
    didactisch_resistent: false,
  };
  const { page, errors } = await open("nijmegen");
  const asked = await answerAll(page, answers, { keyboard: true });
  const given = Object.fromEntries(asked.map((k) => [k, answers[k]]));
  const api = await apiDecision("nijmegen", given);
  const view = await shown(page);
  assert.deepEqual(view.outcome, api.outcome);
  assert.deepEqual(view.outcome, { jeugdwet: 100 });
  assert.equal(view.status, "decided");
  assert.deepEqual(view.rules, [...api.decided_by, ...api.decisions.route.decided_by]);
  assert.deepEqual(view.rules, ["zorg_bij_het_kind", "zorg_in_onderwijstijd"]);
  // The gemeente is asked by its label, and pays.
  assert.ok(asked.includes("woongemeente"), asked.join(", "));
  // Payer and route first, then the rules with their toelichting and bron.
  const text = await page.locator("#beslissing").innerText();
  assert.ok(text.indexOf("gemeente Wijchen betaalt") < text.indexOf("Waarom"), text);
  assert.match(text, /Beschikbaarheidsfinanciering, geen beschikking/);
  assert.match(text, /Bron: Verrassend Passend, Combinatie onderwijs-jeugd middelen, §2 Nijmegen/);
  assert.match(text, /er is geen beschikking nodig/);
  // Only what can still change the outcome: nothing about dyslexia for personal care.
  for (const never of ["enkelvoudig", "schooltype", "didactisch_resistent", "gericht_op"]) {
    assert.ok(!asked.includes(never), `asked ${never}: ${asked.join(", ")}`);
  }
  // The full trace is folded until asked for.
  const trace = page.locator("#beslissing details");
  assert.equal(await trace.evaluate((d) => d.open), false);
  await trace.locator("summary").click();
  await page.getByText("verpleging_zvw: niet van toepassing").waitFor();
  if (screenshot) {
    await trace.evaluate((d) => { d.open = false; });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshot });
  }
  // Changing an answer updates the decision.
  await page.getByRole("button", { name: /Wijzig het antwoord op: Hoeveel uur per week/ }).click();
  const form = page.locator('#vraag form[data-fact="zorguren_per_week"]');
  await form.getByRole("spinbutton").fill("15");
  await form.getByRole("button", { name: "Volgende" }).click();
  await page.locator('#beslissing [data-via="beschikking"]').waitFor();
  assert.deepEqual((await shown(page)).rules, ["zorg_bij_het_kind", "veel_zorg_in_onderwijstijd"]);
  // The print view fits on one A4 page.
  const pdf = (await page.pdf({ format: "A4" })).toString("latin1");
  const pages = pdf.match(/\/Type\s*\/Page[^s]/g) || [];
  assert.equal(pages.length, 1, `the print view takes ${pages.length} pages`);
  assert.deepEqual(errors, []);
  await page.close();
});

await scenario("Kop van Noord-Holland: grijs gebied, half om half", async () => {
  const answers = {
    soort: "hulpmiddel",
    gebruikt_thuis: true,
    wlz_indicatie: false,
    leeftijd: 11,
    ook_buiten_school_nodig: true,
    gericht_op: "zelfredzaamheid",
    verbonden_met_verpleging: false,
    afstand_km: 3,
    structurele_beperking: false,
    problematiek: [],
    onder_schooltijd: true,
    sociale_vaardigheidstraining: false,
    schooltype: "po",
    didactisch_resistent: false,
    enkelvoudig: false,
  };
  const { page, errors } = await open("kop-van-noord-holland");
  const asked = await answerAll(page, answers);
  const api = await apiDecision(
    "kop-van-noord-holland",
    Object.fromEntries(asked.map((k) => [k, answers[k]])),
  );
  const view = await shown(page);
  assert.equal(view.status, "fallback");
  assert.equal(api.status, "fallback");
  assert.deepEqual(view.outcome, { onderwijs: 50, jeugdwet: 50 });
  await page.getByText("Grijs gebied").waitFor();
  // The decision can be downloaded as the API's JSON.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /Download de beslissing/ }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^beslissing-kop-van-noord-holland\.json$/);
  const saved = JSON.parse(await streamText(await download.createReadStream()));
  assert.deepEqual(saved.outcome, api.outcome);
  assert.deepEqual(saved.trace, api.trace);
  assert.deepEqual(errors, []);
  await page.close();
});

await scenario("Landelijk: een getal buiten de grenzen wordt geweigerd met uitleg", async () => {
  const { page, errors } = await open("landelijk");
  const form = page.locator("#vraag form");
  await form.locator("select").selectOption("behandeling");
  await form.getByRole("button", { name: "Volgende" }).click();
  const age = page.locator('#vraag form[data-fact="leeftijd"]');
  await age.getByRole("spinbutton").fill("45");
  await age.getByRole("button", { name: "Volgende" }).click();
  await age.getByRole("alert").getByText("tussen 0 en 30").waitFor();
  await age.getByRole("spinbutton").fill("12");
  await age.getByRole("button", { name: "Volgende" }).click();
  await page.waitForFunction(() => !document.querySelector('#vraag form[data-fact="leeftijd"]'));
  await answerAll(page, {
    problematiek: ["angst_depressie"],
    wlz_indicatie: false,
    enkelvoudig: false,
    schooltype: "po",
    didactisch_resistent: false,
    verbonden_met_verpleging: false,
    ook_buiten_school_nodig: true,
    gericht_op: "ontwikkeling",
  });
  assert.deepEqual((await shown(page)).outcome, { jeugdwet: 100 });
  assert.deepEqual(errors, []);
  await page.close();
});

async function streamText(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

await browser.close();
process.exit(failures ? 1 : 0);
