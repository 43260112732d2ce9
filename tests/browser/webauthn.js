// webauthn.js: passkeys in the browser tests. Chromium's virtual authenticator through the
// DevTools WebAuthn domain (a platform authenticator with resident keys and user verification,
// its responses tampered with on demand), a recorder of every ceremony a page runs, and an
// independent verifier: each recorded ceremony is checked again by @simplewebauthn/server, whose
// verdict the tests compare with twofold's.
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';

// A virtual authenticator on page's tab: ctap2 over `internal` (a platform authenticator),
// discoverable credentials, user verification that succeeds; backup flags as given.
export async function addAuthenticator(page, { backupEligible = false, backedUp = false, uv = true } = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', ctap2Version: 'ctap2_1', transport: 'internal', hasResidentKey: true,
      hasUserVerification: uv, isUserVerified: uv, automaticPresenceSimulation: true,
      defaultBackupEligibility: backupEligible, defaultBackupState: backedUp,
    },
  });
  return {
    cdp, authenticatorId,
    // the next responses carry a bad signature, no UV flag or no UP flag
    async override({ bogusSignature = false, badUV = false, badUP = false } = {}) {
      await cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId, isBogusSignature: bogusSignature, isBadUV: badUV, isBadUP: badUP });
    },
    async credentials() { return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials; },
    async setBackup(credentialId, backupEligibility, backupState) {
      await cdp.send('WebAuthn.setCredentialProperties', { authenticatorId, credentialId, backupEligibility, backupState });
    },
  };
}

// Records every navigator.credentials.create/get the pages of context run: the challenge the
// page asked to be signed and the credential's toJSON(). Installed before any page script, by
// DevTools, so a page's CSP does not apply to it; the records reach the test through a binding,
// which outlives the form submission that follows each ceremony.
export async function recordCeremonies(context) {
  const ceremonies = [];
  await context.exposeBinding('__twofoldCeremony', (_source, c) => { ceremonies.push(c); });
  await context.addInitScript(() => {
    const b64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf instanceof ArrayBuffer ? buf : buf.buffer)))
      .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    for (const kind of ['create', 'get']) {
      const original = navigator.credentials[kind].bind(navigator.credentials);
      navigator.credentials[kind] = async (options) => {
        const challenge = b64url(options.publicKey.challenge);
        try {
          const cred = await original(options);
          window.__twofoldCeremony({ kind, challenge, rpId: options.publicKey.rpId || options.publicKey.rp?.id, origin: location.origin, response: cred.toJSON() });
          return cred;
        } catch (e) {
          window.__twofoldCeremony({ kind, challenge, origin: location.origin, error: String(e) });
          throw e;
        }
      };
    }
  });
  return ceremonies;
}

// @simplewebauthn/server's verdict on ceremony c under an application's policy (userVerification
// "required" or "preferred", allowSynced). Registrations it accepts are kept in `known` (by
// credential id) so that later assertions of the same credential are checked with their key and
// counter. Returns { verified, error }.
export async function independentVerdict(c, { rpId, userVerification = 'required', allowSynced = true }, known) {
  const requireUserVerification = userVerification === 'required';
  try {
    if (c.kind === 'create') {
      const v = await verifyRegistrationResponse({
        response: c.response, expectedChallenge: c.challenge, expectedOrigin: c.origin, expectedRPID: rpId,
        requireUserVerification,
      });
      if (!v.verified) return { verified: false, error: 'not verified' };
      if (!allowSynced && v.registrationInfo.credentialDeviceType === 'multiDevice') return { verified: false, error: 'synced' };
      known.set(v.registrationInfo.credential.id, { ...v.registrationInfo.credential });
      return { verified: true };
    }
    const credential = known.get(c.response.id);
    if (!credential) return { verified: false, error: 'unknown credential' };
    const v = await verifyAuthenticationResponse({
      response: c.response, expectedChallenge: c.challenge, expectedOrigin: c.origin, expectedRPID: rpId,
      credential, requireUserVerification,
    });
    if (!v.verified) return { verified: false, error: 'not verified' };
    if (!allowSynced && v.authenticationInfo.credentialDeviceType === 'multiDevice') return { verified: false, error: 'synced' };
    credential.counter = v.authenticationInfo.newCounter;
    return { verified: true };
  } catch (e) {
    return { verified: false, error: e.message };
  }
}
