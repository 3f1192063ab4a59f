// End-to-end tests of the référent's dashboard, in Debian's chromium driven by playwright-core,
// against the real demo stack (hub, CAF and France Travail simulators, mail server).
// Screenshots of every step are kept in build/e2e-artifacts/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { ARTIFACTS, cafOutage, sendMail, startStack } from './stack.mjs';

const LAPTOP = { width: 1280, height: 800 };
const TABLET = { width: 820, height: 1180 };
// How long the hub may take to give up on an unreachable agency and mark the request failed.
const FAILED_WITHIN_MS = Number(process.env.GUICHET_E2E_FAILED_WITHIN_S ?? 150) * 1000;

let stack;
let context;
let page;
let profile;
const pageErrors = [];

async function shot(name, viewport = LAPTOP) {
  await page.setViewportSize(viewport);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  await page.setViewportSize(LAPTOP);
}

// A full page load: going to the URL the page is already at would keep the previous form's state.
async function open(hashPath) {
  await page.goto('about:blank');
  await page.goto(`${stack.url}/${hashPath}`);
}

const daysAgo = (days) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

// Fills the form the way a référent would; consent is ticked need by need.
async function fillCase({ nir = '290049501812345', needs, proof = 'complaint' }) {
  await open('#/nouvelle-demande');
  await page.fill('[data-field="person.given_names"]', 'Amina');
  await page.fill('[data-field="person.birth_name"]', 'Benali');
  await page.fill('[data-field="person.birth_date"]', '1990-04-12');
  if (nir) await page.fill('[data-field="person.nir"]', nir);
  await page.fill('[data-field="person.phone"]', '+33612345678');
  await page.selectOption('[data-field="situation.proof.kind"]', proof);
  await page.fill('[data-field="situation.proof.date"]', daysAgo(10));
  await page.selectOption('[data-field="situation.safe_channel"]', 'phone');
  for (const kind of needs) {
    await page.check(`[data-field="needs.${kind}"]`);
    await page.check(`[data-field="consent.${kind}"]`);
  }
}

