// twofold-signer: the SSO entry URL signature (docs/sso-signer.md), the same value as the seed
// vendor's signer libraries and as `twofold sign`. Plain ESM, only node:crypto.
import { createHash, createHmac } from 'node:crypto';

const SELF_KEY = 'WePay';

const sha512hex = (text) => createHash('sha512').update(text, 'utf8').digest('hex');
const hmac512 = (key, text) => createHmac('sha512', key).update(text, 'utf8').digest();

/**
 * The stoken for fields (for SSO: token, page, redirect_uri) signed with the application's
 * client id and secret. Keys and values are lower-cased before signing.
 */
export function sign(fields, clientId, clientSecret) {
  const payload = { ...fields, client_id: clientId, client_secret: clientSecret };
  const keys = Object.keys(payload);
  const lines = keys.map((k) => `${k.toLowerCase()}=${String(payload[k]).toLowerCase()}\n`);
  // byte-wise sort, as the vendor's libraries (and C's strcmp) do
  const byteSort = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  const context = lines.sort(byteSort).join('') + '\n' + [...keys].sort(byteSort).join(';');
  const scope = `${SELF_KEY}/${clientId}/signer`;
  const s2s = ['SIGNER-HMAC-SHA512', SELF_KEY, clientId, sha512hex(scope), sha512hex(context)].join('\n');
  const k1 = hmac512(clientSecret, SELF_KEY);
  const k2 = hmac512(k1, clientId);
  const k3 = hmac512(k2, 'signer');
  return createHmac('sha512', k3).update(s2s, 'utf8').digest('hex');
}

/** The query string of the SSO entry URL: client_id, page, redirect_uri, stoken, token. */
export function entryQuery({ clientId, clientSecret, token, page, redirectUri }) {
  const stoken = sign({ token, page, redirect_uri: redirectUri }, clientId, clientSecret);
  const params = { client_id: clientId, page, redirect_uri: redirectUri, stoken, token };
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${encodeURIComponent(params[k]).replace(/%20/g, '+')}`)
    .join('&');
}
