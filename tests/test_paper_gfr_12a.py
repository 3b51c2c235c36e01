"""Form GFR 12-A: a utilisation certificate printed for the file and to sign."""

import datetime
import html
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from grants.formatting import format_inr
from grants.models import BudgetLine, Membership, UtilisationCertificate
from grants.paper.render import render_pdf
from grants.reads.certificate_form import gfr_12a, with_form_relations
from tests.factories import (
    BudgetLineFactory,
    InstalmentFactory,
    MembershipFactory,
    ProjectFactory,
    StaffUserFactory,
    UtilisationCertificateFactory,
)
from tests.pdf import pdf_fonts, pdf_text, uncovered_characters

pytestmark = pytest.mark.django_db

TEMPLATE = "paper/gfr_12a.html"

# Column 4: three releases in 2024-25, as (release order, date, amount).
RELEASES = [
    ("MoM/RO/2024/101", datetime.date(2024, 4, 18), 25_00_000),
    ("MoM/RO/2024/214", datetime.date(2024, 9, 3), 12_50_000),
    ("MoM/RO/2025/007", datetime.date(2025, 1, 27), 7_65_432),
]
OPENING, EARNED, REMITTED = 12_34_567, 45_678, 12_345
RECEIVED = sum(amount for _, _, amount in RELEASES)  # 45,15,432
GENERAL, SALARY, CAPITAL = 10_00_000, 20_76_543, 8_00_000
SPENT = GENERAL + SALARY + CAPITAL  # 38,76,543
AVAILABLE = OPENING + EARNED - REMITTED + RECEIVED  # 57,83,332
CLOSING = AVAILABLE - SPENT  # 19,06,789


def certificate_for(project, **kwargs):
    """A 2024-25 certificate naming the three releases of ``RELEASES``."""
    releases = [
        InstalmentFactory(
            project=project,
            sequence=number,
            planned_on=day,
            released_on=day,
            release_order_number=order,
            amount=amount,
        )
        for number, (order, day, amount) in enumerate(RELEASES, start=1)
    ]
    certificate = UtilisationCertificateFactory(
        project=project,
        opening_balance=OPENING,
        interest_earned=EARNED,
        interest_remitted=REMITTED,
        grant_received=RECEIVED,
        expenditure=SPENT,
        expenditure_general=GENERAL,
        expenditure_salary=SALARY,
        expenditure_capital=CAPITAL,
        targets_achieved="Pilot leaching circuit commissioned at 50 kg a day.",
        **kwargs,
    )
    certificate.received_instalments.set(reversed(releases))
    return certificate


@pytest.fixture
def certificate(organisation):
    project = ProjectFactory(organisation=organisation, reference="GFR-REE-0001")
    BudgetLineFactory(project=project, head=BudgetLine.Head.MANPOWER)
    BudgetLineFactory(project=project, head=BudgetLine.Head.EQUIPMENT)
    return certificate_for(project)


@pytest.fixture
def other_certificate(db):
    return certificate_for(ProjectFactory(reference="ELSE-REE-0001"))


def read(certificate):
    fetched = with_form_relations(UtilisationCertificate.objects.all())
    return gfr_12a(fetched.get(pk=certificate.pk))


def context(certificate, *, for_staff=False):
    form = read(certificate)
    return {"form": form, "for_staff": for_staff, "illustrative": form.illustrative}


def render(certificate, language="en", **kwargs) -> bytes:
    with translation.override(language):
        return render_pdf(TEMPLATE, context(certificate, **kwargs))


def inr(amount) -> str:
    return f"₹ {format_inr(amount)}"


def column_row(text: str) -> str:
    """The line of the seven-column table that carries columns 1 to 7."""
    numbers = re.search(r"^\s*1\s+2\s+3\s+4\s+5\s+6\s+7\s*$", text, re.M)
    assert numbers, "the row of column numbers 1 to 7"
    return text[numbers.end() :].strip().splitlines()[0]


def visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# The read ----------------------------------------------------------------------------


