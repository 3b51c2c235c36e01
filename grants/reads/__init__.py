"""Read modules: what a page shows, computed once for staff and portal alike.

Facts about one row are model methods and filters are QuerySet methods (in
``grants.models``); what combines several models for a page lives here, so the
staff workspace and the grantee portal ask the same function and cannot disagree.
Nothing here writes, sends or enqueues.
"""
