// partner_app.test.js: Acme Market (examples/partner-app) in Debian's Chromium, in front of a
// real twofold, through seed 000's typical flow: a seller signs up, sets up text messages as the
// second factor (the code read from twofold's development outbox), confirms the email on
// twofold's confirmation page, changes the bank account (a code, "trust this browser"), changes
// it again without a code, still without one after signing out and in, while another browser
// is challenged; then opens Security settings, twofold's hosted pages through SSO, which show
// the factor. A second seller sets up an authenticator app from the QR code instead and does not
// trust the browser. It reuses tests/browser's support (twofold on a free port, Chromium). The app
// runs at http://localhost:PORT and twofold at http://127.0.0.1:PORT, two hosts, so each keeps
// its own cookies as two domains would. Screenshots: build/screenshots/example-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTwofold, launch, totp, decodeQr, SHOTS } from '../../../tests/browser/support.js';
import { startApp, until } from './app.js';

const PHONE = '+447700900123';
const EMAIL = 'grace@example.com';
const PASSWORD = 'correct horse battery staple';
let tf, app, browser, context, page;

before(async () => {
  tf = await startTwofold();
  app = await startApp(tf);
  browser = await launch();
  context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 900, height: 800 } });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  app?.stop();
  await tf?.stop();
  if (/Error|TypeError/.test(app?.log() ?? '')) throw new Error(`the app logged an error:\n${app.log()}`);
});

const shot = (name) => page.screenshot({ path: join(SHOTS, `example-${name}.png`), fullPage: true });
const where = () => { const u = new URL(page.url()); return u.origin === app.url ? u.pathname : u.origin + u.pathname; };
const notice = () => page.textContent('.notice');
const codesSent = () => tf.messages().filter((m) => m.to === PHONE).length;

async function newCode(before) {
  const codes = await tf.codesTo(PHONE, before + 1);
  return codes[codes.length - 1];
}

async function signIn(p) {
  await p.goto(app.url + '/signin');
  await p.fill('#email', EMAIL);
  await p.fill('#password', PASSWORD);
  await p.click('main button:has-text("Sign in")');
}

async function changeBankAccount(p, holder, iban) {
  await p.click('main a:has-text("Change bank account")');
  await p.fill('#holder', holder);
  await p.fill('#account', iban);
  await p.click('main button:has-text("Change bank account")');
}

test('signing up creates the user in twofold, which mails the confirmation link', async () => {
  await page.goto(app.url);
  await shot('01-home');
  await page.click('main a:has-text("Create your seller account")');
  await page.fill('#name', 'Grace Hopper');
  await page.fill('#email', EMAIL);
  await page.fill('#password', PASSWORD);
  await page.click('main button:has-text("Sign up")');
  assert.equal(where(), '/mfa'); // seed 000: the second factor comes before any payment
  assert.match(await notice(), new RegExp(`We sent an email to ${EMAIL}`));
  await shot('02-choose-factor');
  const users = await until('the confirmation email', () => tf.messages().find((m) => m.to === EMAIL));
  assert.match(users.text, /Welcome to Acme Market\./);
});

test('setting up text messages through the API, with the code from the outbox', async () => {
  await page.fill('#phone', PHONE);
  await page.click('button:has-text("Text me a code")');
  assert.equal(where(), '/mfa/confirm');
  assert.match(await page.textContent('main'), /We sent a 6-digit code to \+447700900123/);
  await page.fill('#code', '000000');
  await page.click('button:has-text("Confirm")');
  assert.equal(where(), '/mfa/confirm');
  assert.match(await notice(), /That code is not right\. \d attempts left\./);
  await shot('03-sms-code');
  await page.fill('#code', await newCode(0));
  await page.click('button:has-text("Confirm")');
  assert.equal(where(), '/account');
  assert.match(await notice(), /second factor is set up/);
  assert.match(await page.textContent('dl'), /Second factor\s*text messages to \+44…0123/);
  assert.match(await page.textContent('dl'), /This browser\s*not trusted/);
});

test("confirming the email on twofold's hosted confirmation page", async () => {
  const mail = tf.messages().find((m) => m.to === EMAIL);
  const link = /(http\S+\/confirm\?\S+)/.exec(mail.text)[1];
  await page.goto(link);
  assert.equal(where(), tf.base + '/confirm');
  await shot('04-confirm-email');
  await page.click('button:has-text("Confirm my email address")');
  assert.equal(await page.textContent('h1'), 'Email address confirmed');
  await page.goto(app.url + '/account');
  assert.match(await page.textContent('dl'), /grace@example\.com \(confirmed\)/);
  await shot('05-account');
});

