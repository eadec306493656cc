"""Demo enterprises, their licences in the local e-licence library, and cases in every state."""

from __future__ import annotations

import base64
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from onewindow.accounts.models import Enterprise, Role, User
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.approvals.services import branch_approve, branch_deny
from onewindow.cases.models import Case, CaseMaterial, Channel
from onewindow.cases.services import (
    case_accept,
    case_commitment_sign,
    case_form_save,
    case_material_fetch_shared,
    case_material_upload,
    case_refuse,
    case_request_supplement,
    case_start,
    case_submit,
)
from onewindow.integrations.elicense.models import LibraryLicence
from onewindow.lib.elicence_id import build_identifier, random_serial

# A valid one-page PDF (hand-written, 1 KB) used as the demo's scanned documents.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)
# A 1x1 PNG.
DEMO_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

# Demo enterprises: (USCC, name, legal representative, representative's ID, address).
DEMO_ENTERPRISES = [
    (
        "91429006MA4F000018",
        "天门市悦来宾馆有限公司",
        "张三",
        "34052419800101001X",
        "天门市竟陵街道钟惺大道88号",
    ),
    (
        "91429006MA4F00002Y",
        "天门市陆羽茶文化酒店有限公司",
        "李四",
        "42900619850615123X",
        "天门市竟陵街道陆羽大道16号",
    ),
    ("91429006MA4F00003C", "天门市岳口镇便民超市", "王五", "429006199002021233", "天门市岳口镇正街12号"),
]


# Why the demo's denied case was denied, by department: a reason and the law its department applies.
DEMO_DENIALS = {
    "429006-ga": (
        "未按规定安装旅馆业治安管理信息系统，客房走廊和出入口未设置视频监控。",
        "《旅馆业治安管理办法》第四条",
    ),
    "429006-yc": (
        "经营场所与周边中小学校的距离不符合本地烟草制品零售点布局规定。",
        "《烟草专卖许可证管理办法》第十六条",
    ),
}


def enterprise_uscc(body: str) -> str:
    from onewindow.lib.idcheck import uscc_check_char

    return body[:17] + uscc_check_char(body[:17])


def id_number(body: str) -> str:
    from onewindow.lib.idcheck import id_check_char

    return body[:17] + id_check_char(body[:17])


@transaction.atomic
def demo_enterprise_create(
    index: int, raw_uscc: str, name: str, representative: str, raw_id: str, address: str
) -> Enterprise:
    """One enterprise (check digits completed), its business licence, its legal representative's
    certificate and ID card in the e-licence library. `index` tells apart the licences' type codes."""
    uscc = enterprise_uscc(raw_uscc)
    rep_id = id_number(raw_id)
    enterprise, _created = Enterprise.objects.update_or_create(
        uscc=uscc,
        defaults={
            "name": name,
            "legal_representative": representative,
            "legal_representative_id": rep_id,
            "address": address,
        },
    )
    for licence_type, number, holder_code, holder_code_type in [
        ("营业执照", uscc, uscc, "001"),
        ("法定代表人身份证明", rep_id, uscc, "001"),
        ("居民身份证", rep_id, rep_id, "111"),
    ]:
        identifier = build_identifier(
            type_code="11100000000013338W" + f"{index + 1:03d}",
            issuer_code="11429006MB1234567X"[:17] + "0",
            serial=random_serial(),
            version=1,
        )
        LibraryLicence.objects.get_or_create(
            holder_code=holder_code,
            licence_type=licence_type,
            defaults={
                "identifier": identifier,
                "licence_number": number,
                "holder_name": representative if holder_code_type == "111" else name,
                "holder_code_type": holder_code_type,
                "issuer": "天门市市场监督管理局" if licence_type != "居民身份证" else "天门市公安局",
                "issued_on": date(2021, 3, 1),
                "valid_until": None if licence_type != "居民身份证" else date(2036, 3, 1),
            },
        )
    return enterprise


@transaction.atomic
def demo_enterprises_create() -> list[Enterprise]:
    """Demo enterprises (valid check digits), with business licences and IDs in the library."""
    enterprises = [
        demo_enterprise_create(index, *enterprise) for index, enterprise in enumerate(DEMO_ENTERPRISES)
    ]
    applicant = User.objects.filter(username="applicant").first()
    if applicant is not None:
        applicant.applicant_kind = User.ApplicantKind.ENTERPRISE
        applicant.enterprise = enterprises[0]
        applicant.id_number = enterprises[0].legal_representative_id
        applicant.phone = "13800138000"
        applicant.save(update_fields=["applicant_kind", "enterprise", "id_number", "phone"])
    return enterprises


# Special trade, fire safety and hygiene always; breakfast adds the food business licence.
HOTEL_FOUR_ITEMS = {"food": "breakfast", "premises_leased": "yes", "use_commitment": "yes"}


def fill_case(case: Case, user: User) -> None:
    """Fill every form field with plausible values and hand in every material."""
    values = {
        "text": "按实际情况填写",
        "address": case.enterprise.address if case.enterprise else "天门市竟陵街道钟惺大道88号",
        "number": "10",
        "integer": "10",
        "area": "1200",
        "date": "2026-12-01",
        "phone": "13800138000",
        "uscc": case.holder_code,
        "id_number": case.enterprise.legal_representative_id if case.enterprise else case.holder_code,
    }
    data = {}
    for spec in case.plan["form"]:
        if case.form_data.get(spec["code"]):
            continue
        if spec["type"] == "choice":
            data[spec["code"]] = spec["choices"][0]
        else:
            data[spec["code"]] = values[spec["type"]]
    case_form_save(case=case, user=user, data=data)
    for row in case.materials.select_related("material"):
        if row.disposition == CaseMaterial.Disposition.SHARED:
            case_material_fetch_shared(case=case, user=user, material_code=row.material.code)
        elif row.disposition == CaseMaterial.Disposition.UPLOAD:
            upload = SimpleUploadedFile(f"{row.material.code}.pdf", DEMO_PDF, content_type="application/pdf")
            case_material_upload(case=case, user=user, material_code=row.material.code, upload=upload)
    if case.plan.get("commitment"):
        case_commitment_sign(case=case, user=user)


