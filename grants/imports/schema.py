"""The sheets of the import workbook and their columns.

The template, the reader and the export of a portfolio all read this one
description, so a column cannot be written one way and read another. Headers are
written in the language of whoever downloads the template and are recognised in
either language (``Sheet.find_column``); so are sheet names and the labels of
choices.

Rows are matched to what is on record by their key columns: an organisation by
its short code, a person by e-mail, a project by its reference, a budget line by
project, head and year, an instalment by project and sequence, a certificate by
project and period, a milestone by project and title.
"""

from django.utils.translation import gettext_lazy as _

from grants.imports import cells
from grants.imports.columns import (
    EXAMPLE_PREFIX,
    Column,
    Sheet,
    amount,
    choice,
    date,
    email,
    fiscal_year,
    in_every_language,
    language_choices,
    number,
    project_reference,
    scheme_choices,
    text,
)
from grants.models import (
    BudgetLine,
    Membership,
    Milestone,
    Organisation,
    Project,
    ReleaseCondition,
    UtilisationCertificate,
)

__all__ = [
    "EXAMPLE_PREFIX",
    "SHEETS",
    "Column",
    "Sheet",
    "in_every_language",
]

# The Form GFR 12-A figures of a certificate row, as the model names them.
CERTIFICATE_FIGURES = (
    "opening_balance",
    "interest_earned",
    "interest_remitted",
    "grant_received",
    "expenditure",
    "expenditure_general",
    "expenditure_salary",
    "expenditure_capital",
    "closing_balance",
)

ORGANISATIONS = Sheet(
    "organisations",
    _("Organisations"),
    (
        text(
            "code",
            _("Short code"),
            max_length=50,
            required=True,
            help=_(
                "Letters, digits and hyphens; names the organisation on the other "
                "sheets."
            ),
        ),
        text("name", _("Name"), max_length=200, required=True, width=40),
        choice("kind", _("Kind"), Organisation.Kind, required=True),
        choice(
            "state", _("State or union territory"), Organisation.State, required=True
        ),
        text("city", _("City"), max_length=100),
        text("address", _("Address"), max_length=1000, multiline=True, width=40),
        text("pan", _("PAN"), max_length=10, width=12),
        text("udyam_number", _("Udyam registration number"), max_length=19),
        text("dpiit_number", _("DPIIT recognition number"), max_length=30),
        text("pfms_agency_code", _("PFMS unique agency code"), max_length=30),
        text("head_name", _("Head of organisation"), max_length=150),
        email("head_email", _("Head's e-mail")),
    ),
    key=("code",),
    about=_("One row per grantee organisation."),
    examples=(
        {
            "code": "example-institute",
            "name": "Example Institute of Technology",
            "kind": Organisation.Kind.ACADEMIC,
            "state": "MH",
            "city": "Pune",
        },
    ),
)

PEOPLE = Sheet(
    "people",
    _("People"),
    (
        email(
            "email",
            _("E-mail"),
            required=True,
            help=_("Names the person on the other sheets; they log in with it."),
        ),
        text("name", _("Name as written on letters"), max_length=150, required=True),
        text("designation", _("Designation"), max_length=150),
        text(
            "organisation",
            _("Organisation short code"),
            max_length=50,
            required=True,
            help=_("The short code of an organisation on its sheet or on record."),
        ),
        choice("role", _("Role"), Membership.Role, required=True),
        choice("language", _("Preferred language"), language_choices),
    ),
    key=("email", "organisation", "role"),
    about=_(
        "The grantees' people: one row per person and role. Ministry staff are "
        "not imported: they are given accounts by the ministry admin."
    ),
    examples=(
        {
            "email": "example.pi@example.org",
            "name": "Dr Example Investigator",
            "organisation": "example-institute",
            "role": Membership.Role.PRINCIPAL_INVESTIGATOR,
            "language": "en",
        },
    ),
)

