"""Signing a licence and verifying it: genuine, tampered, extended, untrusted, unsigned, garbage."""

from __future__ import annotations

import io
import re
import shutil
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pytest_django.fixtures import Settings

from onewindow.licenses.licence_pdf import example_licence, render_licence_pdf
from onewindow.licenses.management.commands.pki import Command as PkiCommand
from onewindow.licenses.pki import PkiPaths, ensure_demo_pki, init_demo_pki
from onewindow.licenses.signing import (
    SignerConfig,
    SigningUnavailable,
    configured_signer,
    configured_trust_roots,
    sign_pdf,
    validate_pdf,
)

GENUINE = "签名有效，文件自签署后未被修改"
CHANGED = "文件在签署后被修改，签名无效"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiPaths:
    return ensure_demo_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> PkiPaths:
    """A second, unrelated CA, with the same names as the first."""
    return ensure_demo_pki(tmp_path_factory.mktemp("other-pki"))


def _signer(paths: PkiPaths) -> SignerConfig:
    return SignerConfig(cert_path=paths.signer_cert, key_path=paths.signer_key, chain_paths=(paths.ca_cert,))


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return render_licence_pdf(example_licence(9))


@pytest.fixture(scope="module")
def signed(unsigned: bytes, pki: PkiPaths) -> bytes:
    return sign_pdf(unsigned, signer=_signer(pki))


def test_signed_licence_is_valid_intact_and_trusted(signed: bytes, pki: PkiPaths) -> None:
    check = validate_pdf(signed, trust_roots=[pki.ca_cert])
    assert (check.valid, check.intact, check.trusted, check.modified_after_signing) == (
        True,
        True,
        True,
        False,
    )
    assert check.ok
    assert check.code == "ok"
    assert check.message == GENUINE
    assert check.signer_name == "天门市行政审批局电子印章"
    assert check.signed_at is not None
    assert abs(datetime.now(UTC) - check.signed_at) < timedelta(minutes=5)


def test_signature_is_a_pades_certification_signature(signed: bytes) -> None:
    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.docmdp_level == MDPPerm.FILL_FORMS
    assert signature.sig_object["/Reason"] == "综合许可证电子签章"
    assert signature.sig_object["/Location"] == "天门市"


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="pdfsig (Debian poppler-utils) not installed")
def test_an_independent_verifier_accepts_the_signature(signed: bytes, tmp_path: Path) -> None:
    # Poppler checks with NSS, not pyHanko; it does not know the demo CA, so only the signature counts.
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in report
    assert "Total document signed" in report


def test_signing_appends_to_the_original_bytes(signed: bytes, unsigned: bytes) -> None:
    assert signed.startswith(unsigned)


def test_one_flipped_byte_in_the_signed_page_content_breaks_integrity(signed: bytes, pki: PkiPaths) -> None:
    reader = PdfFileReader(io.BytesIO(signed))
    content_id = reader.root["/Pages"]["/Kids"][0].raw_get("/Contents").idnum
    header = re.search(rb"\n%d 0 obj\s*<<.*?>>\s*stream\r?\n" % content_id, signed, re.S)
    assert header is not None
    position = header.end() + 20
    first_range_end = int(reader.embedded_signatures[0].sig_object["/ByteRange"][1])
    assert position < first_range_end, "the flipped byte must lie in the signed range"
    tampered = bytearray(signed)
    tampered[position] = ord("A") if tampered[position] != ord("A") else ord("B")

    check = validate_pdf(bytes(tampered), trust_roots=[pki.ca_cert])

    assert not check.intact
    assert not check.valid
    assert not check.ok
    assert check.modified_after_signing
    assert check.code == "tampered"
    assert check.message.startswith(CHANGED)


def test_incremental_update_that_changes_the_page_is_reported(signed: bytes, pki: PkiPaths) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.find_page_for_modification(0)[0].get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (X) Tj ET")
    )
    writer.update_container(page)
    output = io.BytesIO()
    writer.write(output)

    check = validate_pdf(output.getvalue(), trust_roots=[pki.ca_cert])

    # The signed revision itself is untouched, but pyHanko's diff policy rejects the update.
    assert check.intact
    assert check.trusted
    assert not check.valid
    assert check.modified_after_signing
    assert check.code == "modified"
    assert check.message.startswith(CHANGED)


