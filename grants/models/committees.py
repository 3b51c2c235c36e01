"""Committees that review the portfolio: who sits on them, what they meet about,
what each member declared and scored, and what the committee recommended.

Who may open an agenda item is decided in one place, ``AgendaItem.objects.open_to``:
a member of the meeting's committee, who has not declared a conflict on the item and
whose own organisation (the institution named on their seat, or a grantee they are a
member of) is not the grantee. Every reviewer page and download finds its object
through it, so a closed item is a 404 everywhere.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grants.models.common import actor_field
from grants.models.milestones import Milestone
from grants.models.money import Instalment
from grants.models.people import Membership, Organisation
from grants.models.projects import Extension, Project
from grants.models.reappropriations import Reappropriation
from grants.models.reference import Scheme

# The group of users who review for a committee and have no other access: no staff
# status, no grantee membership (migration 0024 makes it).
EXTERNAL_EXPERT_GROUP = "External expert"


class Committee(models.Model):
    """A standing committee: PERC and SSAG for the S&T Programme, TEC and Apex for
    S&T-PRISM (Ministry of Mines S&T guidelines)."""

    class Kind(models.TextChoices):
        PERC = "perc", _("Project Evaluation and Review Committee (PERC)")
        SSAG = "ssag", _("Standing Scientific Advisory Group (SSAG)")
        TEC = "tec", _("Technical Expert Committee (TEC)")
        APEX = "apex", _("Apex Committee")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    schemes = models.ManyToManyField(
        Scheme, related_name="committees", verbose_name=_("schemes")
    )
    approving_committee = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommending_committees",
        verbose_name=_("approving committee"),
        help_text=_(
            "The committee whose approval this committee's recommendations need "
            "(SSAG for PERC, the Apex Committee for TEC). Blank when it decides "
            "itself."
        ),
    )
    agenda_days_before = models.PositiveSmallIntegerField(
        _("agenda sent days before the meeting"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Members receive the agenda by e-mail this many days before."),
    )
    is_active = models.BooleanField(_("is active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def decides_itself(self) -> bool:
        return self.approving_committee_id is None


class CommitteeMemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class CommitteeMember(models.Model):
    """A seat on a committee: ministry staff or an external expert."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("chairperson")
        SECRETARY = "secretary", _("member secretary")
        MEMBER = "member", _("member")

    committee = models.ForeignKey(
        Committee,
        on_delete=models.CASCADE,
        related_name="seats",
        verbose_name=_("committee"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="committee_seats",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("own institution"),
        help_text=_(
            "Where an external expert works, if it is a grantee: items on its "
            "projects are closed to them."
        ),
    )
    is_active = models.BooleanField(_("is active"), default=True)

    history = HistoricalRecords()

    objects = CommitteeMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee", "role", "user__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "user"],
                name="committee_member_once",
                violation_error_message=_(
                    "This person already sits on this committee."
                ),
            ),
            models.UniqueConstraint(
                fields=["committee"],
                condition=Q(role="chair", is_active=True),
                name="committee_one_chair",
                violation_error_message=_("A committee has one chairperson."),
            ),
            models.UniqueConstraint(
                fields=["committee"],
                condition=Q(role="secretary", is_active=True),
                name="committee_one_secretary",
                violation_error_message=_("A committee has one member secretary."),
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.committee}"

    @property
    def is_external(self) -> bool:
        return not self.user.is_staff

    def clean(self):
        super().clean()
        if self.user_id is None:
            return
        user = self.user
        if self.role == self.Role.SECRETARY and not user.is_staff:
            raise ValidationError(
                {"user": _("The member secretary is ministry staff.")}
            )
        if user.is_staff:
            return
        if not user.groups.filter(name=EXTERNAL_EXPERT_GROUP).exists():
            raise ValidationError(
                {
                    "user": _(
                        "A member from outside the ministry needs the external "
                        "expert role."
                    )
                }
            )
        if Membership.objects.active().filter(user=user).exists():
            raise ValidationError(
                {
                    "user": _(
                        "An external expert has no other access: this user is a "
                        "member of a grantee organisation. Name their institution "
                        "under “own institution” instead."
                    )
                }
            )


def own_organisations(user):
    """The organisations a user belongs to: named on a seat, or as a grantee member."""
    seated = CommitteeMember.objects.filter(user=user, organisation__isnull=False)
    members = Membership.objects.active().filter(user=user)
    return Organisation.objects.filter(
        Q(pk__in=seated.values("organisation"))
        | Q(pk__in=members.values("organisation"))
    )


