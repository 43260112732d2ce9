// languages.test.js: the hosted pages in two languages (issue 25, points 2 and 3), in Debian's
// Chromium. The same pages are walked by a browser that asks for English and by one that asks
// for German (its locale, so its Accept-Language, de-DE): the sign-in page, the challenge page
// and its error, the sign-in methods, adding an authenticator app, the backup codes sheet,
// trusted devices (with the trust date written as the language writes dates), sign-out, the
// email confirmation page and the error page. Each page says its language in <html lang>, is
// in that language's words (the German page differs from the English one and holds no English
// title), has no axe violation under the WCAG 2.2 AA rules and needs no horizontal scrolling
// at 320 CSS pixels (German words are long), and is written to
// build/screenshots/lang-<language>-<page>.png. The walk uses no words: only elements and their
// attributes, so it is the same in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { startTwofold, ssoEntry, launch, totp, SHOTS } from './support.js';

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const PASSWORD = 'correct horse battery staple';
let tf, browser, app;
const titles = { en: {}, de: {} };

before(async () => {
  tf = await startTwofold([], { pagesOnLocalhost: true });
  app = (await tf.api('POST', '/v1/admin/apps', { admin: true, body: {
    name: 'Acme Pay', redirect_uri_prefixes: ['https://partner.example/'] } })).json;
  assert.ok(app.app_id, JSON.stringify(app));
  browser = await launch();
  for (const f of readdirSync(SHOTS)) if (f.startsWith('lang-')) rmSync(join(SHOTS, f));
});

after(async () => {
  await browser?.close();
  await tf?.stop();
});

async function codesTo(to, count) {
  for (let i = 0; i < 400; i++) {
    const codes = tf.messages().filter((m) => m.to === to).map((m) => /\b(\d{6})\b/.exec(m.text)?.[1]).filter(Boolean);
    if (codes.length >= count) return codes;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`fewer than ${count} codes sent to ${to}`);
}

