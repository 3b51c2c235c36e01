"""The demo portfolio's reminders: its history, and what its demo date's sweep sends.

The reasoning behind each expected row is in docs/reminders.md, "The demo".
"""

import datetime
import zoneinfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta

from config.celery import app as celery_app
from grants import demo, services
from grants.models import Reminder

pytestmark = pytest.mark.django_db

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
P01, P02, P03, P05 = (
    "DEMO-REE-2324-01",
    "DEMO-REE-2324-02",
    "DEMO-REE-2324-03",
    "DEMO-REE-2324-05",
)
P06, P07, P08, P10, P11 = (
    "DEMO-REE-2425-01",
    "DEMO-REE-2425-02",
    "DEMO-REE-2425-03",
    "DEMO-REE-2425-05",
    "DEMO-REE-2425-06",
)
P05_UC = "Annual UC 2025-26 (GFR 12-A)"
P05_REPORT = "Half-yearly progress report, Apr–Sep 2026"


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def sweep_on(eager, django_capture_on_commit_callbacks, mailoutbox):
    """Sweep at 09:00 in India on a day; return the rows it created."""

    def run(day):
        before = set(Reminder.objects.values_list("pk", flat=True))
        moment = datetime.datetime.combine(day, datetime.time(9), tzinfo=IST)
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.sweep_reminders()
        return sorted(
            (
                r.milestone.project.reference,
                r.milestone.title,
                r.rule.code,
                r.recipient_email.split("@")[0],
            )
            for r in Reminder.objects.exclude(pk__in=before).select_related(
                "milestone__project", "rule"
            )
        )

    return run


def history(reference, title=None):
    rows = Reminder.objects.filter(milestone__project__reference=reference)
    if title:
        rows = rows.filter(milestone__title=title)
    return sorted(
        (r.sent_at.astimezone(IST).date(), r.rule.code, r.recipient_email.split("@")[0])
        for r in rows.select_related("rule")
    )


def test_the_demo_history_was_all_sent_at_nine_before_the_demo_date(demo_portfolio):
    rows = Reminder.objects.all()

    assert rows.count() > 200
    assert {r.status for r in rows} == {Reminder.Status.SENT}
    for reminder in rows:
        sent_at = reminder.sent_at.astimezone(IST)
        assert sent_at.date() < demo_portfolio
        assert sent_at.time() == datetime.time(9)
        assert reminder.created_at == reminder.sent_at
        assert reminder.subject.startswith(f"[{reminder.milestone.project.reference}]")


def test_p07_and_p10_had_their_thirty_day_completion_notice_on_31_october(
    demo_portfolio,
):
    for reference, slug in ((P07, "magnova-sinter"), (P10, "phosphoreclaim")):
        assert history(reference, "Technical completion") == [
            (datetime.date(2026, 10, 31), "before-30", f"fo-{slug}"),
            (datetime.date(2026, 10, 31), "before-30", f"pi-{slug}"),
        ]


def test_p05s_history_stops_at_the_notices_before_and_on_the_due_dates(
    demo_portfolio,
):
    def notices(due):
        return sorted(
            (due + datetime.timedelta(days=offset), code, who)
            for offset, code in ((-30, "before-30"), (-7, "before-7"), (0, "due-today"))
            for who in ("fo-konkan-ust", "pi-konkan-ust")
        )

    assert history(P05, P05_UC) == notices(datetime.date(2026, 6, 30))
    assert history(P05, P05_REPORT) == notices(datetime.date(2026, 10, 30))


def test_p03s_returned_certificate_climbed_the_ladder_after_its_return(
    demo_portfolio,
):
    grantee = ("fo-eastern-mprc", "pi-eastern-mprc")
    assert history(P03, P05_UC) == sorted(
        # Submitted before its 30-day notice; returned on 15 Jun, due again on
        # 15 Jul: the ladder of the new date, its 30-day notice the next day.
        [(datetime.date(2026, 6, 16), "before-30", who) for who in grantee]
        + [(datetime.date(2026, 7, 8), "before-7", who) for who in grantee]
        + [(datetime.date(2026, 7, 15), "due-today", who) for who in grantee]
        + [
            (datetime.date(2026, 7, 22), "overdue-7", who)
            for who in (*grantee, "officer")
        ]
        + [
            (datetime.date(2026, 8, 14), "escalation-30", who)
            for who in ("head-eastern-mprc", "officer")
        ]
        + [(datetime.date(2026, 10, 13), "escalation-90", "divhead")]
    )


def test_p01s_extension_shows_a_notice_for_the_old_date_and_one_for_the_new(
    demo_portfolio,
):
    rows = Reminder.objects.filter(
        milestone__project__reference=P01,
        milestone__title="Technical completion",
        recipient_email__startswith="pi-",
    )

    assert sorted((r.due_on, r.sent_at.astimezone(IST).date()) for r in rows) == [
        # 30 days before the sanctioned end; the extension came on 20 Feb.
        (datetime.date(2026, 3, 14), datetime.date(2026, 2, 12)),
        (datetime.date(2026, 12, 14), datetime.date(2026, 11, 14)),
    ]


