// accessibility.test.js: the hosted pages against WCAG 2.2 AA (issue 25, point 3), in Debian's
// Chromium. Every page in every state (the SSO entry's landings, the challenge page for each
// kind of factor and its errors, the sign-in methods and each enrolment (the email card, its
// error and its confirmation page too), trusted devices,
// sign-out, the expired-session and error pages, /login, /confirm, the passkey pages) is
// audited by axe-core with the WCAG 2.0/2.1/2.2 A and AA rules and must have no violation, and
// must need no horizontal scrolling at 320 and 640 CSS pixels wide (WCAG 1.4.10: 1280 px at
// 400 % and 200 % zoom). Then, with the keyboard alone (Tab, Shift+Tab, Enter, Space and
// typing): the SSO entry, the SMS code with "trust this device", revoking the device, adding an
// authenticator app, making backup codes, signing out, and signing in with a password. Focus is
// visible on every focusable element of a few pages; errors are alerts tied to their fields;
// one-time-code fields carry autocomplete and inputmode. An application with a branding (its logo
// in the header, its primary colour at the 4.5:1 boundary on buttons, links and focus) is audited
// the same way. Screenshots: build/screenshots/a11y-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { startTwofold, ssoEntry, launch, totp, SHOTS } from './support.js';
import { addAuthenticator } from './webauthn.js';

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const PASSWORD = 'correct horse battery staple';
const WIDE = { width: 1280, height: 900 };
let tf, browser, app, n = 0;
const audited = [];

before(async () => {
  tf = await startTwofold(['--login-failures-per-user', '3'], { pagesOnLocalhost: true });
  app = (await tf.api('POST', '/v1/admin/apps', { admin: true, body: {
    name: 'Acme Pay', redirect_uri_prefixes: ['https://partner.example/'], sso_login_url: 'https://partner.example/login',
    webauthn: { rp_id: 'localhost', rp_name: 'Acme Pay', origins: [tf.pages], user_verification: 'required' } } })).json;
  assert.ok(app.app_id, JSON.stringify(app));
  browser = await launch();
  for (const f of readdirSync(SHOTS)) if (f.startsWith('a11y-')) rmSync(join(SHOTS, f));
});

after(async () => {
  await browser?.close();
  await tf?.stop();
});

// --- helpers -------------------------------------------------------------------------------

async function newPage({ passkeys = false } = {}) {
  const context = await browser.newContext({ viewport: WIDE });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  if (passkeys) page.auth = await addAuthenticator(page);
  return page;
}

const path = (page) => new URL(page.url()).pathname;

// An sso user of an application (with an active SMS factor on phone, when given) and the entry
// URL to a page.
async function ssoUser(email, phone, of = app) {
  const user = (await tf.api('POST', '/v1/users', { apiKey: of.api_key, body: { email, type: 'sso' } })).json;
  if (phone) {
    const session = (await tf.api('POST', `/v1/users/${user.user_id}/sessions`, { apiKey: of.api_key, body: {} })).json;
    const f = (await tf.api('POST', '/v1/factors', { apiKey: of.api_key, token: session.token, body: { type: 'sms', phone } })).json;
    const [code] = await codesTo(phone, 1);
    const v = await tf.api('POST', `/v1/factors/${f.factor_id}/verify`, { apiKey: of.api_key, token: session.token, body: { code } });
    assert.equal(v.status, 200);
  }
  return user;
}
const entry = (user, landing, of = app) => ssoEntry(tf, of, user.user_id, landing, tf.pages);

// the six-digit codes sent to `to` (SMS or voice), waiting for at least count of them
async function codesTo(to, count) {
  for (let i = 0; i < 200; i++) {
    const codes = tf.messages().filter((m) => m.to === to).map((m) => /(\d[\d ,.]{4,}\d)/.exec(m.text)?.[1].replace(/\D/g, '')).filter((c) => c && c.length === 6);
    if (codes.length >= count) return codes;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`fewer than ${count} codes sent to ${to}: ${JSON.stringify(tf.messages().filter((m) => m.to === to))}`);
}
const lastCode = async (to, count) => (await codesTo(to, count)).at(-1);

function describe(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.map((nd) => `    ${nd.target.join(' ')}: ${nd.failureSummary?.replace(/\n/g, ' ')}`).join('\n')).join('\n');
}

