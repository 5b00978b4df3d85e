// End-to-end test of the consultant's page in headless Chromium, at desktop and phone
// size.
//
//   node e2e/pagina.mjs http://127.0.0.1:8080 [docs/beslissing.png]
//
// Takes real cases from the region to the outcome the way a consultant would (mouse,
// keyboard alone, fingers), checks the decision shown against the API's, and checks
// every finding of issue 16: requests that cannot overtake each other, the decimal
// comma, stale answers, the keyboard, the phone, a server that is down, Back and reload,
// and Dutch without code. Every state passes axe-core. Prints one line per scenario
// (✓ or ✗) and exits 1 when one failed. With a file name, renews the screenshots of
// the decision view: that file (desktop) and the same name with -telefoon (phone).
import assert from "node:assert/strict";
import {
  DESKTOP, PHONE, accessible, answerAll, answerOne, apiDecision, chooseRegion, focusRing, idle,
  launch, listed, onCheck, open, plainDutch, ruleNames, shown, sleep, streamText, tabTo, toOutcome,
} from "./lib.mjs";

const [base, screenshot] = process.argv.slice(2);
if (!base) {
  console.error("gebruik: node e2e/pagina.mjs URL [schermafbeelding.png]");
  process.exit(2);
}
const browser = await launch();

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

