"""The grantee portal: a member's own organisation's projects, nothing else.

Access is stated once: every queryset goes through ``visible_to(request.user)``, so
another organisation's object is a 404, never a 403 that confirms it exists.
"""

urlpatterns = []