def test_a_countersignature_keeps_the_licence_valid(
    signed: bytes, pki: PkiPaths, other_pki: PkiPaths
) -> None:
    countersigned = sign_pdf(signed, signer=_signer(other_pki), reason="省电子证照库签章")
    signatures = PdfFileReader(io.BytesIO(countersigned)).embedded_signatures
    assert [signature.field_name for signature in signatures] == ["LicenceSeal", "LicenceSeal2"]

    check = validate_pdf(countersigned, trust_roots=[pki.ca_cert])

    assert check.ok
    assert not check.modified_after_signing
    assert check.message == "签名有效，签署后仅追加了签名或核验信息，证照内容未被修改"


def test_signature_from_an_untrusted_ca_is_valid_but_not_trusted(signed: bytes, other_pki: PkiPaths) -> None:
    check = validate_pdf(signed, trust_roots=[other_pki.ca_cert])
    assert check.valid
    assert check.intact
    assert not check.trusted
    assert not check.ok
    assert check.code == "untrusted"
    assert "不是由受信任的机构签发" in check.message


def test_pdf_without_a_signature_is_reported_unsigned(unsigned: bytes, pki: PkiPaths) -> None:
    check = validate_pdf(unsigned, trust_roots=[pki.ca_cert])
    assert not check.ok
    assert check.code == "unsigned"
    assert "没有电子签章" in check.message


@pytest.mark.parametrize("content", [b"", b"not a pdf at all", b"%PDF-1.7\n1 0 obj garbage", b"\x00" * 1024])
def test_garbage_is_reported_unreadable(content: bytes, pki: PkiPaths) -> None:
    check = validate_pdf(content, trust_roots=[pki.ca_cert])
    assert not check.ok
    assert check.code == "unreadable"
    assert "不是有效的 PDF 文件" in check.message


