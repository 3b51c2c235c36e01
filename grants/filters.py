"""The staff tables' filters (django-filter), one ``FilterSet`` per list page.

A filter with a choice list renders every option, so only short lists are
choices (schemes, elements, kinds, statuses, the programme officers who hold
projects). Organisations and projects, which can run into thousands, are typed:
a text box matched against a slug, reference or name.
"""

import functools

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grants.formatting import fiscal_year_bounds, fiscal_year_of
from grants.forms import MAX_ID, is_possible_id
from grants.models import (
    Asset,
    Committee,
    Element,
    Instalment,
    Milestone,
    Organisation,
    Project,
    Reminder,
    ReminderRule,
    Scheme,
    User,
    UtilisationCertificate,
    overdue_condition,
)
from grants.reads.rows import DisposalState, InstalmentState, overdue_exists

YES_NO = [("", _("any")), ("true", _("yes")), ("false", _("no"))]


class IdChoiceField(django_filters.fields.ModelChoiceField):
    """A choice by id that refuses a number no row can have, before the database
    overflows on it (an address typed or made up)."""

    def to_python(self, value):
        if value not in self.empty_values and not is_possible_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IdChoiceField


class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number a row can have, else the filter's error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class DateRangeWidget(django_filters.widgets.DateRangeWidget):
    """Two date pickers: from and to."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"type": "date", **(attrs or {})})

    def get_context(self, name, value, attrs):
        # Each date input gets its own name for screen readers; the page's legend
        # names the pair (WCAG 1.3.1, 4.1.2).
        context = super().get_context(name, value, attrs)
        subwidgets = context["widget"]["subwidgets"]
        for subwidget, word in zip(subwidgets, (_("From"), _("To")), strict=True):
            subwidget["attrs"]["aria-label"] = word
        return context


def date_range(field_name, label):
    return django_filters.DateFromToRangeFilter(
        field_name=field_name, label=label, widget=DateRangeWidget()
    )


def project_fiscal_years():
    years = Project.objects.order_by("fiscal_year").values_list(
        "fiscal_year", flat=True
    )
    return [(year, year) for year in years.distinct()]


def certificate_fiscal_years():
    years = UtilisationCertificate.objects.order_by("fiscal_year").values_list(
        "fiscal_year", flat=True
    )
    return [(year, year) for year in years.distinct()]


def programme_officers(request=None):
    """The staff users who hold at least one project: a list of tens, not thousands."""
    # EXISTS per staff user (tens of them) rather than DISTINCT over every project.
    holds_a_project = Exists(Project.objects.filter(programme_officer=OuterRef("pk")))
    return User.objects.filter(holds_a_project, is_staff=True).order_by(
        "display_name", "username"
    )


def element_words() -> dict[str, str]:
    """Each element's symbol and name, in capitals, to its symbol."""
    words = {}
    for symbol, element_name in Element.objects.values_list("symbol", "name"):
        words[symbol.upper()] = symbol
        words[element_name.upper()] = symbol
    return words


