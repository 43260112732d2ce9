"""Every statement of both stores finds its rows through an index.

A statement that reads a whole table costs nothing in a test database and grows with every user,
session and payment in production, where it runs on the single writer: registrations used to read
every SSO token ever issued, each approved payment every transaction of its application, and
deleting an expired unverified user every session, factor and device, for the foreign-key checks
(migration 0013). The statements are store_sql.c's, taken through the C preprocessor (they are built
from macros), each as its dialect's driver prepares it; the schema is the one `twofold migrate` makes.
PostgreSQL's planner reads small tables whole whatever the indexes, so its plans are asked for
with sequential scans priced out (enable_seqscan = off: one that stays has no index to replace
it) and as generic plans (the parameters' values unknown, as in the store's prepared statements).
"""
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from harness import ON_POSTGRES, run_cli

ROOT = Path(__file__).resolve().parents[2]

# the whole table is what these statements are for
READS_WHOLE_TABLE = {
    "S_AUDIT_V1_CLEAR": "SCAN audit_log",  # empties the single chain of earlier builds, once moved
    "S_AUDIT_CHAINS": "SCAN c USING INDEX sqlite_autoindex_audit_chains_1",  # the chains, by name, a page at a time
    "S_PING": "SCAN CONSTANT ROW",  # SELECT 1
    "S_OTHER_CLIENTS": "SCAN CONSTANT ROW",  # SELECT 0: SQLite cannot tell
    "S_TRA_FIRST_DAYS": "SCAN tra_types USING INDEX sqlite_autoindex_tra_types_1",  # the quarterly evaluation: one row per application and payment type
    "S_TRA_BANDS_ALL": "SCAN tra_bands USING INDEX sqlite_autoindex_tra_bands_1",  # the art. 21 report: every band's state, 6 rows per application
}

PG_READS_WHOLE_TABLE = {
    "S_AUDIT_V1_SCAN": "audit_log",  # the single chain of earlier builds, read once to move it
    "S_AUDIT_V1_CLEAR": "audit_log",
    "S_TRA_FIRST_DAYS": "tra_types",  # as on SQLite
    "S_TRA_BANDS_ALL": "tra_bands",
}

TOKENS = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\.\w+|\w+|\(\(void \*\)0\)|[][{}=,+])')


def sqlite_text(sql):
    """What the SQLite driver prepares (sqlite_sql_text in store_sqlite.c): ?N for $N, and no
    COLLATE "C" (bytewise order is SQLite's default)."""
    parts = sql.split("'")
    for i in range(0, len(parts), 2):  # outside quotes
        parts[i] = re.sub(r"\$(\d)", r"?\1", parts[i].replace(' COLLATE "C"', ""))
    return "'".join(parts)


FIELDS = ("name", "both", "sqlite", "postgres", "locks_user", "pipelined", "batch_read")  # struct stmt_sql


