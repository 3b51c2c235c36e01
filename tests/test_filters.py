import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import filters, summaries
from grants.models import (
    Element,
    Instalment,
    Milestone,
    Organisation,
    Project,
    Reminder,
    UtilisationCertificate,
)
from grants.reads.rows import instalment_rows
from tests.factories import (
    InstalmentFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProjectFactory,
    ReminderFactory,
    ReminderRuleFactory,
    SchemeFactory,
    StaffUserFactory,
    UserFactory,
    UtilisationCertificateFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]


def filtered(filterset_class, queryset, **data):
    # As the projects table does, bring the summaries its search reads up to date.
    summaries.bring_up_to_date()
    filterset = filterset_class(data=data, queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs)


# Projects -----------------------------------------------------------------------------


def test_project_search_matches_reference_title_organisation_and_pi():
    by_reference = ProjectFactory(reference="MINES-2025-077")
    by_title = ProjectFactory(title="Solvent extraction of dysprosium")
    by_organisation = ProjectFactory(organisation__name="Konkan University")
    by_pi = ProjectFactory(principal_investigator__display_name="Dr Meera Iyer")
    ProjectFactory()
    projects = Project.objects.all()

    assert filtered(filters.ProjectFilter, projects, q="2025-077") == {by_reference}
    assert filtered(filters.ProjectFilter, projects, q="dysprosium") == {by_title}
    assert filtered(filters.ProjectFilter, projects, q="konkan") == {by_organisation}
    assert filtered(filters.ProjectFilter, projects, q="meera iyer") == {by_pi}


def test_an_element_symbol_finds_the_projects_with_that_element_not_every_and():
    magnets = ProjectFactory(title="Sintered magnets from recycled swarf")
    magnets.elements.set([Element.objects.get(symbol="Nd")])
    ProjectFactory(title="Rare earths and scandium from red mud")
    projects = Project.objects.all()

    assert filtered(filters.ProjectFilter, projects, q="Nd") == {magnets}
    assert filtered(filters.ProjectFilter, projects, q="nd") == {magnets}
    # The element's name finds it too, as does the word in a title.
    by_name = ProjectFactory(title="Neodymium recovery from e-waste")
    assert filtered(filters.ProjectFilter, projects, q="neodymium") == {
        magnets,
        by_name,
    }


def test_each_project_choice_filter_narrows_to_its_projects():
    prism = SchemeFactory(code="prism")
    wanted = ProjectFactory(
        scheme=prism,
        fiscal_year="2024-25",
        organisation=OrganisationFactory(kind=Organisation.Kind.MSME, state="MH"),
        stage=Project.Stage.MAGNETS,
        status=Project.Status.EXTENDED,
    )
    ProjectFactory()
    choices = {
        "scheme": prism.pk,
        "fiscal_year": "2024-25",
        "kind": "msme",
        "stage": "magnets",
        "status": "extended",
        "state": "MH",
    }

    for name, value in choices.items():
        result = filtered(filters.ProjectFilter, Project.objects.all(), **{name: value})
        assert result == {wanted}, name


def test_projects_filter_by_element():
    dysprosium = Element.objects.get(symbol="Dy")
    wanted = ProjectFactory()
    wanted.elements.add(dysprosium, Element.objects.get(symbol="Tb"))
    other = ProjectFactory()
    other.elements.add(Element.objects.get(symbol="Nd"))

    assert filtered(filters.ProjectFilter, Project.objects.all(), element="Dy") == {
        wanted
    }


def test_projects_filter_by_programme_officer():
    officer = StaffUserFactory()
    wanted = ProjectFactory(programme_officer=officer)
    ProjectFactory()

    assert filtered(
        filters.ProjectFilter, Project.objects.all(), programme_officer=officer.pk
    ) == {wanted}


def test_projects_filter_by_organisation_slug_or_part_of_its_name():
    wanted = ProjectFactory(
        organisation__name="Konkan University", organisation__slug="konkan-u"
    )
    ProjectFactory(organisation__slug="konkan-university-extra-x")

    projects = Project.objects.all()
    assert filtered(filters.ProjectFilter, projects, organisation="konkan-u") == {
        wanted
    }
    assert filtered(filters.ProjectFilter, projects, organisation="Konkan Univ") == {
        wanted
    }


