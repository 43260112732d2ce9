"""Both dialects' migrations make one schema.

The store's statements are written once for SQLite and PostgreSQL (src/store/store_sql.c), while
each dialect keeps its own migrations (src/store/migrations/<dialect>/): a column, key or index added
to one and forgotten in the other would only show when a statement ran on that dialect. So a fresh
SQLite file and a fresh PostgreSQL database, each brought to the latest schema by `twofold migrate`,
must have the same tables, the same columns (of corresponding types, NOT NULL alike), the same
primary and unique keys and the same named indexes (columns, uniqueness, partial or not), but for
the differences listed below, which each dialect needs.
"""
import sqlite3

import pytest

import pg_cluster
from harness import ON_POSTGRES, run_cli

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs the PostgreSQL cluster of TWOFOLD_TEST_DATABASE=postgres")

# (dialect, table, column or None): what one dialect has and the other need not
OWN = {
    # each audit chain's head row, locked FOR UPDATE by the chain's writers (SQLite's single
    # writer serialises the chains by itself)
    ("postgres", "audit_chain_heads", None),
    # breaks ties between challenges created in the same millisecond, as SQLite's rowid does
    ("postgres", "challenges", "ordinal"),
}

# (table, column): types that differ on purpose. SQLite's 0001 declared the recorded answer TEXT;
# it holds the sealed bytes bound to it, which SQLite keeps as a blob whatever the column says.
TYPES_APART = {("idempotency", "body"): ("text", "bytes")}

KINDS = {"integer": "integer", "bigint": "integer", "smallint": "integer", "text": "text", "blob": "bytes",
         "bytea": "bytes"}


def empty_schema():
    return {"tables": {}, "keys": set(), "indexes": {}}


def sqlite_schema(path):
    s = empty_schema()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%'")]
        for t in tables:
            info = db.execute(f"PRAGMA table_info({t})").fetchall()
            # a primary key column is NOT NULL on PostgreSQL whatever it says; SQLite's says it
            s["tables"][t] = {name: (KINDS[decl.lower()], bool(notnull or pk)) for _, name, decl, notnull, _, pk in info}
            pk = tuple(name for *_, name, _, _, _, pk in sorted(info, key=lambda r: r[5]) if pk)
            if pk:
                s["keys"].add((t, pk))
            for _, name, unique, origin, partial in db.execute(f"PRAGMA index_list({t})"):
                cols = tuple(r[2] for r in db.execute(f"PRAGMA index_info({name})"))
                if origin == "c":
                    s["indexes"][name] = (t, cols, bool(unique), bool(partial))
                else:  # a primary key's or a UNIQUE constraint's
                    s["keys"].add((t, cols))
    finally:
        db.close()
    return s


def postgres_schema(cluster, database):
    s = empty_schema()
    rows = cluster.psql("SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
                        "WHERE table_schema = 'public'", db=database)
    for line in rows.splitlines():
        t, name, decl, nullable = line.split("|")
        s["tables"].setdefault(t, {})[name] = (KINDS[decl], nullable == "NO")
    rows = cluster.psql("SELECT t.relname, i.relname, x.indisunique, x.indpred IS NOT NULL, "
                        "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid), "
                        "(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n) "
                        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) "
                        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                        "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'", db=database)
    for line in rows.splitlines():
        t, name, unique, partial, constraint, cols = line.split("|")
        if constraint == "t":
            s["keys"].add((t, tuple(cols.split(","))))
        else:
            s["indexes"][name] = (t, tuple(cols.split(",")), unique == "t", partial == "t")
    return s


def without_own(schema, dialect):
    tables = {}
    for t, cols in schema["tables"].items():
        if (dialect, t, None) in OWN:
            continue
        tables[t] = {c: v for c, v in cols.items() if (dialect, t, c) not in OWN}
    keys = {k for k in schema["keys"] if k[0] in tables}
    indexes = {n: v for n, v in schema["indexes"].items() if v[0] in tables}
    return tables, keys, indexes


def test_both_migrated_schemas_are_one(tmp_path):
    r = run_cli("migrate", "--data", tmp_path / "sqlite")
    assert r.returncode == 0, r.stderr
    lite = sqlite_schema(tmp_path / "sqlite" / "twofold.db")
    cluster = pg_cluster.cluster()
    url = cluster.new_database()
    r = run_cli("migrate", "--data", tmp_path / "postgres", env={"TWOFOLD_DATABASE": url})
    assert r.returncode == 0, r.stderr
    pg = postgres_schema(cluster, url.rsplit("/", 1)[1])

    # what OWN and TYPES_APART name is there
    for dialect, t, c in OWN:
        tables = (lite if dialect == "sqlite" else pg)["tables"]
        assert t in tables and (c is None or c in tables[t]), (dialect, t, c)
    for (t, c), (lite_kind, pg_kind) in TYPES_APART.items():
        assert lite["tables"][t][c][0] == lite_kind and pg["tables"][t][c][0] == pg_kind, (t, c)
        lite["tables"][t][c] = pg["tables"][t][c]

    lite_tables, lite_keys, lite_indexes = without_own(lite, "sqlite")
    pg_tables, pg_keys, pg_indexes = without_own(pg, "postgres")
    assert sorted(lite_tables) == sorted(pg_tables)
    assert len(lite_tables) > 20 and "schema_migrations" in lite_tables
    for t in lite_tables:
        assert lite_tables[t] == pg_tables[t], t
    assert sorted(lite_keys) == sorted(pg_keys)
    assert lite_indexes == pg_indexes
