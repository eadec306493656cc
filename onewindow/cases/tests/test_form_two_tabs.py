"""The form open in two tabs (or by the applicant and the window at once): pressing 保存 in one keeps
only what that page changed, never the old values of fields saved meanwhile from the other."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.models import Case


class FormFields(HTMLParser):
    """What a browser posts from the page's #case-form: every named input, and each select's choice."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._in_form = found.get("id") == "case-form"
        if not self._in_form or ("name" not in found and tag != "option"):
            return
        if tag == "input" and found.get("type") not in ("submit", "button"):
            self.values[found["name"]] = html.unescape(found.get("value", ""))
        elif tag == "select":
            self._select = found["name"]
            self.values.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in found:
            self.values[self._select] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def posted_by(page: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(page)
    return parser.values


def as_tab(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_saving_the_whole_form_in_one_tab_keeps_what_another_tab_autosaved(draft: Case, alice: User) -> None:
    tab_a, tab_b = as_tab(alice), as_tab(alice)
    page_a = tab_a.get(reverse("cases:form", args=[draft.pk])).content.decode()
    form_a = posted_by(page_a)
    assert form_a["contact_phone"] == ""

    saved = tab_b.post(
        reverse("cases:form_save", args=[draft.pk]), {"contact_phone": "13912345678"}, HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 200

    # Tab A, opened before, changes only the contact person and presses 保存.
    tab_a.post(reverse("cases:form", args=[draft.pk]), {**form_a, "contact_person": "王五", "save": "1"})

    draft.refresh_from_db()
    assert draft.form_data["contact_person"] == "王五"
    assert draft.form_data["contact_phone"] == "13912345678"


@pytest.mark.django_db
def test_a_field_changed_in_the_older_tab_is_saved(draft: Case, alice: User) -> None:
    """The older tab's own change wins: it is what its person just typed."""
    tab_a, tab_b = as_tab(alice), as_tab(alice)
    form_a = posted_by(tab_a.get(reverse("cases:form", args=[draft.pk])).content.decode())
    tab_b.post(
        reverse("cases:form_save", args=[draft.pk]), {"contact_phone": "13912345678"}, HTTP_HX_REQUEST="true"
    )

    tab_a.post(
        reverse("cases:form", args=[draft.pk]), {**form_a, "contact_phone": "13700001111", "save": "1"}
    )

    draft.refresh_from_db()
    assert draft.form_data["contact_phone"] == "13700001111"


@pytest.mark.django_db
def test_emptying_a_field_on_the_page_is_saved(draft: Case, alice: User) -> None:
    tab = as_tab(alice)
    tab.post(reverse("cases:form_save", args=[draft.pk]), {"contact_person": "王五"}, HTTP_HX_REQUEST="true")
    form = posted_by(tab.get(reverse("cases:form", args=[draft.pk])).content.decode())
    assert form["contact_person"] == "王五"

    tab.post(reverse("cases:form", args=[draft.pk]), {**form, "contact_person": "", "save": "1"})

    draft.refresh_from_db()
    assert draft.form_data["contact_person"] == ""


@pytest.mark.django_db
def test_autosave_of_one_field_answers_with_the_field_and_its_new_initial_value(
    draft: Case, alice: User
) -> None:
    """After an autosave the page's initial value is the saved one, so 保存 later does not send it again."""
    tab = as_tab(alice)

    response = tab.post(
        reverse("cases:form_save", args=[draft.pk]), {"contact_phone": "13912345678"}, HTTP_HX_REQUEST="true"
    )

    fragment = response.content.decode()
    assert 'name="initial_contact_phone" value="13912345678"' in fragment
    draft.refresh_from_db()
    assert draft.form_data["contact_phone"] == "13912345678"


@pytest.mark.django_db
def test_a_date_saved_in_another_form_stays_visible_and_is_not_wiped(draft: Case, alice: User) -> None:
    """A date input shows "2026/12/01" (saved through the API) as empty: the page shows it as text."""
    spec = next(s for s in draft.plan["form"] if s["type"] == "date")
    Case.objects.filter(pk=draft.pk).update(form_data={**draft.form_data, spec["code"]: "2026/12/01"})
    tab = as_tab(alice)
    page = tab.get(reverse("cases:form", args=[draft.pk])).content.decode()
    tag = page.split(f'id="input-{spec["code"]}"')[0].rsplit("<input", 1)[1]
    assert 'type="text"' in tag

    tab.post(reverse("cases:form", args=[draft.pk]), {**posted_by(page), "save": "1"})

    draft.refresh_from_db()
    assert draft.form_data[spec["code"]] == "2026/12/01"
