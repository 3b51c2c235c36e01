"""Committee members at work: an expert declares and scores; the expert from a
grantee institution never sees its item; the member secretary records the outcome."""

import datetime

import pytest
from playwright.sync_api import expect

from grants.models import AgendaItem, Meeting, Score
from tests.browser.conftest import axe_violations, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PERC_DAY = datetime.date(2026, 12, 10)


def upcoming_item(reference):
    return AgendaItem.objects.get(
        meeting__held_on=PERC_DAY, project__reference=reference
    )


def test_an_expert_declares_then_reads_the_papers_and_scores(open_page, demo_site):
    item = upcoming_item("DEMO-REE-2324-05")
    page = open_page(bypass_csp=True)
    log_in(page, demo_site, "expert-iyer", "demo-expert-pass")

    expect(page.get_by_role("heading", level=1)).to_have_text("My meetings")
    page.get_by_role("link", name="DEMO-REE-2324-05").first.click()
    expect(page.get_by_role("heading", name="Declaration of interest")).to_be_visible()
    expect(page.get_by_text("Latest progress report")).to_have_count(0)
    assert axe_violations(page, "review-declare") == []

    page.get_by_label("no conflict of interest").check()
    page.get_by_role("button", name="Record my declaration").click()
    expect(page.get_by_role("heading", name="Latest progress report")).to_be_visible()

    for legend in (
        "Progress against milestones",
        "Quality of outputs",
        "Use of funds",
        "Likelihood of reaching the target TRL",
    ):
        page.get_by_role("group", name=legend).get_by_label("4").check()
    page.get_by_label("Comment").fill("Leaching at pilot scale is on plan.")
    page.get_by_role("button", name="Record my score").click()
    expect(page.get_by_text("Your score of item 3 is recorded.")).to_be_visible()
    screenshot(page, "review-item-scored")
    assert axe_violations(page, "review-item") == []

    assert (
        Score.objects.get(agenda_item=item, member__username="expert-iyer").total == 16
    )


def test_the_expert_from_the_grantee_institution_cannot_open_its_item(
    open_page, demo_site
):
    own = upcoming_item("DEMO-REE-2324-05")
    page = open_page(bypass_csp=True)
    log_in(page, demo_site, "expert-konkan", "demo-expert-pass")

    expect(page.get_by_role("heading", level=1)).to_have_text("My meetings")
    upcoming = page.locator("section, article").filter(has_text="10 Dec 2026").first
    expect(upcoming.get_by_role("link", name="DEMO-REE-2324-02")).to_be_visible()
    expect(page.get_by_role("link", name="DEMO-REE-2324-05")).to_have_count(0)
    expect(upcoming.get_by_text("You take no part in 1 item")).to_be_visible()
    screenshot(page, "review-home-conflicted")
    assert axe_violations(page, "review-home") == []

    # Typed in the address bar, with the expert's own session: not found.
    for path in (f"/review/items/{own.pk}/", f"/review/items/{own.pk}/brief.pdf"):
        assert page.request.get(f"{demo_site}{path}").status == 404


def test_the_member_secretary_sees_the_declarations_and_prints_the_minutes(
    open_page, demo_site
):
    held = Meeting.objects.get(held_on=PERC_DAY - datetime.timedelta(days=365))
    page = open_page(bypass_csp=True)
    log_in(page, demo_site, "officer", "demo-officer-pass")

    page.get_by_role("link", name="Committees").click()
    page.get_by_role(
        "link", name="Project Evaluation and Review Committee (demo)"
    ).click()
    page.get_by_role("link", name="10 Dec 2026").first.click()
    row = page.get_by_role("row").filter(has_text="Dr Sameer Kulkarni (demo)")
    expect(row.filter(has_text="Own organisation is the grantee").first).to_be_visible()
    expect(page.get_by_text("recorded on or after the meeting day")).to_be_visible()
    screenshot(page, "meeting-upcoming")
    assert axe_violations(page, "meeting") == []

    page.goto(f"{demo_site}/staff/meetings/{held.pk}/minutes/")
    expect(page.get_by_text("Continue with conditions").first).to_be_visible()
    screenshot(page, "meeting-minutes")
    assert axe_violations(page, "minutes") == []
    pdf = page.get_by_role("link", name="Minutes (PDF)").get_attribute("href")
    answer = page.request.get(f"{demo_site}{pdf}")
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
