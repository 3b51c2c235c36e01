"""A utilisation certificate laid out as Form GFR 12-A, every column worked out.

The form is the one GFR 238(1) prescribes; the ministry's staff print it to file
and the grantee prints it to sign. Both ask ``gfr_12a`` so the two copies cannot
differ. The paper prints the figures as they were submitted: where they do not add
up as the form says (column 7 is 5 - 6, the components make column 6, the
releases make column 4), the read says so and the paper shows a note beside the
figures rather than a corrected number.

The model keeps the opening unspent balance as one figure, so the grant position
at the beginning (item 3) and at the end (item 6) of the year is put as cash in
hand or at the bank, with no unadjusted advances.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from grants.models import (
    BudgetLine,
    Instalment,
    Organisation,
    Project,
    UtilisationCertificate,
)


@dataclass(frozen=True)
class ReceivedGrant:
    """One line of column 4: a release the grantee received in the period."""

    sanction_number: str
    released_on: datetime.date | None
    amount: int


@dataclass(frozen=True)
class GrantPosition:
    """Items 3 and 6: (i) cash in hand or at the bank, (ii) unadjusted advances."""

    cash: int
    unadjusted_advances: int

    @property
    def total(self) -> int:
        return self.cash + self.unadjusted_advances


@dataclass(frozen=True)
class Gfr12A:
    """Everything Form GFR 12-A prints for one certificate, in the form's order."""

    certificate: UtilisationCertificate
    project: Project
    organisation: Organisation
    is_provisional: bool
    is_final: bool
    # Item 2: from the project's budget lines (equipment is non-recurring).
    recurring: bool
    non_recurring: bool
    # Item 3.
    opening: GrantPosition
    # Item 4, columns 1 to 7.
    unspent_balance: int
    interest_earned: int
    interest_remitted: int
    received: tuple[ReceivedGrant, ...]
    grant_received: int
    total_available: int
    expenditure: int
    closing_balance: int
    # Item 5; None where the grantee gave no component-wise figures.
    general: int | None
    salary: int | None
    capital: int | None
    # Item 6.
    closing: GrantPosition
    # What the stored figures say about their own arithmetic.
    closing_adds_up: bool
    received_adds_up: bool
    components_add_up: bool
    illustrative: bool

    @property
    def components_given(self) -> bool:
        return any(v is not None for v in (self.general, self.salary, self.capital))

    @property
    def components_total(self) -> int:
        return sum(v or 0 for v in (self.general, self.salary, self.capital))

    @property
    def received_total(self) -> int:
        return sum(line.amount for line in self.received)

    @property
    def closing_balance_computed(self) -> int:
        """Column 7 as the form defines it: 5 - 6."""
        return self.total_available - self.expenditure

    @property
    def column_4_lines(self) -> tuple[ReceivedGrant, ...]:
        """Column 4's lines; a certificate naming no release gets one, unnamed."""
        if self.received:
            return self.received
        return (ReceivedGrant("", None, self.grant_received),)

    @property
    def shows_received_total(self) -> bool:
        """Column 4 ends with its total under several lines, or lines that differ."""
        return len(self.received) > 1 or not self.received_adds_up

    @property
    def rowspan(self) -> int:
        """The rows columns 1-3 and 5-7 span beside column 4's lines."""
        return len(self.column_4_lines) + self.shows_received_total

    @property
    def adds_up(self) -> bool:
        return self.closing_adds_up and self.received_adds_up and self.components_add_up

    @property
    def is_accepted(self) -> bool:
        return self.certificate.status == UtilisationCertificate.Status.ACCEPTED


def with_form_relations(queryset):
    """Fetch what ``gfr_12a`` reads with the certificate (its budget lines make 3)."""
    releases = Instalment.objects.order_by("released_on", "sequence", "pk")
    return queryset.select_related(
        "project__organisation", "project__scheme", "decided_by"
    ).prefetch_related(Prefetch("received_instalments", queryset=releases))


def filename_parts(certificate: UtilisationCertificate) -> tuple[str, ...]:
    """What the form's file is named by: the project and the year (or "as on")."""
    if certificate.kind == UtilisationCertificate.Kind.PROVISIONAL:
        period = f"as-on-{certificate.period_end.isoformat()}"
    else:
        period = certificate.fiscal_year
    return ("gfr-12a", certificate.project.reference, period)


def grant_kinds(project: Project) -> tuple[bool, bool]:
    """(recurring, non-recurring): which kinds of grant the sanction's lines hold."""
    heads = set(
        BudgetLine.objects.filter(project=project, amount__gt=0)
        .order_by()
        .values_list("head", flat=True)
        .distinct()
    )
    kinds = {BudgetLine.Head(head).is_recurring for head in heads}
    return True in kinds, False in kinds


def gfr_12a(certificate: UtilisationCertificate, received_instalments=None) -> Gfr12A:
    """Lay a certificate out as Form GFR 12-A; fetch it ``with_form_relations``.

    A certificate not yet saved (the grantee's draft, printed to be signed before
    it is submitted) names its releases in ``received_instalments``.
    """
    project = certificate.project
    if received_instalments is None:
        received_instalments = certificate.received_instalments.all()
    recurring, non_recurring = grant_kinds(project)
    received = tuple(
        ReceivedGrant(
            sanction_number=instalment.release_order_number
            or project.sanction_order_number,
            released_on=instalment.released_on,
            amount=instalment.amount,
        )
        for instalment in received_instalments
    )
    total_available = certificate.total_available
    components = (
        certificate.expenditure_general,
        certificate.expenditure_salary,
        certificate.expenditure_capital,
    )
    components_given = any(v is not None for v in components)
    return Gfr12A(
        certificate=certificate,
        project=project,
        organisation=project.organisation,
        is_provisional=certificate.kind == UtilisationCertificate.Kind.PROVISIONAL,
        is_final=certificate.kind == UtilisationCertificate.Kind.FINAL,
        recurring=recurring,
        non_recurring=non_recurring,
        opening=GrantPosition(cash=certificate.opening_balance, unadjusted_advances=0),
        unspent_balance=certificate.opening_balance,
        interest_earned=certificate.interest_earned,
        interest_remitted=certificate.interest_remitted,
        received=received,
        grant_received=certificate.grant_received,
        total_available=total_available,
        expenditure=certificate.expenditure,
        closing_balance=certificate.closing_balance,
        general=certificate.expenditure_general,
        salary=certificate.expenditure_salary,
        capital=certificate.expenditure_capital,
        closing=GrantPosition(cash=certificate.closing_balance, unadjusted_advances=0),
        closing_adds_up=(
            certificate.closing_balance == total_available - certificate.expenditure
        ),
        # A certificate that names no release is not contradicted by its total.
        received_adds_up=(
            not received
            or sum(line.amount for line in received) == certificate.grant_received
        ),
        components_add_up=(
            not components_given
            or sum(v or 0 for v in components) == certificate.expenditure
        ),
        illustrative=project.is_illustrative or project.organisation.is_illustrative,
    )
