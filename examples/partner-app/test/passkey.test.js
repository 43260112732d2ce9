// passkey.test.js: passkeys in Acme Market (examples/partner-app), through twofold's /v1 API, in
// Debian's Chromium with JavaScript on and a virtual authenticator (DevTools WebAuthn domain,
// tests/browser/webauthn.js). A seller signs up and adds a passkey as the second factor, then
// approves a bank account change with it; a bogus signature and an assertion without user
// verification are refused and change nothing. A second seller, whose first factor is text
// messages, adds a passkey after a step-up with a code and later chooses the passkey instead of
// the code; that browser lacks WebAuthn Level 3's JSON methods, so passkey.js's own conversion
// runs. The first seller signs in again with the passkey alone, no email typed (a discoverable
// credential), after a bogus signature that signed nobody in. Every ceremony is also verified by @simplewebauthn/server, whose verdict must agree with
// twofold's. The app runs at http://localhost:PORT (the RP id "localhost"), twofold at
// http://127.0.0.1:PORT. Screenshots: build/screenshots/example-passkey-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTwofold, launch, SHOTS } from '../../../tests/browser/support.js';
import { addAuthenticator, recordCeremonies, independentVerdict } from '../../../tests/browser/webauthn.js';
import { startApp, until } from './app.js';

const PASSWORD = 'correct horse battery staple';
const POLICY = { rpId: 'localhost', userVerification: 'required' }; // what setup.js gives the application
let tf, app, browser;
const known = new Map(); // the independent verifier's registered credentials

before(async () => {
  tf = await startTwofold();
  app = await startApp(tf);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  app?.stop();
  await tf?.stop();
  if (/Error|TypeError/.test(app?.log() ?? '')) throw new Error(`the app logged an error:\n${app.log()}`);
});

