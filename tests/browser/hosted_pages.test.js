// hosted_pages.test.js: the hosted pages in Debian's Chromium, driven by Playwright, with
// JavaScript turned off in the page (no flow may need it). One user's story, as seed 000
// tells it: the partner sends the user in through an SSO entry URL; the challenge page asks
// for the code sent by SMS (read from the development outbox) and the user ticks "trust this
// device"; the next visit skips the challenge; the user adds an authenticator app from the
// page (the QR code decoded by zbarimg, the code computed from the secret), makes backup codes
// and prints them, adds codes by email to another address, and removes the trusted device,
// after which the challenge is back. An application that enables only some factor types has
// only their cards on the page.
// Screenshots of every page go to build/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTwofold, ssoEntry, launch, totp, decodeQr, SHOTS } from './support.js';

const PHONE = '+447700900456';
let tf, browser, context, page, app, user;
const foreign = [];

before(async () => {
  tf = await startTwofold();
  app = (await tf.api('POST', '/v1/admin/apps', { admin: true, body: {
    name: 'Acme Pay', redirect_uri_prefixes: ['https://partner.example/'], sso_login_url: 'https://partner.example/login' } })).json;
  user = (await tf.api('POST', '/v1/users', { apiKey: app.api_key, body: { email: 'ada@example.com', type: 'sso' } })).json;
  // the partner enrolled the user's phone through the API
  const session = (await tf.api('POST', `/v1/users/${user.user_id}/sessions`, { apiKey: app.api_key, body: {} })).json;
  const f = (await tf.api('POST', '/v1/factors', { apiKey: app.api_key, token: session.token, body: { type: 'sms', phone: PHONE } })).json;
  const [code] = await tf.codesTo(PHONE, 1);
  const v = await tf.api('POST', `/v1/factors/${f.factor_id}/verify`, { apiKey: app.api_key, token: session.token, body: { code } });
  assert.equal(v.status, 200);
  browser = await launch();
  context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 900, height: 900 } });
  page = await context.newPage();
  page.on('request', (r) => { if (!r.url().startsWith(tf.base) && !r.url().startsWith('data:')) foreign.push(r.url()); });
});

after(async () => {
  await browser?.close();
  await tf?.stop();
});

