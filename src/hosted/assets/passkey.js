// passkey.js: the hosted pages' one script, for passkeys (WebAuthn). A form marked
// data-passkey="create" (enrol) or "get" (a challenge) carries its options in data-options
// (PublicKeyCredentialCreationOptionsJSON or ...RequestOptionsJSON); "sign-in" fetches them from
// data-options-url first (a sign-in without a username). On submit the browser runs the ceremony,
// the credential's JSON goes into the form's "credential" field, and the form is posted as any
// other. Elements marked data-passkey-only stay hidden where the browser has no passkeys.
'use strict';
(function () {
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function bytes(b64url) {
    const s = atob(b64url.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  }
  function b64url(buf) {
    let s = '';
    for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  // The JSON forms of WebAuthn Level 3; browsers that predate them get the same by hand.
  function creationOptions(o) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(o);
    return Object.assign({}, o, {
      challenge: bytes(o.challenge),
      user: Object.assign({}, o.user, { id: bytes(o.user.id) }),
      excludeCredentials: (o.excludeCredentials || []).map((c) => Object.assign({}, c, { id: bytes(c.id) })),
    });
  }
  function requestOptions(o) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(o);
    return Object.assign({}, o, {
      challenge: bytes(o.challenge),
      allowCredentials: (o.allowCredentials || []).map((c) => Object.assign({}, c, { id: bytes(c.id) })),
    });
  }
  function credentialJSON(c) {
    if (typeof c.toJSON === 'function') return c.toJSON();
    const r = c.response, out = { id: c.id, rawId: b64url(c.rawId), type: c.type, clientExtensionResults: {},
      authenticatorAttachment: c.authenticatorAttachment, response: { clientDataJSON: b64url(r.clientDataJSON) } };
    if (r.attestationObject) {
      out.response.attestationObject = b64url(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = b64url(r.authenticatorData);
      out.response.signature = b64url(r.signature);
      out.response.userHandle = r.userHandle ? b64url(r.userHandle) : null;
    }
    return out;
  }

  async function ceremony(form) {
    const mode = form.dataset.passkey;
    let options;
    if (mode === 'sign-in') {
      const body = new URLSearchParams({ csrf: form.elements.csrf.value, client_id: form.elements.client_id.value });
      const r = await fetch(form.dataset.optionsUrl, { method: 'POST', body, credentials: 'same-origin' });
      if (!r.ok) throw new Error('options');
      const answer = await r.json();
      form.elements.challenge_id.value = answer.challenge_id;
      options = answer.webauthn.publicKey;
    } else {
      options = JSON.parse(form.dataset.options);
    }
    const cred = mode === 'create'
      ? await navigator.credentials.create({ publicKey: creationOptions(options) })
      : await navigator.credentials.get({ publicKey: requestOptions(options) });
    form.elements.credential.value = JSON.stringify(credentialJSON(cred));
    form.submit();
  }

  function start() {
    for (const el of document.querySelectorAll('[data-passkey-only]')) el.hidden = false;
    for (const form of document.querySelectorAll('form[data-passkey]')) {
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const error = form.querySelector('[data-passkey-error]');
        if (error) error.hidden = true;
        ceremony(form).catch(() => {
          if (error) error.hidden = false;
        });
      });
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
