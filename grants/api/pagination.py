"""Pages of a long list: a cursor, so a page costs the same at row 100,000 as at 1.

A cursor pages by the rows' order (newest first by id), not by an offset, so the
database never counts or skips the rows before the page, and a row added
meanwhile neither repeats nor goes missing between pages.
"""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
