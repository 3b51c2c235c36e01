"""The sanction order and the release order, as PDFs, in English and Hindi."""

import datetime
import html

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from grants.formatting import format_date, format_inr
from grants.models import BudgetLine, Project
from grants.paper.render import html_to_pdf, render_pdf
from grants.paper.words import rupees_in_words
from grants.reads import orders
from tests.factories import (
    BudgetLineFactory,
    InstalmentFactory,
    ProjectFactory,
    UtilisationCertificateFactory,
)
from tests.pdf import pdf_fonts, pdf_text, uncovered_characters, without_hyphens

SANCTION = "paper/sanction_order.html"
RELEASE = "paper/release_order.html"


def sanction_context(project):
    order = orders.sanction_order(
        orders.projects_for_sanction_order().get(pk=project.pk)
    )
    return {"order": order, "illustrative": order.illustrative}


def release_context(instalment):
    order = orders.release_order(instalment)
    return {"order": order, "illustrative": order.illustrative}


def sanction_pdf_text(project) -> str:
    return pdf_text(render_pdf(SANCTION, sanction_context(project)))


def release_pdf_text(instalment) -> str:
    return pdf_text(render_pdf(RELEASE, release_context(instalment)))


def in_hindi(template, make_context, obj) -> str:
    """The document's HTML in Hindi, its data gathered in Hindi too."""
    with translation.override("hi"):
        return render_to_string(template, make_context(obj))


def visible_text(page: str) -> str:
    return html.unescape(strip_tags(page))


def budget(project, lines):
    for head, year, amount in lines:
        BudgetLineFactory(project=project, head=head, project_year=year, amount=amount)


def released(project, sequence, day, **fields):
    return InstalmentFactory(
        project=project,
        sequence=sequence,
        planned_on=day,
        released_on=day,
        release_order_number=f"TEST/RO/{project.pk}/{sequence}",
        **fields,
    )


# The sanction order -------------------------------------------------------------------


def test_every_demo_sanction_order_adds_up_and_states_its_amount_number_and_date(
    demo_portfolio,
):
    projects = list(Project.objects.order_by("reference"))
    assert len(projects) == 11
    for project in projects:
        order = orders.sanction_order(
            orders.projects_for_sanction_order().get(pk=project.pk)
        )
        assert order.budget.grand_total == project.sanctioned_amount, project
        assert order.budget.difference == 0
        text = pdf_text(render_pdf(SANCTION, {"order": order, "illustrative": True}))
        assert format_inr(project.sanctioned_amount) in text, project
        assert rupees_in_words(project.sanctioned_amount, "en") in text, project
        assert project.sanction_order_number in text, project
        assert format_date(project.sanctioned_on) in text, project
        assert "Illustrative demo data" in text


def test_the_sanction_order_groups_equipment_as_non_recurring_and_the_rest_recurring(
    project,
):
    budget(
        project,
        [
            (BudgetLine.Head.EQUIPMENT, 1, 2_000_000),
            (BudgetLine.Head.MANPOWER, 1, 1_000_000),
            (BudgetLine.Head.MANPOWER, 2, 1_000_000),
            (BudgetLine.Head.CONSUMABLES, 2, 2_000_000),
        ],
    )
    order = orders.sanction_order(project)
    non_recurring, recurring = order.budget.groups
    assert [str(row.label) for row in non_recurring.rows] == ["equipment"]
    assert non_recurring.subtotal.cells == [2_000_000, 0]
    assert [str(row.label) for row in recurring.rows] == ["manpower", "consumables"]
    assert recurring.subtotal.cells == [1_000_000, 3_000_000]
    assert order.budget.totals == [3_000_000, 3_000_000]
    assert order.budget.grand_total == project.sanctioned_amount == 6_000_000


def test_a_budget_that_does_not_add_up_to_the_sanction_shows_the_difference(project):
    budget(project, [(BudgetLine.Head.MANPOWER, 1, 5_500_000)])
    order = orders.sanction_order(project)
    assert order.budget.difference == 500_000
    text = sanction_pdf_text(project)
    assert "Difference: amount sanctioned less the budget lines" in text
    assert "5,00,000" in text
    assert "The budget lines add up to ₹ 55,00,000, not to the ₹ 60,00,000" in text


def test_the_sanction_order_states_the_instalments_their_conditions_and_the_gfr_rules(
    project,
):
    InstalmentFactory(
        project=project,
        sequence=1,
        amount=4_000_000,
        planned_on=datetime.date(2024, 4, 15),
        spend_by=datetime.date(2025, 3, 31),
        condition="On signing of the grant agreement.",
    )
    text = sanction_pdf_text(project)
    assert "On signing of the grant agreement." in text
    assert "15 Apr 2024" in text
    assert "31 Mar 2025" in text
    assert "40,00,000" in text
    # Two million of the sixty lakh is in no instalment yet: said, not hidden.
    assert "₹ 20,00,000 of the sanction is not yet in an instalment." in text
    for rule in ("238(1)", "230(7)", "230(16)", "230(8)", "230(9)", "211", "236"):
        assert f"rule {rule}" in text, rule
    assert "Form GFR 12-A" in text
    assert "Form GFR 22" in text
    assert "Consolidated Fund of India" in text
    assert "Under Secretary to the Government of India" in text
    assert "for and on behalf of the President of India" in text
    assert "Pay and Accounts Officer, Ministry of Mines" in text
    assert "Guard file" in text


