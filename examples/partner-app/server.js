// server.js: Acme Market, an example partner of twofold (README.md next to this file).
//
// A seller signs up and signs in here while twofold keeps the user and the password
// (POST /v1/users, POST /v1/login), or signs in with a passkey alone (POST /v1/login/passkey);
// sets up a second factor through twofold's API (a code by text message or by email, an
// authenticator app or a passkey); may change the bank account only when twofold says this
// browser is a trusted device, or after a code or a passkey (seed 000: test the device before a
// sensitive operation, challenge when it is not trusted); and opens twofold's own security pages
// through single sign-on (seed 001). The passkey ceremonies run in passkey.js, the one script of
// the pages, which posts the browser's answer in a form field.
//
// Everything the app itself keeps (its sessions, the sellers' bank accounts) lives in memory:
// a real platform keeps it in its database.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { entryQuery } from 'twofold-signer';
import { twofoldClient, TwofoldError } from './twofold.js';
import { views, STYLE } from './views.js';

const env = process.env;
const HOST = env.HOST ?? '127.0.0.1';
const APP_URL = env.APP_URL ?? 'http://localhost:3000'; // where browsers reach this app
const PORT = Number(env.PORT ?? (new URL(APP_URL).port || 3000));
const TWOFOLD_URL = env.TWOFOLD_URL ?? 'http://127.0.0.1:8420'; // twofold's API, server to server
const TWOFOLD_PUBLIC_URL = env.TWOFOLD_PUBLIC_URL ?? TWOFOLD_URL; // where browsers reach twofold's pages
for (const name of ['TWOFOLD_API_KEY', 'TWOFOLD_CLIENT_ID', 'TWOFOLD_CLIENT_SECRET']) {
  if (!env[name]) {
    console.error(`${name} is not set: create the twofold application first (node setup.js, see README.md)`);
    process.exit(2);
  }
}
const twofold = twofoldClient({ url: TWOFOLD_URL, apiKey: env.TWOFOLD_API_KEY });

const SESSION_COOKIE = 'acme_session';
// twofold's device cookie, stored by this app in the user's browser on this app's domain
const DEVICE_COOKIE = 'acme_tf_device';
const SESSION_IDLE_MS = 30 * 60 * 1000;
const HOSTED_PAGES = ['/account/factors', '/account/devices', '/account'].map((p) => TWOFOLD_PUBLIC_URL + p);

const PASSKEY_JS = readFileSync(new URL('passkey.js', import.meta.url));

const sessions = new Map(); // session id → { csrf, user?, token?, passkeySignIn?, enrolling?, pending?, notice?, seen }
const sellers = new Map(); // twofold user id → { bank: { holder, account } }

// ---- cookies, sessions, answers ----

function cookies(req) {
  const jar = new Map();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return jar;
}

function setCookie(res, name, value, maxAgeSeconds) {
  const attrs = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (APP_URL.startsWith('https:')) attrs.push('Secure');
  if (maxAgeSeconds !== undefined) attrs.push(`Max-Age=${maxAgeSeconds}`); // none: gone when the browser closes
  res.appendHeader('set-cookie', attrs.join('; '));
}

function newSession(res, fields = {}) {
  const s = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), seen: Date.now(), ...fields };
  sessions.set(s.id, s);
  setCookie(res, SESSION_COOKIE, s.id);
  return s;
}

function sessionOf(req, res) {
  const s = sessions.get(cookies(req).get(SESSION_COOKIE));
  if (s && Date.now() - s.seen < SESSION_IDLE_MS) {
    s.seen = Date.now();
    return s;
  }
  return newSession(res);
}

setInterval(() => {
  for (const [id, s] of sessions) if (Date.now() - s.seen >= SESSION_IDLE_MS) sessions.delete(id);
}, 60_000).unref();

// A new session id on every sign-in, so that no one can plant one before it.
function signedIn(res, old, user, token) {
  sessions.delete(old.id);
  return newSession(res, { user: { id: user.user_id, email: user.email, name: user.name }, token });
}

function send(res, page, status = 200) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(String(page));
}

function redirect(res, location) {
  res.writeHead(303, { location });
  res.end();
}

const info = (text) => ({ text });
const problem = (text) => ({ text, error: true });
const takeNotice = (s) => { const n = s.notice; delete s.notice; return n; };

function readForm(req) {
  return new Promise((ok, fail) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; if (body.length > 16384) { req.destroy(); fail(new Error('form too large')); } });
    req.on('end', () => ok(new URLSearchParams(body)));
    req.on('error', fail);
  });
}

