// passkeys.test.js: passkeys on the hosted pages in Debian's Chromium, with the DevTools virtual
// authenticator (a platform authenticator with resident keys and user verification). A user
// signs in with a password, adds a passkey on the sign-in methods page, signs out and signs in
// with the passkey alone (no username, no second factor: user verification proved two
// elements), then passes the challenge page with it, after three refused answers: a bogus
// signature, no user verification, no user presence. On an application that refuses synced
// passkeys, a backed-up credential cannot be registered, and a device-bound one whose flags turn
// to backed up is refused. Every ceremony is judged again by @simplewebauthn/server, which must
// agree with twofold. A payment approved with WebAuthn in the browser, and Secure Payment
// Confirmation: see the last test. Screenshots:
// build/screenshots/passkey-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { join } from 'node:path';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
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
    context, page, auth, ceremonies, known,
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

// signs out on the pages, which return to the application's site (not there: the browser's error page)
async function signOut(b) {
  await b.page.goto(`${tf.pages}/logout`);
  await b.page.click('button:has-text("Sign out")', { noWaitAfter: true });
  for (let i = 0; i < 400 && b.page.url().startsWith(tf.pages); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(!(await b.context.cookies(tf.pages)).some((c) => c.name === 'tf_session'), 'signed out');
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
  assert.equal(b.path(), '/challenge'); // the passkey's form right away: it is the only method
  await b.shot('04-challenge');
  const refusals = [
    [{ bogusSignature: true }, /not accepted\. Number of attempts left: 4\./],
    [{ badUV: true }, /not accepted\. Number of attempts left: 3\./],
    [{ badUP: true }, /not accepted\. Number of attempts left: 2\./],
  ];
  for (const [bits, said] of refusals) {
    await b.auth.override(bits);
    await b.page.click('button:has-text("Use your passkey")');
    // the page before this refusal already shows a notice: wait for the next one's words
    await b.page.waitForFunction((src) => new RegExp(src).test(document.querySelector('.notice-error')?.textContent ?? ''),
      said.source, { timeout: 10000 }).catch(() => {});
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

// Secure Payment Confirmation. Measured on this machine: Debian's Chromium 156 on Linux, headless,
// with a virtual authenticator and Page.setSPCTransactionMode autoAccept, answers
// `new PaymentRequest([{supportedMethods: 'secure-payment-confirmation', ...}]).show()` with
// NotSupportedError ("The payment method ... is not supported"), also with
// --enable-features=SecurePaymentConfirmation and --enable-experimental-web-platform-features:
// this Linux build does not offer SPC at all. So the passkey is made by
// Chromium's virtual authenticator, and the payment.get assertions are built here from the SPC
// specification with Node's crypto and that credential's private key (which DevTools gives).
test('a payment approved with a passkey in the browser; SPC: a payment.get assertion holds only for the amount, payee and instrument shown', async () => {
  const app = await makeApp('Acme Bank', { spc: true });
  const user = (await tf.api('POST', '/v1/users', { apiKey: app.api_key, body: { email: 'sam@example.com', type: 'sso' } })).json;
  const s = (await tf.api('POST', `/v1/users/${user.user_id}/sessions`, { apiKey: app.api_key, body: {} })).json;
  const call = (method, path, body) => tf.api(method, path, { apiKey: app.api_key, token: s.token, body });
  const b = await newBrowser({}, { userVerification: 'required' });
  await b.page.goto(`${tf.pages}/session-expired`); // any page of twofold's origin
  const f = (await call('POST', '/v1/factors', { type: 'passkey' })).json;
  assert.deepEqual(f.webauthn.publicKey.extensions.payment, { isPayment: true });
  await b.page.evaluate(async (o) => {
    const cred = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(o) });
    document.body.dataset.credential = JSON.stringify(cred.toJSON());
  }, f.webauthn.publicKey);
  const registration = JSON.parse(await b.page.getAttribute('body', 'data-credential'));
  assert.equal((await call('POST', `/v1/factors/${f.factor_id}/verify`, { credential: registration })).status, 200);
  await b.agree(true);
  // a payment approved in the browser with WebAuthn itself: the challenge carries the payment's hash
  const payment = { amount: 4999, currency: 'EUR', payee: { name: 'Acme Ltd', account: 'DE89370400440532013000' } };
  const paid = (await call('POST', '/v1/challenges', { purpose: 'transaction', factor_id: f.factor_id, transaction: payment })).json;
  const challengeBytes = Buffer.from(paid.webauthn.publicKey.challenge, 'base64url');
  assert.equal(challengeBytes.subarray(16).toString('hex'), paid.transaction.transaction_hash);
  await b.page.evaluate(async (o) => {
    const cred = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(o) });
    document.body.dataset.assertion = JSON.stringify(cred.toJSON());
  }, paid.webauthn.publicKey);
  const approved = await call('POST', `/v1/challenges/${paid.challenge_id}/verify`,
    { credential: JSON.parse(await b.page.getAttribute('body', 'data-assertion')) });
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  assert.equal(approved.json.authorization.transaction_hash, paid.transaction.transaction_hash);
  await b.agree(true);

  const [cred] = await b.auth.credentials();
  const key = createPrivateKey({ key: Buffer.from(cred.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  let count = cred.signCount;

  // four payments that differ from the one approved, then the right one (five wrong answers in a
  // row would lock the passkey), twice
  const groups = [
    [{ total: { currency: 'EUR', value: '4.99' } }, { total: { currency: 'GBP', value: '49.99' } },
      { payeeName: 'Acme Ltd.' }, { payeeName: 'Acme\u202eLtd' }],
    [{ instrument: { displayName: 'Other Bank' } }, { topOrigin: 'https://shop.example' }, { rpId: 'bank.example' }],
  ];
  for (const group of groups) {
    const ch = (await call('POST', '/v1/challenges', { purpose: 'transaction', factor_id: f.factor_id, transaction: payment })).json;
    const spc = ch.spc;
    assert.deepEqual(spc.total, { currency: 'EUR', value: '49.99' });
    assert.equal(spc.payeeName, 'Acme Ltd');
    assert.deepEqual(spc.credentialIds, [registration.id]);
    // CollectedClientPaymentData (SPC section 4.5): the browser's record of what it showed
    const assertion = (shown) => {
      const clientData = Buffer.from(JSON.stringify({ type: 'payment.get', challenge: spc.challenge, origin: tf.pages,
        crossOrigin: false, payment: { rpId: spc.rpId, topOrigin: tf.pages, payeeName: spc.payeeName, total: spc.total,
          ...shown, instrument: { ...spc.instrument, ...shown.instrument } } }));
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(++count);
      const authData = Buffer.concat([createHash('sha256').update('localhost').digest(), Buffer.from([0x05]), counter]);
      const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientData).digest()]), key);
      return { id: registration.id, rawId: registration.id, type: 'public-key', clientExtensionResults: {},
        response: { clientDataJSON: clientData.toString('base64url'), authenticatorData: authData.toString('base64url'),
          signature: signature.toString('base64url'), userHandle: null } };
    };
    const independent = (response) => verifyAuthenticationResponse({ response, expectedChallenge: spc.challenge,
      expectedOrigin: tf.pages, expectedRPID: 'localhost', expectedType: 'payment.get', requireUserVerification: true,
      credential: { id: registration.id, publicKey: b.known.get(registration.id).publicKey, counter: 0 } });
    for (const shown of group) {
      const a = assertion(shown);
      // a sound WebAuthn assertion (the independent verifier takes it) that shows another payment
      assert.equal((await independent(a)).verified, true);
      const r = await call('POST', `/v1/challenges/${ch.challenge_id}/verify`, { credential: a });
      assert.equal(r.status, 403, JSON.stringify(shown));
      assert.deepEqual([r.json.error.code, r.json.error.reason], ['CREDENTIAL_INVALID', 'payment'], JSON.stringify(shown));
    }
    const right = assertion({});
    assert.equal((await independent(right)).verified, true);
    const r = await call('POST', `/v1/challenges/${ch.challenge_id}/verify`, { credential: right });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.authorization.transaction_hash, ch.transaction.transaction_hash);
  }
  await b.context.close();
});
