"""The API writes each object as DRF itself would, only faster."""

import pytest
from django.utils import translation
from rest_framework import serializers as drf

from grants import summaries
from grants.api import serializers, viewsets
from grants.models import (
    BudgetLine,
    Document,
    Instalment,
    Milestone,
    ProgressReport,
    Project,
    UtilisationCertificate,
)
from tests.factories import ReleaseConditionFactory
from tests.test_portal_access import build_organisation_world

pytestmark = pytest.mark.django_db

ANSWERS = {
    serializers.ProjectSerializer: Project,
    serializers.BudgetLineSerializer: BudgetLine,
    serializers.InstalmentSerializer: Instalment,
    serializers.CertificateSerializer: UtilisationCertificate,
    serializers.MilestoneSerializer: Milestone,
    serializers.ReportSerializer: ProgressReport,
    serializers.DocumentSerializer: Document,
}


@pytest.mark.parametrize("language", ["en", "hi"])
def test_every_answer_is_what_drf_would_write(language):
    world = build_organisation_world()
    project = world[Project]
    project.elements.add("Nd", "Dy")
    ReleaseConditionFactory(instalment=project.instalments.get())
    summaries.refresh([project.pk])

    with translation.override(language):
        for serializer_class, model in ANSWERS.items():
            instances = list(model.objects.all())
            if model is Project:
                instances = viewsets.with_elements(instances)
            for instance in instances:
                fast = serializer_class(instance).data
                slow = drf.ModelSerializer.to_representation(
                    serializer_class(instance), instance
                )
                assert dict(fast) == dict(slow), serializer_class.__name__


def test_a_project_without_a_summary_has_none():
    world = build_organisation_world()
    project = world[Project]
    project.summary.delete()
    project = viewsets.with_elements([Project.objects.get(pk=project.pk)])[0]

    assert serializers.ProjectSerializer(project).data["summary"] is None


def test_a_projects_elements_are_their_symbols_in_atomic_order():
    world = build_organisation_world()
    project = world[Project]
    project.elements.add("Dy", "Nd", "La")

    answer = serializers.ProjectSerializer(viewsets.with_elements([project])[0])

    assert answer.data["elements"] == ["La", "Nd", "Dy"]
