import csv
import datetime
import io
import unicodedata

import openpyxl
import pytest
from django.db import connection
from django.db.models import Sum
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import exports
from grants.models import Instalment, Project, UtilisationCertificate
from tests.factories import (
    AssetFactory,
    InstalmentFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProjectFactory,
    ReminderFactory,
    UtilisationCertificateFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

NOTICE = "Illustrative demo data – not Ministry of Mines records"
LISTS = [
    "staff:project-list",
    "staff:milestone-list",
    "staff:instalment-list",
    "staff:certificate-list",
    "staff:organisation-list",
    "staff:reminder-list",
    "staff:asset-register",
]


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response):
    text = body_of(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response):
    """The first sheet and its rows, the header first, without the totals row."""
    workbook = openpyxl.load_workbook(io.BytesIO(body_of(response)))
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    if len(rows) > 1 and rows[-1][0] == "Total":
        rows = rows[:-1]
    return sheet, rows


def export(client, name, export_format, **params):
    response = client.get(reverse(name), {**params, "_export": export_format})
    assert response.status_code == 200
    return response


def column(rows, header):
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


# Cell rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["=SUM(A1:A9)", "+91 22", "-2+3", "@cmd", "\tindent", "\rreturn"]
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_gets_an_apostrophe(text):
    assert exports.neutralise(text) == "'" + text


def test_ordinary_text_is_left_alone():
    assert exports.neutralise("Konkan University") == "Konkan University"
    assert exports.neutralise("DEMO-REE-2324-01") == "DEMO-REE-2324-01"


# The demo portfolio -------------------------------------------------------------------


def test_the_project_csv_of_the_demo_says_it_is_illustrative_and_sums_exactly(
    staff_client, demo_portfolio
):
    table = csv_rows(export(staff_client, "staff:project-list", "csv"))

    # Row 1 is the header; every row says it is illustrative in its last column.
    assert table[0][0] == "Reference"
    assert table[0][-1] == "Data"
    assert set(column(table, "Data")) == {NOTICE}
    assert len(table) == 12
    assert sum(int(value) for value in column(table, "Sanctioned (Rs)")) == 93_300_000
    assert sum(int(value) for value in column(table, "Released (Rs)")) == 77_002_000
    assert sum(int(value) for value in column(table, "Pending (Rs)")) == 16_298_000


