"""The SQL floor of a page: its own statements run straight on the database.

Also the query plans (EXPLAIN) printed for the largest PostgreSQL size.
"""

import re
import time

from pagebench.config import FRAMEWORK_TABLES


def is_page_sql(sql, user_table):
    """Whether a statement is the page's own read (not session, user, permissions)."""
    text = sql.lstrip().upper()
    if not (text.startswith("SELECT") or text.startswith("WITH")):
        return False
    if any(f'"{table}' in sql for table in FRAMEWORK_TABLES):
        return False
    if f'"{user_table}_groups"' in sql or f'"{user_table}_user_permissions"' in sql:
        return False
    # The signed-in user, loaded by the authentication middleware.
    own_user = re.compile(
        rf'^SELECT .* FROM "{user_table}" WHERE "{user_table}"\."id" = %s LIMIT 21$',
        re.S,
    )
    return not own_user.match(sql.strip())


def run_statements(statements, per_statement=None):
    """Run captured statements on a plain cursor, fetching every row; return ms."""
    from django.db import connection

    total = 0.0
    with connection.cursor() as cursor:
        for number, (sql, params) in enumerate(statements):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            elapsed = (time.perf_counter() - started) * 1000
            total += elapsed
            if per_statement is not None:
                per_statement[number].append(elapsed)
    return total


def top_level(sql):
    """Return ``sql`` with every parenthesised part shortened to ``(...)``."""
    out, depth = [], 0
    for char in sql:
        if char == "(":
            if depth == 0:
                out.append("(...)")
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(char)
    return "".join(out)


def describe(sql):
    """Say in a line what a statement reads and returns, from its SQL."""
    outer = top_level(sql)
    tables = re.findall(r'FROM "(\w+)"', outer) or re.findall(r'FROM "(\w+)"', sql)
    joins = list(dict.fromkeys(re.findall(r'JOIN "(\w+)"', outer)))
    names = list(dict.fromkeys(re.findall(r'AS "(\w+)"', outer)))
    names = [name for name in names if name not in ("a", "__count")]
    parts = [f"reads `{tables[0]}`" if tables else "reads a derived table"]
    if joins:
        parts.append("joined to " + ", ".join(f"`{name}`" for name in joins))
    subqueries = sql.count("(SELECT") + sql.count("( SELECT")
    if subqueries:
        parts.append(f"{subqueries} subquer{'y' if subqueries == 1 else 'ies'}")
    if re.match(r'SELECT %s AS "a" FROM', sql.strip()):
        parts.append("checks that a row exists")
    elif re.match(r'SELECT COUNT\(\*\) AS "__count"', sql.strip()):
        parts.append("counts the rows")
    elif names:
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        parts.append(f"computes {shown}")
    if " GROUP BY " in outer:
        parts.append("grouped")
    if re.search(r" UNION( ALL)? ", sql):
        parts.append("a union")
    limit = re.search(r"LIMIT (\d+)\s*(OFFSET \d+)?\s*$", outer.strip())
    if limit and not re.match(r'SELECT %s AS "a" FROM', sql.strip()):
        count = int(limit.group(1))
        parts.append("one row" if count == 1 else f"first {count} rows")
    return "; ".join(parts)


def explain(statements):
    """Return [(purpose, plan text)] of EXPLAIN (ANALYZE, BUFFERS) on each."""
    from django.db import connection

    plans = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            plans.append({"purpose": describe(sql), "plan": plan})
    return plans


def sweep_candidate_statement():
    """Return (sql, params) of the reminder sweep's candidate query for today."""
    from django.db import connection
    from django.utils import timezone

    from grants import reminders
    from grants.models import ReminderRule
    from grants.services.reminders import candidate_milestones

    ladder = reminders.Ladder(ReminderRule.objects.all())
    rows = candidate_milestones(ladder, timezone.localdate()).values_list(
        "pk", "kind", "due_on"
    )
    return rows.query.get_compiler(connection=connection).as_sql()
