#!/usr/bin/env node
// twofold-audit-verify EXPORT.json KEY: KEY is the line `twofold audit public-key` prints, or a
// file holding it. Exits 0 when the export is intact, 1 naming what is broken, 2 on bad usage.
import { existsSync, readFileSync } from 'node:fs';
import { verifyExport } from './index.js';

const [file, keyArg] = process.argv.slice(2);
if (!file || !keyArg) {
  console.error('usage: twofold-audit-verify EXPORT.json PUBLIC_KEY|KEY_FILE');
  process.exit(2);
}
let exported;
let key;
try {
  exported = JSON.parse(readFileSync(file, 'utf8'));
  key = existsSync(keyArg) ? readFileSync(keyArg, 'utf8').split('\n')[0] : keyArg;
} catch (err) {
  console.error(`twofold-audit-verify: ${err.message}`);
  process.exit(2);
}
let result;
try {
  result = verifyExport(exported, key);
} catch (err) {
  console.error(`twofold-audit-verify: ${err.message}`);
  process.exit(2);
}
if (!result.ok) {
  console.log(`audit export BROKEN at seq=${result.seq}: ${result.why}`);
  process.exit(1);
}
console.log(`audit export intact: chain ${exported.app_id}, ${result.events} events, ${result.heads} signed heads verified`);
