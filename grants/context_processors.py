from django.utils.functional import SimpleLazyObject

from grants.models import Organisation


def illustrative_data(request):
    """Tell every page whether demo records exist, so it can say so in a banner.

    Lazy: the query runs only on pages that render the banner.
    """
    return {
        "has_illustrative_data": SimpleLazyObject(
            lambda: Organisation.objects.filter(is_illustrative=True).exists()
        )
    }
