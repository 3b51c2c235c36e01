"""The reminder ladder: which steps are due on a day, and the sweep's one query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants import reminders
from grants.models import Milestone, ReminderRule
from grants.services import reminders as reminder_services
from tests.factories import MilestoneFactory, ProjectFactory, ReminderRuleFactory

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 6, 30)
GRANTEE = reminders.GRANTEE
OFFICER = reminders.PROGRAMME_OFFICER
HEAD = reminders.ORGANISATION_HEAD
DIVISION_HEAD = reminders.DIVISION_HEAD


def default_ladder():
    return reminders.Ladder(ReminderRule.objects.all())


def steps_on(ladder, kind, day):
    """Return (rule code, audience) of the steps due on ``day`` for DUE."""
    return sorted(
        (step.rule.code, step.audience) for step in ladder.steps_due(kind, DUE, day)
    )


def day(offset):
    return DUE + datetime.timedelta(days=offset)


def test_the_default_ladder_follows_the_ministrys_steps_for_a_report():
    ladder = default_ladder()

    steps = [
        (step.rule.code, step.audience, step.start, step.end)
        for step in ladder.steps(Milestone.Kind.PROGRESS_REPORT)
    ]

    assert steps == [
        ("before-30", GRANTEE, -30, -7),
        ("before-7", GRANTEE, -7, 0),
        ("due-today", GRANTEE, 0, 1),
        ("overdue-7", GRANTEE, 7, 7 + reminders.CATCH_UP_DAYS),
        ("overdue-7", OFFICER, 7, 30),
        ("escalation-30", OFFICER, 30, 30 + reminders.CATCH_UP_DAYS),
        ("escalation-30", HEAD, 30, 30 + reminders.CATCH_UP_DAYS),
        ("escalation-90", DIVISION_HEAD, 90, 90 + reminders.CATCH_UP_DAYS),
    ]


@pytest.mark.parametrize(
    "kind",
    [
        Milestone.Kind.PROGRESS_REPORT,
        Milestone.Kind.UTILISATION_CERTIFICATE,
        Milestone.Kind.TECHNICAL_DELIVERABLE,
        Milestone.Kind.FINAL_REPORT,
    ],
)
def test_every_kind_the_grantee_owes_has_the_whole_ladder(kind):
    codes = {step.rule.code for step in default_ladder().steps(kind)}

    assert codes == {
        "before-30",
        "before-7",
        "due-today",
        "overdue-7",
        "escalation-30",
        "escalation-90",
    }


def test_escalations_mark_the_project_non_compliant_and_reminders_do_not():
    rules = {rule.code: rule for rule in ReminderRule.objects.filter(milestone_kind="")}

    assert {code for code, rule in rules.items() if rule.marks_non_compliant} == {
        "escalation-30",
        "escalation-90",
    }
    assert {code: rule.template for code, rule in rules.items()} == {
        "before-30": "reminder",
        "before-7": "reminder",
        "due-today": "reminder",
        "overdue-7": "overdue",
        "escalation-30": "escalation",
        "escalation-90": "escalation",
    }


def test_a_review_meeting_gets_only_its_seven_day_notice_and_never_after_the_day():
    steps = default_ladder().steps(Milestone.Kind.REVIEW_MEETING)

    assert [(s.rule.code, s.audience, s.start, s.end) for s in steps] == [
        ("before-7", GRANTEE, -7, 1)
    ]
    assert steps[0].rule.milestone_kind == Milestone.Kind.REVIEW_MEETING


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (-31, []),
        (-30, [("before-30", GRANTEE)]),
        (-8, [("before-30", GRANTEE)]),
        (-7, [("before-7", GRANTEE)]),
        (-1, [("before-7", GRANTEE)]),
        (0, [("due-today", GRANTEE)]),
        (1, []),
        (6, []),
        (7, [("overdue-7", GRANTEE), ("overdue-7", OFFICER)]),
        (29, [("overdue-7", GRANTEE), ("overdue-7", OFFICER)]),
        (
            30,
            [
                ("escalation-30", HEAD),
                ("escalation-30", OFFICER),
                ("overdue-7", GRANTEE),
            ],
        ),
        (
            90,
            [
                ("escalation-30", HEAD),
                ("escalation-30", OFFICER),
                ("escalation-90", DIVISION_HEAD),
                ("overdue-7", GRANTEE),
            ],
        ),
        (
            7 + reminders.CATCH_UP_DAYS,
            [
                ("escalation-30", HEAD),
                ("escalation-30", OFFICER),
                ("escalation-90", DIVISION_HEAD),
            ],
        ),
        (90 + reminders.CATCH_UP_DAYS, []),
    ],
)
def test_each_audience_is_due_its_latest_step_only(offset, expected):
    assert steps_on(default_ladder(), Milestone.Kind.PROGRESS_REPORT, day(offset)) == (
        expected
    )


def test_a_kinds_own_rule_replaces_the_general_rule_with_the_same_code():
    ReminderRuleFactory(
        code="before-30",
        name="UC: 45 days before",
        milestone_kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        offset_days=-45,
    )
    ladder = default_ladder()

    uc = ladder.steps(Milestone.Kind.UTILISATION_CERTIFICATE)
    report = ladder.steps(Milestone.Kind.PROGRESS_REPORT)

    assert uc[0].rule.name == "UC: 45 days before"
    assert (uc[0].start, uc[0].end) == (-45, -7)
    assert [s.start for s in uc].count(-30) == 0
    assert report[0].start == -30


def test_an_inactive_rule_of_a_kind_switches_the_general_step_off_for_that_kind():
    ReminderRuleFactory(
        code="due-today",
        name="No due-date notice for deliverables",
        milestone_kind=Milestone.Kind.TECHNICAL_DELIVERABLE,
        offset_days=0,
        is_active=False,
    )
    ladder = default_ladder()

    deliverable = {
        s.rule.code for s in ladder.steps(Milestone.Kind.TECHNICAL_DELIVERABLE)
    }
    report = {s.rule.code for s in ladder.steps(Milestone.Kind.PROGRESS_REPORT)}

    assert "due-today" not in deliverable
    assert "due-today" in report
    # Without its due-today step, "7 days before" lasts up to the due date.
    before_7 = next(
        s
        for s in ladder.steps(Milestone.Kind.TECHNICAL_DELIVERABLE)
        if s.rule.code == "before-7"
    )
    assert (before_7.start, before_7.end) == (-7, 1)


def test_an_inactive_general_rule_sends_nothing_for_any_kind():
    ReminderRule.objects.filter(code="before-30").update(is_active=False)

    ladder = default_ladder()

    assert all(
        step.rule.code != "before-30"
        for kind in Milestone.Kind.values
        for step in ladder.steps(kind)
    )


def test_a_rule_to_nobody_has_no_step():
    ReminderRuleFactory(
        code="silent",
        offset_days=-14,
        to_grantee=False,
        to_programme_officer=False,
        to_organisation_head=False,
        to_division_head=False,
    )

    assert all(
        step.rule.code != "silent"
        for step in default_ladder().steps(Milestone.Kind.PROGRESS_REPORT)
    )


def test_merge_intervals_joins_touching_and_overlapping_windows():
    assert reminders.merge_intervals(
        [(7, 30), (-30, -7), (-7, 0), (0, 1), (30, 40)]
    ) == [
        (-30, 1),
        (7, 40),
    ]


def test_the_candidate_filter_matches_nothing_without_active_rules():
    ReminderRule.objects.update(is_active=False)
    MilestoneFactory(due_on=day(0))

    ladder = default_ladder()

    assert not Milestone.objects.filter(ladder.candidate_filter(day(0))).exists()


def test_the_candidate_filter_finds_open_milestones_in_any_window_and_nothing_else():
    on = day(0)
    inside = {
        MilestoneFactory(due_on=day(30)).pk,  # before-30 today
        MilestoneFactory(due_on=day(8)).pk,  # before-30 window
        MilestoneFactory(due_on=day(0)).pk,  # due today
        MilestoneFactory(due_on=day(-7)).pk,  # overdue 7 days
        MilestoneFactory(due_on=day(-200), status=Milestone.Status.RETURNED).pk,
    }
    MilestoneFactory(due_on=day(31))  # too early
    MilestoneFactory(due_on=day(-3))  # between due-today and overdue-7
    MilestoneFactory(due_on=day(-7), status=Milestone.Status.SUBMITTED)
    MilestoneFactory(due_on=day(-7), status=Milestone.Status.ACCEPTED)
    MilestoneFactory(
        due_on=day(-7), status=Milestone.Status.WAIVED, waiver_reason="Not needed."
    )
    MilestoneFactory(due_on=day(-7), project=ProjectFactory(status="terminated"))
    # A meeting has its notice 7 days before, and nothing earlier.
    MilestoneFactory(due_on=day(10), kind=Milestone.Kind.REVIEW_MEETING)
    meeting = MilestoneFactory(due_on=day(7), kind=Milestone.Kind.REVIEW_MEETING)
    inside.add(meeting.pk)

    found = Milestone.objects.filter(default_ladder().candidate_filter(on))

    assert set(found.values_list("pk", flat=True)) == inside


def test_the_sweep_reads_its_candidates_in_one_query_however_many_are_due():
    ladder = default_ladder()
    on = day(-30)
    MilestoneFactory(due_on=day(365))  # not in any window
    MilestoneFactory(due_on=DUE)
    with CaptureQueriesContext(connection) as one:
        list(reminder_services.candidate_milestones(ladder, on).values_list("pk"))
    MilestoneFactory.create_batch(10, due_on=DUE)
    with CaptureQueriesContext(connection) as eleven:
        found = list(reminder_services.candidate_milestones(ladder, on))

    assert len(found) == 11
    assert len(one) == len(eleven) == 1


def test_reading_the_people_to_write_to_costs_no_query_per_milestone():
    MilestoneFactory.create_batch(3, due_on=DUE)
    milestones = reminder_services.with_recipients(Milestone.objects.all())
    with CaptureQueriesContext(connection) as loading:
        found = list(milestones)
    with CaptureQueriesContext(connection) as reading:
        for milestone in found:
            reminder_services.recipients(
                milestone, reminders.AUDIENCES, division_heads=[]
            )

    assert len(loading) == 2  # the milestones with their people, the memberships
    assert len(reading) == 0


def test_the_candidate_query_uses_a_status_and_due_date_index():
    MilestoneFactory.create_batch(3, due_on=DUE)
    index = Milestone._meta.indexes[0]
    assert index.fields == ["status", "due_on"]
    # The open milestones by due date (a partial index, for the dashboard's
    # overdue queue) serve it as well: pending ones are among the open ones.
    open_due = next(
        i for i in Milestone._meta.indexes if i.name == "milestone_open_due"
    )
    queryset = Milestone.objects.filter(default_ladder().candidate_filter(day(-30)))
    sql, params = queryset.values("pk").query.sql_with_params()

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table this small is cheaper to scan; ask whether the index *can*
            # serve the query.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())

    assert index.name in plan or open_due.name in plan, plan


def test_first_day_open_is_the_start_of_the_window_while_open():
    step = reminders.Step(rule=None, audience=GRANTEE, start=-30, end=-7)

    assert reminders.first_day_open(step, DUE, [(day(-400), None)], before=day(5)) == (
        day(-30)
    )


def test_first_day_open_is_the_day_it_reopened_within_the_window():
    step = reminders.Step(rule=None, audience=GRANTEE, start=-30, end=-7)
    periods = [(day(-400), day(-40)), (day(-14), None)]

    assert reminders.first_day_open(step, DUE, periods, before=day(5)) == day(-14)


def test_first_day_open_is_none_when_closed_all_window_or_not_yet_reached():
    step = reminders.Step(rule=None, audience=GRANTEE, start=-7, end=0)

    closed = [(day(-400), day(-10))]
    assert reminders.first_day_open(step, DUE, closed, before=day(5)) is None
    assert (
        reminders.first_day_open(step, DUE, [(day(-400), None)], before=day(-7)) is None
    )