// ---- signing up, in and out ----

const FIELD_PROBLEMS = {
  email: 'That email address does not look right.',
  password: 'Choose a password of at least 8 characters.',
  name: 'Please check your name.',
  phone: 'Give the number in international format, such as +447700900123.',
};

async function signUp({ res, session, form }) {
  const email = form.get('email') ?? '', password = form.get('password') ?? '', name = form.get('name') || undefined;
  let user;
  try {
    // twofold keeps the user and an Argon2id hash of the password; this app keeps neither
    user = await twofold.post('/v1/users', { email, password, name, type: 'standard' });
  } catch (e) {
    if (e.code === 'EMAIL_TAKEN') return send(res, views.signup(session, problem('This email has an account already: sign in instead.'), { email, name }), 409);
    if (e.error?.field) return send(res, views.signup(session, problem(FIELD_PROBLEMS[e.error.field] ?? e.error.message), { email, name }), 400);
    throw e;
  }
  // twofold mails a one-time link to its confirmation page (seed 000's typical flow, step 3)
  await twofold.post(`/v1/users/${user.user_id}/send_confirmation`, {});
  const { token } = await twofold.post('/v1/login', { email, password });
  const s = signedIn(res, session, user, token);
  s.notice = info(`Welcome to Acme Market! We sent an email to ${user.email}: follow its link to confirm your address.`);
  redirect(res, '/mfa'); // seed 000: set up the second factor before any payment
}

const localPath = (p) => (p && p.startsWith('/') && !p.startsWith('//') && !p.includes('\\') ? p : '/account');

// The sign-in page: email and password, and "Sign in with a passkey" when the application has
// passkeys. twofold answers a sign-in challenge for any discoverable credential (no
// allowCredentials: the passkey the seller picks names the account); its id stays in this
// session, and the page carries the request options for passkey.js.
async function signinPage(res, session, notice, form, status = 200) {
  let passkey = null;
  try {
    const { challenge_id, webauthn } = await twofold.post('/v1/login/passkey/options', {});
    session.passkeySignIn = challenge_id;
    passkey = { challengeId: challenge_id, options: webauthn.publicKey };
  } catch (e) {
    if (e.code !== 'WEBAUTHN_NOT_CONFIGURED') throw e;
  }
  send(res, views.signin(session, notice, { ...form, passkey }), status);
}

async function signIn({ res, session, form }) {
  const email = form.get('email') ?? '', next = localPath(form.get('next'));
  let login;
  try {
    login = await twofold.post('/v1/login', { email, password: form.get('password') ?? '' });
  } catch (e) {
    if (['INVALID_CREDENTIALS', 'INVALID_FIELD', 'MISSING_FIELD'].includes(e.code)) return signinPage(res, session, problem('Wrong email or password.'), { email, next }, 401);
    if (['RATE_LIMITED', 'LOGIN_LOCKED'].includes(e.code)) return signinPage(res, session, problem(e.error.message), { email, next }, 429);
    throw e;
  }
  const user = await twofold.get(`/v1/users/${login.user_id}`);
  signedIn(res, session, user, login.token);
  redirect(res, next);
}

const PASSKEY_SIGN_IN_PROBLEMS = {
  challenge: 'The sign-in took too long: try again.',
  credential: 'This passkey is not one of an Acme Market account (it may have been removed): sign in with your password.',
};

// The assertion passkey.js posts, for the challenge this session holds (the form's challenge_id
// must be that one; twofold uses a challenge once, right or wrong). twofold answers a session
// as after a password: stepped up when the passkey verified the user (PIN or biometric).
async function signInWithPasskey({ res, session, form }) {
  const challengeId = session.passkeySignIn, next = localPath(form.get('next'));
  delete session.passkeySignIn;
  if (!challengeId || form.get('challenge_id') !== challengeId) return signinPage(res, session, problem('This sign-in page expired: try again.'), { next }, 403);
  const answer = answerOf(form, 'passkey');
  if (!answer) return signinPage(res, session, problem(NO_PASSKEY_ANSWER), { next }, 400);
  let login;
  try {
    login = await twofold.post('/v1/login/passkey', { challenge_id: challengeId, ...answer });
  } catch (e) {
    if (e.code === 'CREDENTIAL_INVALID') {
      const { reason } = e.error;
      return signinPage(res, session, problem(PASSKEY_SIGN_IN_PROBLEMS[reason] ?? `Your passkey's answer did not verify (${reason}): try again, or sign in with your password.`), { next }, 403);
    }
    if (e.code === 'RATE_LIMITED') return signinPage(res, session, problem(e.error.message), { next }, 429);
    if (e.error?.field?.startsWith('credential')) return signinPage(res, session, problem("Your browser's passkey answer was not readable: try again."), { next }, 400);
    throw e;
  }
  const user = await twofold.get(`/v1/users/${login.user_id}`);
  signedIn(res, session, user, login.token);
  redirect(res, next);
}

