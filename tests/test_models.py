import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from grants.models import (
    BudgetLine,
    Extension,
    GFRComponent,
    Instalment,
    Membership,
    Milestone,
    Organisation,
    ProgressReport,
    Project,
    UtilisationCertificate,
)
from tests.factories import (
    BudgetLineFactory,
    ExtensionFactory,
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReminderFactory,
    ReminderRuleFactory,
    SchemeFactory,
    StaffUserFactory,
    UserFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db

NEGATIVE_AMOUNT = "An amount cannot be negative."
TRL_RANGE = "A TRL is between 1 and 9."
CLOSING_BALANCE = (
    "Closing balance must equal opening balance + interest earned "
    "- interest remitted + grant received - expenditure."
)
COMPONENTS = "General, salary and capital expenditure must add up to the expenditure."
ONE_ANNUAL_UC = "This project already has an annual UC for this fiscal year."
BEYOND_FLOAT = 2**53 + 1  # 9007199254740993: the first integer a float cannot hold


def assert_full_clean_refuses(instance, message):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    assert message in excinfo.value.messages


def assert_constraint_refuses(instance, name, message):
    """Check one named constraint alone, for values a field validator refuses first.

    full_clean() skips a constraint on a field that already failed its own
    validators, so the constraint's message is checked directly.
    """
    constraint = next(c for c in instance._meta.constraints if c.name == name)
    with pytest.raises(ValidationError) as excinfo:
        constraint.validate(type(instance), instance)
    assert excinfo.value.messages == [message]


def assert_field_refuses(instance, field, message):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    assert message in excinfo.value.message_dict[field]


def unsaved_project(**kwargs):
    """Build a project whose related rows exist, so full_clean judges it alone."""
    return ProjectFactory.build(
        scheme=SchemeFactory(),
        organisation=OrganisationFactory(),
        principal_investigator=UserFactory(),
        programme_officer=StaffUserFactory(),
        **kwargs,
    )


def balanced_uc(project, **figures):
    """Build an annual UC for 2024-25 whose closing balance is worked out for it."""
    return UtilisationCertificateFactory.build(project=project, **figures)


# Money is never negative --------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["sanctioned_amount", "unspent_refunded", "interest_refunded"]
)
def test_project_with_a_negative_amount_is_refused(field):
    with (
        pytest.raises(IntegrityError, match=f"project_{field}_non_negative"),
        transaction.atomic(),
    ):
        ProjectFactory(**{field: -1})
    assert_full_clean_refuses(unsaved_project(**{field: -1}), NEGATIVE_AMOUNT)


def test_project_with_zero_amounts_is_accepted():
    project = ProjectFactory(sanctioned_amount=0, unspent_refunded=0)
    project.full_clean()


def test_budget_line_with_a_negative_amount_is_refused(project):
    with (
        pytest.raises(IntegrityError, match="budgetline_amount_non_negative"),
        transaction.atomic(),
    ):
        BudgetLineFactory(project=project, amount=-1)
    line = BudgetLineFactory.build(project=project, amount=-1)
    assert_full_clean_refuses(line, NEGATIVE_AMOUNT)


def test_instalment_with_a_negative_amount_is_refused(project):
    with (
        pytest.raises(IntegrityError, match="instalment_amount_non_negative"),
        transaction.atomic(),
    ):
        InstalmentFactory(project=project, amount=-1)
    instalment = InstalmentFactory.build(project=project, sequence=1, amount=-1)
    assert_full_clean_refuses(instalment, NEGATIVE_AMOUNT)


@pytest.mark.parametrize(
    ("field", "figures"),
    [
        # Each keeps the closing balance arithmetic true, so only the sign is wrong.
        ("opening_balance", {"opening_balance": -1}),
        ("interest_earned", {"interest_earned": -1}),
        ("interest_remitted", {"interest_remitted": -1}),
        (
            "grant_received",
            {"opening_balance": 10, "grant_received": -1, "expenditure": 0},
        ),
        ("expenditure", {"expenditure": -1}),
        ("closing_balance", {"grant_received": 0, "expenditure": 1}),
    ],
)
def test_certificate_with_a_negative_figure_is_refused(project, field, figures):
    with (
        pytest.raises(IntegrityError, match=f"uc_{field}_non_negative"),
        transaction.atomic(),
    ):
        UtilisationCertificateFactory(project=project, **figures)
    assert_full_clean_refuses(balanced_uc(project, **figures), NEGATIVE_AMOUNT)


# Technology readiness levels ----------------------------------------------------


TRL_VALIDATOR_MESSAGES = {
    0: "Ensure this value is greater than or equal to 1.",
    10: "Ensure this value is less than or equal to 9.",
}


@pytest.mark.parametrize("field", ["trl_start", "trl_target", "trl_now"])
@pytest.mark.parametrize("trl", [0, 10])
def test_project_trl_outside_1_to_9_is_refused(field, trl):
    with (
        pytest.raises(IntegrityError, match="project_trl_between_1_and_9"),
        transaction.atomic(),
    ):
        ProjectFactory(**{field: trl})
    project = unsaved_project(**{field: trl})
    assert_field_refuses(project, field, TRL_VALIDATOR_MESSAGES[trl])
    assert_constraint_refuses(project, "project_trl_between_1_and_9", TRL_RANGE)


