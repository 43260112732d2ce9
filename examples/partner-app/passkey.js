// passkey.js: the one script of Acme Market's pages, served from the app's own origin (its CSP
// allows script-src 'self' and nothing inline). A form with data-passkey="create" or "get"
// carries twofold's WebAuthn options, JSON in its data-options attribute
// (PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON, as twofold
// answered them); on submit this runs navigator.credentials.create or get with them, puts the
// credential's JSON (RegistrationResponseJSON or AuthenticationResponseJSON) into the form's
// hidden "credential" field and submits the form to the app, which hands it to twofold as it is.
// The sign-in page's form is a "get" whose options name no credential: the browser offers the
// seller's passkeys for this site, and the one chosen names the account.
// Browsers with WebAuthn Level 3's JSON methods use them; others get the same conversion here.

const fromB64url = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer;
const toB64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const withIds = (list) => list?.map((c) => ({ ...c, id: fromB64url(c.id) }));

function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return { ...json, challenge: fromB64url(json.challenge), user: { ...json.user, id: fromB64url(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials) };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: fromB64url(json.challenge), allowCredentials: withIds(json.allowCredentials) };
}

function credentialJSON(credential) {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: toB64url(r.clientDataJSON) };
  if (r.attestationObject) { // a registration
    response.attestationObject = toB64url(r.attestationObject);
    response.transports = r.getTransports?.() ?? [];
  } else { // an assertion
    response.authenticatorData = toB64url(r.authenticatorData);
    response.signature = toB64url(r.signature);
    response.userHandle = r.userHandle ? toB64url(r.userHandle) : null;
  }
  return { id: credential.id, rawId: toB64url(credential.rawId), type: credential.type, response,
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: credential.getClientExtensionResults() };
}

const FAILURES = {
  NotAllowedError: 'The passkey was not used (cancelled, or it took too long): try again.',
  InvalidStateError: 'This device has a passkey for your account already.',
  SecurityError: 'Passkeys do not work on this address: open Acme Market at its usual address.',
};

for (const form of document.querySelectorAll('form[data-passkey]')) {
  const button = form.querySelector('button');
  const status = form.querySelector('.passkey-status');
  if (!window.PublicKeyCredential) {
    status.textContent = 'This browser cannot use passkeys: use another way.';
    continue;
  }
  button.disabled = false; // disabled in the HTML, for browsers that do not run this
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.textContent = '';
    try {
      const options = JSON.parse(form.dataset.options);
      const credential = form.dataset.passkey === 'create'
        ? await navigator.credentials.create({ publicKey: creationOptions(options) })
        : await navigator.credentials.get({ publicKey: requestOptions(options) });
      form.elements.credential.value = JSON.stringify(credentialJSON(credential));
      form.submit();
    } catch (e) {
      status.textContent = FAILURES[e.name] ?? `The passkey did not work: ${e.message}`;
      button.disabled = false;
    }
  });
}
