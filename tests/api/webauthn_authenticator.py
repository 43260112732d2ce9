"""A software authenticator and browser for the API tests: it answers the creation and request
options twofold gives (PublicKeyCredential*OptionsJSON) with the JSON a browser's toJSON()
writes, signing with keys from python3-cryptography and encoding CBOR with python3-cbor2, so
twofold's verifier is checked against independent code. Each part can be spoiled on purpose
(flags, counter, origin, type, signature) to test a refusal. Registrations carry attestation
`none` unless given an Attester: `packed` with x5c, or `fido-u2f`, by a certificate an
AttestationCA issued (python3-cryptography's x509)."""
import base64
import datetime
import hashlib
import json
import os

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import NameOID

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


AAGUID_EXTENSION = x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4")  # id-fido-gen-ce-aaguid
ATTESTATION_SUBJECT = {NameOID.COUNTRY_NAME: "SE", NameOID.ORGANIZATION_NAME: "Authenticator Maker",
                       NameOID.ORGANIZATIONAL_UNIT_NAME: "Authenticator Attestation",
                       NameOID.COMMON_NAME: "Maker Model 1 Attestation"}


def _name(attrs):
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attrs.items()])


class AttestationCA:
    """An authenticator maker's attestation root (P-256, or RSA with rsa_bits; self-signed), which
    issues attestation certificates or intermediates under it."""

    def __init__(self, name="Authenticator Maker Root", issuer=None, rsa_bits=None):
        self.key = (rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits) if rsa_bits
                    else ec.generate_private_key(ec.SECP256R1()))
        now = datetime.datetime.now(datetime.timezone.utc)
        subject = _name({NameOID.COMMON_NAME: name})
        self.cert = (x509.CertificateBuilder().subject_name(subject)
                     .issuer_name(issuer.cert.subject if issuer else subject).public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                     .not_valid_after(now + datetime.timedelta(days=365))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                                  key_encipherment=False, data_encipherment=False, key_agreement=False,
                                                  key_cert_sign=True, crl_sign=True, encipher_only=False,
                                                  decipher_only=False), critical=True)
                     .sign(issuer.key if issuer else self.key, hashes.SHA256()))
        self.der = self.cert.public_bytes(serialization.Encoding.DER)
        self.pem = self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def intermediate(self, name="Authenticator Maker Intermediate"):
        return AttestationCA(name, issuer=self)

    def issue(self, *, subject=None, aaguid=AAGUID, ca=False, basic_constraints=True):
        """An attestation certificate's key and DER: the packed format's requirements met
        (version 3, subject C, O, OU "Authenticator Attestation", CN; not a CA; the AAGUID
        extension when aaguid is given) unless told otherwise."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        b = (x509.CertificateBuilder().subject_name(_name(subject or ATTESTATION_SUBJECT))
             .issuer_name(self.cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=365)))
        if basic_constraints:
            b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        if aaguid is not None:  # an OCTET STRING of the 16 bytes
            b = b.add_extension(x509.UnrecognizedExtension(AAGUID_EXTENSION, b"\x04\x10" + aaguid), critical=False)
        return key, b.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


class Attester:
    """What an authenticator attests a new credential with: fmt "packed" (x5c: the attestation
    certificate, then chain, e.g. an intermediate's DER) or "fido-u2f" (its one certificate),
    signed with key, the attestation certificate's; without a certificate, packed self
    attestation (signed by the new credential's own key)."""

    def __init__(self, fmt, key=None, cert_der=None, chain=()):
        self.fmt, self.key, self.x5c = fmt, key, [cert_der, *chain] if cert_der else []

    def statement(self, auth_data, client_data_hash, rp_id_hash, cred):
        if self.fmt == "packed" and not self.x5c:
            return {"alg": cred.alg, "sig": cred.sign(auth_data + client_data_hash)}
        if self.fmt == "packed":
            sig = self.key.sign(auth_data + client_data_hash, ec.ECDSA(hashes.SHA256()))
            return {"alg": -7, "sig": sig, "x5c": self.x5c}
        # FIDO U2F (WebAuthn section 8.6): 0x00 || rpIdHash || clientDataHash || credential id || point
        point = b"\x04" + cred.cose[-2] + cred.cose[-3]
        sig = self.key.sign(b"\x00" + rp_id_hash + client_data_hash + cred.id + point, ec.ECDSA(hashes.SHA256()))
        return {"sig": sig, "x5c": self.x5c}


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

    def register(self, options, *, flags=None, origin=None, type_="webauthn.create", challenge=None, rp_id=None,
                 attester=None, aaguid=AAGUID, credential=None):
        """RegistrationResponseJSON for PublicKeyCredentialCreationOptionsJSON options, attested
        by attester (an Attester) or with fmt none; for a new credential, or for credential (a
        Credential registered before: the same id and key, as a replay would give)."""
        cred = credential or Credential(self.alg)
        rp = rp_id or options["rp"]["id"]
        rp_hash = hashlib.sha256(rp.encode()).digest()
        auth = (rp_hash + bytes([(self.flags if flags is None else flags) | AT])
                + (0).to_bytes(4, "big") + aaguid + len(cred.id).to_bytes(2, "big") + cred.id + cbor2.dumps(cred.cose))
        cd = self.client_data(type_, challenge or options["challenge"], origin)
        if attester:
            stmt = attester.statement(auth, hashlib.sha256(cd).digest(), rp_hash, cred)
            att = cbor2.dumps({"fmt": attester.fmt, "attStmt": stmt, "authData": auth})
        else:
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
