"""Sign licence PDFs (PAdES baseline B-B) with the issuing authority's certificate and check such signatures.

The certificate comes from settings (LICENCE_SIGNING_CERT, LICENCE_SIGNING_KEY,
LICENCE_SIGNING_KEY_PASSWORD, LICENCE_SIGNING_CHAIN, LICENCE_TRUST_ROOTS); when no certificate
is configured the demo PKI in LICENCE_DEMO_PKI_DIR (default DATA_DIR/pki) is used and created
on first use. Both functions call asyncio.run() inside pyHanko, so call them from synchronous
code (a view, a task), not from inside a running event loop.
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, SimpleSigner
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from onewindow.lib.errors import CodedError
from onewindow.licenses.pki import demo_pki_dir, ensure_demo_pki

logger = logging.getLogger(__name__)

FIELD_NAME = "LicenceSeal"
# Either bit marks a certificate meant for signing documents; CAs differ in which they set.
SIGNING_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})


class SigningUnavailable(CodedError):
    """The signing certificate or key cannot be loaded; the message tells the operator what to fix."""


@dataclass(frozen=True)
class SignerConfig:
    """Files of one signing identity: certificate, private key and the chain to embed."""

    cert_path: Path
    key_path: Path
    key_password: str | None = None
    chain_paths: tuple[Path, ...] = ()


def _paths(value: str | Path | Sequence[str | Path]) -> tuple[Path, ...]:
    """A setting that is a list of paths, or one string of comma-separated paths."""
    if isinstance(value, str | Path):
        return tuple(Path(part.strip()) for part in str(value).split(",") if part.strip())
    return tuple(Path(item) for item in value)


def _configured_cert() -> str:
    """LICENCE_SIGNING_CERT; empty means the demo PKI."""
    return str(getattr(settings, "LICENCE_SIGNING_CERT", "") or "")


@functools.cache
def _warn_demo_once() -> None:
    logger.warning(
        "LICENCE_SIGNING_CERT is not set: licences are signed with the demo certificate in %s, "
        "which no one outside this installation trusts.",
        demo_pki_dir(),
    )


def configured_signer() -> SignerConfig:
    """The signer from settings, or the demo PKI's signer when LICENCE_SIGNING_CERT is empty."""
    cert = _configured_cert()
    if not cert:
        _warn_demo_once()
        paths = ensure_demo_pki()
        return SignerConfig(
            cert_path=paths.signer_cert, key_path=paths.signer_key, chain_paths=(paths.ca_cert,)
        )
    key = getattr(settings, "LICENCE_SIGNING_KEY", "")
    if not key:
        raise SigningUnavailable(
            "signing_key_missing",
            _(
                "已设置签章证书 LICENCE_SIGNING_CERT，但没有设置对应的私钥文件 LICENCE_SIGNING_KEY。"
                "请设置后重启服务。"
            ),
        )
    return SignerConfig(
        cert_path=Path(cert),
        key_path=Path(key),
        key_password=getattr(settings, "LICENCE_SIGNING_KEY_PASSWORD", "") or None,
        chain_paths=_paths(getattr(settings, "LICENCE_SIGNING_CHAIN", ())),
    )


def configured_trust_roots() -> tuple[Path, ...]:
    """LICENCE_TRUST_ROOTS, or the demo CA when no signing certificate is configured."""
    roots = _paths(getattr(settings, "LICENCE_TRUST_ROOTS", ()))
    if roots:
        return roots
    if not _configured_cert():
        return (ensure_demo_pki().ca_cert,)
    raise SigningUnavailable(
        "trust_roots_missing",
        _(
            "没有设置用于核验签章的根证书 LICENCE_TRUST_ROOTS（签章证书的签发机构根证书，PEM 文件路径，"
            "多个用逗号分隔）。请设置后重启服务。"
        ),
    )


class _KeyCachingSigner(SimpleSigner):
    """SimpleSigner that parses its private key once.

    SimpleSigner.sign_raw re-parses the key on every call; for RSA that costs ~100 ms,
    because cryptography checks the key on load.
    """

    def __init__(self, loaded: SimpleSigner) -> None:
        super().__init__(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
        )
        self._private_key: Any = serialization.load_der_private_key(loaded.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "ecdsa" and isinstance(self._private_key, EllipticCurvePrivateKey):
            return self._private_key.sign(data, ECDSA(hash_algorithm))
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._private_key, RSAPrivateKey):
            return self._private_key.sign(data, PKCS1v15(), hash_algorithm)
        return super().sign_raw(data, digest_algorithm)


@dataclass(frozen=True)
class _LoadedSigner:
    signer: _KeyCachingSigner
    # Room for the CMS blob: fixed per identity, which spares pyHanko a trial signature per call.
    bytes_reserved: int


