"""Demo enterprises, their licences in the local e-licence library, and cases in every state."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

from django.core.files.storage import Storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from onewindow.accounts.models import Enterprise, Role, User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import Branch, BranchStatus, ClockPause
from onewindow.approvals.services import branch_approve, branch_deny, branch_pause, extension_request
from onewindow.cases.errors import CaseError
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
    plan_snapshot,
)
from onewindow.integrations.elicense.models import LibraryLicence
from onewindow.lib.elicence_id import build_identifier, random_serial
from onewindow.lib.workdays import UnpublishedYearError
from onewindow.licenses.models import ComprehensiveLicense
from onewindow.licenses.services import delivery_choose, delivery_hand_over, licence_issue

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
    ("91429006MA4F00004X", "天门市茶圣宾馆有限公司", "刘洋", "42900619880312002X", "天门市竟陵街道西湖路9号"),
    ("91429006MA4F00005X", "天门市岳口镇汉江旅社", "陈刚", "42900619760908003X", "天门市岳口镇江堤街5号"),
    (
        "92429006MA4F00006X",
        "天门市竟陵街道惠民便利店",
        "赵六",
        "42900619920517004X",
        "天门市竟陵街道东湖路23号",
    ),
    (
        "91429006MA4F00007X",
        "天门市皂市镇荷花山庄有限公司",
        "孙伟",
        "42900619810224005X",
        "天门市皂市镇白龙大道18号",
    ),
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
# A convenience store selling packaged food and cigarettes: the food filing and the tobacco licence.
SHOP_ANSWERS = {
    "premises_leased": "yes",
    "food": "prepackaged",
    "sells_cigarettes": "yes",
    "medical_devices": "no",
    "publications": "no",
    "sign_area": "2",
    "by_agent": "no",
}

FIRE = "fire_safety_check"
SPECIAL_TRADE = "special_trade_hotel_licence"
HYGIENE = "public_place_hygiene_licence"
FOOD = "food_business_licence"


# What a hotel or shop owner would type, by field code, so that a demo case reads like a real one
# to the clerk and the reviewers; a field not named here gets a value of its type.
PLAUSIBLE = {
    "contact_person": "李娜",
    "floors_used": "1—6层",
    "security_manager": "周建国",
    "fire_safety_manager": "吴海涛",
    "fire_facilities": "火灾自动报警系统、室内消火栓、自动喷水灭火系统",
    "hygiene_manager": "陈晓梅",
    "food_business_items": "热食类食品制售",
    "food_safety_officer": "刘芳",
    "equipment_serials": "DT2019-0457、DT2019-0458",
    "equipment_safety_manager": "孙立军",
    "sewer_connection_point": "钟惺大道市政污水检查井W-12",
    "business_area": "2400",
    "disinfection_room_area": "12",
    "food_processing_area": "80",
    "pool_area": "300",
    "staff_count": "35",
    "room_count": "60",
    "bed_count": "96",
    "security_staff_count": "4",
    "cctv_camera_count": "48",
    "max_occupancy": "200",
    "health_certified_staff": "30",
    "equipment_count": "2",
    "pool_count": "1",
    "lifeguard_count": "3",
    "instructor_count": "1",
    "private_room_count": "8",
    "discharge_outlet_count": "1",
    "tobacco_funds": "5",
    "distance_to_school": "650",
    "distance_to_tobacco_retailer": "120",
    "daily_discharge_tonnes": "18",
}


def fill_case(case: Case, user: User) -> None:
    """Fill every form field with plausible values and hand in every material."""
    representative = case.enterprise.legal_representative if case.enterprise else ""
    named = {
        **PLAUSIBLE,
        **(
            {"fire_safety_responsible": representative, "investor_names": representative}
            if representative
            else {}
        ),
    }
    values = {
        "text": "详见申请材料",
        "address": case.enterprise.address if case.enterprise else "天门市竟陵街道钟惺大道88号",
        "number": "10",
        "integer": "10",
        "area": "300",
        # The planned opening: some weeks after the form is filled.
        "date": (timezone.localdate() + timedelta(days=45)).isoformat(),
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
            data[spec["code"]] = named.get(spec["code"], values[spec["type"]])
    case_form_save(case=case, user=user, data=data)
    for row in case.materials.select_related("material"):
        if row.disposition == CaseMaterial.Disposition.SHARED:
            case_material_fetch_shared(case=case, user=user, material_code=row.material.code)
        elif row.disposition == CaseMaterial.Disposition.UPLOAD:
            upload = SimpleUploadedFile(f"{row.material.code}.pdf", DEMO_PDF, content_type="application/pdf")
            case_material_upload(case=case, user=user, material_code=row.material.code, upload=upload)
    if case.plan.get("commitment"):
        case_commitment_sign(case=case, user=user)


@contextmanager
def _clock(moment: datetime) -> Iterator[None]:
    """Run services as at `moment`.

    Services stamp `timezone.now()`; the demo's past is written by setting that clock back while a
    step runs, so that every row, every deadline counted from "today" and every timeline event
    says when it happened, and each event's hash covers the time it carries. Steps of one case
    run in time order, so its timeline reads forward.
    """
    # In UTC, as the database gives times back: an event's hash is recomputed from the stored row.
    utc = moment.astimezone(UTC)
    with mock.patch.object(timezone, "now", return_value=utc):
        yield


class _Past:
    """Moments of the demo's past, counted back from now in working days or minutes."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.calendar = current_calendar()

    def day(self, workdays_ago: int, hour: int, minute: int = 0) -> datetime:
        try:
            day = self.calendar.add(self.today, -workdays_ago).date
        except UnpublishedYearError as exc:
            raise CaseError("calendar_unpublished", exc.message) from None
        return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())

    def ago(self, minutes: int) -> datetime:
        return self.now - timedelta(minutes=minutes)


