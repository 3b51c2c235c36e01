"""The Register of Grants (Form GFR 21): the page, its spreadsheet, its PDF and the
jobs that build a long PDF off the request."""

import csv
import datetime
import io
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from config.celery import app as celery_app
from grants import page_cache, services, tasks
from grants.models import Milestone, Project, RegisterExport, UtilisationCertificate
from grants.reads import registers
from grants.services import registers as register_service
from tests.factories import (
    InstalmentFactory,
    MilestoneFactory,
    ProjectFactory,
    RegisterExportFactory,
    ReleaseConditionFactory,
    SchemeFactory,
    UtilisationCertificateFactory,
)
from tests.pdf import pdf_fonts, pdf_text, uncovered_characters

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

TODAY = datetime.date(2026, 11, 22)
REGISTER = reverse("staff:grant-register")


@pytest.fixture
def portfolio():
    """Three sanctions: two of 2024-25, one of 2023-24, over two schemes.

    - P1 (2023-24, Alpha): its UC was 10 days late, accepted 52 days after the
      Accounts Officer's date; 4,00,000 unspent;
    - P2 (2024-25, Alpha): its UC, due 30 Jun 2026, has not come (145 days);
    - P3 (2024-25, Beta): no UC milestone, so GFR 238(1) dates it; closed, with
      50,000 surrendered.
    """
    alpha = SchemeFactory(code="alpha", name="Alpha Programme")
    beta = SchemeFactory(code="beta", name="Beta PRISM")
    p1 = ProjectFactory(
        scheme=alpha,
        sanction_order_number="MOM/SO/2024/0101",
        sanctioned_on=datetime.date(2024, 3, 12),
        sanctioned_amount=6_000_000,
        status=Project.Status.ONGOING,
    )
    first = InstalmentFactory(project=p1, sequence=1, amount=2_000_000, released=True)
    ReleaseConditionFactory(
        instalment=InstalmentFactory(project=p1, sequence=2, amount=2_000_000),
        kind="covering_uc",
    )
    certificate = UtilisationCertificateFactory(
        project=p1,
        accepted=True,
        submitted_on=datetime.date(2025, 7, 10),
        decided_on=datetime.date(2025, 9, 20),
    )
    certificate.received_instalments.add(first)
    MilestoneFactory(
        project=p1,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        due_on=datetime.date(2025, 6, 30),
        status=Milestone.Status.ACCEPTED,
        submitted_on=datetime.date(2025, 7, 10),
        decided_on=datetime.date(2025, 9, 20),
        certificate=certificate,
    )
    p2 = ProjectFactory(
        scheme=alpha,
        sanction_order_number="MOM/SO/2024/0202",
        sanctioned_on=datetime.date(2024, 11, 8),
        sanctioned_amount=4_500_000,
        status=Project.Status.ONGOING,
    )
    InstalmentFactory(
        project=p2,
        sequence=1,
        amount=1_500_000,
        planned_on=datetime.date(2024, 12, 1),
        released=True,
    )
    MilestoneFactory(
        project=p2,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        due_on=datetime.date(2026, 6, 30),
    )
    p3 = ProjectFactory(
        scheme=beta,
        sanction_order_number="MOM/SO/2025/0303",
        sanctioned_on=datetime.date(2025, 1, 20),
        sanctioned_amount=3_000_000,
        status=Project.Status.CLOSED,
        closed_on=datetime.date(2026, 10, 1),
        unspent_refunded=50_000,
    )
    InstalmentFactory(
        project=p3,
        sequence=1,
        amount=1_000_000,
        planned_on=datetime.date(2025, 2, 5),
        released=True,
    )
    return {"p1": p1, "p2": p2, "p3": p3, "alpha": alpha, "beta": beta}


def entries(**filters):
    rows = registers.filtered_register(on=TODAY, **filters)
    return {e.reference: e for e in registers.register_entries(rows, on=TODAY)}