// A browser of its own (JavaScript on), recording its ceremonies, with a virtual authenticator.
async function seller({ withoutJsonMethods = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  const ceremonies = await recordCeremonies(context);
  if (withoutJsonMethods) {
    // a browser before WebAuthn Level 3: no parse*FromJSON, credentials without toJSON() (the
    // recorder, installed first, still reads the real credential's)
    await context.addInitScript(() => {
      delete PublicKeyCredential.parseCreationOptionsFromJSON;
      delete PublicKeyCredential.parseRequestOptionsFromJSON;
      const hide = (cred) => new Proxy(cred, {
        get(target, key) {
          if (key === 'toJSON') return undefined;
          const v = Reflect.get(target, key, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      for (const kind of ['create', 'get']) {
        const inner = navigator.credentials[kind].bind(navigator.credentials);
        navigator.credentials[kind] = async (options) => hide(await inner(options));
      }
    });
  }
  const page = await context.newPage();
  const authenticator = await addAuthenticator(page);
  // twofold's decision on the newest ceremony, and @simplewebauthn/server's on the same one
  const checked = new Set();
  async function agrees(accepted) {
    // the recorder's binding may deliver the record after the navigation the form started
    await until('the ceremony record', () => ceremonies.some((c) => !checked.has(c))).catch(() => {});
    const fresh = ceremonies.filter((c) => !checked.has(c));
    assert.equal(fresh.length, 1, `one new ceremony: ${JSON.stringify(fresh)}`);
    checked.add(fresh[0]);
    assert.equal(fresh[0].origin, app.url);
    const verdict = await independentVerdict(fresh[0], POLICY, known);
    assert.equal(verdict.verified, accepted, `twofold ${accepted ? 'accepted' : 'refused'} it, @simplewebauthn/server: ${JSON.stringify(verdict)}`);
  }
  return { context, page, authenticator, ceremonies, agrees };
}

const path = (p) => new URL(p.url()).pathname;

async function signUp(p, name, email) {
  await p.goto(app.url + '/signup');
  await p.fill('#name', name);
  await p.fill('#email', email);
  await p.fill('#password', PASSWORD);
  await p.click('main button:has-text("Sign up")');
}

async function changeBankAccount(p, holder, iban) {
  await p.click('main a:has-text("Change bank account")');
  await p.fill('#holder', holder);
  await p.fill('#account', iban);
  await p.click('main button:has-text("Change bank account")');
}

// Clicks a passkey form's button: passkey.js runs the ceremony, then submits the form; this
// waits for the page the app answers (a new document, also when it is the same address).
async function usePasskey(p, button, landsOn) {
  await p.evaluate(() => { window.beforeCeremony = true; });
  await p.click(`form[data-passkey] button:has-text("${button}")`);
  await p.waitForFunction(() => !window.beforeCeremony && document.readyState === 'complete');
  assert.equal(path(p), landsOn);
}

const options = async (p) => JSON.parse(await p.getAttribute('form[data-passkey]', 'data-options'));

let ada;

test('the pages allow their one same-origin script and nothing inline', async () => {
  const r = await fetch(app.url + '/');
  assert.match(r.headers.get('content-security-policy'), /(^|; )script-src 'self'(;|$)/);
  assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
  const js = await fetch(app.url + '/passkey.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
});

test('a seller adds a passkey as the second factor', async () => {
  ada = await seller();
  const { page, authenticator, agrees } = ada;
  await signUp(page, 'Ada Lovelace', 'ada@example.com');
  assert.equal(path(page), '/mfa');
  await page.fill('#passkey-name', 'Ada’s laptop');
  await page.click('button:has-text("Add a passkey")');
  assert.equal(path(page), '/mfa/confirm');
  // twofold's creation options, HTML-escaped into the form: the application's relying party
  const o = await options(page);
  assert.deepEqual(o.rp, { id: 'localhost', name: 'Acme Market' });
  assert.equal(o.authenticatorSelection.userVerification, 'required');
  assert.equal(o.user.name, 'ada@example.com');
  assert.equal(await page.evaluate(() => typeof PublicKeyCredential.parseCreationOptionsFromJSON), 'function');
  const raw = await (await ada.context.request.get(app.url + '/mfa/confirm')).text(); // as the app sent it
  assert.match(raw, /data-options="\{&quot;/);
  assert.match(raw, /<script src="\/passkey\.js" defer><\/script>/);
  await page.screenshot({ path: join(SHOTS, 'example-passkey-01-create.png'), fullPage: true });
  await usePasskey(page, 'Create the passkey', '/account');
  await agrees(true);
  assert.match(await page.textContent('.notice'), /Your passkey is set up/);
  assert.match(await page.textContent('dl'), /Second factor\s*passkey “Ada’s laptop”/);
  assert.equal((await authenticator.credentials()).length, 1);
  await page.screenshot({ path: join(SHOTS, 'example-passkey-02-account.png'), fullPage: true });
});

test('a bank account change is approved with the passkey; a bogus signature or no user verification change nothing', async () => {
  const { page, authenticator, context, agrees } = ada;
  await changeBankAccount(page, 'Ada Lovelace', 'DE89 3704 0044 0532 0130 00');
  assert.equal(path(page), '/bank/verify', await page.textContent('main'));
  assert.equal(app.decisions().at(-1), 'challenge_required STEP_UP_REQUIRED');
  assert.match(await page.textContent('main'), /Use your passkey “Ada’s laptop”/);
  assert.equal(await page.locator('#code').count(), 0); // no code box
  const o = await options(page);
  assert.equal(o.rpId, 'localhost');
  assert.equal(o.userVerification, 'required');
  assert.deepEqual(o.allowCredentials.map((c) => c.id), (await authenticator.credentials()).map((c) => c.credentialId.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')));
  await page.screenshot({ path: join(SHOTS, 'example-passkey-03-challenge.png'), fullPage: true });

  await authenticator.override({ bogusSignature: true });
  await usePasskey(page, 'Use my passkey', '/bank/verify');
  await agrees(false);
  assert.match(await page.textContent('.notice'), /Your passkey's answer did not verify \(signature\)\. 4 attempts left\./);
  await page.screenshot({ path: join(SHOTS, 'example-passkey-04-refused.png'), fullPage: true });

  await authenticator.override({ badUV: true });
  await usePasskey(page, 'Use my passkey', '/bank/verify');
  await agrees(false);
  assert.match(await page.textContent('.notice'), /did not verify \(user_verification\)\. 3 attempts left\./);
  assert.ok(!app.decisions().includes('allow TRUSTED_DEVICE'));
  await page.goto(app.url + '/account');
  assert.match(await page.textContent('dl'), /Payouts to\s*no bank account yet/);

  await authenticator.override({});
  await page.goto(app.url + '/bank/verify'); // the same challenge, still open
  await page.check('input[name=trust_device]');
  await usePasskey(page, 'Use my passkey', '/account');
  await agrees(true);
  assert.match(await page.textContent('.notice'), /payouts go to the account ending in 3000/);
  assert.equal(app.decisions().at(-1), 'allow TRUSTED_DEVICE');
  const device = (await context.cookies(app.url)).find((c) => c.name === 'acme_tf_device');
  assert.ok(device && device.httpOnly && device.expires > Date.now() / 1000 + 29 * 86400, JSON.stringify(device));
  await page.screenshot({ path: join(SHOTS, 'example-passkey-05-changed.png'), fullPage: true });
});

test('the seller signs in with the passkey alone, stepped up; a bogus signature signs nobody in', async () => {
  const { page, authenticator, context, agrees } = ada;
  await context.clearCookies({ name: 'acme_tf_device' }); // another day: this browser trusted no more
  await page.click('header button:has-text("Sign out")');
  await page.goto(app.url + '/signin');
  // request options for any of the site's passkeys: none named, the passkey chosen names the seller
  const o = await options(page);
  assert.equal(o.rpId, 'localhost');
  assert.deepEqual(o.allowCredentials ?? [], []);
  await page.screenshot({ path: join(SHOTS, 'example-passkey-07-signin.png'), fullPage: true });

  await authenticator.override({ bogusSignature: true });
  await usePasskey(page, 'Sign in with a passkey', '/signin/passkey');
  await agrees(false);
  assert.match(await page.textContent('.notice'), /Your passkey's answer did not verify \(signature\): try again, or sign in with your password\./);
  assert.equal(await page.locator('header a:has-text("Sign in")').count(), 1); // nobody signed in
  assert.equal((await context.request.get(app.url + '/account', { maxRedirects: 0 })).status(), 303);
  assert.notDeepEqual(await options(page), o); // twofold used that challenge: the page has a new one

  await authenticator.override({});
  assert.equal(await page.locator('#email').inputValue(), ''); // no email typed
  await usePasskey(page, 'Sign in with a passkey', '/account');
  await agrees(true);
  assert.match(await page.textContent('dl'), /Name\s*Ada Lovelace\s*Email\s*ada@example\.com/);
  assert.match(await page.textContent('dl'), /This browser\s*not trusted/);
  // the passkey verified the user (two SCA elements): twofold's session is stepped up, so a
  // sensitive change goes through without a challenge; a sign-in gives no device cookie
  await changeBankAccount(page, 'Ada Lovelace', 'DE89 3704 0044 0532 0130 00');
  assert.equal(path(page), '/account');
  assert.equal(app.decisions().at(-1), 'allow STEPPED_UP');
  assert.match(await page.textContent('.notice'), /payouts go to the account ending in 3000/);
  assert.equal((await context.cookies(app.url)).find((c) => c.name === 'acme_tf_device'), undefined);
  await context.close();
});

test('a seller with text messages adds a passkey after a step-up, and chooses it over a code later', async () => {
  const phone = '+447700900456';
  const { page, context, agrees } = await seller({ withoutJsonMethods: true });
  await signUp(page, 'Charles Babbage', 'charles@example.com');
  assert.equal(await page.evaluate(() => typeof PublicKeyCredential.parseCreationOptionsFromJSON), 'undefined');
  await page.fill('#phone', phone);
  await page.click('button:has-text("Text me a code")');
  await page.fill('#code', (await tf.codesTo(phone, 1))[0]);
  await page.click('button:has-text("Confirm")');
  assert.match(await page.textContent('dl'), /Second factor\s*text messages to \+44…0456/);

  // a further factor needs a step-up: twofold says so, the app asks for a code first
  await page.click('main a:has-text("Add a passkey")');
  assert.equal(await page.textContent('h1'), 'Add a passkey');
  await page.fill('#passkey-name', 'Phone');
  await page.click('button:has-text("Add a passkey")');
  assert.equal(path(page), '/mfa/stepup');
  assert.match(await page.textContent('main'), /Adding a passkey needs a second factor\.\s*We sent a code to your phone\./);
  await page.fill('#code', (await tf.codesTo(phone, 2))[1]);
  await page.click('button:has-text("Verify")');
  assert.equal(path(page), '/mfa/confirm');
  await usePasskey(page, 'Create the passkey', '/account');
  await agrees(true);
  assert.match(await page.textContent('dl'), /Second factor\s*text messages to \+44…0456, passkey “Phone”/);

  // another day: signed in again, the browser's session device gone; text messages stay preferred
  await context.clearCookies({ name: 'acme_tf_device' });
  await page.click('header button:has-text("Sign out")');
  await page.goto(app.url + '/signin');
  await page.fill('#email', 'charles@example.com');
  await page.fill('#password', PASSWORD);
  await page.click('main button:has-text("Sign in")');
  await changeBankAccount(page, 'Charles Babbage', 'GB33 BUKB 2020 1555 5555 55');
  assert.equal(path(page), '/bank/verify');
  assert.match(await page.textContent('main'), /We sent a code to your phone/);
  await page.screenshot({ path: join(SHOTS, 'example-passkey-06-choose.png'), fullPage: true });
  await page.click('.others button:has-text("Use my passkey “Phone”")');
  assert.equal(path(page), '/bank/verify');
  assert.match(await page.textContent('main'), /Use your passkey “Phone”/);
  assert.match(await page.textContent('.others'), /Text me a code at …0456/);
  await usePasskey(page, 'Use my passkey', '/account');
  await agrees(true);
  assert.match(await page.textContent('.notice'), /ending in 5555/);
  assert.equal(app.decisions().at(-1), 'allow TRUSTED_DEVICE');
  await context.close();
});

test('without JavaScript the passkey challenge says why, and another browser is still challenged', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(app.url + '/signin');
  await page.fill('#email', 'ada@example.com');
  await page.fill('#password', PASSWORD);
  await page.click('main button:has-text("Sign in")');
  await changeBankAccount(page, 'Mallory', 'NL91 ABNA 0417 1643 00');
  assert.equal(path(page), '/bank/verify');
  assert.equal(app.decisions().at(-1), 'challenge_required STEP_UP_REQUIRED');
  assert.ok(await page.isDisabled('form[data-passkey] button'));
  assert.match(await page.textContent('main'), /Passkeys need JavaScript/);
  // the form posted anyway carries no passkey answer: the app sends nothing to twofold
  const csrf = await page.getAttribute('input[name=csrf]', 'value');
  const r = await context.request.post(app.url + '/bank/verify', { form: { csrf, credential: '' }, maxRedirects: 0 });
  assert.equal(r.status(), 303);
  await page.reload();
  assert.match(await page.textContent('.notice'), /Your browser sent no passkey answer/);
  await page.goto(app.url + '/account');
  assert.match(await page.textContent('dl'), /account ending in 3000/);
  await context.close();
});
