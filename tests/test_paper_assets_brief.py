"""Form GFR 22 on paper (staff and portal) and the one-page project brief."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from grants.formatting import format_inr
from grants.models import (
    Asset,
    AssetDisposal,
    BudgetLine,
    Milestone,
    Project,
    User,
    UtilisationCertificate,
)
from grants.reads import briefs, registers_assets
from grants.views.staff import tables
from tests.conftest import DEMO_DATE
from tests.factories import (
    AssetDisposalFactory,
    AssetFactory,
    BudgetLineFactory,
    InstalmentFactory,
    MilestoneFactory,
    ProgressReportFactory,
    ProjectFactory,
    UtilisationCertificateFactory,
)
from tests.pdf import pdf_fonts, pdf_pages, pdf_text, uncovered_characters

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

REGISTER = reverse("staff:asset-register")


def get_pdf(client, url, user, language="en"):
    """GET a document as a user who reads ``language``; the response, checked."""
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return response.content


def lines(pdf: bytes) -> list[str]:
    """The page's lines as laid out, each with its whitespace folded."""
    text = pdf_text(pdf, layout=True)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def rupees(amount: int) -> str:
    """An amount as the paper prints it, without the rupee sign: 18,50,000."""
    return format_inr(amount)


@pytest.fixture
def furnace_project(organisation):
    project = ProjectFactory(
        organisation=organisation, ongoing=True, reference="TEST-REE-FURNACE"
    )
    equipment = BudgetLineFactory(
        project=project, head=BudgetLine.Head.EQUIPMENT, amount=3_000_000
    )
    AssetFactory(
        project=project,
        particulars="Vacuum induction furnace, 25 kg a batch",
        bill_number="TPS/2024-25/118",
        cost=1_850_000,
        budget_line=equipment,
    )
    AssetFactory(
        project=project,
        particulars="Glove box with argon purifier",
        bill_number="IAI/0712/24",
        cost=235_000,
        acquired_on=datetime.date(2024, 7, 12),
    )
    return project


@pytest.fixture
def other_project():
    project = ProjectFactory(ongoing=True, reference="TEST-REE-OTHER")
    AssetFactory(
        project=project,
        particulars="Portable XRF analyser",
        bill_number="GI/24/0561",
        cost=1_480_000,
    )
    return project


# Form GFR 22, staff -------------------------------------------------------------------


def test_the_gfr_22_pdf_lists_every_assets_particulars_bill_and_cost_with_totals(
    client, staff_user, furnace_project, other_project
):
    pdf = get_pdf(client, f"{REGISTER}?_export=pdf", staff_user)

    text = pdf_text(pdf)
    for asset in Asset.objects.all():
        assert asset.particulars in text
        assert asset.bill_number in text
        assert rupees(asset.cost) in text
    headings = [
        "1. Date",
        "2. Particulars of the asset",
        "3. Supplier's name and address",
        "4. Bill number and date",
        "5. Cost of the asset",
        "6. Location of the asset",
        "7. Remarks",
    ]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)
    # Grouped by project, each with its total, then the total of all.
    assert text.index("TEST-REE-FURNACE") < text.index("TEST-REE-OTHER")
    laid_out = lines(pdf)
    assert f"Total cost, TEST-REE-FURNACE ₹ {rupees(2_085_000)}" in laid_out
    assert f"Total cost, TEST-REE-OTHER ₹ {rupees(1_480_000)}" in laid_out
    assert f"Total cost, all 2 projects ₹ {rupees(3_565_000)}" in laid_out


def test_the_project_filter_narrows_the_pdf_to_one_project_by_id_or_reference(
    client, staff_user, furnace_project, other_project
):
    for value in (furnace_project.pk, furnace_project.reference):
        pdf = get_pdf(client, f"{REGISTER}?project={value}&_export=pdf", staff_user)

        text = pdf_text(pdf)
        assert "Vacuum induction furnace" in text
        assert "Portable XRF analyser" not in text
        assert "all 2 projects" not in text


def test_the_project_filter_still_searches_titles_for_a_typed_word(
    client, staff_user, furnace_project, other_project
):
    Project.objects.filter(pk=other_project.pk).update(title="Monazite survey")
    client.force_login(staff_user)

    page = client.get(f"{REGISTER}?project=monazite").content.decode()

    assert "Portable XRF analyser" in page
    assert "Vacuum induction furnace" not in page


