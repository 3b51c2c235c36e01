"""What the API answers for each object: its fields, money in whole rupees.

Money is an integer of rupees (never a float or a formatted string); dates are
ISO 8601; a choice is its value (``"ongoing"``), with the words for it in the
user's language beside it where a person may read it (``status_label``).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import relations, serializers

from grants.models import (
    BudgetLine,
    Document,
    Instalment,
    Milestone,
    Organisation,
    ProgressReport,
    Project,
    ProjectSummary,
    ReleaseCondition,
    Scheme,
    User,
    UtilisationCertificate,
)


def plain_reader(field):
    """A function from an object to the field's value as the answer writes it.

    What DRF does per field and per row (look the attribute up through its
    generic path, check whether it is callable, convert it), done once per field
    for the page instead: a page of a hundred projects has three thousand values.
    ``test_api_serializers`` holds the result equal to DRF's own.
    """
    source = field.source
    if isinstance(field, serializers.SerializerMethodField):
        return getattr(field.parent, field.method_name)
    if source == "__str__":
        return str
    if source == "*" or "." in source:
        return lambda instance: field.to_representation(field.get_attribute(instance))
    if isinstance(field, serializers.BaseSerializer):

        def nested(instance):
            value = getattr(instance, source, None)
            return None if value is None else field.to_representation(value)

        return nested
    if isinstance(field, relations.ManyRelatedField):
        child = field.child_relation
        if isinstance(child, serializers.SlugRelatedField):
            slug = child.slug_field
            return lambda instance: [
                getattr(item, slug) for item in getattr(instance, source).all()
            ]
        return lambda instance: [item.pk for item in getattr(instance, source).all()]
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        attname = f"{source}_id"
        return lambda instance: getattr(instance, attname)
    if isinstance(field, serializers.SlugRelatedField):
        slug = field.slug_field

        def slug_of(instance):
            value = getattr(instance, source)
            return None if value is None else getattr(value, slug)

        return slug_of
    if isinstance(field, serializers.StringRelatedField):

        def words(instance):
            value = getattr(instance, source)
            return None if value is None else str(value)

        return words
    if isinstance(field, serializers.ListField):

        def items(instance):
            value = getattr(instance, source)
            return list(value() if callable(value) else value)

        return items
    if isinstance(
        field, ChoiceLabel | serializers.DateField | serializers.DateTimeField
    ):

        def converted(instance):
            value = getattr(instance, source)
            return None if value is None else field.to_representation(value)

        return converted
    if isinstance(
        field,
        serializers.IntegerField
        | serializers.CharField
        | serializers.ChoiceField
        | serializers.BooleanField,
    ):
        return lambda instance: getattr(instance, source)
    return lambda instance: field.to_representation(field.get_attribute(instance))


class Plain:
    """Write each object through readers made once per answer (``plain_reader``)."""

    def to_representation(self, instance):
        readers = self.__dict__.get("_readers")
        if readers is None:
            readers = self._readers = [
                (name, plain_reader(field)) for name, field in self.fields.items()
            ]
        return {name: read(instance) for name, read in readers}


class ChoiceLabel(serializers.CharField):
    """The words for a choice field's value, in the user's language.

    Looked up in the field's choices, translated once per answer: Django's
    ``get_<field>_display()`` hashes every lazy label on every call, which a page
    of a hundred rows would pay for a hundred times over.
    """

    def __init__(self, field: str, **kwargs):
        super().__init__(source=field, read_only=True, **kwargs)
        self.field = field

    def to_representation(self, value):
        if not hasattr(self, "labels"):
            choices = self.parent.Meta.model._meta.get_field(self.field).flatchoices
            self.labels = {key: str(label) for key, label in choices}
        return self.labels.get(value, value)


def label_of(field: str) -> ChoiceLabel:
    return ChoiceLabel(
        field, help_text=_("The value in words, in the user's language.")
    )


class SchemeSerializer(Plain, serializers.ModelSerializer):
    class Meta:
        model = Scheme
        fields = ["id", "code", "name"]


class PersonSerializer(Plain, serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name"]


class OrganisationSerializer(Plain, serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "kind"]


# What the summary's answer reads: its figures and both languages' blockers.
SUMMARY_COLUMNS = (
    "sanctioned",
    "released",
    "expenditure",
    "unspent",
    "next_instalment",
    "next_amount",
    "release_stage",
    "stage_since",
    "blockers",
    "blockers_hi",
)


class SummarySerializer(Plain, serializers.ModelSerializer):
    pending = serializers.SerializerMethodField(
        help_text=_("Sanctioned, not yet released (Rs).")
    )
    blockers = serializers.ListField(
        child=serializers.CharField(),
        source="blocker_list",
        read_only=True,
        help_text=_("What holds the next instalment back, in the user's language."),
    )

    class Meta:
        model = ProjectSummary
        fields = [
            "released",
            "pending",
            "expenditure",
            "unspent",
            "next_instalment",
            "next_amount",
            "release_stage",
            "stage_since",
            "blockers",
        ]

    def get_pending(self, summary) -> int:
        return summary.sanctioned - summary.released


class ProjectSerializer(Plain, serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)
    scheme = SchemeSerializer(read_only=True)
    elements = serializers.ListField(
        child=serializers.CharField(),
        source="element_symbols",
        read_only=True,
        help_text=_("The rare-earth elements worked on, by symbol."),
    )
    principal_investigator = PersonSerializer(read_only=True)
    programme_officer = PersonSerializer(read_only=True)
    summary = SummarySerializer(read_only=True, allow_null=True)
    status_label = label_of("status")
    stage_label = label_of("stage")

    class Meta:
        model = Project
        fields = [
            "id",
            "reference",
            "title",
            "title_hi",
            "scheme",
            "organisation",
            "principal_investigator",
            "programme_officer",
            "stage",
            "stage_label",
            "elements",
            "trl_start",
            "trl_now",
            "trl_target",
            "sanction_order_number",
            "sanctioned_on",
            "fiscal_year",
            "start_on",
            "end_on",
            "sanctioned_amount",
            "status",
            "status_label",
            "closed_on",
            "summary",
        ]


class BudgetLineSerializer(Plain, serializers.ModelSerializer):
    head_label = label_of("head")

    class Meta:
        model = BudgetLine
        fields = ["id", "project", "head", "head_label", "project_year", "amount"]


class ReleaseConditionSerializer(Plain, serializers.ModelSerializer):
    kind_label = label_of("kind")

    class Meta:
        model = ReleaseCondition
        fields = [
            "id",
            "kind",
            "kind_label",
            "milestone",
            "min_utilisation_percent",
            "trl",
            "text",
            "met_on",
            "overridden_on",
        ]


class InstalmentSerializer(Plain, serializers.ModelSerializer):
    conditions = ReleaseConditionSerializer(many=True, read_only=True)
    project_reference = serializers.CharField(source="project.reference")

    class Meta:
        model = Instalment
        fields = [
            "id",
            "project",
            "project_reference",
            "sequence",
            "planned_on",
            "amount",
            "condition",
            "spend_by",
            "recommended_on",
            "released_on",
            "release_order_number",
            "covering_certificate",
            "conditions",
        ]


class CertificateSerializer(Plain, serializers.ModelSerializer):
    kind_label = label_of("kind")
    status_label = label_of("status")
    received_instalments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = UtilisationCertificate
        fields = [
            "id",
            "project",
            "kind",
            "kind_label",
            "fiscal_year",
            "period_start",
            "period_end",
            "opening_balance",
            "interest_earned",
            "interest_remitted",
            "grant_received",
            "expenditure",
            "closing_balance",
            "expenditure_general",
            "expenditure_salary",
            "expenditure_capital",
            "targets_achieved",
            "gap_reason",
            "received_instalments",
            "status",
            "status_label",
            "submitted_on",
            "decided_on",
            "return_reason",
        ]


class MilestoneSerializer(Plain, serializers.ModelSerializer):
    kind_label = label_of("kind")
    status_label = label_of("status")

    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "kind",
            "kind_label",
            "title",
            "deliverable",
            "due_on",
            "period_start",
            "period_end",
            "status",
            "status_label",
            "submitted_on",
            "decided_on",
            "certificate",
        ]


class ReportSerializer(Plain, serializers.ModelSerializer):
    status_label = label_of("status")
    project = serializers.IntegerField(source="milestone.project_id", read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "milestone",
            "project",
            "version",
            "period_start",
            "period_end",
            "narrative",
            "trl_now",
            "publications",
            "patents_filed",
            "prototypes",
            "technologies_transferred",
            "people_trained",
            "status",
            "status_label",
            "submitted_on",
            "decided_on",
            "review_comment",
        ]


class DocumentSerializer(Plain, serializers.ModelSerializer):
    kind_label = label_of("kind")
    file = serializers.SerializerMethodField(
        help_text=_("Where to download the file with the same token.")
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "project",
            "report",
            "certificate",
            "kind",
            "kind_label",
            "original_name",
            "content_type",
            "size",
            "description",
            "uploaded_at",
            "file",
        ]

    def get_file(self, document) -> str:
        return reverse("api:document-file", args=[document.pk])