def test_the_demo_dates_sweep_sends_exactly_p05s_overdue_notices_and_escalation(
    demo_portfolio, sweep_on, mailoutbox
):
    created = sweep_on(demo_portfolio)

    assert created == [
        (P05, P05_UC, "escalation-30", "head-konkan-ust"),
        (P05, P05_UC, "escalation-30", "officer"),
        # 145 days late: the division head's 90-day step, caught up once.
        (P05, P05_UC, "escalation-90", "divhead"),
        (P05, P05_UC, "overdue-7", "fo-konkan-ust"),
        (P05, P05_UC, "overdue-7", "pi-konkan-ust"),
        (P05, P05_REPORT, "overdue-7", "fo-konkan-ust"),
        (P05, P05_REPORT, "overdue-7", "officer"),
        (P05, P05_REPORT, "overdue-7", "pi-konkan-ust"),
    ]
    assert len(mailoutbox) == 8
    assert not Reminder.objects.exclude(status=Reminder.Status.SENT).exists()


def test_the_demo_escalation_names_the_withheld_third_instalment(
    demo_portfolio, sweep_on, mailoutbox
):
    sweep_on(demo_portfolio)

    (head,) = [m for m in mailoutbox if m.to == ["head-konkan-ust@demo.example"]]
    assert head.subject == (
        f"[{P05}] Escalation: {P05_UC} overdue by 145 days – project non-compliant, "
        f"instalment 3 blocked"
    )
    assert "instalment 3 of ₹\u00a017,29,000, is BLOCKED" in head.body
    assert head.body.startswith("Dear Registrar (demo),")
    assert "Illustrative demo data" in head.body


def test_a_second_sweep_on_the_demo_date_sends_nothing(
    demo_portfolio, sweep_on, mailoutbox
):
    sweep_on(demo_portfolio)

    assert sweep_on(demo_portfolio) == []
    assert len(mailoutbox) == 8


def test_healthy_projects_are_never_chased_only_told_of_their_review_meeting(
    demo_portfolio, sweep_on
):
    created = []
    for offset in range(0, 15):
        created += sweep_on(demo_portfolio + datetime.timedelta(days=offset))

    healthy = [row for row in created if row[0] in (P02, P11)]
    assert {(reference, code) for reference, _title, code, _who in healthy} == {
        (P02, "before-7"),
        (P11, "before-7"),
    }
    assert {title for _ref, title, _code, _who in healthy} == {
        "Annual review meeting (PERC), 2026"
    }


def test_the_next_days_bring_the_seven_day_completion_notices_and_p05s_escalation(
    demo_portfolio, sweep_on
):
    sweep_on(demo_portfolio)

    assert sweep_on(datetime.date(2026, 11, 23)) == [
        (P07, "Technical completion", "before-7", "fo-magnova-sinter"),
        (P07, "Technical completion", "before-7", "pi-magnova-sinter"),
        # P08's extension request is still pending, so it ends on 30 Nov too.
        (P08, "Technical completion", "before-7", "fo-swarfloop"),
        (P08, "Technical completion", "before-7", "pi-swarfloop"),
        (P10, "Technical completion", "before-7", "fo-phosphoreclaim"),
        (P10, "Technical completion", "before-7", "pi-phosphoreclaim"),
    ]
    assert sweep_on(datetime.date(2026, 11, 29)) == [
        (P05, P05_REPORT, "escalation-30", "head-konkan-ust"),
        (P05, P05_REPORT, "escalation-30", "officer"),
    ]
    # The S&T Programme's annual review meetings are on 10 Dec (P06's is the
    # one the demo story names): a notice 7 days before, nothing else.
    programme = {
        P02: "vindhyachal-it",
        P03: "eastern-mprc",
        P05: "konkan-ust",
        P06: "iast",
        "DEMO-REE-2425-04": "chotanagpur-ie",
        P11: "sirmr",
    }
    assert sweep_on(datetime.date(2026, 12, 3)) == sorted(
        (reference, "Annual review meeting (PERC), 2026", "before-7", f"{who}-{slug}")
        for reference, slug in programme.items()
        for who in ("fo", "pi")
    )


def test_the_demo_division_head_hears_each_item_past_90_days_once(
    demo_portfolio, sweep_on, mailoutbox
):
    # P03's returned certificate passed 90 days on 13 Oct (in the history); P05's
    # certificate is caught up by the demo date's sweep, once.
    assert history(P03, P05_UC)[-1] == (
        datetime.date(2026, 10, 13),
        "escalation-90",
        "divhead",
    )

    created = sweep_on(demo_portfolio)
    sweep_on(demo_portfolio)

    assert [row for row in created if row[3] == "divhead"] == [
        (P05, P05_UC, "escalation-90", "divhead"),
    ]
    (to_division_head,) = [m for m in mailoutbox if m.to == ["divhead@demo.example"]]
    assert to_division_head.subject == (
        f"[{P05}] Escalation to the division head: {P05_UC} overdue by 145 days – "
        f"project non-compliant, instalment 3 blocked"
    )


def test_seeding_the_demo_again_keeps_its_history(demo_portfolio):
    before = sorted(Reminder.objects.values_list("pk", "sent_at"))

    demo.seed(as_of=None, today=demo_portfolio)

    assert sorted(Reminder.objects.values_list("pk", "sent_at")) == before


def test_moving_the_demo_a_year_moves_its_history_by_the_same_year(demo_portfolio):
    before = history(P07, "Technical completion")

    demo.seed(as_of=demo_portfolio + relativedelta(years=1), today=demo_portfolio)

    assert history(P07, "Technical completion") == [
        (day + relativedelta(years=1), code, who) for day, code, who in before
    ]
