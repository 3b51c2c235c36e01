"""Every state change that has a business rule, each in one transaction.

A rule that is not met raises ``GrantRuleError`` (a ``ValidationError``) with a
message a finance officer understands; nothing is written when it does. Callers
import this package (``from grants import services``); the modules below split it
by subject.
"""

from grants.services.common import GrantRuleError, LowUtilisationWarning
from grants.services.money import (
    LOW_UTILISATION_PERCENT,
    PlannedBudgetLine,
    PlannedInstalment,
    find_covering_certificate,
    release_instalment,
    sanction_project,
)
from grants.services.paperwork import (
    CertificateFigures,
    accept_certificate,
    accept_progress_report,
    return_certificate,
    return_progress_report,
    submit_certificate,
    submit_progress_report,
)
from grants.services.projects import (
    FINISHED_STATUSES,
    approve_extension,
    close_project,
    extend_project,
    request_extension,
)

__all__ = [
    "FINISHED_STATUSES",
    "LOW_UTILISATION_PERCENT",
    "CertificateFigures",
    "GrantRuleError",
    "LowUtilisationWarning",
    "PlannedBudgetLine",
    "PlannedInstalment",
    "accept_certificate",
    "accept_progress_report",
    "approve_extension",
    "close_project",
    "extend_project",
    "find_covering_certificate",
    "release_instalment",
    "request_extension",
    "return_certificate",
    "return_progress_report",
    "sanction_project",
    "submit_certificate",
    "submit_progress_report",
]
