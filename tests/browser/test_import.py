"""Bringing in a portfolio as finance does: template, upload, report, fix, confirm."""

import openpyxl
import pytest
from playwright.sync_api import expect

from grants.imports import schema
from tests import workbooks
from tests.browser.conftest import axe_violations, log_in, screenshot, table_rows

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_file(records, name="portfolio.xlsx") -> dict:
    sheets = {
        str(sheet.title): workbooks.rows_for(sheet, rows)
        for sheet, rows in records.items()
    }
    return {"name": name, "mimeType": XLSX, "buffer": workbooks.xlsx_bytes(sheets)}


def test_finance_uploads_a_workbook_reads_the_report_fixes_it_and_imports_it(
    open_page, demo_site, eager_tasks
):
    page = open_page(accept_downloads=True, bypass_csp=True)
    log_in(page, demo_site, "finance", "demo-finance-pass")
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a portfolio")

    template = page.get_by_role("link", name="template workbook")
    with page.expect_download() as download:
        template.click()
    with open(download.value.path(), "rb") as template_file:
        saved = openpyxl.load_workbook(template_file, read_only=True)
        assert saved.sheetnames[:3] == ["Instructions", "Organisations", "People"]

    records = workbooks.one_project()
    records[schema.PROJECTS][0]["sanctioned_amount"] = "30 lakhs and a bit"
    page.get_by_label("Workbook (.xlsx)").set_input_files(workbook_file(records))
    page.get_by_role("button", name="Check the workbook").click()

    expect(page.get_by_role("heading", name="Errors (1)")).to_be_visible()
    [error] = table_rows(page.locator("table.import-error"))
    assert error["Sheet"] == "Projects"
    assert error["Row"] == "2"
    assert error["Column"] == "Sanctioned amount (Rs)"
    assert error["Value found"] == "30 lakhs and a bit"
    assert "9.33 crore" in error["What is accepted"]
    expect(page.get_by_role("button", name="Import the workbook")).to_have_count(0)
    screenshot(page, "import-report-with-an-error")
    assert axe_violations(page, "import-report") == []

    page.get_by_role("link", name="Import a portfolio").click()
    records[schema.PROJECTS][0]["sanctioned_amount"] = "30 lakh"
    page.get_by_label("Workbook (.xlsx)").set_input_files(
        workbook_file(records, name="portfolio-corrected.xlsx")
    )
    page.get_by_role("button", name="Check the workbook").click()

    expect(page.get_by_text("No errors: the workbook can be imported.")).to_be_visible()
    counts = {
        row["Sheet"]: row["New"] for row in table_rows(page.locator("table").first)
    }
    assert counts["Projects"] == "1"
    assert counts["Instalments"] == "2"
    screenshot(page, "import-report-ready")
    page.get_by_role("button", name="Import the workbook").click()

    expect(page.get_by_text("The workbook was imported.")).to_be_visible()
    page.goto(f"{demo_site}/staff/projects/?q=REE-2425-01")
    expect(
        page.get_by_role("link", name="REE-2425-01", exact=True).first
    ).to_be_visible()


def test_a_file_that_is_not_a_workbook_is_refused_on_the_form(open_page, demo_site):
    page = open_page()
    log_in(page, demo_site, "admin", "demo-admin-pass")
    page.goto(f"{demo_site}/staff/import/")

    page.get_by_label("Workbook (.xlsx)").set_input_files(
        {"name": "portfolio.xlsx", "mimeType": XLSX, "buffer": b"%PDF-1.4 renamed"}
    )
    page.get_by_role("button", name="Check the workbook").click()

    expect(page.get_by_role("alert")).to_contain_text("portfolio.xlsx")
    expect(page.get_by_text("No workbook has been uploaded yet.")).to_be_visible()
