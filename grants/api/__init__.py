"""The REST API at ``/api/v1/`` (docs/api.md).

Reads and writes go through what the pages use: ``visible_to`` for who sees what
(``access``), the portal's and the staff workspace's forms for what input is
valid (``form_input``), the services for every rule, the staff tables' filters.
Tokens are the users' own (``grants.services.api_tokens``); errors are problem
details (RFC 9457, ``problems``).
"""