PROJECTS = Sheet(
    "projects",
    _("Projects"),
    (
        text("reference", _("Reference"), max_length=40, required=True, width=20),
        text("title", _("Title"), max_length=300, required=True, width=40),
        text("title_hi", _("Title in Hindi"), max_length=300, width=40),
        text("abstract", _("Abstract"), max_length=5000, multiline=True, width=40),
        choice("scheme", _("Scheme"), scheme_choices, required=True),
        text(
            "organisation", _("Organisation short code"), max_length=50, required=True
        ),
        email(
            "principal_investigator",
            _("Principal investigator's e-mail"),
            required=True,
        ),
        text(
            "programme_officer",
            _("Programme officer"),
            max_length=254,
            help=_("The user name or e-mail of a ministry staff member on record."),
        ),
        choice("stage", _("Value-chain stage"), Project.Stage, required=True),
        Column(
            "elements",
            _("Elements"),
            cells.read_list,
            help=_("Element symbols separated by commas: Nd, Pr, Dy."),
            kind="list",
        ),
        number("trl_start", _("TRL at start"), low=1, high=9, required=True),
        number("trl_target", _("Target TRL"), low=1, high=9, required=True),
        number(
            "trl_now", _("TRL now"), low=1, high=9, help=_("Empty: the TRL at start.")
        ),
        text(
            "sanction_order_number",
            _("Sanction order number"),
            max_length=60,
            required=True,
        ),
        date("sanctioned_on", _("Sanction order date"), required=True),
        fiscal_year("fiscal_year", _("Fiscal year of sanction")),
        date("start_on", _("Start date"), required=True),
        number(
            "duration_months",
            _("Sanctioned duration (months)"),
            low=1,
            high=240,
            required=True,
        ),
        amount("sanctioned_amount", _("Sanctioned amount (Rs)"), required=True),
        choice("status", _("Status"), Project.Status, required=True),
        date(
            "end_on",
            _("End date after extensions"),
            help=_(
                "Only if an extension moved the end date: then also the two "
                "columns after it."
            ),
        ),
        date("extended_on", _("Extension approved on")),
        text(
            "extension_reason", _("Extension reason"), max_length=2000, multiline=True
        ),
        text("satyabhama_id", _("SATYABHAMA identifier"), max_length=40),
        date("closed_on", _("Closed on"), help=_("Only for a closed project.")),
        amount("unspent_refunded", _("Unspent balance refunded (Rs)")),
        amount("interest_refunded", _("Interest refunded (Rs)")),
        text("refund_reference", _("Refund challan / UTR reference"), max_length=60),
    ),
    key=("reference",),
    about=_(
        "One row per sanctioned project. Its budget lines, instalments, "
        "certificates and milestones go on their own sheets, by its reference."
    ),
    examples=(
        {
            "reference": "EXAMPLE-REE-2425-01",
            "title": "Example: recovery of neodymium from magnet scrap",
            "organisation": "example-institute",
            "principal_investigator": "example.pi@example.org",
            "stage": Project.Stage.RECYCLING,
            "elements": "Nd, Pr",
            "trl_start": 3,
            "trl_target": 5,
            "sanction_order_number": "EXAMPLE/2024/01",
            "sanctioned_amount": "45,00,000",
            "duration_months": 24,
            "status": Project.Status.ONGOING,
        },
    ),
)

BUDGET_LINES = Sheet(
    "budget_lines",
    _("Budget lines"),
    (
        project_reference(),
        choice("head", _("Head"), BudgetLine.Head, required=True),
        number("project_year", _("Project year"), low=1, high=20, required=True),
        amount("amount", _("Amount (Rs)"), required=True),
    ),
    key=("project", "head", "project_year"),
    about=_(
        "The sanctioned budget: one row per head and project year. A project's "
        "lines add up to its sanctioned amount."
    ),
    examples=(
        {
            "project": "EXAMPLE-REE-2425-01",
            "head": "equipment",
            "project_year": 1,
            "amount": "25 lakh",
        },
    ),
)

INSTALMENTS = Sheet(
    "instalments",
    _("Instalments"),
    (
        project_reference(),
        number("sequence", _("Instalment number"), low=1, high=50, required=True),
        date("planned_on", _("Planned on"), required=True),
        amount("amount", _("Amount (Rs)"), required=True),
        text("condition", _("Condition of release"), max_length=300, width=30),
        date("released_on", _("Released on"), help=_("Empty while not released.")),
        text("release_order_number", _("Release order number"), max_length=60),
        text(
            "exception_reason",
            _("Exception reason"),
            max_length=2000,
            multiline=True,
            width=30,
            help=_(
                "For an old release the rules would refuse today (no accepted UC "
                "covered the previous release): why it was made. Kept on record."
            ),
        ),
        text(
            "low_utilisation_note",
            _("Low-utilisation note"),
            max_length=2000,
            multiline=True,
            width=30,
            help=_(  # xgettext:no-python-format
                "Where the covering UC shows under 75% utilisation: why it was "
                "released."
            ),
        ),
    ),
    key=("project", "sequence"),
    about=_(
        "The planned instalments of each sanction and, once released, the release "
        "order. A project's instalments add up to its sanctioned amount."
    ),
    examples=(
        {
            "project": "EXAMPLE-REE-2425-01",
            "sequence": 1,
            "planned_on": "01.10.2024",
            "amount": "30,00,000",
            "released_on": "15.10.2024",
            "release_order_number": "EXAMPLE/RO/2024/01",
        },
    ),
)