// The page as it is now: no axe violation under the WCAG 2.2 AA rules, no horizontal scrolling
// at 320 and 640 CSS px, a screenshot at each width.
async function audit(page, name) {
  const label = `${String(++n).padStart(2, '0')}-${name}`;
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  await page.screenshot({ path: join(SHOTS, `a11y-${label}.png`), fullPage: true });
  assert.equal(violations.length, 0, `${name} (${page.url()}):\n${describe(violations)}`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  for (const width of [320, 640]) {
    await page.setViewportSize({ width, height: 720 });
    const m = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    if (width === 320) await page.screenshot({ path: join(SHOTS, `a11y-${label}-320.png`), fullPage: true });
    assert.ok(m.scroll <= m.client, `${name} at ${width} px scrolls sideways: ${JSON.stringify(m)}`);
  }
  await page.setViewportSize(WIDE);
  audited.push(name);
}

// An error notice: an alert, and the fields it concerns marked invalid and described by it.
async function assertFieldError(page, fieldSelector, text) {
  const notice = page.locator('#notice');
  assert.equal(await notice.getAttribute('role'), 'alert');
  assert.match(await notice.textContent(), text);
  const field = page.locator(fieldSelector);
  assert.equal(await field.getAttribute('aria-invalid'), 'true', `${fieldSelector} is marked invalid`);
  assert.deepEqual((await field.getAttribute('aria-describedby')).split(/\s+/), ['notice']);
}

async function assertOneTimeCode(page, inputmode) {
  assert.equal(await page.getAttribute('#code', 'autocomplete'), 'one-time-code');
  assert.equal(await page.getAttribute('#code', 'inputmode'), inputmode);
}

const button = (page, text) => page.locator('button', { hasText: text });

// --- every page, every state ---------------------------------------------------------------

test('axe runs with these rules: a page with known faults has violations', async () => {
  const page = await newPage();
  await page.setContent('<!doctype html><html><title>t</title><body><main><img src="data:,"><p style="color:#aaa;background:#fff">faint</p><input></main></body></html>');
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  assert.deepEqual(violations.map((v) => v.id).sort(), ['color-contrast', 'html-has-lang', 'image-alt', 'label']);
  await page.context().close();
});

test('a user with a phone: challenge states, sign-in methods and each enrolment, trusted devices', async () => {
  const PHONE = '+447700900111', VOICE = '+447700900222';
  const user = await ssoUser('ada@example.com', PHONE);
  const page = await newPage({ passkeys: true });

  // SSO entry: a second factor is owed, so the landing is the challenge page (SMS code)
  await page.goto(await entry(user, '/account/devices'));
  assert.equal(path(page), '/challenge');
  await assertOneTimeCode(page, 'numeric');
  assert.equal(await page.getAttribute('#code', 'aria-invalid'), null, 'no error, nothing marked');
  await audit(page, 'challenge-sms');

  await page.fill('#code', '000000');
  await button(page, 'Verify').click();
  await assertFieldError(page, '#code', /not right\. Number of attempts left: 4\./);
  await audit(page, 'challenge-wrong-code');

  await button(page, 'Send a new code').click(); // the first code went out a moment ago
  assert.match(await page.textContent('#notice'), /Wait 15 seconds/);
  assert.equal(await page.getAttribute('#notice', 'role'), 'alert');
  assert.equal(await page.getAttribute('#code', 'aria-invalid'), null, 'a refused send is no fault of the code field');
  await audit(page, 'challenge-resend-too-soon');

  await page.fill('#code', await lastCode(PHONE, 2));
  await page.check('input[name=trust_device]');
  await button(page, 'Verify').click();
  assert.equal(path(page), '/account/devices');
  assert.ok(await page.locator('tbody tr').count() >= 1);
  await audit(page, 'devices-with-rows');

  await page.goto(tf.pages + '/account/factors');
  await audit(page, 'factors-with-sms');

  // a phone number that is none: the phone field is marked
  await page.fill('#phone', '12');
  await button(page, 'Add this phone').click();
  await assertFieldError(page, '#phone', /country code/);
  await audit(page, 'factors-phone-error');

  // authenticator app: the QR code and key
  await button(page, 'Add an authenticator app').click();
  assert.equal(await page.textContent('h1'), 'Add an authenticator app');
  await assertOneTimeCode(page, 'numeric');
  await audit(page, 'enrol-totp-qr');
  const secret = (await page.textContent('code.secret')).trim();
  await page.fill('#code', '000000');
  await button(page, 'Confirm').click();
  await assertFieldError(page, '#code', /not right/);
  await assertOneTimeCode(page, 'numeric');
  await audit(page, 'enrol-confirm-wrong-code');
  await page.fill('#code', totp(secret));
  await button(page, 'Confirm').click();
  assert.match(await page.textContent('#notice'), /ready/);
  assert.equal(await page.getAttribute('#notice', 'role'), 'status');
  await audit(page, 'factors-added');

  // a phone for voice calls: the confirmation page, left waiting, then confirmed
  await page.fill('#phone', VOICE);
  await page.check('input[name=type][value=voice]');
  await button(page, 'Add this phone').click();
  assert.equal(await page.textContent('h1'), 'Confirm your new sign-in method');
  await assertOneTimeCode(page, 'numeric');
  await audit(page, 'enrol-phone-confirm');
  await page.goto(tf.pages + '/account/factors');
  assert.match(await page.textContent('tbody'), /Waiting for confirmation/);
  await audit(page, 'factors-waiting');
  await page.locator('tbody a', { hasText: 'Confirm' }).click();
  await page.fill('#code', await lastCode(VOICE, 1));
  await button(page, 'Confirm').click();
  assert.match(await page.textContent('#notice'), /ready/);

  // backup codes: the sheet, confirmed with one of them
  await button(page, 'Create backup codes').click();
  assert.equal(await page.textContent('h1'), 'Your backup codes');
  await audit(page, 'enrol-backup-sheet');
  const backup = (await page.locator('ol.codes code').allTextContents()).map((c) => c.trim());
  await page.fill('#code', backup[0]);
  await button(page, 'Confirm').click();

  // a passkey: the enrolment page, then created by the virtual authenticator
  await button(page, 'Add a passkey').click();
  assert.equal(await page.textContent('h1'), 'Add a passkey');
  await audit(page, 'enrol-passkey');
  await button(page, 'Create the passkey').click();
  await page.waitForURL(/added=1/);
  await audit(page, 'factors-all-kinds');

  // the challenge page of each kind, from a new entry (no trusted device in a new browser)
  const other = await newPage({ passkeys: true });
  await other.goto(await entry(user, '/account/factors'));
  const sentAt = Date.now();
  assert.equal(path(other), '/challenge');
  const kinds = [
    ['Use my authenticator app', 'challenge-totp', 'numeric'],
    ['Use a backup code', 'challenge-backup-code', 'text'],
    ['Call my phone ending in 0222', 'challenge-voice', 'numeric'],
  ];
  for (const [offer, name, inputmode] of kinds) {
    if (name === 'challenge-voice') await other.waitForTimeout(Math.max(0, sentAt + 15500 - Date.now())); // one send per 15 s
    const b = button(other, offer);
    assert.equal(await b.count(), 1, `${offer}: ${await other.textContent('main')}`);
    await b.click();
    await assertOneTimeCode(other, inputmode);
    await audit(other, name);
  }
  // a challenge superseded in another tab of the same browser: its code is no longer taken
  await button(other, 'Use my authenticator app').click();
  const tab = await other.context().newPage();
  await tab.goto(tf.pages + '/challenge'); // no challenge named: every method offered
  await button(tab, 'Use my authenticator app').click(); // a new challenge of the same factor
  await other.fill('#code', '123456');
  await button(other, 'Verify').click();
  assert.match(await other.textContent('#notice'), /no longer valid/);
  await audit(other, 'challenge-superseded');
  await tab.close();

  // the passkey's challenge (the virtual authenticator of the first browser holds it), a refused answer
  await page.goto(await entry(user, '/account/factors'));
  const [cred] = await page.auth.credentials();
  assert.ok(cred);
  await page.context().clearCookies();
  await page.goto(await entry(user, '/account/factors'));
  assert.equal(path(page), '/challenge');
  if (await button(page, 'Use your passkey').count() === 0) await button(page, 'passkey').click();
  await audit(page, 'challenge-passkey');
  await page.auth.override({ bogusSignature: true });
  await button(page, 'Use your passkey').click();
  await page.waitForSelector('#notice');
  assert.match(await page.textContent('#notice'), /not accepted/);
  await audit(page, 'challenge-passkey-refused');
  await page.auth.override({});
  await page.context().close();
  await other.context().close();
});

test('a blocked factor, a user without methods, empty lists, sign-out, expired session, error pages', async () => {
  const PHONE = '+447700900333';
  const bob = await ssoUser('bob@example.com', PHONE);
  const page = await newPage();
  await page.goto(await entry(bob, '/account/factors'));
  for (let i = 0; i < 5 && await page.locator('#code').count(); i++) {
    await page.fill('#code', '000000');
    await button(page, 'Verify').click();
  }
  assert.match(await page.textContent('#notice'), /Too many wrong codes/);
  await audit(page, 'challenge-limit');
  const again = button(page, 'Text a code to my phone ending in 0333');
  if (await again.count()) {
    await again.click();
    assert.match(await page.textContent('#notice'), /locked for 15 minutes/);
    await audit(page, 'challenge-factor-blocked');
  }
  await page.context().close();

  // no factor at all: no challenge, empty lists; the challenge page has no method to offer
  const cleo = await ssoUser('cleo@example.com');
  const p = await newPage();
  await p.goto(await entry(cleo, '/account/devices'));
  assert.equal(path(p), '/account/devices');
  assert.match(await p.textContent('tbody'), /No trusted device/);
  await audit(p, 'devices-empty');
  await p.goto(tf.pages + '/account/factors');
  assert.match(await p.textContent('tbody'), /No sign-in method yet/);
  await audit(p, 'factors-empty');
  await p.goto(tf.pages + '/challenge');
  assert.match(await p.textContent('main'), /no sign-in method/);
  await audit(p, 'challenge-no-method');
  await p.goto(tf.pages + '/account/factors/fac_nonexistent');
  assert.equal(await p.textContent('h1') !== '', true);
  await audit(p, 'error-not-found');
  // a form whose CSRF token is not this session's
  await p.goto(tf.pages + '/account/factors');
  await p.evaluate(() => { document.querySelectorAll('input[name=csrf]').forEach((i) => { i.value = '0'.repeat(32); }); });
  await button(p, 'Add an authenticator app').click();
  assert.match(await p.textContent('main'), /CSRF_INVALID/);
  await audit(p, 'error-csrf');
  await p.goto(tf.pages + '/logout');
  await audit(p, 'sign-out');
  await p.goto(tf.pages + '/session-expired');
  await audit(p, 'session-expired');
  await p.goto(tf.pages + '/sso?client_id=nobody');
  await audit(p, 'error-sso-link');
  await p.context().close();
});

test('codes by email: the card and its error, the confirmation page, the challenge page', async () => {
  const una = await ssoUser('una@example.com');
  const page = await newPage();
  await page.goto(await entry(una, '/account/factors'));
  assert.equal(path(page), '/account/factors');
  const card = page.locator('form:has(#email)');
  assert.match(await card.textContent(), /una@example\.com unless you give another address/);
  assert.equal(await page.getAttribute('#email', 'autocomplete'), 'email');
  assert.equal(await page.locator('label[for=email]').count(), 1);
  await audit(page, 'factors-email-card');

  // an address that is none (the browser's own check set aside): the email field is marked
  await page.evaluate(() => { document.querySelector('#email').type = 'text'; });
  await page.fill('#email', 'not an address');
  await button(page, 'Email me a code').click();
  await assertFieldError(page, '#email', /email address like name@example\.com/);
  assert.equal(await page.getAttribute('#phone', 'aria-invalid'), null, 'the phone field is not concerned');
  await audit(page, 'factors-email-error');

  // the user's own address, with the keyboard alone: the confirmation page, then the code emailed
  await page.fill('#email', '');
  await tabTo(page, isButton('Email me a code'));
  await press(page, 'Enter');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Confirm your new sign-in method');
  assert.equal(await page.textContent('h1'), 'Confirm your new sign-in method');
  assert.match(await page.textContent('main'), /We sent a code by email to u\*\*\*@example\.com/);
  await assertOneTimeCode(page, 'numeric');
  await audit(page, 'enrol-email-confirm');
  assert.ok(await page.evaluate(isField('code')), 'the code field has focus on arrival');
  await page.keyboard.type((await tf.codesTo('una@example.com', 1)).at(-1));
  await press(page, 'Enter');
  await page.waitForURL(/added=1/);
  assert.match(await page.textContent('tbody'), /Email to u\*\*\*@example\.com/);
  await page.context().close();

  // the challenge page with a code by email, from a new entry
  const other = await newPage();
  await other.goto(await entry(una, '/account/factors'));
  assert.equal(path(other), '/challenge');
  assert.match(await other.textContent('main'), /u\*\*\*@example\.com/);
  await assertOneTimeCode(other, 'numeric');
  await audit(other, 'challenge-email');
  await other.fill('#code', '000000');
  await button(other, 'Verify').click();
  await assertFieldError(other, '#code', /not right\. Number of attempts left: 4\./);
  await audit(other, 'challenge-email-wrong-code');
  await other.fill('#code', (await tf.codesTo('una@example.com', 2)).at(-1));
  await button(other, 'Verify').click();
  assert.equal(path(other), '/account/factors');
  await other.context().close();
});

test('/login and /confirm in every state; the passkey sign-in', async () => {
  const p = await newPage({ passkeys: true });
  const email = 'dora@example.com';
  await tf.api('POST', '/v1/users', { apiKey: app.api_key, body: { email, password: PASSWORD, type: 'standard' } });
  await p.goto(`${tf.pages}/login?client_id=${app.client_id}&next=/account/factors`);
  assert.equal(await p.isVisible('button:has-text("Sign in with a passkey")'), true);
  await audit(p, 'login');
  await p.fill('#email', email);
  await p.fill('#password', 'wrong password');
  await button(p, 'Sign in').first().click();
  await assertFieldError(p, '#password', /not correct/);
  await audit(p, 'login-wrong-password');
  for (let i = 0; i < 4 && !/Too many/.test(await p.textContent('main')); i++) {
    await p.fill('#password', 'wrong password');
    await button(p, 'Sign in').first().click();
  }
  assert.match(await p.textContent('#notice'), /Too many attempts/);
  assert.equal(await p.getAttribute('#password', 'aria-invalid'), null);
  await audit(p, 'login-rate-limited');
  // a passkey sign-in with no passkey on the authenticator: the script's own alert
  await p.goto(`${tf.pages}/login?client_id=${app.client_id}&next=/account/factors`);
  await p.click('button:has-text("Sign in with a passkey")');
  await p.waitForSelector('[data-passkey-error]:not([hidden])');
  await audit(p, 'login-passkey-none');

  // /confirm: a standard user without a password chooses one; an sso user only confirms
  const link = async (user) => {
    const before = tf.messages().length;
    assert.equal((await tf.api('POST', `/v1/users/${user.user_id}/send_confirmation`, { apiKey: app.api_key })).status, 202);
    for (let i = 0; i < 200; i++) {
      const m = tf.messages().slice(before).map((x) => /(http:\/\/\S+\/confirm\?\S+)/.exec(x.text)?.[1]).find(Boolean);
      if (m) return m.replace(/^http:\/\/[^/]+/, tf.pages);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('no confirmation link');
  };
  const eve = (await tf.api('POST', '/v1/users', { apiKey: app.api_key, body: { email: 'eve@example.com', type: 'standard' } })).json;
  await p.goto(await link(eve));
  await audit(p, 'confirm-set-password');
  await p.fill('#password', 'short12');
  await p.fill('#password2', 'short12');
  await p.evaluate(() => document.querySelectorAll('input[minlength]').forEach((i) => i.removeAttribute('minlength')));
  await button(p, 'Confirm and save').click();
  await assertFieldError(p, '#password', /at least 8/);
  await audit(p, 'confirm-password-too-short');
  await p.fill('#password', PASSWORD);
  await p.fill('#password2', PASSWORD + 'x');
  await button(p, 'Confirm and save').click();
  await assertFieldError(p, '#password2', /not the same/);
  await audit(p, 'confirm-passwords-differ');
  const fay = await ssoUser('fay@example.com');
  await p.goto(await link(fay));
  await audit(p, 'confirm-sso');
  await button(p, 'Confirm my email address').click();
  assert.equal(await p.textContent('h1'), 'Email address confirmed');
  await audit(p, 'confirmed');
  await p.context().close();
});

// --- the keyboard alone ----------------------------------------------------------------------

// Tabs (forward, or backward with Shift+Tab) until the focused element matches what, a
// predicate run in the page on document.activeElement; fails after 40 presses.
async function tabTo(page, what, { back = false } = {}) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await page.evaluate(what)) return;
  }
  throw new Error(`no focusable element matched ${what} on ${page.url()}`);
}
const isButton = (text) => new Function(`const e = document.activeElement; return e && e.tagName === 'BUTTON' && e.textContent.includes(${JSON.stringify(text)});`);
const isField = (id) => new Function(`return document.activeElement && document.activeElement.id === ${JSON.stringify(id)};`);
const isCheckbox = (name) => new Function(`const e = document.activeElement; return e && e.type === 'checkbox' && e.name === ${JSON.stringify(name)};`);
const isLink = (text) => new Function(`const e = document.activeElement; return e && e.tagName === 'A' && e.textContent.includes(${JSON.stringify(text)});`);

