"""The ministry's paper, found where a person looks for it and opened in a browser."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.pdf import pdf_fonts, pdf_text, without_hyphens

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_officer_opens_the_sanction_and_a_release_order_from_the_project_page(
    open_page, demo_site
):
    page = open_page(accept_downloads=True)
    log_in(page, demo_site, "officer", "demo-officer-pass")
    page.goto(f"{demo_site}/staff/projects/")
    page.get_by_role("link", name="DEMO-REE-2324-04", exact=True).first.click()

    sanction = page.get_by_role("link", name="Sanction order (PDF)")
    response = page.request.get(demo_site + sanction.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "DEMO/SO/2023-24/004" in text
    assert without_hyphens("Rupees Forty-Five Lakh only") in without_hyphens(text)

    release = page.get_by_role("link", name="Release order (PDF)").first
    response = page.request.get(demo_site + release.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert "DEMO/RO/2324-04/1" in pdf_text(response.body())


def test_the_register_of_grants_is_in_the_staff_menu_with_its_pdf(open_page, demo_site):
    page = open_page()
    log_in(page, demo_site, "finance", "demo-finance-pass")

    page.get_by_role("link", name="Register of grants (GFR 21)").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Register of grants")
    response = page.request.get(f"{demo_site}/staff/registers/grants/?_export=pdf")
    assert response.headers["content-type"] == "application/pdf"
    # A narrow column breaks the number after "DEMO/SO/".
    assert "2023-24/001" in pdf_text(response.body())


def test_a_grantee_prints_form_gfr_12a_to_sign_and_keeps_the_form_filled(
    open_page, demo_site
):
    page = open_page(accept_downloads=True)
    log_in(page, demo_site, "fo-calcinova-metals", "demo-grantee-pass")
    page.get_by_role("link", name="Submit UC").first.click()
    page.get_by_label("6. Expenditure incurred").fill("0")
    page.get_by_label("Grant-in-aid – General").fill("0")
    available = sum(
        int(page.get_by_label(label).input_value().replace(",", "") or 0)
        for label in ("1. Opening unspent balance", "4. Total grant received")
    )
    page.get_by_label("7. Closing unspent balance").fill(str(available))

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Print Form GFR 12-A to sign (PDF)").click()

    download = download_info.value
    assert download.suggested_filename.endswith("-to-sign-en.pdf")
    pdf = download.path().read_bytes()
    assert "Form GFR 12-A" in pdf_text(pdf)
    assert "KhanijDeva" in pdf_fonts(pdf)  # the Hindi headings
    expect(page.get_by_label("7. Closing unspent balance")).to_have_value(
        str(available)
    )