def _file_stamp(config: SignerConfig) -> tuple[int, ...]:
    try:
        return tuple(
            path.stat().st_mtime_ns for path in (config.cert_path, config.key_path, *config.chain_paths)
        )
    except OSError as exc:
        raise SigningUnavailable(
            "signing_files_missing",
            _(
                "找不到签章证书或私钥文件（%(file)s）。请检查 LICENCE_SIGNING_CERT、LICENCE_SIGNING_KEY "
                "和 LICENCE_SIGNING_CHAIN 的设置；演示环境可运行 onewindow pki init 生成演示证书。"
            )
            % {"file": exc.filename},
        ) from exc


@functools.lru_cache(maxsize=4)
def _load(config: SignerConfig, stamp: tuple[int, ...]) -> _LoadedSigner:
    # `stamp` (the files' mtimes) is part of the cache key so `pki init --force` takes effect at once.
    password = config.key_password.encode() if config.key_password else None
    loaded = SimpleSigner.load(
        key_file=str(config.key_path),
        cert_file=str(config.cert_path),
        ca_chain_files=[str(path) for path in config.chain_paths] or None,
        key_passphrase=password,
    )
    if loaded is None:
        raise SigningUnavailable(
            "signing_key_unreadable",
            _(
                "无法读取签章证书 %(cert)s 或私钥 %(key)s：文件格式不对，或私钥密码"
                "（LICENCE_SIGNING_KEY_PASSWORD）不正确。请检查后重启服务。"
            )
            % {"cert": config.cert_path, "key": config.key_path},
        )
    signer = _KeyCachingSigner(loaded)
    certificates = [signer.signing_cert, *signer.cert_registry]
    # Counted in hex digits, two per byte; 4 KiB covers the signed attributes and the signature.
    reserved = 2 * (sum(len(cert.dump()) for cert in certificates) + 4096)
    return _LoadedSigner(signer=signer, bytes_reserved=reserved)


def _metadata(writer: IncrementalPdfFileWriter, *, reason: str, location: str) -> PdfSignatureMetadata:
    existing = {field_name for field_name, _value, _ref in enumerate_sig_fields(writer.prev)}
    first = not existing
    field_name = FIELD_NAME
    counter = 1
    while field_name in existing:
        counter += 1
        field_name = f"{FIELD_NAME}{counter}"
    return PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        # The first signature certifies the licence: readers show it as certified by the
        # centre, and any later change other than adding signatures breaks it. A PDF that
        # is already signed gets an ordinary approval signature in a new field.
        certify=first,
        docmdp_permissions=MDPPerm.FILL_FORMS,
    )


def sign_pdf(
    pdf: bytes,
    *,
    signer: SignerConfig | None = None,
    reason: str = "综合许可证电子签章",
    location: str = "天门市",
) -> bytes:
    """The PDF with an invisible PAdES signature appended as an incremental update.

    Raises SigningUnavailable when the certificate or key cannot be loaded.
    """
    config = signer or configured_signer()
    loaded = _load(config, _file_stamp(config))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    pdf_signer = PdfSigner(_metadata(writer, reason=reason, location=location), loaded.signer)
    output = pdf_signer.sign_pdf(writer, bytes_reserved=loaded.bytes_reserved)
    return bytes(output.getvalue())


@dataclass(frozen=True)
class SignatureCheck:
    """What a verifier tells a person about a licence file's electronic seal.

    intact: the signed bytes hash to the digest in the signature.
    valid: intact, the signature value verifies, and nothing was changed afterwards beyond
    what the signature allows (further signatures); it says nothing about who signed.
    modified_after_signing: not intact, or a later revision changes the licence.
    trusted: the signing certificate chains to one of the trust roots and is in force.
    ok (property): both; only then is the licence genuine.
    message: the sentence for the reader, in the language active when the check was made.
    code: stable machine code for APIs: ok, untrusted, tampered, modified, bad_signature,
    unsigned, unreadable.
    """

    valid: bool
    intact: bool
    trusted: bool
    signer_name: str
    signed_at: datetime | None
    modified_after_signing: bool
    message: str
    code: str

    @property
    def ok(self) -> bool:
        return self.valid and self.trusted


def _not_checked(code: str, message: str) -> SignatureCheck:
    """The answer for a file whose signature could not be evaluated at all."""
    return SignatureCheck(
        valid=False,
        intact=False,
        trusted=False,
        signer_name="",
        signed_at=None,
        modified_after_signing=False,
        message=message,
        code=code,
    )


def _trust_roots(trust_roots: Sequence[Path | str] | None) -> tuple[asn1_x509.Certificate, ...]:
    paths = tuple(Path(path) for path in trust_roots) if trust_roots is not None else configured_trust_roots()
    try:
        stamp = tuple(path.stat().st_mtime_ns for path in paths)
    except OSError as exc:
        raise SigningUnavailable(
            "trust_roots_missing",
            _("找不到用于核验签章的根证书文件（%(file)s）。请检查 LICENCE_TRUST_ROOTS 的设置。")
            % {"file": exc.filename},
        ) from exc
    return _load_roots(paths, stamp)