def test_the_register_page_links_its_filtered_rows_as_pdf(
    client, staff_user, furnace_project
):
    client.force_login(staff_user)

    page = client.get(f"{REGISTER}?project={furnace_project.pk}").content.decode()

    assert f"?project={furnace_project.pk}&amp;_export=pdf" in page


def test_the_remarks_say_the_budget_line_and_where_each_disposal_stands(
    client, staff_user, furnace_project, finance_officer
):
    furnace, glove_box = furnace_project.assets.order_by("acquired_on")
    AssetDisposalFactory(asset=glove_box, requested_on=datetime.date(2026, 11, 12))
    AssetDisposalFactory(
        asset=furnace,
        kind=AssetDisposal.Kind.TRANSFER,
        status=AssetDisposal.Status.REFUSED,
        requested_on=datetime.date(2026, 9, 1),
        decided_on=datetime.date(2026, 9, 10),
        decided_by=finance_officer,
        decision_comment="Still needed for the pilot runs.",
    )

    with translation.override("en"):
        register = registers_assets.asset_register(Asset.objects.all())
    pdf = get_pdf(client, f"{REGISTER}?_export=pdf", staff_user)

    remarks = {line.asset: line.remarks for line in register.groups[0].lines}
    assert remarks[furnace] == [
        "Funded from: equipment, year 1",
        "Transfer to another body asked for on 01 Sep 2026: refused 10 Sep 2026. "
        "The ministry: Still needed for the pilot runs.",
    ]
    assert remarks[glove_box] == [
        "Write-off (unserviceable) asked for on 12 Nov 2026: waiting for the "
        "ministry's decision"
    ]
    text = pdf_text(pdf)
    assert "Funded from: equipment, year 1" in text
    assert "Still needed for the pilot runs." in text
    assert "waiting for the ministry's decision" in text


def test_a_disposed_asset_says_its_disposition_proceeds_and_date(furnace_project):
    Asset.objects.filter(particulars__startswith="Glove box").update(
        disposition=Asset.Disposition.SOLD,
        sale_proceeds=90_000,
        disposed_on=datetime.date(2026, 10, 1),
        disposition_note="Sold by auction to the institute's workshop.",
    )

    register = registers_assets.asset_register(Asset.objects.all())

    glove_box = register.groups[0].lines[1]
    assert glove_box.remarks == [
        "Disposition: sold, proceeds to the ministry (₹\u00a090,000), 01 Oct 2026",
        "Sold by auction to the institute's workshop.",
    ]


def test_more_assets_than_a_pdf_holds_send_the_officer_back_to_filter(
    client, staff_user, furnace_project, monkeypatch
):
    monkeypatch.setattr(tables.AssetRegisterView, "pdf_row_limit", 1)
    client.force_login(staff_user)

    response = client.get(f"{REGISTER}?organisation=Institute&_export=pdf", follow=True)

    assert response.redirect_chain == [(f"{REGISTER}?organisation=Institute", 302)]
    assert "More than 1 assets" in response.content.decode()


def test_the_staff_register_pdf_and_the_brief_refuse_a_grantee(
    client, grantee, furnace_project
):
    client.force_login(grantee)

    assert client.get(f"{REGISTER}?_export=pdf").status_code == 403
    brief = reverse("staff:project-brief", args=[furnace_project.pk])
    assert client.get(brief).status_code == 403