CERTIFICATES = Sheet(
    "certificates",
    _("Utilisation certificates"),
    (
        project_reference(),
        choice("kind", _("Kind"), UtilisationCertificate.Kind, required=True),
        date("period_start", _("Period from"), required=True),
        date("period_end", _("Period to"), required=True),
        fiscal_year("fiscal_year", _("Fiscal year")),
        amount("opening_balance", _("1. Opening unspent balance (Rs)"), required=True),
        amount("interest_earned", _("2. Interest earned (Rs)"), required=True),
        amount("interest_remitted", _("3. Interest remitted (Rs)"), required=True),
        amount("grant_received", _("4. Grant received (Rs)"), required=True),
        amount("expenditure", _("6. Expenditure (Rs)"), required=True),
        amount("expenditure_general", _("Expenditure: general (Rs)")),
        amount("expenditure_salary", _("Expenditure: salary (Rs)")),
        amount("expenditure_capital", _("Expenditure: capital assets (Rs)")),
        amount("closing_balance", _("7. Closing balance (Rs)"), required=True),
        choice("status", _("Status"), UtilisationCertificate.Status, required=True),
        date("submitted_on", _("Submitted on"), required=True),
        date("decided_on", _("Decided on"), help=_("For an accepted or returned UC.")),
        text(
            "return_reason",
            _("Return reason"),
            max_length=2000,
            multiline=True,
            width=30,
        ),
        text(
            "gap_reason",
            _("Gap reason"),
            max_length=2000,
            multiline=True,
            width=30,
            help=_("Where the period does not follow the previous certificate: why."),
        ),
        text(
            "milestone",
            _("Milestone"),
            max_length=200,
            width=30,
            help=_(
                "The title of the milestone this certificate answers, on the "
                "Milestones sheet."
            ),
        ),
        text(
            "targets_achieved",
            _("Targets achieved"),
            max_length=5000,
            multiline=True,
            width=30,
        ),
        text(
            "exception_reason",
            _("Exception reason"),
            max_length=2000,
            multiline=True,
            width=30,
            help=_(
                "For a certificate accepted before its signed copy could be kept "
                "here: where the signed copy is (file number). Kept on record."
            ),
        ),
    ),
    key=("project", "period_start", "period_end", "submitted_on"),
    about=_("Utilisation certificates (Form GFR 12-A) as submitted and decided."),
)

MILESTONES = Sheet(
    "milestones",
    _("Milestones"),
    (
        project_reference(),
        choice("kind", _("Kind"), Milestone.Kind, required=True),
        text("title", _("Title"), max_length=200, required=True, width=36),
        text(
            "deliverable", _("Deliverable"), max_length=2000, multiline=True, width=30
        ),
        date(
            "due_on",
            _("Due on"),
            required=True,
            help=_("As first set, before any return moved it."),
        ),
        number(
            "months_after_end",
            _("Months after end"),
            low=0,
            high=60,
            help=_("For a milestone due a number of months after the end date."),
        ),
        date("period_start", _("Period from")),
        date("period_end", _("Period to")),
        choice("status", _("Status"), Milestone.Status, required=True),
        date("submitted_on", _("Submitted on")),
        date("decided_on", _("Decided on")),
        date(
            "due_again_on",
            _("Due again on"),
            help=_("For a returned milestone: when it is due again."),
        ),
        text(
            "waiver_reason",
            _("Waiver reason"),
            max_length=2000,
            multiline=True,
            width=30,
        ),
    ),
    key=("project", "title"),
    about=_(
        "What each grantee owes by a date: reports, certificates, deliverables. "
        "A certificate's milestone takes its state from the certificate."
    ),
)

CONDITIONS = Sheet(
    "conditions",
    _("Release conditions"),
    (
        project_reference(),
        number("instalment", _("Instalment number"), low=1, high=50, required=True),
        choice("kind", _("Kind"), ReleaseCondition.Kind, required=True),
        text(
            "milestone",
            _("Milestone"),
            max_length=200,
            width=30,
            help=_("For a milestone condition: the milestone's title."),
        ),
        number(
            "min_utilisation_percent",
            _("Minimum utilisation (%)"),
            low=1,
            high=100,
            help=_("For a utilisation condition."),
        ),
        number("trl", _("TRL to reach"), low=1, high=9, help=_("For a TRL condition.")),
        text(
            "text",
            _("Condition as the sanction states it"),
            max_length=300,
            width=36,
            help=_("For an other condition: its words."),
        ),
        date("met_on", _("Met on"), help=_("For an other condition marked met.")),
        text(
            "met_note", _("How it was met"), max_length=2000, multiline=True, width=30
        ),
    ),
    key=("project", "instalment", "kind", "milestone", "text"),
    about=_(
        "What each instalment's release waits for, as the sanction states it. "
        "Every release after the first also waits for a UC covering the one "
        "before: that condition is added by itself."
    ),
)

# In the order they are read and written: each refers only to those before it.
SHEETS = (
    ORGANISATIONS,
    PEOPLE,
    PROJECTS,
    BUDGET_LINES,
    INSTALMENTS,
    MILESTONES,
    CONDITIONS,
    CERTIFICATES,
)
