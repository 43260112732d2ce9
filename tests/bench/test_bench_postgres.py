"""bench/run's PostgreSQL mode, its output contract (make test-bench): one short round.

As for the SQLite mode, the figures are not judged here (bench/RESULTS.md records full runs);
what is checked is what a reader of the table or a script reading the JSON line relies on: 1, 2
and 4 nodes were measured, every request was answered as intended, every verify run carries
PostgreSQL's own figures per request, and the table says what the JSON says. Where a cgroup v1
CPU controller is writable (root), the quota model runs too and the goal's line is printed.
"""
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUOTA = os.geteuid() == 0 and Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").exists()
LABEL = 40  # the table's first column in PostgreSQL mode


@pytest.fixture(scope="module")
def pg_run():
    env = dict(os.environ, BENCH_DATABASE="postgres", BENCH_SECONDS="1", BENCH_ROUNDS="1", BENCH_APPS="4")
    if QUOTA:
        env["BENCH_NODE_CPU"] = "0.07"
    out = subprocess.run([str(ROOT / "bench" / "run")], capture_output=True, text=True, env=env, timeout=900)
    assert out.returncode == 0, f"bench/run failed ({out.returncode}):\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    lines = out.stdout.strip().splitlines()
    return lines, json.loads(lines[-1])


def runs(figures):
    """Every measured run: (label in the table, its figures)."""
    groups = [("", figures)] + ([(", 0.07 core each", figures["node_cpu_limited"])] if QUOTA else [])
    for label, group in groups:
        for name in ("validate", "verify"):
            yield f"{name}, 1 node{label}", group[f"{name}_1_node"]
            if QUOTA and group is not figures:
                yield f"{name}, 1 node, half the load", group[f"{name}_1_node_half_load"]
                yield f"{name}, 1 node, a quarter of the load", group[f"{name}_1_node_quarter_load"]
            for n in (2, 4):
                yield f"{name}, {n} nodes{label}", group[f"{name}_{n}_nodes"]


def test_one_two_and_four_nodes_answered_as_intended(pg_run):
    _, figures = pg_run
    assert figures["settings"]["node_counts"] == [1, 2, 4]
    assert figures["settings"]["verify_users"] == {"apps": 4, "users": 256}
    for label, r in runs(figures):
        assert r["rps"] > 0 and 0 < r["p50_ms"] <= r["p99_ms"], (label, r)
        assert (r["non_2xx"], r["script_errors"]) == (0, 0), (label, r)
    for n in (2, 4):
        assert len(figures[f"verify_{n}_nodes"]["per_node_rps"]) == n
        assert figures[f"verify_{n}_over_1"] == figures[f"verify_{n}_nodes"]["rps"] / figures["verify_1_node"]["rps"]
    assert figures["ceilings"]["pgbench_single_row_update_tps"] > 0


def test_every_verify_run_has_postgresql_figures_per_request(pg_run):
    _, figures = pg_run
    for label, r in runs(figures):
        if not label.startswith("verify"):
            assert "postgres" not in r, label
            continue
        p, w = r["postgres"], r["postgres_backends"]
        # every request writes (a challenge made, or answered) and is committed; a commit waits
        # for a WAL sync, which concurrent commits may share; the WAL writer's own syncs (of what
        # reads wrote: pruned pages) come on top, the more of them per commit the lighter the
        # load, but never several per commit
        assert 0.9 <= p["write_transactions_per_request"] <= p["commits_per_request"], (label, p)
        assert p["wal_bytes_per_request"] > 0 and p["wal_records_per_request"] > 0, (label, p)
        assert 0 < p["wal_syncs_per_write_transaction"] <= 2, (label, p)
        assert p["cpu_ms_per_request"] > 0 and p["blocks_hit_per_request"] > 0, (label, p)
        assert p["wal_sync_ms_each"] > 0, (label, p)  # track_wal_io_timing is on
        assert p["lock_wait_ms_per_request"] >= 0 and p["wal_flush_wait_ms_per_request"] >= 0, (label, p)
        assert w["samples"] > 0 and 0 <= w["lock_share_of_busy"] <= 1, (label, w)
        assert all(k.split(":")[0] in ("Lock", "LWLock", "IO", "Client", "IPC", "Timeout", "Activity", "Extension")
                   for k in w["by_event"]), (label, w)


def row(lines, label):
    found = [line for line in lines if line[:LABEL].rstrip() == label]
    assert len(found) == 1, (label, lines)
    return found[0][LABEL:].split()


def test_table_says_what_the_json_says(pg_run):
    lines, figures = pg_run
    assert any(line.startswith("verify: 256 users (TOTP, sandbox) over 4 applications") for line in lines)
    for label, r in runs(figures):
        rps, p50, p99 = row(lines, label)[:3]
        assert (int(rps), float(p50), float(p99)) == (round(r["rps"]), round(r["p50_ms"], 2), round(r["p99_ms"], 2)), label
    per_request = [line for line in lines if line.lstrip().startswith("PostgreSQL per request: CPU")]
    assert len(per_request) == (3 + (5 if QUOTA else 0)), lines
    if QUOTA:
        goal = figures["node_cpu_limited"]["goal"]
        line = next(line for line in lines if line.startswith("goal, 4 nodes under the quota:"))
        printed = re.search(r"verify (\d+\.\d\d) x the best one-node run", line)
        # the line rounds the ratio to two places, the JSON keeps it to four
        assert printed and abs(float(printed.group(1)) - goal["verify_ratio"]) <= 0.005 + 1e-9, (line, goal)


def test_unknown_node_count_is_refused_before_anything_runs():
    env = dict(os.environ, BENCH_DATABASE="postgres", BENCH_NODES="1,3")
    out = subprocess.run([str(ROOT / "bench" / "run")], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode != 0 and "BENCH_NODES" in out.stderr and out.stdout == ""
