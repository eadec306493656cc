"""`onewindow pki init [--dir DIR] [--force]` and `onewindow pki check`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.licenses.licence_pdf import example_licence, render_licence_pdf
from onewindow.licenses.pki import demo_pki_dir, describe_certificate, init_demo_pki
from onewindow.licenses.signing import (
    SigningUnavailable,
    configured_signer,
    configured_trust_roots,
    sign_pdf,
    validate_pdf,
)


class Command(BaseCommand):
    help = (
        "证照电子签章证书：init 生成演示用根证书和签章证书（已有则保留）；"
        "check 用当前配置的证书签署一份样例证照并核验。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="生成演示根证书和签章证书（仅供演示，勿用于生产）")
        init.add_argument("--dir", type=Path, default=None, help="存放目录，默认 DATA_DIR/pki")
        init.add_argument("--force", action="store_true", help="即使文件已存在也重新生成")
        sub.add_parser("check", help="用当前配置签署并核验一份样例证照")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "init":
            self._init(options["dir"], force=options["force"])
        else:
            self._check()

    def _init(self, directory: Path | None, *, force: bool) -> None:
        target = directory or demo_pki_dir()
        try:
            paths, created = init_demo_pki(target, force=force)
        except OSError as exc:
            raise CommandError(f"无法在 {target} 写入证书文件：{exc.strerror}。请检查目录权限。") from None
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"已在 {paths.directory} 生成演示证书（仅供演示，勿用于生产）：")
            )
        else:
            self.stdout.write(f"{paths.directory} 中已有演示证书，保留不变（重新生成请加 --force）：")
        self.stdout.write(f"  根证书      {paths.ca_cert}")
        self.stdout.write(f"  签章证书    {paths.signer_cert}")
        self.stdout.write(f"  签章私钥    {paths.signer_key}（权限 0600，未加密）")
        self.stdout.write(f"  PKCS#12     {paths.signer_p12}（无密码）")
        summary = describe_certificate(paths.signer_cert)
        self.stdout.write(f"  主体        {summary.subject}")
        self.stdout.write(f"  有效期      {summary.not_before:%Y-%m-%d} 至 {summary.not_after:%Y-%m-%d}")
        self.stdout.write(f"  SHA-256     {summary.sha256}")

    def _check(self) -> None:
        try:
            signer = configured_signer()
            roots = configured_trust_roots()
            signed = sign_pdf(render_licence_pdf(example_licence()), signer=signer)
        except SigningUnavailable as exc:
            raise CommandError(exc.message) from None
        result = validate_pdf(signed, trust_roots=roots)
        self.stdout.write(f"签章证书：{signer.cert_path}")
        self.stdout.write(f"信任根：{', '.join(str(root) for root in roots)}")
        self.stdout.write(f"签署者：{result.signer_name}")
        if not result.ok:
            raise CommandError(f"核验未通过：{result.message}")
        self.stdout.write(self.style.SUCCESS(f"核验通过：{result.message}"))
