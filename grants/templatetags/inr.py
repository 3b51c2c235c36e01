from django import template

from grants.formatting import format_inr, format_inr_short, format_percent

register = template.Library()

RUPEE = "₹\u00a0"  # the rupee sign and a no-break space, so they never part


@register.filter
def inr(amount):
    """Render whole rupees with Indian grouping: ₹ 9,33,00,000."""
    if amount is None or amount == "":
        return "—"
    return format_inr(amount, symbol=RUPEE)


@register.filter
def inr_short(amount):
    """Render an amount in lakh or crore: ₹ 9.33 crore."""
    if amount is None or amount == "":
        return "—"
    return format_inr_short(amount, symbol=RUPEE)


@register.filter
def percent_of(part, whole):
    """Render part as a share of whole, rounded down to 0.1%: 82.9%."""
    if part is None or whole is None or part == "" or whole == "":
        return "—"
    return format_percent(part, whole)