def test_the_project_xlsx_of_the_demo_says_it_is_illustrative_and_sums_exactly(
    staff_client, demo_portfolio
):
    content = body_of(export(staff_client, "staff:project-list", "xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    table = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    table = table[:-1]  # the totals row

    assert table[0][0] == "Reference"
    sanctioned = column(table, "Sanctioned (Rs)")
    assert all(isinstance(value, int) for value in sanctioned)
    assert sum(sanctioned) == 93_300_000
    assert sum(column(table, "Released (Rs)")) == 77_002_000
    assert workbook.properties.description == NOTICE
    about = [row[0] for row in workbook["About"].iter_rows(values_only=True)]
    assert NOTICE in about


def test_an_xlsx_has_a_bold_frozen_filtered_header_indian_money_and_totals(
    staff_client, demo_portfolio
):
    response = export(staff_client, "staff:project-list", "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(body_of(response)))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    money = header.index("Sanctioned (Rs)") + 1
    last = sheet.max_row

    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert (
        sheet.auto_filter.ref
        == f"A1:{sheet.cell(1, len(header)).column_letter}{last - 1}"
    )
    assert sheet.cell(2, money).number_format == exports.INDIAN_MONEY_FORMAT
    assert sheet.cell(last, 1).value == "Total"
    letter = sheet.cell(1, money).column_letter
    assert (
        sheet.cell(last, money).value == f"=SUBTOTAL(109,{letter}2:{letter}{last - 1})"
    )


def test_the_filtered_instalment_exports_hold_the_filtered_rows_and_their_sum(
    staff_client, demo_portfolio
):
    expected = Instalment.objects.filter(
        released_on__range=(datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
    )
    total = expected.aggregate(total=Sum("amount"))["total"]
    assert total == 1_71_35_000

    csv_table = csv_rows(
        export(staff_client, "staff:instalment-list", "csv", released_in="2025-26")
    )
    _, xlsx_table = xlsx_rows(
        export(staff_client, "staff:instalment-list", "xlsx", released_in="2025-26")
    )

    assert len(csv_table) - 1 == len(xlsx_table) - 1 == expected.count()
    assert sum(int(value) for value in column(csv_table, "Amount (Rs)")) == total
    assert sum(column(xlsx_table, "Amount (Rs)")) == total


def test_the_certificate_exports_carry_every_form_12a_column_exactly(
    staff_client, demo_portfolio
):
    csv_table = csv_rows(export(staff_client, "staff:certificate-list", "csv"))
    totals = UtilisationCertificate.objects.aggregate(
        spent=Sum("expenditure"), closing=Sum("closing_balance")
    )

    assert (
        sum(int(v) for v in column(csv_table, "6 Expenditure (Rs)"))
        == (totals["spent"])
    )
    assert (
        sum(int(v) for v in column(csv_table, "7 Closing balance (Rs)"))
        == (totals["closing"])
    )


# Without demo data --------------------------------------------------------------------


def test_an_export_without_demo_records_starts_with_the_headings(staff_client):
    ProjectFactory()

    rows = csv_rows(export(staff_client, "staff:project-list", "csv"))
    _, sheet_rows = xlsx_rows(export(staff_client, "staff:project-list", "xlsx"))

    assert rows[0][0] == "Reference"
    assert sheet_rows[0][0] == "Reference"


def test_a_demo_organisation_alone_is_enough_for_the_notice(staff_client):
    OrganisationFactory(is_illustrative=True)

    rows = csv_rows(export(staff_client, "staff:organisation-list", "csv"))

    assert rows[0][0] == "Organisation"
    assert column(rows, "Data") == [NOTICE]


def test_the_demo_organisations_export_fills_every_column(staff_client, demo_portfolio):
    rows = csv_rows(export(staff_client, "staff:organisation-list", "csv"))

    assert len(rows) == 12
    empty = [
        header
        for index, header in enumerate(rows[0])
        if any(row[index] == "" for row in rows[1:])
    ]
    assert empty == []


def test_dates_are_iso_in_csv_and_date_cells_in_xlsx(staff_client):
    MilestoneFactory(due_on=datetime.date(2026, 6, 30))

    rows = csv_rows(export(staff_client, "staff:milestone-list", "csv"))
    sheet, sheet_rows = xlsx_rows(export(staff_client, "staff:milestone-list", "xlsx"))

    assert column(rows, "Due on") == ["2026-06-30"]
    (due,) = column(sheet_rows, "Due on")
    assert isinstance(due, datetime.datetime)
    assert due.date() == datetime.date(2026, 6, 30)
    cell = sheet.cell(row=2, column=sheet_rows[0].index("Due on") + 1)
    assert cell.number_format == "yyyy-mm-dd"


def test_money_is_an_exact_whole_rupee_integer(staff_client):
    # Rs 98,76,54,32,10,987: thirteen digits, inside a spreadsheet's 15.
    huge = 98_76_54_32_10_987
    ProjectFactory(sanctioned_amount=huge)

    rows = csv_rows(export(staff_client, "staff:project-list", "csv"))
    _, sheet_rows = xlsx_rows(export(staff_client, "staff:project-list", "xlsx"))

    assert column(rows, "Sanctioned (Rs)") == [str(huge)]
    assert column(sheet_rows, "Sanctioned (Rs)") == [huge]


def test_formula_like_titles_are_neutralised_in_both_formats(staff_client):
    ProjectFactory(title='=HYPERLINK("http://evil.example","click")')
    ProjectFactory(title="@SUM(1+1)")

    rows = csv_rows(export(staff_client, "staff:project-list", "csv", sort="title"))
    sheet, sheet_rows = xlsx_rows(
        export(staff_client, "staff:project-list", "xlsx", sort="title")
    )

    expected = ['\'=HYPERLINK("http://evil.example","click")', "'@SUM(1+1)"]
    assert column(rows, "Title") == expected
    assert column(sheet_rows, "Title") == expected
    title_column = sheet_rows[0].index("Title") + 1
    assert {sheet.cell(row=r, column=title_column).data_type for r in (2, 3)} == {"s"}


def test_exports_follow_the_tables_sort_order(staff_client):
    ProjectFactory(reference="B-2")
    ProjectFactory(reference="A-1")
    ProjectFactory(reference="C-3")

    rows = csv_rows(
        export(staff_client, "staff:project-list", "csv", sort="-reference")
    )

    assert column(rows, "Reference") == ["C-3", "B-2", "A-1"]


def test_choice_codes_are_exported_by_their_labels(staff_client):
    ProjectFactory(stage=Project.Stage.SEPARATION, organisation__kind="startup")

    rows = csv_rows(export(staff_client, "staff:project-list", "csv"))

    assert column(rows, "Stage") == ["separation and refining"]
    assert column(rows, "Kind") == ["start-up"]


# Every table --------------------------------------------------------------------------


def some_of_everything():
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(project=project, sequence=1, released=True)
    UtilisationCertificateFactory(project=project, accepted=True)
    ReminderFactory(milestone=MilestoneFactory(project=project))
    AssetFactory(project=project)


@pytest.mark.parametrize("name", LISTS)
def test_every_table_streams_a_csv_export(staff_client, name):
    some_of_everything()

    response = export(staff_client, name, "csv")

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith('-2026-11-22.csv"')
    assert len(csv_rows(response)) == 2


@pytest.mark.parametrize("name", LISTS)
def test_every_table_exports_xlsx(staff_client, name):
    some_of_everything()

    response = export(staff_client, name, "xlsx")

    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith('-2026-11-22.xlsx"')
    _, rows = xlsx_rows(response)
    assert len(rows) == 2


@pytest.mark.parametrize("name", LISTS)
def test_an_export_reads_the_rows_in_one_query_however_many_there_are(
    staff_client, name
):
    some_of_everything()
    with CaptureQueriesContext(connection) as one:
        body_of(export(staff_client, name, "csv"))
    for _ in range(10):
        some_of_everything()
    with CaptureQueriesContext(connection) as eleven:
        rows = csv_rows(export(staff_client, name, "csv"))

    assert len(rows) == 12
    assert len(eleven) == len(one)


def test_an_unknown_export_format_shows_the_page(staff_client):
    response = staff_client.get(reverse("staff:project-list"), {"_export": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


# Control and format characters before a formula (issue 16, finding 9) ----------------

FORMULA = '=HYPERLINK("http://x")'
CONTROLS = [*range(32), 127]
FORMAT_CHARACTERS = [
    code for code in range(0x110000) if unicodedata.category(chr(code)) == "Cf"
]


def test_the_format_characters_tested_include_the_invisible_ones_a_probe_uses():
    assert {0x200B, 0x200E, 0x200F, 0x202A, 0x202E, 0x2060, 0x2064, 0xFEFF} <= set(
        FORMAT_CHARACTERS
    )


@pytest.mark.parametrize("code", CONTROLS + FORMAT_CHARACTERS, ids=hex)
def test_a_control_or_format_character_before_a_formula_still_gets_the_apostrophe(
    code,
):
    cell = exports.neutralise(chr(code) + FORMULA)

    assert cell.startswith("'")
    assert cell.endswith(FORMULA)


def live_formulas(sheet, *, skip_last_row=False):
    """The coordinates of the cells of a sheet that a spreadsheet would run."""
    last = sheet.max_row - 1 if skip_last_row else sheet.max_row
    return [
        cell.coordinate
        for row in sheet.iter_rows(max_row=last)
        for cell in row
        if cell.data_type == "f"
    ]


def test_no_control_or_format_character_gets_a_live_formula_into_any_export(
    staff_client,
):
    """Every C0 control but NUL (which no database keeps and every form refuses),
    DEL and every Unicode format character, before ``=HYPERLINK(...)``, in a
    return reason and in a milestone title as the admin could write them."""
    project = ProjectFactory(ongoing=True)
    texts = [chr(code) + FORMULA for code in CONTROLS[1:] + FORMAT_CHARACTERS]
    for text in texts:
        UtilisationCertificateFactory(
            project=project,
            status=UtilisationCertificate.Status.RETURNED,
            decided_on=datetime.date(2025, 5, 12),
            return_reason=text,
        )
        MilestoneFactory(project=project, title=text)

    for name, header in (
        ("staff:certificate-list", "Return reason"),
        ("staff:milestone-list", "Milestone"),
    ):
        table = csv_rows(export(staff_client, name, "csv"))
        content = body_of(export(staff_client, name, "xlsx"))
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        sheet = workbook.worksheets[0]
        sheet_rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        totals = sheet_rows[-1][0] == "Total"
        if totals:
            sheet_rows = sheet_rows[:-1]

        for cells in (column(table, header), column(sheet_rows, header)):
            assert len(cells) == len(texts)
            assert all(cell.startswith("'") for cell in cells), [
                cell for cell in cells if not cell.startswith("'")
            ]
            assert all(cell.endswith(FORMULA) for cell in cells)
        assert live_formulas(sheet, skip_last_row=totals) == []
        assert live_formulas(workbook["About"]) == []


def test_tab_line_breaks_and_the_joiners_of_hindi_and_emoji_stay_in_a_cell():
    assert exports.neutralise("line one\nline two\tend") == "line one\nline two\tend"
    # क्‍ष with a zero-width joiner; a family emoji joined by zero-width joiners.
    assert exports.neutralise("क्\u200dष") == "क्\u200dष"
    assert exports.neutralise("👩\u200d🔬") == "👩\u200d🔬"
    assert exports.neutralise("UC approved \u202egnp.exe") == "UC approved gnp.exe"
    assert exports.neutralise("\u200d\u200c =1") == "'\u200d\u200c =1"
    assert exports.neutralise(" \u00a0+91 22") == "' \u00a0+91 22"


def test_neutralising_twice_changes_nothing_more():
    once = exports.neutralise("\x01=1+1")

    assert exports.neutralise(once) == once == "'=1+1"
