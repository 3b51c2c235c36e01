"""Pages of a long list: a cursor, so a page costs the same at row 100,000 as at 1.

A cursor pages by the rows' order (newest first by id), not by an offset, so the
database never counts or skips the rows before the page, and a row added
meanwhile neither repeats nor goes missing between pages.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from grants.forms import MAX_ID


class Cursor(CursorPagination):
    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = _(
        "This cursor is not one the list gave: follow its next and previous links "
        "as they are."
    )

    def decode_cursor(self, request):
        """The cursor asked for; a made-up one is refused (400), not looked for."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise self.refused() from error
        if cursor is not None and cursor.position is not None:
            try:
                position = int(cursor.position)
            except ValueError as error:
                raise self.refused() from error
            if not 0 <= position <= MAX_ID:
                raise self.refused()
        return cursor

    def refused(self) -> ValidationError:
        return ValidationError(
            {self.cursor_query_param: [self.invalid_cursor_message]}, code="cursor"
        )