def statements(dialect="sqlite"):
    """{statement id: its text in dialect} from stmt_table (a dialect's own text wins over both)."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    flags = subprocess.run(["pkg-config", "--cflags", "sqlite3", "jansson", "libsodium", "libpq"], capture_output=True,
                           text=True, check=True).stdout.split()
    text = subprocess.run([cc, "-E", "-P", "-D_GNU_SOURCE", f"-I{ROOT / 'src'}", f"-I{ROOT / 'build' / 'gen'}", *flags,
                           str(ROOT / "src" / "store" / "store_sql.c")],
                          capture_output=True, text=True, check=True).stdout
    table = text[text.index("stmt_table[S__MAX] ="):]
    tokens = TOKENS.findall(table[table.index("{") + 1:])
    found, i = {}, 0
    while tokens[i] == "[":
        close = tokens.index("]", i)
        key, i = " ".join(tokens[i + 1:close]), close + 3  # past "] = {"
        fields, field = {}, 0
        while tokens[i] != "}":
            if tokens[i].startswith("."):
                field, i = FIELDS.index(tokens[i][1:]), i + 2
            value = ""
            while tokens[i].startswith('"'):
                value, i = value + tokens[i][1:-1], i + 1
            if tokens[i] == "((void *)0)" or field >= 4:  # NULL, or a flag's value (locks_user, pipelined, batch_read)
                i += 1
            if value:
                fields[field] = value.encode().decode("unicode_escape")  # C's escapes: \" in COLLATE "C"
            field, i = field + 1, i + (tokens[i] == ",")
        i += 1 + (tokens[i + 1] == ",")
        sql = fields.get(2 if dialect == "sqlite" else 3, fields.get(1))
        if sql:
            found[key] = sqlite_text(sql) if dialect == "sqlite" else sql
    return found


def explain(db, text):
    """The plan's lines, with every parameter NULL (Python's sqlite3 wants as many values as the
    statement has parameters, and does not say how many that is)."""
    for n in range(64):
        try:
            return db.execute("EXPLAIN QUERY PLAN " + text, [None] * n).fetchall()
        except sqlite3.ProgrammingError:
            continue
    raise AssertionError(f"could not explain {text}")


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite store's statements; the next test is PostgreSQL's")
def test_no_statement_reads_a_whole_table(tmp_path):
    sql = statements()
    assert len(sql) > 80 and "S_USER_PURGE_SSO" in sql and "S_TXN_BY_CHALLENGE" in sql, sorted(sql)
    r = run_cli("migrate", "--data", tmp_path / "data")
    assert r.returncode == 0, r.stderr
    db = sqlite3.connect(f"file:{tmp_path / 'data' / 'twofold.db'}?mode=ro", uri=True)
    db.execute("PRAGMA foreign_keys=ON")  # as the store runs: deletes check the rows pointing at them
    whole = {}
    try:
        for name, text in sorted(sql.items()):
            plan = explain(db, text)
            # a whole table, or all of an application's rows (only apps has one row per app_id)
            # ("SCAN n CONSTANT ROWS" is a VALUES list of n rows, not a table)
            scans = [row[3] for row in plan if (row[3].startswith("SCAN") and not re.fullmatch(r"SCAN \d+ CONSTANT ROWS", row[3])) or
                     (re.fullmatch(r"SEARCH (\w+) USING .*\(app_id=\?\)", row[3]) and not row[3].startswith("SEARCH apps "))]
            scans = [s for s in scans if s != READS_WHOLE_TABLE.get(name)]
            if scans:
                whole[name] = scans
    finally:
        db.close()
    assert not whole, f"statements that read a whole table, index or application: {whole}"
    assert all(name in sql for name in READS_WHOLE_TABLE), "READS_WHOLE_TABLE names a statement that is gone"


@pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL store's statements")
def test_no_postgresql_statement_reads_a_whole_table(server):
    sql = statements("postgres")
    assert len(sql) > 80 and "S_USER_PURGE_SSO" in sql and "S_SWEEP_CHALLENGES" in sql, sorted(sql)
    script = ["SET plan_cache_mode = force_generic_plan;", "SET enable_seqscan = off;"]
    for name, text in sorted(sql.items()):
        n = max((int(k) for k in re.findall(r"\$(\d+)", text)), default=0)
        script += [f"\\echo =={name}", f"PREPARE s AS {text};",
                   f"EXPLAIN EXECUTE s{'(' + ', '.join(['NULL'] * n) + ')' if n else ''};", "DEALLOCATE s;"]
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", server.database],
                         input="\n".join(script), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    plans, name = {}, None
    for line in out.stdout.splitlines():
        if line.startswith("=="):
            name = line[2:]
            plans[name] = []
        elif name:
            plans[name].append(line)
    assert set(plans) == set(sql)
    whole = {}
    for name, lines in plans.items():
        bad = []
        for i, line in enumerate(lines):
            m = re.search(r"(Seq Scan|Index Scan|Index Only Scan)(?: Backward)?(?: using \S+)? on (\w+)", line)
            if not m or m.group(2) == PG_READS_WHOLE_TABLE.get(name):
                continue
            # the node's own detail lines, indented under it, up to the next node
            depth = len(line) - len(line.lstrip())
            details = []
            for follow in lines[i + 1:]:
                if "->" in follow or len(follow) - len(follow.lstrip()) <= depth:
                    break
                details.append(follow.strip())
            if m.group(1) == "Seq Scan" or not any(d.startswith("Index Cond:") for d in details):
                bad.append(line.strip())
        if bad:
            whole[name] = bad
    assert not whole, f"statements that read a whole table or index: {whole}"
