"""A software authenticator and browser for the API tests: it answers the creation and request
options twofold gives (PublicKeyCredential*OptionsJSON) with the JSON a browser's toJSON()
writes, signing with keys from python3-cryptography and encoding CBOR with python3-cbor2, so
twofold's verifier is checked against independent code. Each part can be spoiled on purpose
(flags, counter, origin, type, signature) to test a refusal."""
import base64
import hashlib
import json
import os

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40
AAGUID = bytes.fromhex("adce000235bcc60a648b0b25f1f05503")


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class Credential:
    def __init__(self, alg):
        self.alg = alg
        self.id = os.urandom(32)
        self.count = 0
        if alg == -7:
            self.key = ec.generate_private_key(ec.SECP256R1())
            n = self.key.public_key().public_numbers()
            self.cose = {1: 2, 3: -7, -1: 1, -2: n.x.to_bytes(32, "big"), -3: n.y.to_bytes(32, "big")}
        elif alg == -8:
            self.key = ed25519.Ed25519PrivateKey.generate()
            from cryptography.hazmat.primitives import serialization
            raw = self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            self.cose = {1: 1, 3: -8, -1: 6, -2: raw}
        else:
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            n = self.key.public_key().public_numbers()
            self.cose = {1: 3, 3: -257, -1: n.n.to_bytes(256, "big"), -2: n.e.to_bytes(3, "big")}

    def sign(self, data):
        if self.alg == -7:
            return self.key.sign(data, ec.ECDSA(hashes.SHA256()))
        if self.alg == -8:
            return self.key.sign(data)
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())


class Authenticator:
    """One authenticator holding discoverable credentials, with the flags it sets."""

    def __init__(self, origin, alg=-7, flags=UP | UV):
        self.origin = origin
        self.alg = alg
        self.flags = flags
        self.credentials = {}  # id -> (Credential, user handle)

    def client_data(self, type_, challenge, origin=None, extra=None):
        cd = {"type": type_, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        cd.update(extra or {})
        return json.dumps(cd, separators=(",", ":")).encode()

    def register(self, options, *, flags=None, origin=None, type_="webauthn.create", challenge=None, rp_id=None):
        """RegistrationResponseJSON for PublicKeyCredentialCreationOptionsJSON options."""
        cred = Credential(self.alg)
        rp = rp_id or options["rp"]["id"]
        auth = (hashlib.sha256(rp.encode()).digest() + bytes([(self.flags if flags is None else flags) | AT])
                + (0).to_bytes(4, "big") + AAGUID + len(cred.id).to_bytes(2, "big") + cred.id + cbor2.dumps(cred.cose))
        cd = self.client_data(type_, challenge or options["challenge"], origin)
        att = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth})
        self.credentials[cred.id] = (cred, unb64u(options["user"]["id"]))
        return {"id": b64u(cred.id), "rawId": b64u(cred.id), "type": "public-key", "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
                "response": {"clientDataJSON": b64u(cd), "attestationObject": b64u(att), "transports": ["internal"]}}

    def assertion(self, options, *, credential_id=None, flags=None, origin=None, type_="webauthn.get", challenge=None,
                  rp_id=None, count=None, bogus_signature=False, client_extra=None):
        """AuthenticationResponseJSON for PublicKeyCredentialRequestOptionsJSON options (or SPC's
        request fields: challenge, rpId)."""
        allowed = [unb64u(c["id"]) for c in options.get("allowCredentials", [])]
        if credential_id is None:
            credential_id = next(i for i in self.credentials if not allowed or i in allowed)
        cred, handle = self.credentials[credential_id]
        cred.count += 1
        rp = rp_id or options["rpId"]
        auth = (hashlib.sha256(rp.encode()).digest() + bytes([self.flags if flags is None else flags])
                + (cred.count if count is None else count).to_bytes(4, "big"))
        cd = self.client_data(type_, challenge or options["challenge"], origin, client_extra)
        sig = cred.sign(auth + hashlib.sha256(cd).digest())
        if bogus_signature:
            sig = cred.sign(auth + hashlib.sha256(cd + b" ").digest())
        return {"id": b64u(cred.id), "rawId": b64u(cred.id), "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64u(cd), "authenticatorData": b64u(auth), "signature": b64u(sig),
                             "userHandle": b64u(handle)}}