@pytest.mark.parametrize("trl", [1, 9])
def test_project_trl_of_1_and_9_is_accepted(trl):
    project = ProjectFactory(trl_start=trl, trl_target=trl, trl_now=trl)
    project.full_clean()
    project.refresh_from_db()
    assert (project.trl_start, project.trl_target, project.trl_now) == (trl, trl, trl)


@pytest.mark.parametrize("trl", [0, 10])
def test_progress_report_trl_outside_1_to_9_is_refused(trl):
    milestone = MilestoneFactory()
    with (
        pytest.raises(IntegrityError, match="progressreport_trl_between_1_and_9"),
        transaction.atomic(),
    ):
        ProgressReportFactory(milestone=milestone, trl_now=trl)
    report = ProgressReportFactory.build(milestone=milestone, trl_now=trl)
    assert_field_refuses(report, "trl_now", TRL_VALIDATOR_MESSAGES[trl])
    assert_constraint_refuses(report, "progressreport_trl_between_1_and_9", TRL_RANGE)


@pytest.mark.parametrize("trl", [1, 9])
def test_progress_report_trl_of_1_and_9_is_accepted(trl):
    report = ProgressReportFactory(trl_now=trl)
    report.full_clean()


# Project dates and identifiers --------------------------------------------------


@pytest.mark.parametrize(
    "end_on", [datetime.date(2024, 4, 1), datetime.date(2024, 3, 31)]
)
def test_project_that_does_not_end_after_it_starts_is_refused(end_on):
    start_on = datetime.date(2024, 4, 1)
    with (
        pytest.raises(IntegrityError, match="project_end_after_start"),
        transaction.atomic(),
    ):
        ProjectFactory(start_on=start_on, end_on=end_on)
    project = unsaved_project(start_on=start_on, end_on=end_on)
    assert_full_clean_refuses(project, "A project must end after it starts.")


def test_project_ending_the_day_after_it_starts_is_accepted():
    project = ProjectFactory(
        start_on=datetime.date(2024, 4, 1), end_on=datetime.date(2024, 4, 2)
    )
    project.full_clean()


def test_closing_date_on_a_project_that_is_not_closed_is_refused():
    closed_on = datetime.date(2027, 6, 30)
    with (
        pytest.raises(IntegrityError, match="project_closed_on_only_when_closed"),
        transaction.atomic(),
    ):
        ProjectFactory(status=Project.Status.COMPLETED, closed_on=closed_on)
    project = unsaved_project(status=Project.Status.COMPLETED, closed_on=closed_on)
    assert_full_clean_refuses(project, "Only a closed project has a closing date.")
    ProjectFactory(status=Project.Status.CLOSED, closed_on=closed_on).full_clean()


