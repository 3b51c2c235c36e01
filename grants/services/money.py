"""Sanctions and instalment releases (GFR 2017 rules 230 and 238)."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grants.formatting import fiscal_year_of, is_blank
from grants.models import (
    BudgetLine,
    Instalment,
    Milestone,
    Organisation,
    Project,
    ReleaseCondition,
    Scheme,
    User,
    UtilisationCertificate,
)
from grants.reads import conditions
from grants.services.common import (
    GrantRuleError,
    LowUtilisationWarning,
    _date,
    _percent_floor,
    _rupees,
    _save,
    in_default_language,
)
from grants.services.dates import check_dated
from grants.services.notices import tell_release

# GFR 238(2), note: the next grant may go on a UC confirming 75% utilisation of the
# previous grants. Mines is not a "Scientific Department", so below this share the
# release is a warning that finance must acknowledge, not a refusal.
LOW_UTILISATION_PERCENT = 75

# Sanction ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedBudgetLine:
    head: str
    project_year: int
    amount: int


@dataclass(frozen=True)
class PlannedCondition:
    """A condition of release as the sanction states it (see ``ReleaseCondition``).

    A milestone condition names a milestone of the same project, so it is given
    once the milestones exist (``set_release_conditions``, or the admin's
    instalment page); at sanction the other kinds are.
    """

    kind: str
    milestone: Milestone | None = None
    min_utilisation_percent: int | None = None
    trl: int | None = None
    text: str = ""


@dataclass(frozen=True)
class PlannedInstalment:
    sequence: int
    planned_on: datetime.date
    amount: int
    condition: str = ""
    conditions: tuple[PlannedCondition, ...] = ()


@transaction.atomic
def sanction_project(
    *,
    reference: str,
    title: str,
    scheme: Scheme,
    organisation: Organisation,
    principal_investigator: User,
    programme_officer: User | None,
    stage: str,
    sanction_order_number: str,
    sanctioned_on: datetime.date,
    start_on: datetime.date,
    duration_months: int,
    sanctioned_amount: int,
    trl_start: int,
    trl_target: int,
    budget_lines: list[PlannedBudgetLine],
    instalments: list[PlannedInstalment],
    elements=(),
    abstract: str = "",
    sanctioned_by: User | None = None,
) -> Project:
    """Record a sanction with its budget lines and planned instalments.

    The budget lines and the instalments must each add up to the sanction, and the
    budget may not run past the project's years.
    """
    budget_total = sum(line.amount for line in budget_lines)
    if budget_total != sanctioned_amount:
        raise GrantRuleError(
            _(
                "The budget lines add up to %(total)s, not the sanctioned "
                "%(sanctioned)s (a difference of %(difference)s)."
            )
            % {
                "total": _rupees(budget_total),
                "sanctioned": _rupees(sanctioned_amount),
                "difference": _rupees(abs(sanctioned_amount - budget_total)),
            }
        )
    instalment_total = sum(instalment.amount for instalment in instalments)
    if instalment_total != sanctioned_amount:
        raise GrantRuleError(
            _(
                "The planned instalments add up to %(total)s, not the sanctioned "
                "%(sanctioned)s (a difference of %(difference)s)."
            )
            % {
                "total": _rupees(instalment_total),
                "sanctioned": _rupees(sanctioned_amount),
                "difference": _rupees(abs(sanctioned_amount - instalment_total)),
            }
        )
    project_years = -(-duration_months // 12)
    beyond = sorted(
        {line.project_year for line in budget_lines} - set(range(1, project_years + 1))
    )
    if beyond:
        raise GrantRuleError(
            ngettext(
                "A %(months)s-month project has %(years)s project year; the budget "
                "has lines for year %(beyond)s.",
                "A %(months)s-month project has %(years)s project years; the budget "
                "has lines for year %(beyond)s.",
                project_years,
            )
            % {
                "months": duration_months,
                "years": project_years,
                "beyond": _(", ").join(map(str, beyond)),
            }
        )
    project = Project(
        reference=reference,
        title=title,
        abstract=abstract,
        scheme=scheme,
        organisation=organisation,
        principal_investigator=principal_investigator,
        programme_officer=programme_officer,
        stage=stage,
        sanction_order_number=sanction_order_number,
        sanctioned_on=sanctioned_on,
        fiscal_year=fiscal_year_of(sanctioned_on),
        start_on=start_on,
        duration_months=duration_months,
        end_on=start_on + relativedelta(months=duration_months, days=-1),
        sanctioned_amount=sanctioned_amount,
        trl_start=trl_start,
        trl_target=trl_target,
        trl_now=trl_start,
        status=Project.Status.SANCTIONED,
    )
    _save(project, by=sanctioned_by)
    project.elements.set(elements)
    for line in budget_lines:
        _save(
            BudgetLine(
                project=project,
                head=line.head,
                project_year=line.project_year,
                amount=line.amount,
            ),
            by=sanctioned_by,
        )
    for planned in instalments:
        instalment = _save(
            Instalment(
                project=project,
                sequence=planned.sequence,
                planned_on=planned.planned_on,
                amount=planned.amount,
                condition=planned.condition,
            ),
            by=sanctioned_by,
        )
        set_release_conditions(instalment, planned.conditions, by=sanctioned_by)
    return project


def set_release_conditions(
    instalment: Instalment, planned: tuple[PlannedCondition, ...] = (), *, by=None
) -> list[ReleaseCondition]:
    """Give an instalment its conditions: the covering UC after the first, and more.

    Every release after the first needs the covering UC of GFR 230(10) / 238(2);
    its row is added here whether or not the sanction lists it, so no page can
    show an instalment without it. Run inside the caller's transaction.
    """
    wanted = list(planned)
    kinds = {condition.kind for condition in wanted}
    kinds.update(instalment.conditions.values_list("kind", flat=True))
    if instalment.sequence > 1 and ReleaseCondition.Kind.COVERING_UC not in kinds:
        wanted.insert(0, PlannedCondition(kind=ReleaseCondition.Kind.COVERING_UC))
    rows = []
    for condition in wanted:
        if condition.milestone is not None and (
            condition.milestone.project_id != instalment.project_id
        ):
            raise GrantRuleError(
                _(
                    "%(milestone)s belongs to another project: instalment "
                    "%(sequence)s cannot wait for it."
                )
                % {"milestone": condition.milestone, "sequence": instalment.sequence}
            )
        rows.append(
            _save(
                ReleaseCondition(
                    instalment=instalment,
                    kind=condition.kind,
                    milestone=condition.milestone,
                    min_utilisation_percent=condition.min_utilisation_percent,
                    trl=condition.trl,
                    text=condition.text,
                ),
                by=by,
            )
        )
    return rows


# Release -----------------------------------------------------------------------


def find_covering_certificate(
    project: Project, *, previous_release_on: datetime.date, release_on: datetime.date
) -> UtilisationCertificate | None:
    """Return the accepted UC that covers the previous release, if there is one.

    GFR 230(10) and 238(2): a UC (annual, provisional or final) whose period ends on
    or after the previous release and which was accepted on or before this release.
    The most recent such UC is the one that speaks for the money.
    """
    return (
        UtilisationCertificate.objects.accepted()
        .filter(
            project=project,
            period_end__gte=previous_release_on,
            decided_on__lte=release_on,
        )
        .order_by("-period_end", "-decided_on", "-pk")
        .first()
    )


def already_released(instalment: Instalment, *, label: str = "") -> str:
    """Say plainly that an instalment is out: when, by whom and by which order.

    What the second of two finance officers releasing at once is told.
    """
    label = label or _instalment_label(instalment, instalment.project)
    words = {
        "label": label,
        "day": _date(instalment.released_on),
        "order": instalment.release_order_number,
    }
    if instalment.released_by_id:
        return _(
            "%(label)s was already released on %(day)s (order %(order)s) by "
            "%(by)s; nothing was recorded again."
        ) % {**words, "by": instalment.released_by}
    return (
        _(
            "%(label)s was already released on %(day)s (order %(order)s); nothing "
            "was recorded again."
        )
        % words
    )


def _instalment_label(instalment: Instalment, project: Project) -> str:
    """Name an instalment in a sentence: "Instalment 2 of DEMO-REE-2324-01"."""
    return _("Instalment %(sequence)s of %(reference)s") % {
        "sequence": instalment.sequence,
        "reference": project.reference,
    }


def unmet_conditions_message(label: str, unmet: list) -> str:
    """Name each condition that does not hold, and say what can be done."""
    listed = _("; ").join(
        _("%(name)s (%(detail)s)") % {"name": check.name, "detail": check.detail}
        for check in unmet
    )
    return _(
        "%(label)s cannot be released: its conditions are not met: %(listed)s. "
        "Meet them first, or record an override with a reason."
    ) % {"label": label, "listed": listed}


def _override(condition: ReleaseCondition, *, on, by, reason) -> None:
    condition.overridden_on = on
    condition.overridden_by = by
    condition.override_reason = reason
    with in_default_language():
        why = _("Overridden at release: %(reason)s") % {"reason": reason}
    _save(condition, reason=why, by=by)


@transaction.atomic
def release_instalment(
    instalment: Instalment,
    *,
    released_on: datetime.date,
    release_order_number: str,
    released_by: User,
    override_reason: str = "",
    low_utilisation_note: str = "",
) -> Instalment:
    """Record the release of an instalment.

    The project row is locked first, so two releases at the same moment are checked
    one after the other and cannot together exceed the sanction. A release after the
    first needs an accepted UC covering the previous release, unless finance records
    an override with a reason; a covering UC under 75% utilisation needs a note.
    """
    # Lock the project: the released total below must not change under us.
    project = Project.objects.select_for_update().get(pk=instalment.project_id)
    instalment = Instalment.objects.select_related("released_by").get(pk=instalment.pk)
    label = _instalment_label(instalment, project)

    if instalment.is_released:
        raise GrantRuleError(already_released(instalment, label=label))
    check_dated("released_on", released_on, not_before=project.sanctioned_on)
    if is_blank(release_order_number):
        raise GrantRuleError(
            _("%(label)s: enter the release order number.") % {"label": label}
        )
    # An order number names one release, across the portfolio.
    taken = (
        Instalment.objects.filter(release_order_number=release_order_number.strip())
        .select_related("project")
        .first()
    )
    if taken is not None:
        raise GrantRuleError(
            {
                "release_order_number": _(
                    "Order %(order)s already released instalment %(sequence)s of "
                    "%(reference)s on %(day)s: each release has its own order number."
                )
                % {
                    "order": release_order_number.strip(),
                    "sequence": taken.sequence,
                    "reference": taken.project.reference,
                    "day": _date(taken.released_on),
                }
            }
        )
    if project.status in (Project.Status.CLOSED, Project.Status.TERMINATED):
        raise GrantRuleError(
            _("%(label)s cannot be released: the project is %(status)s.")
            % {"label": label, "status": project.get_status_display()}
        )
    earlier_unreleased = (
        project.instalments.unreleased()
        .filter(sequence__lt=instalment.sequence)
        .order_by("sequence")
        .first()
    )
    if earlier_unreleased:
        raise GrantRuleError(
            _("%(label)s cannot be released before instalment %(earlier)s.")
            % {"label": label, "earlier": earlier_unreleased.sequence}
        )
    released_total = (
        project.instalments.released().aggregate(total=Sum("amount"))["total"] or 0
    )
    excess = released_total + instalment.amount - project.sanctioned_amount
    if excess > 0:
        raise GrantRuleError(
            _(
                "%(label)s cannot be released: %(released)s is already released, "
                "and %(amount)s more would exceed the sanctioned %(sanctioned)s by "
                "%(excess)s."
            )
            % {
                "label": label,
                "released": _rupees(released_total),
                "amount": _rupees(instalment.amount),
                "sanctioned": _rupees(project.sanctioned_amount),
                "excess": _rupees(excess),
            }
        )

    previous_release_on = project.instalments.released().aggregate(
        last=Max("released_on")
    )["last"]
    covering = None
    if previous_release_on is not None:
        if released_on < previous_release_on:
            raise GrantRuleError(
                _(
                    "%(label)s cannot be dated %(day)s, before the previous release "
                    "on %(previous)s."
                )
                % {
                    "label": label,
                    "day": _date(released_on),
                    "previous": _date(previous_release_on),
                }
            )
        covering = find_covering_certificate(
            project, previous_release_on=previous_release_on, release_on=released_on
        )
        if covering is None and is_blank(override_reason):
            raise GrantRuleError(
                _(
                    "%(label)s needs an accepted utilisation certificate covering "
                    "the previous release of %(previous)s (GFR 2017 rules 230(10) "
                    "and 238(2)): no accepted UC has a period ending on or after "
                    "that date. Accept the grantee's UC first, or record an "
                    "override with a reason."
                )
                % {"label": label, "previous": _date(previous_release_on)}
            )
        if covering is not None:
            utilisation = covering.utilisation_percent
            if utilisation < LOW_UTILISATION_PERCENT and is_blank(low_utilisation_note):
                shown = _percent_floor(covering.expenditure, covering.total_available)
                raise LowUtilisationWarning(
                    _(
                        "The covering %(certificate)s shows %(shown)s utilisation "
                        "(%(spent)s spent of %(available)s available), under the "
                        "%(benchmark)s%% GFR 238(2) benchmark. Acknowledge it with a "
                        "note to release anyway."
                    )
                    % {
                        "certificate": covering,
                        "shown": shown,
                        "spent": _rupees(covering.expenditure),
                        "available": _rupees(covering.total_available),
                        "benchmark": LOW_UTILISATION_PERCENT,
                    }
                )

    unmet = conditions.unmet(
        instalment,
        project=project,
        certificates=list(project.certificates.all()),
        on=released_on,
    )
    if unmet and is_blank(override_reason):
        raise GrantRuleError(unmet_conditions_message(label, unmet))

    # An override is recorded only where a rule was overridden: a first release
    # has no earlier release to cover, and a covered one needs no exception.
    uc_overridden = previous_release_on is not None and covering is None
    overridden = uc_overridden or bool(unmet)
    instalment.released_on = released_on
    instalment.release_order_number = release_order_number.strip()
    instalment.released_by = released_by
    instalment.covering_certificate = covering
    instalment.override_reason = override_reason.strip() if overridden else ""
    instalment.low_utilisation_note = low_utilisation_note.strip() if covering else ""
    # The change reason is kept in the history: English, as data.
    with in_default_language():
        why = f"Released by order {instalment.release_order_number}"
        if previous_release_on is None:
            why += "; first release: no covering UC needed"
        elif uc_overridden:
            why += (
                f"; rule overridden: GFR 230(10) and 238(2), no accepted UC covers "
                f"the release of {_date(previous_release_on)}"
            )
        if unmet:
            names = "; ".join(str(check.name) for check in unmet)
            why += f"; conditions overridden: {names}"
        if overridden:
            why += f"; override: {instalment.override_reason}"
        if instalment.low_utilisation_note:
            why += f"; low utilisation noted: {instalment.low_utilisation_note}"
    _save(instalment, reason=why, by=released_by)
    for check in unmet:
        _override(
            check.condition,
            on=released_on,
            by=released_by,
            reason=instalment.override_reason,
        )
    if project.status == Project.Status.SANCTIONED:
        project.status = Project.Status.ONGOING
        _save(
            project,
            reason=f"Instalment {instalment.sequence} released",
            by=released_by,
            update_fields=["status", "updated_at"],
        )
    tell_release(instalment, decided_by=released_by)
    return instalment
