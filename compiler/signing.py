"""Bundle signatures: ed25519 over manifest.json (which hashes every other file of the bundle).

    skc bundle keygen -o KEY.pem           a private key (PKCS#8 PEM) and KEY.pem.pub (its public key)
    skc bundle sign BUNDLE --key KEY.pem   writes signature.json into the bundle (directory or zip)
    skc bundle verify BUNDLE [--key PUB]   checks it (and, with --key, that this key made it)
    skc run BUNDLE --require-signature [--trusted-key PUB]...   runs nothing unless it is signed
                                           (by one of the trusted keys, also from $SKC_TRUSTED_KEYS)

`signature.json` is `{"algorithm": "ed25519", "public_key": <base64>, "signature": <base64>}`.
`read_bundle` checks any signature it finds (a bad one is SKC242, whatever the run asks)
and records the signer; a run that requires a signature refuses an unsigned bundle or
one signed by a key it does not trust (SKC243), before any op runs. Without trusted
keys `--require-signature` only proves the bundle is intact since someone signed it;
trust comes from naming the keys.
"""

from __future__ import annotations

import base64
import json
import os
import zipfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from skc.ir.location import Diagnostic, DiagnosticError, Location

SIGNATURE = "signature.json"
TRUSTED_KEYS_ENV = "SKC_TRUSTED_KEYS"


def _fail(code: str, where: str | Path, message: str, hint: str = "") -> DiagnosticError:
    return DiagnosticError([Diagnostic(code, Location(str(where), 1, 1), message, hint)])


def generate_key(out: str | Path) -> tuple[Path, Path]:
    """A new private key at `out` (mode 600) and its public key at `out.pub`."""
    out = Path(out)
    key = Ed25519PrivateKey.generate()
    out.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    os.chmod(out, 0o600)
    pub = out.with_name(out.name + ".pub")
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    return out, pub


def _private_key(path: str | Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as e:
        raise _fail("SKC242", path, f"cannot read the signing key: {e}", "give an unencrypted ed25519 PEM key "
                    "(skc bundle keygen -o KEY.pem makes one)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise _fail("SKC242", path, "the signing key is not an ed25519 key", "skc bundle keygen -o KEY.pem")
    return key


def public_key_id(path: str | Path) -> str:
    """The base64 raw public key of a PEM public (or private) key file."""
    data = Path(path).read_bytes()
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        key = _private_key(path).public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise _fail("SKC242", path, "not an ed25519 public key")
    return base64.b64encode(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def trusted_keys(paths: list[str]) -> list[str]:
    """Key ids of the given files and of those listed in $SKC_TRUSTED_KEYS."""
    env = [p for p in os.environ.get(TRUSTED_KEYS_ENV, "").split(os.pathsep) if p]
    out = []
    for p in [*paths, *env]:
        try:
            out.append(public_key_id(p))
        except (OSError, DiagnosticError) as e:
            raise _fail("SKC242", p, f"cannot read the trusted key: {e}") from None
    return out


def sign_bundle(path: str | Path, key_path: str | Path) -> str:
    """Signs the bundle at `path` with `key_path`; the signer's key id."""
    from skc.compiler.bundle import read_bundle

    path = Path(path)
    read_bundle(path)  # only an intact bundle is signed
    key = _private_key(key_path)
    manifest = _manifest_bytes(path)
    signer = base64.b64encode(key.public_key().public_bytes(serialization.Encoding.Raw,
                                                             serialization.PublicFormat.Raw)).decode()
    record = json.dumps({"algorithm": "ed25519", "public_key": signer,
                         "signature": base64.b64encode(key.sign(manifest)).decode()}, sort_keys=True).encode()
    if path.is_dir():
        (path / SIGNATURE).write_bytes(record)
    else:
        with zipfile.ZipFile(path) as zf:
            entries = [(i, zf.read(i)) for i in zf.infolist() if i.filename != SIGNATURE]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, data in entries:
                zf.writestr(info, data)
            zf.writestr(zipfile.ZipInfo(SIGNATURE, (1980, 1, 1, 0, 0, 0)), record)
    return signer


def _manifest_bytes(path: Path) -> bytes:
    if path.is_dir():
        return (path / "manifest.json").read_bytes()
    with zipfile.ZipFile(path) as zf:
        return zf.read("manifest.json")


def check_signature(where: str, manifest: bytes, record: bytes | None) -> str | None:
    """The signer's key id when `record` (signature.json) signs `manifest`; None when unsigned.
    A signature that does not verify is a DiagnosticError (SKC242)."""
    if record is None:
        return None
    try:
        data = json.loads(record)
        if not isinstance(data, dict) or data.get("algorithm") != "ed25519":
            raise ValueError("not an ed25519 signature record")
        signer = str(data["public_key"])
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(signer, validate=True))
        key.verify(base64.b64decode(str(data["signature"]), validate=True), manifest)
    except InvalidSignature:
        raise _fail("SKC242", f"{where}/{SIGNATURE}", "the bundle's signature does not match its manifest",
                    "the bundle changed after it was signed; recompile and sign it again") from None
    except (ValueError, KeyError, TypeError, RecursionError) as e:
        raise _fail("SKC242", f"{where}/{SIGNATURE}", f"signature.json cannot be read: {str(e)[:100]}",
                    "sign the bundle again: skc bundle sign BUNDLE --key KEY.pem") from None
    return signer


def require_signature(where: str, signer: str | None, trusted: list[str]) -> list[Diagnostic]:
    """SKC243 unless the bundle is signed (by one of `trusted`, when any are named)."""
    at = Location(where, 1, 1)
    if signer is None:
        return [Diagnostic("SKC243", at, "the bundle is not signed, and the run requires a signature",
                           "sign it: skc bundle sign BUNDLE --key KEY.pem")]
    if trusted and signer not in trusted:
        return [Diagnostic("SKC243", at, f"the bundle is signed by key {signer[:12]}..., which is not trusted",
                           f"trust its public key with --trusted-key PUB.pem or ${TRUSTED_KEYS_ENV}")]
    return []
