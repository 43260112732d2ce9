// setup.js: creates Acme Market's application in twofold through the admin API and writes its
// credentials to an environment file (default acme.env, mode 0600) that server.js is started
// with: node --env-file=acme.env server.js. The api_key and client_secret are shown only once.
//
//   TWOFOLD_ADMIN_TOKEN=$(cat ../../data/admin.token) node setup.js [acme.env]
//
// Settings: TWOFOLD_URL (default http://127.0.0.1:8420), APP_URL (where browsers reach this
// app, default http://localhost:3000; twofold sends users back only under this prefix). APP_URL
// also makes the application a WebAuthn relying party for passkeys: its host is the RP id and
// its origin the one origin ceremonies may run on (a host name over https, or localhost over
// http; never an IP address, for which the application is created without passkeys).
import { existsSync, writeFileSync } from 'node:fs';

const TWOFOLD_URL = process.env.TWOFOLD_URL ?? 'http://127.0.0.1:8420';
const APP_URL = process.env.APP_URL ?? 'http://localhost:3000';
const ADMIN = process.env.TWOFOLD_ADMIN_TOKEN;
const file = process.argv[2] ?? 'acme.env';
if (!ADMIN) {
  console.error('TWOFOLD_ADMIN_TOKEN is not set (make run prints it and keeps it in data/admin.token)');
  process.exit(2);
}
if (existsSync(file)) {
  console.error(`${file} exists already: its application is set up (delete the file to create another)`);
  process.exit(1);
}

// Passkeys are bound to the RP id: the app's own host, so the browser lets this app's pages use them.
const appUrl = new URL(APP_URL);
const passkeys = /^[a-z0-9.-]*[a-z-][a-z0-9.-]*$/.test(appUrl.hostname) // a name, not an IP address
  && (appUrl.protocol === 'https:' || appUrl.hostname === 'localhost');
if (!passkeys) console.error(`APP_URL ${APP_URL} is not https with a host name nor http://localhost: the application gets no passkeys`);

const r = await fetch(`${TWOFOLD_URL}/v1/admin/apps`, {
  method: 'POST',
  headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
  body: JSON.stringify({
    name: 'Acme Market', // the name twofold's messages and pages show
    redirect_uri_prefixes: [`${APP_URL}/`], // SSO entry URLs may send users back only here
    sso_login_url: `${APP_URL}/security`, // where twofold sends users who must sign in first
    webauthn: passkeys ? {
      rp_id: appUrl.hostname, // every passkey of this application is bound to this host
      origins: [appUrl.origin], // the pages that run the ceremonies: this app's own
      rp_name: 'Acme Market', // what the browser and the authenticator show
      user_verification: 'required', // a PIN or biometric each time: two SCA elements in one gesture
    } : undefined,
  }),
});
const app = await r.json();
if (r.status !== 201) {
  console.error(`twofold answered ${r.status}: ${JSON.stringify(app)}`);
  process.exit(1);
}
const lines = [`TWOFOLD_URL=${TWOFOLD_URL}`, `APP_URL=${APP_URL}`, `TWOFOLD_API_KEY=${app.api_key}`,
  `TWOFOLD_CLIENT_ID=${app.client_id}`, `TWOFOLD_CLIENT_SECRET=${app.client_secret}`];
writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600, flag: 'wx' }); // never overwrites
console.log(`created twofold application ${app.app_id} (client ${app.client_id}); credentials in ${file}`);