def test_the_read_works_out_every_column_as_the_form_defines_it(certificate):
    form = read(certificate)

    assert form.unspent_balance == form.opening.total == OPENING
    assert (form.interest_earned, form.interest_remitted) == (EARNED, REMITTED)
    assert form.grant_received == form.received_total == RECEIVED
    assert form.total_available == OPENING + EARNED - REMITTED + RECEIVED
    assert form.total_available == certificate.total_available
    assert form.closing_balance == form.total_available - form.expenditure == CLOSING
    assert form.closing_balance_computed == certificate.closing_balance
    assert form.components_total == form.expenditure == SPENT
    assert form.closing.total == CLOSING
    assert form.opening.unadjusted_advances == form.closing.unadjusted_advances == 0
    assert form.adds_up


def test_column_4_lists_each_release_by_its_order_number_and_date_in_date_order(
    certificate,
):
    form = read(certificate)

    assert [
        (line.sanction_number, line.released_on, line.amount) for line in form.received
    ] == RELEASES


def test_the_grant_is_recurring_and_non_recurring_when_the_sanction_has_both():
    equipment = ProjectFactory()
    BudgetLineFactory(project=equipment, head=BudgetLine.Head.EQUIPMENT)
    manpower = ProjectFactory()
    BudgetLineFactory(project=manpower, head=BudgetLine.Head.MANPOWER)
    both = ProjectFactory()
    BudgetLineFactory(project=both, head=BudgetLine.Head.TRAVEL)
    BudgetLineFactory(project=both, head=BudgetLine.Head.EQUIPMENT)

    kinds = {
        name: (form.recurring, form.non_recurring)
        for name, form in (
            (name, read(UtilisationCertificateFactory(project=project)))
            for name, project in (
                ("equipment", equipment),
                ("manpower", manpower),
                ("both", both),
            )
        )
    }

    assert kinds == {
        "equipment": (False, True),
        "manpower": (True, False),
        "both": (True, True),
    }


# The paper ---------------------------------------------------------------------------


def test_the_form_prints_columns_1_to_7_in_order_with_indian_grouping(certificate):
    text = pdf_text(render(certificate), layout=True)

    row = column_row(text)
    figures = [OPENING, EARNED, REMITTED, RELEASES[0][2], AVAILABLE, SPENT, CLOSING]
    positions = [row.index(inr(figure)) for figure in figures]
    assert positions == sorted(positions), row
    assert row.index(RELEASES[0][0]) < row.index("18 Apr 2024") < positions[3]
    assert "57,83,332" in row
    assert "19,06,789" in row


def test_the_form_names_every_release_with_its_number_date_and_amount(certificate):
    text = pdf_text(render(certificate), layout=True)

    for order, day, amount in RELEASES:
        line = next(line for line in text.splitlines() if order in line)
        assert day.strftime("%d %b %Y") in line
        assert inr(amount) in line
    assert re.search(rf"Total grant received\s+{re.escape(inr(RECEIVED))}", text)


def test_the_form_follows_the_order_of_gfr_12a_with_every_figure(certificate):
    text = pdf_text(render(certificate))

    items = [
        "Form GFR 12-A",
        "[See Rule 238(1)]",
        "Utilization Certificate for the year 2024-25 in respect of recurring and "
        "non-recurring Grants-in-aid",
        "GFR-REE-0001",
        certificate.project.sanction_order_number,
        "1.",
        "Name of the scheme",
        "Recurring and non-recurring",
        "3.",
        "Grants position at the beginning of the financial year",
        inr(OPENING),
        "4.",
        "Details of grants received",
        "5.",
        "Component-wise utilization of grants",
        inr(GENERAL),
        inr(SALARY),
        inr(CAPITAL),
        inr(SPENT),
        "6.",
        "Details of grants position at the end of the year",
        inr(CLOSING),
        "7.",
        "Certification",
        "(i)",
        "asset registers",
        "(vii)",
        "Annexure I",
        "(viii)",
        "Annexure II",
        "(ix)",
        "Chief Finance Officer (Head of Finance)",
        "Head of the Organisation",
        "Annexure I: performance and targets achieved",
        "Pilot leaching circuit commissioned at 50 kg a day.",
    ]
    at = 0
    for item in items:
        found = text.find(item, at)
        assert found >= 0, f"{item!r} after {text[max(0, at - 60) : at]!r}"
        at = found + len(item)


def test_the_components_add_up_to_the_expenditure_on_the_paper(certificate):
    text = pdf_text(render(certificate), layout=True)

    components = text[text.index("Component-wise utilization") :]
    line = next(line for line in components.splitlines() if inr(GENERAL) in line)
    assert [inr(GENERAL), inr(SALARY), inr(CAPITAL), inr(SPENT)] == re.findall(
        r"₹ [\d,]+", line
    )
    assert GENERAL + SALARY + CAPITAL == SPENT


