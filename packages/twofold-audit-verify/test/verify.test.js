// Tests of twofold-audit-verify: an export written by `twofold audit export` verifies, and every
// kind of change to it is named, as `twofold audit verify --export` names it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventHash, headMessage, verifyExport } from '../index.js';

const bin = process.env.TWOFOLD_BIN || fileURLToPath(new URL('../../../build/twofold', import.meta.url));
const cli = fileURLToPath(new URL('../cli.js', import.meta.url));

test('the documented encoding', () => {
  const e = { seq: 1, at: 1000, type: 'user.registered', actor: 'app:app_a', subject: 'usr_1', ip: '127.0.0.1',
    request_id: 'req_1', details: '{"k":"ü"}', prev_hash: '0'.repeat(64) };
  // the value tests/unit/core/test_audit_chain.c asserts of the C code
  assert.equal(eventHash('app_a', e), '3b0e2315b6d2b5888bf285da3039b3dcfa5f450b79ca310b1c95d18bee075acd');
  assert.equal(headMessage({ chain: 'app_x', seq: 12, hash: 'ab'.repeat(32), signed_at: 1796600000123 }),
    `twofold-audit-head-v1\napp_x\n12\n${'ab'.repeat(32)}\n1796600000123`);
});

function deployment() {
  const data = mkdtempSync(join(tmpdir(), 'twofold-audit-'));
  const env = { ...process.env, TWOFOLD_ADMIN_TOKEN: 'tfa_test_' + 'x'.repeat(32) };
  for (const k of Object.keys(env)) if (k.startsWith('TWOFOLD_') && k !== 'TWOFOLD_ADMIN_TOKEN') delete env[k];
  const run = (...args) => execFileSync(bin, [...args, '--data', data], { env, encoding: 'utf8' });
  run('app', 'create', '--name', 'One');
  run('app', 'create', '--name', 'Two');
  run('audit', 'sign');
  run('app', 'create', '--name', 'Three');
  const key = run('audit', 'public-key').trim();
  const file = join(data, 'export.json');
  run('audit', 'export', '--chain', 'deployment', '--out', file);
  return { data, key, exported: JSON.parse(readFileSync(file, 'utf8')) };
}

const both = (exported, key, data) => {
  const file = join(data, 'changed.json');
  writeFileSync(file, JSON.stringify(exported));
  const c = spawnSync(bin, ['audit', 'verify', '--export', file, '--public-key', key], { encoding: 'utf8' });
  const js = spawnSync(process.execPath, [cli, file, key], { encoding: 'utf8' });
  return { c: c.status, js: js.status, out: js.stdout + js.stderr, result: verifyExport(exported, key) };
};

test('an export from twofold verifies, and changes to it do not', { skip: !bin && 'no twofold binary' }, () => {
  const { data, key, exported } = deployment();
  try {
    assert.equal(exported.app_id, 'deployment');
    assert.deepEqual(exported.events.map((e) => e.type), ['app.created', 'app.created', 'app.created']);
    assert.equal(exported.heads.length, 1);
    const ok = both(exported, key, data);
    assert.deepEqual([ok.c, ok.js], [0, 0], ok.out);
    assert.deepEqual(ok.result, { ok: true, events: 3, heads: 1, unsigned: 1 });

    const [a, b, c] = exported.events;
    const cases = [
      [{ ...exported, events: [a, { ...b, details: '{}' }, c] }, "hash does not match the event's contents"],
      [{ ...exported, events: [a, c] }, 'sequence gap'],
      [{ ...exported, events: [a] }, 'newest events were removed'],
      [{ ...exported, heads: [{ ...exported.heads[0], signed_at: exported.heads[0].signed_at + 1 }] }, 'signature'],
      [{ ...exported, heads: [{ ...exported.heads[0], chain: 'app_other' }] }, 'another chain'],
      [{ ...exported, app_id: 'app_other' }, 'contents'],
    ];
    for (const [changed, why] of cases) {
      const r = both(changed, key, data);
      assert.deepEqual([r.c, r.js], [1, 1], `${why}: ${r.out}`);
      assert.ok(r.result.why.includes(why), `${why}: ${r.result.why}`);
    }
    const other = Buffer.alloc(32, 7).toString('base64');
    assert.deepEqual([both(exported, other, data).c, both(exported, other, data).js], [1, 1]);
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});
