"""The reviewer's pages: a committee member's meetings and the items open to them.

An external expert sees nothing else of the portfolio; ministry staff who sit on a
committee use the same pages. Who may open what is decided once, in ``access``
(through ``AgendaItem.objects.open_to``). URL patterns are in
``grants/urls/review.py``.
"""