def own_organisations_of(user_ids) -> dict[int, set[int]]:
    """``own_organisations`` of many users at once: user id to organisation ids."""
    own = {user_id: set() for user_id in user_ids}
    seated = CommitteeMember.objects.filter(
        user_id__in=own, organisation__isnull=False
    ).values_list("user_id", "organisation_id")
    members = (
        Membership.objects.active()
        .filter(user_id__in=own)
        .values_list("user_id", "organisation_id")
    )
    for user_id, organisation_id in [*seated, *members]:
        own[user_id].add(organisation_id)
    return own


class MeetingQuerySet(models.QuerySet):
    def of_member(self, user):
        """Return the meetings of the committees the user has an active seat on."""
        if not user.is_authenticated:
            return self.none()
        seats = CommitteeMember.objects.active().filter(user=user)
        return self.filter(committee__in=seats.values("committee"))


class Meeting(models.Model):
    """One sitting of a committee, with its agenda and the members who attended."""

    committee = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("committee"),
    )
    number = models.PositiveIntegerField(
        _("number"), help_text=_("The committee's meetings are numbered in turn.")
    )
    held_on = models.DateField(_("held on"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="meetings_attended",
        verbose_name=_("attended"),
    )
    scheduled_by = actor_field(_("scheduled by"))

    history = HistoricalRecords()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "number"],
                name="meeting_number_once",
                violation_error_message=_(
                    "The committee has a meeting with this number."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_link=""),
                name="meeting_has_place_or_link",
                violation_error_message=_("Give the place or the online link."),
            ),
        ]
        indexes = [models.Index(fields=["held_on"])]

    def __str__(self):
        return _("%(committee)s, meeting %(number)s") % {
            "committee": self.committee.get_kind_display(),
            "number": self.number,
        }


def _conflict_of(user):
    """A filter on agenda items: the user declared a conflict on the item."""
    return Exists(
        ConflictDeclaration.objects.filter(
            agenda_item=OuterRef("pk"), member=user
        ).exclude(conflict=ConflictDeclaration.Conflict.NONE)
    )


class AgendaItemQuerySet(models.QuerySet):
    def of_member(self, user):
        """Return the items of the meetings of the user's committees, closed or not."""
        return self.filter(meeting__in=Meeting.objects.of_member(user))

    def closed_to(self, user):
        """Return the user's items they take no part in: a conflict, or their own
        organisation's project."""
        return self.of_member(user).filter(
            Q(_conflict_of(user)) | Q(project__organisation__in=own_organisations(user))
        )

    def open_to(self, user):
        """Return the items the user may open, score and join the recommendation on.

        The one rule of conflict of interest: an item of a meeting of a committee the
        user sits on, with no conflict declared by them and not about a project of
        their own organisation.
        """
        if not user.is_authenticated:
            return self.none()
        return (
            self.of_member(user)
            .exclude(_conflict_of(user))
            .exclude(project__organisation__in=own_organisations(user))
        )


class AgendaItem(models.Model):
    """One matter before a meeting, about one project, with the papers members read."""

    class Kind(models.TextChoices):
        ANNUAL_REVIEW = "annual_review", _("annual review of a project")
        EXTENSION = "extension", _("extension request")
        COST_REVISION = "cost_revision", _("re-appropriation or cost revision")
        RELEASE = "release", _("release recommendation")
        CLOSURE = "closure", _("closure")

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("meeting"),
    )
    position = models.PositiveSmallIntegerField(_("item number"))
    kind = models.CharField(_("kind"), max_length=15, choices=Kind)
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="agenda_items",
        verbose_name=_("project"),
    )
    extension = models.ForeignKey(
        Extension,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("extension"),
    )
    reappropriation = models.ForeignKey(
        Reappropriation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("re-appropriation"),
    )
    instalment = models.ForeignKey(
        Instalment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("instalment"),
    )
    # A foreign key, not one-to-one: an item deferred to the next meeting without a
    # recommendation hands its milestone on to the item that takes it up there.
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("review milestone"),
        help_text=_("The annual review meeting milestone this item meets."),
    )
    note = models.TextField(_("note for the members"), blank=True)
    added_by = actor_field(_("added by"))

    history = HistoricalRecords()

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="agenda_item_position_once",
                violation_error_message=_("The agenda has an item with this number."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="extension") | Q(extension__isnull=False),
                name="agenda_item_extension_named",
                violation_error_message=_("An extension item names the request."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="release") | Q(instalment__isnull=False),
                name="agenda_item_instalment_named",
                violation_error_message=_("A release item names the instalment."),
            ),
        ]

    def __str__(self):
        return _("Item %(position)s: %(kind)s, %(project)s") % {
            "position": self.position,
            "kind": self.get_kind_display(),
            "project": self.project.reference,
        }