def test_the_staff_register_pdf_reads_a_fixed_number_of_queries(
    client, staff_user, furnace_project, other_project, django_assert_max_num_queries
):
    def count():
        client.force_login(staff_user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{REGISTER}?_export=pdf").status_code == 200
        return len(queries)

    few = count()
    for _ in range(6):
        asset = AssetFactory(project=ProjectFactory(ongoing=True))
        AssetDisposalFactory(asset=asset)
    assert count() == few
    with django_assert_max_num_queries(10):
        client.get(f"{REGISTER}?_export=pdf")


# Form GFR 22, portal ------------------------------------------------------------------


def test_the_portal_pdf_has_only_the_grantees_own_projects_assets(
    client, grantee, furnace_project, other_project, django_assert_max_num_queries
):
    url = reverse("portal:assets-pdf", args=[furnace_project.pk])
    pdf = get_pdf(client, url, grantee)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200

    text = pdf_text(pdf)
    assert "Vacuum induction furnace" in text
    assert "Glove box with argon purifier" in text
    assert f"Total cost, TEST-REE-FURNACE ₹ {rupees(2_085_000)}" in lines(pdf)
    assert "Portable XRF analyser" not in text


def test_another_organisations_register_pdf_is_a_404(client, grantee, other_project):
    client.force_login(grantee)

    response = client.get(reverse("portal:assets-pdf", args=[other_project.pk]))

    assert response.status_code == 404


def test_the_portal_register_page_links_its_pdf(client, grantee, furnace_project):
    client.force_login(grantee)

    page = client.get(reverse("portal:assets", args=[furnace_project.pk]))

    assert (
        reverse("portal:assets-pdf", args=[furnace_project.pk]) in page.content.decode()
    )


def test_an_empty_register_still_names_its_project(client, grantee, organisation):
    project = ProjectFactory(organisation=organisation, ongoing=True)

    pdf = get_pdf(client, reverse("portal:assets-pdf", args=[project.pk]), grantee)

    text = pdf_text(pdf)
    assert project.reference in text
    assert "No asset is on the register." in text


def test_the_hindi_register_has_hindi_headings_and_embeds_the_devanagari_font(
    client, staff_user, furnace_project
):
    with translation.override("hi"):
        register = registers_assets.asset_register(Asset.objects.all())
        html = render_to_string(
            "paper/asset_register.html",
            {"register": register, "today": DEMO_DATE, "illustrative": False},
        )
    pdf = get_pdf(client, f"{REGISTER}?_export=pdf", staff_user, "hi")

    assert "अचल परिसंपत्ति रजिस्टर" in html
    assert "2. परिसंपत्ति का विवरण" in html
    assert "5. परिसंपत्ति की लागत" in html
    assert uncovered_characters(strip_tags(html)) == set()
    assert "KhanijDeva" in pdf_fonts(pdf)
    assert rupees(2_085_000) in pdf_text(pdf)


# The project brief --------------------------------------------------------------------


def brief_url(project) -> str:
    return reverse("staff:project-brief", args=[project.pk])


@pytest.mark.usefixtures("demo_portfolio")
def test_every_demo_brief_is_one_page_in_both_languages_with_what_its_page_shows(
    client, staff_user
):
    """One seeding of the demo for both checks: it is the slow part."""
    projects = list(Project.objects.order_by("reference"))
    assert len(projects) >= 10
    overdue_seen = 0
    for project in projects:
        hindi = get_pdf(client, brief_url(project), staff_user, "hi")
        english = get_pdf(client, brief_url(project), staff_user, "en")
        assert (pdf_pages(english), pdf_pages(hindi)) == (1, 1), project.reference
        assert "KhanijDeva" in pdf_fonts(hindi)

        page = client.get(reverse("staff:project-detail", args=[project.pk]))
        shown = page.context["project"]
        text = pdf_text(english)
        # pdftotext drops the no-break space after the rupee sign before one digit.
        amounts = text.replace("₹ ", "₹")
        assert project.reference in text
        for amount in (
            shown.sanctioned_amount,
            shown.released_total,
            shown.pending_total,
        ):
            assert f"₹{rupees(amount)}" in amounts, (project.reference, amount)
        next_state = page.context["next_state"]
        if next_state is not None:
            assert f"Next: instalment {next_state.instalment.sequence}" in text
        for milestone in page.context["milestones"]:
            if milestone.days_overdue:
                overdue_seen += 1
                days = milestone.days_overdue
                assert f"{days} day{'s' if days > 1 else ''} overdue" in text
                assert milestone.due_on.strftime("%d %b %Y") in text
    assert overdue_seen, "the demo has overdue milestones to show"


def test_the_brief_names_the_project_its_people_trl_and_latest_accepted_report(
    client, staff_user
):
    project = ProjectFactory(
        ongoing=True, title_hi="पुच्छों से दुर्लभ मृदा की पुनर्प्राप्ति", trl_now=4
    )
    InstalmentFactory(project=project, sequence=1, released=True, amount=2_000_000)
    InstalmentFactory(
        project=project,
        sequence=2,
        amount=1_500_000,
        planned_on=datetime.date(2027, 1, 10),
    )
    UtilisationCertificateFactory(project=project, accepted=True)
    accepted = ProgressReportFactory(
        milestone=MilestoneFactory(project=project, status=Milestone.Status.ACCEPTED),
        status="accepted",
        decided_on=datetime.date(2025, 11, 5),
        narrative="Bench-scale leaching recovered 82 per cent of the neodymium.",
        publications=3,
    )
    ProgressReportFactory(
        milestone=MilestoneFactory(project=project, status=Milestone.Status.SUBMITTED),
        period_start=datetime.date(2025, 10, 1),
        period_end=datetime.date(2026, 3, 31),
        narrative="A later report the ministry has not decided on.",
    )

    text = pdf_text(get_pdf(client, brief_url(project), staff_user))

    assert project.title in text
    assert project.principal_investigator.get_full_name() in text
    assert project.programme_officer.get_full_name() in text
    assert "TRL 3 at the start, TRL 4 now, TRL 5 targeted." in text
    assert accepted.narrative in text
    assert "A later report" not in text
    assert "Publications: 3" in text
    assert f"closing balance ₹ {rupees(400_000)}, 80.0% utilised" in text
    assert f"Next: instalment 2, ₹ {rupees(1_500_000)}, planned 10 Jan 2027" in text


def crowded_project() -> Project:
    """A project with more to say than a page holds: long texts, long lists."""
    project = ProjectFactory(
        ongoing=True,
        title="Recovery of rare earth elements " * 9,
        title_hi="दुर्लभ मृदा तत्वों की पुनर्प्राप्ति " * 8,
        abstract="Hydrometallurgical recovery of neodymium and praseodymium. " * 40,
    )
    InstalmentFactory(project=project, released=True, amount=2_000_000)
    InstalmentFactory(project=project, amount=2_000_000)
    for number in range(12):
        MilestoneFactory(
            project=project,
            title=f"Quarterly technical deliverable number {number} " * 3,
            due_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=20 * number),
        )
    for year in range(5):
        UtilisationCertificateFactory(
            project=project,
            kind=UtilisationCertificate.Kind.PROVISIONAL,
            period_end=datetime.date(2025, 4 + year, 30),
            submitted_on=datetime.date(2025, 5 + year, 10),
        )
    ProgressReportFactory(
        milestone=MilestoneFactory(project=project, status=Milestone.Status.SUBMITTED),
        narrative="The pilot plant ran continuously for six weeks. " * 200,
    )
    return project


