// email.test.js: Acme Market's email codes (issue 25) in Debian's Chromium with JavaScript off, in
// front of a real twofold: a seller signs up and sets up codes by email to her own address (the
// field left empty) as the second factor; she changes the bank account approving with a code from
// the email, after a wrong one was refused with the attempts left shown, and trusts the browser.
// A seller with text messages adds email codes to another address (a step-up by text message
// first), and approves a change with an emailed code chosen under "Or use another way" (once 15
// seconds have passed since the text message). Codes are
// read from the text part of the emails in twofold's development outbox. Screenshots:
// build/screenshots/example-email-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTwofold, launch, SHOTS } from '../../../tests/browser/support.js';
import { startApp, emailCodesTo } from './app.js';

const EMAIL = 'katherine@example.com';
const PASSWORD = 'correct horse battery staple';
let tf, app, browser;

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

const shot = (p, name) => p.screenshot({ path: join(SHOTS, `example-email-${name}.png`), fullPage: true });
const path = (p) => new URL(p.url()).pathname;
const notice = (p) => p.textContent('.notice');

async function newPage() {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 900, height: 800 } });
  return { context, page: await context.newPage() };
}

async function signUp(p, name, email) {
  await p.goto(app.url + '/signup');
  await p.fill('#name', name);
  await p.fill('#email', email);
  await p.fill('#password', PASSWORD);
  await p.click('main button:has-text("Sign up")');
  assert.equal(path(p), '/mfa');
}

async function changeBankAccount(p, holder, iban) {
  await p.click('main a:has-text("Change bank account")');
  await p.fill('#holder', holder);
  await p.fill('#account', iban);
  await p.click('main button:has-text("Change bank account")');
}

async function newEmailedCode(address, before) {
  const codes = await emailCodesTo(tf, address, before + 1);
  return codes.at(-1);
}

const emailedCodes = (address) => tf.messages().filter((m) => m.to === address && /your code is \d{6}\./.test(m.text ?? '')).length;

test('a seller sets up email codes to her own address, and approves a bank account change with one', async () => {
  const { context, page } = await newPage();
  await signUp(page, 'Katherine Johnson', EMAIL);
  // the choice beside text messages, an authenticator app and a passkey; her address by default
  assert.match(await page.textContent('main'), /Leave it empty to use katherine@example\.com, or type another address\./);
  assert.equal(await page.getAttribute('#code-email', 'type'), 'email');
  await shot(page, '01-choose-factor');
  await page.click('button:has-text("Email me codes")');
  assert.equal(path(page), '/mfa/confirm');
  assert.match(await page.textContent('main'), /We sent a 6-digit code to katherine@example\.com\./);
  await shot(page, '02-confirm');
  const [mail] = tf.messages().filter((m) => m.to === EMAIL && m.channel === 'email' && /your code is/.test(m.text));
  assert.equal(mail.subject, 'Acme Market: your verification code');
  await page.fill('#code', await newEmailedCode(EMAIL, 0));
  await page.click('button:has-text("Confirm")');
  assert.equal(path(page), '/account');
  assert.match(await notice(page), /second factor is set up: we will email a code to katherine@example\.com/);
  assert.match(await page.textContent('dl'), /Second factor\s*codes by email to katherine@example\.com/);
  assert.equal(await page.locator('main a:has-text("Add email codes")').count(), 0); // she has them
  await shot(page, '03-account');

  // the bank account change: twofold challenges this untrusted browser, and emails the code
  const sent = emailedCodes(EMAIL);
  await changeBankAccount(page, 'Katherine Johnson', 'DE89 3704 0044 0532 0130 00');
  assert.equal(path(page), '/bank/verify');
  assert.deepEqual(app.decisions(), ['challenge_required STEP_UP_REQUIRED']);
  assert.match(await page.textContent('main'), /Changing your bank account needs a second factor\.\s*We emailed a code to katherine@example\.com\./);
  await shot(page, '04-bank-challenge');
  const code = await newEmailedCode(EMAIL, sent);
  await page.fill('#code', code === '000000' ? '111111' : '000000');
  await page.click('button:has-text("Verify")');
  assert.equal(path(page), '/bank/verify');
  assert.match(await notice(page), /That code is not right\. 4 attempts left\./);
  await shot(page, '05-wrong-code');
  await page.fill('#code', code);
  await page.check('input[name=trust_device]');
  await page.click('button:has-text("Verify")');
  assert.equal(path(page), '/account');
  assert.match(await notice(page), /payouts go to the account ending in 3000/);
  assert.deepEqual(app.decisions().slice(1), ['allow TRUSTED_DEVICE']);
  const device = (await context.cookies(app.url)).find((c) => c.name === 'acme_tf_device');
  assert.ok(device && device.httpOnly && device.expires > Date.now() / 1000 + 29 * 86400, JSON.stringify(device));
  assert.match(await page.textContent('dl'), /This browser\s*trusted until/);
  await shot(page, '06-bank-changed');

  // the trusted browser changes it again with no email sent
  const count = emailedCodes(EMAIL);
  await changeBankAccount(page, 'Katherine Johnson', 'GB33 BUKB 2020 1555 5555 55');
  assert.match(await notice(page), /ending in 5555/);
  assert.equal(app.decisions().at(-1), 'allow TRUSTED_DEVICE');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(emailedCodes(EMAIL), count, 'no code was emailed');
  await context.close();
});

