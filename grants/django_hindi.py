"""Django's own messages whose Hindi the project gives itself.

Django ships a Hindi catalogue, but it leaves the password rules and several
account messages untranslated, uses "कूटशब्द" / "शब्दकूट" where the glossary and
every other page say "पासवर्ड", and shortens months to a letter or two ("मा" for
March) where Hindi offices write the month in full. Naming those messages here puts
them into the project's catalogue, which Django reads before its own, so a Hindi
page reads the same words throughout. Nothing imports this module: the catalogue
only needs the messages to be found in the source.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# The months as dates show them ("5 Mar 2027" is "5 मार्च 2027").
MONTHS = [
    gettext_noop("jan"),
    gettext_noop("feb"),
    gettext_noop("mar"),
    gettext_noop("apr"),
    gettext_noop("may"),
    gettext_noop("jun"),
    gettext_noop("jul"),
    gettext_noop("aug"),
    gettext_noop("sep"),
    gettext_noop("oct"),
    gettext_noop("nov"),
    gettext_noop("dec"),
]

# django.contrib.auth: the password rules and the account forms.
PASSWORDS = [
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop(
        "Your password can’t be too similar to your other personal information."
    ),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("Password"),
    gettext_noop("Password confirmation"),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("New password"),
    gettext_noop("New password confirmation"),
    gettext_noop("Old password"),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both "
        "fields may be case-sensitive."
    ),
    gettext_noop("This account is inactive."),
    gettext_noop("Email"),
]
