// app.js: what the example's tests share: Acme Market started the way its README says (setup.js
// creates the twofold application with the admin token, server.js starts with the file it
// writes) at http://localhost:PORT in front of a twofold from tests/browser/support.js, and the
// codes twofold emailed.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

export async function until(what, probe) {
  for (let i = 0; i < 400; i++) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startApp(tf) {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const envFile = join(mkdtempSync(join(tmpdir(), 'acme-')), 'acme.env');
  execFileSync(process.execPath, ['setup.js', envFile], { cwd: APP_DIR,
    env: { PATH: process.env.PATH, TWOFOLD_URL: tf.base, TWOFOLD_ADMIN_TOKEN: tf.admin, APP_URL: url } });
  const proc = spawn(process.execPath, [`--env-file=${envFile}`, 'server.js'], { cwd: APP_DIR,
    env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  await until('the app to listen', () => /Acme Market on/.test(log) || proc.exitCode !== null);
  if (proc.exitCode !== null) throw new Error(`the app did not start:\n${log}`);
  return {
    url, log: () => log,
    // what the app logged of twofold's answers to POST /v1/authorize
    decisions: () => log.match(/(allow|challenge_required) [A-Z_]+$/gm) ?? [],
    stop() { proc.kill('SIGTERM'); },
  };
}

// The codes twofold emailed to address, oldest first, each read from the text part of an email in
// development delivery's messages.jsonl; waits until there are at least count.
export function emailCodesTo(tf, address, count) {
  return until(`${count} emailed codes to ${address}`, () => {
    const codes = tf.messages().filter((m) => m.to === address && m.channel === 'email')
      .map((m) => /your code is (\d{6})\./.exec(m.text)?.[1]).filter(Boolean);
    return codes.length >= count && codes;
  });
}
