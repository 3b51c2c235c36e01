"""Who an e-mail about a project reaches: the grantee, the officers, the heads.

Reminders, escalations and decision notices all ask here, so "the grantee" means
the same people everywhere: the project's principal investigator and the
organisation's active finance officers, each with a working address.
"""

from dataclasses import dataclass

from django.conf import settings

from grants import reminders
from grants.models import Membership, Milestone, Project, User


@dataclass(frozen=True)
class Recipient:
    email: str
    user: User | None
    audience: str


def language_of(user: User | None) -> str:
    """The language e-mails to ``user`` are written in: their choice, else English.

    An address with no account (an organisation's head) gets English.
    """
    language = getattr(user, "preferred_language", "") if user is not None else ""
    if language in dict(settings.LANGUAGES):
        return language
    return "en"


def _reachable(user: User | None) -> bool:
    return user is not None and user.is_active and bool(user.email)


def finance_officers(organisation) -> list[User]:
    """Return the organisation's active finance officers (prefetched when swept)."""
    memberships = getattr(organisation, "finance_memberships", None)
    if memberships is None:
        memberships = (
            Membership.objects.active()
            .filter(organisation=organisation, role=Membership.Role.FINANCE_OFFICER)
            .select_related("user")
        )
    return [membership.user for membership in memberships]


def recipients(
    milestone: Milestone, audiences, *, division_heads: list[User]
) -> list[Recipient]:
    """Return who a step for ``audiences`` goes to, once per e-mail address."""
    return project_recipients(
        milestone.project, audiences, division_heads=division_heads
    )


def project_recipients(
    project: Project, audiences, *, division_heads: list[User] = ()
) -> list[Recipient]:
    """Return who an e-mail to ``audiences`` about a project goes to, once each."""
    found = []
    for audience in audiences:
        if audience == reminders.GRANTEE:
            people = [
                project.principal_investigator,
                *finance_officers(project.organisation),
            ]
            found += [
                Recipient(user.email, user, audience)
                for user in people
                if _reachable(user)
            ]
        elif audience == reminders.PROGRAMME_OFFICER:
            if _reachable(project.programme_officer):
                officer = project.programme_officer
                found.append(Recipient(officer.email, officer, audience))
        elif audience == reminders.ORGANISATION_HEAD:
            if project.organisation.head_email:
                found.append(Recipient(project.organisation.head_email, None, audience))
        elif audience == reminders.DIVISION_HEAD:
            found += [
                Recipient(user.email, user, audience)
                for user in division_heads
                if _reachable(user)
            ]
    unique = {}
    for recipient in found:
        unique.setdefault(recipient.email.lower(), recipient)
    return list(unique.values())


def division_heads() -> list[User]:
    return list(
        User.objects.filter(is_division_head=True, is_active=True).exclude(email="")
    )