// Personal care in school hours in Nijmegen: the Jeugdwet pays through the
// municipality where the child lives, without a beschikking.
const NIJMEGEN = {
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

const decisionPosts = (requests) => requests.filter((r) => r.method === "POST" && r.path.endsWith("/decisions"));

await scenario("Nijmegen: verzorging onder schooltijd, de woongemeente betaalt via beschikbaarheidsfinanciering; uitleg, Wat nu, spoor en afdruk", async () => {
  const { page, errors, requests, close } = await open(browser, base);
  await accessible(page, "de keuze van de regio");
  await chooseRegion(page, "nijmegen");
  await accessible(page, "een vraag met keuzes");
  const asked = await answerAll(page, NIJMEGEN);
  await accessible(page, "de controle van de antwoorden");
  assert.deepEqual(await listed(page), asked);
  await toOutcome(page);
  const given = Object.fromEntries(asked.map((k) => [k, NIJMEGEN[k]]));
  const api = await apiDecision(base, "nijmegen", given);
  const view = await shown(page);
  assert.deepEqual(view.outcome, api.outcome);
  assert.deepEqual(view.outcome, { jeugdwet: 100 });
  assert.equal(view.status, "decided");
  assert.deepEqual(view.rules, [...api.decided_by, ...api.decisions.route.decided_by]);
  assert.deepEqual(view.rules, ["zorg_bij_het_kind", "zorg_in_onderwijstijd"]);
  assert.ok(asked.includes("woongemeente"), asked.join(", "));
  for (const never of ["enkelvoudig", "schooltype", "didactisch_resistent", "gericht_op"]) {
    assert.ok(!asked.includes(never), `asked ${never}: ${asked.join(", ")}`);
  }
  // The sentence to read aloud first, then the route, Wat nu, the reasons with their bron.
  assert.deepEqual(view.payers, ["De gemeente Wijchen betaalt alle kosten."]);
  const text = await page.locator("#stap").innerText();
  const at = (s) => { const i = text.indexOf(s); assert.ok(i >= 0, `${s} not in\n${text}`); return i; };
  assert.ok(at("De gemeente Wijchen betaalt") < at("Hoe betaalt de gemeente de jeugdhulp?"));
  assert.ok(at("Beschikbaarheidsfinanciering, geen beschikking") < at("Wat nu?"));
  assert.ok(at("Er hoeft niets te worden aangevraagd") < at("Waarom"));
  at("Dit is een advies over wie betaalt, geen beschikking.");
  at("Bron: Verrassend Passend, Combinatie onderwijs-jeugd middelen, §2 Nijmegen");
  at("er is geen beschikking nodig");
  assert.match(text, /Beslist op \d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}\./);
  assert.equal(await page.title(), "Uitkomst: De gemeente Wijchen betaalt alle kosten – Wie betaalt?");
  await plainDutch(page, "de uitkomst", await ruleNames(base, "nijmegen"));
  // The trace is folded; opened, it is in sentences, with the rule names.
  const trace = page.locator("#stap details");
  assert.equal(await trace.evaluate((d) => d.open), false);
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
  await trace.locator("summary").click();
  await page.getByText("De regel ‘Verpleegkundige handelingen’ (verpleging_zvw) geldt niet.").waitFor();
  await page.getByText("Onderdeel: soort is ‘verpleegkundige handelingen’. Niet waar. Antwoord op ‘Wat voor ondersteuning is het?’: Persoonlijke verzorging.").first().waitFor();
  await accessible(page, "de uitkomst met het spoor open");
  await trace.evaluate((d) => { d.open = false; });
  // Changing the hours changes the route to a beschikking.
  await page.getByRole("link", { name: /Wijzig het antwoord op: Hoeveel uur per week/ }).click();
  await idle(page);
  await answerOne(page, 15, { submit: "Opslaan" });
  await toOutcome(page);
  await page.locator('#stap [data-via="beschikking"]').waitFor();
  assert.deepEqual((await shown(page)).rules, ["zorg_bij_het_kind", "veel_zorg_in_onderwijstijd"]);
  // The print view fits on one A4 page.
  const pdf = (await page.pdf({ format: "A4" })).toString("latin1");
  const pages = pdf.match(/\/Type\s*\/Page[^s]/g) || [];
  assert.equal(pages.length, 1, `the print view takes ${pages.length} pages`);
  // Nothing of this was written to the decision log.
  assert.ok(decisionPosts(requests).every((r) => r.query === "?record=false"), JSON.stringify(decisionPosts(requests)));
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Kop van Noord-Holland: grijs gebied half om half; vastleggen één keer, download met dossiernummer en datum", async () => {
  const answers = {
    soort: "hulpmiddel", gebruikt_thuis: true, wlz_indicatie: false, leeftijd: 11, ook_buiten_school_nodig: true,
    gericht_op: "zelfredzaamheid", verbonden_met_verpleging: false, afstand_km: 3, structurele_beperking: false,
    problematiek: [], onder_schooltijd: true, sociale_vaardigheidstraining: false, schooltype: "po",
    didactisch_resistent: false, enkelvoudig: false,
  };
  const { page, errors, requests, close } = await open(browser, base);
  await chooseRegion(page, "kop-van-noord-holland");
  const asked = await answerAll(page, answers);
  await toOutcome(page);
  const api = await apiDecision(base, "kop-van-noord-holland", Object.fromEntries(asked.map((k) => [k, answers[k]])));
  const view = await shown(page);
  assert.equal(view.status, "fallback");
  assert.equal(api.status, "fallback");
  assert.deepEqual(view.outcome, { onderwijs: 50, jeugdwet: 50 });
  assert.equal(view.kind, "warning", "a grey area is not shown as settled");
  assert.deepEqual(view.payers, [
    "De school of het samenwerkingsverband betaalt de helft van de kosten (50%).",
    "De gemeente betaalt de helft van de kosten (50%).",
  ]);
  assert.match(await page.locator("#stap .status").innerText(), /^Grijs gebied: geen enkele afspraak beslist/);
  // Recording asks for the dossier number first, in Dutch, at the field.
  await page.getByRole("button", { name: "Vastleggen" }).click();
  const dossier = page.getByLabel("Dossiernummer");
  assert.equal(await dossier.getAttribute("aria-invalid"), "true");
  assert.match(await dossier.getAttribute("aria-describedby"), /dossier-fout/);
  await page.locator("#melding").getByText("Vul een dossiernummer in").waitFor();
  await accessible(page, "de uitkomst met een fout bij het dossiernummer");
  await dossier.fill("WT 2025/0417");
  await page.getByRole("button", { name: "Vastleggen" }).click();
  await idle(page);
  await page.getByText("Vastgelegd in het beslissingslog voor dossier WT 2025/0417").waitFor();
  assert.equal(await page.getByRole("button", { name: "Vastleggen" }).count(), 0, "recorded once");
  const recorded = decisionPosts(requests).filter((r) => r.query !== "?record=false");
  assert.equal(recorded.length, 1, JSON.stringify(decisionPosts(requests)));
  assert.equal(recorded[0].body.id, "WT 2025/0417");
  // The download is the recorded decision: the API's JSON, named by dossier and date.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download de beslissing" }).click(),
  ]);
  const saved = JSON.parse(await streamText(await download.createReadStream()));
  assert.equal(download.suggestedFilename(), `beslissing-WT-2025-0417-${saved.reference_date}.json`);
  assert.equal(saved.case.id, "WT 2025/0417");
  assert.deepEqual(saved.outcome, api.outcome);
  assert.deepEqual(saved.trace, api.trace);
  for (const file of saved.ruleset.files) assert.match(file, /^rules\/[\w-]+\.regels$/, "no server path");
  assert.equal(decisionPosts(requests).filter((r) => r.query !== "?record=false").length, 1);
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Landelijk: een getal buiten de grenzen wordt geweigerd, met de fout bovenaan en bij het veld", async () => {
  const { page, errors, close } = await open(browser, base);
  await chooseRegion(page, "landelijk");
  await answerOne(page, "behandeling");
  const age = page.locator('#stap form[data-fact="leeftijd"]');
  await age.getByRole("textbox").fill("45");
  await age.getByRole("button", { name: "Volgende" }).click();
  await page.locator("#melding").getByRole("link", { name: /tussen 0 en 30 jaar/ }).waitFor();
  const field = age.getByRole("textbox");
  assert.equal(await field.getAttribute("aria-invalid"), "true");
  assert.match(await field.getAttribute("aria-describedby"), /antwoord-leeftijd-fout/);
  assert.match(await age.locator(".utrecht-form-field-error-message").innerText(), /Vul een getal in tussen 0 en 30 jaar\./);
  assert.match(await page.title(), /^Fout: Vraag 2: Hoe oud is de leerling\?/);
  assert.equal(await page.evaluate(() => document.activeElement.id), "melding-kop");
  await accessible(page, "een vraag met een fout");
  // The link in the message goes to the field.
  await page.locator("#melding").getByRole("link").click();
  assert.equal(await page.evaluate(() => document.activeElement.id), "antwoord-leeftijd");
  await field.fill("12");
  await age.getByRole("button", { name: "Volgende" }).click();
  await idle(page);
  await answerAll(page, {
    problematiek: ["angst_depressie"], wlz_indicatie: false, enkelvoudig: false, schooltype: "po",
    didactisch_resistent: false, verbonden_met_verpleging: false, ook_buiten_school_nodig: true, gericht_op: "ontwikkeling",
  });
  await toOutcome(page);
  assert.deepEqual((await shown(page)).outcome, { jeugdwet: 100 });
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Race: een trage reactie op een ouder antwoord wordt genegeerd; Bezig zichtbaar, knoppen uit, dubbelklik stuurt één verzoek", async () => {
  const slow = new Set();
  const { page, errors, requests, close } = await open(browser, base, {
    before: (p) => p.route("**/api/v1/regelsets/*/questions", async (route) => {
      const body = route.request().postDataJSON();
      if (body.wlz_indicatie === true) await sleep(2500);
      else if (slow.has("all")) await sleep(1000);
      await route.continue().catch(() => {}); // the page may have aborted it
    }),
  });
  await idle(page);
  await chooseRegion(page, "nijmegen");
  // A double click on Volgende sends one request.
  slow.add("all");
  const form = page.locator("#stap form");
  await form.getByLabel("Persoonlijke verzorging").check();
  const before = requests.length;
  await form.getByRole("button", { name: "Volgende" }).dblclick();
  await page.locator("#bezig").getByText("Bezig…").waitFor();
  await idle(page);
  assert.equal(requests.length - before, 1, JSON.stringify(requests.slice(before)));
  slow.clear();
  // Wlz "ja" is slow: while it runs the page says so and nothing can be answered.
  await page.locator('#stap form[data-fact="wlz_indicatie"]').waitFor();
  await page.getByLabel("Ja", { exact: true }).check();
  await page.getByRole("button", { name: "Volgende" }).click();
  await page.locator("#bezig").getByText("Bezig…").waitFor({ state: "visible" });
  assert.equal(await page.getByRole("button", { name: "Volgende" }).isDisabled(), true);
  assert.equal(await page.getByLabel("Nee", { exact: true }).isDisabled(), true);
  // The consultant goes back and answers "nee"; the late reply to "ja" must not count.
  await page.goBack();
  await idle(page);
  await page.locator('#stap form[data-fact="soort"]').waitFor();
  await answerOne(page, "persoonlijke_verzorging");
  await answerOne(page, false);
  await page.locator('#stap form[data-fact="verbonden_met_verpleging"]').waitFor();
  await sleep(3000);
  assert.equal(await page.locator("#stap form").getAttribute("data-fact"), "verbonden_met_verpleging");
  assert.match(page.url(), /wlz_indicatie=nee/);
  await answerAll(page, NIJMEGEN);
  await toOutcome(page);
  const view = await shown(page);
  assert.deepEqual(view.outcome, { jeugdwet: 100 });
  assert.ok(!view.payers.some((p) => /zorgkantoor/.test(p)), view.payers.join(" "));
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Decimale komma: 5,5 km is 5,5 km, ook in de beslissing", async () => {
  const { page, errors, requests, close } = await open(browser, base);
  await chooseRegion(page, "landelijk");
  await answerOne(page, "vervoer");
  const form = page.locator('#stap form[data-fact="afstand_km"]');
  assert.equal(await form.getByRole("textbox").getAttribute("inputmode"), "decimal");
  assert.match(await form.innerText(), /Gebruik een komma voor een deel, bijvoorbeeld 5,5\./);
  assert.match(await form.innerText(), /Een getal van 0 tot en met 500 km/);
  await form.getByRole("textbox").fill("5,5,5");
  await form.getByRole("button", { name: "Volgende" }).click();
  await form.getByText("Vul een getal in, bijvoorbeeld 12 of 12,5.").waitFor();
  await form.getByRole("textbox").fill("5,5");
  await form.getByRole("button", { name: "Volgende" }).click();
  await idle(page);
  await answerAll(page, { structurele_beperking: false, gericht_op: "onderwijsprogramma", wlz_indicatie: false, leeftijd: 10 });
  const row = page.locator('#stap .antwoorden [data-fact="afstand_km"]');
  assert.match(await row.innerText(), /5,5 km/);
  assert.match(page.url(), /afstand_km=5\.5/);
  await toOutcome(page);
  const sent = decisionPosts(requests).at(-1).body;
  assert.equal(sent.afstand_km, 5.5);
  assert.deepEqual((await shown(page)).payers, ["De ouders betalen alle kosten."]);
  // Back at the question, the number shows with a comma.
  await page.getByRole("link", { name: /Wijzig het antwoord op: Hoe ver/ }).click();
  await idle(page);
  assert.equal(await page.locator('#stap form[data-fact="afstand_km"]').getByRole("textbox").inputValue(), "5,5");
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Een gewijzigd antwoord: wat niet meer geldt, verdwijnt uit het overzicht, de afdruk en de JSON", async () => {
  const { page, errors, close } = await open(browser, base);
  await chooseRegion(page, "nijmegen");
  await answerAll(page, NIJMEGEN);
  const first = await listed(page);
  assert.ok(first.includes("zorguren_per_week") && first.includes("woongemeente"), first.join(", "));
  // The care becomes transport: hours in school and the municipality no longer matter.
  await page.getByRole("link", { name: /Wijzig het antwoord op: Wat voor ondersteuning/ }).click();
  await idle(page);
  await answerOne(page, "vervoer", { submit: "Opslaan" });
  const asked = await answerAll(page, { ...NIJMEGEN, afstand_km: 3, structurele_beperking: false, gericht_op: "onderwijsprogramma" });
  const now = await listed(page);
  for (const gone of ["zorguren_per_week", "verbonden_met_verpleging", "onder_schooltijd"]) {
    assert.ok(!now.includes(gone), `${gone} still listed: ${now.join(", ")}`);
  }
  assert.ok(asked.includes("afstand_km"), asked.join(", "));
  // The same answers, asked afresh, are exactly these.
  const fresh = await open(browser, base);
  await chooseRegion(fresh.page, "nijmegen");
  const answers = Object.fromEntries(await page.evaluate(() => state.answers));
  assert.deepEqual(await answerAll(fresh.page, answers), now);
  await fresh.close();
  await toOutcome(page);
  assert.deepEqual((await shown(page)).payers, ["De ouders betalen alle kosten."]);
  await page.emulateMedia({ media: "print" });
  const printed = await page.locator("body").innerText();
  assert.doesNotMatch(printed, /uur per week|verpleegkundige handelingen/);
  assert.match(printed, /Hoe ver is de dichtstbijzijnde passende school/);
  await page.emulateMedia({ media: "screen" });
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download de beslissing" }).click(),
  ]);
  const saved = JSON.parse(await streamText(await download.createReadStream()));
  assert.deepEqual(Object.keys(saved.case.facts).sort(), [...now].sort());
  assert.match(download.suggestedFilename(), /^beslissing-nijmegen-\d{4}-\d{2}-\d{2}\.json$/);
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Alleen het toetsenbord: regio, elke soort vraag, Vorige, Wijzig, uitkomst, spoor, vastleggen, download en afdrukken", async () => {
  const { page, errors, requests, close } = await open(browser, base);
  await page.evaluate(() => { window.print = () => { window.afgedrukt = true; }; });
  // The skip link comes first and shows.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Naar de inhoud");
  const ring = await focusRing(page);
  assert.ok(ring.width >= 2, JSON.stringify(ring));
  // Arrowing through the regions loads nothing and keeps the focus in the list.
  await tabTo(page, () => document.activeElement.id === "regelset");
  const before = requests.length;
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowDown");
  await sleep(300);
  assert.equal(requests.length, before, JSON.stringify(requests.slice(before)));
  assert.equal(await page.evaluate(() => document.activeElement.id), "regelset");
  assert.equal(await page.locator("#stap-regio").isVisible(), true);
  await page.locator("#regelset").evaluate((s) => { s.value = ""; });
  await page.keyboard.type("Nijm");
  assert.equal(await page.locator("#regelset").inputValue(), "nijmegen");
  await tabTo(page, () => document.activeElement.textContent === "Start");
  await page.keyboard.press("Enter");
  await idle(page);
  const answers = { ...NIJMEGEN, soort: "begeleiding", gericht_op: "ontwikkeling", problematiek: ["autisme", "adhd"] };
  let usedBack = false;
  for (let i = 0; i < 30; i++) {
    await idle(page);
    if (await onCheck(page)) break;
    assert.equal(await page.evaluate(() => document.activeElement.tagName), "H1", "a new question has the focus on its heading");
    const name = await page.locator("#stap form").getAttribute("data-fact");
    await keyboardAnswer(page, answers[name]);
    await tabTo(page, () => document.activeElement.textContent === "Volgende");
    await page.keyboard.press("Enter");
    await idle(page);
    if (!usedBack && i === 2) {
      // Vorige goes one question back, with the answer still filled in.
      await tabTo(page, () => document.activeElement.textContent === "Vorige");
      await page.keyboard.press("Enter");
      await idle(page);
      assert.equal(await page.locator("#stap form").getAttribute("data-fact"), name);
      usedBack = true;
      await tabTo(page, () => document.activeElement.textContent === "Volgende");
      await page.keyboard.press("Enter");
    }
  }
  assert.ok(usedBack);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Controleer uw antwoorden");
  // Wijzig, by keyboard.
  await tabTo(page, () => /Wijzig het antwoord op: Hoe oud/.test(document.activeElement.textContent));
  await page.keyboard.press("Enter");
  await idle(page);
  await tabTo(page, () => document.activeElement.tagName === "INPUT");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("10");
  await page.keyboard.press("Enter");
  await idle(page);
  assert.match(await page.locator('#stap .antwoorden [data-fact="leeftijd"]').innerText(), /10 jaar/);
  await tabTo(page, () => document.activeElement.textContent === "Bekijk de uitkomst");
  await page.keyboard.press("Enter");
  await idle(page);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Uitkomst");
  // The trace opens with Enter.
  await tabTo(page, () => document.activeElement.tagName === "SUMMARY");
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("#stap details").evaluate((d) => d.open), true);
  await tabTo(page, () => document.activeElement.id === "dossier");
  await page.keyboard.type("D-17");
  await tabTo(page, () => document.activeElement.textContent === "Vastleggen");
  await page.keyboard.press("Enter");
  await idle(page);
  assert.equal(await page.evaluate(() => document.activeElement.id), "vastgelegd");
  await tabTo(page, () => document.activeElement.textContent === "Download de beslissing");
  const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  assert.match(download.suggestedFilename(), /^beslissing-D-17-\d{4}-\d{2}-\d{2}\.json$/);
  await idle(page);
  await tabTo(page, () => document.activeElement.textContent === "Afdrukken");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => window.afgedrukt), true);
  await tabTo(page, () => document.activeElement.textContent === "Nieuwe casus");
  await page.keyboard.press("Enter");
  await idle(page);
  assert.equal(await page.locator("#stap form").getAttribute("data-fact"), "soort");
  assert.deepEqual(errors, []);
  await close();
});

