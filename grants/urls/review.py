"""The reviewer's URLs, mounted at ``/review/`` in the ``review`` namespace.

Every pattern that takes an item finds it through ``AgendaItem.objects.open_to``
(``grants.views.review.access``); ``tests/test_review_access.py`` walks them all.
"""

from django.urls import path

from grants.views.review import pages

app_name = "review"

urlpatterns = [
    path("", pages.ReviewHomeView.as_view(), name="home"),
    path("items/<int:pk>/", pages.ItemView.as_view(), name="item"),
    path("items/<int:pk>/brief.pdf", pages.ItemBriefView.as_view(), name="item-brief"),
    path(
        "items/<int:item_pk>/files/<int:pk>/",
        pages.ItemFileView.as_view(),
        name="item-file",
    ),
]
