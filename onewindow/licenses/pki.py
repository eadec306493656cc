"""A local demo CA and document-signing certificate, so licences can be signed without a real one.

Production configures LICENCE_SIGNING_CERT / LICENCE_SIGNING_KEY to a certificate from a real
CA instead (see signing.py). ECDSA P-256 is used because pyHanko re-reads the private key on
every signature and an RSA-2048 load costs ~100 ms (cryptography checks the key), while a
P-256 load and sign take well under a millisecond; see docs/benchmarks/licence-signing.md.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings

CA_YEARS = 20
# Longer than any licence's validity (5 years at most), so a licence stays verifiable for its life.
SIGNER_YEARS = 10

CA_CERT_FILE = "ca-cert.pem"
SIGNER_CERT_FILE = "signer-cert.pem"
SIGNER_KEY_FILE = "signer-key.pem"
SIGNER_P12_FILE = "signer.p12"


@dataclass(frozen=True)
class PkiPaths:
    """Where the demo PKI's files are; the CA's own private key is discarded after issuing."""

    directory: Path
    ca_cert: Path
    signer_cert: Path
    signer_key: Path
    signer_p12: Path

    @classmethod
    def in_directory(cls, directory: Path | str) -> PkiPaths:
        base = Path(directory)
        return cls(
            directory=base,
            ca_cert=base / CA_CERT_FILE,
            signer_cert=base / SIGNER_CERT_FILE,
            signer_key=base / SIGNER_KEY_FILE,
            signer_p12=base / SIGNER_P12_FILE,
        )

    def files(self) -> tuple[Path, ...]:
        return (self.ca_cert, self.signer_cert, self.signer_key, self.signer_p12)

    def complete(self) -> bool:
        return all(path.is_file() for path in self.files())


def demo_pki_dir() -> Path:
    """settings.LICENCE_DEMO_PKI_DIR, or DATA_DIR/pki."""
    configured = getattr(settings, "LICENCE_DEMO_PKI_DIR", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "pki"


def _name(*, common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _subject_names() -> tuple[x509.Name, x509.Name]:
    # The seal is the issuing body's, the one the licence names as 发证机关 (licence.issuer), so the
    # signer a PDF reader or the licence page shows is that body too.
    issuer = settings.LICENCE_ISSUER_NAME
    ca = _name(common_name=f"{issuer}演示根证书（仅供演示）", organisation=issuer)
    signer = _name(common_name=f"{issuer}电子印章", organisation=issuer)
    return ca, signer


def _issue() -> tuple[x509.Certificate, x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A self-signed CA and a signing certificate it issued; returns (ca, signer, signer key)."""
    ca_name, signer_name = _subject_names()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    signer_key = ec.generate_private_key(ec.SECP256R1())
    # Backdated an hour so a clock slightly behind ours still accepts the certificates.
    start = datetime.now(UTC) - timedelta(hours=1)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    signer_cert = (
        x509.CertificateBuilder()
        .subject_name(signer_name)
        .issuer_name(ca_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * SIGNER_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return ca_cert, signer_cert, signer_key


def _write(path: Path, content: bytes, *, mode: int) -> None:
    """Write via a temporary file and rename, so a reader never sees half a key."""
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    # Several web workers may start at once on a fresh machine; only one may generate.
    with open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def init_demo_pki(directory: Path | str | None = None, *, force: bool = False) -> tuple[PkiPaths, bool]:
    """Create the demo CA and signing certificate unless all files exist; returns (paths, created).

    A partial set (a file deleted by hand) is regenerated whole, since the CA key is not kept.
    """
    paths = PkiPaths.in_directory(directory if directory is not None else demo_pki_dir())
    paths.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _locked(paths.directory):
        if paths.complete() and not force:
            return paths, False
        ca_cert, signer_cert, signer_key = _issue()
        pem = serialization.Encoding.PEM
        _write(paths.ca_cert, ca_cert.public_bytes(pem), mode=0o644)
        _write(paths.signer_cert, signer_cert.public_bytes(pem), mode=0o644)
        _write(
            paths.signer_key,
            signer_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
            mode=0o600,
        )
        _write(
            paths.signer_p12,
            pkcs12.serialize_key_and_certificates(
                name=b"onewindow-licence-signer",
                key=signer_key,
                cert=signer_cert,
                cas=[ca_cert],
                encryption_algorithm=serialization.NoEncryption(),
            ),
            mode=0o600,
        )
    return paths, True


def ensure_demo_pki(directory: Path | str | None = None) -> PkiPaths:
    """The demo PKI in `directory` (default demo_pki_dir()), created on first use."""
    paths, _created = init_demo_pki(directory)
    return paths


@dataclass(frozen=True)
class CertificateSummary:
    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    sha256: str


def describe_certificate(path: Path) -> CertificateSummary:
    """The first certificate in a PEM file, for the command's output."""
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return CertificateSummary(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
    )
