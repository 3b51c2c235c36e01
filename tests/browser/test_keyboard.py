"""Keyboard only: no mouse, and every stop on the way shows where the focus is.

WCAG 2.1.1 (everything works from the keyboard), 2.4.1 (a way to skip the
repeated header) and 2.4.7 (focus visible). Each Tab is checked: the focused
element must draw the site's focus outline, solid and at least 2px wide.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import pdf, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        text: (el.innerText || '').trim(),
        focusVisible: el.matches(':focus-visible'),
        outline: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth) || 0,
    };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def assert_focus_is_visible(state: dict) -> None:
    """The site's own focus ring: a solid outline, not the browser's thin default."""
    assert state["outline"] not in ("none", "auto"), state
    assert state["outlineWidth"] >= 2, state


def tab_to(page, wanted, *, limit=80) -> dict:
    """Press Tab until ``wanted(state)`` holds, checking the focus ring each time."""
    page.wait_for_load_state()  # the style sheets too, not only the markup
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        if state["tag"] != "body":
            assert_focus_is_visible(state)
        if wanted(state):
            return state
        seen.append(state["id"] or state["text"][:30])
    raise AssertionError(f"Tab never reached it; the focus went through {seen}")


def by_id(element_id):
    return lambda state: state["id"] == element_id


def by_text(tag, text):
    return lambda state: state["tag"] == tag and state["text"] == text


def type_over(page, text):
    """Replace the focused field's value, as a person selecting it and typing."""
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def log_in_by_keyboard(page, base_url, username, password):
    page.goto(f"{base_url}/accounts/login/")
    # The login form puts the cursor in the user name field.
    user_name = page.get_by_label("User name")
    expect(user_name).to_be_focused()
    assert_focus_is_visible(focused(page))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    assert_focus_is_visible(focused(page))
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def skip_to_main_content(page):
    """Use the skip link; return whether the next Tab lands in the main content."""
    page.wait_for_load_state()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_focus_is_visible(focused(page))
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    return page.evaluate("() => document.activeElement.closest('main') !== null")


def test_an_officer_logs_in_and_filters_the_projects_with_the_keyboard(
    open_page, demo_site
):
    page = open_page()
    log_in_by_keyboard(page, demo_site, "officer", "demo-officer-pass")
    expect(page).to_have_url(f"{demo_site}/staff/")
    # Past the header and the workspace's navigation in one step.
    assert skip_to_main_content(page)

    page.reload()
    tab_to(page, by_text("a", "Projects"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Projects")

    tab_to(page, by_id("id_stage"))
    page.keyboard.type("sep")  # type-ahead picks "separation and refining"
    expect(page.get_by_label("Value-chain stage")).to_have_value(
        "separation_and_refining"
    )
    tab_to(page, by_text("button", "Filter"))
    screenshot(page, "keyboard-focus-filter-button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"stage=separation_and_refining"))
    expect(page.locator("table.data tbody tr")).to_have_count(2)

    # Sorting is a link in the column header, so Enter sorts.
    tab_to(page, by_text("a", "Released"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("columnheader", name="Released")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(page.locator("table.data tbody tr")).to_have_count(2)


def test_a_finance_officer_submits_a_uc_with_the_keyboard(open_page, demo_site):
    page = open_page()
    # Turn on Playwright's file-chooser interception now: switched on only inside
    # expect_file_chooser, it can come after the key press that opens the dialog.
    page.on("filechooser", lambda chooser: None)
    log_in_by_keyboard(page, demo_site, "fo-konkan-ust", "demo-grantee-pass")
    expect(page).to_have_url(f"{demo_site}/portal/")

    tab_to(page, by_text("a", "Submit UC"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Submit: Annual UC 2025-26 (GFR 12-A)"
    )

    for field, value in [
        ("id_expenditure_general", "10,00,000"),
        ("id_expenditure_salary", "12,00,000"),
        ("id_expenditure_capital", "6,00,000"),
        ("id_expenditure", "28,00,000"),
        ("id_closing_balance", "5,67,000"),
    ]:
        tab_to(page, by_id(field))
        type_over(page, value)
    tab_to(page, by_id("id_targets_achieved"))
    page.keyboard.type("Pilot leaching circuit commissioned as planned.")

    tab_to(page, by_id("id_signed_copy"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(pdf("uc-2025-26-signed.pdf"))

    tab_to(page, by_text("button", "Submit the certificate"))
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("was submitted")
    expect(page.locator("main .status").first).to_have_text("Submitted")
