"""Reminders through a real Celery worker and the Redis broker, not eager mode.

Each test gets its own Celery app and queue on the Redis at REDIS_URL (default
redis://127.0.0.1:6379/0), so test runs side by side never take each other's
messages. The worker runs in a thread (``celery.contrib.testing.worker``) or, for
the SIGKILL test, as a ``celery -A config worker`` process; both read and write the
same database as the test: SQLite's test database is a file (settings), or
PostgreSQL. Tests skip, saying why, when Redis does not answer, and fail instead
when KHANIJ_REQUIRE_REDIS=1 (CI).
"""

import contextlib
import datetime
import email
import os
import signal
import smtplib
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.core.mail.backends import locmem
from django.db import connection, connections
from django.db.models import F
from django.utils import timezone

from config.celery import app as project_app
from grants import services
from grants.models import (
    AgendaNotice,
    Membership,
    Milestone,
    Project,
    RegisterExport,
    Reminder,
    ReminderRule,
)
from tests.factories import (
    AgendaItemFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    MeetingFactory,
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProjectFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.redis,
    # The data migrations' rows (the reminder rules) must survive the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
PATIENCE = 60  # seconds a worker gets to do what a test waits for


def redis_unavailable_reason(url):
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis at {url} does not answer ({error})"
    return None


@pytest.fixture(scope="module")
def redis_url():
    reason = redis_unavailable_reason(REDIS_URL)
    if reason and os.environ.get("KHANIJ_REQUIRE_REDIS") == "1":
        pytest.fail(f"{reason}, and KHANIJ_REQUIRE_REDIS=1 requires it.")
    if reason:
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture
def celery_app(redis_url):
    """A Celery app like the project's, on Redis, with a queue of its own."""
    queue = f"khanij-test-{uuid.uuid4().hex[:12]}"
    app = Celery(
        "khanij-test",
        task_cls="celery.contrib.django.task:DjangoTask",
        set_as_current=False,
    )
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=redis_url,
        broker_transport_options={"visibility_timeout": 3600},
        task_default_queue=queue,
        task_always_eager=False,
        worker_hijack_root_logger=False,
    )
    import grants.tasks  # noqa: F401  (shared tasks join every app)

    app.finalize()
    # The services queue through grants.tasks, whose shared tasks resolve to the
    # current app.
    app.set_current()
    app.set_default()
    yield app
    project_app.set_current()
    project_app.set_default()
    with contextlib.suppress(Exception), app.connection_for_write() as broker:
        # Declared first: a channel deletes only the bindings it knows.
        bound = app.amqp.queues[queue](broker.default_channel)
        bound.declare()
        bound.delete()
    forget_queue(redis_url, queue)
    app.close()


def forget_queue(url, queue):
    """Drop what a killed worker left of the queue's messages in Redis."""
    client = redis.Redis.from_url(url)
    for tag, payload in client.hscan_iter("unacked"):
        if queue.encode() in payload:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(queue)


@pytest.fixture
def worker(celery_app, transactional_db):
    """A real worker in a thread, on the test's app and queue."""
    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=30,
    ) as running:
        yield running
    connections.close_all()


def wait_for(condition, *, timeout=PATIENCE, what="the worker"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}.")


def all_sent():
    return not Reminder.objects.exclude(status=Reminder.Status.SENT).exists()


def grantee_project(number=1):
    """A project with a PI, a finance officer and a programme officer."""
    organisation = OrganisationFactory(head_email=f"head{number}@ires.example.org")
    project = ProjectFactory(
        organisation=organisation,
        principal_investigator=UserFactory(email=f"pi{number}@ires.example.org"),
        programme_officer=StaffUserFactory(email=f"po{number}@mines.example.org"),
        status=Project.Status.ONGOING,
    )
    MembershipFactory(
        organisation=organisation,
        role=Membership.Role.FINANCE_OFFICER,
        user=UserFactory(email=f"fo{number}@ires.example.org"),
    )
    return project


def due_in(days, project, **fields):
    today = timezone.localdate()
    return MilestoneFactory(
        project=project, due_on=today + datetime.timedelta(days=days), **fields
    )


def test_a_real_worker_sends_the_days_reminders_once_and_a_second_sweep_none(
    worker, mailoutbox
):
    project = grantee_project()
    due_in(30, project, title="Progress report due in 30 days")
    due_in(-7, project, title="Certificate 7 days overdue")
    due_in(-7, project, title="Already submitted", status=Milestone.Status.SUBMITTED)

    first = services.sweep_reminders()
    wait_for(lambda: all_sent() and len(mailoutbox) == 5, what="five e-mails")

    assert (first.created, first.dispatched) == (5, 5)
    received = sorted((m.to[0], m.subject.split(":")[0]) for m in mailoutbox)
    assert received == [
        ("fo1@ires.example.org", f"[{project.reference}] Due in 30 days"),
        ("fo1@ires.example.org", f"[{project.reference}] Overdue by 7 days"),
        ("pi1@ires.example.org", f"[{project.reference}] Due in 30 days"),
        ("pi1@ires.example.org", f"[{project.reference}] Overdue by 7 days"),
        ("po1@mines.example.org", f"[{project.reference}] Copy"),
    ]
    message_ids = {m.extra_headers["Message-ID"] for m in mailoutbox}
    assert message_ids == {
        f"<reminder.{pk}@khanij-rd.example>"
        for pk in Reminder.objects.values_list("pk", flat=True)
    }

    second = services.sweep_reminders()
    time.sleep(2)  # long enough for a worker to send anything it was given

    assert (second.created, second.dispatched) == (0, 0)
    assert len(mailoutbox) == 5
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}


