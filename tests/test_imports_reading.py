"""Reading a workbook: every bad file refused in words, real sheets read exactly."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from grants.imports import schema
from grants.imports.reading import MAX_EMPTY_RUN, WorkbookRefused, read_workbook
from grants.imports.report import ERROR, NOTE, WARNING
from grants.models import Project
from tests import workbooks
from tests.test_uploads import ole_file, ooxml_bytes

pytestmark = pytest.mark.django_db

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def refusal(data: bytes, name="portfolio.xlsx") -> str:
    with pytest.raises(WorkbookRefused) as refused:
        read_workbook(SimpleUploadedFile(name, data))
    return refused.value.message


def projects_sheet(*records) -> bytes:
    return workbooks.xlsx_bytes(
        {"Projects": workbooks.rows_for(schema.PROJECTS, list(records))}
    )


def with_sheet_xml(data: bytes, change) -> bytes:
    """The workbook with its first worksheet's XML passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            package.writestr(info.filename, content)
    return buffer.getvalue()


def project(**values):
    record = dict(workbooks.one_project()[schema.PROJECTS][0])
    record.update(values)
    return record


# Bad files --------------------------------------------------------------------------


def test_a_corrupt_file_is_refused():
    data = workbooks.xlsx_bytes({"Projects": [["Reference"]]})

    message = refusal(data[: len(data) // 2])

    assert "portfolio.xlsx" in message
    assert "damaged" in message or "cannot be" in message or "could not" in message


def test_a_package_that_passes_the_door_but_is_no_workbook_is_refused_in_words():
    # A sound ZIP, its parts as Excel names them, its workbook part cut short.
    source = zipfile.ZipFile(io.BytesIO(projects_sheet(project())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                content = content[: len(content) // 2]
            package.writestr(info.filename, content)

    message = refusal(buffer.getvalue())

    assert "could not be read as an Excel workbook" in message
    assert "save it as .xlsx" in message


def test_a_macro_workbook_is_refused_whatever_its_name():
    macro = ooxml_bytes(
        "xl/workbook.xml",
        XLSM_MAIN,
        extra=[("xl/vbaProject.bin", ole_file("VBA", "_VBA_PROJECT", "dir"))],
    )

    assert "macro" in refusal(macro, name="portfolio.xlsm").lower()
    assert "macro" in refusal(macro, name="portfolio.xlsx").lower()


def test_a_workbook_protected_with_a_password_is_refused_as_such():
    encrypted = ole_file("\x06DataSpaces", "EncryptionInfo", "EncryptedPackage")

    assert "protected with a password" in refusal(encrypted)


def test_an_old_xls_workbook_is_refused_with_what_to_do():
    assert ".xlsx" in refusal(ole_file("Workbook", "Book"), name="portfolio.xls")


def test_a_file_over_the_upload_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 2000

    message = refusal(workbooks.xlsx_bytes({"Projects": [["x" * 5000]]}))

    assert "the largest file accepted" in message


def test_a_formula_saved_without_its_value_is_refused_at_its_cell():
    data = projects_sheet(project(sanctioned_amount="=20*150000"))

    report = read_workbook(SimpleUploadedFile("p.xlsx", data)).report

    [problem] = report.errors
    assert problem.value == "=20*150000"
    assert problem.column == "Sanctioned amount (Rs)"
    assert "formula" in problem.message


def test_a_formula_is_never_computed_the_value_saved_with_it_is_read():
    data = with_sheet_xml(
        projects_sheet(project(sanctioned_amount="=20*150000")),
        lambda xml: re.sub(
            rb"<f>20\*150000</f><v\s*/?>(</v>)?", b"<f>20*150000</f><v>3000000</v>", xml
        ),
    )

    contents = read_workbook(SimpleUploadedFile("p.xlsx", data))

    assert not contents.report.errors
    assert contents.of(schema.PROJECTS)[0]["sanctioned_amount"] == 30_00_000
    assert [p.level for p in contents.report.problems if "formula" in p.message] == [
        WARNING
    ]


def test_a_sheet_with_a_million_empty_rows_is_refused():
    def million_empty_rows(xml: bytes) -> bytes:
        rows = b"".join(
            b'<row r="%d"><c r="A%d" s="0"/></row>' % (n, n)
            for n in range(3, 1_000_003)
        )
        return xml.replace(b"</sheetData>", rows + b"</sheetData>")

    data = with_sheet_xml(projects_sheet(project()), million_empty_rows)

    message = refusal(data)

    assert f"{MAX_EMPTY_RUN:,}".replace(",", "") in message.replace(",", "")
    assert "empty rows" in message


# What real sheets contain -----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("9,33,00,000", 9_33_00_000),
        ("93300000", 9_33_00_000),
        (93300000, 9_33_00_000),
        ("9.33 crore", 9_33_00_000),
        ("93.3 lakh", 93_30_000),
        ("Rs. 45,42,000/-", 45_42_000),
        ("\u00a045,42,000 ", 45_42_000),
    ],
)
def test_an_amount_as_offices_write_it_is_read_exactly(written, read):
    data = projects_sheet(project(sanctioned_amount=written))

    contents = read_workbook(SimpleUploadedFile("p.xlsx", data))

    assert contents.of(schema.PROJECTS)[0]["sanctioned_amount"] == read


@pytest.mark.parametrize(
    "written",
    [
        "15.04.2024",
        "15/4/2024",
        "2024-04-15",
        45397,
        datetime.datetime(2024, 4, 15, tzinfo=datetime.UTC).replace(tzinfo=None),
    ],
)
def test_a_date_as_offices_write_it_is_read_day_first(written):
    data = projects_sheet(project(sanctioned_on=written))

    contents = read_workbook(SimpleUploadedFile("p.xlsx", data))

    assert contents.of(schema.PROJECTS)[0]["sanctioned_on"] == datetime.date(
        2024, 4, 15
    )


@pytest.mark.parametrize("written", ["2024-25", "2024-2025", "FY25"])
def test_a_fiscal_year_as_offices_write_it_is_read(written):
    data = projects_sheet(project(fiscal_year=written))

    contents = read_workbook(SimpleUploadedFile("p.xlsx", data))

    assert contents.of(schema.PROJECTS)[0]["fiscal_year"] == "2024-25"


def test_a_cell_that_cannot_be_read_is_reported_with_where_it_is_and_what_is_accepted():
    data = projects_sheet(
        project(), project(reference="REE-2", sanctioned_on="31.02.2024")
    )

    [problem] = read_workbook(SimpleUploadedFile("p.xlsx", data)).report.errors

    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "Projects",
        3,
        "Sanction order date",
        "31.02.2024",
    )
    assert "day first" in problem.accepted


def test_a_title_row_merged_above_the_header_and_wrapped_headers_are_read():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Projects"
    sheet.append(["Ministry of Mines: REE projects, as on 31.03.2025"])
    sheet.merge_cells("A1:F1")
    header, row = workbooks.rows_for(schema.PROJECTS, [project()])
    sheet.append([h.replace(" ", "\n", 1) + " *" if h else h for h in header])
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    contents = read_workbook(SimpleUploadedFile("p.xlsx", buffer.getvalue()))

    assert not contents.report.errors, contents.report.errors
    [record] = contents.of(schema.PROJECTS)
    assert (record.row, record["reference"]) == (3, "REE-2425-01")


def test_trailing_empty_rows_and_stray_spaces_are_read_as_nothing():
    header, row = workbooks.rows_for(
        schema.PROJECTS, [project(title="  Recovery\u00a0of Nd  ")]
    )
    data = workbooks.xlsx_bytes(
        {"Projects": [header, row] + [[None, " ", "\u00a0"]] * 50}
    )

    contents = read_workbook(SimpleUploadedFile("p.xlsx", data))

    [record] = contents.of(schema.PROJECTS)
    assert record["title"] == "Recovery of Nd"
    assert not contents.report.errors


def test_example_rows_are_left_out_and_said_so():
    data = projects_sheet(project(reference="EXAMPLE-REE-01"), project())

    contents = read_workbook(SimpleUploadedFile("p.xlsx", data))

    assert [r["reference"] for r in contents.of(schema.PROJECTS)] == ["REE-2425-01"]
    assert any(
        p.level == NOTE and "example" in p.message for p in contents.report.problems
    )


def test_an_unknown_column_and_an_unknown_sheet_are_warnings_not_errors():
    header, row = workbooks.rows_for(schema.PROJECTS, [project()])
    data = workbooks.xlsx_bytes(
        {"Projects": [header + ["Remarks"], row + ["file 12"]], "Notes": [["x"]]}
    )

    report = read_workbook(SimpleUploadedFile("p.xlsx", data)).report

    assert not report.errors
    assert {p.sheet for p in report.warnings} == {"Projects", "Notes"}


def test_a_missing_required_column_is_an_error_and_no_row_of_the_sheet_is_read():
    header, row = workbooks.rows_for(schema.PROJECTS, [project()])
    index = header.index("Sanctioned amount (Rs)")
    del header[index], row[index]
    data = workbooks.xlsx_bytes({"Projects": [header, row]})

    contents = read_workbook(SimpleUploadedFile("p.xlsx", data))

    assert [p.level for p in contents.report.problems if "missing" in p.message] == [
        ERROR
    ]
    assert contents.of(schema.PROJECTS) == []


def test_a_workbook_written_in_hindi_is_read_by_an_english_user():
    with translation.override("hi"):
        header, row = workbooks.rows_for(
            schema.PROJECTS,
            [project(stage=str(Project.Stage.MAGNETS.label), status="चालू")],
        )
        title = str(schema.PROJECTS.title)
    assert title != "Projects"
    assert header[0] != "Reference"

    contents = read_workbook(
        SimpleUploadedFile("p.xlsx", workbooks.xlsx_bytes({title: [header, row]}))
    )

    assert not contents.report.errors, contents.report.errors
    [record] = contents.of(schema.PROJECTS)
    assert (record["stage"], record["status"]) == ("magnets", "ongoing")