async function signOut({ res, session }) {
  // ends the twofold token and with it the user's sessions on twofold's hosted pages (seed 001)
  await twofold.post('/v1/logout', {}, { token: session.token }).catch(() => {});
  sessions.delete(session.id);
  setCookie(res, SESSION_COOKIE, '', 0); // the device cookie stays: it belongs to this browser
  redirect(res, '/');
}

// ---- the account page ----

async function deviceStatus(req, userId) {
  const cookie = cookies(req).get(DEVICE_COOKIE);
  if (!cookie) return { trusted: false };
  return twofold.post('/v1/devices/validate', { user_id: userId, cookie });
}

async function account({ req, res, session }) {
  const { id } = session.user, { token } = session;
  const [user, { factors }, device] = await Promise.all([
    twofold.get(`/v1/users/${id}`), twofold.get('/v1/factors', { token }), deviceStatus(req, id)]);
  const active = factors.filter((f) => f.status === 'active');
  send(res, views.account(session, { user, factors: active, device, bank: sellers.get(id)?.bank }, takeNotice(session)));
}

// ---- enrolling a second factor through the API ----

async function hasActiveFactor(session) {
  const { factors } = await twofold.get('/v1/factors', { token: session.token });
  return factors.some((f) => f.status === 'active');
}

// The first factor: any kind. A further one: a passkey or email codes here (other kinds on
// twofold's Security settings pages), after a step-up, as twofold asks.
async function mfaChoose({ res, session, url }) {
  const notice = takeNotice(session);
  if (!await hasActiveFactor(session)) return send(res, views.mfaChoose(session, notice));
  send(res, url.searchParams.get('add') === 'email' ? views.mfaAddEmail(session, notice) : views.mfaAddPasskey(session, notice));
}

// The page a refused enrolment goes back to.
const enrolPage = (body) => (body.type === 'email' ? '/mfa?add=email' : '/mfa');

// What the confirmation page needs of a factor twofold has just created.
function enrolling(factor, body) {
  if (body.type === 'sms') return { type: 'sms', phone: body.phone };
  if (body.type === 'email') return { type: 'email', email: factor.email }; // the address twofold wrote to
  if (body.type === 'totp') return { type: 'totp', secret: factor.totp.secret, qr: factor.totp.qr_png_base64 };
  return { type: 'passkey', name: factor.name, options: factor.webauthn.publicKey }; // what navigator.credentials.create takes
}

async function enrol(res, session, body) {
  let factor;
  try {
    factor = await twofold.post('/v1/factors', body, { token: session.token });
  } catch (e) {
    if (e.code === 'STEP_UP_REQUIRED') { // a further factor: the seller proves it is them with one they have
      return startStepUp(res, session, { action: 'add_factor', body, why: `Adding ${{ passkey: 'a passkey', email: 'email codes' }[body.type] ?? 'a second factor'}`,
        page: '/mfa/stepup' }, () => redirect(res, enrolPage(body)));
    }
    if (e.code === 'WEBAUTHN_NOT_CONFIGURED') session.notice = problem('Passkeys are not set up for Acme Market yet (README.md: APP_URL and setup.js).');
    else if (e.error?.field) session.notice = problem(FIELD_PROBLEMS[e.error.field] ?? e.error.message);
    else if (e.status === 403 || e.status === 409 || e.status === 429) session.notice = problem(e.error.message);
    else throw e;
    return redirect(res, enrolPage(body));
  }
  session.enrolling = { factorId: factor.factor_id, ...enrolling(factor, body) };
  redirect(res, '/mfa/confirm');
}

const enrolSms = ({ res, session, form }) => {
  const phone = (form.get('phone') ?? '').replace(/[\s()-]/g, '');
  return enrol(res, session, { type: 'sms', phone }); // the code goes out now
};

// Codes by email: to the address typed, else (none typed) to the seller's own, which twofold knows.
const enrolEmail = ({ res, session, form }) => {
  const email = (form.get('email') ?? '').trim();
  return enrol(res, session, { type: 'email', ...(email ? { email } : {}) }); // the code goes out now
};

