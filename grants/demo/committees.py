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
    Extension,
    Meeting,
    Organisation,
    Project,
    Scheme,
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