def test_figures_that_do_not_add_up_are_printed_as_stored_with_a_note(certificate):
    # The database refuses such rows; an older record or an import may still hold one.
    stored = with_form_relations(UtilisationCertificate.objects.all()).get(
        pk=certificate.pk
    )
    stored.closing_balance = CLOSING + 1_000
    stored.expenditure_capital = CAPITAL - 500
    form = gfr_12a(stored)

    assert not form.closing_adds_up
    assert not form.components_add_up
    pdf = render_pdf(TEMPLATE, {"form": form, "for_staff": True})
    text = pdf_text(pdf)
    assert inr(CLOSING + 1_000) in text
    assert (
        f"the closing balance as submitted, {inr(CLOSING + 1_000)}, is not column 5 "
        f"less column 6, which is {inr(CLOSING)}"
    ) in text
    assert f"the components add up to {inr(SPENT - 500)}, not to the expenditure" in (
        text
    )


def test_a_provisional_certificate_says_as_on_its_date(organisation):
    project = ProjectFactory(organisation=organisation)
    provisional = certificate_for(
        project,
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_end=datetime.date(2025, 2, 28),
    )

    text = pdf_text(render(provisional))

    assert "Provisional Utilization Certificate as on 28 Feb 2025" in text


def test_a_certificate_naming_no_release_still_prints_its_grant_received():
    certificate = UtilisationCertificateFactory()

    text = pdf_text(render(certificate), layout=True)

    assert "no release named" in column_row(text)
    assert inr(certificate.grant_received) in column_row(text)


def test_the_staff_copy_says_who_accepted_it_and_when(certificate):
    officer = StaffUserFactory(display_name="Smt. Kavita Rao")
    certificate.status = UtilisationCertificate.Status.ACCEPTED
    certificate.decided_on = datetime.date(2025, 5, 12)
    certificate.decided_by = officer
    certificate.save()

    staff_copy = pdf_text(render(certificate, for_staff=True))
    grantee_copy = pdf_text(render(certificate))

    assert (
        "Accepted by the Ministry of Mines on 12 May 2025 by Smt. Kavita Rao."
        in staff_copy
    )
    assert "Accepted by the Ministry" not in grantee_copy


def test_the_staff_copy_of_a_certificate_under_review_says_it_is_not_accepted(
    certificate,
):
    text = pdf_text(render(certificate, for_staff=True))

    assert "Not accepted yet: submitted on 25 Apr 2025" in text


def test_the_hindi_form_has_its_headings_in_hindi_and_draws_them(certificate):
    # Needs the Hindi of this form in the catalogue.
    with translation.override("hi"):
        page = render_to_string(TEMPLATE, context(certificate))
    pdf = render(certificate, "hi")

    assert "उपयोगिता प्रमाणपत्र" in page
    assert "प्रमाणन" in page
    assert "मुख्य वित्त अधिकारी (वित्त प्रमुख)" in page
    assert "KhanijDeva" in pdf_fonts(pdf)
    assert uncovered_characters(visible_text(page)) == set()
    # Figures and numbers stay as they are in both languages.
    assert inr(AVAILABLE) in pdf_text(pdf)


def test_every_character_of_the_english_form_is_drawn(certificate):
    page = render_to_string(TEMPLATE, context(certificate, for_staff=True))

    assert uncovered_characters(visible_text(page)) == set()


# Who gets which copy -----------------------------------------------------------------


def test_a_grantee_downloads_their_own_certificates_form(
    client, grantee, certificate, django_assert_max_num_queries
):
    client.force_login(grantee)

    url = reverse("portal:certificate-gfr-12a", args=[certificate.pk])
    with django_assert_max_num_queries(9):
        response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "gfr-12a-gfr-ree-0001-2024-25-en.pdf" in response["Content-Disposition"]
    assert inr(AVAILABLE) in pdf_text(response.content)
    assert "Accepted by the Ministry" not in pdf_text(response.content)