const enrolTotp = ({ res, session }) => enrol(res, session, { type: 'totp' });

// twofold answers the creation options; the confirmation page runs them in the browser
const enrolPasskey = ({ res, session, form }) =>
  enrol(res, session, { type: 'passkey', name: (form.get('name') ?? '').trim() || 'Passkey' });

function mfaConfirm({ res, session }) {
  if (!session.enrolling) return redirect(res, '/mfa');
  send(res, views.mfaConfirm(session, session.enrolling, takeNotice(session)));
}

// What to tell the user about a refused code or passkey answer, and whether the same challenge
// may be tried again.
function refusal(e) {
  const left = e.error.attempts_remaining;
  const remaining = left !== undefined ? ` ${left} attempts left.` : '';
  if (e.code === 'VERIFICATION_CODE_INVALID') return { retry: true, notice: problem(`That code is not right.${remaining}`) };
  if (e.code === 'CREDENTIAL_INVALID') return { retry: true, notice: problem(`Your passkey's answer did not verify (${e.error.reason}).${remaining}`) };
  if (e.code === 'VERIFICATION_CODE_REPLAYED') return { retry: true, notice: problem(e.error.message) };
  if (e.error.field?.startsWith('credential')) return { retry: true, notice: problem("Your browser's passkey answer was not readable: try again.") };
  if (e.status >= 400 && e.status < 500 && e.status !== 401) return { retry: false, notice: problem(e.error.message) };
  throw e;
}

// The answer a verification form carries: the passkey's credential.toJSON() (from passkey.js),
// sent on as it is, or a code. null when the passkey field holds no JSON object.
function answerOf(form, factorType) {
  if (factorType !== 'passkey') return { code: form.get('code') ?? '' };
  try {
    const credential = JSON.parse(form.get('credential') ?? '');
    return credential && typeof credential === 'object' && !Array.isArray(credential) ? { credential } : null;
  } catch {
    return null;
  }
}

const NO_PASSKEY_ANSWER = "Your browser sent no passkey answer: use the button (passkeys need JavaScript).";

async function mfaVerify({ res, session, form }) {
  const { enrolling } = session;
  if (!enrolling) return redirect(res, '/mfa');
  const answer = answerOf(form, enrolling.type);
  if (!answer) {
    session.notice = problem(NO_PASSKEY_ANSWER);
    return redirect(res, '/mfa/confirm');
  }
  try {
    await twofold.post(`/v1/factors/${enrolling.factorId}/verify`, answer, { token: session.token });
  } catch (e) {
    const { retry, notice } = refusal(e);
    session.notice = notice;
    if (!retry) delete session.enrolling;
    return redirect(res, retry ? '/mfa/confirm' : '/mfa');
  }
  delete session.enrolling;
  session.notice = info(enrolling.type === 'passkey' ? 'Your passkey is set up. You can approve sensitive changes with it.'
    : enrolling.type === 'email' ? `Your second factor is set up: we will email a code to ${enrolling.email} before sensitive changes.`
      : 'Your second factor is set up. We will ask for it before sensitive changes.');
  redirect(res, '/account');
}

// ---- step-up: a challenge before a sensitive change (a code, or a passkey) ----

const usable = (f) => f.status === 'active' && f.type !== 'push'; // this app has no push approval page

// A step-up challenge on factorId, else on the seller's preferred factor (named: twofold picks a
// passkey only when named), and the other factors the seller may use instead. For a passkey
// twofold answers the request options for navigator.credentials.get; for SMS and email it sends the code now.
async function stepUpChallenge(session, factorId) {
  const factors = (await twofold.get('/v1/factors', { token: session.token })).factors.filter(usable);
  const factor = factors.find((f) => f.factor_id === factorId) ?? factors.find((f) => f.preferred) ?? factors[0];
  const challenge = await twofold.post('/v1/challenges', { purpose: 'stepup', factor_id: factor?.factor_id }, { token: session.token });
  return {
    challengeId: challenge.challenge_id, factorType: challenge.factor_type, factorName: factor?.name, factorEmail: factor?.email,
    options: challenge.webauthn?.publicKey,
    others: factors.filter((f) => f.factor_id !== challenge.factor_id).map(({ factor_id, type, name, phone, email }) => ({ factor_id, type, name, phone, email })),
  };
}

// The pages of a step-up, each with the page where its change begins again.
const STEP_UP_PAGES = { '/bank/verify': '/bank', '/mfa/stepup': '/mfa' };