async function submitAndOpenCase() {
  await page.click('button:has-text("Envoyer la demande")');
  await page.waitForURL(/#\/dossiers\/.+/, { timeout: 15_000 });
  await page.waitForSelector('article.request');
  return decodeURIComponent(page.url().split('#/dossiers/')[1]);
}

const stateOf = (need) => page.getAttribute(`article[data-need="${need}"] .request__state [data-state]`, 'data-state');

async function waitForState(need, states, timeout) {
  await page.waitForFunction(([n, wanted]) => {
    const chip = document.querySelector(`article[data-need="${n}"] .request__state [data-state]`);
    return chip && wanted.includes(chip.dataset.state);
  }, [need, states], { timeout, polling: 500 });
  return stateOf(need);
}

// WCAG relative luminance and contrast ratio of two CSS colours "rgb(r, g, b)" or "#rrggbb".
function channels(color) {
  const hex = color.trim().match(/^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i);
  const parts = hex ? hex.slice(1).map((x) => parseInt(x, 16)) : color.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
  return parts.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
}
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = channels(c);
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('référent dashboard', () => {
  before(async () => {
    stack = await startStack();
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-chromium-'));
    // Without the background-networking switches chromium keeps trying to reach Google's
    // services, which the closed network refuses over and over.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      viewport: LAPTOP,
      locale: 'fr-FR',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(String(error)));
  });

  after(async () => {
    await context?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    await stack?.stop();
  });

  test('signs in with a pasted token, kept in sessionStorage only', async () => {
    await open('');
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    await shot('01-connexion');
    await page.fill('textarea[name=token]', 'pas-un-jeton');
    await page.click('button:has-text("Se connecter")');
    assert.match(await page.textContent('.field-error'), /pas un jeton valide/);
    await page.fill('textarea[name=token]', stack.token);
    await page.click('button:has-text("Se connecter")');
    await page.waitForSelector('h1:has-text("Mes dossiers")');
    const stored = await page.evaluate(() => ({ session: Object.keys(sessionStorage), local: localStorage.length }));
    assert.deepEqual(stored, { session: ['guichet.token'], local: 0 });
    await shot('02-mes-dossiers-vide');
  });

  test('shows the API validation errors next to their fields', async () => {
    await open('#/nouvelle-demande');
    await page.fill('[data-field="person.given_names"]', 'Amina');
    await page.check('[data-field="needs.housing"]');
    await page.click('button:has-text("Envoyer la demande")');
    const birthName = page.locator('[data-field="person.birth_name"]');
    await page.waitForSelector('[data-field="person.birth_name"][aria-invalid="true"]');
    const errorId = (await birthName.getAttribute('aria-describedby')).split(' ').pop();
    assert.match(await page.textContent(`#${errorId}`), /Nom de naissance : obligatoire/);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.field), 'person.birth_name');
    await shot('03-erreur-nom-de-naissance');

    // Consent is never ticked for the référent: a need without it is refused by the hub.
    await birthName.fill('Benali');
    await page.fill('[data-field="person.birth_date"]', '1990-04-12');
    await page.click('button:has-text("Envoyer la demande")');
    await page.waitForSelector('[data-field="consent.housing"][aria-invalid="true"]');
    assert.equal(await page.locator('[data-field="person.birth_name"][aria-invalid]').count(), 0, 'the old error is cleared');
    assert.match(await page.textContent('.field-error'), /Consentement pour « Hébergement \(SIAO\/115\) » : le consentement/);
    await shot('04-erreur-consentement');
  });

  test('creates a case through the form and follows it live as the agencies answer', async () => {
    await fillCase({ needs: ['allowance', 'employment', 'housing'] });
    await shot('05-formulaire-rempli');
    const caseId = await submitAndOpenCase();
    assert.match(caseId, /\S+/);
    for (const need of ['allowance', 'employment', 'housing']) {
      assert.ok(await stateOf(need), `a chip for ${need}`);
    }
    await shot('06-dossier-cree');
    // A marker on the window shows that what follows is the page updating itself, not a reload.
    await page.evaluate(() => { window.notReloaded = true; });
    const caf = await waitForState('allowance', ['acknowledged', 'in_review', 'accepted', 'refused'], 90_000);
    const ft = await waitForState('employment', ['acknowledged', 'in_review', 'accepted', 'refused'], 90_000);
    assert.ok(caf && ft);
    assert.equal(await page.evaluate(() => window.notReloaded), true);
    assert.match(await page.textContent('article[data-need="allowance"] .facts'), /Référence de l'organisme/);
    assert.ok((await page.locator('article[data-need="allowance"] .timeline li').count()) >= 3, 'queued, sent, acknowledged at least');
    await shot('07-dossier-suivi');
    await shot('07-dossier-suivi-tablette', TABLET);

    // Nothing personal was kept by the browser, and the list shows the case with its chips.
    assert.deepEqual(await page.evaluate(() => [Object.keys(sessionStorage), localStorage.length]), [['guichet.token'], 0]);
    await open('#/dossiers');
    await page.waitForSelector(`tr[data-case="${caseId}"] .need-chip`);
    await page.fill('input[type=search]', caseId);
    assert.equal(await page.locator('tbody tr').count(), 1);
    await shot('08-liste');
    await shot('08-liste-tablette', TABLET);
  });

  test('shows an agency question and answers it', async () => {
    // Without a NIR France Travail cannot find the person: the connector asks for it.
    await fillCase({ nir: null, needs: ['employment'] });
    await submitAndOpenCase();
    await waitForState('employment', ['info_requested'], 60_000);
    const question = await page.textContent('article[data-need="employment"] .message');
    assert.match(question, /Question de l'organisme/);
    await page.click('article[data-need="employment"] button:has-text("J\'ai répondu : relancer la demande")');
    // Either the hub takes the answer, or it says why not: never a silent failure.
    await page.waitForSelector('.feedback .notice');
    await shot('09-question-repondue');
  });

  test('answers the CAF in writing when it asks for a missing piece', async () => {
    // A report to the prosecutor does not date the complaint: the simulated CAF asks for it.
    await fillCase({ needs: ['allowance'], proof: 'prosecutor_report' });
    await submitAndOpenCase();
    await waitForState('allowance', ['info_requested'], 60_000);
    const card = 'article[data-need="allowance"]';
    assert.match(await page.textContent(`${card} .message`), /récépissé/);
    // Sent empty, the answer is refused next to its field, before any call.
    await page.click(`${card} button:has-text("Envoyer la réponse")`);
    await page.waitForSelector(`${card} .field-error:has-text("Réponse")`);
    assert.equal(await page.getAttribute(`${card} textarea`, 'aria-invalid'), 'true');
    await page.fill(`${card} textarea`, 'Signalement du 3 novembre au parquet de Pontoise, récépissé n° 2026-1187.');
    await shot('09-reponse-ecrite');
    await page.click(`${card} button:has-text("Envoyer la réponse")`);
    await page.waitForSelector('.feedback .notice:has-text("réponse envoyée")');
    // The CAF takes it, examines the demande again, and decides.
    assert.equal(await waitForState('allowance', ['accepted'], 60_000), 'accepted');
    const timeline = await page.textContent(`${card} .timeline`);
    assert.match(timeline, /Information demandée/);
    await shot('09-reponse-acceptee');
  });

  test('freezes a case and unfreezes it', async () => {
    await page.click('button:has-text("Geler le dossier")');
    await page.waitForSelector('.feedback .notice:has-text("Dossier gelé")');
    await page.waitForSelector('.case-head .chip:has-text("Dossier gelé")');
    await shot('10-gel');
    await page.click('button:has-text("Dégeler le dossier")');
    await page.waitForSelector('.feedback .notice:has-text("Dossier dégelé")');
    assert.equal(await page.locator('.case-head .chip:has-text("Dossier gelé")').count(), 0);
  });

  test('shares the case with a colleague, then stops sharing it', async () => {
    await page.click('button:has-text("Partager le dossier")');
    await page.click('form button:has-text("Partager")');
    await page.waitForSelector('.sharing .field-error:not([hidden])');
    assert.match(await page.textContent('.sharing .field-error'), /Collègue : indiquez l'identifiant/);
    await page.getByLabel('Identifiant du ou de la collègue').fill('collegue-95');
    await page.click('form button:has-text("Partager")');
    await page.waitForSelector('.feedback .notice:has-text("Dossier partagé avec collegue-95")');
    await page.waitForSelector('.sharing li:has-text("collegue-95")');
    await shot('11-partage');
    await page.click('button[aria-label="Ne plus partager avec collegue-95"]');
    await page.waitForSelector(".feedback .notice:has-text(\"n'est plus partagé avec collegue-95\")");
    assert.equal(await page.locator('.sharing li').count(), 0);
  });

  test('keyboard only: Tab to the form, fill it, submit with Enter', async () => {
    await open('#/nouvelle-demande');
    await page.waitForSelector('form.case-form');
    const focused = () => page.evaluate(() => document.activeElement?.dataset.field ?? document.activeElement?.textContent.trim());
    const tabTo = async (wanted) => {
      for (let i = 0; i < 80; i += 1) {
        await page.keyboard.press('Tab');
        if ((await focused()) === wanted) return;
      }
      assert.fail(`Tab never reached ${wanted}`);
    };
    await tabTo('person.given_names');
    // The focus ring is visible on the field the keyboard reached.
    const ring = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    assert.notEqual(ring.style, 'none');
    assert.ok(ring.width >= 2, `focus outline ${ring.width}px`);
    await page.keyboard.type('Nadia');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Martin');
    await tabTo('person.birth_date');
    // Day and month equal: the same keys give the same date whatever the browser's date order.
    await page.keyboard.type('04041991');
    await tabTo('needs.psych_support');
    await page.keyboard.press('Space');
    await tabTo('consent.psych_support');
    await page.keyboard.press('Space');
    await tabTo('Envoyer la demande');
    await shot('11-clavier-avant-envoi');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/dossiers\/.+/, { timeout: 15_000 });
    await page.waitForSelector('article[data-need="psych_support"]');
  });

  test('accessibility: labels, error links, contrast of the chip palette', async () => {
    await open('#/nouvelle-demande');
    await page.waitForSelector('form.case-form');
    for (const box of await page.locator('[data-field^="needs."][type=checkbox]').all()) await box.check();
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML));
    assert.deepEqual(unlabelled, []);

    // Every --tone-X-fg / --tone-X-bg pair of the stylesheet, and the page's own text colours.
    const palette = await page.evaluate(() => {
      const root = getComputedStyle(document.documentElement);
      const names = [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules])
        .filter((rule) => rule.selectorText === ':root')
        .flatMap((rule) => [...rule.style]).filter((name) => /^--tone-.+-fg$/.test(name));
      const value = (name) => root.getPropertyValue(name).trim();
      const pairs = names.map((fg) => [fg.slice(7, -3), value(fg), value(fg.replace(/-fg$/, '-bg'))]);
      pairs.push(['text', value('--text'), value('--page-bg')], ['text-muted', value('--text-muted'), value('--surface')],
        ['text-muted-on-page', value('--text-muted'), value('--page-bg')], ['error', value('--error'), value('--surface')],
        ['header', value('--on-brand'), value('--brand')]);
      return pairs;
    });
    assert.ok(palette.length >= 10, 'the chip tones were found');
    for (const [name, fg, bg] of palette) {
      const ratio = contrast(fg, bg);
      assert.ok(ratio >= 4.5, `${name}: ${fg} on ${bg} has contrast ${ratio.toFixed(2)}, below 4.5`);
    }
    // And as rendered, for every chip on the case list.
    await open('#/dossiers');
    await page.waitForSelector('.chip');
    const chips = await page.evaluate(() => [...document.querySelectorAll('.chip')].map((chip) => {
      const style = getComputedStyle(chip);
      return [chip.textContent, style.color, style.backgroundColor];
    }));
    for (const [label, fg, bg] of chips) {
      assert.ok(label.trim().length > 0, 'a chip says its state in words');
      assert.ok(contrast(fg, bg) >= 4.5, `chip « ${label} »: ${fg} on ${bg}`);
    }
  });

  test('retries a request the hub could not deliver', async () => {
    await cafOutage(3600);
    try {
      await fillCase({ needs: ['allowance'] });
      await submitAndOpenCase();
      try {
        await waitForState('allowance', ['failed'], FAILED_WITHIN_MS);
      } catch {
        assert.fail(`the CAF request was not marked failed within ${FAILED_WITHIN_MS / 1000} s of a CAF outage: `
          + 'the demo configuration\'s retry policy must give up sooner (GUICHET_E2E_FAILED_WITHIN_S to wait longer)');
      }
      assert.match(await page.textContent('article[data-need="allowance"] .message'), /Cause de l'échec/);
      await shot('12-echec-envoi');
    } finally {
      await cafOutage(0);
    }
    await page.click('article[data-need="allowance"] button:has-text("Relancer l\'envoi")');
    await page.waitForSelector('.feedback .notice--success');
    const state = await waitForState('allowance', ['queued', 'sent', 'acknowledged', 'in_review', 'accepted', 'refused'], 30_000);
    assert.notEqual(state, 'failed');
    await shot('13-relance');
  });

  test('shows an agency mail the hub could not match, and files it', async () => {
    await fillCase({ needs: ['housing'] });
    const caseId = await submitAndOpenCase();
    // Written to the hub's bare address, without the request's reference: nothing matches it but
    // its sender, the department's SIAO. Its text carries markup, which must show as text.
    const marker = `Rappel e2e ${Date.now()}`;
    await sendMail({
      from: 'siao95@siao.example.org', to: 'guichet@guichet.local', subject: 'Votre demande',
      text: `Bonjour,\n${marker} : <b>nous rappelons la référente</b> demain.\n`,
    });
    await open('#/courriers');
    const item = page.locator('article.review-item', { hasText: marker });
    await item.waitFor({ timeout: 30_000 });
    assert.match(await item.locator('.mail-text').textContent(), /<b>nous rappelons la référente<\/b>/);
    assert.equal(await item.locator('.mail-text b').count(), 0, 'the mail text is never markup');
    await shot('14-courrier-a-traiter');
    const option = item.locator('select option', { hasText: caseId });
    assert.ok((await option.count()) >= 1, 'the new case is among the requests it can be filed on');
    await item.locator('select').first().selectOption(await option.first().getAttribute('value'));
    await item.locator('select').nth(1).selectOption('info_requested');
    await item.locator('input[type=text]').fill('La SIAO rappelle demain');
    await item.locator('button:has-text("Classer")').click();
    // Filed, or refused with the reason when the SIAO's own answer got there first: never silent.
    await page.waitForFunction((text) => ![...document.querySelectorAll('article.review-item')].some((a) => a.textContent.includes(text))
      || document.querySelector('article.review-item .notice--error'), marker, { timeout: 15_000 });
    await shot('15-courrier-classe');
  });

  test('no script error in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
