"""The demo's certificates completed as a grantee fills Form GFR 12-A.

Column 4 names the releases received in the period, and the expenditure is split
into the form's components (general, salary, creation of capital assets) in the
proportions of the project's budget, so a printed demo certificate has every
column filled. Releases are named only where they add up to the grant received
the certificate states, as the portal's form requires.
"""

from grants.models import (
    BudgetLine,
    GFRComponent,
    Instalment,
    UtilisationCertificate,
)


def complete_certificates(project):
    releases = list(Instalment.objects.released().filter(project=project))
    shares = _component_shares(project)
    for certificate in UtilisationCertificate.objects.filter(project=project):
        in_period = [
            release
            for release in releases
            if release.released_on <= certificate.period_end
            and (
                certificate.kind == UtilisationCertificate.Kind.PROVISIONAL
                or release.released_on >= certificate.period_start
            )
        ]
        if in_period and sum(r.amount for r in in_period) == certificate.grant_received:
            certificate.received_instalments.set(in_period)
        if shares:
            general, salary, capital = _split(certificate.expenditure, shares)
            UtilisationCertificate.objects.filter(pk=certificate.pk).update(
                expenditure_general=general,
                expenditure_salary=salary,
                expenditure_capital=capital,
            )


def _component_shares(project) -> dict:
    """The budget by component, in rupees (empty when the project has no budget)."""
    totals = dict.fromkeys(GFRComponent, 0)
    for line in BudgetLine.objects.filter(project=project):
        totals[line.gfr_component] += line.amount
    return totals if sum(totals.values()) else {}


def _split(expenditure: int, shares: dict) -> tuple[int, int, int]:
    """Whole rupees per component; general takes the remainder so they add up."""
    whole = sum(shares.values())
    salary = expenditure * shares[GFRComponent.SALARY] // whole
    capital = expenditure * shares[GFRComponent.CAPITAL_ASSETS] // whole
    return expenditure - salary - capital, salary, capital