def test_projects_filter_on_having_overdue_items():
    late = ProjectFactory()
    MilestoneFactory(project=late, due_on=datetime.date(2026, 10, 30))
    on_time = ProjectFactory()
    MilestoneFactory(project=on_time, due_on=datetime.date(2026, 12, 30))
    MilestoneFactory(
        project=on_time,
        due_on=datetime.date(2026, 1, 30),
        status=Milestone.Status.ACCEPTED,
    )
    projects = Project.objects.all()

    assert filtered(filters.ProjectFilter, projects, has_overdue="true") == {late}
    assert filtered(filters.ProjectFilter, projects, has_overdue="false") == {on_time}
    assert filtered(filters.ProjectFilter, projects, has_overdue="") == {late, on_time}


def test_the_programme_officer_filter_lists_only_officers_holding_projects():
    holding = StaffUserFactory()
    ProjectFactory(programme_officer=holding)
    idle = StaffUserFactory()
    grantee = UserFactory()

    choices = {
        user.pk
        for user in filters.ProjectFilter().form.fields["programme_officer"].queryset
    }

    assert holding.pk in choices
    assert idle.pk not in choices
    assert grantee.pk not in choices


def test_the_organisation_filter_is_typed_not_a_list_of_every_organisation(
    client, staff_user
):
    OrganisationFactory.create_batch(30)
    client.force_login(staff_user)

    response = client.get(reverse("staff:project-list"))

    field = response.context["filter"].form.fields["organisation"]
    assert field.widget.input_type == "text"
    assert response.content.decode().count("Institute of Rare Earth Studies") == 0


def test_the_project_list_page_applies_the_filters(client, staff_user):
    wanted = ProjectFactory(stage=Project.Stage.MAGNETS)
    ProjectFactory(stage=Project.Stage.RECYCLING)
    client.force_login(staff_user)

    response = client.get(reverse("staff:project-list"), {"stage": "magnets"})

    assert [row.record for row in response.context["table"].paginated_rows] == [wanted]


def test_an_invalid_filter_value_shows_an_error_and_no_rows(client, staff_user):
    ProjectFactory()
    client.force_login(staff_user)

    response = client.get(reverse("staff:project-list"), {"stage": "moon-mining"})

    assert response.status_code == 200
    assert response.context["filter"].errors["stage"]
    assert list(response.context["table"].paginated_rows) == []


def test_a_filtered_page_reads_the_fiscal_years_once_to_check_and_list_them(
    client, staff_user
):
    wanted = ProjectFactory(sanctioned_on=datetime.date(2024, 3, 12))
    ProjectFactory(sanctioned_on=datetime.date(2025, 6, 1))
    client.force_login(staff_user)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("staff:project-list"), {"fiscal_year": "2023-24"})

    assert [row.record for row in response.context["table"].paginated_rows] == [wanted]
    assert '<option value="2025-26">' in response.content.decode()
    fiscal_years = [
        q for q in queries if 'DISTINCT "grants_project"."fiscal_year"' in q["sql"]
    ]
    assert len(fiscal_years) == 1


# Milestones ---------------------------------------------------------------------------


def test_milestones_filter_by_due_range_status_kind_and_overdue():
    early = MilestoneFactory(due_on=datetime.date(2026, 6, 30))
    late = MilestoneFactory(
        due_on=datetime.date(2027, 1, 31), kind=Milestone.Kind.FINAL_REPORT
    )
    accepted = MilestoneFactory(
        due_on=datetime.date(2026, 9, 30), status=Milestone.Status.ACCEPTED
    )
    milestones = Milestone.objects.all()

    assert filtered(
        filters.MilestoneFilter,
        milestones,
        due_after="2026-07-01",
        due_before="2026-12-31",
    ) == {accepted}
    assert filtered(filters.MilestoneFilter, milestones, status="accepted") == {
        accepted
    }
    assert filtered(filters.MilestoneFilter, milestones, kind="final_report") == {late}
    assert filtered(filters.MilestoneFilter, milestones, overdue="true") == {early}