@functools.lru_cache(maxsize=8)
def _load_roots(paths: tuple[Path, ...], stamp: tuple[int, ...]) -> tuple[asn1_x509.Certificate, ...]:
    try:
        return tuple(load_certs_from_pemder([str(path) for path in paths]))
    except (OSError, ValueError) as exc:
        raise SigningUnavailable(
            "trust_roots_unreadable",
            _(
                "无法读取用于核验签章的根证书（%(files)s）：应为 PEM 或 DER 格式的证书文件。"
                "请检查 LICENCE_TRUST_ROOTS 的设置。"
            )
            % {"files": ", ".join(map(str, paths))},
        ) from exc


def _signer_name(status: PdfSignatureStatus) -> str:
    subject = status.signing_cert.subject.native
    return str(
        subject.get("common_name")
        or subject.get("organization_name")
        or status.signing_cert.subject.human_friendly
    )


_REVOKED = {AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE}
_OUT_OF_PERIOD = {
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.NOT_YET_VALID,
}


def _untrusted_message(status: PdfSignatureStatus) -> str:
    # Whole sentences rather than a reason spliced into one: each language orders the parts its own way.
    problem = status.trust_problem_indic
    if problem in _REVOKED:
        return _("签名完整，文件自签署后未被修改，但签章证书已被吊销，无法确认签署者身份。请向发证机关核实。")
    if problem in _OUT_OF_PERIOD:
        return _(
            "签名完整，文件自签署后未被修改，但签章证书不在有效期内，无法确认签署者身份。请向发证机关核实。"
        )
    return _(
        "签名完整，文件自签署后未被修改，但签章证书不是由受信任的机构签发，无法确认签署者身份。请向发证机关核实。"
    )


def _judge(status: PdfSignatureStatus) -> SignatureCheck:
    intact = bool(status.intact)
    level = status.modification_level
    # docmdp_ok is False when pyHanko's diff policy finds changes beyond adding signatures,
    # form filling or validation data; modification_level OTHER covers unexplainable coverage.
    disallowed = status.docmdp_ok is False or level == ModificationLevel.OTHER
    modified = (not intact) or disallowed
    valid = intact and bool(status.valid) and not disallowed and status.seed_value_ok
    trusted = bool(status.trusted)
    if not intact:
        message = _(
            "文件在签署后被修改，签名无效：签名所覆盖的内容与签署时不一致。请以发证机关出具的原件为准。"
        )
        code = "tampered"
    elif not status.valid:
        message = _("签名无效：签名值与签章证书不符，文件可能被伪造。请以发证机关出具的原件为准。")
        code = "bad_signature"
    elif disallowed:
        message = _(
            "文件在签署后被修改，签名无效：签署后又追加了改动证照内容的修订。请以发证机关出具的原件为准。"
        )
        code = "modified"
    elif not trusted:
        message, code = _untrusted_message(status), "untrusted"
    elif level is not None and level > ModificationLevel.NONE:
        message, code = _("签名有效，签署后仅追加了签名或核验信息，证照内容未被修改"), "ok"
    else:
        message, code = _("签名有效，文件自签署后未被修改"), "ok"
    return SignatureCheck(
        valid=valid,
        intact=intact,
        trusted=trusted,
        signer_name=_signer_name(status),
        signed_at=status.signer_reported_dt,
        modified_after_signing=modified,
        message=message,
        code=code,
    )


def validate_pdf(pdf: bytes, *, trust_roots: Sequence[Path | str] | None = None) -> SignatureCheck:
    """Check the first (issuer's) signature of a PDF; never raises for bad input.

    Later signatures, e.g. a provincial library's countersignature, are judged through the
    first one's modification analysis. trust_roots are PEM/DER files of the accepted root
    certificates (default: configured_trust_roots()). Raises SigningUnavailable only when the
    trust roots themselves cannot be loaded (a configuration error, not the file's fault).
    """
    roots = _trust_roots(trust_roots)
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        # pyHanko raises a range of errors on garbage (PdfReadError, ValueError, KeyError, ...).
        logger.info("licence verification: unreadable PDF (%d bytes)", len(pdf), exc_info=True)
        return _not_checked(
            "unreadable",
            _("无法读取该文件：它不是有效的 PDF 文件，或文件已损坏。请上传发证机关出具的电子证照 PDF 原件。"),
        )
    if not signatures:
        return _not_checked(
            "unsigned",
            _(
                "该文件没有电子签章，无法核验真伪。请使用发证机关出具的电子证照 PDF 原件，或扫描证照上的二维码核验。"
            ),
        )
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(
            signatures[0], signer_validation_context=context, key_usage_settings=SIGNING_KEY_USAGE
        )
    except Exception:
        logger.info("licence verification: signature could not be evaluated", exc_info=True)
        return _not_checked(
            "bad_signature", _("文件中的电子签章已损坏，无法核验。请以发证机关出具的原件为准。")
        )
    return _judge(status)
