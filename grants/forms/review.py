"""The reviewer's two forms: the declaration of interest, and the score.

They check what a form can (a choice, a number from 1 to 5, a note with a
conflict); the rules (declared once, nothing after the recommendation) are the
services' (``declare_conflict``, ``score_item``).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.models import ConflictDeclaration, Score

MARKS = [(mark, str(mark)) for mark in range(1, 6)]


class DeclarationForm(forms.Form):
    conflict = forms.ChoiceField(
        label=_("Do you have a conflict of interest in this item?"),
        choices=ConflictDeclaration.Conflict.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you declare a conflict: say what it is."),
    )

    def clean(self):
        cleaned = super().clean()
        conflict = cleaned.get("conflict")
        if (
            conflict
            and conflict != ConflictDeclaration.Conflict.NONE
            and not (cleaned.get("note") or "").strip()
        ):
            self.add_error("note", _("Say what the conflict is."))
        return cleaned


class LaterConflictForm(DeclarationForm):
    """A conflict found once the papers are open: the item then closes."""

    conflict = forms.ChoiceField(
        label=_("The conflict of interest"),
        choices=[
            choice
            for choice in ConflictDeclaration.Conflict.choices
            if choice[0] != ConflictDeclaration.Conflict.NONE
        ],
        widget=forms.RadioSelect,
    )


def _mark_field(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=Score._meta.get_field(name).verbose_name,
        choices=MARKS,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 poor, 5 excellent"),
    )


class ScoreForm(forms.Form):
    progress = _mark_field("progress")
    outputs = _mark_field("outputs")
    use_of_funds = _mark_field("use_of_funds")
    trl_likelihood = _mark_field("trl_likelihood")
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @classmethod
    def initial_from(cls, score: Score | None) -> dict:
        if score is None:
            return {}
        return {name: getattr(score, name) for name in (*Score.RUBRIC, "comment")}