/** One answer by keyboard from the question's heading: Tab in, arrows or Space, or typing. */
async function keyboardAnswer(page, value) {
  const form = page.locator("#stap form");
  await tabTo(page, () => ["INPUT"].includes(document.activeElement.tagName));
  const type = await page.evaluate(() => document.activeElement.type);
  if (type === "radio") {
    const values = await form.locator("input[type=radio]").evaluateAll((l) => l.map((x) => x.value));
    const want = typeof value === "boolean" ? (value ? "ja" : "nee") : value;
    const current = await page.evaluate(() => document.activeElement.value);
    const steps = (values.indexOf(want) - values.indexOf(current) + values.length) % values.length;
    if (steps === 0) await page.keyboard.press("Space");
    for (let i = 0; i < steps; i++) await page.keyboard.press("ArrowDown");
    assert.equal(await form.locator("input:checked").getAttribute("value"), want);
  } else if (type === "checkbox") {
    const count = await form.locator("input[type=checkbox]").count();
    for (let i = 0; i < count; i++) {
      if (i) await page.keyboard.press("Tab");
      const box = await page.evaluate(() => [document.activeElement.value, document.activeElement.checked]);
      if (value.includes(box[0]) !== box[1]) await page.keyboard.press("Space");
    }
  } else {
    await page.keyboard.press("Control+A");
    await page.keyboard.type(String(value).replace(".", ","));
  }
}

