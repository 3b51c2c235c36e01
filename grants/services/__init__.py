"""Every state change that has a business rule, each in one transaction.

A rule that is not met raises ``GrantRuleError`` (a ``ValidationError``) with a
message a finance officer understands; nothing is written when it does. Callers
import this package (``from grants import services``); the modules below split it
by subject.
"""

from grants.services.agendas import send_agenda_notice
from grants.services.api_tokens import (
    create_api_token,
    prune_api_requests,
    record_api_request,
    revoke_all_api_tokens,
    revoke_api_token,
    token_used,
)
from grants.services.assets import (
    ASSET_KEEPER_ROLES,
    approve_disposal,
    record_asset,
    refusal_for_assets,
    refuse_disposal,
    request_disposal,
)
from grants.services.closure import check_closure, close_project
from grants.services.committees import (
    add_agenda_item,
    appoint_member,
    declare_conflict,
    record_attendance,
    record_decision,
    record_recommendation,
    schedule_meeting,
    score_item,
)
from grants.services.common import GrantRuleError, LowUtilisationWarning
from grants.services.conditions import mark_condition_met
from grants.services.delivery import TransientSendError
from grants.services.digests import send_digest, send_weekly_digests
from grants.services.documents import (
    CERTIFICATE_SUBMITTER_ROLES,
    REPORT_SUBMITTER_ROLES,
    member_roles,
    refusal_for_certificates,
    refusal_for_reports,
    regenerate_calendar_token,
    revoke_calendar_token,
    store_document,
    submit_certificate_with_signed_copy,
    submit_report_with_attachments,
)
from grants.services.enrolment import (
    invitation_from_link,
    invitation_in_force,
    needs_invitation_to_enrol,
    reset_two_factor,
    use_two_factor_invitation,
)
from grants.services.import_jobs import (
    confirm_import,
    import_file,
    run_import_step,
    start_import,
)
from grants.services.imports import import_portfolio
from grants.services.milestones import (
    recommend_instalment,
    reschedule_milestone,
    waive_milestone,
)
from grants.services.money import (
    LOW_UTILISATION_PERCENT,
    PlannedBudgetLine,
    PlannedCondition,
    PlannedInstalment,
    already_released,
    find_covering_certificate,
    release_instalment,
    sanction_project,
    set_release_conditions,
)
from grants.services.notices import record_notice, send_notice
from grants.services.paperwork import (
    CertificateFigures,
    accept_certificate,
    accept_progress_report,
    resubmission_due,
    return_certificate,
    return_progress_report,
    submit_certificate,
    submit_progress_report,
)
from grants.services.password_reset import (
    request_password_reset,
    send_password_reset,
)
from grants.services.projects import (
    FINISHED_STATUSES,
    approve_extension,
    extend_project,
    reject_extension,
    request_extension,
)
from grants.services.reappropriations import (
    approve_reappropriation,
    is_above_threshold,
    reject_reappropriation,
    request_reappropriation,
)
from grants.services.registers import (
    build_register_export,
    request_register_export,
    write_grant_register,
)
from grants.services.reminders import (
    SweepResult,
    send_reminder,
    send_reminder_now,
    sweep_reminders,
)

__all__ = [
    "send_agenda_notice",
    "add_agenda_item",
    "appoint_member",
    "declare_conflict",
    "record_attendance",
    "record_decision",
    "record_recommendation",
    "schedule_meeting",
    "score_item",
    "create_api_token",
    "prune_api_requests",
    "record_api_request",
    "revoke_all_api_tokens",
    "revoke_api_token",
    "token_used",
    "confirm_import",
    "import_file",
    "import_portfolio",
    "run_import_step",
    "start_import",
    "is_above_threshold",
    "ASSET_KEEPER_ROLES",
    "CERTIFICATE_SUBMITTER_ROLES",
    "FINISHED_STATUSES",
    "LOW_UTILISATION_PERCENT",
    "REPORT_SUBMITTER_ROLES",
    "CertificateFigures",
    "GrantRuleError",
    "LowUtilisationWarning",
    "PlannedBudgetLine",
    "PlannedInstalment",
    "SweepResult",
    "TransientSendError",
    "accept_certificate",
    "accept_progress_report",
    "already_released",
    "approve_disposal",
    "build_register_export",
    "request_register_export",
    "write_grant_register",
    "mark_condition_met",
    "set_release_conditions",
    "PlannedCondition",
    "approve_extension",
    "approve_reappropriation",
    "check_closure",
    "close_project",
    "extend_project",
    "find_covering_certificate",
    "member_roles",
    "recommend_instalment",
    "refusal_for_certificates",
    "refusal_for_reports",
    "regenerate_calendar_token",
    "release_instalment",
    "record_asset",
    "record_notice",
    "refusal_for_assets",
    "refuse_disposal",
    "reject_extension",
    "reject_reappropriation",
    "request_disposal",
    "request_extension",
    "request_password_reset",
    "request_reappropriation",
    "reschedule_milestone",
    "resubmission_due",
    "return_certificate",
    "return_progress_report",
    "revoke_calendar_token",
    "sanction_project",
    "send_digest",
    "send_notice",
    "send_password_reset",
    "send_reminder",
    "send_reminder_now",
    "send_weekly_digests",
    "store_document",
    "submit_certificate",
    "submit_certificate_with_signed_copy",
    "submit_progress_report",
    "submit_report_with_attachments",
    "sweep_reminders",
    "waive_milestone",
    "invitation_from_link",
    "invitation_in_force",
    "needs_invitation_to_enrol",
    "reset_two_factor",
    "use_two_factor_invitation",
]
