import datetime

from django import template

from grants.formatting import fiscal_year_of

register = template.Library()


@register.filter
def fy(day):
    """Render the fiscal year a date falls in: 2024-25."""
    if not isinstance(day, datetime.date):
        return ""
    return fiscal_year_of(day)
