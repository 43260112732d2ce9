// Tests of twofold-signer: the vendor's published vector, and the same stoken as the C command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sign, entryQuery } from '../index.js';

const VECTOR = 'c2de34c15cd76f797cf80781747da3874639a827a4cb79dcd862cc17b35cf2e2c721ea7d49ab9f60590d637ae0f51fd4ed8ddb551b922e0cd7e35a13b86de360';
const fields = { token: '10c936ca-5e7c-508b-9e60-b211c20be9bc', page: 'https://wepay.com/account/12345', redirect_uri: 'https://partnersite.com/home' };

test('the published test vector', () => {
  assert.equal(sign(fields, '12173158495', '1594122c5c36f438f8ba'), VECTOR);
});

test('values are lower-cased and field order does not matter', () => {
  const reordered = { redirect_uri: fields.redirect_uri, page: fields.page.toUpperCase(), token: fields.token };
  assert.equal(sign(reordered, '12173158495', '1594122c5c36f438f8ba'), VECTOR);
  assert.notEqual(sign({ ...fields, token: fields.token.slice(0, -1) + 'd' }, '12173158495', '1594122c5c36f438f8ba'), VECTOR);
});

test('the entry query is sorted and form-encoded like the vendor libraries', () => {
  const q = entryQuery({ clientId: '12173158495', clientSecret: '1594122c5c36f438f8ba', token: fields.token, page: fields.page, redirectUri: fields.redirect_uri });
  assert.equal(q, `client_id=12173158495&page=https%3A%2F%2Fwepay.com%2Faccount%2F12345&redirect_uri=https%3A%2F%2Fpartnersite.com%2Fhome&stoken=${VECTOR}&token=${fields.token}`);
});

const bin = process.env.TWOFOLD_BIN || fileURLToPath(new URL('../../../build/twofold', import.meta.url));
test('the same stoken as `twofold sign` for random inputs', { skip: !existsSync(bin) && 'build/twofold not built' }, () => {
  for (let i = 0; i < 20; i++) {
    const id = `cli_${randomBytes(8).toString('hex')}`;
    const secret = `tfcs_${randomBytes(24).toString('base64url')}`;
    const f = { token: randomBytes(16).toString('hex'), page: `https://x.example/${randomBytes(4).toString('hex')}`, redirect_uri: `https://p.example/r?x=${i}` };
    const out = execFileSync(bin, ['sign', '--client-id', id, '--client-secret', secret, '--token', f.token, '--page', f.page, '--redirect-uri', f.redirect_uri], { encoding: 'utf8' });
    assert.equal(out.trim().split('\n').pop(), sign(f, id, secret));
  }
});