await scenario("Telefoon: met de vingers naar de uitkomst, focus op de kop en de betaler in beeld, alles minstens 44 px", async () => {
  const { page, errors, close } = await open(browser, base, { size: PHONE });
  await accessible(page, "de regio op een telefoon");
  await page.getByLabel("Afspraken van de regio").selectOption("nijmegen");
  await page.getByRole("button", { name: "Start" }).tap();
  await idle(page);
  await accessible(page, "een vraag op een telefoon");
  await answerAll(page, NIJMEGEN, { tap: true });
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Controleer uw antwoorden");
  await toOutcome(page, { tap: true });
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Uitkomst");
  const payer = await page.locator("#stap .betaler").first().boundingBox();
  assert.ok(payer.y >= 0 && payer.y + payer.height <= 812, `payer at ${JSON.stringify(payer)}`);
  const small = await page.evaluate(() => [...document.querySelectorAll("button, a, summary, input, select, .keuzes .utrecht-form-field")]
    .filter((e) => e.offsetParent && !e.matches(".keuzes input, .nl-skip-link"))
    .map((e) => [e.tagName, e.textContent.trim().slice(0, 30), e.getBoundingClientRect()])
    .filter(([, , r]) => r.height < 44 || r.width < 44)
    .map(([t, s, r]) => `${t} ${s} ${Math.round(r.width)}x${Math.round(r.height)}`));
  assert.deepEqual(small, []);
  await accessible(page, "de uitkomst op een telefoon");
  await plainDutch(page, "de uitkomst op een telefoon", await ruleNames(base, "nijmegen"));
  if (screenshot) await page.screenshot({ path: screenshot.replace(/\.png$/, "-telefoon.png") });
  assert.deepEqual(errors, []);
  await close();
});

