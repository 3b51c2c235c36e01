"""Parts of pages that many people read and few change, rendered once per change.

A part is cached under a key made of its name, the *portfolio version*, the day,
the language and whatever else the caller names (a project, say). The portfolio
version is a random token in the same cache, replaced whenever a row of the
portfolio is saved or deleted, so a change makes every cached part unreachable
at once and the next reader renders it afresh: nothing stale is shown, and no
part needs to know which rows it read.

The token is replaced twice: at the save, so a reader in the same transaction
(and every test) sees the change, and again when the transaction commits, so a
part rendered by another reader between the save and the commit (from the rows
as they were) is never found again. A transaction rolled back leaves a new token
behind: one needless render, never a stale one.

The cache is ``CACHES["pages"]``: Redis in production (``CACHE_URL``); in the
embedded default a folder under ``var/`` that every web process shares.

Writes that bypass ``save()`` (bulk inserts and ``QuerySet.update()``) send no
signal: code that writes that way calls ``portfolio_changed`` itself.
"""

import contextlib
import contextvars
import hashlib
import logging
import uuid

from django.apps import apps
from django.core.cache import caches
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

CACHE = "pages"
VERSION_KEY = "portfolio-version"
# A day at most: the day is in every key anyway.
TIMEOUT = 24 * 60 * 60
# Rows that change no page part: kept by readers themselves (the summaries and
# their rollup), a file being built, the audit history of a row whose own save
# has changed the version already, or the API's tokens and its log (a request read
# through the API must not make every cached page stale).
UNWATCHED = {
    "projectsummary",
    "portfoliorollup",
    "registerexport",
    "apitoken",
    "apirequest",
}


def _cache():
    return caches[CACHE]


def version() -> str:
    """The portfolio version: a token that changes with every change to the rows."""
    token = _cache().get(VERSION_KEY)
    if token is None:
        # First use, or the cache lost it: any new token is safe, since no part
        # was ever stored under it. add() keeps a token another process set first.
        _cache().add(VERSION_KEY, uuid.uuid4().hex, None)
        token = _cache().get(VERSION_KEY) or uuid.uuid4().hex
    return token


def _new_version() -> None:
    try:
        _cache().set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:  # noqa: BLE001 - a cache that is down must not undo a save
        logger.exception("Could not mark the cached pages out of date.")


def portfolio_changed() -> None:
    """Make every cached part out of date, now and when the transaction commits."""
    if _held.get():
        return
    _new_version()
    transaction.on_commit(_new_version)


_held = contextvars.ContextVar("page_cache_held", default=False)


@contextlib.contextmanager
def changes_held():
    """Within, rows change without changing the version. For a writer of many
    thousand rows in one transaction (an import), where a version change per row
    would cost more than the rows: it calls ``portfolio_changed`` itself, once,
    when it knows its rows are kept.
    """
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def clear() -> None:
    """Drop every cached part (and the version: the next reader makes a new one)."""
    _cache().clear()


def cached(name: str, *parts, compute):
    """Return the value ``name`` for the current version and day, computing it once.

    ``compute`` is called when the value is not in the cache. The version is read
    before ``compute`` reads any row, so a value computed while a change commits
    is stored under the version that change replaced.
    """
    # The caller's parts (a query string, say) can be long: hashed, so that every
    # cache takes the key as it is.
    named = hashlib.sha256("\x1f".join(str(part) for part in parts).encode())
    key = ":".join(
        (name, version(), timezone.localdate().isoformat(), named.hexdigest()[:32])
    )
    cache = _cache()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def fragment(name: str, *parts, render) -> str:
    """Return the page part ``name`` for the current version, day and language."""
    return cached(name, translation.get_language() or "", *parts, compute=render)


def rendered(name: str, *parts, template: str, context, request) -> SafeString:
    """A template's output as a cached page part, ready to be put in a page.

    ``context`` is a callable, called only when the part is not in the cache.
    """
    html = fragment(
        name,
        *parts,
        render=lambda: render_to_string(template, context(), request=request),
    )
    return mark_safe(html)  # noqa: S308 - the output of our own template


def row_changed(sender, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    # A log-in saves the user's last_login only: nothing any page part shows.
    if update_fields and set(update_fields) <= {"last_login"}:
        return
    portfolio_changed()


def watched_models():
    for model in apps.get_app_config("grants").get_models():
        name = model._meta.model_name
        if name in UNWATCHED or name.startswith("historical"):
            continue
        yield model


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in watched_models():
        label = model._meta.label_lower
        post_save.connect(row_changed, sender=model, dispatch_uid=f"pages-{label}-s")
        post_delete.connect(row_changed, sender=model, dispatch_uid=f"pages-{label}-d")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                row_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"pages-{label}-{field.name}",
            )
