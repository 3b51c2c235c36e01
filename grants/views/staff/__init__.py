"""The staff workspace: pages for programme and finance officers.

One module per page family; access is decided once, in ``access``, and every
decision is an ``actions.ActionView``. URL patterns are in ``grants/urls/staff.py``.
"""
