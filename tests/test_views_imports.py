"""The import pages: upload, the worker's check, the report, the confirm."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from grants import services
from grants.imports.reading import MAX_EMPTY_RUN
from grants.models import PortfolioImport, Project
from grants.services.import_jobs import progress
from tests import workbooks
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def finance(client):
    user = StaffUserFactory(username="finance-import")
    user.groups.add(Group.objects.get(name="Finance officer"))
    client.force_login(user)
    return user


def upload(client, records, captured):
    with captured(execute=True):
        return client.post(
            reverse("staff:import"), {"workbook": workbooks.upload(records)}
        )


def test_a_programme_officer_may_not_import(client):
    officer = StaffUserFactory()
    officer.groups.add(Group.objects.get(name="Programme officer"))
    client.force_login(officer)

    job = PortfolioImport.objects.create(
        file="imports/a.xlsx",
        original_name="a.xlsx",
        sha256="0" * 64,
        uploaded_by=officer,
    )
    assert client.get(reverse("staff:import")).status_code == 403
    assert client.get(reverse("staff:import-template")).status_code == 403
    assert client.get(reverse("staff:import-detail", args=[job.pk])).status_code == 403
    response = client.post(reverse("staff:import-confirm", args=[job.pk]))
    assert response.status_code == 403


def test_finance_sees_the_import_in_the_menu(client, finance):
    page = client.get(reverse("staff:dashboard")).content.decode()

    assert reverse("staff:import") in page


def test_an_upload_is_checked_by_the_worker_and_nothing_is_written_before_confirm(
    client, finance, eager, django_capture_on_commit_callbacks
):
    response = upload(
        client, workbooks.one_project(), django_capture_on_commit_callbacks
    )

    job = PortfolioImport.objects.get()
    assert response["Location"] == reverse("staff:import-detail", args=[job.pk])
    assert job.status == PortfolioImport.Status.CHECKED
    assert not Project.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "No errors: the workbook can be imported." in page
    assert reverse("staff:import-confirm", args=[job.pk]) in page


def test_confirming_a_checked_workbook_imports_it(
    client, finance, eager, django_capture_on_commit_callbacks
):
    upload(client, workbooks.one_project(), django_capture_on_commit_callbacks)
    job = PortfolioImport.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:import-confirm", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == PortfolioImport.Status.IMPORTED
    assert job.confirmed_by == finance
    assert Project.objects.filter(reference="REE-2425-01").exists()


def test_a_report_with_errors_names_sheet_row_column_and_value_and_cannot_be_confirmed(
    client, finance, eager, django_capture_on_commit_callbacks
):
    records = workbooks.one_project()
    records[workbooks.schema.PROJECTS][0]["sanctioned_amount"] = "30 lakhs and a bit"
    upload(client, records, django_capture_on_commit_callbacks)
    job = PortfolioImport.objects.get()

    page = client.get(reverse("staff:import-detail", args=[job.pk])).content.decode()

    assert "30 lakhs and a bit" in page
    assert "Sanctioned amount (Rs)" in page
    assert reverse("staff:import-confirm", args=[job.pk]) not in page
    response = client.post(reverse("staff:import-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == PortfolioImport.Status.CHECKED
    assert response.status_code == 302


def test_a_file_that_is_not_a_workbook_is_refused_at_the_door(client, finance):
    fake = SimpleUploadedFile("portfolio.xlsx", b"%PDF-1.4 not a workbook")

    response = client.post(reverse("staff:import"), {"workbook": fake})

    assert response.status_code == 200
    assert not PortfolioImport.objects.exists()
    assert (
        "cannot be uploaded" in response.content.decode()
        or "only" in response.content.decode()
    )


def test_the_template_is_an_xlsx_download(client, finance):
    response = client.get(reverse("staff:import-template"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_the_import_page_reads_its_list_of_workbooks_in_a_fixed_number_of_queries(
    client, finance
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("staff:import")).status_code == 200
        return len(captured)

    PortfolioImport.objects.create(
        file="imports/a.xlsx",
        original_name="a.xlsx",
        sha256="0" * 64,
        uploaded_by=finance,
    )
    one = queries()
    for number in range(25):
        PortfolioImport.objects.create(
            file=f"imports/{number}.xlsx",
            original_name=f"{number}.xlsx",
            sha256="0" * 64,
            uploaded_by=StaffUserFactory(),
        )

    assert queries() == one <= 15


def test_the_check_counts_its_projects_where_the_page_reads_them(
    client, finance, eager, django_capture_on_commit_callbacks
):
    upload(client, workbooks.one_project(), django_capture_on_commit_callbacks)
    job = PortfolioImport.objects.get()

    job.status = PortfolioImport.Status.CHECKING
    assert progress(job) == (1, 1)


def test_a_workbook_the_worker_cannot_read_is_refused_on_its_page(
    client, finance, eager, django_capture_on_commit_callbacks
):
    header, row = workbooks.rows_for(workbooks.schema.PROJECTS, [{}])
    empty_rows = [[None, " "]] * (MAX_EMPTY_RUN + 1)
    data = workbooks.xlsx_bytes({"Projects": [header, *empty_rows, ["late row"]]})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("staff:import"),
            {"workbook": SimpleUploadedFile("portfolio.xlsx", data)},
        )

    job = PortfolioImport.objects.get()
    assert job.status == PortfolioImport.Status.REFUSED
    page = client.get(reverse("staff:import-detail", args=[job.pk])).content.decode()
    assert "empty rows" in page


def test_an_import_confirmed_after_the_portfolio_changed_writes_nothing(
    client, finance, eager, django_capture_on_commit_callbacks
):
    upload(
        client,
        workbooks.one_project(released_twice=False),
        django_capture_on_commit_callbacks,
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("staff:import-confirm", args=[PortfolioImport.objects.get().pk])
        )
    upload(client, workbooks.one_project(), django_capture_on_commit_callbacks)
    job = PortfolioImport.objects.latest("pk")
    # Meanwhile another officer renames the project.
    Project.objects.update(title="Renamed on its page")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:import-confirm", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == PortfolioImport.Status.FAILED
    assert "changed since the check" in job.error
    assert not Project.objects.get().instalments.get(sequence=2).is_released


def test_a_second_delivery_of_the_task_leaves_the_step_to_the_first(finance):
    job = services.start_import(
        workbooks.upload(workbooks.one_project()), by=finance, language="en"
    )
    PortfolioImport.objects.filter(pk=job.pk).update(claimed_at=timezone.now())

    assert services.run_import_step(job.pk) == PortfolioImport.Status.CHECKING
    job.refresh_from_db()
    assert job.status == PortfolioImport.Status.CHECKING
    assert not job.report