def test_a_real_worker_sends_a_meetings_agenda_to_each_member_once(worker, mailoutbox):
    today = timezone.localdate()
    committee = CommitteeFactory(agenda_days_before=7)
    CommitteeMemberFactory(committee=committee, secretary=True)
    CommitteeMemberFactory(committee=committee)
    meeting = MeetingFactory(
        committee=committee, held_on=today + datetime.timedelta(days=5)
    )
    AgendaItemFactory(meeting=meeting)

    first = services.sweep_reminders()
    wait_for(
        lambda: (
            not AgendaNotice.objects.exclude(status=AgendaNotice.Status.SENT).exists()
            and len(mailoutbox) == 2
        ),
        what="two agendas",
    )
    second = services.sweep_reminders()
    time.sleep(2)  # long enough for a worker to send anything it was given

    assert (first.agendas_created, second.agendas_created) == (2, 0)
    assert second.agendas_dispatched == 0
    assert len(mailoutbox) == 2
    assert all(m.subject.startswith("Agenda: ") for m in mailoutbox)


def test_a_register_asked_for_on_the_page_is_built_by_a_real_worker(worker):
    officer = StaffUserFactory()
    for _ in range(30):
        ProjectFactory(programme_officer=officer)

    job = services.request_register_export(officer, {}, "en", rows_total=30)
    wait_for(
        lambda: (
            RegisterExport.objects.get(pk=job.pk).status
            in (RegisterExport.Status.READY, RegisterExport.Status.FAILED)
        ),
        what="the register's PDF",
    )

    job.refresh_from_db()
    assert (job.status, job.error) == (RegisterExport.Status.READY, "")
    assert (job.rows_done, job.rows_total) == (30, 30)
    with job.file.open("rb") as built:
        assert built.read(5) == b"%PDF-"


def in_threads(target, count):
    """Run ``target`` in ``count`` threads started together; return the outcomes."""
    barrier = threading.Barrier(count)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(target())
        except Exception as error:  # reported to the test
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
        assert not thread.is_alive(), "a sweep is stuck"
    return outcomes


def test_two_sweeps_at_once_send_each_reminder_once(worker, mailoutbox):
    for number in range(1, 4):
        project = grantee_project(number)
        due_in(30, project)
        due_in(-7, project)

    outcomes = in_threads(services.sweep_reminders, 2)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert [o.candidates for o in outcomes] == [6, 6]
    wait_for(lambda: all_sent() and len(mailoutbox) == 15, what="fifteen e-mails")
    time.sleep(1)
    sent = [(m.to[0], m.extra_headers["Message-ID"]) for m in mailoutbox]
    assert len(sent) == len(set(sent)) == Reminder.objects.count() == 15
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}


class FlakyBackend(locmem.EmailBackend):
    """A mail server that drops the line on its first two sends."""

    failures_left = 0

    def send_messages(self, messages):
        if FlakyBackend.failures_left:
            FlakyBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def quick_backoff(monkeypatch):
    """Record the retry waits the task asks for, and wait one second instead."""
    import celery.app.autoretry

    asked = []

    def backoff(*, factor, retries, maximum, full_jitter):
        asked.append(
            {
                "factor": factor,
                "retries": retries,
                "maximum": maximum,
                "full_jitter": full_jitter,
            }
        )
        return 1

    monkeypatch.setattr(
        celery.app.autoretry, "get_exponential_backoff_interval", backoff
    )
    return asked


def test_a_mail_server_failing_twice_delivers_once_and_the_row_keeps_the_history(
    worker, mailoutbox, settings, quick_backoff
):
    settings.EMAIL_BACKEND = "tests.test_worker_integration.FlakyBackend"
    FlakyBackend.failures_left = 2
    project = grantee_project()
    project.organisation.memberships.update(is_active=False)  # the PI alone
    due_in(30, project)

    services.sweep_reminders()
    wait_for(all_sent, what="the third attempt")

    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.Status.SENT
    assert reminder.attempts == 3
    assert reminder.last_error == (
        "SMTPServerDisconnected: Connection unexpectedly closed"
    )
    assert len(mailoutbox) == 1
    assert [ask["retries"] for ask in quick_backoff] == [0, 1]
    assert all(
        ask["factor"] == 30 and ask["maximum"] == 600 and ask["full_jitter"]
        for ask in quick_backoff
    )


