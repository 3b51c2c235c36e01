"""Every decision tells the grantee once, by a task queued after the commit.

Tasks run eagerly here (unit tests); the worker integration tests run a real one.
"""

import datetime

import pytest
from django.db import transaction

from config.celery import app as celery_app
from grants import services
from grants.models import (
    Membership,
    Milestone,
    Notice,
    ProgressReport,
    Project,
)
from tests.factories import (
    ExtensionFactory,
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProgressReportFactory,
    ProjectFactory,
    StaffUserFactory,
    UserFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def officer(db):
    return StaffUserFactory(
        username="po", email="po@mines.example.org", display_name="Ms P. Officer"
    )


@pytest.fixture
def project(officer):
    organisation = OrganisationFactory(name="Institute of Rare Earth Studies")
    project = ProjectFactory(
        reference="TEST-REE-0700",
        organisation=organisation,
        principal_investigator=UserFactory(
            username="pi", email="pi@ires.example.org", display_name="Prof. S. Rao"
        ),
        programme_officer=officer,
        status=Project.Status.ONGOING,
    )
    MembershipFactory(
        organisation=organisation,
        role=Membership.Role.FINANCE_OFFICER,
        user=UserFactory(username="fo", email="fo@ires.example.org"),
    )
    return project


@pytest.fixture
def report(project):
    milestone = MilestoneFactory(
        project=project,
        title="Half-yearly progress report, Apr–Sep 2026",
        due_on=datetime.date(2026, 10, 30),
        status=Milestone.Status.SUBMITTED,
    )
    return ProgressReportFactory(milestone=milestone, submitted_on=TODAY)


def return_report(report, officer):
    return services.return_progress_report(
        report,
        reason="Add the recovery yield of the leach tests.",
        decided_on=TODAY,
        decided_by=officer,
    )


def test_returning_a_report_tells_the_grantee_and_copies_the_officer(
    eager, django_capture_on_commit_callbacks, mailoutbox, report, officer
):
    with django_capture_on_commit_callbacks(execute=True):
        return_report(report, officer)

    assert sorted(
        Notice.objects.values_list("recipient_email", "is_copy", "status")
    ) == [
        ("fo@ires.example.org", False, "sent"),
        ("pi@ires.example.org", False, "sent"),
        ("po@mines.example.org", True, "sent"),
    ]
    to_pi = next(m for m in mailoutbox if m.to == ["pi@ires.example.org"])
    assert to_pi.subject == (
        "[TEST-REE-0700] Decision: Report returned: Half-yearly progress report, "
        "Apr–Sep 2026, version 1"
    )
    body = to_pi.body
    assert "Add the recovery yield of the leach tests." in body
    assert "Ms P. Officer" in body
    # Held by the ministry for 23 days and returned: due again 30 days on.
    assert "resubmit it from the portal by 22 Dec 2026" in body
    assert f"/portal/reports/{report.pk}/" in body
    assert "Overdue" not in body
    copy = next(m for m in mailoutbox if m.to == ["po@mines.example.org"])
    assert "For your information" in copy.body
    assert "Questions go to" not in copy.body


def test_nothing_is_sent_inside_the_request_only_after_the_commit(
    eager, django_capture_on_commit_callbacks, mailoutbox, report, officer
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        return_report(report, officer)
        assert mailoutbox == []

    assert Notice.objects.filter(status=Notice.Status.PENDING).count() == 3
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 3


def test_a_decision_rolled_back_records_and_sends_nothing(
    eager, django_capture_on_commit_callbacks, mailoutbox, report, officer
):
    def decide_then_fail():
        with transaction.atomic():
            return_report(report, officer)
            raise RuntimeError("the request failed after the decision")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
    ):
        decide_then_fail()

    assert not Notice.objects.exists()
    assert mailoutbox == []


def test_a_notice_is_sent_once_however_often_its_send_runs(
    eager, django_capture_on_commit_callbacks, mailoutbox, report, officer
):
    with django_capture_on_commit_callbacks(execute=True):
        return_report(report, officer)
    notice = Notice.objects.get(recipient_email="pi@ires.example.org")

    assert services.send_notice(notice.pk) == "not claimed"
    assert len(mailoutbox) == 3
    notice.refresh_from_db()
    assert notice.attempts == 1
    assert notice.subject.startswith("[TEST-REE-0700] Decision: Report returned")


def test_the_daily_sweep_sends_a_notice_whose_message_was_lost(
    eager, django_capture_on_commit_callbacks, mailoutbox, report, officer
):
    with django_capture_on_commit_callbacks(execute=False):
        return_report(report, officer)  # the queued messages never arrive

    with django_capture_on_commit_callbacks(execute=True):
        result = services.sweep_reminders(on=TODAY)

    assert result.notices_dispatched == 3
    decisions = [m for m in mailoutbox if "Decision:" in m.subject]
    assert len(decisions) == 3
    assert set(Notice.objects.values_list("status", flat=True)) == {"sent"}


def accept_report(project, officer):
    milestone = MilestoneFactory(project=project, status=Milestone.Status.SUBMITTED)
    report = ProgressReportFactory(milestone=milestone)
    services.accept_progress_report(report, decided_on=TODAY, decided_by=officer)


def accept_certificate(project, officer):
    certificate = UtilisationCertificateFactory(project=project, signed=True)
    services.accept_certificate(certificate, decided_on=TODAY, decided_by=officer)


def return_certificate(project, officer):
    certificate = UtilisationCertificateFactory(project=project)
    services.return_certificate(
        certificate, reason="Attach Form GFR 22.", decided_on=TODAY, decided_by=officer
    )


def release(project, officer):
    instalment = InstalmentFactory(project=project, sequence=1)
    services.release_instalment(
        instalment,
        released_on=TODAY,
        release_order_number="MoM/RO/2026/7",
        released_by=officer,
    )


def approve_extension(project, officer):
    request = ExtensionFactory(
        project=project, new_end_on=project.end_on + datetime.timedelta(days=180)
    )
    services.approve_extension(
        request, decided_on=TODAY, decided_by=officer, comment="PERC agreed."
    )


def reject_extension(project, officer):
    request = ExtensionFactory(project=project)
    services.reject_extension(
        request, decided_on=TODAY, decided_by=officer, comment="No ground given."
    )


def waive(project, officer):
    milestone = MilestoneFactory(project=project)
    services.waive_milestone(
        milestone, reason="Merged.", decided_by=officer, decided_on=TODAY
    )


def reschedule(project, officer):
    milestone = MilestoneFactory(project=project, due_on=datetime.date(2030, 1, 1))
    services.reschedule_milestone(
        milestone,
        new_due_on=datetime.date(2030, 3, 1),
        reason="Field season.",
        decided_by=officer,
    )


@pytest.mark.parametrize(
    ("decide", "kind"),
    [
        (accept_report, Notice.Kind.REPORT_ACCEPTED),
        (accept_certificate, Notice.Kind.CERTIFICATE_ACCEPTED),
        (return_certificate, Notice.Kind.CERTIFICATE_RETURNED),
        (release, Notice.Kind.INSTALMENT_RELEASED),
        (approve_extension, Notice.Kind.EXTENSION_APPROVED),
        (reject_extension, Notice.Kind.EXTENSION_REJECTED),
        (waive, Notice.Kind.MILESTONE_WAIVED),
        (reschedule, Notice.Kind.MILESTONE_RESCHEDULED),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_every_decision_records_one_notice_per_person(project, officer, decide, kind):
    decide(project, officer)

    notices = Notice.objects.filter(kind=kind)
    assert sorted(notices.values_list("recipient_email", flat=True)) == [
        "fo@ires.example.org",
        "pi@ires.example.org",
        "po@mines.example.org",
    ]
    assert len(set(notices.values_list("decision", flat=True))) == 1
    assert all(notice.next_step for notice in notices)


def test_two_reschedules_of_one_milestone_are_two_decisions(project, officer):
    milestone = MilestoneFactory(project=project, due_on=datetime.date(2030, 1, 1))
    for new_due in (datetime.date(2030, 3, 1), datetime.date(2030, 5, 1)):
        services.reschedule_milestone(
            milestone, new_due_on=new_due, reason="Field season.", decided_by=officer
        )
    assert Notice.objects.filter(recipient_email="pi@ires.example.org").count() == 2


def test_a_returned_report_is_due_again_thirty_days_after_the_return(report, officer):
    return_report(report, officer)
    milestone = Milestone.objects.get(pk=report.milestone_id)
    assert milestone.status == Milestone.Status.RETURNED
    assert milestone.due_on == datetime.date(2026, 12, 22)
    assert milestone.original_due_on == datetime.date(2026, 10, 30)
    assert not milestone.is_overdue(on=datetime.date(2026, 12, 22))
    assert milestone.is_overdue(on=datetime.date(2026, 12, 23))


def test_the_resubmission_period_is_the_schemes(report, officer):
    scheme = report.milestone.project.scheme
    scheme.resubmission_days = 15
    scheme.save()
    return_report(report, officer)
    assert Milestone.objects.get(pk=report.milestone_id).due_on == datetime.date(
        2026, 12, 7
    )


def test_a_return_before_the_due_date_keeps_the_time_the_grantee_had(project, officer):
    milestone = MilestoneFactory(
        project=project,
        due_on=datetime.date(2027, 4, 30),
        status=Milestone.Status.SUBMITTED,
    )
    report = ProgressReportFactory(milestone=milestone, submitted_on=TODAY)
    return_report(report, officer)
    milestone.refresh_from_db()
    assert milestone.due_on == datetime.date(2027, 4, 30)
    assert milestone.original_due_on is None
    assert ProgressReport.objects.get(pk=report.pk).status == "returned"
