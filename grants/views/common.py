"""What staff and portal views share: showing a service's refusal on a form."""

from grants import services


def add_rule_errors(form, error: services.GrantRuleError) -> None:
    """Show a service's refusal on the form: field by field where it can.

    Messages for a field the form does not have go to the top of the form, so no
    refusal is ever lost.
    """
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)
