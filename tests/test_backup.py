"""The backup and restore procedure of docs/operations.md, run for real.

The demo portfolio is written to the test database and committed, dumped the way
the operations guide says, restored into a fresh database, and every record is
found there again, with the documents' files from the media backup.
"""

import shutil
import sqlite3
import subprocess
import tarfile
import uuid

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from grants import demo
from grants.models import Document, Project
from tests.conftest import DEMO_DATE

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def table_counts(cursor, tables):
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def project_tables():
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"grants", "auth"}
    )


@pytest.fixture
def demo_with_a_document():
    demo.seed(as_of=DEMO_DATE, today=DEMO_DATE)
    project = Project.objects.get(reference="DEMO-REE-2324-05")
    document = Document(
        project=project,
        kind=Document.Kind.OTHER,
        original_name="sanction-order.pdf",
        content_type="application/pdf",
        size=15,
    )
    document.file.save("sanction-order.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return document


def restore_media(tmp_path):
    """Back the media folder up as a tarball and unpack it somewhere new."""
    archive = tmp_path / "media.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(settings.MEDIA_ROOT, arcname="media")
    restored = tmp_path / "restored"
    with tarfile.open(archive) as tar:
        tar.extractall(restored, filter="data")
    return restored / "media"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"
)
def test_a_pg_dump_of_the_demo_restores_into_a_fresh_database(
    demo_with_a_document, tmp_path
):
    params = connection.get_connection_params()
    server = [
        "-h",
        params.get("host") or "127.0.0.1",
        "-p",
        str(params.get("port") or 5432),
        "-U",
        params.get("user") or "postgres",
    ]
    dump = tmp_path / "khanij.dump"
    subprocess.run(
        [
            "pg_dump",
            *server,
            "--format=custom",
            "--no-owner",
            "--file",
            dump,
            params["dbname"],
        ],
        check=True,
    )
    fresh = f"khanij_restore_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", *server, fresh], check=True)
    try:
        subprocess.run(
            [
                "pg_restore",
                *server,
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                fresh,
                dump,
            ],
            check=True,
        )
        tables = project_tables()
        with connection.cursor() as cursor:
            expected = table_counts(cursor, tables)
        with (
            psycopg.connect(
                host=server[1], port=server[3], user=server[5], dbname=fresh
            ) as restored,
            restored.cursor() as cursor,
        ):
            assert table_counts(cursor, tables) == expected
            cursor.execute("SELECT SUM(sanctioned_amount) FROM grants_project")
            assert cursor.fetchone()[0] == 93_300_000
    finally:
        subprocess.run(["dropdb", *server, "--if-exists", fresh], check=True)

    media = restore_media(tmp_path)
    restored_file = media / demo_with_a_document.file.name
    assert restored_file.read_bytes() == b"%PDF-1.4\n%%EOF\n"
    assert expected["grants_project"] == 11


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite backup API needs SQLite"
)
def test_an_sqlite_backup_of_the_demo_restores_every_record(
    demo_with_a_document, tmp_path
):
    source = connection.settings_dict["NAME"]
    copy = tmp_path / "khanij-backup.sqlite3"
    # The online backup API copies a consistent snapshot while the app runs.
    with sqlite3.connect(source) as live, sqlite3.connect(copy) as backup:
        live.backup(backup)
    restored = tmp_path / "restored.sqlite3"
    shutil.copy(copy, restored)

    tables = project_tables()
    with connection.cursor() as cursor:
        expected = table_counts(cursor, tables)
    with sqlite3.connect(restored) as database:
        assert table_counts(database.cursor(), tables) == expected
        total = database.execute("SELECT SUM(sanctioned_amount) FROM grants_project")
        assert total.fetchone()[0] == 93_300_000

    media = restore_media(tmp_path)
    restored_file = media / demo_with_a_document.file.name
    assert restored_file.read_bytes() == b"%PDF-1.4\n%%EOF\n"
    assert expected["grants_project"] == 11
