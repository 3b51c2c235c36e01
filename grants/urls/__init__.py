"""URL patterns, one module per audience, each included by ``config/urls.py``.

``staff`` (namespace ``staff``, under ``/staff/``) and ``portal`` (namespace
``portal``, under ``/portal/``) are a security boundary: every staff view checks
``is_staff``, every portal view scopes its objects with ``visible_to``. ``shared``
holds the pages both reach (the home redirect, permission-checked downloads) and
``accounts`` the sign-in steps beside Django's own.
"""
