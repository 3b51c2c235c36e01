"""The reminder services with a frozen clock: the sweep, sending, by hand, digests.

Tasks run eagerly here (unit tests); tests/test_worker_integration.py runs them on
a real worker.
"""

import datetime
import smtplib
import zoneinfo

import pytest
import time_machine
from django.core.mail.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.celery import app as celery_app
from grants import services
from grants.models import Digest, Membership, Milestone, Project, Reminder
from grants.services import delivery
from tests.factories import (
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProjectFactory,
    ReminderFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
UTC = datetime.UTC
DUE = datetime.date(2026, 6, 30)


def at(day, hour=9, minute=0):
    """Return 09:00 (or another time) in India on ``day``."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=IST)


def day(offset, due=DUE):
    return due + datetime.timedelta(days=offset)


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def sweep(eager, django_capture_on_commit_callbacks, mailoutbox):
    """Run the sweep at a moment, queued sends included, as beat would at 09:00."""

    def run(when, **kwargs):
        with (
            time_machine.travel(when, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return services.sweep_reminders(**kwargs)

    return run


@pytest.fixture
def project(db):
    organisation = OrganisationFactory(
        name="Institute of Rare Earth Studies",
        head_name="Dr A. Registrar",
        head_email="registrar@ires.example.org",
    )
    project = ProjectFactory(
        reference="TEST-REE-0500",
        title="Recovery of Sc & Y from red mud",
        organisation=organisation,
        principal_investigator=UserFactory(
            username="pi", email="pi@ires.example.org", display_name="Prof. S. Rao"
        ),
        programme_officer=StaffUserFactory(
            username="po", email="po@mines.example.org", display_name="Ms P. Officer"
        ),
        status=Project.Status.ONGOING,
    )
    MembershipFactory(
        organisation=organisation,
        role=Membership.Role.FINANCE_OFFICER,
        user=UserFactory(username="fo", email="fo@ires.example.org"),
    )
    return project


@pytest.fixture
def division_head(db):
    return StaffUserFactory(
        username="dh", email="dh@mines.example.org", is_division_head=True
    )


@pytest.fixture
def certificate(project):
    """The annual UC 2025-26 of ``project``, due 30 Jun 2026."""
    return MilestoneFactory(
        project=project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        title="Annual UC 2025-26 (GFR 12-A)",
        due_on=DUE,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
    )


GRANTEE = {"pi@ires.example.org", "fo@ires.example.org"}
OFFICER = "po@mines.example.org"
HEAD = "registrar@ires.example.org"
DIVISION_HEAD = "dh@mines.example.org"


def sent(rule_code=None, **filters):
    rows = Reminder.objects.filter(status=Reminder.Status.SENT, **filters)
    if rule_code:
        rows = rows.filter(rule__code=rule_code)
    return set(rows.values_list("recipient_email", flat=True))


# Every rule: before, on and after its day ------------------------------------------


@pytest.mark.parametrize(
    ("code", "offset", "recipients"),
    [
        ("before-30", -30, GRANTEE),
        ("before-7", -7, GRANTEE),
        ("due-today", 0, GRANTEE),
        ("overdue-7", 7, GRANTEE | {OFFICER}),
        ("escalation-30", 30, {HEAD, OFFICER}),
        ("escalation-90", 90, {DIVISION_HEAD}),
    ],
)
def test_each_rule_sends_on_its_day_not_the_day_before_and_not_again_after(
    sweep, mailoutbox, certificate, division_head, code, offset, recipients
):
    sweep(at(day(offset - 1)))
    assert sent(code) == set()

    earlier = len(mailoutbox)
    sweep(at(day(offset)))
    assert sent(code) == recipients
    assert {message.to[0] for message in mailoutbox[earlier:]} == recipients
    rows, messages = Reminder.objects.count(), len(mailoutbox)

    sweep(at(day(offset + 1)))
    assert Reminder.objects.count() == rows
    assert len(mailoutbox) == messages


def test_a_milestone_left_open_climbs_the_whole_ladder_once_with_daily_sweeps(
    sweep, mailoutbox, certificate, division_head
):
    for offset in range(-40, 101):
        sweep(at(day(offset)))

    history = sorted(
        (reminder.sent_at.astimezone(IST).date(), reminder.rule.code, email)
        for reminder in Reminder.objects.select_related("rule")
        for email in [reminder.recipient_email]
    )
    expected = sorted(
        [(day(-30), "before-30", email) for email in GRANTEE]
        + [(day(-7), "before-7", email) for email in GRANTEE]
        + [(day(0), "due-today", email) for email in GRANTEE]
        + [(day(7), "overdue-7", email) for email in [*GRANTEE, OFFICER]]
        + [(day(30), "escalation-30", email) for email in [HEAD, OFFICER]]
        + [(day(90), "escalation-90", DIVISION_HEAD)]
    )
    assert history == expected
    assert len(mailoutbox) == len(expected)


def test_a_review_meeting_is_announced_once_seven_days_before_and_never_chased(
    sweep, mailoutbox, project
):
    meeting = MilestoneFactory(
        project=project,
        kind=Milestone.Kind.REVIEW_MEETING,
        title="Annual review meeting (PERC), 2026",
        due_on=DUE,
    )
    for offset in range(-40, 101):
        sweep(at(day(offset)))

    rows = Reminder.objects.filter(milestone=meeting)
    assert {(r.rule.code, r.recipient_email) for r in rows} == {
        ("before-7", email) for email in GRANTEE
    }
    assert {r.sent_at.astimezone(IST).date() for r in rows} == {day(-7)}
    assert len(mailoutbox) == 2
    assert mailoutbox[0].subject == (
        "[TEST-REE-0500] Review meeting in 7 days: Annual review meeting (PERC), "
        "2026, 30 Jun 2026"
    )


def test_a_step_missed_on_its_day_is_caught_up_once_by_the_next_sweep(
    sweep, certificate
):
    sweep(at(day(-29)))  # the sweep of day -30 never ran

    assert sent("before-30") == GRANTEE
    sweep(at(day(-28)))
    assert Reminder.objects.count() == 2


def test_a_recipient_hears_only_the_latest_step_of_a_missed_ladder(
    sweep, mailoutbox, certificate, division_head
):
    sweep(at(day(145)))

    assert {(r.rule.code, r.recipient_email) for r in Reminder.objects.all()} == {
        ("overdue-7", "pi@ires.example.org"),
        ("overdue-7", "fo@ires.example.org"),
        ("escalation-30", OFFICER),
        ("escalation-30", HEAD),
        ("escalation-90", DIVISION_HEAD),
    }
    assert len(mailoutbox) == 5


def test_a_step_goes_out_once_to_the_people_it_reaches_that_day(
    sweep, mailoutbox, certificate
):
    sweep(at(day(-30)))
    MembershipFactory(
        organisation=certificate.project.organisation,
        role=Membership.Role.FINANCE_OFFICER,
        user=UserFactory(username="fo2", email="fo2@ires.example.org"),
    )

    sweep(at(day(-29)))
    assert sent("before-30") == GRANTEE
    sweep(at(day(-7)))
    assert sent("before-7") == GRANTEE | {"fo2@ires.example.org"}


def test_a_reminder_before_the_due_date_is_never_caught_up_after_it(
    sweep, mailoutbox, certificate
):
    sweep(at(day(3)))

    assert Reminder.objects.count() == 0
    assert mailoutbox == []


# Which milestones ---------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [Milestone.Status.SUBMITTED, Milestone.Status.ACCEPTED, Milestone.Status.WAIVED],
)
@pytest.mark.parametrize("offset", [-30, 0, 7, 30, 90])
def test_a_submitted_accepted_or_waived_milestone_gets_nothing(
    sweep, mailoutbox, certificate, division_head, status, offset
):
    certificate.status = status
    certificate.waiver_reason = "Not needed." if status == "waived" else ""
    certificate.save()

    sweep(at(day(offset)))

    assert Reminder.objects.count() == 0
    assert mailoutbox == []


def test_a_returned_milestone_is_back_with_the_grantee_and_is_reminded(
    sweep, mailoutbox, certificate
):
    certificate.status = Milestone.Status.RETURNED
    certificate.save()

    sweep(at(day(7)))

    assert sent("overdue-7") == GRANTEE | {OFFICER}
    body = next(m for m in mailoutbox if m.to == ["pi@ires.example.org"]).body
    assert "returned for correction" in body


@pytest.mark.parametrize("status", [Project.Status.CLOSED, Project.Status.TERMINATED])
def test_a_closed_or_terminated_projects_milestones_are_not_chased(
    sweep, mailoutbox, certificate, status
):
    Project.objects.filter(pk=certificate.project_id).update(status=status)

    sweep(at(day(30)))

    assert Reminder.objects.count() == 0


def test_inactive_users_and_memberships_are_not_written_to(
    sweep, mailoutbox, certificate
):
    Membership.objects.filter(role=Membership.Role.FINANCE_OFFICER).update(
        is_active=False
    )
    certificate.project.principal_investigator.is_active = False
    certificate.project.principal_investigator.save()

    sweep(at(day(7)))

    assert sent() == {OFFICER}


def test_an_extension_moves_the_date_and_the_new_date_is_reminded_afresh(
    sweep, mailoutbox, project, staff_user
):
    completion = MilestoneFactory(
        project=project,
        kind=Milestone.Kind.TECHNICAL_DELIVERABLE,
        title="Technical completion",
        due_on=project.end_on,
        months_after_end=0,
    )
    old_due = project.end_on  # 31 Mar 2027
    sweep(at(day(-30, old_due)))
    assert sent("before-30", due_on=old_due) == GRANTEE

    new_due = datetime.date(2027, 9, 30)
    services.extend_project(
        project,
        new_end_on=new_due,
        reason="Furnace delivered late.",
        decided_on=day(-25, old_due),
        decided_by=staff_user,
    )
    completion.refresh_from_db()
    assert completion.due_on == new_due

    sweep(at(day(-7, old_due)))
    sweep(at(day(0, old_due)))
    assert Reminder.objects.filter(due_on=old_due).count() == 2
    sweep(at(day(-30, new_due)))

    assert sent("before-30", due_on=new_due) == GRANTEE
    assert Reminder.objects.count() == 4
    # Four reminders, and the extension's notice to the PI, the finance officer
    # and the programme officer.
    assert len(mailoutbox) == 4 + 3


def test_a_reminder_queued_for_a_date_that_has_moved_is_not_sent(
    eager, mailoutbox, certificate
):
    reminder = ReminderFactory(
        milestone=certificate,
        recipient=certificate.project.principal_investigator,
        rule=certificate_rule("before-7"),
    )
    Milestone.objects.filter(pk=certificate.pk).update(due_on=day(30))

    outcome = services.send_reminder(reminder.pk)

    reminder.refresh_from_db()
    assert outcome == "cancelled"
    assert reminder.status == Reminder.Status.CANCELLED
    assert "due date moved from 30 Jun 2026 to 30 Jul 2026" in reminder.last_error
    assert mailoutbox == []


def test_a_reminder_queued_before_the_milestone_was_submitted_is_not_sent(
    mailoutbox, certificate
):
    reminder = ReminderFactory(
        milestone=certificate,
        recipient=certificate.project.principal_investigator,
        rule=certificate_rule("before-7"),
    )
    Milestone.objects.filter(pk=certificate.pk).update(status="submitted")

    assert services.send_reminder(reminder.pk) == "cancelled"
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.CANCELLED
    assert reminder.last_error.startswith("Not sent: the milestone was submitted")
    assert mailoutbox == []


def certificate_rule(code):
    from grants.models import ReminderRule

    return ReminderRule.objects.get(code=code, milestone_kind="")


# Time zone --------------------------------------------------------------------------


def test_the_day_turns_at_midnight_in_india_not_in_utc(sweep, project):
    MilestoneFactory(project=project, due_on=datetime.date(2026, 12, 22))

    # 18:29 UTC is 23:59 in India: still 21 Nov, 31 days before the due date.
    sweep(datetime.datetime(2026, 11, 21, 18, 29, tzinfo=UTC))
    assert Reminder.objects.count() == 0

    # 18:31 UTC is 00:01 on 22 Nov in India: 30 days before.
    sweep(datetime.datetime(2026, 11, 21, 18, 31, tzinfo=UTC))
    assert sent("before-30") == GRANTEE


def test_a_due_today_notice_goes_on_the_indian_date(sweep, mailoutbox, project):
    MilestoneFactory(project=project, due_on=datetime.date(2026, 11, 22))

    sweep(datetime.datetime(2026, 11, 21, 18, 31, tzinfo=UTC))

    assert sent("due-today") == GRANTEE
    assert mailoutbox[0].subject.startswith("[TEST-REE-0500] Due today:")


# Claiming and sending -------------------------------------------------------------


def test_a_row_is_claimed_once(certificate):
    reminder = ReminderFactory(milestone=certificate)

    assert delivery.claim(Reminder, reminder.pk) is True
    assert delivery.claim(Reminder, reminder.pk) is False
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENDING
    assert reminder.attempts == 1
    assert reminder.claimed_at is not None


def test_a_sent_reminder_is_not_sent_again(mailoutbox, certificate):
    reminder = ReminderFactory(milestone=certificate)

    assert services.send_reminder(reminder.pk) == "sent"
    assert services.send_reminder(reminder.pk) == "not claimed"
    assert len(mailoutbox) == 1


class FlakyBackend(locmem.EmailBackend):
    """A mail server that drops the line on the first two sends."""

    failures_left = 0

    def send_messages(self, messages):
        if FlakyBackend.failures_left:
            FlakyBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class RefusingBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {messages[0].to[0]: (550, b"5.1.1 No such mailbox")}
        )


class BrokenBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        raise ValueError("misconfigured backend")


def test_a_transient_failure_puts_the_row_back_and_the_third_attempt_sends(
    settings, mailoutbox, certificate
):
    settings.EMAIL_BACKEND = "tests.test_services_reminders.FlakyBackend"
    FlakyBackend.failures_left = 2
    reminder = ReminderFactory(milestone=certificate)

    for attempt in (1, 2):
        with pytest.raises(services.TransientSendError):
            services.send_reminder(reminder.pk)
        reminder.refresh_from_db()
        assert reminder.status == Reminder.Status.PENDING
        assert reminder.attempts == attempt
        assert reminder.last_error == (
            "SMTPServerDisconnected: Connection unexpectedly closed"
        )
    assert services.send_reminder(reminder.pk) == "sent"

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert reminder.attempts == 3
    assert "SMTPServerDisconnected" in reminder.last_error  # the history is kept
    assert len(mailoutbox) == 1


def test_a_permanent_refusal_is_recorded_as_failed_and_not_retried(
    settings, mailoutbox, certificate
):
    settings.EMAIL_BACKEND = "tests.test_services_reminders.RefusingBackend"
    reminder = ReminderFactory(milestone=certificate)

    assert services.send_reminder(reminder.pk) == "failed"

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED
    assert "550" in reminder.last_error
    assert reminder.sent_at is None


def test_an_unexpected_error_is_recorded_and_raised(settings, certificate):
    settings.EMAIL_BACKEND = "tests.test_services_reminders.BrokenBackend"
    reminder = ReminderFactory(milestone=certificate)

    with pytest.raises(ValueError, match="misconfigured"):
        services.send_reminder(reminder.pk)

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED
    assert reminder.last_error == "ValueError: misconfigured backend"


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPConnectError(421, b"busy"), True),
        (smtplib.SMTPResponseException(451, b"try later"), True),
        (smtplib.SMTPSenderRefused(452, b"full", "noreply@x"), True),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad login"), False),
        (smtplib.SMTPRecipientsRefused({"a@x": (450, b"greylisted")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")}), False),
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError("timed out"), True),
        (ValueError("bug"), False),
    ],
)
def test_only_temporary_mail_failures_are_retried(error, transient):
    assert delivery.is_transient(error) is transient


def test_a_claim_left_by_a_dead_worker_is_sent_by_the_next_sweep(
    sweep, mailoutbox, certificate
):
    stale = ReminderFactory(
        milestone=certificate,
        rule=certificate_rule("before-30"),
        recipient=certificate.project.principal_investigator,
        status=Reminder.Status.SENDING,
        attempts=1,
        claimed_at=at(day(-31)),
    )
    fresh = ReminderFactory(
        milestone=certificate,
        rule=certificate_rule("before-30"),
        recipient=UserFactory(),
        status=Reminder.Status.SENDING,
        attempts=1,
        claimed_at=at(day(-30)) - datetime.timedelta(minutes=2),
    )

    result = sweep(at(day(-30)))

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert result.reclaimed == 1
    assert stale.status == Reminder.Status.SENT
    assert stale.attempts == 2
    assert "stopped before recording the send" in stale.last_error
    assert fresh.status == Reminder.Status.SENDING  # still within its claim
    assert [m.to for m in mailoutbox].count([stale.recipient_email]) == 1


def test_the_sweep_sends_pending_rows_that_were_never_dispatched(
    sweep, mailoutbox, certificate
):
    forgotten = ReminderFactory(milestone=certificate)

    result = sweep(at(day(-100)))

    forgotten.refresh_from_db()
    assert forgotten.status == Reminder.Status.SENT
    assert result.dispatched == 1


def test_the_sweep_queues_its_sends_only_after_its_transaction_commits(
    eager, django_capture_on_commit_callbacks, mailoutbox, certificate
):
    with (
        time_machine.travel(at(day(-30)), tick=False),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        result = services.sweep_reminders()

    assert result.created == 2
    assert result.dispatched == 2
    assert callbacks  # the sends wait for the commit
    assert mailoutbox == []
    assert set(Reminder.objects.values_list("status", flat=True)) == {"pending"}
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 2
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}


def test_a_second_sweep_on_the_same_day_sends_nothing(sweep, mailoutbox, certificate):
    first = sweep(at(day(7)))
    second = sweep(at(day(7), hour=15))

    assert (first.created, first.dispatched) == (3, 3)
    assert (second.created, second.dispatched) == (0, 0)
    assert len(mailoutbox) == 3


def test_the_sweeps_queries_do_not_grow_with_the_number_due(
    eager, django_capture_on_commit_callbacks, project
):
    MilestoneFactory(project=project, due_on=DUE)
    with (
        time_machine.travel(at(day(-30)), tick=False),
        django_capture_on_commit_callbacks(execute=False),
        CaptureQueriesContext(connection) as one,
    ):
        services.sweep_reminders()
    MilestoneFactory.create_batch(10, project=project, due_on=day(1))
    with (
        time_machine.travel(at(day(-29)), tick=False),
        django_capture_on_commit_callbacks(execute=False),
        CaptureQueriesContext(connection) as eleven,
    ):
        result = services.sweep_reminders()

    assert result.created == 20
    assert len(eleven) == len(one)


# The e-mails ----------------------------------------------------------------------


def email_to(mailoutbox, address):
    (message,) = [m for m in mailoutbox if m.to == [address]]
    return message


def html_of(message):
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def test_a_reminder_says_what_is_due_when_and_where_to_submit_it(
    sweep, mailoutbox, settings, certificate
):
    settings.KHANIJ_SITE_URL = "https://khanij.example.org"

    sweep(at(day(-30)))

    message = email_to(mailoutbox, "pi@ires.example.org")
    reminder = Reminder.objects.get(recipient_email="pi@ires.example.org")
    assert message.subject == (
        "[TEST-REE-0500] Due in 30 days: Annual UC 2025-26 (GFR 12-A), 30 Jun 2026"
    )
    assert reminder.subject == message.subject
    assert message.extra_headers["Message-ID"] == (
        f"<reminder.{reminder.pk}@khanij-rd.example>"
    )
    portal = f"https://khanij.example.org/portal/projects/{certificate.project_id}/"
    for body in (message.body, html_of(message)):
        assert "Prof. S. Rao" in body
        assert "TEST-REE-0500" in body
        assert "30 Jun 2026" in body
        assert "Form GFR 12-A" in body
        assert "01 Apr 2025 to 31 Mar 2026" in body
        assert portal in body
    assert "Recovery of Sc & Y from red mud" in message.body
    assert "Recovery of Sc &amp; Y from red mud" in html_of(message)
    assert "Days left:  30" in message.body


def test_the_html_e_mails_carry_no_inline_style_attributes(
    sweep, mailoutbox, certificate, division_head
):
    for offset in (-30, 7, 30, 90):
        sweep(at(day(offset)))

    assert len(mailoutbox) == 2 + 3 + 2 + 1
    for message in mailoutbox:
        assert "style=" not in html_of(message)


def test_the_programme_officers_copy_of_an_overdue_notice_links_to_the_staff_page(
    sweep, mailoutbox, certificate
):
    sweep(at(day(7)))

    message = email_to(mailoutbox, OFFICER)
    assert message.subject == (
        "[TEST-REE-0500] Copy: Overdue by 7 days: Annual UC 2025-26 (GFR 12-A) "
        "(due 30 Jun 2026)"
    )
    assert "For your information" in message.body
    assert f"/staff/projects/{certificate.project_id}/" in message.body
    grantee = email_to(mailoutbox, "fo@ires.example.org")
    assert "7 days overdue" in grantee.body
    assert f"/portal/projects/{certificate.project_id}/" in grantee.body


def test_an_escalation_names_the_project_non_compliant_and_the_instalment_blocked(
    sweep, mailoutbox, certificate
):
    InstalmentFactory(
        project=certificate.project,
        sequence=1,
        amount=4_542_000,
        released_on=datetime.date(2024, 3, 27),
        release_order_number="TEST/RO/1",
    )
    InstalmentFactory(project=certificate.project, sequence=2, amount=1_729_000)

    sweep(at(day(30)))

    message = email_to(mailoutbox, HEAD)
    assert message.subject == (
        "[TEST-REE-0500] Escalation: Annual UC 2025-26 (GFR 12-A) overdue by 30 days "
        "– project non-compliant, instalment 2 blocked"
    )
    assert message.body.startswith("Dear Dr A. Registrar,")
    assert "head of Institute of Rare Earth Studies" in message.body
    assert "NON-COMPLIANT" in message.body
    assert "instalment 2 of ₹\u00a017,29,000, is BLOCKED" in message.body
    assert "non-compliant" in html_of(message)
    officer = email_to(mailoutbox, OFFICER)
    assert "has been informed" in officer.body


def test_the_division_head_is_asked_to_decide_on_suspension_or_recovery(
    sweep, mailoutbox, certificate, division_head
):
    sweep(at(day(90)))

    message = email_to(mailoutbox, DIVISION_HEAD)
    assert message.subject.startswith("[TEST-REE-0500] Escalation to the division head")
    assert "suspension or recovery" in message.body
    assert f"/staff/projects/{certificate.project_id}/" in message.body


# By hand --------------------------------------------------------------------------


def test_staff_can_send_a_reminder_now_once_per_click(
    eager, django_capture_on_commit_callbacks, mailoutbox, certificate, staff_user
):
    staff_user.display_name = "Ms P. Officer"
    staff_user.save()
    with (
        time_machine.travel(at(day(-3)), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = services.send_reminder_now(
            certificate, sent_by=staff_user, request_key="click-1"
        )
        again = services.send_reminder_now(
            certificate, sent_by=staff_user, request_key="click-1"
        )

    assert {r.recipient_email for r in first} == GRANTEE
    assert {r.pk for r in again} == {r.pk for r in first}
    rows = Reminder.objects.filter(request_key="click-1")
    assert rows.count() == 2
    assert all(r.rule is None and r.sent_by == staff_user for r in rows)
    assert {r.status for r in rows} == {Reminder.Status.SENT}
    assert len(mailoutbox) == 2
    assert mailoutbox[0].subject == (
        "[TEST-REE-0500] Reminder from the Ministry of Mines: Annual UC 2025-26 "
        "(GFR 12-A), due 30 Jun 2026"
    )
    assert "Ms P. Officer" in mailoutbox[0].body
    assert "in 3 days" in mailoutbox[0].body


def test_each_click_sends_its_own_reminder(
    eager, django_capture_on_commit_callbacks, mailoutbox, certificate, staff_user
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminder_now(certificate, sent_by=staff_user, request_key="a")
        services.send_reminder_now(certificate, sent_by=staff_user, request_key="b")

    assert Reminder.objects.filter(rule=None).count() == 4
    assert len(mailoutbox) == 4


@pytest.mark.parametrize(
    "status",
    [Milestone.Status.SUBMITTED, Milestone.Status.ACCEPTED, Milestone.Status.WAIVED],
)
def test_a_reminder_by_hand_is_refused_for_a_milestone_not_with_the_grantee(
    certificate, staff_user, status
):
    Milestone.objects.filter(pk=certificate.pk).update(
        status=status, waiver_reason="Not needed."
    )

    with pytest.raises(services.GrantRuleError, match="nothing to remind"):
        services.send_reminder_now(certificate, sent_by=staff_user, request_key="k")
    assert not Reminder.objects.exists()


def test_a_reminder_by_hand_needs_a_request_key(certificate, staff_user):
    with pytest.raises(services.GrantRuleError, match="no key"):
        services.send_reminder_now(certificate, sent_by=staff_user, request_key=" ")
    assert not Reminder.objects.exists()


# The weekly digest ----------------------------------------------------------------


def test_each_programme_officer_gets_one_digest_a_week_listing_their_items(
    eager, django_capture_on_commit_callbacks, mailoutbox, project
):
    MilestoneFactory(project=project, title="Overdue report", due_on=day(-10))
    MilestoneFactory(project=project, title="Upcoming UC", due_on=day(12))
    MilestoneFactory(project=project, title="Far-off report", due_on=day(90))
    MilestoneFactory(project=project, title="Done", due_on=day(-5), status="accepted")
    ProjectFactory()  # another officer, nothing due

    monday = at(DUE - datetime.timedelta(days=DUE.weekday()), 8, 30)
    with time_machine.travel(monday, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_weekly_digests() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_weekly_digests() == 0

    digest = Digest.objects.get()
    assert digest.recipient == project.programme_officer
    assert digest.week_starting == monday.date()
    assert digest.status == Digest.Status.SENT
    (message,) = mailoutbox
    assert message.to == [OFFICER]
    assert message.subject == (
        "Weekly digest, week of 29 Jun 2026: 1 overdue, 1 due in the next 30 days"
    )
    assert "Overdue report – due 20 Jun 2026, 9 days overdue" in message.body
    assert "Upcoming UC – due 12 Jul 2026, in 13 days" in message.body
    assert "Far-off report" not in message.body
    assert "Done" not in message.body
    assert message.extra_headers["Message-ID"] == (
        f"<digest.{digest.pk}@khanij-rd.example>"
    )
    assert "style=" not in html_of(message)