def test_project_reference_is_unique():
    ProjectFactory(reference="MoM-REE-2024-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(reference="MoM-REE-2024-001")
    assert_full_clean_refuses(
        unsaved_project(reference="MoM-REE-2024-001"),
        "Project with this Reference already exists.",
    )


def test_sanction_order_number_is_unique():
    ProjectFactory(sanction_order_number="MoM/R&D/2024/17")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(sanction_order_number="MoM/R&D/2024/17")
    assert_full_clean_refuses(
        unsaved_project(sanction_order_number="MoM/R&D/2024/17"),
        "Project with this Sanction order number already exists.",
    )


def test_project_fiscal_year_must_be_written_like_2024_25():
    project = ProjectFactory()
    for label in ("2024-2025", "24-25", "२०२४-२५"):
        project.fiscal_year = label
        assert_full_clean_refuses(project, "Write the fiscal year like 2024-25.")
    project.fiscal_year = "2024-25"
    project.full_clean()


def test_extension_that_does_not_move_the_end_later_is_refused(project):
    for new_end_on in (project.end_on, project.end_on - datetime.timedelta(days=1)):
        with (
            pytest.raises(IntegrityError, match="extension_moves_end_later"),
            transaction.atomic(),
        ):
            ExtensionFactory(project=project, new_end_on=new_end_on)
        extension = ExtensionFactory.build(project=project, new_end_on=new_end_on)
        assert_full_clean_refuses(
            extension, "An extension must move the end date later."
        )


def test_extension_moving_the_end_a_day_later_is_accepted(project):
    extension = ExtensionFactory(
        project=project, new_end_on=project.end_on + datetime.timedelta(days=1)
    )
    extension.full_clean()


# Budget lines and instalments ---------------------------------------------------


def test_budget_line_for_a_head_and_year_is_unique(project):
    BudgetLineFactory(project=project, head=BudgetLine.Head.TRAVEL, project_year=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLineFactory(project=project, head=BudgetLine.Head.TRAVEL, project_year=2)
    duplicate = BudgetLineFactory.build(
        project=project, head=BudgetLine.Head.TRAVEL, project_year=2
    )
    assert_full_clean_refuses(
        duplicate, "This head already has a line for this project year."
    )
    BudgetLineFactory(project=project, head=BudgetLine.Head.TRAVEL, project_year=3)
    BudgetLineFactory(project=project, head=BudgetLine.Head.OVERHEAD, project_year=2)
    BudgetLineFactory(head=BudgetLine.Head.TRAVEL, project_year=2)


def test_budget_line_project_year_counts_from_1(project):
    with (
        pytest.raises(IntegrityError, match="budgetline_project_year_from_1"),
        transaction.atomic(),
    ):
        BudgetLineFactory(project=project, project_year=0)
    line = BudgetLineFactory.build(project=project, project_year=0)
    assert_field_refuses(
        line, "project_year", "Ensure this value is greater than or equal to 1."
    )
    assert_constraint_refuses(
        line, "budgetline_project_year_from_1", "Project years count from 1."
    )


HEAD_MAPPING = {
    # head: (recurs every year, Form GFR 12-A component)
    BudgetLine.Head.EQUIPMENT: (False, GFRComponent.CAPITAL_ASSETS),
    BudgetLine.Head.MANPOWER: (True, GFRComponent.SALARY),
    BudgetLine.Head.CONSUMABLES: (True, GFRComponent.GENERAL),
    BudgetLine.Head.TRAVEL: (True, GFRComponent.GENERAL),
    BudgetLine.Head.CONTINGENCY: (True, GFRComponent.GENERAL),
    BudgetLine.Head.OVERHEAD: (True, GFRComponent.GENERAL),
}


@pytest.mark.parametrize(("head", "expected"), HEAD_MAPPING.items())
def test_budget_head_maps_to_its_recurrence_and_gfr_component(head, expected):
    is_recurring, component = expected
    assert (head.is_recurring, head.gfr_component) == (is_recurring, component)
    line = BudgetLineFactory.build(head=head.value)
    assert (line.is_recurring, line.gfr_component) == (is_recurring, component)


def test_every_budget_head_has_an_expected_mapping():
    assert set(HEAD_MAPPING) == set(BudgetLine.Head)


def test_instalment_number_is_unique_within_a_project(project):
    InstalmentFactory(project=project, sequence=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        InstalmentFactory(project=project, sequence=1)
    duplicate = InstalmentFactory.build(project=project, sequence=1)
    assert_full_clean_refuses(
        duplicate, "This project already has an instalment with this number."
    )
    InstalmentFactory(sequence=1)  # another project's first instalment


def test_instalments_are_numbered_from_1(project):
    with (
        pytest.raises(IntegrityError, match="instalment_sequence_from_1"),
        transaction.atomic(),
    ):
        InstalmentFactory(project=project, sequence=0)
    instalment = InstalmentFactory.build(project=project, sequence=0)
    assert_field_refuses(
        instalment, "sequence", "Ensure this value is greater than or equal to 1."
    )
    assert_constraint_refuses(
        instalment, "instalment_sequence_from_1", "Instalments are numbered from 1."
    )


def test_release_without_an_order_number_is_refused(project):
    released_on = datetime.date(2024, 4, 15)
    with (
        pytest.raises(IntegrityError, match="instalment_release_has_order_number"),
        transaction.atomic(),
    ):
        InstalmentFactory(project=project, released_on=released_on)
    instalment = InstalmentFactory.build(
        project=project, sequence=1, released_on=released_on
    )
    assert_full_clean_refuses(instalment, "A release needs its release order number.")


def test_unreleased_instalment_needs_no_order_number(project):
    InstalmentFactory(project=project, release_order_number="").full_clean()


# Utilisation certificates -------------------------------------------------------


@pytest.mark.parametrize("error", [1, -1])
def test_closing_balance_that_does_not_add_up_is_refused(project, error):
    closing_balance = 400_000 + error
    with (
        pytest.raises(IntegrityError, match="uc_closing_balance_arithmetic"),
        transaction.atomic(),
    ):
        UtilisationCertificateFactory(project=project, closing_balance=closing_balance)
    uc = balanced_uc(project, closing_balance=closing_balance)
    assert_full_clean_refuses(uc, CLOSING_BALANCE)


def test_closing_balance_with_every_column_in_play_is_accepted(project):
    uc = UtilisationCertificateFactory(
        project=project,
        opening_balance=1,
        interest_earned=3,
        interest_remitted=2,
        grant_received=999_999_999_999,
        expenditure=7,
        closing_balance=999_999_999_994,
    )
    uc.full_clean()
    uc.refresh_from_db()
    assert uc.closing_balance == 999_999_999_994


def test_closing_balance_beyond_float_precision_is_kept_exactly(project):
    uc = UtilisationCertificateFactory(
        project=project,
        opening_balance=BEYOND_FLOAT,
        grant_received=0,
        expenditure=0,
        closing_balance=BEYOND_FLOAT,
    )
    uc.full_clean()
    uc.refresh_from_db()
    assert uc.opening_balance == uc.closing_balance == 9_007_199_254_740_993
    assert type(uc.closing_balance) is int


def test_closing_balance_a_rupee_out_beyond_float_precision_is_refused(project):
    """2**53 + 1 and 2**53 are one float: only integer arithmetic tells them apart."""
    figures = {
        "opening_balance": BEYOND_FLOAT,
        "grant_received": 0,
        "expenditure": 0,
        "closing_balance": BEYOND_FLOAT - 1,
    }
    with (
        pytest.raises(IntegrityError, match="uc_closing_balance_arithmetic"),
        transaction.atomic(),
    ):
        UtilisationCertificateFactory(project=project, **figures)
    assert_full_clean_refuses(balanced_uc(project, **figures), CLOSING_BALANCE)


def test_expenditure_components_that_add_up_are_accepted(project):
    uc = UtilisationCertificateFactory(
        project=project,
        expenditure=1_600_000,
        expenditure_general=500_000,
        expenditure_salary=900_000,
        expenditure_capital=200_000,
    )
    uc.full_clean()


def test_expenditure_without_components_is_accepted(project):
    uc = UtilisationCertificateFactory(project=project)
    assert uc.expenditure_general is None
    uc.full_clean()


@pytest.mark.parametrize(
    "components",
    [
        {"expenditure_general": 1_600_000},
        {"expenditure_salary": 1_400_000, "expenditure_capital": 200_000},
    ],
    ids=["only-general", "general-blank"],
)
def test_blank_expenditure_component_counts_as_zero(project, components):
    uc = UtilisationCertificateFactory(project=project, **components)
    uc.full_clean()


@pytest.mark.parametrize(
    "components",
    [
        {
            "expenditure_general": 500_000,
            "expenditure_salary": 900_000,
            "expenditure_capital": 200_001,
        },
        {
            "expenditure_general": 0,
            "expenditure_salary": 0,
            "expenditure_capital": 0,
        },
        # A blank column must not let the row escape the sum: NULL + x is NULL,
        # and a CHECK that evaluates to NULL passes.
        {"expenditure_salary": 900_000, "expenditure_capital": 200_000},
        {"expenditure_general": 5},
        {"expenditure_capital": 1_600_001},
    ],
    ids=["off-by-one", "all-zero", "general-blank", "only-general", "only-capital"],
)
def test_expenditure_components_that_do_not_add_up_are_refused(project, components):
    with (
        pytest.raises(IntegrityError, match="uc_components_add_up"),
        transaction.atomic(),
    ):
        UtilisationCertificateFactory(project=project, **components)
    assert_full_clean_refuses(balanced_uc(project, **components), COMPONENTS)


def test_certificate_period_ending_before_it_starts_is_refused(project):
    period = {
        "period_start": datetime.date(2024, 4, 1),
        "period_end": datetime.date(2024, 3, 31),
    }
    with (
        pytest.raises(IntegrityError, match="uc_period_ends_after_start"),
        transaction.atomic(),
    ):
        UtilisationCertificateFactory(project=project, **period)
    assert_full_clean_refuses(
        balanced_uc(project, **period), "The period cannot end before it starts."
    )


def test_certificate_period_of_one_day_is_accepted(project):
    day = datetime.date(2024, 9, 30)
    UtilisationCertificateFactory(
        project=project,
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_start=day,
        period_end=day,
    ).full_clean()


def test_returned_certificate_without_a_reason_is_refused(project):
    returned = {
        "status": UtilisationCertificate.Status.RETURNED,
        "return_reason": "",
        "decided_on": datetime.date(2025, 5, 2),
    }
    with (
        pytest.raises(IntegrityError, match="uc_return_has_reason"),
        transaction.atomic(),
    ):
        UtilisationCertificateFactory(project=project, **returned)
    assert_full_clean_refuses(
        balanced_uc(project, **returned), "A returned certificate needs a reason."
    )


def test_second_live_annual_certificate_for_a_fiscal_year_is_refused(project):
    UtilisationCertificateFactory(project=project)
    with pytest.raises(IntegrityError), transaction.atomic():
        UtilisationCertificateFactory(project=project)
    assert_full_clean_refuses(balanced_uc(project), ONE_ANNUAL_UC)


def test_accepted_annual_certificate_also_blocks_a_second_one(project):
    UtilisationCertificateFactory(project=project, accepted=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        UtilisationCertificateFactory(project=project)
    assert_full_clean_refuses(balanced_uc(project), ONE_ANNUAL_UC)


def test_returned_annual_certificate_makes_way_for_a_resubmission(project):
    UtilisationCertificateFactory(
        project=project,
        status=UtilisationCertificate.Status.RETURNED,
        return_reason="Interest earned is missing.",
        decided_on=datetime.date(2025, 5, 2),
    )
    resubmission = balanced_uc(project)
    resubmission.full_clean()
    resubmission.save()
    assert project.certificates.count() == 2


def test_annual_certificate_is_not_refused_by_itself_when_saved_again(project):
    uc = UtilisationCertificateFactory(project=project)
    uc.targets_achieved = "Pilot plant commissioned."
    uc.full_clean()
    uc.save()


def test_other_fiscal_years_and_kinds_do_not_count_as_a_second_annual_uc(project):
    UtilisationCertificateFactory(project=project)
    UtilisationCertificateFactory(
        project=project,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
    ).full_clean()
    for kind in (
        UtilisationCertificate.Kind.PROVISIONAL,
        UtilisationCertificate.Kind.FINAL,
    ):
        UtilisationCertificateFactory(project=project, kind=kind).full_clean()
    UtilisationCertificateFactory().full_clean()  # another project's 2024-25 UC
    assert project.certificates.filter(fiscal_year="2024-25").count() == 3


def test_certificate_figures_total_and_utilisation(project):
    uc = UtilisationCertificateFactory.build(
        project=project,
        opening_balance=1,
        interest_earned=3,
        interest_remitted=2,
        grant_received=999_999_999_999,
        expenditure=7,
    )
    assert uc.total_available == 1_000_000_000_001
    assert uc.closing_balance == uc.total_available - uc.expenditure
    assert uc.unremitted_interest == 1
    assert balanced_uc(project).utilisation_percent == 80


def test_utilisation_of_a_certificate_with_nothing_available_is_zero(project):
    uc = balanced_uc(project, grant_received=0, expenditure=0)
    assert uc.total_available == 0
    assert uc.utilisation_percent == 0


def test_certificate_describes_its_arithmetic_in_indian_grouping(project):
    uc = balanced_uc(project, opening_balance=150_000, interest_earned=2_500)
    assert uc.describe_arithmetic() == ("1,50,000 + 2,500 - 0 + 20,00,000 - 16,00,000")


# Milestones and progress reports ------------------------------------------------


def test_waived_milestone_without_a_reason_is_refused(project):
    with (
        pytest.raises(IntegrityError, match="milestone_waiver_has_reason"),
        transaction.atomic(),
    ):
        MilestoneFactory(project=project, status=Milestone.Status.WAIVED)
    milestone = MilestoneFactory.build(project=project, status=Milestone.Status.WAIVED)
    assert_full_clean_refuses(milestone, "A waived milestone needs a reason.")
    MilestoneFactory(
        project=project,
        status=Milestone.Status.WAIVED,
        waiver_reason="Merged with the final report.",
    ).full_clean()


def test_returned_report_without_a_reason_is_refused():
    milestone = MilestoneFactory()
    returned = {
        "status": ProgressReport.Status.RETURNED,
        "review_comment": "",
        "decided_on": datetime.date(2025, 11, 2),
    }
    with (
        pytest.raises(IntegrityError, match="progressreport_return_has_reason"),
        transaction.atomic(),
    ):
        ProgressReportFactory(milestone=milestone, **returned)
    report = ProgressReportFactory.build(milestone=milestone, **returned)
    assert_full_clean_refuses(report, "A returned report needs a reason.")


def test_report_period_ending_before_it_starts_is_refused():
    milestone = MilestoneFactory()
    period = {
        "period_start": datetime.date(2025, 4, 1),
        "period_end": datetime.date(2025, 3, 31),
    }
    with (
        pytest.raises(IntegrityError, match="progressreport_period_ends_after_start"),
        transaction.atomic(),
    ):
        ProgressReportFactory(milestone=milestone, **period)
    report = ProgressReportFactory.build(milestone=milestone, **period)
    assert_full_clean_refuses(report, "The period cannot end before it starts.")


def test_report_version_is_unique_for_a_milestone():
    milestone = MilestoneFactory()
    ProgressReportFactory(milestone=milestone, version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReportFactory(milestone=milestone, version=1)
    duplicate = ProgressReportFactory.build(milestone=milestone, version=1)
    assert_full_clean_refuses(duplicate, "This version of the report already exists.")
    ProgressReportFactory(milestone=milestone, version=2).full_clean()


def test_reminder_is_recorded_once_per_milestone_recipient_rule_and_date():
    reminder = ReminderFactory()
    same = {
        "milestone": reminder.milestone,
        "recipient": reminder.recipient,
        "rule": reminder.rule,
        "due_on": reminder.due_on,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderFactory(**same)
    with pytest.raises(ValidationError, match="already exists"):
        ReminderFactory.build(**same).full_clean()
    ReminderFactory(**{**same, "rule": ReminderRuleFactory(code="another-rule")})


def test_reminder_sent_by_hand_is_recorded_once_per_request_and_recipient():
    reminder = ReminderFactory(rule=None, request_key="click-1")
    same = {
        "milestone": reminder.milestone,
        "recipient": reminder.recipient,
        "rule": None,
        "request_key": "click-1",
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderFactory(**same)
    ReminderFactory(**{**same, "request_key": "click-2"})


def test_reminder_needs_a_rule_or_a_request_key():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderFactory(rule=None, request_key="")


# Organisations and memberships --------------------------------------------------


def test_pan_is_unique_among_organisations():
    OrganisationFactory(pan="AAAPL1234C")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(pan="AAAPL1234C")
    assert_full_clean_refuses(
        OrganisationFactory.build(pan="AAAPL1234C"),
        "Another organisation has this PAN.",
    )


def test_organisations_without_a_pan_do_not_clash():
    OrganisationFactory(pan="")
    second = OrganisationFactory.build(pan="")
    second.full_clean()
    second.save()
    assert Organisation.objects.filter(pan="").count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pan", "AAAPL1234C"),
        ("udyam_number", "UDYAM-MH-26-0012345"),
        ("dpiit_number", "DIPP12345"),
        ("dpiit_number", "DPIIT2022AB1234"),
    ],
)
def test_well_formed_registration_numbers_are_accepted(field, value):
    OrganisationFactory.build(**{field: value}).full_clean()


FORMAT_MESSAGES = {
    "pan": "A PAN is ten characters, like AAAAA9999A.",
    "udyam_number": "A Udyam number looks like UDYAM-MH-26-0012345.",
    "dpiit_number": (
        "A DPIIT recognition number starts with DIPP or DPIIT and ends in digits."
    ),
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pan", "aaapl1234c"),
        ("pan", "AAAPL1234"),
        ("pan", "AAAP11234C"),
        ("pan", "AAAPL12345"),
        ("pan", "AAAPL 234C"),
        ("udyam_number", "UDYAM-MH-26-001234"),
        ("udyam_number", "udyam-mh-26-0012345"),
        ("udyam_number", "UDYAM-M1-26-0012345"),
        ("udyam_number", "UDYAM MH 26 0012345"),
        ("dpiit_number", "DIPP"),
        ("dpiit_number", "DIPP12345X"),
        ("dpiit_number", "dipp12345"),
        ("dpiit_number", "STARTUP12345"),
        ("dpiit_number", "DIPP12345\n"),
    ],
)
def test_malformed_registration_numbers_are_refused(field, value):
    organisation = OrganisationFactory.build(**{field: value})
    assert_field_refuses(organisation, field, FORMAT_MESSAGES[field])


def test_user_has_each_role_in_an_organisation_once(organisation):
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=user, organisation=organisation)
    assert_full_clean_refuses(
        MembershipFactory.build(user=user, organisation=organisation),
        "This user already has this role here.",
    )
    MembershipFactory(
        user=user, organisation=organisation, role=Membership.Role.FINANCE_OFFICER
    )


# Project QuerySet ---------------------------------------------------------------


def test_member_sees_own_organisations_projects_and_not_others():
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    own_projects = ProjectFactory.create_batch(2, organisation=mine)
    ProjectFactory(organisation=theirs)
    member = MembershipFactory(organisation=mine).user
    visible = Project.objects.visible_to(member)
    assert sorted(p.pk for p in visible) == sorted(p.pk for p in own_projects)


def test_member_of_two_organisations_sees_both():
    first, second = ProjectFactory(), ProjectFactory()
    user = UserFactory()
    MembershipFactory(user=user, organisation=first.organisation)
    MembershipFactory(user=user, organisation=second.organisation)
    ProjectFactory()
    assert set(Project.objects.visible_to(user)) == {first, second}


def test_inactive_membership_shows_nothing(project):
    member = MembershipFactory(organisation=project.organisation, is_active=False).user
    assert not Project.objects.visible_to(member).exists()


def test_anonymous_user_sees_nothing(project):
    assert not Project.objects.visible_to(AnonymousUser()).exists()


def test_staff_without_membership_sees_nothing(project):
    staff = StaffUserFactory()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert not Project.objects.visible_to(staff).exists()
    assert not Project.objects.visible_to(superuser).exists()


def test_user_with_two_roles_in_an_organisation_sees_each_project_once(organisation):
    projects = ProjectFactory.create_batch(2, organisation=organisation)
    user = UserFactory()
    for role in (
        Membership.Role.PRINCIPAL_INVESTIGATOR,
        Membership.Role.FINANCE_OFFICER,
    ):
        MembershipFactory(user=user, organisation=organisation, role=role)
    visible = list(Project.objects.visible_to(user))
    assert len(visible) == 2
    assert set(visible) == set(projects)
    assert Project.objects.visible_to(user).count() == 2


def test_inactive_membership_hides_only_that_organisations_projects():
    first, second = ProjectFactory(), ProjectFactory()
    user = UserFactory()
    MembershipFactory(user=user, organisation=first.organisation, is_active=False)
    MembershipFactory(user=user, organisation=second.organisation)
    assert list(Project.objects.visible_to(user)) == [second]


def test_released_and_pending_totals_are_zero_and_all_when_nothing_is_released(project):
    InstalmentFactory(project=project, amount=2_000_000)  # planned, not released
    annotated = Project.objects.with_pending_total().get(pk=project.pk)
    assert annotated.released_total == 0
    assert annotated.pending_total == 6_000_000


def test_released_total_sums_only_released_instalments_of_the_project(project):
    InstalmentFactory(project=project, sequence=1, amount=2_000_000, released=True)
    InstalmentFactory(project=project, sequence=2, amount=1_500_001, released=True)
    InstalmentFactory(project=project, sequence=3, amount=2_499_999)
    InstalmentFactory(amount=700_000, released=True)  # another project's
    annotated = Project.objects.with_pending_total().get(pk=project.pk)
    assert annotated.released_total == 3_500_001
    assert annotated.pending_total == 2_499_999
    assert Project.objects.with_released_total().get(pk=project.pk).released_total == (
        3_500_001
    )


def test_released_total_beyond_float_precision_is_exact():
    project = ProjectFactory(sanctioned_amount=2 * BEYOND_FLOAT)
    InstalmentFactory(project=project, sequence=1, amount=BEYOND_FLOAT, released=True)
    InstalmentFactory(project=project, sequence=2, amount=2, released=True)
    annotated = Project.objects.with_pending_total().get(pk=project.pk)
    assert annotated.released_total == BEYOND_FLOAT + 2
    assert annotated.pending_total == BEYOND_FLOAT - 2


def test_latest_closing_balance_is_none_without_an_accepted_certificate(project):
    UtilisationCertificateFactory(project=project)  # submitted, not accepted
    annotated = Project.objects.with_latest_closing_balance().get(pk=project.pk)
    assert annotated.latest_closing_balance is None


def test_latest_closing_balance_comes_from_the_newest_accepted_certificate(project):
    UtilisationCertificateFactory(
        project=project, accepted=True, expenditure=1_600_000
    )  # 2024-25 closes at 4,00,000
    UtilisationCertificateFactory(
        project=project,
        accepted=True,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        opening_balance=400_000,
        grant_received=2_000_000,
        expenditure=2_100_000,
    )  # 2025-26 closes at 3,00,000
    UtilisationCertificateFactory(
        project=project,
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2026, 9, 30),
        grant_received=4_000_000,
        expenditure=3_950_000,
    )  # newer, but only submitted
    UtilisationCertificateFactory(accepted=True, expenditure=0)  # another project's
    annotated = Project.objects.with_latest_closing_balance().get(pk=project.pk)
    assert annotated.latest_closing_balance == 300_000


def test_latest_closing_balance_breaks_a_tie_on_period_by_decision_date(project):
    for decided_on, expenditure in [
        (datetime.date(2025, 5, 12), 1_600_000),
        (datetime.date(2025, 6, 2), 1_750_000),
        (datetime.date(2025, 5, 20), 1_900_000),
    ]:
        UtilisationCertificateFactory(
            project=project,
            kind=UtilisationCertificate.Kind.PROVISIONAL,
            status=UtilisationCertificate.Status.ACCEPTED,
            decided_on=decided_on,
            expenditure=expenditure,
        )
    annotated = Project.objects.with_latest_closing_balance().get(pk=project.pk)
    assert annotated.latest_closing_balance == 250_000


def test_project_annotations_take_one_query_however_many_projects(
    django_assert_num_queries,
):
    def evaluate():
        return list(Project.objects.with_pending_total().with_latest_closing_balance())

    InstalmentFactory(released=True)
    with django_assert_num_queries(1):
        evaluate()
    for _ in range(5):
        project = ProjectFactory()
        InstalmentFactory(project=project, released=True)
        UtilisationCertificateFactory(project=project, accepted=True)
    with django_assert_num_queries(1):
        assert len(evaluate()) == 6


def test_sanctioned_end_is_the_day_before_the_duration_runs_out():
    project = ProjectFactory(start_on=datetime.date(2024, 4, 1), duration_months=36)
    assert project.sanctioned_end_on == datetime.date(2027, 3, 31)
    project = ProjectFactory(start_on=datetime.date(2024, 8, 15), duration_months=18)
    assert project.sanctioned_end_on == datetime.date(2026, 2, 14)


def test_sanctioned_end_does_not_move_with_an_extension():
    project = ProjectFactory(start_on=datetime.date(2024, 4, 1), duration_months=36)
    project.end_on = datetime.date(2027, 9, 30)
    project.save()
    project.refresh_from_db()
    assert project.sanctioned_end_on == datetime.date(2027, 3, 31)


# Milestone and instalment QuerySets ---------------------------------------------


def test_overdue_milestones_are_open_ones_due_before_the_day(project):
    on = datetime.date(2025, 10, 31)
    overdue = MilestoneFactory(project=project, due_on=datetime.date(2025, 10, 30))
    returned = MilestoneFactory(
        project=project,
        due_on=datetime.date(2025, 1, 1),
        status=Milestone.Status.RETURNED,
    )
    MilestoneFactory(project=project, due_on=on)  # due today: not yet overdue
    MilestoneFactory(project=project, due_on=datetime.date(2025, 11, 1))
    for status in (Milestone.Status.SUBMITTED, Milestone.Status.ACCEPTED):
        MilestoneFactory(
            project=project, due_on=datetime.date(2025, 1, 1), status=status
        )
    MilestoneFactory(
        project=project,
        due_on=datetime.date(2025, 1, 1),
        status=Milestone.Status.WAIVED,
        waiver_reason="Merged with the final report.",
    )
    assert set(Milestone.objects.overdue(on=on)) == {overdue, returned}
    assert overdue.is_overdue(on=on)
    assert returned.is_overdue(on=on)
    assert overdue.days_until_due(on=on) == -1
    assert returned.days_past_due(on=on) == 303
    assert list(Milestone.objects.non_compliant(on=on)) == [returned]


def test_open_milestones_are_pending_or_returned(project):
    pending = MilestoneFactory(project=project, due_on=datetime.date(2025, 4, 30))
    returned = MilestoneFactory(
        project=project,
        due_on=datetime.date(2025, 5, 30),
        status=Milestone.Status.RETURNED,
    )
    for status in (Milestone.Status.SUBMITTED, Milestone.Status.ACCEPTED):
        MilestoneFactory(project=project, status=status)
    MilestoneFactory(
        project=project, status=Milestone.Status.WAIVED, waiver_reason="Not needed."
    )
    assert list(Milestone.objects.open()) == [pending, returned]


def test_milestones_due_between_two_days_include_both_days(project):
    start, end = datetime.date(2025, 10, 1), datetime.date(2025, 10, 31)
    first = MilestoneFactory(project=project, due_on=start)
    last = MilestoneFactory(project=project, due_on=end)
    MilestoneFactory(project=project, due_on=datetime.date(2025, 9, 30))
    MilestoneFactory(project=project, due_on=datetime.date(2025, 11, 1))
    MilestoneFactory(
        project=project,
        due_on=datetime.date(2025, 10, 15),
        status=Milestone.Status.SUBMITTED,
    )
    assert list(Milestone.objects.due_between(start, end)) == [first, last]


def test_released_instalments_are_those_with_a_release_date(project):
    released = InstalmentFactory(project=project, sequence=1, released=True)
    unreleased = InstalmentFactory(project=project, sequence=2)
    assert list(Instalment.objects.released()) == [released]
    assert list(Instalment.objects.unreleased()) == [unreleased]
    assert released.is_released
    assert not unreleased.is_released


@pytest.mark.parametrize("status", ["accepted", "returned"])
def test_a_decided_certificate_or_report_needs_its_decision_date(project, status):
    with pytest.raises(IntegrityError), transaction.atomic():
        UtilisationCertificateFactory(
            project=project, status=status, return_reason="x", decided_on=None
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReportFactory(status=status, review_comment="x", decided_on=None)


# Decisions: the QuerySets certificates, reports and extensions share --------------

RETURNED_FOR = "The statement of expenditure does not match."


def certificate(status="submitted", decided_on=None, **kwargs):
    """A certificate of its own project, decided (or not) as asked."""
    return UtilisationCertificateFactory(
        status=status,
        decided_on=decided_on,
        return_reason=RETURNED_FOR if status == "returned" else "",
        **kwargs,
    )


def report(status="submitted", decided_on=None, **kwargs):
    """A report against a milestone of its own, decided (or not) as asked."""
    return ProgressReportFactory(
        status=status,
        decided_on=decided_on,
        review_comment=RETURNED_FOR if status == "returned" else "",
        **kwargs,
    )


def test_awaiting_decision_lists_only_submitted_certificates():
    submitted = certificate()
    certificate("accepted", datetime.date(2025, 5, 12))
    certificate("returned", datetime.date(2025, 5, 13))
    assert list(UtilisationCertificate.objects.awaiting_decision()) == [submitted]
    assert list(UtilisationCertificate.objects.awaiting_review()) == [submitted]


def test_awaiting_decision_lists_only_requested_extensions(project):
    requested = ExtensionFactory(project=project)
    ExtensionFactory(
        project=project,
        status=Extension.Status.APPROVED,
        decided_on=datetime.date(2026, 10, 20),
    )
    ExtensionFactory(
        project=project,
        status=Extension.Status.REJECTED,
        decided_on=datetime.date(2026, 10, 21),
    )
    assert list(Extension.objects.awaiting_decision()) == [requested]


def test_decided_lists_accepted_and_returned_reports_and_not_submitted_ones():
    accepted = report("accepted", datetime.date(2025, 11, 3))
    returned = report("returned", datetime.date(2025, 11, 4))
    report()
    assert set(ProgressReport.objects.decided()) == {accepted, returned}


def test_decided_leaves_out_an_extension_decided_without_its_date(project):
    dated = ExtensionFactory(
        project=project,
        status=Extension.Status.APPROVED,
        decided_on=datetime.date(2026, 10, 20),
    )
    ExtensionFactory(project=project, status=Extension.Status.REJECTED)
    assert list(Extension.objects.decided()) == [dated]


def test_decided_leaves_out_a_request_still_awaiting_a_decision(project):
    ExtensionFactory(project=project, decided_on=datetime.date(2026, 10, 20))
    assert not Extension.objects.decided().exists()
    assert not Extension.objects.decided_between(
        datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)
    ).exists()


def test_certificates_decided_between_two_days_include_both_days():
    start, end = datetime.date(2025, 5, 1), datetime.date(2025, 5, 31)
    first = certificate("accepted", start)
    last = certificate("returned", end)
    certificate("accepted", datetime.date(2025, 4, 30))
    certificate("accepted", datetime.date(2025, 6, 1))
    certificate()
    decided = UtilisationCertificate.objects.decided_between(start, end)
    assert set(decided) == {first, last}


def test_recently_decided_lists_the_latest_decision_first_then_the_newest_row():
    older = report("accepted", datetime.date(2025, 11, 3))
    same_day_first = report("returned", datetime.date(2025, 11, 10))
    same_day_second = report("accepted", datetime.date(2025, 11, 10))
    report()
    assert list(ProgressReport.objects.recently_decided()) == [
        same_day_second,
        same_day_first,
        older,
    ]


def test_review_queue_lists_submitted_reports_the_longest_waiting_first():
    newest = report(submitted_on=datetime.date(2025, 10, 28))
    oldest = report(submitted_on=datetime.date(2025, 10, 20))
    same_day_second = report(submitted_on=datetime.date(2025, 10, 28))
    report(
        "accepted", datetime.date(2025, 11, 3), submitted_on=datetime.date(2025, 9, 1)
    )
    assert list(ProgressReport.objects.review_queue()) == [
        oldest,
        newest,
        same_day_second,
    ]


def test_accepted_and_returned_split_the_decided_reports_by_outcome():
    accepted = report("accepted", datetime.date(2025, 11, 3))
    returned = report("returned", datetime.date(2025, 11, 4))
    report()
    assert list(ProgressReport.objects.accepted()) == [accepted]
    assert list(ProgressReport.objects.returned()) == [returned]


def test_decision_methods_chain_after_visible_to_and_on_a_projects_certificates(
    grantee, organisation
):
    theirs = ProjectFactory(organisation=organisation)
    decided = certificate("accepted", datetime.date(2025, 5, 12), project=theirs)
    certificate("accepted", datetime.date(2025, 5, 12))  # another grantee's
    visible = UtilisationCertificate.objects.visible_to(grantee)
    assert list(visible.recently_decided()) == [decided]
    assert list(theirs.certificates.decided()) == [decided]
    assert not theirs.certificates.awaiting_decision().exists()