def test_milestones_filter_by_project_fiscal_year_scheme_and_reference():
    wanted = MilestoneFactory(
        project__reference="MINES-2025-077",
        project__sanctioned_on=datetime.date(2025, 5, 1),
        project__fiscal_year="2025-26",
        project__scheme=SchemeFactory(code="prism"),
    )
    MilestoneFactory()
    milestones = Milestone.objects.all()

    assert filtered(filters.MilestoneFilter, milestones, fiscal_year="2025-26") == {
        wanted
    }
    assert filtered(
        filters.MilestoneFilter, milestones, scheme=wanted.project.scheme_id
    ) == {wanted}
    assert filtered(filters.MilestoneFilter, milestones, project="2025-077") == {wanted}


# Instalments --------------------------------------------------------------------------


def test_instalments_filter_by_state_and_dates():
    project = ProjectFactory()
    released = InstalmentFactory(
        project=project,
        sequence=1,
        planned_on=datetime.date(2025, 4, 1),
        released_on=datetime.date(2025, 5, 12),
        release_order_number="RO/1",
    )
    due = InstalmentFactory(
        project=project, sequence=2, planned_on=datetime.date(2026, 10, 1)
    )
    planned = InstalmentFactory(
        project=project, sequence=3, planned_on=datetime.date(2027, 4, 1)
    )
    rows = instalment_rows(Instalment.objects.all(), on=datetime.date(2026, 11, 22))

    assert filtered(filters.InstalmentFilter, rows, state="released") == {released}
    assert filtered(filters.InstalmentFilter, rows, state="due") == {due}
    assert filtered(filters.InstalmentFilter, rows, state="planned") == {planned}
    assert filtered(filters.InstalmentFilter, rows, released_in="2025-26") == {released}
    assert filtered(filters.InstalmentFilter, rows, released_in="2024-25") == set()
    assert filtered(filters.InstalmentFilter, rows, planned_after="2026-01-01") == {
        due,
        planned,
    }


# Certificates -------------------------------------------------------------------------


def test_certificates_filter_by_status_kind_and_fiscal_year():
    accepted = UtilisationCertificateFactory(accepted=True)
    provisional = UtilisationCertificateFactory(
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_end=datetime.date(2025, 12, 31),
        fiscal_year="2025-26",
    )
    certificates = UtilisationCertificate.objects.all()

    assert filtered(filters.CertificateFilter, certificates, status="accepted") == {
        accepted
    }
    assert filtered(filters.CertificateFilter, certificates, kind="provisional") == {
        provisional
    }
    assert filtered(filters.CertificateFilter, certificates, fiscal_year="2024-25") == {
        accepted
    }


# Organisations and reminders ----------------------------------------------------------


def test_organisations_filter_by_search_kind_and_state():
    konkan = OrganisationFactory(
        name="Konkan University", kind=Organisation.Kind.ACADEMIC, state="MH"
    )
    magnets = OrganisationFactory(
        name="Magnetics MSME", kind=Organisation.Kind.MSME, state="KA"
    )
    organisations = Organisation.objects.all()

    assert filtered(filters.OrganisationFilter, organisations, q="konkan") == {konkan}
    assert filtered(filters.OrganisationFilter, organisations, kind="msme") == {magnets}
    assert filtered(filters.OrganisationFilter, organisations, state="MH") == {konkan}


def test_reminders_filter_by_status_rule_recipient_and_project():
    rule = ReminderRuleFactory()
    wanted = ReminderFactory(
        rule=rule,
        recipient_email="pi@konkan.example",
        status=Reminder.Status.SENT,
        milestone__project__reference="MINES-2025-077",
    )
    ReminderFactory()
    reminders = Reminder.objects.all()

    assert filtered(filters.ReminderFilter, reminders, status="sent") == {wanted}
    assert filtered(filters.ReminderFilter, reminders, rule=rule.pk) == {wanted}
    assert filtered(filters.ReminderFilter, reminders, recipient="konkan") == {wanted}
    assert filtered(filters.ReminderFilter, reminders, project="2025-077") == {wanted}