await scenario("De server is weg en komt terug: een Nederlandse melding bovenaan met Probeer opnieuw, geen vastgelopen pagina", async () => {
  const down = (p) => p.route("**/api/**", (route) => route.abort("connectionrefused"));
  const { page, errors, close } = await open(browser, base, { before: down });
  const message = page.locator("#melding");
  await message.getByText("De server is niet bereikbaar.").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), "melding-kop");
  assert.match(await page.title(), /^Fout: /);
  await plainDutch(page, "de melding bij het laden");
  await accessible(page, "de melding bij het laden");
  await page.unroute("**/api/**");
  await message.getByRole("button", { name: "Probeer opnieuw" }).click();
  await idle(page);
  assert.equal(await message.innerText(), "");
  await chooseRegion(page, "nijmegen");
  await answerOne(page, "persoonlijke_verzorging");
  // Down again in the middle of the questions: the answer stays on screen to send again.
  await down(page);
  await page.getByLabel("Nee", { exact: true }).check();
  await page.getByRole("button", { name: "Volgende" }).click();
  await message.getByText("De server is niet bereikbaar.").waitFor();
  await idle(page);
  assert.equal(await page.locator("#stap form").getAttribute("data-fact"), "wlz_indicatie");
  assert.equal(await page.getByRole("button", { name: "Volgende" }).isDisabled(), false);
  await plainDutch(page, "de melding bij een vraag");
  await accessible(page, "de melding bij een vraag");
  await page.unroute("**/api/**");
  await message.getByRole("button", { name: "Probeer opnieuw" }).click();
  await idle(page);
  assert.equal(await page.locator("#stap form").getAttribute("data-fact"), "verbonden_met_verpleging");
  assert.match(page.url(), /wlz_indicatie=nee/);
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Terug, vooruit en herladen: één vraag terug, antwoorden blijven, de regio staat in de adresregel", async () => {
  const { page, errors, close } = await open(browser, base);
  await chooseRegion(page, "nijmegen");
  assert.match(page.url(), /\?regio=nijmegen$/);
  await answerOne(page, "persoonlijke_verzorging");
  await answerOne(page, false);
  await answerOne(page, false);
  assert.equal(await page.locator("#stap form").getAttribute("data-fact"), "leeftijd");
  await page.goBack();
  await idle(page);
  const form = page.locator("#stap form");
  assert.equal(await form.getAttribute("data-fact"), "verbonden_met_verpleging");
  assert.equal(await form.getByLabel("Nee", { exact: true }).isChecked(), true, "the answer given is still filled in");
  assert.doesNotMatch(page.url(), /verbonden_met_verpleging/);
  assert.equal(await page.evaluate(() => document.activeElement.tagName), "H1");
  await page.goBack();
  await idle(page);
  assert.equal(await form.getAttribute("data-fact"), "wlz_indicatie");
  await page.goForward();
  await idle(page);
  assert.equal(await form.getAttribute("data-fact"), "verbonden_met_verpleging");
  await page.reload();
  await idle(page);
  assert.equal(await form.getAttribute("data-fact"), "verbonden_met_verpleging");
  assert.match(page.url(), /soort=persoonlijke_verzorging&wlz_indicatie=nee/);
  await answerAll(page, NIJMEGEN);
  const answered = await listed(page);
  await page.reload();
  await idle(page);
  assert.ok(await onCheck(page));
  assert.deepEqual(await listed(page), answered);
  await toOutcome(page);
  await page.reload();
  await idle(page);
  assert.deepEqual((await shown(page)).payers, ["De gemeente Wijchen betaalt alle kosten."]);
  // Back from the first question is the region, still in this page.
  const start = await open(browser, base);
  await chooseRegion(start.page, "landelijk");
  await start.page.goBack();
  await idle(start.page);
  assert.equal(await start.page.locator("#stap-regio").isVisible(), true);
  assert.equal(await start.page.locator("#regelset").inputValue(), "landelijk");
  await start.close();
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Einstein Class: nog niemand betaalt is geen groene uitkomst; labels, zinnen en datums in gewoon Nederlands", async () => {
  const { page, errors, close } = await open(browser, base);
  await chooseRegion(page, "einstein-class");
  await answerAll(page, {
    einstein_arrangement: true, soort: "begeleiding", gericht_op: "ontwikkeling",
    problematiek: ["hoogbegaafdheid", "autisme"], lesuren_per_week: 25, uren_reguliere_klas: 5,
    uren_einsteinklas: 20, gebiedsteam_betrokken: false, wlz_indicatie: false, leeftijd: 10,
    ook_buiten_school_nodig: true, onder_schooltijd: true,
  });
  await plainDutch(page, "de controle");
  await toOutcome(page);
  const view = await shown(page);
  assert.deepEqual(view.outcome, { niet_toegekend: 100 });
  assert.equal(view.kind, "warning");
  assert.deepEqual(view.payers, ["Nog niemand betaalt alle kosten."]);
  const border = await page.locator("#stap .uitkomst").evaluate((e) => getComputedStyle(e).borderLeftColor);
  const [r, g, b] = border.match(/\d+/g).map(Number);
  assert.ok(!(g > r && g > b), `the outcome looks green: ${border}`);
  await page.getByText("Let op: nog niet geregeld").waitFor();
  assert.equal(await page.locator('#stap .routes dt[data-decision="arrangement"]').innerText(), "Welk arrangement van de Einstein Class?");
  assert.equal(await page.locator('#stap .routes dt[data-decision="arrangement"] + dd').innerText(), "Arrangement 4");
  await page.getByText("Regel eerst wat ontbreekt").waitFor();
  await plainDutch(page, "de uitkomst", await ruleNames(base, "einstein-class"));
  await accessible(page, "een uitkomst zonder betaler");
  // The help text of gericht_op has no backticks.
  await page.getByRole("link", { name: /Wijzig het antwoord op: Waar is de ondersteuning/ }).click();
  await idle(page);
  await page.getByText("Kies het onderwijsprogramma als het doel is").waitFor();
  await plainDutch(page, "een vraag met toelichting");
  assert.deepEqual(errors, []);
  await close();
});

