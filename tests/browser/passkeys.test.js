// passkeys.test.js: passkeys on the hosted pages in Debian's Chromium, with the DevTools virtual
// authenticator (a platform authenticator with resident keys and user verification). A user
// signs in with a password, adds a passkey on the sign-in methods page, signs out and signs in
// with the passkey alone (no username, no second factor: user verification proved two
// elements), then passes the challenge page with it, after three refused answers: a bogus
// signature, no user verification, no user presence. On an application that refuses synced
// passkeys, a backed-up credential cannot be registered, and a device-bound one whose flags turn
// to backed up is refused. Every ceremony is judged again by @simplewebauthn/server, which must
// agree with twofold. Screenshots: build/screenshots/passkey-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTwofold, ssoEntry, launch, SHOTS } from './support.js';
import { addAuthenticator, recordCeremonies, independentVerdict } from './webauthn.js';

const PASSWORD = 'correct horse battery staple';
let tf, browser;

before(async () => {
  tf = await startTwofold([], { pagesOnLocalhost: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await tf?.stop();
});

async function makeApp(name, webauthn) {
  const r = await tf.api('POST', '/v1/admin/apps', { admin: true, body: {
    name, redirect_uri_prefixes: ['https://partner.example/'],
    webauthn: { rp_id: 'localhost', rp_name: name, origins: [tf.pages], ...webauthn } } });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

// A browser with a virtual authenticator whose ceremonies are recorded, and a judge that checks
// the newest one independently against what twofold decided.
async function newBrowser(authOptions, policy) {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const ceremonies = await recordCeremonies(context);
  const page = await context.newPage();
  const auth = await addAuthenticator(page, authOptions);
  const known = new Map();
  let judged = 0;
  return {
    context, page, auth, ceremonies,
    path: () => new URL(page.url()).pathname,
    shot: (name) => page.screenshot({ path: join(SHOTS, `passkey-${name}.png`), fullPage: true }),
    // the ceremonies since the last call, each judged by @simplewebauthn/server
    async agree(twofoldAccepted) {
      for (let i = 0; i < 400 && ceremonies.length === judged; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(ceremonies.length, judged + 1, 'one ceremony ran');
      const c = ceremonies[judged++];
      assert.ok(!c.error, c.error);
      const v = await independentVerdict(c, { rpId: 'localhost', ...policy }, known);
      assert.equal(v.verified, twofoldAccepted, `@simplewebauthn/server: ${v.error ?? 'verified'}; twofold: ${twofoldAccepted ? 'accepted' : 'refused'}`);
      return c;
    },
  };
}

async function signInWithPassword(b, app, email) {
  await b.page.goto(`${tf.pages}/login?client_id=${app.client_id}&next=/account/factors`);
  await b.page.fill('#email', email);
  await b.page.fill('#password', PASSWORD);
  await b.page.click('button:has-text("Sign in")');
}

async function signOut(b) {
  await b.page.goto(`${tf.pages}/logout`);
  await b.page.click('button:has-text("Sign out")');
}

test('add a passkey, sign in with it alone, pass a challenge with it; refused answers are refused by both verifiers', async () => {
  const app = await makeApp('Acme Pay', { user_verification: 'required' });
  const email = 'ada@example.com';
  const user = (await tf.api('POST', '/v1/users', { apiKey: app.api_key, body: { email, password: PASSWORD, type: 'standard' } })).json;
  const b = await newBrowser({}, { userVerification: 'required' });

  // signed in with a password and no factor yet: the methods page offers a passkey
  await signInWithPassword(b, app, email);
  assert.equal(b.path(), '/account/factors');
  await b.page.click('button:has-text("Add a passkey")');
  assert.equal(b.path(), '/account/factors');
  assert.match(await b.page.textContent('main'), /create a passkey for Acme Pay/);
  await b.shot('01-enrol');
  await b.page.click('button:has-text("Create the passkey")');
  await b.page.waitForURL(/added=1/);
  await b.agree(true);
  assert.match(await b.page.textContent('tbody'), /Passkey[^]*Active/);
  await b.shot('02-added');
  const [cred] = await b.auth.credentials();
  assert.ok(cred.isResidentCredential);
  const session = (await tf.api('POST', '/v1/login', { apiKey: app.api_key, body: { email, password: PASSWORD } })).json;
  const factors = (await tf.api('GET', '/v1/factors', { apiKey: app.api_key, token: session.token })).json.factors;
  const passkey = factors.find((f) => f.type === 'passkey');
  assert.equal(passkey.status, 'active');
  assert.equal(passkey.passkey.credential_id, cred.credentialId.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  assert.equal(passkey.passkey.user_verified, true);

  // signed out, then in with the passkey: no email typed, no second factor asked
  await signOut(b);
  await b.page.goto(`${tf.pages}/login?client_id=${app.client_id}&next=/account/devices`);
  await b.shot('03-sign-in');
  await b.page.click('button:has-text("Sign in with a passkey")');
  await b.page.waitForURL((u) => u.pathname === '/account/devices');
  await b.agree(true);
  assert.equal(b.path(), '/account/devices');

  // signed in with the password again: the passkey is the second factor the challenge page asks for
  await signOut(b);
  await signInWithPassword(b, app, email);
  assert.equal(b.path(), '/challenge');
  await b.page.click('button:has-text("Use my passkey")');
  assert.equal(b.path(), '/challenge');
  await b.shot('04-challenge');
  const refusals = [
    [{ bogusSignature: true }, /not accepted\. 4 attempts left/],
    [{ badUV: true }, /not accepted\. 3 attempts left/],
    [{ badUP: true }, /not accepted\. 2 attempts left/],
  ];
  for (const [bits, said] of refusals) {
    await b.auth.override(bits);
    await b.page.click('button:has-text("Use your passkey")');
    await b.page.waitForSelector('.notice-error');
    assert.match(await b.page.textContent('.notice-error'), said);
    await b.agree(false);
    assert.equal(b.path(), '/challenge');
  }
  await b.shot('05-refused');
  await b.auth.override({});
  await b.page.check('input[name=trust_device]');
  await b.page.click('button:has-text("Use your passkey")');
  await b.page.waitForURL(/\/account\/factors$/);
  await b.agree(true);
  const cookies = await b.context.cookies();
  assert.ok(cookies.some((c) => c.name === `tf_device_${app.app_id}`), 'trusted after the passkey');
  await b.context.close();
});

test('an application that refuses synced passkeys: a backed-up credential is refused at registration and at use', async () => {
  const app = await makeApp('Acme Bank', { user_verification: 'required', allow_synced: false });
  const policy = { userVerification: 'required', allowSynced: false };
  const user = (await tf.api('POST', '/v1/users', { apiKey: app.api_key, body: { email: 'lin@example.com', type: 'sso' } })).json;

  // a synced passkey (backup eligible and backed up) is refused
  const synced = await newBrowser({ backupEligible: true, backedUp: true }, policy);
  await synced.page.goto(await ssoEntry(tf, app, user.user_id, '/account/factors', tf.pages));
  await synced.page.click('button:has-text("Add a passkey")');
  await synced.page.click('button:has-text("Create the passkey")');
  await synced.page.waitForSelector('.notice-error');
  assert.match(await synced.page.textContent('.notice-error'), /not accepted/);
  await synced.agree(false);
  await synced.shot('06-synced-refused');
  await synced.context.close();

  // a device-bound one is accepted; when its flags say it was backed up since, it is refused
  const bound = await newBrowser({}, policy);
  await bound.page.goto(await ssoEntry(tf, app, user.user_id, '/account/factors', tf.pages));
  await bound.page.click('button:has-text("Add a passkey")');
  await bound.page.click('button:has-text("Create the passkey")');
  await bound.page.waitForURL(/added=1/);
  await bound.agree(true);
  const [cred] = await bound.auth.credentials();
  await bound.auth.setBackup(cred.credentialId, true, true);
  await bound.page.context().clearCookies();
  await bound.page.goto(await ssoEntry(tf, app, user.user_id, '/account/factors', tf.pages));
  assert.equal(bound.path(), '/challenge');
  await bound.page.click('button:has-text("Use my passkey")');
  await bound.page.click('button:has-text("Use your passkey")');
  await bound.page.waitForSelector('.notice-error');
  assert.match(await bound.page.textContent('.notice-error'), /not accepted/);
  await bound.agree(false);
  assert.equal(bound.path(), '/challenge');
  await bound.context.close();
});

test('without JavaScript the passkey offers stay hidden and every other method still works', async () => {
  const app = await makeApp('Acme Shop', {});
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${tf.pages}/login?client_id=${app.client_id}`);
  assert.equal(await page.isVisible('button:has-text("Sign in with a passkey")'), false);
  assert.equal(await page.isVisible('button:has-text("Sign in")'), true);
  await context.close();
});