test('changing the bank account: a code by text message, and "trust this browser"', async () => {
  const sent = codesSent();
  await changeBankAccount(page, 'Grace Hopper', 'DE89 3704 0044 0532 0130 00');
  assert.equal(where(), '/bank/verify');
  assert.deepEqual(app.decisions(), ['challenge_required STEP_UP_REQUIRED']);
  assert.match(await page.textContent('main'), /We sent a code to your phone/);
  await shot('06-bank-challenge');
  await page.fill('#code', await newCode(sent));
  await page.check('input[name=trust_device]');
  await page.click('button:has-text("Verify")');
  assert.equal(where(), '/account');
  assert.match(await notice(), /payouts go to the account ending in 3000/);
  assert.deepEqual(app.decisions().slice(1), ['allow TRUSTED_DEVICE']);
  // twofold's device cookie, kept by the app in this browser on its own domain for 30 days
  const device = (await context.cookies(app.url)).find((c) => c.name === 'acme_tf_device');
  assert.ok(device && device.httpOnly && device.expires > Date.now() / 1000 + 29 * 86400, JSON.stringify(device));
  assert.match(device.value, /^tfd1\./);
  assert.match(await page.textContent('dl'), /This browser\s*trusted until/);
  await shot('07-bank-changed');
});

test('changing it again from the trusted browser needs no code', async () => {
  const sent = codesSent();
  await changeBankAccount(page, 'Grace Hopper', 'GB33 BUKB 2020 1555 5555 55');
  assert.equal(where(), '/account');
  assert.match(await notice(), /ending in 5555/);
  assert.equal(app.decisions().at(-1), 'allow TRUSTED_DEVICE');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(codesSent(), sent, 'no code was sent');
  await shot('08-bank-changed-again');
});

test('after signing out and in again the browser is still trusted; another browser is not', async () => {
  await page.click('header button:has-text("Sign out")');
  assert.equal(where(), '/');
  await signIn(page);
  assert.equal(where(), '/account');
  await changeBankAccount(page, 'Grace Hopper', 'FR14 2004 1010 0505 0001 3M02 606');
  assert.equal(where(), '/account');
  assert.equal(app.decisions().at(-1), 'allow TRUSTED_DEVICE');

  const other = await browser.newContext({ javaScriptEnabled: false });
  const p2 = await other.newPage();
  await signIn(p2);
  await changeBankAccount(p2, 'Mallory', 'NL91 ABNA 0417 1643 00');
  assert.equal(new URL(p2.url()).pathname, '/bank/verify');
  assert.equal(app.decisions().at(-1), 'challenge_required STEP_UP_REQUIRED');
  await other.close();
  await page.reload();
  assert.match(await page.textContent('dl'), /account ending in 2606/);
});

test("Security settings: twofold's hosted pages through SSO, signed with the JavaScript signer, show the factor", async () => {
  const sent = codesSent();
  await page.click('header a:has-text("Security settings")');
  // this browser holds no trusted device of the hosted pages (trust is per domain): a challenge first
  assert.equal(where(), tf.base + '/challenge');
  assert.match(await page.textContent('main'), /ending in 0123/);
  assert.equal(await page.title(), "Confirm it's you · Acme Market");
  await shot('09-sso-challenge');
  await page.fill('#code', await newCode(sent));
  await page.click('button:has-text("Verify")');
  assert.equal(where(), tf.base + '/account/factors');
  assert.match(await page.textContent('tbody'), /Text message to your phone ending in 0123\s*Active/);
  await shot('10-sso-factors');
  // signing out of the hosted pages goes back to the app, still signed in there
  await page.click('nav >> text=Sign out');
  assert.equal(where(), '/account');
  assert.match(await page.textContent('dl'), /Grace Hopper/);
});

test('another seller: an authenticator app from the QR code, and a browser left untrusted', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 900, height: 800 } });
  const p = await ctx.newPage();
  await p.goto(app.url + '/signup');
  await p.fill('#name', 'Alan Turing');
  await p.fill('#email', 'alan@example.com');
  await p.fill('#password', PASSWORD);
  await p.click('main button:has-text("Sign up")');
  await p.click('button:has-text("Use an authenticator app")');
  assert.equal(new URL(p.url()).pathname, '/mfa/confirm');
  const secret = (await p.textContent('code.secret')).trim();
  const src = await p.getAttribute('img.qr', 'src');
  const uri = new URL(decodeQr(Buffer.from(src.split(',')[1], 'base64')));
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.searchParams.get('secret'), secret);
  assert.equal(uri.searchParams.get('issuer'), 'Acme Market');
  await p.screenshot({ path: join(SHOTS, 'example-11-totp-enrol.png'), fullPage: true });
  await p.fill('#code', totp(secret));
  await p.click('button:has-text("Confirm")');
  assert.match(await p.textContent('dl'), /Second factor\s*authenticator app/);

  await changeBankAccount(p, 'Alan Turing', 'DE02 1203 0000 0000 2020 51');
  assert.match(await p.textContent('main'), /Enter the code your authenticator app shows/);
  await p.fill('#code', totp(secret, Date.now() + 30_000)); // the next step: a code is never accepted twice
  await p.click('button:has-text("Verify")'); // "trust this browser" left unticked
  assert.match(await p.textContent('.notice'), /ending in 2051/);
  assert.equal(app.decisions().at(-1), 'allow TRUSTED_DEVICE');
  // a cookie of the browser session (twofold trusts it for 10 minutes at most)
  const device = (await ctx.cookies(app.url)).find((c) => c.name === 'acme_tf_device');
  assert.equal(device.expires, -1);
  await ctx.close();
});