def demo_cases_create() -> list[Case]:
    """One case in every state, so a newcomer sees a living system."""
    if Case.objects.exists():
        return []
    applicant = User.objects.get(username="applicant")
    clerk = User.objects.get(username="clerk")
    reviewers = _reviewers_by_department()
    cases = []

    def started(answers: dict[str, str], channel: str = Channel.ONLINE) -> Case:
        case = case_start(
            bundle_code="hotel",
            applicant=applicant,
            answers=answers,
            channel=channel,
            assisted_by=clerk if channel == Channel.WINDOW else None,
        )
        cases.append(case)
        return case

    started(HOTEL_FOUR_ITEMS)  # a draft
    submitted = started(HOTEL_FOUR_ITEMS)
    fill_case(submitted, applicant)
    case_submit(case=submitted, user=applicant, key=f"demo-{submitted.pk}")

    supplement = started(HOTEL_FOUR_ITEMS, Channel.WINDOW)
    fill_case(supplement, clerk)
    case_submit(case=supplement, user=clerk, key=f"demo-{supplement.pk}")
    first = (
        supplement.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD)
        .select_related("material")
        .first()
    )
    if first is not None:
        case_request_supplement(
            case=supplement,
            clerk=clerk,
            entries=[{"material": first.material.code, "reason": "扫描件不清晰，请重新扫描上传"}],
        )

    refused = started({})
    fill_case(refused, applicant)
    case_submit(case=refused, user=applicant, key=f"demo-{refused.pk}")
    case_refuse(
        case=refused, clerk=clerk, reason="申请经营场所不在本市行政区域内，请向所在地政务服务中心申请。"
    )

    for outcome in ("in_approval", "approved", "denied", "issued", "closed"):
        case = started(HOTEL_FOUR_ITEMS)
        fill_case(case, applicant)
        case_submit(case=case, user=applicant, key=f"demo-{case.pk}")
        case_accept(case=case, clerk=clerk)
        if outcome == "in_approval":
            branch = case.branches.filter(status=BranchStatus.PENDING).select_related("department").first()
            if branch and branch.department.code in reviewers:
                branch_approve(
                    branch_id=branch.pk,
                    reviewer=reviewers[branch.department.code],
                    permit_number="",
                    valid_until=date.today() + timedelta(days=365 * 4),
                )
            continue
        _decide_all(case, reviewers, deny=outcome == "denied")
        if outcome in ("issued", "closed"):
            from onewindow.licenses.services import delivery_choose, delivery_hand_over, licence_issue

            issuer = User.objects.get(username="issuer")
            licence = licence_issue(case=case, issuer=issuer)
            if outcome == "closed":
                delivery = delivery_choose(licence=licence, user=applicant, method="pickup")
                delivery_hand_over(licence=licence, staff=issuer, pickup_code=delivery.pickup_code)
    return cases


def approve_all(case: Case) -> None:
    """Approve every branch of an accepted case, releasing dependants as they open."""
    _decide_all(case, _reviewers_by_department(), deny=False)


def _reviewers_by_department() -> dict[str, User]:
    reviewers = User.objects.filter(role=Role.REVIEWER, department__isnull=False).select_related("department")
    return {u.department.code: u for u in reviewers if u.department is not None}


def _decide_all(case: Case, reviewers: dict[str, User], *, deny: bool) -> None:
    for _round in range(5):
        pending = list(case.branches.filter(status=BranchStatus.PENDING).select_related("department", "item"))
        if not pending:
            return
        for index, branch in enumerate(pending):
            reviewer = reviewers.get(branch.department.code) or _reviewer_for(branch)
            reviewers[branch.department.code] = reviewer
            if deny and index == 0 and branch.department.code != "429006-xf":
                reason, basis = DEMO_DENIALS.get(
                    branch.department.code,
                    (
                        "经营场所条件不符合许可条件，整改后可重新申请。",
                        (branch.item.legal_basis.splitlines() or [""])[0],
                    ),
                )
                branch_deny(branch_id=branch.pk, reviewer=reviewer, reason=reason, legal_basis=basis)
            else:
                branch_approve(
                    branch_id=branch.pk,
                    reviewer=reviewer,
                    permit_number="",
                    valid_until=date.today() + timedelta(days=365 * 4),
                )


def _reviewer_for(branch: Branch) -> User:
    """A demo reviewer for a department that the fixed cast does not cover."""
    from onewindow.accounts.services import DEMO_PASSWORD

    reviewer, created = User.objects.get_or_create(
        username=f"reviewer_{branch.department.code.split('-')[-1]}",
        defaults={
            "role": Role.REVIEWER,
            "department": branch.department,
            "display_name": f"{branch.department.short_name}审批员",
        },
    )
    if created:
        reviewer.set_password(DEMO_PASSWORD)
        reviewer.save(update_fields=["password"])
    return reviewer