// Presses key to sign out and waits for the way back to the partner's site to end: the sign-out
// link's redirect goes there (a site that is not there: the browser shows its own error page);
// after the confirmation form's POST, Chromium holds the redirect back (the pages' CSP has
// form-action 'self', which it applies to the redirect too), and the page stays.
async function signOutWith(page, key) {
  const sent = page.waitForRequest((r) => new URL(r.url()).pathname === '/logout' && (r.method() === 'POST' || r.url().includes('csrf=')));
  await page.keyboard.press(key);
  await sent;
  for (let i = 0; i < 40 && page.url().startsWith(tf.pages + '/account'); i++) await page.waitForTimeout(25);
  await page.waitForTimeout(300);
}

async function press(page, key) {
  await Promise.all([page.waitForLoadState('load'), page.keyboard.press(key)]);
  await page.waitForLoadState('load');
}

test('every flow with the keyboard alone', async () => {
  const PHONE = '+447700900444';
  const user = await ssoUser('gus@example.com', PHONE);
  const page = await newPage();

  // SSO entry, the SMS code, "trust this device" ticked with Space, Enter on Verify
  await page.goto(await entry(user, '/account/devices'));
  assert.equal(path(page), '/challenge');
  assert.ok(await page.evaluate(isField('code')), 'the code field has focus on arrival');
  await page.keyboard.type(await lastCode(PHONE, 1));
  await tabTo(page, isCheckbox('trust_device'));
  await page.keyboard.press('Space');
  assert.equal(await page.isChecked('input[name=trust_device]'), true);
  await tabTo(page, isButton('Verify'));
  await tabTo(page, isCheckbox('trust_device'), { back: true }); // and back again, and forward
  await tabTo(page, isButton('Verify'));
  await press(page, 'Enter');
  await page.waitForURL((u) => u.pathname === '/account/devices');
  const trusted = await page.locator('tr', { hasText: 'Trusted browser' }).count();
  assert.equal(trusted, 1);

  // adding an authenticator app: Tab to the link, then to the button, the code typed
  await tabTo(page, isLink('Sign-in methods'));
  await press(page, 'Enter');
  await page.waitForURL((u) => u.pathname === '/account/factors');
  await tabTo(page, isButton('Add an authenticator app'));
  await press(page, 'Enter');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Add an authenticator app');
  const secret = (await page.textContent('code.secret')).trim();
  await tabTo(page, isField('code'));
  await page.keyboard.type(totp(secret));
  await press(page, 'Enter');
  await page.waitForURL(/added=1/);
  assert.match(await page.textContent('tbody'), /Authenticator app\s*Active/);

  // backup codes: Space on the button, one code typed back
  await tabTo(page, isButton('Create backup codes'));
  await press(page, 'Space');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Your backup codes');
  const code = (await page.locator('ol.codes code').first().textContent()).trim();
  await tabTo(page, isField('code'));
  await page.keyboard.type(code);
  await tabTo(page, isButton('Confirm'));
  await press(page, 'Enter');
  await page.waitForURL(/added=1/);
  assert.match(await page.textContent('tbody'), /Backup codes \(10 left\)/);

  // revoking the trusted device
  await tabTo(page, isLink('Trusted devices'));
  await press(page, 'Enter');
  await page.waitForURL((u) => u.pathname === '/account/devices');
  const removeTrusted = new Function(`const e = document.activeElement; return e && e.tagName === 'BUTTON' && e.closest('tr')?.textContent.includes('Trusted browser');`);
  await tabTo(page, removeTrusted);
  await press(page, 'Enter');
  await page.waitForURL(/removed=1/);
  assert.equal(await page.locator('tr', { hasText: 'Trusted browser' }).count(), 0);

  // signing out: the link, then the confirmation's button
  await tabTo(page, isLink('Sign out'));
  await signOutWith(page, 'Enter');
  await page.goto(tf.pages + '/account/factors');
  assert.match(await page.textContent('h1'), /session has ended/);

  // /login with a password
  const email = 'hana@example.com';
  await tf.api('POST', '/v1/users', { apiKey: app.api_key, body: { email, password: PASSWORD, type: 'standard' } });
  await page.goto(`${tf.pages}/login?client_id=${app.client_id}&next=/account/devices`);
  await tabTo(page, isField('email'));
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(isField('password')));
  await page.keyboard.type(PASSWORD);
  await press(page, 'Enter');
  await page.waitForURL((u) => u.pathname === '/account/devices');
  // the sign-out confirmation page, from the keyboard
  await page.goto(tf.pages + '/logout');
  await tabTo(page, isButton('Sign out'));
  await signOutWith(page, 'Enter');
  await page.goto(tf.pages + '/account/factors');
  assert.match(await page.textContent('h1'), /session has ended/);
  await page.context().close();
});

