// twofold-audit-verify: checks an export of a twofold audit chain (docs/audit.md) offline, as
// `twofold audit verify --export FILE --public-key KEY` does. Plain ESM, only node:crypto.
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';

const ZERO_HASH = '0'.repeat(64);
const HEX_HASH = /^[0-9a-f]{64}$/;

/** The hash of an event of chain: SHA-256 over length-prefixed UTF-8 parts (docs/audit.md). */
export function eventHash(chain, event) {
  const parts = ['twofold-audit-event-v1', chain, String(event.seq), String(event.at), event.type, event.actor,
    event.subject, event.ip, event.request_id, event.details, event.prev_hash];
  const h = createHash('sha256');
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    h.update(len);
    h.update(bytes);
  }
  return h.digest('hex');
}

/** The text a signed head's signature covers. */
export function headMessage(head) {
  return `twofold-audit-head-v1\n${head.chain}\n${head.seq}\n${head.hash}\n${head.signed_at}`;
}

/** The deployment's public key from `twofold audit public-key`'s line (base64 of 32 bytes). */
export function publicKeyOf(base64) {
  const raw = Buffer.from(String(base64).trim(), 'base64');
  if (raw.length !== 32) throw new Error('the public key is not base64 of 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

const isText = (v) => typeof v === 'string';
const isWhole = (v) => Number.isSafeInteger(v);

function eventShapeOk(e) {
  return e && isWhole(e.seq) && isWhole(e.at) && ['type', 'actor', 'subject', 'ip', 'request_id', 'details']
    .every((k) => isText(e[k])) && HEX_HASH.test(e.hash) && HEX_HASH.test(e.prev_hash);
}

function headShapeOk(h) {
  return h && isText(h.chain) && isWhole(h.seq) && isWhole(h.signed_at) && HEX_HASH.test(h.hash) &&
    isText(h.signature) && Buffer.from(h.signature, 'base64').length === 64;
}

/**
 * Checks an export {app_id, events, heads} under the deployment's public key (base64 text or a
 * KeyObject). Returns {ok: true, events, heads, unsigned} or {ok: false, seq, why}.
 */
export function verifyExport(exported, publicKey) {
  const key = typeof publicKey === 'string' ? publicKeyOf(publicKey) : publicKey;
  const chain = exported && exported.app_id;
  const events = exported && exported.events;
  const heads = exported && exported.heads;
  if (!isText(chain) || !Array.isArray(events) || !Array.isArray(heads)) {
    return { ok: false, seq: 0, why: 'not an export {app_id, events, heads}' };
  }
  const broken = (seq, why) => ({ ok: false, seq, why });
  let prev = null;
  for (const e of events) {
    if (!eventShapeOk(e)) return broken(prev ? prev.seq + 1 : 0, 'an event lacks a field or has one of a wrong type');
    if (prev ? e.seq !== prev.seq + 1 : e.seq < 1) return broken(e.seq, 'sequence gap (an event was removed or inserted)');
    if (prev ? e.prev_hash !== prev.hash : e.seq === 1 && e.prev_hash !== ZERO_HASH) {
      return broken(e.seq, "prev_hash does not match the previous event's hash");
    }
    if (eventHash(chain, e) !== e.hash) return broken(e.seq, "hash does not match the event's contents");
    prev = e;
  }
  const first = events.length ? events[0].seq : 0;
  const last = events.length ? events[events.length - 1].seq : 0;
  let newestSigned = 0;
  for (const h of heads) {
    if (!headShapeOk(h)) return broken(0, 'a signed head lacks a field or has one of a wrong type');
    if (h.chain !== chain) return broken(h.seq, 'a signed head is of another chain');
    const message = Buffer.from(headMessage(h), 'utf8');
    if (!verifySignature(null, message, key, Buffer.from(h.signature, 'base64'))) {
      return broken(h.seq, "a signed head's signature does not verify under the key given");
    }
    if (h.seq > last) {
      return broken(h.seq, "a signed head names an event the export does not hold: the chain's newest events were removed");
    }
    if (first && h.seq >= first && events[h.seq - first].hash !== h.hash) {
      return broken(h.seq, 'a signed head holds another hash at this seq (the chain was rewritten from there)');
    }
    newestSigned = Math.max(newestSigned, h.seq);
  }
  return { ok: true, events: events.length, heads: heads.length, unsigned: heads.length ? last - newestSigned : last };
}
