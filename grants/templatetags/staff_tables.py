"""What the staff tables' template needs beyond django-tables2's own tags."""

from django import template

register = template.Library()


def _fixed(attrs) -> bool:
    """Whether attributes hold only values, no callables worked out per row."""
    return not any(
        callable(value) or (isinstance(value, dict) and not _fixed(value))
        for value in attrs.values()
    )


@register.filter
def td_attrs(bound_column):
    """A data cell's attributes, as django-tables2 writes them.

    django-tables2 works a column's attributes out again for every cell, header
    and footer included; where they are fixed values, as in every staff table,
    they are the same for each row, so they are worked out once a table.
    """
    cached = getattr(bound_column, "_td_attrs_html", None)
    if cached is not None:
        return cached
    html = bound_column.attrs["td"].as_html()
    if _fixed(bound_column.column.attrs) and _fixed(bound_column._table.attrs):
        bound_column._td_attrs_html = html
    return html