def staff_client(client, user):
    client.force_login(user)
    return client


class Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def visible(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


# The columns ----------------------------------------------------------------------


def test_the_page_shows_the_thirteen_columns_of_form_gfr_21_for_each_sanction(
    client, staff_user, portfolio
):
    page = staff_client(client, staff_user).get(REGISTER)

    assert page.status_code == 200
    text = visible(page.content.decode())
    for heading in [
        "1. Serial number",
        "2. Number and date of the sanction letter",
        "3. Purpose of the grant",
        "4. Conditions attached to the grant",
        "5. Amount sanctioned",
        "6. Amount of the bills drawn",
        "7. Conditions accepted without reservation?",
        "8. Dated initials of the sanctioning authority",
        "9. Date by which the accounts and UC are due",
        "10. Date by which the UC is due to the Accounts Officer",
        "11. Date the statements were received, with reasons for delay",
        "12. Date the UC was sent to the PAO, with reasons for delay",
        "13. Unspent balance, and whether surrendered",
    ]:
        assert heading in text
    for number in ("MOM/SO/2024/0101", "MOM/SO/2024/0202", "MOM/SO/2025/0303"):
        assert number in text
    assert "₹ 60,00,000" in text
    assert "10 days late" in text
    assert "Not received: 145 days overdue" in text


def test_the_serial_numbers_follow_the_order_of_sanction(portfolio):
    register = entries()

    assert [(e.serial, e.sanction_number) for e in register.values()] == [
        (1, "MOM/SO/2024/0101"),
        (2, "MOM/SO/2024/0202"),
        (3, "MOM/SO/2025/0303"),
    ]


def test_a_late_uc_is_dated_with_its_delay_and_its_acceptance_is_the_pao_date(
    portfolio,
):
    entry = entries()[portfolio["p1"].reference]

    assert entry.sanctioned == 6_000_000
    assert entry.released == 2_000_000
    assert entry.uc_due_on == datetime.date(2025, 6, 30)
    assert entry.ao_due_on == datetime.date(2025, 7, 30)
    assert (entry.received_on, entry.received_note) == (
        datetime.date(2025, 7, 10),
        "10 days late",
    )
    assert (entry.pao_on, entry.pao_note) == (
        datetime.date(2025, 9, 20),
        "52 days late",
    )
    assert entry.unspent == 400_000
    assert entry.surrendered is None
    assert "released on: previous UC accepted" in entry.conditions
    assert entry.accepted_without_reservation == "—"
    assert entry.authority_line.startswith("12 Mar 2024, ")


def test_an_overdue_uc_says_it_has_not_come_and_for_how_many_days(portfolio):
    entry = entries()[portfolio["p2"].reference]

    assert entry.uc_due_on == datetime.date(2026, 6, 30)
    assert entry.received_on is None
    assert entry.received_note == "Not received: 145 days overdue"
    assert entry.pao_note == "—"


def test_without_uc_milestones_the_uc_is_due_twelve_months_after_the_release_year(
    portfolio,
):
    entry = entries()[portfolio["p3"].reference]

    # Released 5 Feb 2025, in 2024-25, which closed on 31 Mar 2025 (GFR 238(1)).
    assert entry.uc_due_on == datetime.date(2026, 3, 31)
    assert entry.ao_due_on == datetime.date(2026, 4, 30)
    assert entry.received_note == "Not received"
    assert entry.surrendered == 50_000
    assert entry.surrender_note == "Surrendered on closure, 01 Oct 2026"


def test_the_fiscal_year_and_the_scheme_filters_narrow_the_rows(
    client, staff_user, portfolio
):
    client = staff_client(client, staff_user)

    by_year = visible(client.get(REGISTER, {"fiscal_year": "2023-24"}).content.decode())
    by_scheme = visible(
        client.get(REGISTER, {"scheme": portfolio["beta"].pk}).content.decode()
    )

    assert "MOM/SO/2024/0101" in by_year
    assert "MOM/SO/2024/0202" not in by_year
    assert "MOM/SO/2025/0303" not in by_year
    assert "MOM/SO/2025/0303" in by_scheme
    assert "MOM/SO/2024/0101" not in by_scheme
    assert set(entries(fiscal_year="2024-25")) == {
        portfolio["p2"].reference,
        portfolio["p3"].reference,
    }
    assert set(entries(scheme_id=portfolio["alpha"].pk)) == {
        portfolio["p1"].reference,
        portfolio["p2"].reference,
    }


def test_the_page_runs_as_many_queries_for_thirteen_sanctions_as_for_three(
    client, staff_user, portfolio
):
    client = staff_client(client, staff_user)
    client.get(REGISTER)
    page_cache.clear()  # the page is rendered, not read from the cache
    with CaptureQueriesContext(connection) as three:
        client.get(REGISTER)
    for _ in range(10):
        project = ProjectFactory(scheme=portfolio["alpha"])
        InstalmentFactory(project=project, sequence=1, released=True)
        UtilisationCertificateFactory(project=project, accepted=True)
    with CaptureQueriesContext(connection) as thirteen:
        page = client.get(REGISTER)

    assert page.status_code == 200
    assert len(thirteen) == len(three) <= 12


def test_the_register_rows_are_one_query(django_assert_num_queries, portfolio):
    rows = registers.grant_register_rows(on=TODAY)
    with django_assert_num_queries(1):
        assert len(list(registers.register_entries(rows, on=TODAY))) == 3


# The spreadsheet -----------------------------------------------------------------


def test_the_spreadsheet_has_the_thirteen_numbered_headings_and_the_amounts(
    client, staff_user, portfolio
):
    response = staff_client(client, staff_user).get(REGISTER, {"_export": "xlsx"})

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    headings = rows[0]
    numbers = {heading.split(".")[0] for heading in headings if heading[0].isdigit()}
    assert numbers == {str(n) for n in range(1, 14)}
    sanctioned = headings.index("5. Amount sanctioned (Rs)")
    assert [row[sanctioned] for row in rows[1:4]] == [6_000_000, 4_500_000, 3_000_000]
    assert rows[4][0] == "Total"
    surrendered = headings.index("13. Surrendered (Rs)")
    assert rows[3][surrendered] == 50_000


def test_the_csv_follows_the_pages_sort_and_keeps_the_registers_serial_numbers(
    client, staff_user, portfolio
):
    response = staff_client(client, staff_user).get(
        REGISTER, {"_export": "csv", "sort": "sanctioned"}
    )

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "1. Serial number"
    assert [(row[0], row[1]) for row in rows[1:]] == [
        ("3", "MOM/SO/2025/0303"),
        ("2", "MOM/SO/2024/0202"),
        ("1", "MOM/SO/2024/0101"),
    ]


def test_a_filtered_register_numbers_its_entries_from_one(
    client, staff_user, portfolio
):
    response = staff_client(client, staff_user).get(
        REGISTER, {"_export": "csv", "fiscal_year": "2024-25"}
    )

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [(row[0], row[1]) for row in rows[1:]] == [
        ("1", "MOM/SO/2024/0202"),
        ("2", "MOM/SO/2025/0303"),
    ]


# The PDF --------------------------------------------------------------------------


def test_the_pdf_states_each_sanction_its_amount_the_filter_and_the_totals(
    client, staff_user, portfolio
):
    response = staff_client(client, staff_user).get(
        REGISTER, {"_export": "pdf", "fiscal_year": "2024-25"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Register of grants" in text
    assert "Form GFR 21" in text
    assert "Fiscal year of sanction 2024-25" in text
    assert "all schemes" in text
    assert "Prepared on 22 Nov 2026" in text
    for number, amount in [
        ("MOM/SO/2024/0202", "45,00,000"),
        ("MOM/SO/2025/0303", "30,00,000"),
    ]:
        assert number in text
        assert amount in text
    assert "MOM/SO/2024/0101" not in text
    assert "Total of 2 entries" in text
    assert "75,00,000" in text
    assert "25,00,000" in text
    assert re.search(r"\b1 ?/ ?1\b", text)


def test_the_hindi_pdf_draws_its_hindi_with_the_devanagari_font(portfolio):
    with translation.override("hi"):
        output = io.BytesIO()
        services.write_grant_register(output, {}, on=TODAY)
        rows, context = registers.register_document(on=TODAY)
        html = render_to_string(
            register_service.TEMPLATE,
            {
                **context,
                "rows": list(registers.register_entries(rows, on=TODAY)),
                "first_part": True,
                "last_part": True,
                "totals": {"sanctioned": 1, "released": 1, "unspent": 1},
            },
        )

    assert "KhanijDeva" in pdf_fonts(output.getvalue())
    assert uncovered_characters(visible(html)) == set()
    assert "MOM/SO/2024/0101" in pdf_text(output.getvalue())
    # Waits for the Hindi of the register's strings.
    assert "अनुदान रजिस्टर" in html


def test_a_long_register_is_written_in_parts_numbered_as_one_document(
    portfolio, monkeypatch
):
    monkeypatch.setattr(register_service, "PART_SIZE", 1)
    output = io.BytesIO()

    written = services.write_grant_register(output, {}, on=TODAY)

    text = pdf_text(output.getvalue())
    assert written == 3
    assert [re.search(rf"\b{n} ?/ ?3\b", text) is not None for n in (1, 2, 3)] == [
        True,
        True,
        True,
    ]
    assert text.count("Register of grants") == 1
    assert "Total of 3 entries" in text
    assert "1,35,00,000" in text


# Who may ---------------------------------------------------------------------------


def test_a_grantee_is_refused_the_register_its_files_and_its_jobs(
    client, grantee, portfolio
):
    job = RegisterExportFactory(ready=True)
    client.force_login(grantee)

    for url in [
        REGISTER,
        f"{REGISTER}?_export=pdf",
        f"{REGISTER}?_export=xlsx",
        reverse("staff:register-job", args=[job.pk]),
        reverse("staff:register-job-download", args=[job.pk]),
    ]:
        assert client.get(url).status_code == 403, url


# A register built by the worker ----------------------------------------------------


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def test_a_pdf_above_the_inline_limit_becomes_a_job_and_the_officer_is_sent_to_it(
    client, staff_user, portfolio, settings, django_capture_on_commit_callbacks
):
    settings.KHANIJ_REGISTER_INLINE_ROWS = 2
    client = staff_client(client, staff_user)

    with django_capture_on_commit_callbacks() as queued:
        response = client.get(REGISTER, {"_export": "pdf", "scheme": ""})

    job = RegisterExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:register-job", args=[job.pk])
    assert (job.status, job.rows_total, job.rows_done) == ("queued", 3, 0)
    assert job.parameters == {"fiscal_year": "", "scheme": None}
    assert (job.language, job.requested_by) == ("en", staff_user)
    assert len(queued) == 1
    page = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress id="job-progress" max="3" value="0">' in page


def test_two_rows_within_the_limit_are_written_at_once(
    client, staff_user, portfolio, settings
):
    settings.KHANIJ_REGISTER_INLINE_ROWS = 2
    response = staff_client(client, staff_user).get(
        REGISTER, {"_export": "pdf", "fiscal_year": "2024-25"}
    )

    assert response["Content-Type"] == "application/pdf"
    assert not RegisterExport.objects.exists()


def test_the_worker_builds_the_file_counting_rows_and_the_download_sends_it(
    client,
    staff_user,
    portfolio,
    settings,
    eager,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    settings.KHANIJ_REGISTER_INLINE_ROWS = 2
    monkeypatch.setattr(register_service, "PART_SIZE", 1)
    seen = []
    write = register_service.write_pdf_in_parts

    def watched(*args, progress, **kwargs):
        def report(done):
            progress(done)
            seen.append(RegisterExport.objects.values_list("status", "rows_done")[0])

        return write(*args, progress=report, **kwargs)

    monkeypatch.setattr(register_service, "write_pdf_in_parts", watched)
    client = staff_client(client, staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(REGISTER, {"_export": "pdf"})

    job = RegisterExport.objects.get()
    assert seen == [("running", 1), ("running", 2), ("running", 3)]
    assert (job.status, job.rows_done, job.rows_total) == ("ready", 3, 3)
    assert job.finished_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "http-equiv" not in page
    download = reverse("staff:register-job-download", args=[job.pk])
    assert download in page
    sent = client.get(download)
    assert sent["Content-Type"] == "application/pdf"
    assert "attachment" in sent["Content-Disposition"]
    text = pdf_text(b"".join(sent.streaming_content))
    for number in ("MOM/SO/2024/0101", "MOM/SO/2024/0202", "MOM/SO/2025/0303"):
        assert number in text
    # Run again (a task redelivered): a finished job is left as it is.
    assert tasks.build_register_export(job.pk) == "ready"


def test_a_build_that_fails_marks_the_job_failed_with_a_reason_a_person_can_act_on(
    client, staff_user, portfolio, monkeypatch
):
    def full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(register_service, "write_pdf_in_parts", full)
    job = RegisterExportFactory(status="queued", rows_done=0, requested_by=staff_user)

    assert tasks.build_register_export(job.pk) == "failed"

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == (
        "The register could not be built (No space left on device). Ask for it "
        "again; if it fails again, write to rnd-helpdesk@khanij-rd.example."
    )
    assert job.finished_at is not None
    page = staff_client(client, staff_user).get(
        reverse("staff:register-job", args=[job.pk])
    )
    assert "No space left on device" in page.content.decode()
    download = reverse("staff:register-job-download", args=[job.pk])
    assert client.get(download).status_code == 404


def test_a_job_the_queue_did_not_take_says_so(
    staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(job_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.build_register_export, "delay", refuse)

    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_register_export(staff_user, {}, "en", rows_total=5)

    job.refresh_from_db()
    assert job.status == "failed"
    assert "task queue did not answer" in job.error


def test_a_pdf_asked_for_with_a_wrong_filter_goes_back_to_the_page(
    client, staff_user, portfolio
):
    response = staff_client(client, staff_user).get(
        REGISTER, {"_export": "pdf", "fiscal_year": "1999-2000"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{REGISTER}?fiscal_year=1999-2000"
    assert not RegisterExport.objects.exists()


def test_a_register_of_no_rows_still_prints_its_heading(client, staff_user):
    response = staff_client(client, staff_user).get(REGISTER, {"_export": "pdf"})

    text = pdf_text(response.content)
    assert "No sanction matches this filter." in text


def test_the_job_page_shows_the_rows_written_in_a_few_queries(
    client, staff_user, django_assert_max_num_queries
):
    job = RegisterExportFactory(requested_by=staff_user)
    client = staff_client(client, staff_user)
    client.get(reverse("staff:register-job", args=[job.pk]))

    with django_assert_max_num_queries(8):
        page = client.get(reverse("staff:register-job", args=[job.pk]))

    assert "10 of 30 rows (33%)" in visible(page.content.decode())


def test_certificates_under_examination_are_named_so(portfolio):
    certificate = UtilisationCertificate.objects.get(project=portfolio["p1"])
    UtilisationCertificate.objects.filter(pk=certificate.pk).update(
        status="submitted", decided_on=None
    )
    Milestone.objects.filter(certificate=certificate).update(
        status="submitted", decided_on=None
    )

    entry = entries()[portfolio["p1"].reference]

    assert (entry.pao_on, entry.pao_note) == (None, "Under examination")