// A superset of answers for the regional cases below: the page asks only what applies.
const REGIONAL = {
  ...NIJMEGEN,
  enkelvoudig: false,
  afstand_km: 3,
  structurele_beperking: false,
  gebruikt_thuis: false,
  sociale_vaardigheidstraining: false,
  pro_of_tussenvoorziening: "geen",
};

await scenario("Eén keer vastleggen: na Terug, Wijzig met hetzelfde antwoord of herladen blijft de casus vastgelegd; een klik tijdens Vastleggen wordt niet genomen", async () => {
  let slowRecord = false;
  const { page, errors, requests, close } = await open(browser, base, {
    before: (p) => p.route("**/api/v1/regelsets/*/decisions", async (route) => {
      if (slowRecord && !route.request().url().includes("record=false")) await sleep(2000);
      await route.continue().catch(() => {});
    }),
  });
  await idle(page);
  await chooseRegion(page, "kop-van-noord-holland");
  await answerOne(page, "begeleiding");
  await answerAll(page, { wlz_indicatie: true });
  await toOutcome(page);
  await page.getByLabel("Dossiernummer").fill("WT-TWEE-1");
  slowRecord = true;
  await page.getByRole("button", { name: "Vastleggen" }).click();
  await page.locator("#bezig").getByText("Bezig…").waitFor();
  // A "Wijzig" while the decision is being recorded is not followed.
  await page.getByRole("link", { name: /Wijzig het antwoord op/ }).first().click({ force: true });
  await idle(page);
  await page.getByText("Vastgelegd in het beslissingslog voor dossier WT-TWEE-1").waitFor();
  slowRecord = false;
  const recorded = () => decisionPosts(requests).filter((r) => r.query !== "?record=false").length;
  assert.equal(recorded(), 1);
  // In the trace, `niet in [a, b]` is "geen van a en b", not "niet a of b".
  await page.getByText("Volledig spoor").click();
  await page.locator("#stap .spoor").getByText(/gericht op is geen van ‘[^’]+’(, ‘[^’]+’)* en ‘/).first().waitFor();
  // Back to the check, then to the outcome again: still recorded, the dossier filled in.
  await page.goBack();
  await idle(page);
  await toOutcome(page);
  await page.getByText("Vastgelegd in het beslissingslog voor dossier WT-TWEE-1").waitFor();
  assert.equal(await page.getByRole("button", { name: "Vastleggen" }).count(), 0);
  assert.equal(await page.getByLabel("Dossiernummer").inputValue(), "WT-TWEE-1");
  // "Wijzig" keeping the same answer, and a reload: the same.
  await page.getByRole("link", { name: /Wijzig het antwoord op/ }).first().click();
  await idle(page);
  await page.getByRole("button", { name: /Opslaan|Volgende/ }).first().click();
  await idle(page);
  await toOutcome(page);
  await page.getByText("Vastgelegd in het beslissingslog voor dossier WT-TWEE-1").waitFor();
  await page.reload();
  await idle(page);
  await page.getByText("Vastgelegd in het beslissingslog voor dossier WT-TWEE-1").waitFor();
  // Another dossier with the same answers is another case: it can be recorded.
  await page.getByLabel("Dossiernummer").fill("WT-TWEE-2");
  await page.getByLabel("Dossiernummer").blur();
  await page.getByRole("button", { name: "Vastleggen" }).click();
  await idle(page);
  await page.getByText("Vastgelegd in het beslissingslog voor dossier WT-TWEE-2").waitFor();
  assert.equal(recorded(), 2);
  // Typing the first dossier again shows that one as recorded, not the last.
  await page.getByLabel("Dossiernummer").fill("WT-TWEE-1");
  await page.getByLabel("Dossiernummer").blur();
  await page.getByText("Vastgelegd in het beslissingslog voor dossier WT-TWEE-1").waitFor();
  // Each recording carries its key: the case itself, so a repeat is recorded once.
  const keys = decisionPosts(requests).filter((r) => r.query !== "?record=false").map((r) => r.key);
  assert.ok(keys.every((k) => /^wb1-[0-9a-f]{16}$/.test(k)), keys.join(" "));
  assert.equal(new Set(keys).size, 2, "one key per dossier");
  // "Nieuwe casus" with the same answers is another child: no dossier filled in, not recorded.
  await page.getByRole("button", { name: "Nieuwe casus" }).click();
  await idle(page);
  await answerOne(page, "begeleiding");
  await answerAll(page, { wlz_indicatie: true });
  await toOutcome(page);
  assert.equal(await page.getByLabel("Dossiernummer").inputValue(), "");
  assert.equal(await page.getByRole("button", { name: "Vastleggen" }).count(), 1);
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Een melding verdwijnt zodra de stap verandert of het lukt; na Probeer opnieuw staat de focus weer op de knop", async () => {
  const { page, errors, close } = await open(browser, base);
  await chooseRegion(page, "landelijk");
  await page.getByRole("button", { name: "Volgende" }).click();
  await page.locator("#melding").getByText("Kies een antwoord").waitFor();
  await answerOne(page, "vervoer");
  assert.equal(await page.locator("#melding").innerText(), "");
  assert.doesNotMatch(await page.title(), /^Fout: /);
  // A field error, then the server is away: the field error goes, the server's message stays.
  const km = page.locator("#stap form input[type=text]");
  await km.fill("12,");
  await page.getByRole("button", { name: "Volgende" }).click();
  await page.locator("#melding").getByText("Vul een getal in").waitFor();
  await km.fill("7");
  await page.route("**/api/**", (route) => route.abort("connectionrefused"));
  await page.getByRole("button", { name: "Volgende" }).click();
  await page.locator("#melding").getByText("De server is niet bereikbaar.").waitFor();
  assert.equal(await page.locator("#stap .utrecht-form-field-error-message:not([hidden])").count(), 0);
  assert.equal(await km.getAttribute("aria-invalid"), null);
  await page.unroute("**/api/**");
  await page.getByRole("button", { name: "Probeer opnieuw" }).click();
  await idle(page);
  await page.goBack();
  await idle(page);
  await answerAll(page, { afstand_km: 3, structurele_beperking: false, gericht_op: "onderwijsprogramma", wlz_indicatie: false, leeftijd: 9 });
  await toOutcome(page);
  await page.getByRole("button", { name: "Vastleggen" }).click();
  await page.locator("#melding").getByText("Vul een dossiernummer in").waitFor();
  // A burgerservicenummer (nine digits passing the eleven test) is not taken as a dossier.
  await page.getByLabel("Dossiernummer").fill("111 222 333");
  await page.getByRole("button", { name: "Vastleggen" }).click();
  await page.locator("#melding").getByText("Dit lijkt een burgerservicenummer").waitFor();
  await page.getByLabel("Dossiernummer").fill("WT-MELDING");
  await page.getByRole("button", { name: "Vastleggen" }).click();
  await idle(page);
  await page.getByText("Vastgelegd in het beslissingslog voor dossier WT-MELDING").waitFor();
  assert.equal(await page.locator("#melding").innerText(), "");
  // The download fails once, then works: the focus is back on the download button.
  await page.route("**/api/**", (route) => route.abort("connectionrefused"));
  await page.evaluate(() => { sessionStorage.clear(); });
  await page.reload().catch(() => {});
  await page.locator("#melding").getByText("De server is niet bereikbaar.").waitFor();
  await page.unroute("**/api/**");
  await page.getByRole("button", { name: "Probeer opnieuw" }).click();
  await idle(page);
  assert.equal(await page.locator("#melding").innerText(), "");
  assert.notEqual(await page.evaluate(() => document.activeElement.tagName), "BODY", "focus after Probeer opnieuw");
  await page.route("**/api/v1/regelsets/*/decisions*", (route) => route.abort("connectionrefused"));
  await page.getByRole("button", { name: "Download de beslissing" }).click();
  await page.locator("#melding").getByText("De server is niet bereikbaar.").waitFor();
  await page.unroute("**/api/v1/regelsets/*/decisions*");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Probeer opnieuw" }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^beslissing-WT-MELDING-\d{4}-\d\d-\d\d\.json$/);
  await idle(page);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Download de beslissing");
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Een getypte woongemeente als betaler, een open punt met zijn eigen Wat nu, het spoor met de hele voorwaarde", async () => {
  const { page, errors, close } = await open(browser, base);
  await chooseRegion(page, "utrecht");
  await answerAll(page, {
    ...REGIONAL, soort: "persoonlijke_verzorging", leeftijd: 8, proeftuinschool: false,
    woongemeente: "andere", andere_woongemeente: "zeist",
  });
  await toOutcome(page);
  assert.deepEqual((await shown(page)).payers, ["De gemeente Zeist betaalt alle kosten."]);
  // However the name is typed: "gemeente ijsselstein" is "De gemeente IJsselstein".
  await page.getByRole("link", { name: /Wijzig het antwoord op: In welke gemeente buiten Utrecht/ }).click();
  await idle(page);
  await page.locator("#stap form input[type=text]").fill("gemeente ijsselstein");
  await page.getByRole("button", { name: "Opslaan" }).click();
  await idle(page);
  await toOutcome(page);
  assert.deepEqual((await shown(page)).payers, ["De gemeente IJsselstein betaalt alle kosten."]);
  // The trace shows each rule's whole condition; its parts are true or not, never "vervuld".
  await page.getByText("Volledig spoor").click();
  const adult = page.locator('#stap .spoor li[data-rule="zorg_volwassene"]');
  await adult.locator(".voorwaarde").getByText(/^Voorwaarde: niet minderjarig/).waitFor();
  assert.doesNotMatch(await page.locator("#stap .spoor").innerText(), /[Vv]ervuld/);

  await page.goto(`${base}/?regio=amsterdam`);
  await idle(page);
  await answerAll(page, {
    ...REGIONAL, schooltype: "so", soort: "behandeling", problematiek: ["angst_depressie"], leeftijd: 12,
    woongemeente: "andere", andere_woongemeente: "Zaanstad",
  });
  await toOutcome(page);
  await page.getByText("Let op: nog niet geregeld").waitFor();
  // The open point's own next step (from the rule file), not the Jeugdwet's usual one.
  const next = await page.locator("#stap .wat-nu").innerText();
  assert.match(next, /nog niet afgesproken: meld de casus bij de gemeente Amsterdam en bij de woongemeente/);
  assert.doesNotMatch(next, /geeft de gemeente een beschikking/);
  await plainDutch(page, "een open punt", await ruleNames(base, "amsterdam"));
  await accessible(page, "een open punt");
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Getallen: 1.000 wordt niet 1 maar een vraag; een typ-dossiernummer staat op de afdruk, ook niet vastgelegd", async () => {
  const { page, errors, close } = await open(browser, base);
  await chooseRegion(page, "landelijk");
  await answerOne(page, "vervoer");
  const field = page.locator("#stap form input[type=text]");
  await field.fill("1.000");
  await page.getByRole("button", { name: "Volgende" }).click();
  await page.locator("#melding").getByText("bedoelt u 1000?").waitFor();
  assert.equal(await field.getAttribute("aria-invalid"), "true");
  await accessible(page, "een getal met een punt tussen de duizendtallen");
  await field.fill("3");
  await page.getByRole("button", { name: "Volgende" }).click();
  await idle(page);
  await answerAll(page, { structurele_beperking: false, gericht_op: "onderwijsprogramma", wlz_indicatie: false, leeftijd: 9 });
  await toOutcome(page);
  await page.getByLabel("Dossiernummer").fill("WT-AFDRUK");
  await page.emulateMedia({ media: "print" });
  assert.match(await page.locator("#stap .account").innerText(), /Dossier: WT-AFDRUK \(niet vastgelegd\)/);
  await page.emulateMedia({ media: "screen" });
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Telefoon: knoppen onder elkaar in de volgorde van de pagina, het gekozen antwoord blijft zichtbaar terwijl het wacht", async () => {
  const { page, errors, close } = await open(browser, base, {
    size: PHONE,
    before: (p) => p.route("**/api/v1/regelsets/*/questions", async (route) => {
      if (route.request().postDataJSON().soort) await sleep(1500);
      await route.continue().catch(() => {});
    }),
  });
  await idle(page);
  await chooseRegion(page, "landelijk");
  const form = page.locator("#stap form");
  await form.getByLabel("Begeleiding", { exact: true }).tap();
  const [next, back] = await Promise.all([
    form.getByRole("button", { name: "Volgende" }).boundingBox(),
    form.getByRole("button", { name: "Vorige" }).boundingBox(),
  ]);
  assert.ok(next.y < back.y, "Volgende comes first, as in the page and in Tab order");
  await form.getByRole("button", { name: "Volgende" }).tap();
  await page.locator("#bezig").getByText("Bezig…").waitFor();
  const look = await page.locator('#stap input[value="begeleiding"]').evaluate((e) => ({
    checked: e.checked, opacity: getComputedStyle(e).opacity, label: getComputedStyle(e.labels[0]).opacity,
  }));
  assert.deepEqual(look, { checked: true, opacity: "1", label: "1" });
  await idle(page);
  for (const box of await page.locator("#stap .keuzes label").all()) {
    assert.ok((await box.boundingBox()).height >= 44, "a choice is at least 44 px high");
  }
  assert.deepEqual(errors, []);
  await close();
});

