from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grants import services
from grants.models import User


class Command(BaseCommand):
    help = (
        "Delete a user's two-factor devices (authenticator and backup codes) and "
        "e-mail them a one-time link to link a new authenticator. The way in for the "
        "first administrator, when staff must use a second factor and nobody can "
        "yet reach the admin; recorded in the invitation's audit history."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user is called {username!r}.") from None
        try:
            invitation = services.reset_two_factor(user, by=None)
        except services.GrantRuleError as error:
            raise CommandError(f"{username}: {' '.join(error.messages)}") from error
        invitation.refresh_from_db(fields=["sent_at"])
        if invitation.sent_at is None:
            raise CommandError(
                f"Two-factor sign-in of {username} was reset, but the invitation "
                f"could not be e-mailed to {user.email}; see the log and run this "
                f"again."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Two-factor sign-in of {username} reset; the enrolment link is "
                f"e-mailed to {user.email} and works until "
                f"{timezone.localtime(invitation.expires_at):%d %b %Y, %H:%M %Z}."
            )
        )
