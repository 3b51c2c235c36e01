"""`manage.py import_portfolio FILE [--dry-run]`: the same import from a shell."""

import pytest
from django.core.management import CommandError, call_command

from grants.models import Project
from tests import workbooks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def workbook(tmp_path):
    def write(records):
        path = tmp_path / "portfolio.xlsx"
        path.write_bytes(workbooks.upload(records).read())
        return path

    return write


@pytest.fixture(autouse=True)
def superuser():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_a_dry_run_prints_the_report_and_writes_nothing(workbook, capsys):
    call_command("import_portfolio", workbook(workbooks.one_project()), "--dry-run")

    out = capsys.readouterr().out
    assert "Projects: 1 new, 0 changed, 0 unchanged" in out
    assert "nothing was written" in out
    assert not Project.objects.exists()


def test_the_command_imports_and_a_second_run_has_nothing_to_import(workbook, capsys):
    path = workbook(workbooks.one_project())

    call_command("import_portfolio", path)
    call_command("import_portfolio", path)

    out = capsys.readouterr().out
    assert "Imported." in out
    assert "Nothing to import" in out
    assert Project.objects.get().history.first().history_user.username == "root"


def test_errors_are_printed_with_sheet_row_and_column_and_the_command_fails(
    workbook, capsys
):
    records = workbooks.one_project()
    records[workbooks.schema.PROJECTS][0]["sanctioned_on"] = "31.02.2024"

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_portfolio", workbook(records))

    assert "Projects, row 2, Sanction order date:" in capsys.readouterr().out
    assert not Project.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "portfolio.xlsx"
    path.write_bytes(b"%PDF-1.4 not a workbook")

    with pytest.raises(CommandError, match="portfolio.xlsx"):
        call_command("import_portfolio", path)


def test_the_report_is_in_hindi_when_asked(workbook, capsys):
    call_command(
        "import_portfolio",
        workbook(workbooks.one_project()),
        "--dry-run",
        "--language",
        "hi",
    )

    # The sheets keep the names the workbook gives them; the words are Hindi.
    assert "Projects: 1 नई, 0 परिवर्तित, 0 अपरिवर्तित" in capsys.readouterr().out