// Every element Tab reaches on the page shows a focus indicator: its outline or box-shadow
// differs from the unfocused element's.
async function assertFocusVisible(page, name) {
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  const seen = [];
  for (let i = 0, outside = 0; i < 60 && outside < 3; i++) {
    await page.keyboard.press('Tab');
    const r = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      if (e.dataset.focusSeen) return { again: true };
      e.dataset.focusSeen = '1';
      const look = () => { const s = getComputedStyle(e); return `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}|${s.boxShadow}`; };
      const focused = look();
      const s = getComputedStyle(e);
      const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
      e.blur();
      const blurred = look();
      e.focus({ focusVisible: true });
      return { what: `${e.tagName.toLowerCase()} ${e.id || e.name || e.textContent.trim().slice(0, 30)}`, focused, blurred, visible };
    });
    if (r?.again) break;
    if (!r) { outside++; continue; }
    seen.push(r);
    assert.ok(r.visible && r.focused !== r.blurred, `${name}: ${r.what} shows no focus: ${JSON.stringify(r)}`);
  }
  assert.ok(seen.length >= 2, `${name}: Tab reached ${seen.length} elements`);
  await page.screenshot({ path: join(SHOTS, `a11y-focus-${name}.png`), fullPage: true });
  return seen;
}

// An RGB PNG of one colour, width x height (a logo for the branding).
function png(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => { let c = 0xffffffff; for (const x of buf) c = crcTable[(c ^ x) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4), sum = Buffer.alloc(4), body = Buffer.concat([Buffer.from(type), data]);
    len.writeUInt32BE(data.length);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill([r, g, b]).flat())]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(Array(height).fill(row)))), chunk('IEND', Buffer.alloc(0))]);
}

