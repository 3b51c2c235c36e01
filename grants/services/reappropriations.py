"""Re-appropriation: moving sanctioned money from one budget head and year to another.

A grantee asks; the programme officer decides a move up to the scheme's threshold
(``Scheme.reappropriation_threshold_percent``, 10% by default: ministry practice, not
a GFR rule) of the line it takes from, and finance decides a larger one. Approval
moves the amount in one transaction under the project's row lock, so two approvals
at once can neither take a line below zero nor break the total: the budget lines
add up to the sanctioned amount before and after every move.

What has been spent from a line is not checked: expenditure is reported per GFR 12-A
component in the utilisation certificates, not per budget line, so only the line's
sanctioned amount limits a move.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grants.formatting import written_text
from grants.models import BudgetLine, Project, Reappropriation, User
from grants.reads.money import project_year_of
from grants.services.common import (
    GrantRuleError,
    _date,
    _rupees,
    _save,
    in_default_language,
)
from grants.services.dates import check_dated
from grants.services.notices import tell_reappropriation_decision
from grants.services.projects import FINISHED_STATUSES

LARGE_PERMISSION = "grants.decide_large_reappropriation"


def project_years(project: Project) -> int:
    """How many years the project runs: the sanctioned ones, or more if extended."""
    sanctioned = -(-project.duration_months // 12)
    return max(sanctioned, project_year_of(project, project.end_on))


def line_label(head: str, year: int) -> str:
    """Name a budget line as a finance officer says it: "equipment, year 1"."""
    return _("%(head)s, year %(year)s") % {
        "head": BudgetLine.Head(head).label,
        "year": year,
    }


def move_label(reappropriation: Reappropriation) -> str:
    """Say what a re-appropriation moves: "₹ 50,000 from equipment, year 1 to ..."."""
    return _("%(amount)s from %(source)s to %(target)s") % {
        "amount": _rupees(reappropriation.amount),
        "source": line_label(reappropriation.from_head, reappropriation.from_year),
        "target": line_label(reappropriation.to_head, reappropriation.to_year),
    }


def is_above_threshold(amount: int, *, line_amount: int, percent: int) -> bool:
    """Whether ``amount`` is more than ``percent``% of the line it comes from."""
    return amount * 100 > percent * line_amount


def _whole_rupees(amount) -> int | None:
    """The amount as an int if it is a whole number of rupees, else None."""
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal | float):
        return None
    if amount != int(amount):
        return None
    return int(amount)


def _refuse_if_finished(project: Project) -> None:
    if project.status in FINISHED_STATUSES:
        raise GrantRuleError(
            _("%(reference)s is %(status)s: its budget can no longer be changed.")
            % {"reference": project.reference, "status": project.get_status_display()}
        )


def _refuse_if_short(line: BudgetLine | None, *, head: str, year: int, amount: int):
    """Refuse a move the line it takes from cannot pay for, saying what it holds."""
    if line is None:
        raise GrantRuleError(
            {
                "from_head": _(
                    "The budget has no line for %(line)s: there is nothing to move "
                    "from it."
                )
                % {"line": line_label(head, year)}
            }
        )
    if line.amount < amount:
        raise GrantRuleError(
            {
                "amount": _("%(line)s holds %(held)s: it cannot give %(amount)s.")
                % {
                    "line": capfirst(line_label(head, year)),
                    "held": _rupees(line.amount),
                    "amount": _rupees(amount),
                }
            }
        )


@transaction.atomic
def request_reappropriation(
    project: Project,
    *,
    from_head: str,
    from_year: int,
    to_head: str,
    to_year: int,
    amount: int,
    reason: str,
    requested_on: datetime.date,
    requested_by: User | None,
) -> Reappropriation:
    """Record a grantee's request to move an amount from one budget line to another.

    ``needs_finance`` is set when the amount is more than the scheme's threshold of
    the line it comes from, as that line stands when asked. Nothing moves until the
    request is approved.
    """
    _refuse_if_finished(project)
    reason = written_text(reason)
    if not reason:
        raise GrantRuleError(
            {"reason": _("Say why the money is needed under the other head.")}
        )
    rupees = _whole_rupees(amount)
    if rupees is None:
        raise GrantRuleError({"amount": _("Enter whole rupees, like 50,000.")})
    if rupees <= 0:
        raise GrantRuleError({"amount": _("The amount to move must be above zero.")})
    heads = BudgetLine.Head.values
    if from_head not in heads:
        raise GrantRuleError({"from_head": _("Choose a budget head to move from.")})
    if to_head not in heads:
        raise GrantRuleError({"to_head": _("Choose a budget head to move to.")})
    if (from_head, from_year) == (to_head, to_year):
        raise GrantRuleError(
            {
                "to_head": _(
                    "Choose a different head or year to move the amount to: "
                    "%(line)s is the line it comes from."
                )
                % {"line": line_label(from_head, from_year)}
            }
        )
    years = project_years(project)
    if not 1 <= to_year <= years:
        raise GrantRuleError(
            {
                "to_year": ngettext(
                    "%(reference)s has %(years)s project year, running to "
                    "%(end)s: there is no year %(year)s.",
                    "%(reference)s has %(years)s project years, running to "
                    "%(end)s: there is no year %(year)s.",
                    years,
                )
                % {
                    "reference": project.reference,
                    "years": years,
                    "end": _date(project.end_on),
                    "year": to_year,
                }
            }
        )
    source = project.budget_lines.filter(head=from_head, project_year=from_year).first()
    _refuse_if_short(source, head=from_head, year=from_year, amount=rupees)
    # What is already asked of the line and not yet decided counts against it.
    asked = (
        project.reappropriations.awaiting_decision()
        .filter(from_head=from_head, from_year=from_year)
        .aggregate(total=Sum("amount"))["total"]
        or 0
    )
    if asked and asked + rupees > source.amount:
        raise GrantRuleError(
            {
                "amount": _(
                    "%(line)s holds %(held)s, and %(asked)s of it is already asked "
                    "for in requests still waiting: at most %(left)s more can be "
                    "asked."
                )
                % {
                    "line": capfirst(line_label(from_head, from_year)),
                    "held": _rupees(source.amount),
                    "asked": _rupees(asked),
                    "left": _rupees(max(0, source.amount - asked)),
                }
            }
        )
    reappropriation = Reappropriation(
        project=project,
        from_head=from_head,
        from_year=from_year,
        to_head=to_head,
        to_year=to_year,
        amount=rupees,
        reason=reason,
        needs_finance=is_above_threshold(
            rupees,
            line_amount=source.amount,
            percent=project.scheme.reappropriation_threshold_percent,
        ),
        requested_on=requested_on,
        requested_by=requested_by,
    )
    with in_default_language():
        why = _("Requested %(move)s: %(reason)s") % {
            "move": move_label(reappropriation),
            "reason": reason,
        }
    return _save(reappropriation, reason=why, by=requested_by)


def _lock_undecided(
    reappropriation: Reappropriation,
) -> tuple[Project, Reappropriation]:
    """Lock the project row, then read the request afresh; refuse it if decided.

    Every decision on a project's budget takes the project's lock first, so two
    decisions at once run one after the other, and the second sees the first.
    """
    project = Project.objects.select_for_update().get(pk=reappropriation.project_id)
    fresh = Reappropriation.objects.select_for_update().get(pk=reappropriation.pk)
    if fresh.status != Reappropriation.Status.REQUESTED:
        words = {"status": fresh.get_status_display()}
        if fresh.decided_on is None:
            raise GrantRuleError(
                _("This re-appropriation request was already %(status)s.") % words
            )
        raise GrantRuleError(
            _("This re-appropriation request was already %(status)s on %(day)s.")
            % {**words, "day": _date(fresh.decided_on)}
        )
    fresh.project = project
    return project, fresh


def _refuse_unless_allowed(reappropriation: Reappropriation, user: User) -> None:
    """Refuse a decision above the threshold by anyone but finance."""
    scheme = reappropriation.project.scheme
    if reappropriation.needs_finance and not user.has_perm(LARGE_PERMISSION):
        raise GrantRuleError(
            _(
                "%(move)s is above the scheme's %(percent)s%% threshold: finance "
                "decides."
            )
            % {
                "move": move_label(reappropriation),
                "percent": scheme.reappropriation_threshold_percent,
            }
        )


@transaction.atomic
def approve_reappropriation(
    reappropriation: Reappropriation,
    *,
    decided_on: datetime.date,
    decided_by: User,
    comment: str = "",
) -> Reappropriation:
    """Approve a request: the amount leaves one budget line and joins the other.

    The line it comes from is read again under the project's lock: an approval
    decided meanwhile may have taken from it. The lines must still add up to the
    sanctioned amount afterwards, or nothing is written.
    """
    project, reappropriation = _lock_undecided(reappropriation)
    check_dated("decided_on", decided_on, asked_on=reappropriation.requested_on)
    _refuse_if_finished(project)
    lines = BudgetLine.objects.select_for_update().filter(project=project)
    source = lines.filter(
        head=reappropriation.from_head, project_year=reappropriation.from_year
    ).first()
    amount = reappropriation.amount
    _refuse_if_short(
        source,
        head=reappropriation.from_head,
        year=reappropriation.from_year,
        amount=amount,
    )
    # Who decides is judged on the line as it stands now, under the lock, as the
    # decision page shows it: a move approved meanwhile may have shrunk it.
    reappropriation.needs_finance = is_above_threshold(
        amount,
        line_amount=source.amount,
        percent=project.scheme.reappropriation_threshold_percent,
    )
    _refuse_unless_allowed(reappropriation, decided_by)
    comment = written_text(comment)
    # The change reason is kept in the history: written in the default language.
    with in_default_language():
        why = _("Re-appropriated %(move)s: %(reason)s") % {
            "move": move_label(reappropriation),
            "reason": reappropriation.reason,
        }
    source.amount -= amount
    _save(source, reason=why, by=decided_by, update_fields=["amount"])
    target = lines.filter(
        head=reappropriation.to_head, project_year=reappropriation.to_year
    ).first()
    if target is None:
        target = BudgetLine(
            project=project,
            head=reappropriation.to_head,
            project_year=reappropriation.to_year,
            amount=amount,
        )
        _save(target, reason=why, by=decided_by)
    else:
        target.amount += amount
        _save(target, reason=why, by=decided_by, update_fields=["amount"])
    total = BudgetLine.objects.filter(project=project).aggregate(total=Sum("amount"))[
        "total"
    ]
    if total != project.sanctioned_amount:
        # Raising rolls the whole move back.
        raise GrantRuleError(
            _(
                "After this move the budget lines would add up to %(total)s, not the "
                "sanctioned %(sanctioned)s: nothing was moved. Correct the budget "
                "first."
            )
            % {
                "total": _rupees(total or 0),
                "sanctioned": _rupees(project.sanctioned_amount),
            }
        )
    reappropriation.status = Reappropriation.Status.APPROVED
    reappropriation.decided_on = decided_on
    reappropriation.decided_by = decided_by
    reappropriation.decision_comment = comment
    _save(reappropriation, reason=why, by=decided_by)
    tell_reappropriation_decision(reappropriation, decided_by=decided_by)
    return reappropriation


@transaction.atomic
def reject_reappropriation(
    reappropriation: Reappropriation,
    *,
    decided_on: datetime.date,
    decided_by: User,
    comment: str,
) -> Reappropriation:
    """Refuse a request, saying why; the budget stays as it is."""
    comment = written_text(comment)
    if not comment:
        raise GrantRuleError(
            {
                "comment": _(
                    "Say why the re-appropriation is refused: the grantee sees it."
                )
            }
        )
    _project, reappropriation = _lock_undecided(reappropriation)
    check_dated("decided_on", decided_on, asked_on=reappropriation.requested_on)
    _refuse_unless_allowed(reappropriation, decided_by)
    reappropriation.status = Reappropriation.Status.REJECTED
    reappropriation.decided_on = decided_on
    reappropriation.decided_by = decided_by
    reappropriation.decision_comment = comment
    with in_default_language():
        why = _("Rejected %(move)s: %(reason)s") % {
            "move": move_label(reappropriation),
            "reason": comment,
        }
    _save(reappropriation, reason=why, by=decided_by)
    tell_reappropriation_decision(reappropriation, decided_by=decided_by)
    return reappropriation
