"""The demo's committees: a PERC and its SSAG for the S&T Programme, a TEC and its
Apex Committee for S&T-PRISM, with two external experts, one of whom works at a
grantee institution (Konkan UST), and the December meetings' agendas.

Everything is written through the services, so the demo obeys the same rules as a
secretary at work: the agenda links each project's annual review milestone.
"""

import datetime

from django.contrib.auth.models import Group

from grants import services
from grants.demo.data import EMAIL_DOMAIN, SCHEME_CODES
from grants.models import (
    EXTERNAL_EXPERT_GROUP,
    AgendaItem,
    Committee,
    CommitteeMember,
    ConflictDeclaration,
    Extension,
    Meeting,
    Organisation,
    Project,
    Scheme,
    Score,
    User,
)

EXPERT_PASSWORD = "demo-expert-pass"
# username: (name on letters, designation, slug of their own institution or None)
EXPERTS = {
    "expert-iyer": (
        "Prof. Lakshmi Iyer (demo)",
        "Professor emerita of extractive metallurgy",
        None,
    ),
    "expert-konkan": (
        "Dr Sameer Kulkarni (demo)",
        "Professor of chemical engineering, Konkan UST",
        "konkan-ust",
    ),
}
DEMO_COMMITTEES = {
    "ssag": "Standing Scientific Advisory Group (demo)",
    "perc": "Project Evaluation and Review Committee (demo)",
    "apex": "S&T-PRISM Apex Committee (demo)",
    "tec": "S&T-PRISM Technical Expert Committee (demo)",
}
# The December meetings, by month and day of the demo's story year.
PERC_MEETING = (12, 10)
TEC_MEETING = (12, 17)


def delete_demo_committees():
    """Remove the demo's committees and meetings (before their projects go)."""
    committees = Committee.objects.filter(name__in=DEMO_COMMITTEES.values())
    Meeting.objects.filter(committee__in=committees).delete()
    CommitteeMember.objects.filter(committee__in=committees).delete()
    committees.delete()