async function shot(name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

function path() {
  return new URL(page.url()).pathname;
}

test('entry URL, challenge page with the SMS code, trust this device', async () => {
  await page.goto(await ssoEntry(tf, app, user.user_id, '/account/devices'));
  assert.equal(path(), '/challenge');
  assert.match(await page.textContent('main'), /ending in 0456/);
  assert.equal(await page.title(), "Confirm it's you · Acme Pay");
  await shot('01-challenge');
  // a wrong code first: the page says so and keeps the form
  await page.fill('#code', '000000');
  await page.click('button:has-text("Verify")');
  assert.match(await page.textContent('.notice-error'), /not right\. Number of attempts left: 4\./);
  await shot('02-challenge-wrong-code');
  const codes = await tf.codesTo(PHONE, 2);
  await page.fill('#code', codes[codes.length - 1]);
  await page.check('input[name=trust_device]');
  await page.click('button:has-text("Verify")');
  assert.equal(path(), '/account/devices');
  const rows = await page.locator('tbody tr').allTextContents();
  assert.equal(rows.length, 1);
  assert.match(rows[0], /Trusted browser\s*These security pages/);
  await shot('03-devices');
  const cookies = await context.cookies();
  const device = cookies.find((c) => c.name === `tf_device_${app.app_id}`);
  assert.ok(device && device.httpOnly && device.expires > Date.now() / 1000 + 29 * 86400, JSON.stringify(cookies));
});

test('coming back later skips the challenge', async () => {
  await page.goto(await ssoEntry(tf, app, user.user_id, '/account/factors'));
  assert.equal(path(), '/account/factors');
  assert.match(await page.textContent('tbody'), /Text message to your phone ending in 0456\s*Active/);
  await shot('04-factors');
});

test('adding an authenticator app from the page: a fresh challenge, the QR code, a code from the secret', async () => {
  await page.click('button:has-text("Add an authenticator app")');
  // a new method while one is active needs a recent challenge: this session had none
  assert.equal(path(), '/challenge');
  await page.click('button:has-text("Text a code to my phone ending in 0456")');
  assert.equal(path(), '/challenge');
  const codes = await tf.codesTo(PHONE, 3);
  await page.fill('#code', codes[codes.length - 1]);
  await page.click('button:has-text("Verify")');
  assert.equal(path(), '/account/factors');
  await page.click('button:has-text("Add an authenticator app")');
  assert.equal(await page.textContent('h1'), 'Add an authenticator app');
  await shot('05-totp-enrol');
  const secret = (await page.textContent('code.secret')).trim();
  const src = await page.getAttribute('img.qr', 'src');
  assert.match(src, /^data:image\/png;base64,/);
  const uri = decodeQr(Buffer.from(src.split(',')[1], 'base64'));
  assert.match(uri, /^otpauth:\/\/totp\//);
  assert.equal(new URL(uri).searchParams.get('secret'), secret);
  assert.equal(new URL(uri).searchParams.get('issuer'), 'Acme Pay');
  const rendered = await page.locator('img.qr').boundingBox();
  assert.ok(rendered.width >= 200, 'the QR image is shown at a scannable size');
  await page.fill('#code', totp(secret));
  await page.click('button:has-text("Confirm")');
  assert.equal(path(), '/account/factors');
  assert.match(await page.textContent('tbody'), /Authenticator app\s*Active/);
  assert.match(await page.textContent('.notice-info'), /ready/);
  await shot('06-factors-with-totp');
});

test('backup codes: the sheet, its print view, confirming with one code', async () => {
  await page.click('button:has-text("Create backup codes")');
  assert.equal(await page.textContent('h1'), 'Your backup codes');
  const codes = (await page.locator('ol.codes code').allTextContents()).map((c) => c.trim());
  assert.equal(codes.length, 10);
  for (const c of codes) assert.match(c, /^[23456789abcdefghjkmnpqrstuvwxyz]{10}$/);
  await shot('07-backup-codes');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top').isVisible(), false, 'the print view leaves out the page furniture');
  assert.equal(await page.locator('form').first().isVisible(), false);
  assert.equal(await page.locator('ol.codes').isVisible(), true);
  await shot('08-backup-codes-print');
  await page.pdf({ path: join(SHOTS, '08-backup-codes-print.pdf'), format: 'A4' });
  await page.emulateMedia({ media: 'screen' });
  await page.fill('#code', codes[0]);
  await page.click('button:has-text("Confirm")');
  assert.equal(path(), '/account/factors');
  assert.match(await page.textContent('tbody'), /Backup codes \(10 left\)\s*Active/);
});

test('codes by email from the page: another address, confirmed with the code emailed', async () => {
  assert.match(await page.textContent('form:has(#email)'), /ada@example\.com unless you give another address/);
  await page.fill('#email', 'ada.work@example.com');
  await page.click('button:has-text("Email me a code")');
  assert.equal(await page.textContent('h1'), 'Confirm your new sign-in method');
  assert.match(await page.textContent('main'), /We sent a code by email to a\*\*\*@example\.com/);
  await shot('08b-email-confirm');
  const [code] = await tf.codesTo('ada.work@example.com', 1);
  await page.fill('#code', code);
  await page.click('button:has-text("Confirm")');
  assert.equal(path(), '/account/factors');
  assert.match(await page.textContent('tbody'), /Email to a\*\*\*@example\.com\s*Active/);
});

test('an application that enables only some types: the page offers only those', async () => {
  const some = (await tf.api('POST', '/v1/admin/apps', { admin: true, body: {
    name: 'Bolt Pay', redirect_uri_prefixes: ['https://partner.example/'], enabled_factor_types: ['totp', 'email'] } })).json;
  assert.deepEqual(some.enabled_factor_types, ['totp', 'email']);
  const bea = (await tf.api('POST', '/v1/users', { apiKey: some.api_key, body: { email: 'bea@example.com', type: 'sso' } })).json;
  const own = await browser.newContext({ javaScriptEnabled: false });
  const p = await own.newPage();
  await p.goto(await ssoEntry(tf, some, bea.user_id, '/account/factors'));
  assert.equal(new URL(p.url()).pathname, '/account/factors');
  assert.equal(await p.locator('button:has-text("Email me a code")').count(), 1);
  assert.equal(await p.locator('button:has-text("Add an authenticator app")').count(), 1);
  assert.equal(await p.locator('#phone').count(), 0);
  assert.equal(await p.locator('button:has-text("backup codes")').count(), 0);
  await p.screenshot({ path: join(SHOTS, '08c-factors-some-types.png'), fullPage: true });
  // a form for a type it does not enable, made by hand, is refused
  const csrf = await p.getAttribute('input[name=csrf]', 'value');
  const r = await own.request.post(tf.base + '/account/factors', { form: { csrf, type: 'sms', phone: '+447700900999' } });
  assert.equal(r.status(), 403);
  assert.match(await r.text(), /does not offer this type/);
  await own.close();
});

test('removing the trusted device brings the challenge back', async () => {
  await page.click('nav >> text=Trusted devices');
  assert.equal(path(), '/account/devices');
  // the trusted browser, and this session's own short-lived one from the step-up
  assert.match(await page.textContent('tbody'), /Browser session/);
  await page.locator('tr', { hasText: 'Trusted browser' }).locator('button:has-text("Remove")').click();
  assert.match(await page.textContent('.notice-info'), /removed/);
  assert.doesNotMatch(await page.textContent('tbody'), /Trusted browser/);
  await shot('09-device-removed');
  await page.goto(await ssoEntry(tf, app, user.user_id, '/account/factors'));
  assert.equal(path(), '/challenge');
});

test('signing out, the expired-session page, the error page', async () => {
  await page.goto(tf.base + '/logout');
  await shot('10-sign-out');
  // back to the partner's site (which is not there: the browser's error page), the session ended
  await page.click('button:has-text("Sign out")', { noWaitAfter: true });
  for (let i = 0; i < 400 && page.url().startsWith(tf.base); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(!page.url().startsWith(tf.base), 'the browser left for the application');
  assert.ok(!(await context.cookies(tf.base)).some((c) => c.name === 'tf_session'), 'signed out');
  await page.goto(tf.base + '/session-expired');
  assert.equal(await page.textContent('h1'), 'Your session has ended');
  await shot('11-session-expired');
  await page.goto(tf.base + '/sso?client_id=nobody');
  assert.equal(await page.textContent('h1'), 'This sign-in link does not work');
  await shot('12-error');
});

test('no page asked for anything outside twofold', () => {
  assert.deepEqual(foreign.filter((u) => !u.startsWith('https://partner.example/')), []);
});
