// support.js: what the browser tests share: a real twofold process on a free loopback port
// with its own data folder (development delivery writes every message to messages.jsonl),
// API helpers, the SSO signer from packages/twofold-signer, TOTP codes, and Chromium.
import { spawn, execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { entryQuery } from '../../packages/twofold-signer/index.js';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '..', '..');
export const BIN = process.env.TWOFOLD_BIN || join(ROOT, 'build', 'twofold');
export const SHOTS = join(ROOT, 'build', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

// pagesOnLocalhost: the hosted pages' public URL is http://localhost:PORT (a secure context with
// a host name, as passkeys need: an IP address cannot be a relying party id); tf.pages is it.
export async function startTwofold(extraArgs = [], { pagesOnLocalhost = false } = {}) {
  const port = await freePort();
  if (pagesOnLocalhost) extraArgs = [...extraArgs, '--public-url', `http://localhost:${port}`];
  const dir = mkdtempSync(join(tmpdir(), 'twofold-browser-'));
  const admin = 'tfa_browser_' + randomBytes(12).toString('hex');
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data', join(dir, 'data'),
    '--argon2-memlimit-kib', '8192', '--argon2-opslimit', '1', ...extraArgs];
  const proc = spawn(BIN, args, { env: { PATH: process.env.PATH, TWOFOLD_ADMIN_TOKEN: admin }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(base + '/healthz')).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 25));
  }
  const tf = {
    base, dir, admin, proc, pages: pagesOnLocalhost ? `http://localhost:${port}` : `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    async api(method, path, { apiKey, token, admin: asAdmin, body } = {}) {
      const headers = { 'content-type': 'application/json' };
      if (apiKey) headers['api-key'] = apiKey;
      if (asAdmin) headers.authorization = `Bearer ${admin}`;
      if (token) headers.authorization = `Bearer ${token}`;
      const r = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null };
    },
    messages() {
      const f = join(dir, 'data', 'messages.jsonl');
      if (!existsSync(f)) return [];
      // only whole lines: the server may be in the middle of appending a long one
      return readFileSync(f, 'utf8').split('\n').slice(0, -1).filter(Boolean).map((l) => JSON.parse(l));
    },
    async codesTo(phone, count) {
      for (let i = 0; i < 200; i++) {
        const codes = this.messages().filter((m) => m.to === phone).map((m) => /your code is (\d{6})\./.exec(m.text)?.[1]).filter(Boolean);
        if (codes.length >= count) return codes;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`fewer than ${count} codes sent to ${phone}`);
    },
    // stops the server and insists on a clean exit and, under sanitizers, a clean report
    async stop() {
      const exited = new Promise((r) => proc.once('exit', (code) => r(code)));
      proc.kill('SIGTERM');
      const code = await exited;
      if (/AddressSanitizer|runtime error:|LeakSanitizer/.test(stderr)) throw new Error('sanitizer report:\n' + stderr.slice(-6000));
      if (code !== 0) throw new Error(`twofold exited with ${code}:\n${stderr.slice(-4000)}`);
    },
  };
  return tf;
}

export async function ssoEntry(tf, app, userId, page, base = tf.base) {
  const t = await tf.api('POST', '/v1/sso/tokens', { apiKey: app.api_key, body: { user_id: userId } });
  if (t.status !== 201) throw new Error(JSON.stringify(t));
  return base + '/sso?' + entryQuery({ clientId: app.client_id, clientSecret: app.client_secret, token: t.json.token,
    page: base + page, redirectUri: 'https://partner.example/home' });
}

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

// RFC 6238 with SHA-1, 6 digits, 30-second steps
export function totp(secretBase32, at = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1e6).padStart(6, '0');
}

// The text a QR code image holds, read by zbarimg (Debian's zbar-tools), an independent decoder.
export function decodeQr(pngBytes) {
  const f = join(mkdtempSync(join(tmpdir(), 'qr-')), 'qr.png');
  writeFileSync(f, pngBytes);
  return execFileSync('zbarimg', ['--raw', '-q', f], { encoding: 'utf8' }).trim();
}

export async function launch() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