def test_the_sanction_order_lists_the_reports_due_but_not_review_meetings(
    demo_portfolio,
):
    project = Project.objects.get(reference="DEMO-REE-2324-04")
    order = orders.sanction_order(project)
    kinds = {milestone.kind for milestone in order.schedule}
    assert kinds >= {"progress_report", "utilisation_certificate", "final_report"}
    assert "review_meeting" not in kinds
    due = [milestone.due_on for milestone in order.schedule]
    assert due == sorted(due)


@pytest.mark.parametrize(
    ("amount", "english", "hindi"),
    [
        (
            93_300_000,
            "Rupees Nine Crore Thirty-Three Lakh only",
            "नौ करोड़ तैंतीस लाख रुपये मात्र",
        ),
        (
            1_234_567_891,
            "Rupees One Hundred and Twenty-Three Crore Forty-Five Lakh Sixty-Seven "
            "Thousand Eight Hundred and Ninety-One only",
            "एक सौ तेईस करोड़ पैंतालीस लाख सड़सठ हज़ार आठ सौ इक्यानवे रुपये मात्र",
        ),
    ],
)
def test_the_sanction_order_states_the_amount_in_words_in_english_and_hindi(
    db, amount, english, hindi
):
    assert rupees_in_words(amount, "en") == english
    assert rupees_in_words(amount, "hi") == hindi
    project = ProjectFactory(sanctioned_amount=amount)
    assert without_hyphens(english) in without_hyphens(sanction_pdf_text(project))
    assert hindi in in_hindi(SANCTION, sanction_context, project)


def test_the_hindi_orders_have_hindi_words_embed_the_font_and_draw_every_character(
    demo_portfolio,
):
    project = Project.objects.get(reference="DEMO-REE-2324-04")
    instalment = project.instalments.get(sequence=3)
    for page, words in (
        (in_hindi(SANCTION, sanction_context, project), "पैंतालीस लाख रुपये मात्र"),
        (in_hindi(RELEASE, release_context, instalment), "नौ लाख रुपये मात्र"),
    ):
        assert words in page
        assert uncovered_characters(visible_text(page)) == set()
        assert "KhanijDeva" in pdf_fonts(html_to_pdf(page))


def test_the_hindi_orders_use_the_glossary_terms(project):
    """Waits for the Hindi catalogue: the headings and the body come from it."""
    budget(
        project,
        [
            (BudgetLine.Head.EQUIPMENT, 1, 2_000_000),
            (BudgetLine.Head.MANPOWER, 1, 4_000_000),
        ],
    )
    released(project, 1, datetime.date(2024, 4, 10))
    second = released(project, 2, datetime.date(2025, 6, 1), override_reason="Urgent.")
    sanction = in_hindi(SANCTION, sanction_context, project)
    assert "संस्वीकृति आदेश" in sanction
    assert "भारत के राष्ट्रपति" in sanction
    assert "आवर्ती" in sanction
    assert "अनावर्ती" in sanction
    release = in_hindi(RELEASE, release_context, second)
    assert "निर्मुक्ति आदेश" in release
    assert "उपयोगिता प्रमाणपत्र" in release
    assert "अपवादस्वरूप अनुमति" in release
    # English stays in the Hindi papers only as a heading's twin and typed data.
    assert "I am directed" not in sanction
    assert "I am directed" not in release


# The release order --------------------------------------------------------------------


def test_a_release_order_states_the_release_the_sanction_and_the_money_left(project):
    released(project, 1, datetime.date(2024, 4, 10), amount=3_000_000)
    second = released(project, 2, datetime.date(2025, 6, 1), amount=2_000_000)
    InstalmentFactory(project=project, sequence=3, amount=1_000_000)
    text = release_pdf_text(second)
    assert second.release_order_number in text
    assert "01 Jun 2025" in text
    assert project.sanction_order_number in text
    assert format_date(project.sanctioned_on) in text
    assert "Rupees Twenty Lakh only" in text
    assert "2 of 3" in text
    # 30 lakh before, 50 lakh with this one, 10 lakh of the 60 lakh still to come.
    order = orders.release_order(second)
    assert (order.released_before, order.released_to_date, order.balance) == (
        3_000_000,
        5_000_000,
        1_000_000,
    )
    assert "Released before this order ₹ 30,00,000" in text
    assert "Released to date, including this order ₹ 50,00,000" in text
    assert "Balance of the sanction still to be released ₹ 10,00,000" in text