await scenario("Tilburg, grijs gebied met twee open delen: elk deel benoemd, een eerlijk Waarom, en de afdruk op één A4", async () => {
  const { page, errors, close } = await open(browser, base);
  await chooseRegion(page, "tilburg");
  await answerAll(page, {
    soort: "begeleiding", gericht_op: "ontwikkeling", ook_buiten_school_nodig: false, wlz_indicatie: false,
    leeftijd: 10, schooltype: "so", onder_schooltijd: true, leerjaar: "hoger", lopende_beschikking: false,
    woongemeente: "tilburg", problematiek: [],
  });
  await toOutcome(page);
  const view = await shown(page);
  assert.equal(view.status, "fallback");
  assert.deepEqual(view.payers, [
    "Het is nog niet afgesproken wie de helft van de kosten (50%, Passend onderwijs) betaalt.",
    "Het is nog niet afgesproken wie de helft van de kosten (50%, Jeugdwet) betaalt.",
  ]);
  await page.getByText("Geen afspraak zegt onder welke wet deze situatie valt").waitFor();
  await page.getByLabel("Dossiernummer").fill("WT-TILBURG");
  await page.getByRole("button", { name: "Vastleggen" }).click();
  await idle(page);
  const pdf = (await page.pdf({ format: "A4", printBackground: true })).toString("latin1");
  assert.equal(pdf.match(/\/Type\s*\/Page[^s]/g).length, 1, "one A4 page");
  await accessible(page, "een grijs gebied met open delen");
  assert.deepEqual(errors, []);
  await close();
});

await browser.close();
process.exit(failures ? 1 : 0);