// The page as it is: its language, its words, no axe violation, no sideways scrolling at 320
// px; a screenshot at full width.
async function shoot(page, lang, name) {
  assert.equal(await page.getAttribute('html', 'lang'), lang, `${name} in ${lang}`);
  const title = (await page.textContent('h1')).trim();
  titles[lang][name] = title;
  await page.screenshot({ path: join(SHOTS, `lang-${lang}-${name}.png`), fullPage: true });
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  assert.equal(violations.length, 0, `${name} in ${lang}: ${violations.map((v) => v.id + ': ' + v.help).join('; ')}`);
  await page.setViewportSize({ width: 320, height: 720 });
  const m = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(m.scroll <= m.client, `${name} in ${lang} scrolls sideways at 320 px: ${JSON.stringify(m)}`);
  await page.screenshot({ path: join(SHOTS, `lang-${lang}-${name}-320.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function walk(lang) {
  const context = await browser.newContext({ locale: lang === 'de' ? 'de-DE' : 'en-US', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const phone = lang === 'de' ? '+4915100000001' : '+447700900901';
  const email = `${lang}-walker@example.com`;
  const user = (await tf.api('POST', '/v1/users', { apiKey: app.api_key, body: { email, type: 'sso' } })).json;
  const session = (await tf.api('POST', `/v1/users/${user.user_id}/sessions`, { apiKey: app.api_key, body: {} })).json;
  const f = (await tf.api('POST', '/v1/factors', { apiKey: app.api_key, token: session.token, body: { type: 'sms', phone } })).json;
  const [first] = await codesTo(phone, 1);
  assert.equal((await tf.api('POST', `/v1/factors/${f.factor_id}/verify`, { apiKey: app.api_key, token: session.token, body: { code: first } })).status, 200);

  // the challenge page, a wrong code's error, then the right code
  await page.goto(await ssoEntry(tf, app, user.user_id, '/account/factors', tf.pages));
  assert.equal(new URL(page.url()).pathname, '/challenge');
  await shoot(page, lang, 'challenge');
  const code = (await codesTo(phone, 2)).at(-1);
  await page.fill('#code', code === '000000' ? '111111' : '000000');
  await page.click('form[action="/challenge"] button[type=submit]');
  await page.waitForSelector('#notice');
  await shoot(page, lang, 'challenge-error');
  await page.fill('#code', code);
  await page.check('input[name=trust_device]');
  await page.click('form[action="/challenge"] button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/account/factors');
  await shoot(page, lang, 'sign-in-methods');

  // an authenticator app: its page, then its code
  await page.click('form[action="/account/factors"]:has(input[value=totp]) button[type=submit]');
  await page.waitForSelector('input[name=code]');
  await shoot(page, lang, 'add-authenticator');
  const secret = await page.evaluate(() => document.body.textContent.match(/\b[A-Z2-7]{32}\b/)?.[0]);
  assert.ok(secret, 'the page shows the secret for typing');
  await page.fill('input[name=code]', totp(secret));
  await page.click('form:has(input[name=code]) button[type=submit]');
  await page.waitForURL((u) => u.pathname === '/account/factors');

  // backup codes
  await page.click('form[action="/account/factors"]:has(input[value=backup_codes]) button[type=submit]');
  await page.waitForSelector('ol, ul');
  await shoot(page, lang, 'backup-codes');

  // trusted devices: the date as the language writes it
  await page.goto(tf.pages + '/account/devices');
  await shoot(page, lang, 'trusted-devices');
  const year = String(new Date().getUTCFullYear());
  const dated = await page.evaluate(() => [...document.querySelectorAll('td')].map((td) => td.textContent));
  assert.ok(dated.some((t) => t.includes(year) && t.includes('UTC')), JSON.stringify(dated));
  const month = new Intl.DateTimeFormat(lang, { month: 'short', timeZone: 'UTC' }).format(new Date()).replace('.', '');
  assert.ok(dated.some((t) => t.includes(month)), `${month} in ${JSON.stringify(dated)}`);

  // sign-out, asked (the menu's link carries the CSRF token and signs out at once)
  await page.goto(tf.pages + '/logout');
  await page.waitForSelector('form[action="/logout"]');
  await shoot(page, lang, 'sign-out');

  // the sign-in page and the error page, without a session
  const pages = await context.newPage();
  await pages.goto(tf.pages + `/login?client_id=${app.client_id}`);
  await shoot(pages, lang, 'sign-in');
  await pages.goto(tf.pages + '/sso?client_id=nobody');
  await shoot(pages, lang, 'error');

  // the email confirmation page, from the link a standard user is sent
  const standard = (await tf.api('POST', '/v1/users', { apiKey: app.api_key, body: { email: `${lang}-confirm@example.com` } })).json;
  assert.equal((await tf.api('POST', `/v1/users/${standard.user_id}/send_confirmation`, { apiKey: app.api_key, body: {} })).status, 202);
  let link;
  for (let i = 0; i < 400 && !link; i++) {
    link = tf.messages().filter((m) => m.to === standard.email).map((m) => /(https?:\/\/\S+\/confirm\?\S+)/.exec(m.text)?.[1]).find(Boolean);
    if (!link) await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(link, 'a confirmation link was sent');
  await pages.goto(link);
  await shoot(pages, lang, 'confirm-email');
  await pages.fill('input[type=password] >> nth=0', PASSWORD);
  if (await pages.locator('input[type=password]').count() > 1) await pages.fill('input[type=password] >> nth=1', PASSWORD);
  await context.close();
}

test('the pages in English', async () => {
  await walk('en');
});

test('the same pages in German, each in German words', async () => {
  await walk('de');
  for (const [name, title] of Object.entries(titles.de)) {
    assert.ok(titles.en[name], name);
    assert.notEqual(title, titles.en[name], `${name}: the German page's title is the English one (${title})`);
  }
  // the screenshots of both languages are there
  const shots = readdirSync(SHOTS).filter((f) => f.startsWith('lang-'));
  for (const lang of ['en', 'de'])
    for (const name of Object.keys(titles.de)) assert.ok(shots.includes(`lang-${lang}-${name}.png`), `${lang} ${name}`);
});