def demo_cases_create() -> list[Case]:
    """Cases of several enterprises in every state and at different ages, so a newcomer sees a living
    system: a window queue with real waiting times, branches waiting, paused, due soon and overdue,
    an extension to decide, licences issued and handed out.

    Nothing is created when any case exists. All or nothing: a failure (a deadline in a year whose
    holidays are not entered while WORKDAYS_FALLBACK=error) leaves no case and no stored file.
    """
    if Case.objects.exists():
        return []
    city = _DemoCity()
    try:
        with transaction.atomic():
            city.build()
    except BaseException:
        for storage, name in city.files:
            storage.delete(name)
        raise
    return city.cases


class _DemoCity:
    def __init__(self) -> None:
        self.past = _Past()
        self.clerk = User.objects.get(username="clerk")
        self.agent = User.objects.get(username="agent")
        self.issuer = User.objects.get(username="issuer")
        self.supervisor = User.objects.get(username="supervisor")
        self.reviewers = _reviewers_by_department()
        self.cases: list[Case] = []
        self.files: list[tuple[Storage, str]] = []  # written so far: removed if the demo is rolled back

    def build(self) -> None:
        day, ago = self.past.day, self.past.ago
        zhang = User.objects.get(username="applicant")
        enterprises = demo_enterprises_create()
        li, wang, liu, chen, zhao, sun = (_applicant_for(i, enterprises[i]) for i in range(1, 7))
        limits = _limits("hotel", HOTEL_FOUR_ITEMS)

        self.start(day(1, 16, 20), zhang)  # a draft, started yesterday

        # At the window: the clerk files for the applicant and asks, in one notice, for a clearer scan.
        supplement = self.start(day(2, 9, 40), zhang, channel=Channel.WINDOW)
        self.submit(supplement, day(2, 9, 52), self.clerk)
        first = (
            supplement.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD)
            .select_related("material")
            .first()
        )
        if first is not None:
            with _clock(day(2, 10, 30)):
                case_request_supplement(
                    case=supplement,
                    clerk=self.clerk,
                    entries=[{"material": first.material.code, "reason": "扫描件不清晰，请重新扫描上传"}],
                )

        # In approval for a few days: the fire check went through, hygiene is overdue.
        overdue_age = limits[HYGIENE] + 2
        overdue = self.start(day(overdue_age + 1, 14, 0), zhang)
        self.submit(overdue, day(overdue_age + 1, 14, 10), zhang)
        self.accept(overdue, day(overdue_age, 9, 30))
        self.decide(overdue, day(overdue_age - 1, 10, 0), FIRE)

        # Accepted yesterday: special trade waits for the fire check; hygiene stopped for a site check.
        waiting = self.start(day(1, 8, 50), li)
        self.submit(waiting, day(1, 9, 15), li)
        self.accept(waiting, day(1, 14, 0))
        self.pause(
            waiting,
            day(1, 16, 0),
            HYGIENE,
            ClockPause.Reason.SITE_CHECK,
            "已安排到现场核查客房和公共用品清洗消毒间，核查期间暂停计时。",
        )
        # The same hotel applied again the same afternoon: one case per premises at a time.
        refused = self.start(day(1, 15, 20), li)
        self.submit(refused, day(1, 15, 30), li)
        with _clock(day(1, 16, 10)):
            case_refuse(
                case=refused,
                clerk=self.clerk,
                reason=(
                    f"同一经营场所（{li.enterprise.address if li.enterprise else ''}）的旅馆业一业一证申请"
                    f"（办件编号 {waiting.number}）已受理、正在审批中，不能重复申请。"
                    "如需变更申请内容，请联系综合窗口。"
                ),
            )

        # Food is due tomorrow and its reviewer asks the supervisor for more time; special trade is
        # stopped until the applicant sends what was missing.
        due_age = max(limits[FOOD] - 1, 2)
        extended = self.start(day(due_age + 1, 10, 5), zhang)
        self.submit(extended, day(due_age + 1, 10, 20), zhang)
        self.accept(extended, day(due_age, 9, 10))
        self.decide(extended, day(due_age - 1, 9, 40), FIRE, HYGIENE)
        food = self.branch(extended, FOOD)
        with _clock(day(1, 11, 30)):
            extension_request(
                branch_id=food.pk,
                reviewer=self.reviewer(food),
                approver=self.supervisor,
                days=min(5, food.item.statutory_extension_days),
                reason="后厨布局需组织专家论证，论证意见出具前无法作出决定。",
            )
        self.pause(
            extended,
            day(1, 15, 45),
            SPECIAL_TRADE,
            ClockPause.Reason.SUPPLEMENT,
            "请补充客房走廊和出入口视频监控点位图",
        )

        # Decided cases, each having taken plausible working days.
        approved = self.start(day(8, 9, 0), liu)
        self.submit(approved, day(8, 9, 25), liu)
        self.accept(approved, day(7, 11, 20))
        self.decide(approved, day(6, 10, 0), FIRE, HYGIENE, FOOD)
        self.decide(approved, day(3, 15, 0), SPECIAL_TRADE)

        denied = self.start(day(13, 14, 0), chen)
        self.submit(denied, day(13, 14, 30), chen)
        self.accept(denied, day(12, 9, 30))
        self.decide(denied, day(11, 10, 0), FIRE, HYGIENE, FOOD)
        self.decide(denied, day(6, 16, 0), SPECIAL_TRADE, deny=True)

        issued = self.start(day(16, 10, 0), zhang)
        self.submit(issued, day(15, 9, 5), zhang)
        self.accept(issued, day(15, 14, 40))
        self.decide(issued, day(14, 10, 30), FIRE, HYGIENE, FOOD)
        self.decide(issued, day(10, 11, 0), SPECIAL_TRADE)
        self.issue(issued, day(9, 10, 0))

        closed = self.start(day(26, 15, 0), zhang)
        self.submit(closed, day(25, 9, 30), zhang)
        self.accept(closed, day(24, 10, 0))
        self.decide(closed, day(23, 9, 45), FIRE, HYGIENE, FOOD)
        self.decide(closed, day(19, 14, 20), SPECIAL_TRADE)
        licence = self.issue(closed, day(18, 10, 0))
        with _clock(day(18, 16, 30)):
            delivery = delivery_choose(licence=licence, user=zhang, method="pickup")
        with _clock(day(17, 9, 20)):
            delivery_hand_over(licence=licence, staff=self.issuer, pickup_code=delivery.pickup_code)

        # Waiting at the window: filed online by guidance yesterday, at the hall's kiosk two hours
        # ago, online a few minutes ago.
        guided = self.start(day(1, 15, 5), wang, bundle="convenience_store", channel=Channel.GUIDANCE)
        self.submit(guided, day(1, 15, 32), self.agent)
        kiosk = self.start(ago(145), zhao, bundle="convenience_store", channel=Channel.KIOSK)
        self.submit(kiosk, ago(130), zhao)
        online = self.start(ago(40), sun)
        self.submit(online, ago(12), sun)

    def start(
        self, when: datetime, applicant: User, *, bundle: str = "hotel", channel: str = Channel.ONLINE
    ) -> Case:
        assisted: dict[str, User] = {Channel.WINDOW: self.clerk, Channel.GUIDANCE: self.agent}
        assisted_by = assisted.get(channel)
        answers = HOTEL_FOUR_ITEMS if bundle == "hotel" else SHOP_ANSWERS
        with _clock(when):
            case = case_start(
                bundle_code=bundle,
                applicant=applicant,
                answers=answers,
                channel=channel,
                assisted_by=assisted_by,
            )
        self.cases.append(case)
        return case

    def submit(self, case: Case, when: datetime, user: User) -> None:
        with _clock(when):
            fill_case(case, user)
            self.files += [(row.file.storage, row.file.name) for row in case.materials.exclude(file="")]
            case_submit(case=case, user=user, key=f"demo-{case.pk}")
        case.refresh_from_db()

    def accept(self, case: Case, when: datetime) -> None:
        with _clock(when):
            case_accept(case=case, clerk=self.clerk)

    def branch(self, case: Case, item: str) -> Branch:
        return case.branches.select_related("department", "item").get(item__code=item)

    def reviewer(self, branch: Branch) -> User:
        if branch.department.code not in self.reviewers:
            self.reviewers[branch.department.code] = _reviewer_for(branch)
        return self.reviewers[branch.department.code]

    def decide(self, case: Case, when: datetime, *items: str, deny: bool = False) -> None:
        """Approve (or deny) the case's branches of `items`, each a few minutes after the last."""
        for index, item in enumerate(items):
            branch = self.branch(case, item)
            with _clock(when + timedelta(minutes=7 * index)):
                if deny:
                    reason, basis = DEMO_DENIALS.get(
                        branch.department.code,
                        (
                            "经营场所条件不符合许可条件，整改后可重新申请。",
                            (branch.item.legal_basis.splitlines() or [""])[0],
                        ),
                    )
                    branch_deny(
                        branch_id=branch.pk, reviewer=self.reviewer(branch), reason=reason, legal_basis=basis
                    )
                else:
                    branch_approve(
                        branch_id=branch.pk,
                        reviewer=self.reviewer(branch),
                        permit_number="",
                        valid_until=timezone.localdate() + timedelta(days=365 * 4),
                    )

    def pause(self, case: Case, when: datetime, item: str, reason: str, note: str) -> None:
        branch = self.branch(case, item)
        with _clock(when):
            branch_pause(branch_id=branch.pk, reviewer=self.reviewer(branch), reason=reason, note=note)

    def issue(self, case: Case, when: datetime) -> ComprehensiveLicense:
        with _clock(when):
            licence = licence_issue(case=case, issuer=self.issuer)
        if licence.pdf:
            self.files.append((licence.pdf.storage, licence.pdf.name))
        return licence


def _limits(bundle_code: str, answers: dict[str, str]) -> dict[str, int]:
    """Each planned item's working-day limit, as the branches will run on it."""
    from onewindow.bundles.api import plan_for_case

    return {
        entry["code"]: entry.get("limit_days", entry["promised_limit_days"])
        for entry in plan_snapshot(plan_for_case(bundle_code, answers))["items"]
    }


def _applicant_for(index: int, enterprise: Enterprise) -> User:
    """The account (applicant2, applicant3, …) of a demo enterprise's legal representative, who
    files its cases; the enterprise of `applicant` is the first."""
    from onewindow.accounts.services import DEMO_PASSWORD

    user, created = User.objects.get_or_create(
        username=f"applicant{index + 1}",
        defaults={
            "role": Role.APPLICANT,
            "display_name": f"{enterprise.legal_representative}（{enterprise.name}）",
            "applicant_kind": User.ApplicantKind.ENTERPRISE,
            "enterprise": enterprise,
            "id_number": enterprise.legal_representative_id,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


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
                    valid_until=timezone.localdate() + timedelta(days=365 * 4),
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