// Starts the step-up of pending (action, why, page: one of STEP_UP_PAGES) and shows its page;
// refused (RETRY_IN_15SEC, sends used up, limits): failed(error).
async function startStepUp(res, session, pending, failed) {
  let step;
  try {
    step = await stepUpChallenge(session);
  } catch (e) {
    if (e.status !== 400 && e.status !== 409 && e.status !== 429) throw e;
    session.notice = problem(e.error.message);
    return failed(e);
  }
  session.pending = { ...pending, ...step };
  redirect(res, pending.page);
}

function stepUpPage({ res, session }, page) {
  if (session.pending?.page !== page) return redirect(res, STEP_UP_PAGES[page]);
  send(res, views.challenge(session, session.pending, takeNotice(session)));
}

// "Or use another way": a new challenge on another of the seller's factors.
async function stepUpWith({ res, session, form }) {
  const { pending } = session;
  if (!pending) return redirect(res, '/account');
  const factorId = form.get('factor_id');
  if (pending.others.some((f) => f.factor_id === factorId)) {
    try {
      Object.assign(pending, await stepUpChallenge(session, factorId));
    } catch (e) {
      if (e.status !== 400 && e.status !== 409 && e.status !== 429) throw e;
      session.notice = problem(e.error.message);
    }
  }
  redirect(res, pending.page);
}

// The code or passkey answer of the pending step-up; then the change it was for.
async function stepUpVerify({ res, session, form }, page) {
  const { pending } = session;
  if (pending?.page !== page) return redirect(res, STEP_UP_PAGES[page]);
  const answer = answerOf(form, pending.factorType);
  if (!answer) {
    session.notice = problem(NO_PASSKEY_ANSWER);
    return redirect(res, page);
  }
  let verified;
  try {
    verified = await twofold.post(`/v1/challenges/${pending.challengeId}/verify`,
      { ...answer, trust_device: form.get('trust_device') === '1' }, { token: session.token });
  } catch (e) {
    const { retry, notice } = refusal(e);
    session.notice = notice;
    if (!retry) delete session.pending;
    return redirect(res, retry ? page : STEP_UP_PAGES[page]);
  }
  // The device cookie goes into this browser on this app's domain: for 30 days when the user
  // trusts the device, otherwise for the browser session (twofold ends it after 10 minutes).
  const { device } = verified;
  const maxAge = device.kind === 'persistent' ? Math.floor((Date.parse(device.expires_at) - Date.now()) / 1000) : undefined;
  setCookie(res, DEVICE_COOKIE, device.cookie, maxAge);
  delete session.pending;
  if (pending.action === 'add_factor') return enrol(res, session, pending.body); // the session is stepped up now
  const decision = await authorizeBankChange(session, device.cookie);
  if (decision.decision !== 'allow') throw new Error(`twofold still refuses after the challenge: ${decision.reason}`);
  changeBankAccount(res, session, pending.change);
}

// ---- changing the bank account: a sensitive operation (seed 000) ----

// twofold validates the device cookie (and the session's step-up) and answers allow or challenge_required
async function authorizeBankChange(session, deviceCookie) {
  const decision = await twofold.post('/v1/authorize', {
    user_id: session.user.id, operation: 'change_bank_account', device_cookie: deviceCookie,
  }, { token: session.token });
  console.log(`authorize change_bank_account for ${session.user.id}: ${decision.decision} ${decision.reason}`);
  return decision;
}

function changeBankAccount(res, session, change) {
  sellers.set(session.user.id, { bank: change });
  delete session.pending;
  session.notice = info(`Done: payouts go to the account ending in ${change.account.slice(-4)} from now on.`);
  redirect(res, '/account');
}

async function bankRequest({ req, res, session, form }) {
  const change = { holder: (form.get('holder') ?? '').trim(), account: (form.get('account') ?? '').replace(/\s+/g, '').toUpperCase() };
  if (!change.holder || !/^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$/.test(change.account)) {
    return send(res, views.bank(session, problem('Give the account holder and an IBAN, such as DE89 3704 0044 0532 0130 00.')), 400);
  }
  const decision = await authorizeBankChange(session, cookies(req).get(DEVICE_COOKIE));
  if (decision.decision === 'allow') return changeBankAccount(res, session, change);
  if (decision.reason === 'NO_FACTOR') {
    session.notice = problem('Set up a second factor before you change your bank account.');
    return redirect(res, '/mfa');
  }
  // the user's preferred factor (a code, or a passkey); the page offers the others
  return startStepUp(res, session, { action: 'change_bank_account', change, why: 'Changing your bank account',
    page: '/bank/verify' }, (e) => send(res, views.bank(session, takeNotice(session)), e.status));
}