def search(queryset, terms: list[str], value: str):
    """Keep rows where every word of ``value`` is in one of ``terms``."""
    for word in value.split():
        condition = Q()
        for term in terms:
            condition |= Q(**{f"{term}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


def search_projects(queryset, value: str):
    """Keep the projects with every word of ``value``; the admin searches the same.

    Each word anywhere in the reference, title, grantee or principal investigator:
    one column of the summary, kept in capitals so that the comparison is the same
    on every database (and indexed on PostgreSQL). An element's symbol ("Nd") means
    the element, not every "and"; its name ("neodymium") means the element or the
    word. The caller brings the summaries up to date first.
    """
    elements = element_words()
    for word in value.split():
        symbol = elements.get(word.upper())
        has_element = Exists(
            Project.elements.through.objects.filter(
                project=OuterRef("pk"), element_id=symbol
            )
        )
        text = Q(summary__search_text__contains=word.upper())
        if symbol is None:
            queryset = queryset.filter(text)
        elif word.upper() == symbol.upper():
            queryset = queryset.filter(has_element)
        else:
            queryset = queryset.filter(has_element | text)
    return queryset


class StaffFilterSet(django_filters.FilterSet):
    """A filter bar whose choice lists start with "any".

    Every filter names its label, translated when shown: a label django-filter
    works out from the model is worked out once, in whatever language is active
    the first time anything (the API's schema, say) reads it, and then kept.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for a_filter in self.filters.values():
            if isinstance(
                a_filter,
                django_filters.ChoiceFilter | django_filters.ModelChoiceFilter,
            ) and not isinstance(a_filter, django_filters.TypedChoiceFilter):
                a_filter.extra["empty_label"] = _("any")
            choices = a_filter.extra.get("choices")
            if callable(choices):
                # Django calls a callable's choices each time it reads them: to
                # check the value given and again to list them. Once a page will do.
                a_filter.extra["choices"] = functools.cache(choices)


# Projects -----------------------------------------------------------------------------


class ProjectFilter(StaffFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        widget=forms.TextInput(
            attrs={"placeholder": _("reference, title, organisation or PI")}
        ),
    )
    scheme = IdChoiceFilter(queryset=Scheme.objects.all(), label=_("Scheme"))
    fiscal_year = django_filters.ChoiceFilter(
        label=_("FY of sanction"), choices=project_fiscal_years
    )
    kind = django_filters.ChoiceFilter(
        field_name="organisation__kind",
        label=_("Organisation kind"),
        choices=Organisation.Kind.choices,
    )
    stage = django_filters.ChoiceFilter(
        choices=Project.Stage.choices, label=_("Value-chain stage")
    )
    element = django_filters.ModelChoiceFilter(
        field_name="elements", queryset=Element.objects.all(), label=_("Element")
    )
    status = django_filters.ChoiceFilter(
        choices=Project.Status.choices, label=_("Status")
    )
    programme_officer = IdChoiceFilter(
        queryset=programme_officers, label=_("Programme officer")
    )
    state = django_filters.ChoiceFilter(
        field_name="organisation__state",
        label=pgettext_lazy("Indian state", "State"),
        choices=Organisation.State.choices,
    )
    organisation = django_filters.CharFilter(
        method="filter_organisation",
        label=_("Organisation"),
        widget=forms.TextInput(attrs={"placeholder": _("name or slug")}),
    )
    has_overdue = django_filters.TypedChoiceFilter(
        label=_("Has overdue items"),
        choices=YES_NO,
        coerce=lambda value: value == "true",
        method="filter_has_overdue",
    )

    class Meta:
        model = Project
        fields = []

    def filter_q(self, queryset, name, value):
        return search_projects(queryset, value)

    def filter_organisation(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(organisation__slug=value) | Q(organisation__name__icontains=value)
        )

    def filter_has_overdue(self, queryset, name, value: bool):
        overdue = overdue_exists(on=timezone.localdate())
        return queryset.filter(overdue if value else ~overdue)


# Milestones ---------------------------------------------------------------------------


class MilestoneFilter(StaffFilterSet):
    project = django_filters.CharFilter(
        method="filter_project",
        label=_("Project"),
        widget=forms.TextInput(attrs={"placeholder": _("reference or title")}),
    )
    due = date_range("due_on", _("Due"))
    status = django_filters.ChoiceFilter(
        choices=Milestone.Status.choices, label=_("Status")
    )
    kind = django_filters.ChoiceFilter(choices=Milestone.Kind.choices, label=_("Kind"))
    fiscal_year = django_filters.ChoiceFilter(
        field_name="project__fiscal_year",
        label=_("FY of sanction"),
        choices=project_fiscal_years,
    )
    scheme = IdChoiceFilter(
        field_name="project__scheme", queryset=Scheme.objects.all(), label=_("Scheme")
    )
    overdue = django_filters.TypedChoiceFilter(
        label=_("Overdue"),
        choices=YES_NO,
        coerce=lambda value: value == "true",
        method="filter_overdue",
    )

    class Meta:
        model = Milestone
        fields = []

    def filter_project(self, queryset, name, value):
        return search(queryset, ["project__reference", "project__title"], value)

    def filter_overdue(self, queryset, name, value: bool):
        overdue = overdue_condition(on=timezone.localdate())
        return queryset.filter(overdue if value else ~overdue)


# Instalments --------------------------------------------------------------------------


def release_fiscal_years():
    """The fiscal years in which money could have been released, newest first."""
    years = Project.objects.order_by("-fiscal_year").values_list(
        "fiscal_year", flat=True
    )
    first = years.last()
    if first is None:
        return []
    current = fiscal_year_of(timezone.localdate())
    start, end = int(first[:4]), int(current[:4])
    labels = [f"{year}-{(year + 1) % 100:02d}" for year in range(end, start - 1, -1)]
    return [(label, label) for label in labels]


class InstalmentFilter(StaffFilterSet):
    project = django_filters.CharFilter(
        method="filter_project",
        label=_("Project"),
        widget=forms.TextInput(attrs={"placeholder": _("reference or title")}),
    )
    state = django_filters.ChoiceFilter(
        choices=list(InstalmentState.LABELS.items()),
        label=pgettext_lazy("instalment state", "State"),
    )
    planned = date_range("planned_on", _("Planned"))
    released = date_range("released_on", _("Released"))
    released_in = django_filters.ChoiceFilter(
        label=_("Released in FY"),
        choices=release_fiscal_years,
        method="filter_released_in",
    )
    scheme = IdChoiceFilter(
        field_name="project__scheme", queryset=Scheme.objects.all(), label=_("Scheme")
    )

    class Meta:
        model = Instalment
        fields = []

    def filter_project(self, queryset, name, value):
        return search(queryset, ["project__reference", "project__title"], value)

    def filter_released_in(self, queryset, name, value: str):
        start, end = fiscal_year_bounds(value)
        return queryset.filter(released_on__range=(start, end))


# Utilisation certificates -------------------------------------------------------------


class CertificateFilter(StaffFilterSet):
    project = django_filters.CharFilter(
        method="filter_project",
        label=_("Project"),
        widget=forms.TextInput(attrs={"placeholder": _("reference or title")}),
    )
    status = django_filters.ChoiceFilter(
        choices=UtilisationCertificate.Status.choices, label=_("Status")
    )
    kind = django_filters.ChoiceFilter(
        choices=UtilisationCertificate.Kind.choices, label=_("Kind")
    )
    fiscal_year = django_filters.ChoiceFilter(
        label=_("FY"), choices=certificate_fiscal_years
    )
    submitted = date_range("submitted_on", _("Submitted"))
    scheme = IdChoiceFilter(
        field_name="project__scheme", queryset=Scheme.objects.all(), label=_("Scheme")
    )

    class Meta:
        model = UtilisationCertificate
        fields = []

    def filter_project(self, queryset, name, value):
        return search(queryset, ["project__reference", "project__title"], value)


# Organisations ------------------------------------------------------------------------


class OrganisationFilter(StaffFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        widget=forms.TextInput(attrs={"placeholder": _("name, city or PAN")}),
    )
    kind = django_filters.ChoiceFilter(
        choices=Organisation.Kind.choices, label=_("Kind")
    )
    state = django_filters.ChoiceFilter(
        choices=Organisation.State.choices,
        label=pgettext_lazy("Indian state", "State"),
    )

    class Meta:
        model = Organisation
        fields = []

    def filter_q(self, queryset, name, value):
        return search(queryset, ["name", "slug", "city", "pan"], value)


# Reminders ----------------------------------------------------------------------------


class ReminderFilter(StaffFilterSet):
    project = django_filters.CharFilter(
        method="filter_project",
        label=_("Project"),
        widget=forms.TextInput(attrs={"placeholder": _("reference or title")}),
    )
    recipient = django_filters.CharFilter(
        field_name="recipient_email", lookup_expr="icontains", label=_("Recipient")
    )
    status = django_filters.ChoiceFilter(
        choices=Reminder.Status.choices, label=_("Status")
    )
    rule = IdChoiceFilter(queryset=ReminderRule.objects.all())
    sent = date_range("sent_at__date", _("Sent"))
    due = date_range("due_on", _("For due date"))

    class Meta:
        model = Reminder
        fields = []

    def filter_project(self, queryset, name, value):
        return search(
            queryset,
            ["milestone__project__reference", "milestone__project__title"],
            value,
        )


# Register of fixed assets (Form GFR-22) -----------------------------------------------


class AssetFilter(StaffFilterSet):
    project = django_filters.CharFilter(
        method="filter_project",
        label=_("Project"),
        widget=forms.TextInput(attrs={"placeholder": _("reference or title")}),
    )
    organisation = django_filters.CharFilter(
        method="filter_organisation",
        label=_("Organisation"),
        widget=forms.TextInput(attrs={"placeholder": _("name or slug")}),
    )
    disposal_state = django_filters.ChoiceFilter(
        label=_("Disposal state"), choices=list(DisposalState.LABELS.items())
    )

    class Meta:
        model = Asset
        fields = []

    def filter_project(self, queryset, name, value):
        """One project's register by its id or exact reference, else a search.

        The project page links its register as ``?project=<id>``; a typed word is
        looked for in references and titles.
        """
        value = value.strip()
        exact = Q(reference__iexact=value)
        if value.isdigit():
            exact |= Q(pk=int(value))
        project_ids = list(Project.objects.filter(exact).values_list("pk", flat=True))
        if project_ids:
            return queryset.filter(project_id__in=project_ids)
        return search(queryset, ["project__reference", "project__title"], value)

    def filter_organisation(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(project__organisation__slug=value)
            | Q(project__organisation__name__icontains=value)
        )


# Register of grants (Form GFR 21) -----------------------------------------------------


class GrantRegisterFilter(StaffFilterSet):
    """The register for a fiscal year of sanction and a scheme.

    ``register_parameters()`` gives the same choice as plain values, which is
    what a register built by the worker is asked with.
    """

    fiscal_year = django_filters.ChoiceFilter(
        label=_("FY of sanction"), choices=project_fiscal_years
    )
    scheme = IdChoiceFilter(queryset=Scheme.objects.all(), label=_("Scheme"))

    class Meta:
        model = Project
        fields = []

    def register_parameters(self) -> dict:
        """The valid filter as ``{"fiscal_year": "2024-25", "scheme": 3}``."""
        data = self.form.cleaned_data if self.is_bound and self.is_valid() else {}
        scheme = data.get("scheme")
        return {
            "fiscal_year": data.get("fiscal_year") or "",
            "scheme": scheme.pk if scheme else None,
        }


# Committees ---------------------------------------------------------------------------


class CommitteeFilter(StaffFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name"))
    kind = django_filters.ChoiceFilter(choices=Committee.Kind.choices, label=_("Kind"))

    class Meta:
        model = Committee
        fields = []
