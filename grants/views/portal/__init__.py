"""The grantee portal: a member's own organisation's projects, nothing else.

One module per page family; who may see what is decided once, in ``access``.
URL patterns are in ``grants/urls/portal.py``.
"""