def test_truncated_signed_pdf_is_reported_unreadable(signed: bytes, pki: PkiPaths) -> None:
    check = validate_pdf(signed[: len(signed) // 2], trust_roots=[pki.ca_cert])
    assert check.code == "unreadable"


def _rsa_identity(directory: Path, password: str) -> SignerConfig:
    """An RSA CA and signer (production certificates are often RSA), key encrypted with `password`."""
    start = datetime.now(UTC) - timedelta(hours=1)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test RSA CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RSA 签章")]))
        .issuer_name(ca_name)
        .public_key(signer_key.public_key())
        .serial_number(2)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .add_extension(usage, critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    (directory / "cert.pem").write_bytes(cert.public_bytes(pem))
    (directory / "key.pem").write_bytes(
        signer_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(password.encode())
        )
    )
    return SignerConfig(
        cert_path=directory / "cert.pem",
        key_path=directory / "key.pem",
        key_password=password,
        chain_paths=(directory / "ca.pem",),
    )


def test_rsa_certificate_with_encrypted_key_signs_and_verifies(unsigned: bytes, tmp_path: Path) -> None:
    config = _rsa_identity(tmp_path, "s3cret")
    check = validate_pdf(sign_pdf(unsigned, signer=config), trust_roots=[tmp_path / "ca.pem"])
    assert check.ok
    assert check.signer_name == "RSA 签章"


def test_wrong_key_password_is_a_clear_error(unsigned: bytes, tmp_path: Path) -> None:
    config = _rsa_identity(tmp_path, "s3cret")
    wrong = SignerConfig(config.cert_path, config.key_path, "wrong", config.chain_paths)
    with pytest.raises(SigningUnavailable) as error:
        sign_pdf(unsigned, signer=wrong)
    assert error.value.code == "signing_key_unreadable"


def test_missing_key_file_is_a_clear_error(unsigned: bytes, pki: PkiPaths, tmp_path: Path) -> None:
    config = SignerConfig(cert_path=pki.signer_cert, key_path=tmp_path / "absent.pem")
    with pytest.raises(SigningUnavailable) as error:
        sign_pdf(unsigned, signer=config)
    assert error.value.code == "signing_files_missing"
    assert "absent.pem" in error.value.message


def test_demo_pki_is_kept_unless_forced(tmp_path: Path) -> None:
    first, created = init_demo_pki(tmp_path)
    certificate = first.signer_cert.read_bytes()
    again, created_again = init_demo_pki(tmp_path)
    assert (created, created_again) == (True, False)
    assert again.signer_cert.read_bytes() == certificate
    assert stat.S_IMODE(first.signer_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(first.signer_p12.stat().st_mode) == 0o600

    forced, created_forced = init_demo_pki(tmp_path, force=True)
    assert created_forced
    assert forced.signer_cert.read_bytes() != certificate


def test_demo_pki_is_regenerated_whole_when_a_file_is_missing(tmp_path: Path) -> None:
    paths = ensure_demo_pki(tmp_path)
    ca = paths.ca_cert.read_bytes()
    paths.signer_key.unlink()
    ensure_demo_pki(tmp_path)
    assert paths.complete()
    assert paths.ca_cert.read_bytes() != ca


def test_demo_signer_certificate_is_for_document_signing(pki: PkiPaths) -> None:
    ca = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    cert = x509.load_pem_x509_certificate(pki.signer_cert.read_bytes())
    assert cert.issuer == ca.subject
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "天门市行政审批局电子印章"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "天门市行政审批局"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.not_valid_after_utc - cert.not_valid_before_utc > timedelta(days=365 * 5)


def test_pki_init_command_creates_then_keeps(tmp_path: Path) -> None:
    output = io.StringIO()
    call_command(PkiCommand(), "init", "--dir", str(tmp_path), stdout=output)
    assert "已在" in output.getvalue()
    output = io.StringIO()
    call_command(PkiCommand(), "init", "--dir", str(tmp_path), stdout=output)
    assert "保留不变" in output.getvalue()


def test_without_configured_certificate_the_demo_pki_is_used(settings: Settings, tmp_path: Path) -> None:
    settings.LICENCE_SIGNING_CERT = ""
    settings.LICENCE_TRUST_ROOTS = []
    settings.LICENCE_DEMO_PKI_DIR = str(tmp_path)
    config = configured_signer()
    assert config.cert_path == tmp_path / "signer-cert.pem"
    assert configured_trust_roots() == (tmp_path / "ca-cert.pem",)


def test_configured_certificate_is_used(settings: Settings, pki: PkiPaths) -> None:
    settings.LICENCE_SIGNING_CERT = str(pki.signer_cert)
    settings.LICENCE_SIGNING_KEY = str(pki.signer_key)
    settings.LICENCE_SIGNING_KEY_PASSWORD = ""
    settings.LICENCE_SIGNING_CHAIN = str(pki.ca_cert)
    settings.LICENCE_TRUST_ROOTS = f"{pki.ca_cert}, {pki.ca_cert}"
    config = configured_signer()
    assert (config.cert_path, config.key_path, config.key_password) == (pki.signer_cert, pki.signer_key, None)
    assert config.chain_paths == (pki.ca_cert,)
    assert configured_trust_roots() == (pki.ca_cert, pki.ca_cert)


def test_configured_certificate_without_key_or_roots_is_a_clear_error(
    settings: Settings, pki: PkiPaths
) -> None:
    settings.LICENCE_SIGNING_CERT = str(pki.signer_cert)
    settings.LICENCE_SIGNING_KEY = ""
    settings.LICENCE_TRUST_ROOTS = []
    with pytest.raises(SigningUnavailable, match="LICENCE_SIGNING_KEY"):
        configured_signer()
    with pytest.raises(SigningUnavailable, match="LICENCE_TRUST_ROOTS"):
        configured_trust_roots()


def test_missing_trust_root_file_is_a_configuration_error(signed: bytes, tmp_path: Path) -> None:
    with pytest.raises(SigningUnavailable) as error:
        validate_pdf(signed, trust_roots=[tmp_path / "absent-ca.pem"])
    assert error.value.code == "trust_roots_missing"
