"""The REE R&D grant portfolio: sanctions, money, paperwork and reminders.

Money is whole rupees in ``BigIntegerField`` columns: exact on SQLite and PostgreSQL
alike, so the Form GFR 12-A arithmetic can be a database check constraint.

The models live in modules by subject and are all imported here, which is how
Django finds them and how the rest of the code imports them
(``from grants.models import Project``):

- ``common``: validators and field helpers (``money_field``, ``count_of``, ...);
- ``decisions``: the abstract ``Decided`` and ``Submission`` and their QuerySets;
- ``people``: ``User``, ``Organisation``, ``Membership``;
- ``enrolment``: ``TwoFactorInvitation`` (staff enrol a second factor by invitation);
- ``reference``: ``Scheme``, ``Element``;
- ``projects``: ``Project``, ``Extension``;
- ``money``: ``GFRComponent``, ``BudgetLine``, ``Instalment``;
- ``milestones``: ``Milestone``;
- ``paperwork``: ``UtilisationCertificate``, ``ProgressReport``, ``Document``;
- ``conditions``: ``ReleaseCondition``;
- ``reappropriations``: ``Reappropriation``;
- ``assets``: ``Asset``, ``AssetDisposal`` (Form GFR-22);
- ``reminders``: ``ReminderRule``, ``Reminder``, ``Digest``;
- ``registers``: ``RegisterExport`` (a register built as a file by the worker);
- ``imports``: ``PortfolioImport`` (a workbook checked, then imported, by the worker);
- ``summaries``: ``ProjectSummary``, ``PortfolioRollup``;
- ``api``: ``ApiToken``, ``ApiRequest`` (the REST API's tokens and its log);
- ``committees``: ``Committee``, ``CommitteeMember``, ``Meeting``, ``AgendaItem``,
  ``ConflictDeclaration``, ``Score``, ``Recommendation``.
"""

from grants.models.api import ApiRequest, ApiToken
from grants.models.assets import Asset, AssetDisposal, AssetQuerySet
from grants.models.committees import (
    EXTERNAL_EXPERT_GROUP,
    AgendaItem,
    AgendaItemQuerySet,
    Committee,
    CommitteeMember,
    ConflictDeclaration,
    Meeting,
    MeetingQuerySet,
    Recommendation,
    Score,
    own_organisations,
    own_organisations_of,
)
from grants.models.common import (
    TRL_VALIDATORS,
    actor_field,
    count_of,
    dpiit_validator,
    fiscal_year_validator,
    money_field,
    non_negative,
    pan_validator,
    udyam_validator,
)
from grants.models.conditions import ReleaseCondition
from grants.models.decisions import (
    Decided,
    DecidedQuerySet,
    Submission,
    SubmissionQuerySet,
)
from grants.models.enrolment import TwoFactorInvitation, TwoFactorInvitationQuerySet
from grants.models.imports import PortfolioImport
from grants.models.milestones import (
    NON_COMPLIANT_AFTER_DAYS,
    Milestone,
    MilestoneQuerySet,
    overdue_condition,
)
from grants.models.money import BudgetLine, GFRComponent, Instalment, InstalmentQuerySet
from grants.models.notices import AgendaNotice, Notice, NoticeQuerySet
from grants.models.paperwork import (
    Document,
    DocumentQuerySet,
    ProgressReport,
    ProgressReportQuerySet,
    UtilisationCertificate,
    UtilisationCertificateQuerySet,
)
from grants.models.people import Membership, MembershipQuerySet, Organisation, User
from grants.models.projects import Extension, Project, ProjectQuerySet
from grants.models.reappropriations import Reappropriation, ReappropriationQuerySet
from grants.models.reference import Element, Scheme
from grants.models.registers import RegisterExport
from grants.models.reminders import Digest, Reminder, ReminderRule
from grants.models.summaries import PortfolioRollup, ProjectSummary

__all__ = [
    "AgendaNotice",
    "EXTERNAL_EXPERT_GROUP",
    "AgendaItem",
    "AgendaItemQuerySet",
    "Committee",
    "CommitteeMember",
    "ConflictDeclaration",
    "Meeting",
    "MeetingQuerySet",
    "Recommendation",
    "Score",
    "own_organisations",
    "own_organisations_of",
    "ApiRequest",
    "ApiToken",
    "PortfolioImport",
    "NON_COMPLIANT_AFTER_DAYS",
    "TRL_VALIDATORS",
    "Asset",
    "AssetDisposal",
    "AssetQuerySet",
    "BudgetLine",
    "Decided",
    "DecidedQuerySet",
    "Digest",
    "Document",
    "DocumentQuerySet",
    "Element",
    "Extension",
    "GFRComponent",
    "Instalment",
    "InstalmentQuerySet",
    "Membership",
    "MembershipQuerySet",
    "Milestone",
    "MilestoneQuerySet",
    "Notice",
    "NoticeQuerySet",
    "Organisation",
    "PortfolioRollup",
    "ProgressReport",
    "ProgressReportQuerySet",
    "Project",
    "ProjectQuerySet",
    "ProjectSummary",
    "Reappropriation",
    "ReappropriationQuerySet",
    "RegisterExport",
    "ReleaseCondition",
    "Reminder",
    "ReminderRule",
    "Scheme",
    "Submission",
    "SubmissionQuerySet",
    "TwoFactorInvitation",
    "TwoFactorInvitationQuerySet",
    "User",
    "UtilisationCertificate",
    "UtilisationCertificateQuerySet",
    "actor_field",
    "count_of",
    "dpiit_validator",
    "fiscal_year_validator",
    "money_field",
    "non_negative",
    "overdue_condition",
    "pan_validator",
    "udyam_validator",
]
