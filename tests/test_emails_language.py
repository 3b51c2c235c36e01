"""E-mails go out in the recipient's language, not in the sender's.

A user's ``preferred_language`` ("en" or "hi") decides the language of every e-mail
written to them: reminders and escalations (rendered later, in a Celery task, with
no request), and decision notices (whose ``about`` and ``next_step`` are stored per
recipient). One batch may mix languages.

Two kinds of test here:

- the English side, and the switch itself (``<html lang="hi">``, the month names
  Django itself translates), pass with or without the project's Hindi catalogue;
- the tests named ``test_hindi_..._needs_catalogue`` check Hindi words chosen for
  msgids of the e-mails (``Due in %(days)s days: ...`` -> ``... दिन में देय: ...``,
  ``Dear %(recipient_name)s,`` -> ``प्रिय ...,``, ``Decision: %(kind)s: ...`` ->
  ``निर्णय: ...``, ``Correct the report and resubmit it from the portal by
  %(date)s.`` -> ``... पुनः प्रस्तुत करें।``). THEY FAIL UNTIL
  locale/hi/LC_MESSAGES/django.po holds those translations and is compiled
  (``compilemessages``).
"""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from config.celery import app as celery_app
from grants import services
from grants.models import Membership, Milestone, Notice, Project, Reminder
from tests.factories import (
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProgressReportFactory,
    ProjectFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
DUE = datetime.date(2026, 6, 30)
TODAY = datetime.date(2026, 11, 22)
DEVANAGARI = re.compile("[\u0900-\u097f]")

PI = "pi@ires.example.org"  # prefers Hindi
FO = "fo@ires.example.org"  # prefers English
PO = "po@mines.example.org"  # prefers English


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def project(db):
    organisation = OrganisationFactory(name="Institute of Rare Earth Studies")
    project = ProjectFactory(
        reference="TEST-REE-0800",
        title="Recovery of Sc & Y from red mud",
        organisation=organisation,
        principal_investigator=UserFactory(
            username="pi",
            email=PI,
            display_name="Prof. S. Rao",
            preferred_language="hi",
        ),
        programme_officer=StaffUserFactory(
            username="po",
            email=PO,
            display_name="Ms P. Officer",
            preferred_language="en",
        ),
        status=Project.Status.ONGOING,
    )
    MembershipFactory(
        organisation=organisation,
        role=Membership.Role.FINANCE_OFFICER,
        user=UserFactory(username="fo", email=FO, preferred_language="en"),
    )
    return project


@pytest.fixture
def certificate(project):
    return MilestoneFactory(
        project=project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        title="Annual UC 2025-26 (GFR 12-A)",
        due_on=DUE,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
    )


@pytest.fixture
def reminded(eager, django_capture_on_commit_callbacks, mailoutbox, certificate):
    """The daily sweep 30 days before the due date: one batch, two languages."""
    moment = datetime.datetime.combine(
        DUE - datetime.timedelta(days=30), datetime.time(9), tzinfo=IST
    )
    with (
        translation.override("en"),
        time_machine.travel(moment, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.sweep_reminders()
    return {message.to[0]: message for message in mailoutbox}


@pytest.fixture
def returned(eager, django_capture_on_commit_callbacks, mailoutbox, project):
    """A report returned by the programme officer, who works in English."""
    milestone = MilestoneFactory(
        project=project,
        title="Half-yearly progress report, Apr–Sep 2026",
        due_on=datetime.date(2026, 10, 30),
        status=Milestone.Status.SUBMITTED,
    )
    report = ProgressReportFactory(milestone=milestone, submitted_on=TODAY)
    with (
        translation.override("en"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.return_progress_report(
            report,
            reason="Add the recovery yield of the leach tests.",
            decided_on=TODAY,
            decided_by=project.programme_officer,
        )
    return {message.to[0]: message for message in mailoutbox}


def html_of(message):
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def text_of(message):
    return message.subject + message.body + html_of(message)


# Reminders -----------------------------------------------------------------------


def test_a_reminder_to_an_english_user_is_english_in_a_batch_with_hindi(reminded):
    assert set(reminded) == {PI, FO}
    english = reminded[FO]
    assert english.subject == (
        "[TEST-REE-0800] Due in 30 days: Annual UC 2025-26 (GFR 12-A), 30 Jun 2026"
    )
    assert "Dear " in english.body
    assert "Days left:  30" in english.body
    assert '<html lang="en">' in html_of(english)
    assert not DEVANAGARI.search(text_of(english))


def test_a_reminder_to_a_hindi_user_is_rendered_in_hindi(reminded):
    hindi = reminded[PI]
    assert '<html lang="hi">' in html_of(hindi)
    # Month names come from Django's own Hindi catalogue.
    assert "30 जून 2026" in hindi.subject
    assert "01 अप्रैल 2025" in hindi.body
    # The row records the subject as it was sent.
    assert Reminder.objects.get(recipient_email=PI).subject == hindi.subject
    # And the worker's language is left as it was.
    assert translation.get_language() == "en"


def test_hindi_reminder_words_needs_catalogue(reminded):
    """NEEDS the compiled Hindi catalogue (fails until it exists)."""
    hindi = reminded[PI]
    assert hindi.subject.startswith("[TEST-REE-0800] 30 दिन में देय: ")
    assert hindi.body.startswith("प्रिय Prof. S. Rao,")
    assert "Dear " not in hindi.body
    assert reminded[FO].body.startswith("Dear ")


def test_a_reminder_by_hand_follows_the_recipients_language(
    eager, django_capture_on_commit_callbacks, mailoutbox, certificate
):
    staff = StaffUserFactory(username="sender", preferred_language="hi")
    with (
        translation.override("hi"),  # the staff member works in Hindi
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.send_reminder_now(certificate, sent_by=staff, request_key="k-1")

    by_address = {message.to[0]: message for message in mailoutbox}
    assert '<html lang="hi">' in html_of(by_address[PI])
    english = by_address[FO]
    assert '<html lang="en">' in html_of(english)
    assert "Reminder from the Ministry of Mines" in english.subject
    assert not DEVANAGARI.search(english.subject + english.body)


# Decision notices ----------------------------------------------------------------


def test_a_decision_notices_copy_to_an_english_officer_is_english(returned):
    copy = returned[PO]
    assert copy.subject == (
        "[TEST-REE-0800] Copy: Decision: Report returned: Half-yearly progress "
        "report, Apr–Sep 2026, version 1"
    )
    assert "For your information" in copy.body
    assert "resubmit it from the portal by 22 Dec 2026" in copy.body
    assert '<html lang="en">' in html_of(copy)
    assert not DEVANAGARI.search(text_of(copy))
    officer_row = Notice.objects.get(recipient_email=PO)
    assert officer_row.next_step == (
        "Correct the report and resubmit it from the portal by 22 Dec 2026."
    )
    assert officer_row.about == "Half-yearly progress report, Apr–Sep 2026, version 1"
    # The English finance officer of the same grantee reads English too.
    assert "Dear " in returned[FO].body
    assert not DEVANAGARI.search(text_of(returned[FO]))


def test_a_decision_notice_to_a_hindi_grantee_is_written_in_hindi(returned):
    notice = returned[PI]
    assert '<html lang="hi">' in html_of(notice)
    # Written when the decision was taken, in the recipient's language.
    row = Notice.objects.get(recipient_email=PI)
    assert "22 दिसंबर 2026" in row.next_step
    assert row.subject == notice.subject
    # The user's own words stay as written.
    assert "Add the recovery yield of the leach tests." in notice.body


def test_hindi_decision_notice_words_needs_catalogue(returned):
    """NEEDS the compiled Hindi catalogue (fails until it exists)."""
    notice = returned[PI]
    assert notice.subject.startswith("[TEST-REE-0800] निर्णय: ")
    assert notice.body.startswith("प्रिय Prof. S. Rao,")
    row = Notice.objects.get(recipient_email=PI)
    assert row.next_step == (
        "रिपोर्ट में सुधार करके उसे 22 दिसंबर 2026 तक पोर्टल से पुनः प्रस्तुत करें।"
    )
    assert returned[PO].subject.startswith("[TEST-REE-0800] Copy: Decision: ")
