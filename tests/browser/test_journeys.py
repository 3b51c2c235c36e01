"""What a programme officer, a PI and a grantee finance officer do, in a browser.

Each journey asserts what the page shows a person, as they go, on the demo
portfolio as of its demo date (22 Nov 2026).
"""

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from grants.models import Project
from tests.browser.conftest import log_in, pdf, rupees, screenshot, table_rows

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

KONKAN = "DEMO-REE-2324-05"
REPORT = "Half-yearly progress report, Apr–Sep 2026"
UC = "Annual UC 2025-26 (GFR 12-A)"


def figure(page, term):
    """The big number of a dashboard or project-page figure, by its label."""
    return page.locator(".figure").filter(
        has=page.locator("dt", has_text=re.compile(f"^{term}$", re.IGNORECASE))
    )


def test_a_programme_officer_reads_the_portfolio_and_exports_a_stage(
    open_page, demo_site, tmp_path
):
    page = open_page()
    log_in(page, demo_site, "officer", "demo-officer-pass")

    expect(page).to_have_url(f"{demo_site}/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio dashboard")
    expect(figure(page, "Projects").locator(".big")).to_have_text("11")
    expect(figure(page, "Sanctioned").locator(".big")).to_have_text("₹\u00a09.33 crore")
    expect(figure(page, "Sanctioned").locator(".exact")).to_have_text(
        "₹\u00a09,33,00,000"
    )

    staff_nav = page.get_by_role("navigation", name="Staff workspace")
    staff_nav.get_by_role("link", name="Projects").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Projects")
    expect(page.locator(".pagination .count")).to_have_text("Rows 1–11 of 11")

    page.get_by_label("Value-chain stage").select_option("separation_and_refining")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"stage=separation_and_refining"))
    table = page.locator("table.data")
    expect(table.locator("tbody tr")).to_have_count(2)

    table.get_by_role("link", name="Released", exact=True).click()
    released_header = table.get_by_role("columnheader", name="Released")
    expect(released_header).to_have_attribute("aria-sort", "ascending")
    rows = table_rows(table)
    assert {row["Stage"] for row in rows} == {"separation and refining"}
    released = [rupees(row["Released"]) for row in rows]
    assert released == sorted(released)
    # By reference, 2425-01 came first; by released amount, smallest first.
    assert [row["Reference"] for row in rows] == [
        "DEMO-REE-2425-06",
        "DEMO-REE-2425-01",
    ]

    first = rows[0]
    table.get_by_role("link", name=first["Reference"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first["Reference"])
    expect(figure(page, "Sanctioned").locator(".big")).to_have_text(first["Sanctioned"])
    expect(figure(page, "Released").locator(".big")).to_have_text(first["Released"])
    page.go_back()
    expect(released_header).to_have_attribute("aria-sort", "ascending")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.properties.description.startswith("Illustrative demo data")
    lines = list(workbook.worksheets[0].iter_rows(values_only=True))
    # Row 1 is the header; the last row adds up the money columns.
    header = list(lines[0])
    assert lines[-1][0] == "Total"
    exported = [dict(zip(header, line, strict=True)) for line in lines[1:-1]]
    assert [row["Reference"] for row in exported] == [row["Reference"] for row in rows]
    assert sum(row["Released (Rs)"] for row in exported) == sum(released)
    assert sum(row["Sanctioned (Rs)"] for row in exported) == sum(
        rupees(row["Sanctioned"]) for row in rows
    )
    assert sum(row["Sanctioned (Rs)"] for row in exported) == sum(
        Project.objects.filter(stage="separation_and_refining").values_list(
            "sanctioned_amount", flat=True
        )
    )


def decisions_to(mailoutbox, address):
    """The decision notices e-mailed to one address, oldest first."""
    return [
        message
        for message in mailoutbox
        if message.to == [address] and "Decision:" in message.subject
    ]


def test_a_report_is_submitted_returned_revised_and_accepted(
    open_page, demo_site, eager_tasks, mailoutbox
):
    konkan = Project.objects.get(reference=KONKAN)
    others = Project.objects.exclude(pk=konkan.pk).values_list("reference", flat=True)

    pi = open_page()
    log_in(pi, demo_site, "pi-konkan-ust", "demo-grantee-pass")
    expect(pi).to_have_url(f"{demo_site}/portal/")
    projects = pi.get_by_role("region", name="Projects").locator("table")
    assert [row["Reference"] for row in table_rows(projects)] == [KONKAN]
    page_text = pi.locator("main").inner_text()
    assert [ref for ref in others if ref in page_text] == []

    due = pi.get_by_role("region", name="Due soonest")
    due.get_by_role("row", name=re.compile(REPORT)).get_by_role(
        "link", name="Submit report"
    ).click()
    expect(pi.get_by_role("heading", level=1)).to_have_text(f"Submit: {REPORT}")
    pi.get_by_label("Progress in the period").fill(
        "Selective leaching of red mud at 2 kg scale: 78% scandium recovery."
    )
    pi.get_by_label("Technology readiness level (TRL) now").fill("4")
    pi.get_by_label("Publications").fill("1")
    pi.get_by_label("Attachments").set_input_files(pdf("apr-sep-2026-report.pdf"))
    pi.get_by_role("button", name="Submit the report").click()

    expect(pi.get_by_role("heading", level=1)).to_have_text(f"{REPORT}, version 1")
    expect(pi.locator(".messages")).to_contain_text("Version 1 of the report")
    expect(pi.locator("main .status").first).to_have_text("Submitted")
    expect(pi.get_by_role("link", name="apr-sep-2026-report.pdf")).to_be_visible()

    officer = open_page()
    log_in(officer, demo_site, "officer", "demo-officer-pass")
    queue = officer.locator(".queue", has_text="Progress reports awaiting review")
    konkan_row = queue.get_by_role("row", name=re.compile(KONKAN))
    konkan_row.get_by_role("link", name=re.compile(re.escape(REPORT))).click()
    # The officer reads the report before deciding: narrative, files, TRL.
    expect(officer.get_by_role("heading", level=1)).to_have_text(f"{REPORT}, version 1")
    expect(officer.locator("main")).to_contain_text("78% scandium recovery")
    expect(officer.get_by_role("link", name="apr-sep-2026-report.pdf")).to_be_visible()
    comment = "Add the solvent-extraction mass balance and the Sc2O3 purity assay."
    officer.get_by_label("Reason for returning").fill(comment)
    officer.get_by_role("button", name="Return it to the grantee").click()
    expect(officer.locator(".messages")).to_contain_text("returned to the grantee")
    expect(officer.locator(".subtitle .badge")).to_have_text("Returned")
    screenshot(officer, "staff-report-review")

    # The PI is told once, with the reason and the date to resubmit by.
    (returned_notice,) = decisions_to(mailoutbox, "pi-konkan-ust@demo.example")
    assert "Report returned" in returned_notice.subject
    assert comment in returned_notice.body
    assert "resubmit it from the portal by 22 Dec 2026" in returned_notice.body

    pi.goto(f"{demo_site}/portal/")
    returned = pi.get_by_role("region", name="Returned to you")
    expect(returned).to_contain_text(comment)
    returned.get_by_role("link", name="Revise and resubmit").click()
    expect(pi.get_by_role("heading", level=1)).to_have_text(
        f"Revise and resubmit: {REPORT}"
    )
    expect(pi.locator(".returned-note")).to_contain_text(comment)
    narrative = pi.get_by_label("Progress in the period")
    expect(narrative).to_have_value(re.compile("78% scandium recovery"))
    narrative.fill(
        "Selective leaching of red mud at 2 kg scale: 78% scandium recovery. "
        "Mass balance of the solvent-extraction circuit and the Sc2O3 assay "
        "(99.2%) are attached."
    )
    pi.get_by_label("Attachments").set_input_files(pdf("mass-balance-and-assay.pdf"))
    pi.get_by_role("button", name="Submit the report").click()
    expect(pi.get_by_role("heading", level=1)).to_have_text(f"{REPORT}, version 2")
    expect(pi.locator("main .status").first).to_have_text("Submitted")

    officer.goto(f"{demo_site}/staff/")
    konkan_row.get_by_role("link", name=re.compile(re.escape(REPORT))).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text(f"{REPORT}, version 2")
    expect(officer.locator("main")).to_contain_text("Changed since the version before")
    expect(officer.locator("main")).to_contain_text(comment)
    officer.get_by_role("button", name="Accept the report").click()
    expect(officer.locator(".messages")).to_contain_text("accepted")
    expect(officer.locator(".subtitle .badge")).to_have_text("Accepted")
    accepted_notice = decisions_to(mailoutbox, "pi-konkan-ust@demo.example")[-1]
    assert "Report accepted" in accepted_notice.subject
    assert len(decisions_to(mailoutbox, "pi-konkan-ust@demo.example")) == 2

    pi.goto(f"{demo_site}/portal/")
    decisions = pi.get_by_role("region", name="Recent decisions")
    expect(decisions.locator("li").first).to_contain_text("Accepted")
    expect(decisions.locator("li").first).to_contain_text(REPORT)


def test_a_uc_unblocks_an_instalment_that_finance_then_releases(
    open_page, demo_site, eager_tasks, mailoutbox
):
    konkan = Project.objects.get(reference=KONKAN)

    fo = open_page()
    log_in(fo, demo_site, "fo-konkan-ust", "demo-grantee-pass")
    projects = fo.get_by_role("region", name="Projects").locator("table")
    expect(projects.locator("tbody tr").first).to_contain_text(
        "No. 3, ₹\u00a017,29,000: What the ministry still needs from you"
    )
    fo.get_by_role("region", name="Due soonest").get_by_role(
        "row", name=re.compile(re.escape(UC))
    ).get_by_role("link", name="Submit UC").click()
    expect(fo.get_by_role("heading", level=1)).to_have_text(f"Submit: {UC}")
    # Pre-filled from the last accepted UC and the release of 20 May 2025.
    expect(fo.get_by_label("1. Opening unspent balance")).to_have_value("14,08,000")
    expect(fo.get_by_label("4. Total grant received")).to_have_value("19,59,000")

    fo.get_by_label("Grant-in-aid – General").fill("10,00,000")
    fo.get_by_label("Grant-in-aid – Salary").fill("12,00,000")
    fo.get_by_label("Grant-in-aid – Creation of capital assets").fill("6,00,000")
    fo.get_by_label("6. Expenditure incurred").fill("28,00,000")
    closing = fo.get_by_label("7. Closing unspent balance")
    closing.fill("5,77,000")  # 5,67,000 is right: 14,08,000 + 19,59,000 - 28,00,000
    fo.get_by_label("Signed certificate (PDF)").set_input_files(pdf("uc-2025-26.pdf"))
    fo.get_by_role("button", name="Submit the certificate").click()

    expect(fo.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(closing).to_have_attribute("aria-invalid", "true")
    error = fo.locator("#id_closing_balance_error")
    expect(error).to_contain_text("Closing balance should be ₹\u00a05,67,000")
    expect(error).to_contain_text("₹\u00a010,000 too high")
    expect(closing).to_have_attribute("aria-describedby", re.compile("_error"))
    closing.evaluate("field => field.scrollIntoView({block: 'center'})")
    screenshot(fo, "uc-form-error")

    closing.fill("5,67,000")
    fo.get_by_label("Signed certificate (PDF)").set_input_files(pdf("uc-2025-26.pdf"))
    fo.get_by_role("button", name="Submit the certificate").click()
    expect(fo.locator(".messages")).to_contain_text("was submitted")
    expect(fo.locator("main .status").first).to_have_text("Submitted")

    finance = open_page()
    log_in(finance, demo_site, "finance", "demo-finance-pass")
    finance.goto(f"{demo_site}/staff/projects/{konkan.pk}/")
    next_release = finance.locator(".next-release")
    expect(next_release).to_contain_text("Documents under the ministry's review")
    expect(next_release).to_contain_text("annual UC 2025-26 submitted on 22 Nov 2026")
    certificates = finance.locator("#certificates")
    certificates.get_by_role(
        "row", name=re.compile("2025-26.*submitted", re.I)
    ).get_by_role("link", name="Read and decide").click()
    expect(finance.locator("main")).to_contain_text("5 − 6 = ₹\u00a033,67,000")
    expect(finance.get_by_role("link", name="uc-2025-26.pdf")).to_be_visible()
    finance.get_by_role("button", name="Accept the certificate").click()
    expect(finance.locator(".messages")).to_contain_text("accepted")
    (uc_notice,) = decisions_to(mailoutbox, "fo-konkan-ust@demo.example")
    assert "Certificate accepted" in uc_notice.subject
    finance.goto(f"{demo_site}/staff/projects/{konkan.pk}/")

    expect(next_release).to_contain_text("Eligible for release")
    expect(next_release.locator(".blockers")).to_have_count(0)
    finance.locator("#instalments").get_by_role("link", name="Record release…").click()
    expect(finance.get_by_role("heading", level=1)).to_have_text(
        "Record the release of an instalment"
    )
    expect(finance.get_by_label("Override reason")).to_have_count(0)
    finance.get_by_label("Release order number").fill("DEMO/RO/2026-27/05-3")
    finance.get_by_role("button", name="Record the release").click()
    expect(finance.locator(".messages")).to_contain_text(
        "released on 22 Nov 2026: ₹\u00a017,29,000"
    )
    release_notice = decisions_to(mailoutbox, "pi-konkan-ust@demo.example")[-1]
    assert "Instalment released" in release_notice.subject
    assert "Release order DEMO/RO/2026-27/05-3." in release_notice.body

    pi = open_page()
    log_in(pi, demo_site, "pi-konkan-ust", "demo-grantee-pass")
    pi.get_by_role("link", name=KONKAN).first.click()
    where = pi.get_by_role("region", name="Where is my instalment?")
    expect(where).to_contain_text("Every instalment of this project has been released.")
    third = table_rows(where.locator("table"))[2]
    assert third["No."] == "3"
    assert third["Released"] == "22 Nov 2026"
    assert third["Release order"] == "DEMO/RO/2026-27/05-3"
    assert third["Amount"] == "₹\u00a017,29,000"


CALCINOVA = "DEMO-REE-2324-01"


def submit_report(pi, demo_site, project, milestone, narrative):
    """The PI submits a report against one of the project's milestones."""
    pi.goto(f"{demo_site}/portal/projects/{project.pk}/")
    pi.locator("table.milestones").get_by_role(
        "row", name=re.compile(re.escape(milestone))
    ).get_by_role("link", name="Submit report").click()
    expect(pi.get_by_role("heading", level=1)).to_have_text(f"Submit: {milestone}")
    if not pi.get_by_label("Period from").input_value():
        pi.get_by_label("Period from").fill("15-03-2024")
        pi.get_by_label("Period to").fill("21-11-2026")
    pi.get_by_label("Progress in the period").fill(narrative)
    pi.get_by_label("Technology readiness level (TRL) now").fill("7")
    pi.get_by_role("button", name="Submit the report").click()
    expect(pi.locator(".messages")).to_contain_text("Version 1 of the report")


def accept_report(officer, demo_site, project, milestone):
    officer.goto(f"{demo_site}/staff/projects/{project.pk}/")
    officer.locator("#reports").get_by_role(
        "row", name=re.compile(re.escape(milestone))
    ).get_by_role("link", name="Read and decide").click()
    officer.get_by_role("button", name="Accept the report").click()
    expect(officer.locator(".subtitle .badge")).to_have_text("Accepted")


def test_the_last_instalment_waits_for_its_conditions_and_then_goes_out(
    open_page, demo_site, eager_tasks, mailoutbox
):
    calcinova = Project.objects.get(reference=CALCINOVA)
    release_page = f"{demo_site}/staff/projects/{calcinova.pk}/"

    finance = open_page()
    log_in(finance, demo_site, "finance", "demo-finance-pass")
    finance.goto(release_page)
    finance.locator("#instalments").get_by_role("link", name="Record release…").click()
    expect(finance.locator(".warning").first).to_contain_text(
        "3 conditions of the release are not met"
    )
    unmet = finance.locator(".conditions .unmet")
    expect(unmet).to_have_count(3)
    expect(unmet.nth(0)).to_contain_text("Technical completion accepted: not met")
    expect(unmet.nth(1)).to_contain_text("Final technical report accepted: not met")
    expect(unmet.nth(2)).to_contain_text("Audited statement of expenditure received")
    finance.get_by_label("Release order number").fill("DEMO/RO/2324-01/3")
    finance.get_by_role("button", name="Record the release").click()
    expect(finance.get_by_label("Override reason")).to_have_attribute(
        "aria-invalid", "true"
    )
    screenshot(finance, "release-refused-conditions")
    assert not calcinova.instalments.get(sequence=3).is_released

    pi = open_page()
    log_in(pi, demo_site, "pi-calcinova-metals", "demo-grantee-pass")
    pi.goto(f"{demo_site}/portal/projects/{calcinova.pk}/")
    where = pi.get_by_role("region", name="Where is my instalment?")
    expect(where).to_contain_text("Final technical report accepted")
    submit_report(
        pi,
        demo_site,
        calcinova,
        "Technical completion",
        "The pilot furnace reduced 40 kg of Nd-Pr oxide per batch at 98.6% yield.",
    )
    submit_report(
        pi,
        demo_site,
        calcinova,
        "Final technical report",
        "Final report: pilot-scale calciothermic reduction of Nd-Pr oxide.",
    )
    pi.goto(f"{demo_site}/portal/projects/{calcinova.pk}/documents/new/")
    pi.get_by_label("File").set_input_files(pdf("audited-soe-2026.pdf"))
    pi.get_by_label("What it is").select_option(
        label="Audited statement of expenditure"
    )
    pi.get_by_role("button", name="Upload").click()
    expect(pi.locator(".messages")).to_contain_text("The file was uploaded.")

    officer = open_page()
    log_in(officer, demo_site, "officer", "demo-officer-pass")
    accept_report(officer, demo_site, calcinova, "Technical completion")
    accept_report(officer, demo_site, calcinova, "Final technical report")

    finance.goto(release_page)
    finance.locator("#instalments").get_by_role("link", name="Record release…").click()
    expect(finance.locator(".conditions .unmet")).to_have_count(0)
    expect(finance.get_by_label("Override reason")).to_have_count(0)
    finance.get_by_label("Release order number").fill("DEMO/RO/2324-01/3")
    finance.get_by_role("button", name="Record the release").click()
    expect(finance.locator(".messages")).to_contain_text(
        "released on 22 Nov 2026: ₹\u00a030,00,000"
    )
    notice = decisions_to(mailoutbox, "pi-calcinova-metals@demo.example")[-1]
    assert "Instalment released" in notice.subject