def test_another_organisations_form_is_not_found_whatever_the_method(
    client, grantee, other_certificate
):
    client.force_login(grantee)
    url = reverse("portal:certificate-gfr-12a", args=[other_certificate.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert client.head(url).status_code == 404


def test_a_grantee_in_hindi_gets_the_form_in_hindi(client, grantee, certificate):
    grantee.preferred_language = "hi"
    grantee.save()
    client.force_login(grantee)

    response = client.get(reverse("portal:certificate-gfr-12a", args=[certificate.pk]))

    assert response.status_code == 200
    assert "KhanijDeva" in pdf_fonts(response.content)
    assert response["Content-Disposition"].endswith('-hi.pdf"')


def test_staff_get_any_certificates_form(
    client, staff_user, certificate, other_certificate, django_assert_max_num_queries
):
    client.force_login(staff_user)

    for one in (certificate, other_certificate):
        url = reverse("staff:certificate-gfr-12a", args=[one.pk])
        with django_assert_max_num_queries(8):
            response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert one.project.reference in pdf_text(response.content)


def test_the_query_count_does_not_grow_with_the_releases(
    client, staff_user, django_assert_max_num_queries
):
    project = ProjectFactory()
    certificate = certificate_for(project)
    more = [
        InstalmentFactory(
            project=project,
            sequence=10 + n,
            released_on=datetime.date(2024, 6, n + 1),
            release_order_number=f"MoM/RO/X/{n}",
            amount=1_000,
        )
        for n in range(6)
    ]
    certificate.received_instalments.add(*more)
    client.force_login(staff_user)

    with django_assert_max_num_queries(8):
        response = client.get(
            reverse("staff:certificate-gfr-12a", args=[certificate.pk])
        )

    assert response.status_code == 200


def test_a_grantee_cannot_use_the_staff_copy(client, grantee, certificate):
    client.force_login(grantee)

    response = client.get(reverse("staff:certificate-gfr-12a", args=[certificate.pk]))

    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, certificate):
    response = client.get(reverse("portal:certificate-gfr-12a", args=[certificate.pk]))

    assert response.status_code == 302


# Where the pages link to it ----------------------------------------------------------


def test_the_portal_certificate_page_offers_the_form_to_sign_and_where_to_upload_it(
    client, organisation, certificate
):
    finance = MembershipFactory(
        organisation=organisation, role=Membership.Role.FINANCE_OFFICER
    ).user
    client.force_login(finance)

    page = client.get(
        reverse("portal:certificate-detail", args=[certificate.pk])
    ).content.decode()

    assert reverse("portal:certificate-gfr-12a", args=[certificate.pk]) in page
    assert "Download Form GFR 12-A to sign" in page
    upload = reverse("portal:document-upload", args=[certificate.project.pk])
    assert f"{upload}?attach_to=certificate-{certificate.pk}&amp;kind=signed_uc" in page


def test_the_upload_form_opens_on_the_signed_copy_of_the_certificate(
    client, organisation, certificate
):
    finance = MembershipFactory(
        organisation=organisation, role=Membership.Role.FINANCE_OFFICER
    ).user
    client.force_login(finance)

    response = client.get(
        reverse("portal:document-upload", args=[certificate.project.pk]),
        {"attach_to": f"certificate-{certificate.pk}", "kind": "signed_uc"},
    )

    form = response.context["form"]
    assert form["attach_to"].value() == f"certificate-{certificate.pk}"
    assert form["kind"].value() == "signed_uc"


def test_the_staff_review_page_and_list_link_to_the_form(
    client, staff_user, certificate
):
    client.force_login(staff_user)
    url = reverse("staff:certificate-gfr-12a", args=[certificate.pk])

    review = client.get(reverse("staff:certificate-detail", args=[certificate.pk]))
    listing = client.get(reverse("staff:certificate-list"))

    assert url in review.content.decode()
    assert "Form GFR 12-A (PDF)" in review.content.decode()
    assert url in listing.content.decode()


def test_a_returned_certificates_page_says_not_to_sign_that_version(
    client, grantee, certificate
):
    certificate.status = UtilisationCertificate.Status.RETURNED
    certificate.decided_on = datetime.date(2025, 5, 12)
    certificate.return_reason = "Interest earned is missing."
    certificate.save()
    client.force_login(grantee)

    page = client.get(
        reverse("portal:certificate-detail", args=[certificate.pk])
    ).content.decode()

    assert reverse("portal:certificate-gfr-12a", args=[certificate.pk]) in page
    assert "Download Form GFR 12-A to sign" not in page
    assert "Do not sign this version" in page
