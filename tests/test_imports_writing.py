"""The import template and the portfolio export: one layout, read back as written."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from grants.exports import INDIAN_MONEY_FORMAT
from grants.imports import writing
from grants.imports.export import write_portfolio
from grants.imports.reading import read_workbook
from grants.imports.schema import (
    CERTIFICATES,
    EXAMPLE_PREFIX,
    INSTALMENTS,
    MILESTONES,
    ORGANISATIONS,
    PEOPLE,
    PROJECTS,
    SHEETS,
    in_every_language,
)
from grants.imports.template import write_template
from grants.models import (
    Element,
    Extension,
    Membership,
    Milestone,
    Organisation,
    Project,
    Scheme,
    UtilisationCertificate,
)
from tests.factories import (
    BudgetLineFactory,
    ExtensionFactory,
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    SchemeFactory,
    StaffUserFactory,
    UserFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db


def template() -> openpyxl.Workbook:
    output = io.BytesIO()
    write_template(output)
    output.seek(0)
    return openpyxl.load_workbook(output)


def portfolio(projects=None) -> openpyxl.Workbook:
    output = io.BytesIO()
    write_portfolio(output, projects)
    output.seek(0)
    return openpyxl.load_workbook(output)


def rows_of(workbook, sheet) -> list[dict]:
    """The rows under the header of ``sheet``, as dicts by column name."""
    worksheet = workbook[str(sheet.title)]
    rows = list(worksheet.iter_rows(min_row=2, values_only=True))
    names = [column.name for column in sheet.columns]
    return [dict(zip(names, row, strict=False)) for row in rows]


def cell_of(workbook, sheet, column_name, row=2):
    index = [column.name for column in sheet.columns].index(column_name) + 1
    return workbook[str(sheet.title)].cell(row=row, column=index)


def read_back(workbook_writer, *args):
    output = io.BytesIO()
    workbook_writer(output, *args)
    upload = SimpleUploadedFile("portfolio.xlsx", output.getvalue())
    return read_workbook(upload)


# The template -------------------------------------------------------------------


def test_the_template_opens_with_its_instructions():
    workbook = template()

    instructions = workbook.worksheets[0]
    assert instructions.title == "Instructions"
    text = " ".join(
        str(value) for row in instructions.iter_rows(values_only=True) for value in row
    )
    assert "9.33 crore" in text
    assert "01.04.2024" in text
    assert "2023-24" in text
    assert "EXAMPLE" in text
    assert "Exception reason" in text
    assert "required" in text
    assert "optional" in text


def test_the_instructions_list_every_column_of_every_sheet():
    instructions = template()["Instructions"]
    cells = {value for row in instructions.iter_rows(values_only=True) for value in row}

    for sheet in SHEETS:
        assert str(sheet.title) in cells
        for column in sheet.columns:
            assert str(column.header) in cells


def test_the_instructions_give_the_labels_of_a_choice_column():
    instructions = template()["Instructions"]
    accepted = [row[2] for row in instructions.iter_rows(values_only=True)]

    assert any(
        value and "academic institution" in value and "start-up" in value
        for value in accepted
    )


def test_the_template_has_one_sheet_per_kind_of_record_with_its_headers_in_order():
    workbook = template()

    assert workbook.sheetnames == [
        "Instructions",
        *(str(sheet.title) for sheet in SHEETS),
        "Lists",
    ]
    for sheet in SHEETS:
        worksheet = workbook[str(sheet.title)]
        headers = [cell.value for cell in worksheet[1]]
        assert headers == [str(column.header) for column in sheet.columns]
        assert all(cell.font.bold for cell in worksheet[1])
        assert worksheet.freeze_panes == "A2"


def test_a_required_header_is_shaded_and_every_header_has_a_note():
    worksheet = template()[str(PROJECTS.title)]
    headers = dict(zip([c.name for c in PROJECTS.columns], worksheet[1], strict=True))

    assert headers["reference"].fill.fgColor.rgb.endswith("FFE699")
    assert headers["abstract"].fill.fill_type is None
    assert "Required" in headers["reference"].comment.text
    assert "Optional" in headers["abstract"].comment.text
    assert "Element symbols" in headers["elements"].comment.text


def test_choice_columns_offer_drop_downs_from_the_hidden_lists_sheet():
    SchemeFactory()
    workbook = template()
    lists = workbook["Lists"]

    assert lists.sheet_state == "hidden"
    for sheet in SHEETS:
        worksheet = workbook[str(sheet.title)]
        validations = {
            str(validation.sqref): validation
            for validation in worksheet.data_validations.dataValidation
        }
        for index, column in enumerate(sheet.columns, start=1):
            if column.kind != "choice":
                continue
            letter = openpyxl.utils.get_column_letter(index)
            validation = validations[f"{letter}2:{letter}{writing.LAST_ROW}"]
            assert validation.type == "list"
            assert validation.errorStyle == "warning"
            assert validation.showErrorMessage
            source = validation.formula1
            assert source.startswith("'Lists'!$")
            labels = [cell.value for row in lists[source.split("!")[1]] for cell in row]
            assert labels == [label for _code, label in column.choice_pairs()]


def test_a_column_of_choices_with_nothing_to_choose_has_no_drop_down():
    Scheme.objects.all().delete()
    worksheet = template()[str(PROJECTS.title)]

    formulas = [v.formula1 for v in worksheet.data_validations.dataValidation]
    assert len(formulas) == 2  # stage and status: no scheme is on record


def test_example_rows_are_grey_italics_and_start_with_example():
    workbook = template()

    for sheet in SHEETS:
        worksheet = workbook[str(sheet.title)]
        assert worksheet.max_row == 1 + len(sheet.examples)
        for row in worksheet.iter_rows(min_row=2):
            assert str(row[0].value).casefold().startswith(EXAMPLE_PREFIX)
            filled = [cell for cell in row if cell.value is not None]
            assert all(cell.font.italic for cell in filled)
            assert all(cell.font.color.rgb.endswith("808080") for cell in filled)


def test_an_example_writes_a_choice_by_its_label():
    workbook = template()

    organisation = rows_of(workbook, ORGANISATIONS)[0]
    assert organisation["kind"] == "academic institution"
    assert organisation["state"] == "Maharashtra"
    person = rows_of(workbook, PEOPLE)[0]
    assert person["role"] == "principal investigator"
    assert person["language"] == "English"


def test_an_example_lacking_a_required_value_is_filled_in_with_one_of_its_kind():
    SchemeFactory()
    first_scheme = PROJECTS.column("scheme").choice_pairs()[0][1]
    workbook = template()

    project = rows_of(workbook, PROJECTS)[0]
    assert project["scheme"] == first_scheme
    assert isinstance(project["sanctioned_on"], datetime.datetime)
    assert isinstance(project["start_on"], datetime.datetime)
    assert project["sanctioned_amount"] == "45,00,000"
    sanctioned_on = cell_of(workbook, PROJECTS, "sanctioned_on")
    assert sanctioned_on.number_format == writing.DATE_FORMAT


def test_every_example_row_of_the_template_is_left_out_by_the_import():
    SchemeFactory()

    contents = read_back(write_template)

    assert all(not contents.of(sheet) for sheet in SHEETS)
    assert not [p for p in contents.report.problems if p.level == "error"]


def test_the_template_in_hindi_is_titled_in_hindi_where_the_catalogue_says_so():
    with translation.override("hi"):
        output = io.BytesIO()
        write_template(output)
        titles = [str(sheet.title) for sheet in SHEETS]
        headers = [str(column.header) for column in PROJECTS.columns]
        lists = str(writing.LISTS)
    workbook = openpyxl.load_workbook(output)

    assert workbook.sheetnames[1:-1] == titles
    assert workbook.sheetnames[-1] == lists
    assert [cell.value for cell in workbook[titles[2]][1]] == headers


def test_every_sheet_title_fits_excel_in_every_language():
    for sheet in SHEETS:
        for title in in_every_language(sheet.title):
            assert len(title) <= writing.MAX_TITLE
    writing.check_titles()


def test_the_template_says_who_wrote_it():
    properties = template().properties

    assert properties.creator == "Ministry of Mines"
    assert properties.title


# The export of what is on record --------------------------------------------------


def test_the_export_has_the_sheets_of_the_template_in_the_same_order():
    ProjectFactory()

    assert portfolio().sheetnames == template().sheetnames


def test_the_export_writes_a_projects_reference_amount_and_dates_back_exactly():
    project = ProjectFactory(
        reference="MOM-REE-2425-07",
        sanctioned_amount=93_300_000,
        sanctioned_on=datetime.date(2024, 3, 12),
        start_on=datetime.date(2024, 4, 1),
    )
    workbook = portfolio()

    row = rows_of(workbook, PROJECTS)[0]
    assert row["reference"] == "MOM-REE-2425-07"
    assert row["sanctioned_amount"] == 93_300_000
    assert row["sanctioned_on"].date() == datetime.date(2024, 3, 12)
    assert row["start_on"].date() == datetime.date(2024, 4, 1)
    assert row["fiscal_year"] == project.fiscal_year
    assert row["scheme"] == project.scheme.name
    assert row["organisation"] == project.organisation.slug
    assert row["principal_investigator"] == project.principal_investigator.email
    assert row["programme_officer"] == project.programme_officer.username
    assert row["status"] == "sanctioned"
    assert row["end_on"] is None
    amount = cell_of(workbook, PROJECTS, "sanctioned_amount")
    assert amount.number_format == INDIAN_MONEY_FORMAT
    assert cell_of(workbook, PROJECTS, "start_on").number_format == "DD.MM.YYYY"


def test_a_title_that_reads_as_a_formula_is_exported_as_text():
    ProjectFactory(title='=HYPERLINK("http://evil.example","Click")')

    title = cell_of(portfolio(), PROJECTS, "title")

    assert title.data_type == "s"
    assert title.value == '\'=HYPERLINK("http://evil.example","Click")'


def test_an_extended_project_gives_its_end_date_and_the_approved_extension():
    project = ProjectFactory(end_on=datetime.date(2027, 9, 30))
    ExtensionFactory(
        project=project,
        previous_end_on=datetime.date(2027, 3, 31),
        new_end_on=datetime.date(2027, 9, 30),
        status=Extension.Status.APPROVED,
        decided_on=datetime.date(2026, 10, 20),
        reason="Equipment delivered late.",
    )
    ExtensionFactory(
        project=project,
        previous_end_on=datetime.date(2027, 9, 30),
        new_end_on=datetime.date(2028, 3, 31),
        status=Extension.Status.REJECTED,
        decided_on=datetime.date(2026, 11, 2),
        decision_comment="No case made.",
        reason="Another try.",
    )

    row = rows_of(portfolio(), PROJECTS)[0]

    assert row["end_on"].date() == datetime.date(2027, 9, 30)
    assert row["extended_on"].date() == datetime.date(2026, 10, 20)
    assert row["extension_reason"] == "Equipment delivered late."


def test_a_project_lists_its_elements_by_symbol():
    project = ProjectFactory()
    for symbol, number in (("Nd", 60), ("Pr", 59)):
        element, _created = Element.objects.get_or_create(
            symbol=symbol,
            defaults={"name": symbol, "atomic_number": number, "series": "light"},
        )
        project.elements.add(element)

    assert rows_of(portfolio(), PROJECTS)[0]["elements"] == "Pr, Nd"


def test_only_the_given_projects_and_their_organisations_are_exported():
    wanted = ProjectFactory()
    ProjectFactory()

    workbook = portfolio(Project.objects.filter(pk=wanted.pk))

    assert [r["reference"] for r in rows_of(workbook, PROJECTS)] == [wanted.reference]
    organisations = rows_of(workbook, ORGANISATIONS)
    assert [r["code"] for r in organisations] == [wanted.organisation.slug]
    assert organisations[0]["kind"] == "academic institution"
    assert organisations[0]["state"] == "Odisha"


def test_people_are_the_organisations_active_grantee_members():
    project = ProjectFactory()
    organisation = project.organisation
    pi = UserFactory(email="pi@ires.example.org", display_name="Dr Meera Rao")
    MembershipFactory(user=pi, organisation=organisation)
    MembershipFactory(
        organisation=organisation,
        role=Membership.Role.FINANCE_OFFICER,
        is_active=False,
    )
    MembershipFactory(user=StaffUserFactory(), organisation=organisation)

    people = rows_of(portfolio(), PEOPLE)

    assert people == [
        {
            "email": "pi@ires.example.org",
            "name": "Dr Meera Rao",
            "designation": None,
            "organisation": organisation.slug,
            "role": "principal investigator",
            "language": "English",
        }
    ]


def test_budget_lines_and_instalments_keep_their_amounts_and_dates():
    project = ProjectFactory(reference="MOM-REE-01")
    BudgetLineFactory(project=project, amount=2_500_000)
    InstalmentFactory(
        project=project,
        sequence=1,
        amount=3_000_000,
        planned_on=datetime.date(2024, 10, 1),
        released_on=datetime.date(2024, 10, 15),
        release_order_number="MOM/RO/2024/01",
        override_reason="Released before the first UC, on the Secretary's orders.",
    )
    workbook = portfolio()

    line = rows_of(workbook, writing.SHEETS[3])[0]
    assert (line["project"], line["head"], line["amount"]) == (
        "MOM-REE-01",
        "manpower",
        2_500_000,
    )
    instalment = rows_of(workbook, INSTALMENTS)[0]
    assert instalment["amount"] == 3_000_000
    assert instalment["planned_on"].date() == datetime.date(2024, 10, 1)
    assert instalment["released_on"].date() == datetime.date(2024, 10, 15)
    assert instalment["exception_reason"].startswith("Released before the first UC")


def test_an_accepted_certificate_with_its_signed_copy_on_file_says_so():
    certificate = UtilisationCertificateFactory(accepted=True, signed=True)
    MilestoneFactory(
        project=certificate.project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        title="UC for 2024-25",
        certificate=certificate,
    )
    document = certificate.documents.get()

    row = rows_of(portfolio(), CERTIFICATES)[0]

    assert row["status"] == "accepted"
    assert row["kind"] == "annual"
    assert row["grant_received"] == 2_000_000
    assert row["closing_balance"] == 400_000
    assert row["expenditure_general"] is None
    assert row["milestone"] == "UC for 2024-25"
    assert row["exception_reason"].startswith("Signed copy on file, uploaded ")
    assert f"(document {document.pk})" in row["exception_reason"]


def test_a_signed_copy_kept_elsewhere_is_the_certificates_exception_reason():
    UtilisationCertificateFactory(
        accepted=True, signed_copy_elsewhere="File No. 12/4/2023-Mines"
    )
    UtilisationCertificateFactory(
        status=UtilisationCertificate.Status.SUBMITTED,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        submitted_on=datetime.date(2026, 4, 20),
    )

    rows = rows_of(portfolio(), CERTIFICATES)

    assert rows[0]["exception_reason"] == "File No. 12/4/2023-Mines"
    assert rows[1]["exception_reason"] is None


def test_a_moved_milestone_is_due_on_its_first_date_and_due_again_on_the_new():
    MilestoneFactory(
        status=Milestone.Status.RETURNED,
        original_due_on=datetime.date(2025, 10, 30),
        due_on=datetime.date(2025, 12, 15),
    )
    MilestoneFactory(due_on=datetime.date(2026, 4, 30))

    rows = rows_of(portfolio(), MILESTONES)

    assert rows[0]["due_on"].date() == datetime.date(2025, 10, 30)
    assert rows[0]["due_again_on"].date() == datetime.date(2025, 12, 15)
    assert rows[0]["status"] == "returned"
    assert rows[1]["due_on"].date() == datetime.date(2026, 4, 30)
    assert rows[1]["due_again_on"] is None


def test_an_exported_portfolio_reads_back_as_it_is_on_record():
    project = ProjectFactory(
        sanctioned_amount=93_300_000, status=Project.Status.ONGOING
    )
    BudgetLineFactory(project=project)
    InstalmentFactory(project=project, sequence=1, released=True)

    contents = read_back(write_portfolio)

    assert not [p for p in contents.report.problems if p.level == "error"]
    [record] = contents.of(PROJECTS)
    assert record["reference"] == project.reference
    assert record["sanctioned_amount"] == 93_300_000
    assert record["sanctioned_on"] == project.sanctioned_on
    assert record["scheme"] == project.scheme.code
    assert record["status"] == Project.Status.ONGOING
    [organisation] = contents.of(ORGANISATIONS)
    assert organisation["kind"] == Organisation.Kind.ACADEMIC


def test_the_export_reads_the_same_few_queries_however_many_projects():
    def queries(count):
        for _ in range(count):
            ProjectFactory()
        with CaptureQueriesContext(connection) as captured:
            portfolio()
        return len(captured.captured_queries)

    assert queries(1) == queries(5)
