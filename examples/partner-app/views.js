// views.js: Acme Market's pages, server-rendered HTML. Only the passkey ceremonies need
// JavaScript: one same-origin script (passkey.js) reads the WebAuthn options from the form's
// data-options attribute; every other page works without it. `html` escapes every value it is
// given unless the value is itself the result of `html`.

class Safe {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

const escapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const piece = (v) => (v instanceof Safe ? v.text : Array.isArray(v) ? v.map(piece).join('')
  : v == null || v === false ? '' : String(v).replace(/[&<>"']/g, (c) => escapes[c]));

export const html = (strings, ...values) =>
  new Safe(strings.map((s, i) => s + (i < values.length ? piece(values[i]) : '')).join(''));

export const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f5f6f8; }
header { background: #0b5d4b; color: #fff; padding: .8rem 1.5rem; display: flex; gap: 1.5rem; align-items: center; }
header .brand { font-weight: 700; font-size: 1.2rem; margin-right: auto; }
header a, header button { color: #fff; background: none; border: 0; font: inherit; cursor: pointer; padding: 0; }
main { max-width: 36rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px; }
label { display: block; margin: .8rem 0 .2rem; font-weight: 600; }
label.check { font-weight: normal; }
input[type=text], input[type=email], input[type=password], input[type=tel] { width: 100%; padding: .5rem; font: inherit; box-sizing: border-box; }
button.primary { margin-top: 1rem; background: #0b5d4b; color: #fff; border: 0; border-radius: 4px; padding: .6rem 1.2rem; font: inherit; cursor: pointer; }
.notice { padding: .6rem 1rem; border-radius: 4px; background: #e3f4ee; }
.notice.error { background: #fde8e8; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dt { font-weight: 600; }
img.qr { width: 220px; height: 220px; image-rendering: pixelated; }
code.secret { word-break: break-all; }
.choices { display: flex; gap: 1rem; flex-wrap: wrap; }
.hint { margin: .2rem 0 0; color: #4a5263; font-size: .9rem; }
.others button { background: none; border: 0; color: #0b5d4b; text-decoration: underline; font: inherit; cursor: pointer; padding: 0; }
`;

function layout(title, session, content, notice) {
  const signedIn = session?.user;
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Acme Market</title><link rel="stylesheet" href="/style.css"></head>
<body>
<header><span class="brand">Acme Market</span>${signedIn
    ? html`<a href="/account">My account</a><a href="/security">Security settings</a>
<form method="post" action="/signout">${csrf(session)}<button>Sign out</button></form>`
    : html`<a href="/signin">Sign in</a><a href="/signup">Sign up</a>`}</header>
<main>
<h1>${title}</h1>
${notice ? html`<p class="notice ${notice.error ? 'error' : ''}">${notice.text}</p>` : ''}
${content}
</main>
</body>
</html>`;
}

const csrf = (session) => html`<input type="hidden" name="csrf" value="${session.csrf}">`;

export const views = {
  home: (s) => layout('Sell online with Acme Market', s, html`
<p>Open a shop, take card payments and get paid to your bank account.</p>
<p><a href="/signup">Create your seller account</a> or <a href="/signin">sign in</a>.</p>`),

  signup: (s, notice, form = {}) => layout('Create your seller account', s, html`
<form method="post" action="/signup">${csrf(s)}
<label for="name">Your name</label><input type="text" id="name" name="name" value="${form.name}" required>
<label for="email">Email address</label><input type="email" id="email" name="email" value="${form.email}" required>
<label for="password">Password (at least 8 characters)</label><input type="password" id="password" name="password" required>
<button class="primary">Sign up</button>
</form>`, notice),

  signin: (s, notice, form = {}) => layout('Sign in', s, html`
<form method="post" action="/signin">${csrf(s)}${form.next ? html`<input type="hidden" name="next" value="${form.next}">` : ''}
<label for="email">Email address</label><input type="email" id="email" name="email" value="${form.email}" required>
<label for="password">Password</label><input type="password" id="password" name="password" required>
<button class="primary">Sign in</button>
</form>
${form.passkey ? html`<form method="post" action="/signin/passkey" data-passkey="get" data-options="${JSON.stringify(form.passkey.options)}">${csrf(s)}
<input type="hidden" name="challenge_id" value="${form.passkey.challengeId}">${form.next ? html`<input type="hidden" name="next" value="${form.next}">` : ''}
<input type="hidden" name="credential">
<p>Or, without typing your email, with this device's screen lock, fingerprint or face:</p>
<button class="primary" disabled>Sign in with a passkey</button>
<p class="passkey-status" role="status"></p>
</form>
${passkeyScript}` : ''}`, notice),

  account: (s, { user, factors, device, bank }, notice) => layout('My account', s, html`
<dl>
<dt>Name</dt><dd>${user.name}</dd>
<dt>Email</dt><dd>${user.email} ${user.email_verified ? '(confirmed)' : '(not confirmed yet: look for our email)'}</dd>
<dt>Second factor</dt><dd>${factors.length
    ? factors.map((f) => describeFactor(f)).join(', ')
    : html`none yet. <a href="/mfa">Set one up</a>`}</dd>
<dt>This browser</dt><dd>${device.trusted
    ? `trusted until ${new Date(device.expires_at).toUTCString()}`
    : 'not trusted: we will ask for a code before sensitive changes'}</dd>
<dt>Payouts to</dt><dd>${bank ? `${bank.holder}, account ending in ${bank.account.slice(-4)}` : 'no bank account yet'}</dd>
</dl>
<p><a href="/bank">Change bank account</a></p>
${factors.length ? html`<p><a href="/mfa">Add a passkey</a> (approve changes with this device's screen lock, fingerprint or face)</p>` : ''}
${factors.length && !factors.some((f) => f.type === 'email') ? html`<p><a href="/mfa?add=email">Add email codes</a> (a code by email, no phone needed)</p>` : ''}
<p><a href="/security">Security settings</a> (sign-in methods and trusted devices)</p>`, notice),

  mfaChoose: (s, notice) => layout('Protect your account', s, html`
<p>Before you take payments, choose a second way to prove it is you. We will ask for it before
anything that could send your money elsewhere, such as changing your bank account.</p>
<div class="choices">
<form method="post" action="/mfa/sms">${csrf(s)}
<label for="phone">Mobile number for text messages</label>
<input type="tel" id="phone" name="phone" placeholder="+447700900123" required>
<button class="primary">Text me a code</button>
</form>
${emailForm(s, 'Or codes by email, no phone needed')}
<form method="post" action="/mfa/totp">${csrf(s)}
<label>Or an authenticator app</label>
<button class="primary">Use an authenticator app</button>
</form>
${passkeyNameForm(s, 'Or a passkey on this device')}
</div>`, notice),

  // a further factor, once the seller has one: twofold asks for a step-up first
  mfaAddPasskey: (s, notice) => layout('Add a passkey', s, html`
<p>Your account has a second factor. A passkey lets you approve changes with this device's
screen lock, fingerprint or face, or with a security key, instead of a code.</p>
${passkeyNameForm(s, 'Name it after this device')}
<p>Add or remove other factors in <a href="/security">Security settings</a>.</p>`, notice),

  // email codes as a further factor: twofold asks for a step-up first
  mfaAddEmail: (s, notice) => layout('Add email codes', s, html`
<p>We email you a 6-digit code when a change needs a second factor: use it when your phone is
not at hand, or if you have none.</p>
${emailForm(s, 'Email address for codes')}
<p>Add or remove other factors in <a href="/security">Security settings</a>.</p>`, notice),

  mfaConfirm: (s, enrolling, notice) => (enrolling.type === 'passkey' ? passkeyCreate(s, enrolling, notice) : layout('Confirm your second factor', s, html`
${enrolling.type === 'sms' || enrolling.type === 'email'
    ? html`<p>We sent a 6-digit code to ${enrolling.phone ?? enrolling.email}.</p>`
    : html`<p>Scan this code with your authenticator app, or type the key into it.</p>
<img class="qr" alt="QR code for your authenticator app" src="data:image/png;base64,${enrolling.qr}">
<p>Key: <code class="secret">${enrolling.secret}</code></p>`}
<form method="post" action="/mfa/verify">${csrf(s)}
<label for="code">Code</label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
<button class="primary">Confirm</button>
</form>`, notice)),

  bank: (s, notice) => layout('Change bank account', s, html`
<p>Your payouts go to this account from now on.</p>
<form method="post" action="/bank">${csrf(s)}
<label for="holder">Account holder</label><input type="text" id="holder" name="holder" required>
<label for="account">IBAN</label><input type="text" id="account" name="account" required>
<button class="primary">Change bank account</button>
</form>`, notice),

  // a step-up challenge before a sensitive change (pending.page: where its form posts)
  challenge: (s, pending, notice) => layout("Confirm it's you", s, html`
${pending.factorType === 'passkey' ? html`<p>${pending.why} needs a second factor. Use your passkey${pending.factorName ? ` “${pending.factorName}”` : ''}.</p>
<form method="post" action="${pending.page}" data-passkey="get" data-options="${JSON.stringify(pending.options)}">${csrf(s)}
<input type="hidden" name="credential">
<label class="check"><input type="checkbox" name="trust_device" value="1"> Trust this browser for 30 days</label>
<button class="primary" disabled>Use my passkey</button>
<p class="passkey-status" role="status"></p>
</form>
${passkeyScript}` : html`<p>${pending.why} needs a second factor.
${pending.factorType === 'email' ? `We emailed a code to ${pending.factorEmail ?? 'you'}.`
    : CODE_FROM[pending.factorType] ?? 'We sent a code to your phone.'}</p>
<form method="post" action="${pending.page}">${csrf(s)}
<label for="code">Code</label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
<label class="check"><input type="checkbox" name="trust_device" value="1"> Trust this browser for 30 days</label>
<button class="primary">Verify</button>
</form>`}
${pending.others.length ? html`<div class="others"><p>Or use another way:</p>${pending.others.map((f) => html`
<form method="post" action="/stepup/factor">${csrf(s)}<input type="hidden" name="factor_id" value="${f.factor_id}"><button>${useFactor(f)}</button></form>`)}</div>` : ''}`, notice),

  error: (s, text) => layout('Something went wrong', s, html`<p>${text}</p><p><a href="/">Back to Acme Market</a></p>`),
};

const CODE_FROM = { totp: 'Enter the code your authenticator app shows.', voice: 'We are calling your phone with a code.',
  backup_codes: 'Enter one of your backup codes.' };

function describeFactor(f) {
  const kind = { sms: 'text messages', voice: 'voice calls', totp: 'authenticator app', backup_codes: 'backup codes', push: 'push', passkey: 'passkey',
    email: 'codes by email' }[f.type] ?? f.type;
  if (f.type === 'passkey' && f.name) return `${kind} “${f.name}”`;
  if (f.type === 'email') return `${kind} to ${f.email}`;
  return f.phone ? `${kind} to ${f.phone.slice(0, 3)}…${f.phone.slice(-4)}` : kind;
}

const useFactor = (f) => ({ sms: 'Text me a code', voice: 'Call me with a code', totp: 'Use my authenticator app', passkey: 'Use my passkey',
  email: 'Email me a code' }[f.type] ?? `Use ${describeFactor(f)}`) + (f.type === 'passkey' && f.name ? ` “${f.name}”` : '')
  + (f.phone ? ` at …${f.phone.slice(-4)}` : '') + (f.type === 'email' ? ` at ${f.email}` : '');

// The ceremonies run in passkey.js; without JavaScript the button stays disabled and this says why.
const passkeyScript = html`<noscript><p class="notice error">Passkeys need JavaScript: turn it on for this site, or use another way.</p></noscript>
<script src="/passkey.js" defer></script>`;

// Email codes: to the address typed, or to the seller's own when the field is left empty.
const emailForm = (s, label) => html`<form method="post" action="/mfa/email">${csrf(s)}
<label for="code-email">${label}</label>
<input type="email" id="code-email" name="email" placeholder="${s.user.email}" aria-describedby="code-email-hint">
<p class="hint" id="code-email-hint">Leave it empty to use ${s.user.email}, or type another address.</p>
<button class="primary">Email me codes</button>
</form>`;

const passkeyNameForm = (s, label) => html`<form method="post" action="/mfa/passkey">${csrf(s)}
<label for="passkey-name">${label}</label>
<input type="text" id="passkey-name" name="name" placeholder="My laptop" maxlength="64">
<button class="primary">Add a passkey</button>
</form>`;

const passkeyCreate = (s, enrolling, notice) => layout('Create your passkey', s, html`
<p>Your browser will ask you to create a passkey for Acme Market${enrolling.name ? ` named “${enrolling.name}”` : ''},
with this device's screen lock, fingerprint or face, or with a security key.</p>
<form method="post" action="/mfa/verify" data-passkey="create" data-options="${JSON.stringify(enrolling.options)}">${csrf(s)}
<input type="hidden" name="credential">
<button class="primary" disabled>Create the passkey</button>
<p class="passkey-status" role="status"></p>
</form>
${passkeyScript}
<p><a href="/mfa">Choose another way</a></p>`, notice);