def create_experts() -> dict[str, User]:
    group = Group.objects.get(name=EXTERNAL_EXPERT_GROUP)
    experts = {}
    for username, (name, designation, _slug) in EXPERTS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@{EMAIL_DOMAIN}",
                "display_name": name,
                "designation": designation,
            },
        )
        if created:
            user.set_password(EXPERT_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(group)
        experts[username] = user
    return experts


def _committee(kind, *, scheme_code, approving=None, days=7):
    committee = Committee.objects.create(
        name=DEMO_COMMITTEES[kind],
        kind=kind,
        approving_committee=approving,
        agenda_days_before=days,
    )
    committee.schemes.add(Scheme.objects.get(code=scheme_code))
    return committee


def _seat(committee, user, role, *, by, organisation=None):
    services.appoint_member(
        committee, user, role=role, organisation=organisation, appointed_by=by
    )


def create_committees(staff: dict[str, User], *, story_day: datetime.date) -> None:
    """Write the four committees, their seats and the December meetings."""
    experts = create_experts()
    officer, finance, divhead = staff["officer"], staff["finance"], staff["divhead"]
    role = CommitteeMember.Role
    programme = SCHEME_CODES["S&T Programme"]
    prism = SCHEME_CODES["S&T-PRISM"]

    ssag = _committee("ssag", scheme_code=programme)
    _seat(ssag, divhead, role.CHAIR, by=officer)
    _seat(ssag, officer, role.SECRETARY, by=officer)
    perc = _committee("perc", scheme_code=programme, approving=ssag, days=10)
    _seat(perc, experts["expert-iyer"], role.CHAIR, by=officer)
    _seat(perc, officer, role.SECRETARY, by=officer)
    konkan = Organisation.objects.get(slug=EXPERTS["expert-konkan"][2])
    _seat(perc, experts["expert-konkan"], role.MEMBER, by=officer, organisation=konkan)
    _seat(perc, finance, role.MEMBER, by=officer)
    apex = _committee("apex", scheme_code=prism)
    _seat(apex, divhead, role.CHAIR, by=officer)
    _seat(apex, officer, role.SECRETARY, by=officer)
    tec = _committee("tec", scheme_code=prism, approving=apex)
    _seat(tec, experts["expert-iyer"], role.CHAIR, by=officer)
    _seat(tec, officer, role.SECRETARY, by=officer)

    year = story_day.year
    last_year_review(
        perc, officer=officer, experts=experts, finance=finance, year=year - 1
    )
    meeting = services.schedule_meeting(
        perc,
        held_on=datetime.date(year, *PERC_MEETING),
        starts_at=datetime.time(10, 30),
        place="JNARDDC, Nagpur (demo)",
        online_link="https://meet.demo.example/perc",
        scheduled_by=officer,
    )
    reviewed = Project.objects.filter(
        scheme__code=programme, status=Project.Status.ONGOING
    ).order_by("reference")
    for project in reviewed:
        services.add_agenda_item(
            meeting,
            kind=AgendaItem.Kind.ANNUAL_REVIEW,
            project=project,
            note="Annual review: progress against the milestones, the UC position "
            "and the plan for the coming year.",
            added_by=officer,
        )

    waiting = Extension.objects.filter(
        status=Extension.Status.REQUESTED, project__scheme__code=prism
    ).select_related("project")
    if waiting:
        meeting = services.schedule_meeting(
            tec,
            held_on=datetime.date(year, *TEC_MEETING),
            online_link="https://meet.demo.example/tec",
            scheduled_by=officer,
        )
        for extension in waiting:
            services.add_agenda_item(
                meeting,
                kind=AgendaItem.Kind.EXTENSION,
                project=extension.project,
                extension=extension,
                note="The grantee asks for a no-cost extension; the TEC recommends, "
                "the Apex Committee decides.",
                added_by=officer,
            )


# Last year's PERC, held and minuted: marks (progress, outputs, use of funds, TRL)
# by reference, and the committee's recommendation.
LAST_YEAR_MARKS = {
    "iyer": (4, 3, 4, 4),
    "finance": (4, 4, 3, 3),
}
LAST_YEAR_OUTCOMES = {
    "DEMO-REE-2324-03": (
        "continue_with_conditions",
        "The gravity circuit meets its recovery target; the magnetic stage lags.",
        "Submit the audited statement of 2024-25 before the next release.",
    ),
}


def last_year_review(perc, *, officer, experts, finance, year):
    """The PERC's meeting of last December, with its record complete: declarations,
    scores, recommendations and the SSAG's approval, as the minutes show them."""
    held_on = datetime.date(year, *PERC_MEETING)
    meeting = services.schedule_meeting(
        perc,
        held_on=held_on,
        starts_at=datetime.time(10, 30),
        place="JNARDDC, Nagpur (demo)",
        scheduled_by=officer,
    )
    iyer, konkan = experts["expert-iyer"], experts["expert-konkan"]
    reviewed = Project.objects.filter(
        scheme__code=SCHEME_CODES["S&T Programme"], start_on__lt=held_on
    ).order_by("reference")
    items = [
        services.add_agenda_item(
            meeting,
            kind=AgendaItem.Kind.ANNUAL_REVIEW,
            project=project,
            note="Annual review of the year's progress and the UC position.",
            added_by=officer,
        )
        for project in reviewed
    ]
    for item in items:
        # Last year's review milestone was met by this meeting (the demo's plan
        # marks it accepted already, so the agenda did not take it).
        item.milestone = item.project.milestones.filter(
            kind="review_meeting", due_on=held_on
        ).first()
        item.save(update_fields=["milestone"])
        for member, marks in (
            (iyer, LAST_YEAR_MARKS["iyer"]),
            (finance, LAST_YEAR_MARKS["finance"]),
        ):
            services.declare_conflict(item, member=member, conflict="none")
            services.score_item(
                item,
                member=member,
                progress=marks[0],
                outputs=marks[1],
                use_of_funds=marks[2],
                trl_likelihood=marks[3],
                comment="Progress as planned; publications should follow the "
                "pilot results.",
            )
        if item.project.organisation_id != experts_institution(konkan):
            services.declare_conflict(item, member=konkan, conflict="none")
        outcome, reasons, conditions = LAST_YEAR_OUTCOMES.get(
            item.project.reference,
            (
                "continue",
                "Progress matches the milestones; funds are used as planned.",
                "",
            ),
        )
        recommendation = services.record_recommendation(
            item,
            outcome=outcome,
            reasons=reasons,
            conditions=conditions,
            recorded_on=held_on,
            recorded_by=officer,
        )
        services.record_decision(
            recommendation,
            decision="approved",
            decided_on=held_on + datetime.timedelta(days=20),
            decided_by=officer,
        )
    services.record_attendance(
        meeting, attendees=[iyer, officer, konkan, finance], recorded_by=officer
    )
    # Declared and scored in the week before the meeting, as members do.
    moment = datetime.datetime.combine(held_on, datetime.time(11), tzinfo=datetime.UTC)
    ConflictDeclaration.objects.filter(agenda_item__meeting=meeting).update(
        declared_at=moment - datetime.timedelta(days=5)
    )
    Score.objects.filter(agenda_item__meeting=meeting).update(
        scored_at=moment - datetime.timedelta(days=4)
    )


def experts_institution(user):
    seat = CommitteeMember.objects.filter(user=user, organisation__isnull=False).first()
    return seat.organisation_id if seat else None
