"""Who may open which agenda item, decided in one place.

Every reviewer view that takes an item finds it through
``AgendaItem.objects.open_to(request.user)`` in ``dispatch``, before the request
method is looked at: an item of a committee the user does not sit on, one they
declared a conflict on, or one about their own organisation's project is a 404 for
GET and POST alike, on every URL, and says nothing about whether it exists. A user
with no active seat finds no item at all (404); their home page says they sit on
no committee.

The papers (the brief, the report's files, the score) open only once the member
has declared no conflict; before that an item's paper URLs send them back to the
item's page, which asks for the declaration.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from grants.models import AgendaItem, ConflictDeclaration
from grants.reads import committee_papers

# Set in the session where the user's seats are looked up (the landing page, the
# reviewer's home), so the header shows its "Reviews" link without a query on
# every page. Only a link: the pages decide access themselves.
SEAT_SESSION_KEY = "review_seat"


def remember_seat(request, has_seat: bool) -> None:
    if request.session.get(SEAT_SESSION_KEY, False) != has_seat:
        request.session[SEAT_SESSION_KEY] = has_seat


class ReviewItemMixin:
    """Find the URL's agenda item among those open to the user, or answer 404."""

    pk_url_kwarg = "pk"

    def get_queryset(self):
        return committee_papers.paper_items(
            AgendaItem.objects.open_to(self.request.user)
        )

    def dispatch(self, request, *args, **kwargs):
        self.item = get_object_or_404(self.get_queryset(), pk=kwargs[self.pk_url_kwarg])
        if response := self.turn_away(request):
            return response
        return super().dispatch(request, *args, **kwargs)

    def turn_away(self, request):
        """A response instead of the page, for an item found but not ready for it."""
        return None

    @cached_property
    def declaration(self) -> ConflictDeclaration | None:
        """The user's declaration on the item: none yet, or "no conflict" (a
        conflict closes the item, so it never gets here)."""
        return ConflictDeclaration.objects.filter(
            agenda_item=self.item, member=self.request.user
        ).first()

    @property
    def papers_open(self) -> bool:
        return (
            self.declaration is not None
            and self.declaration.conflict == ConflictDeclaration.Conflict.NONE
        )


class PapersOpenMixin(ReviewItemMixin):
    """An item's paper: only after the member declared no conflict on it."""

    def turn_away(self, request):
        if self.papers_open:
            return None
        messages.info(
            request,
            _("Declare your interest in this item before you read its papers."),
        )
        return redirect("review:item", pk=self.item.pk)
