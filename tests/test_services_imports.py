"""Importing a portfolio from a workbook, through the services, all or nothing."""

import datetime

import pytest

from grants.imports.reading import read_workbook
from grants.models import Instalment, Milestone, Notice, Project, UtilisationCertificate
from grants.services.imports import import_portfolio
from tests import workbooks
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


def run(records, *, apply=True, by=None):
    contents = read_workbook(workbooks.upload(records))
    return import_portfolio(contents, by=by or StaffUserFactory(), apply=apply)


def test_a_workbook_of_one_project_goes_in_through_the_services():
    report = run(workbooks.one_project())

    assert not report.errors, report.errors
    project = Project.objects.get(reference="REE-2425-01")
    assert project.sanctioned_amount == 30_00_000
    assert project.fiscal_year == "2024-25"
    assert sorted(project.elements.values_list("symbol", flat=True)) == ["Nd", "Pr"]
    assert project.budget_lines.count() == 3
    first, second = project.instalments.order_by("sequence")
    assert first.released_on == datetime.date(2024, 5, 1)
    assert second.covering_certificate.period_end == datetime.date(2025, 3, 31)
    certificate = project.certificates.get()
    assert certificate.status == UtilisationCertificate.Status.ACCEPTED
    assert certificate.signed_copy_elsewhere == "Signed copy in file MoM/RD/12/2025"
    assert (
        project.milestones.get(title="UC 2024-25").status == Milestone.Status.ACCEPTED
    )
    assert project.status == Project.Status.ONGOING
    assert project.trl_now == 4


def test_decisions_brought_in_tell_no_one():
    run(workbooks.one_project())

    assert not Notice.objects.exists()


def test_a_check_writes_nothing_and_reports_what_the_import_would_add():
    report = run(workbooks.one_project(), apply=False)

    assert not report.errors
    assert not Project.objects.exists()
    assert report.counts["Projects"] == {"new": 1, "changed": 0, "unchanged": 0}
    assert report.counts["Instalments"]["new"] == 2


def test_a_second_import_of_the_same_workbook_changes_nothing():
    run(workbooks.one_project())

    report = run(workbooks.one_project())

    assert not report.errors, report.errors
    assert report.changes_nothing
    assert report.counts["Projects"] == {"new": 0, "changed": 0, "unchanged": 1}


def test_a_release_since_the_last_import_goes_in_as_a_change():
    run(workbooks.one_project(released_twice=False))

    report = run(workbooks.one_project())

    assert not report.errors, report.errors
    assert report.counts["Instalments"] == {"new": 0, "changed": 1, "unchanged": 1}
    assert Instalment.objects.get(sequence=2).release_order_number == "RO/REE-2425-01/2"


def test_a_release_without_a_covering_certificate_needs_an_exception_reason():
    records = workbooks.one_project()
    records[workbooks.schema.CERTIFICATES] = []
    records[workbooks.schema.MILESTONES][0]["status"] = "pending"

    report = run(records)

    assert [p.row for p in report.errors] == [3]
    assert "covering" in report.errors[0].message
    assert not Project.objects.exists()


def test_an_old_release_with_its_exception_reason_is_a_warning_on_record():
    records = workbooks.one_project()
    records[workbooks.schema.CERTIFICATES] = []
    records[workbooks.schema.MILESTONES][0]["status"] = "pending"
    records[workbooks.schema.INSTALMENTS][1]["exception_reason"] = (
        "Secretary's approval"
    )

    report = run(records)

    assert not report.errors, report.errors
    assert [p.sheet for p in report.warnings] == ["Instalments"]
    assert Instalment.objects.get(sequence=2).override_reason == "Secretary's approval"


def test_a_changed_file_shows_each_difference_before_it_is_applied():
    run(workbooks.one_project())
    records = workbooks.one_project()
    records[workbooks.schema.PROJECTS][0]["title"] = "Recovery of Nd and Dy from scrap"

    report = run(records, apply=False)

    assert not report.errors
    assert [(c.field, c.old, c.new) for c in report.changes] == [
        (
            "Title",
            "Recovery of neodymium from magnet scrap",
            "Recovery of Nd and Dy from scrap",
        )
    ]
    assert Project.objects.get().title == "Recovery of neodymium from magnet scrap"
    run(records)
    assert Project.objects.get().title == "Recovery of Nd and Dy from scrap"


def test_a_change_only_a_revised_sanction_may_make_is_refused_and_nothing_is_written():
    run(workbooks.one_project())
    records = workbooks.one_project()
    records[workbooks.schema.PROJECTS][0]["sanctioned_amount"] = "31 lakh"
    records[workbooks.schema.PROJECTS][0]["title"] = "A new title"

    report = run(records)

    [error] = report.errors
    assert error.column == "Sanctioned amount (Rs)"
    assert "revised sanction order" in error.message
    assert Project.objects.get().title == "Recovery of neodymium from magnet scrap"


def test_budget_lines_that_do_not_add_up_to_the_sanction_are_refused_at_the_project():
    records = workbooks.one_project()
    records[workbooks.schema.BUDGET_LINES][0]["amount"] = "14,00,000"

    report = run(records)

    [error] = report.errors
    assert (error.sheet, error.row) == ("Projects", 2)
    assert "budget lines add up to" in error.message
    assert not Project.objects.exists()


def test_certificate_figures_that_do_not_add_up_are_refused_at_their_cell():
    records = workbooks.one_project()
    records[workbooks.schema.CERTIFICATES][0]["closing_balance"] = "2,50,000"

    report = run(records)

    [error] = report.errors
    assert (error.sheet, error.column) == (
        "Utilisation certificates",
        "7. Closing balance (Rs)",
    )
    assert "too high" in error.message


def test_one_bad_project_keeps_the_whole_workbook_out():
    records = workbooks.one_project()
    second = workbooks.one_project("REE-2425-02")
    for sheet in (
        workbooks.schema.PROJECTS,
        workbooks.schema.BUDGET_LINES,
        workbooks.schema.INSTALMENTS,
    ):
        records[sheet] += second[sheet]
    records[workbooks.schema.INSTALMENTS][-1]["amount"] = "11,00,000"

    report = run(records)

    assert report.errors
    assert not report.applied
    assert not Project.objects.exists()


def test_the_check_counts_its_projects_for_the_progress_bar():
    counted = []
    contents = read_workbook(workbooks.upload(workbooks.one_project()))

    import_portfolio(
        contents,
        by=StaffUserFactory(),
        apply=False,
        progress=lambda done, total: counted.append((done, total)),
    )

    assert counted == [(1, 1)]


def test_a_project_refused_at_its_sanction_has_its_certificates_checked_too():
    records = workbooks.one_project()
    records[workbooks.schema.INSTALMENTS][1]["amount"] = "11,00,000"
    records[workbooks.schema.CERTIFICATES][0]["closing_balance"] = "2.5 lakh"

    report = run(records)

    assert sorted(p.sheet for p in report.errors) == [
        "Projects",
        "Utilisation certificates",
    ]