test("an application's branding: its logo and its colour (at the 4.5:1 boundary) on the pages", async () => {
  // #717171 is the lightest grey the pages' background (#f5f7fa) takes at 4.5:1; a logo twelve
  // times wider than high must still fit the header at 320 CSS px
  const BRAND = '#717171';
  const branded = (await tf.api('POST', '/v1/admin/apps', { admin: true, body: {
    name: 'Brand Pay', redirect_uri_prefixes: ['https://partner.example/'],
    branding: { primary_color: BRAND, logo_png_base64: png(1200, 100, [26, 95, 180]).toString('base64') } } })).json;
  assert.equal(branded.branding?.primary_color, BRAND, JSON.stringify(branded));
  const PHONE = '+447700900666';
  const user = await ssoUser('bea@example.com', PHONE, branded);
  const page = await newPage();
  await page.goto(await entry(user, '/account/factors', branded));
  assert.equal(path(page), '/challenge');
  const logo = page.locator('header img.logo');
  assert.equal(await logo.getAttribute('alt'), 'Brand Pay');
  assert.ok(await logo.evaluate((img) => img.complete && img.naturalWidth === 1200), "the logo loads under the pages' CSP");
  assert.equal(await button(page, 'Verify').evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(113, 113, 113)');
  assert.equal(await button(page, 'Send a new code').evaluate((b) => getComputedStyle(b).color), 'rgb(113, 113, 113)');
  await audit(page, 'branded-challenge');
  await page.setViewportSize({ width: 320, height: 720 });
  const box = await logo.boundingBox();
  assert.ok(box.width <= 320 - 40 && box.height > 30, `the logo at 320 px: ${JSON.stringify(box)}`);
  await page.setViewportSize(WIDE);
  await page.fill('#code', await lastCode(PHONE, 1));
  await button(page, 'Verify').click();
  assert.equal(path(page), '/account/factors');
  assert.equal(await page.locator('header nav a').first().evaluate((a) => getComputedStyle(a).color), 'rgb(113, 113, 113)');
  await audit(page, 'branded-factors');
  await page.goto(tf.pages + '/account/devices');
  await audit(page, 'branded-devices');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement).outlineColor), 'rgb(113, 113, 113)');
  await page.context().close();

  // an SVG logo and another colour on the sign-in page
  const svg = (await tf.api('POST', '/v1/admin/apps', { admin: true, body: {
    name: 'Vector Pay', branding: { primary_color: '#1a5fb4',
      logo_svg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 40"><rect width="160" height="40" rx="8" fill="#1a5fb4"/></svg>' } } })).json;
  const p = await newPage();
  await p.goto(`${tf.pages}/login?client_id=${svg.client_id}`);
  assert.ok(await p.locator('header img.logo[alt="Vector Pay"]').evaluate((img) => img.complete && img.naturalWidth > 0));
  await audit(p, 'branded-login-svg');
  await p.context().close();
});

test('focus is visible on every focusable element', async () => {
  const PHONE = '+447700900555';
  const user = await ssoUser('ivy@example.com', PHONE);
  const page = await newPage();
  await page.goto(await entry(user, '/account/factors'));
  const onChallenge = await assertFocusVisible(page, 'challenge');
  assert.ok(onChallenge.some((e) => /^input code/.test(e.what)) && onChallenge.some((e) => /Send a new code/.test(e.what)));
  await page.fill('#code', await lastCode(PHONE, 1));
  await button(page, 'Verify').click();
  await assertFocusVisible(page, 'factors');
  await page.goto(tf.pages + '/account/devices');
  await assertFocusVisible(page, 'devices');
  await page.goto(`${tf.pages}/login?client_id=${app.client_id}`);
  await assertFocusVisible(page, 'login');
  await page.context().close();
});

test('every state above was audited', () => {
  const expected = ['challenge-sms', 'challenge-wrong-code', 'challenge-totp', 'challenge-backup-code', 'challenge-voice',
    'challenge-passkey', 'challenge-superseded', 'challenge-limit', 'challenge-no-method', 'factors-empty', 'factors-with-sms',
    'enrol-totp-qr', 'enrol-phone-confirm', 'enrol-backup-sheet', 'enrol-passkey', 'enrol-confirm-wrong-code',
    'factors-phone-error', 'devices-empty', 'devices-with-rows', 'sign-out', 'session-expired', 'error-not-found',
    'error-csrf', 'login', 'login-wrong-password', 'login-rate-limited', 'confirm-set-password', 'confirm-password-too-short',
    'confirm-passwords-differ', 'confirm-sso', 'confirmed', 'factors-email-card', 'factors-email-error',
    'enrol-email-confirm', 'challenge-email', 'challenge-email-wrong-code', 'branded-challenge', 'branded-factors',
    'branded-devices', 'branded-login-svg'];
  assert.deepEqual(expected.filter((s) => !audited.includes(s)), []);
});