class ConflictDeclaration(models.Model):
    """What a member declared about an item before seeing its papers."""

    class Conflict(models.TextChoices):
        NONE = "none", _("no conflict of interest")
        SAME_INSTITUTION = "same_institution", _("same institution")
        COLLABORATOR = "collaborator", _("collaborator in the last three years")
        RELATIVE = "relative", _("relative")
        FINANCIAL = "financial", _("financial interest")

    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.CASCADE,
        related_name="declarations",
        verbose_name=_("agenda item"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="conflict_declarations",
        verbose_name=_("member"),
    )
    conflict = models.CharField(_("conflict"), max_length=20, choices=Conflict)
    note = models.TextField(_("note"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("conflict of interest declaration")
        verbose_name_plural = _("conflict of interest declarations")
        ordering = ["agenda_item", "declared_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "member"],
                name="declaration_once",
                violation_error_message=_("You have declared on this item already."),
            ),
            models.CheckConstraint(
                condition=Q(conflict="none") | ~Q(note=""),
                name="declared_conflict_has_note",
                violation_error_message=_("Say what the conflict is."),
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_conflict_display()} ({self.agenda_item})"

    @property
    def has_conflict(self) -> bool:
        return self.conflict != self.Conflict.NONE


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
# The rubric's four questions, each scored from 1 (poor) to 5 (excellent).
RUBRIC = ("progress", "outputs", "use_of_funds", "trl_likelihood")


def _score_field(verbose_name):
    return models.PositiveSmallIntegerField(verbose_name, validators=SCORE_VALIDATORS)


class Score(models.Model):
    """One member's score of an item on the committee's rubric, 1 (poor) to 5."""

    RUBRIC = RUBRIC

    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("agenda item"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="committee_scores",
        verbose_name=_("member"),
    )
    progress = _score_field(_("progress against milestones"))
    outputs = _score_field(_("quality of outputs"))
    use_of_funds = _score_field(_("use of funds"))
    trl_likelihood = _score_field(_("likelihood of reaching the target TRL"))
    comment = models.TextField(_("comment"), blank=True)
    scored_at = models.DateTimeField(_("scored at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["agenda_item", "scored_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "member"],
                name="score_once_per_member",
                violation_error_message=_("You have scored this item already."),
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"score_{name}_1_to_5",
                    violation_error_message=_("A score is from 1 to 5."),
                )
                for name in RUBRIC
            ],
        ]

    def __str__(self):
        return f"{self.member}: {self.total}/20 ({self.agenda_item})"

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name in self.RUBRIC)


class Recommendation(models.Model):
    """What the committee recommended on an item, and what the approver decided."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("continue")
        CONTINUE_WITH_CONDITIONS = (
            "continue_with_conditions",
            _("continue with conditions"),
        )
        EXTEND = "extend", _("extend")
        REVISE_COST = "revise_cost", _("revise cost")
        TERMINATE = "terminate", _("terminate")

    class Decision(models.TextChoices):
        PENDING = "pending", _("awaiting decision")
        APPROVED = "approved", _("approved")
        NOT_APPROVED = "not_approved", _("not approved")

    agenda_item = models.OneToOneField(
        AgendaItem,
        on_delete=models.CASCADE,
        related_name="recommendation",
        verbose_name=_("agenda item"),
    )
    outcome = models.CharField(_("recommendation"), max_length=25, choices=Outcome)
    reasons = models.TextField(_("reasons"))
    conditions = models.TextField(_("conditions"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="+",
        verbose_name=_("members who joined it"),
    )
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = actor_field(_("recorded by"))
    decision = models.CharField(
        _("decision"), max_length=15, choices=Decision, default=Decision.PENDING
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = actor_field(_("decision recorded by"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["agenda_item"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="continue_with_conditions") | ~Q(conditions=""),
                name="recommendation_conditions_written",
                violation_error_message=_("Write the conditions."),
            ),
            models.CheckConstraint(
                condition=Q(decision="pending") | Q(decided_on__isnull=False),
                name="recommendation_decision_dated",
                violation_error_message=_("A decision has a date."),
            ),
        ]

    def __str__(self):
        return f"{self.agenda_item}: {self.get_outcome_display()}"