def test_a_release_order_names_the_utilisation_certificate_that_covered_it(project):
    first = released(project, 1, datetime.date(2024, 4, 10))
    covering = UtilisationCertificateFactory(project=project, accepted=True)
    second = released(
        project,
        2,
        datetime.date(2025, 6, 1),
        covering_certificate=covering,
        low_utilisation_note="Equipment arrived late; spending catches up in Q1.",
    )
    text = release_pdf_text(second)
    assert (
        f"The previous release, of 10 Apr 2024 (order {first.release_order_number})"
        in text
    )
    assert "Form GFR 12-A, annual" in text
    assert "01 Apr 2024 – 31 Mar 2025" in text
    assert "Financial year 2024-25" in text
    assert "Accepted on 12 May 2025" in text
    assert "80.0%: ₹ 16,00,000 spent of ₹ 20,00,000 available" in text
    # The note finance recorded on accepting low utilisation is on the order.
    assert "Equipment arrived late; spending catches up in Q1." in text
    assert "Released by exception." not in text


def test_a_release_with_an_override_shows_the_reason_and_what_was_overridden(
    demo_portfolio,
):
    project = Project.objects.get(reference="DEMO-REE-2324-04")
    instalment = project.instalments.get(sequence=3)
    assert instalment.override_reason
    text = release_pdf_text(instalment)
    assert "Override recorded at release" in text
    assert " ".join(instalment.override_reason.split()) in text
    assert "Overridden: " in text
    assert "Audited statement of expenditure received" in text
    # The conditions that were met say when.
    assert "Met: accepted on" in text


def test_a_release_without_a_covering_uc_says_it_was_released_by_exception(project):
    first = released(project, 1, datetime.date(2024, 4, 10))
    second = released(
        project,
        2,
        datetime.date(2025, 6, 1),
        override_reason="Field season cannot wait; UC promised by 30 June.",
    )
    order = orders.release_order(second)
    assert order.uc_overridden
    text = release_pdf_text(second)
    assert "Released by exception." in text
    assert "Field season cannot wait; UC promised by 30 June." in text
    assert f"order {first.release_order_number}" in text


def test_the_first_release_needs_no_covering_uc(project):
    first = released(project, 1, datetime.date(2024, 4, 10))
    order = orders.release_order(first)
    assert order.is_first_release
    assert not order.uc_overridden
    assert "This is the first release of the grant" in release_pdf_text(first)


def test_an_unreleased_instalment_has_no_release_order(client, staff_user, project):
    instalment = InstalmentFactory(project=project)
    client.force_login(staff_user)
    url = reverse("staff:release-order", args=[instalment.pk])
    assert client.get(url).status_code == 404
    with pytest.raises(ValueError, match="released"):
        orders.release_order(instalment)


# The views ----------------------------------------------------------------------------


def test_staff_get_both_orders_as_pdf(client, staff_user, project):
    instalment = released(project, 1, datetime.date(2024, 4, 10))
    client.force_login(staff_user)
    response = client.get(reverse("staff:sanction-order", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "sanction-order-test-ree-" in response["Content-Disposition"]
    response = client.get(reverse("staff:release-order", args=[instalment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "release-order-test-ro-" in response["Content-Disposition"]


def test_a_grantee_gets_403_and_an_anonymous_visitor_the_login(client, grantee):
    project = ProjectFactory(organisation=grantee.memberships.get().organisation)
    instalment = released(project, 1, datetime.date(2024, 4, 10))
    urls = [
        reverse("staff:sanction-order", args=[project.pk]),
        reverse("staff:release-order", args=[instalment.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
    client.force_login(grantee)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.get("Content-Type") != "application/pdf"


def test_the_orders_run_a_bounded_number_of_queries(
    client, demo_portfolio, django_assert_max_num_queries, staff_user
):
    # DEMO-REE-2324-04 has the most: three releases, eight conditions, an override.
    project = Project.objects.get(reference="DEMO-REE-2324-04")
    instalment = project.instalments.get(sequence=3)
    client.force_login(staff_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("staff:sanction-order", args=[project.pk]))
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(reverse("staff:release-order", args=[instalment.pk]))
    assert response.status_code == 200


def test_released_instalments_link_to_their_release_order(client, staff_user, project):
    released_one = released(project, 1, datetime.date(2024, 4, 10))
    unreleased = InstalmentFactory(project=project, sequence=2)
    client.force_login(staff_user)
    page = client.get(reverse("staff:project-detail", args=[project.pk])).content
    page = page.decode()
    assert reverse("staff:sanction-order", args=[project.pk]) in page
    assert reverse("staff:release-order", args=[released_one.pk]) in page
    assert reverse("staff:release-order", args=[unreleased.pk]) not in page
    listing = client.get(reverse("staff:instalment-list")).content.decode()
    assert reverse("staff:release-order", args=[released_one.pk]) in listing
    assert reverse("staff:release-order", args=[unreleased.pk]) not in listing