// ---- twofold's security pages through single sign-on (seed 001) ----

// Also the application's sso_login_url: twofold sends users here (with page=) when its email
// links or an ended hosted session need them signed in again.
async function securitySettings({ res, session, url }) {
  const wanted = url.searchParams.get('page');
  const page = HOSTED_PAGES.includes(wanted) ? wanted : HOSTED_PAGES[0];
  const { token } = await twofold.post('/v1/sso/tokens', { user_id: session.user.id }); // one use, 10 minutes
  const query = entryQuery({ clientId: env.TWOFOLD_CLIENT_ID, clientSecret: env.TWOFOLD_CLIENT_SECRET, token, page,
    redirectUri: `${APP_URL}/account` }); // where twofold's pages send the user back
  redirect(res, `${TWOFOLD_PUBLIC_URL}/sso?${query}`);
}

// ---- routes ----

const routes = {
  'GET /': ({ res, session }) => (session.user ? redirect(res, '/account') : send(res, views.home(session))),
  'GET /style.css': ({ res }) => { res.writeHead(200, { 'content-type': 'text/css' }); res.end(STYLE); },
  'GET /passkey.js': ({ res }) => { res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }); res.end(PASSKEY_JS); },
  'GET /signup': ({ res, session }) => send(res, views.signup(session)),
  'POST /signup': signUp,
  'GET /signin': ({ res, session, url }) => signinPage(res, session, takeNotice(session), { next: url.searchParams.get('next') }),
  'POST /signin': signIn,
  'POST /signin/passkey': signInWithPasskey,
  'POST /signout': signOut,
  'GET /account': account,
  'GET /mfa': mfaChoose,
  'POST /mfa/sms': enrolSms,
  'POST /mfa/email': enrolEmail,
  'POST /mfa/totp': enrolTotp,
  'POST /mfa/passkey': enrolPasskey,
  'GET /mfa/confirm': mfaConfirm,
  'POST /mfa/verify': mfaVerify,
  'GET /bank': ({ res, session }) => send(res, views.bank(session)),
  'POST /bank': bankRequest,
  'GET /bank/verify': (ctx) => stepUpPage(ctx, '/bank/verify'),
  'POST /bank/verify': (ctx) => stepUpVerify(ctx, '/bank/verify'),
  'GET /mfa/stepup': (ctx) => stepUpPage(ctx, '/mfa/stepup'),
  'POST /mfa/stepup': (ctx) => stepUpVerify(ctx, '/mfa/stepup'),
  'POST /stepup/factor': stepUpWith,
  'GET /security': securitySettings,
};
const OPEN = new Set(['GET /', 'GET /style.css', 'GET /passkey.js', 'GET /signup', 'POST /signup', 'GET /signin', 'POST /signin', 'POST /signin/passkey']);

const server = createServer(async (req, res) => {
  res.setHeader('content-security-policy', "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.setHeader('referrer-policy', 'no-referrer'); // an SSO entry URL carries a one-time token
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('cache-control', 'no-store');
  const url = new URL(req.url, APP_URL);
  const key = `${req.method} ${url.pathname}`;
  const session = sessionOf(req, res);
  try {
    const route = routes[key];
    if (!route) return send(res, views.error(session, 'There is no such page.'), 404);
    const form = req.method === 'POST' ? await readForm(req) : null;
    if (form && form.get('csrf') !== session.csrf) return send(res, views.error(session, 'This form expired: go back, reload the page and try again.'), 403);
    if (!OPEN.has(key) && !session.user) return redirect(res, `/signin?next=${encodeURIComponent(url.pathname + url.search)}`);
    await route({ req, res, url, session, form });
  } catch (e) {
    if (e instanceof TwofoldError && e.code === 'INVALID_TOKEN' && session.user) { // twofold ended the user's token
      sessions.delete(session.id);
      newSession(res).notice = info('Your session has ended: please sign in again.');
      return redirect(res, '/signin');
    }
    console.error(`${key}: ${e.stack}`);
    if (!res.headersSent) send(res, views.error(session, 'Please try again in a moment.'), e instanceof TwofoldError ? 502 : 500);
  }
});

server.listen(PORT, HOST, () => console.log(`Acme Market on ${APP_URL} (listening on ${HOST}:${server.address().port}), twofold at ${TWOFOLD_URL}`));