def test_a_claim_left_by_a_killed_worker_is_sent_by_the_next_sweep(worker, mailoutbox):
    project = grantee_project()
    project.organisation.memberships.update(is_active=False)
    milestone = due_in(30, project)
    # What a worker killed between its claim and its send leaves behind.
    lost = Reminder.objects.create(
        milestone=milestone,
        rule=ReminderRule.objects.get(code="before-30", milestone_kind=""),
        recipient=project.principal_investigator,
        recipient_email=project.principal_investigator.email,
        due_on=milestone.due_on,
        status=Reminder.Status.SENDING,
        attempts=1,
        claimed_at=timezone.now() - datetime.timedelta(minutes=11),
    )

    result = services.sweep_reminders()
    wait_for(all_sent, what="the reclaimed reminder")

    lost.refresh_from_db()
    assert (result.created, result.reclaimed) == (0, 1)
    assert lost.status == Reminder.Status.SENT
    assert lost.attempts == 2
    assert len(mailoutbox) == 1


# A worker process killed with SIGKILL in the middle of a batch -------------------


class RecordingSMTPServer(socketserver.ThreadingTCPServer):
    """A mail server that keeps every message and answers each one slowly.

    It records a message as soon as its data has arrived and only then waits
    before saying "250": a worker killed in that wait has delivered an e-mail it
    never learnt about, the one place a duplicate can come from.
    """

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, delay):
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        self.delay = delay
        self.messages = []
        self.lock = threading.Lock()

    @property
    def port(self):
        return self.server_address[1]

    def message_ids(self):
        with self.lock:
            return [message["Message-ID"] for message in self.messages]


class SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(f"{text}\r\n".encode())

    def handle(self):
        self.reply("220 localhost ESMTP test server")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 localhost")
            elif command == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data)
                with self.server.lock:
                    self.server.messages.append(
                        email.message_from_bytes(b"".join(lines))
                    )
                time.sleep(self.server.delay)
                self.reply("250 OK: queued")
            elif command == "QUIT":
                self.reply("221 Bye")
                return
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                self.reply("250 OK")


@pytest.fixture
def smtp_server():
    server = RecordingSMTPServer(delay=0.3)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def database_url():
    """The test database as a DATABASE_URL for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def worker_processes(celery_app, smtp_server, tmp_path, transactional_db):
    """Start ``celery -A config worker`` processes on the test's queue."""
    started = []
    queue = celery_app.conf.task_default_queue
    environment = {
        **os.environ,
        "CELERY_BROKER_URL": celery_app.conf.broker_url,
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "KHANIJ_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "CELERY_SKIP_CHECKS": "1",
    }

    def start(name):
        log = (tmp_path / f"{name}.log").open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                f"--queues={queue}",
                f"--hostname={name}-{uuid.uuid4().hex[:6]}@%h",
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_at_most_one(
    celery_app, worker_processes, smtp_server, tmp_path
):
    project = grantee_project()
    for _ in range(8):
        due_in(30, project)
    first = worker_processes("doomed")

    result = services.sweep_reminders()
    assert result.created == 16
    wait_for(
        lambda: len(smtp_server.messages) >= 4,
        what=f"the first worker to send (log: {tmp_path / 'doomed.log'})",
    )
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    killed_at = len(smtp_server.messages)
    assert killed_at < 16, "the worker finished before it could be killed"

    worker_processes("successor")

    def settled():
        unsent = Reminder.objects.exclude(status=Reminder.Status.SENT)
        return unsent.filter(status=Reminder.Status.PENDING).count() <= 1 and (
            unsent.count() <= 1
        )

    wait_for(settled, what=f"the successor (log: {tmp_path / 'successor.log'})")
    time.sleep(1)
    # What the dead worker held is found by the next sweep once its claim is
    # stale (ten minutes; the test ages the claim instead of waiting).
    Reminder.objects.filter(status=Reminder.Status.SENDING).update(
        claimed_at=F("claimed_at") - datetime.timedelta(minutes=11)
    )
    services.sweep_reminders()
    wait_for(all_sent, what="the last reminder")

    rows = {
        f"<reminder.{pk}@khanij-rd.example>": pk
        for pk in Reminder.objects.values_list("pk", flat=True)
    }
    delivered = smtp_server.message_ids()
    assert set(delivered) == set(rows), "every reminder was delivered"
    duplicates = {mid for mid in delivered if delivered.count(mid) > 1}
    assert len(delivered) - len(set(delivered)) <= 1
    resent = Reminder.objects.filter(attempts=2)
    assert resent.count() <= 1
    if duplicates:
        (duplicate,) = duplicates
        assert rows[duplicate] == resent.get().pk
        assert "stopped before recording the send" in resent.get().last_error