test('a seller with text messages adds email codes to another address, and chooses them for a change', async () => {
  const PHONE = '+447700900456', OTHER = 'dorothy.codes@example.org';
  const { context, page } = await newPage();
  await signUp(page, 'Dorothy Vaughan', 'dorothy@example.com');
  await page.fill('#phone', PHONE);
  await page.click('button:has-text("Text me a code")');
  await page.fill('#code', (await tf.codesTo(PHONE, 1))[0]);
  await page.click('button:has-text("Confirm")');
  assert.equal(path(page), '/account');

  // a further factor: twofold asks for a step-up (by text message) before it adds email codes
  await page.click('main a:has-text("Add email codes")');
  assert.equal(await page.textContent('h1'), 'Add email codes');
  await page.fill('#code-email', 'Dorothy.Codes@Example.ORG');
  await shot(page, '07-add-email');
  await page.click('button:has-text("Email me codes")');
  assert.equal(path(page), '/mfa/stepup');
  assert.match(await page.textContent('main'), /Adding email codes needs a second factor\.\s*We sent a code to your phone\./);
  await page.fill('#code', (await tf.codesTo(PHONE, 2))[1]);
  await page.click('button:has-text("Verify")');
  assert.equal(path(page), '/mfa/confirm');
  assert.match(await page.textContent('main'), /We sent a 6-digit code to dorothy\.codes@example\.org\./); // as twofold keeps it
  await page.fill('#code', await newEmailedCode(OTHER, 0));
  await page.click('button:has-text("Confirm")');
  assert.equal(path(page), '/account');
  assert.match(await page.textContent('dl'), /Second factor\s*text messages to \+44…0456, codes by email to dorothy\.codes@example\.org/);

  await context.close();

  // the change, from a browser that is neither trusted nor stepped up (the step-up above made
  // this one both): the preferred factor (text messages) first, then an emailed code chosen instead
  const other = await newPage(), p = other.page;
  await p.goto(app.url + '/signin');
  await p.fill('#email', 'dorothy@example.com');
  await p.fill('#password', PASSWORD);
  await p.click('main button:has-text("Sign in")');
  await changeBankAccount(p, 'Dorothy Vaughan', 'DE02 1203 0000 0000 2020 51');
  const texted = Date.now(); // the text message went out before the page came
  assert.equal(path(p), '/bank/verify');
  assert.match(await p.textContent('main'), /We sent a code to your phone\./);
  const sent = emailedCodes(OTHER);
  // codes go out 15 seconds apart, whatever the factor: the page says so and stays as it was
  const emailMe = '.others button:has-text("Email me a code at dorothy.codes@example.org")';
  await p.click(emailMe);
  assert.equal(path(p), '/bank/verify');
  assert.match(await notice(p), /less than 15 seconds ago/);
  assert.match(await p.textContent('main'), /We sent a code to your phone\./);
  await new Promise((r) => setTimeout(r, texted + 15_200 - Date.now()));
  await p.click(emailMe);
  assert.equal(path(p), '/bank/verify');
  assert.match(await p.textContent('main'), /We emailed a code to dorothy\.codes@example\.org\./);
  assert.match(await p.textContent('.others'), /Text me a code at …0456/);
  await shot(p, '08-bank-challenge-chosen');
  await p.fill('#code', await newEmailedCode(OTHER, sent));
  await p.click('button:has-text("Verify")'); // "trust this browser" left unticked
  assert.equal(path(p), '/account');
  assert.match(await notice(p), /ending in 2051/);
  assert.equal(app.decisions().at(-1), 'allow TRUSTED_DEVICE');
  const device = (await other.context.cookies(app.url)).find((c) => c.name === 'acme_tf_device');
  assert.equal(device.expires, -1); // a cookie of the browser session
  await other.context.close();
});
