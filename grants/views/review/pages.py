"""The reviewer's pages: their meetings, one item (declaration, papers, score), and
the item's brief and report files."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from grants import services
from grants.forms.review import DeclarationForm, LaterConflictForm, ScoreForm
from grants.models import CommitteeMember, ConflictDeclaration, Score
from grants.reads import briefs, committee_papers
from grants.uploads.downloads import file_response
from grants.views.common import add_rule_errors
from grants.views.paper import PdfMixin, document_filename
from grants.views.review.access import (
    PapersOpenMixin,
    ReviewItemMixin,
    remember_seat,
)

DECLARE = "declare"


class ReviewHomeView(TemplateView):
    """The user's meetings, upcoming then past, with the items open to them.

    A user with no active seat (a grantee, a member whose seat ended) gets this page
    too, saying they sit on no committee: nothing on it is anyone else's, so it
    needs no refusal. The items they may not open are counted, never named.
    """

    template_name = "grants/review/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        has_seat = CommitteeMember.objects.active().filter(user=user).exists()
        remember_seat(self.request, has_seat)
        agenda = committee_papers.member_agenda(user, on=timezone.localdate())
        return super().get_context_data(
            has_seat=has_seat,
            agenda=agenda,
            statuses=committee_papers.ItemStatus,
            **kwargs,
        )


class ItemView(ReviewItemMixin, TemplateView):
    """One item: the declaration first; once no conflict is declared, the papers
    and the score form.

    A POST is the declaration until the member has declared, the score after.
    """

    template_name = "grants/review/item.html"

    def score(self) -> Score | None:
        return Score.objects.filter(
            agenda_item=self.item, member=self.request.user
        ).first()

    def get_context_data(self, **kwargs):
        item = self.item
        context = {
            "item": item,
            "meeting": item.meeting,
            "project": item.project,
            "papers_open": self.papers_open,
            "statuses": committee_papers.ItemStatus,
            "item_recommended": hasattr(item, "recommendation"),
        }
        if self.papers_open:
            score = self.score()
            context.update(
                papers=committee_papers.item_papers(item),
                score=score,
                recommendation=getattr(item, "recommendation", None),
            )
            if "score_form" not in kwargs:
                context["score_form"] = ScoreForm(initial=ScoreForm.initial_from(score))
            if context["recommendation"] is None and "conflict_form" not in kwargs:
                context["conflict_form"] = LaterConflictForm()
        elif "declaration_form" not in kwargs:
            context["declaration_form"] = DeclarationForm()
        return super().get_context_data(**{**context, **kwargs})

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == DECLARE:
            if self.declaration is not None:
                # Declared "none" already: only a conflict found since is taken.
                return self.declare(LaterConflictForm(request.POST), "conflict_form")
            return self.declare(DeclarationForm(request.POST))
        if not self.papers_open:
            return redirect("review:item", pk=self.item.pk)
        return self.record_score(ScoreForm(request.POST))

    def declare(self, form, key="declaration_form"):
        if form.is_valid():
            conflict = form.cleaned_data["conflict"]
            try:
                services.declare_conflict(
                    self.item,
                    member=self.request.user,
                    conflict=conflict,
                    note=form.cleaned_data["note"],
                )
            except services.GrantRuleError as error:
                add_rule_errors(form, error)
            else:
                if conflict == ConflictDeclaration.Conflict.NONE:
                    messages.success(
                        self.request,
                        _(
                            "Your declaration of no conflict of interest is recorded. "
                            "The item's papers are open to you."
                        ),
                    )
                    return redirect("review:item", pk=self.item.pk)
                messages.success(
                    self.request,
                    _(
                        "Your declaration is recorded. You take no part in item "
                        "%(position)s of %(meeting)s: its papers, scores and "
                        "recommendation are closed to you."
                    )
                    % {"position": self.item.position, "meeting": self.item.meeting},
                )
                return redirect("review:home")
        return self.render_to_response(self.get_context_data(**{key: form}))

    def record_score(self, form):
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.score_item(
                    self.item,
                    member=self.request.user,
                    progress=data["progress"],
                    outputs=data["outputs"],
                    use_of_funds=data["use_of_funds"],
                    trl_likelihood=data["trl_likelihood"],
                    comment=data["comment"],
                )
            except services.GrantRuleError as error:
                add_rule_errors(form, error)
            else:
                messages.success(
                    self.request,
                    _("Your score of item %(position)s is recorded.")
                    % {"position": self.item.position},
                )
                return redirect("review:item", pk=self.item.pk)
        return self.render_to_response(self.get_context_data(score_form=form))


class ItemBriefView(PapersOpenMixin, PdfMixin, TemplateView):
    """The item's project on one A4 page: the staff brief, from the same read."""

    template_name = "paper/project_brief.html"
    http_method_names = ["get", "head"]

    def get_filename(self) -> str:
        return document_filename("project-brief", self.item.project.reference)

    def get_context_data(self, **kwargs):
        project = briefs.brief_projects().get(pk=self.item.project_id)
        brief = briefs.project_brief(project, on=timezone.localdate())
        return super().get_context_data(
            project=project, brief=brief, illustrative=brief.illustrative, **kwargs
        )


class ItemFileView(PapersOpenMixin, View):
    """A file attached to the item's project's latest progress report; no other."""

    pk_url_kwarg = "item_pk"
    http_method_names = ["get", "head"]

    def get(self, request, item_pk, pk):
        project = self.item.project
        report = committee_papers.latest_report(project)
        document = get_object_or_404(
            committee_papers.report_documents(project, report), pk=pk
        )
        return file_response(document)