def test_the_brief_cuts_what_a_page_cannot_hold_and_stays_one_page(client, staff_user):
    project = crowded_project()

    for language in ("en", "hi"):
        pdf = get_pdf(client, brief_url(project), staff_user, language)
        assert pdf_pages(pdf) == 1, language
    text = pdf_text(get_pdf(client, brief_url(project), staff_user))
    assert "and 8 more" in text  # of the 12 overdue milestones, 4 are listed
    assert "…" in text


def test_the_brief_reads_a_fixed_number_of_queries(
    client, staff_user, django_assert_max_num_queries
):
    project = crowded_project()
    client.force_login(staff_user)
    client.get(brief_url(project))

    with django_assert_max_num_queries(16):
        response = client.get(brief_url(project))

    assert response.status_code == 200


def test_the_hindi_brief_has_hindi_headings_and_embeds_the_devanagari_font(
    client, staff_user
):
    project = crowded_project()
    with translation.override("hi"):
        brief = briefs.project_brief(
            briefs.brief_projects().get(pk=project.pk), on=DEMO_DATE
        )
        html = render_to_string(
            "paper/project_brief.html", {"brief": brief, "illustrative": True}
        )
    pdf = get_pdf(client, brief_url(project), staff_user, "hi")

    assert "वित्त" in html  # Finance
    assert "संस्वीकृत राशि" in html  # Sanctioned
    assert "अव्ययित शेष" in html  # Unspent held
    assert "परियोजना सार" in html  # Project brief for the committee
    assert uncovered_characters(strip_tags(html)) == set()
    assert "KhanijDeva" in pdf_fonts(pdf)


def test_the_staff_project_page_links_the_brief_and_the_projects_asset_register(
    client, staff_user, furnace_project
):
    client.force_login(staff_user)

    page = client.get(reverse("staff:project-detail", args=[furnace_project.pk]))

    html = page.content.decode()
    assert brief_url(furnace_project) in html
    assert f"{REGISTER}?project={furnace_project.pk}" in html
    assert f"{REGISTER}?project={furnace_project.pk}&amp;_export=pdf" in html
