"""Bounded work: --timeout bounds the whole command (reading, inference, validation, the query),
--max-rows stops a runaway SELECT while it streams, bad limits are usage errors, and absurd
literals are one-line errors or handled, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gcmgraph.cli import main

SLOW_JOIN = "tests/fixtures/queries/slow-join.rq"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(main, list(args))


def assert_one_line_error(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: {message}\n"
    assert "Traceback" not in result.stderr


def gcmgraph(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """The command in its own process (the watchdog ends a process, so never pytest's own)."""
    env = {**os.environ, "GCMGRAPH_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "gcmgraph", *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.mark.parametrize("value", ["inf", "nan", "1e10", "-1", "0", "abc", "-inf"])
@pytest.mark.parametrize("command", [["query", "thematic-sessions"], ["validate"], ["export"], ["describe", "Vienna"]])
def test_invalid_timeouts_are_usage_errors(command: list[str], value: str) -> None:
    result = run(*command, "--timeout", value)
    reason = "give a number of seconds" if value == "abc" else "give a number of seconds above 0 and at most 86400"
    assert_one_line_error(result, f"--timeout {value!r}: {reason}")


def test_the_default_timeout_comes_from_the_environment() -> None:
    assert run("query", "thematic-sessions").exit_code == 0  # the bundled graph's store is built
    result = run("query", SLOW_JOIN, env={"GCMGRAPH_TIMEOUT": "0.5"})
    assert_one_line_error(result, f"{SLOW_JOIN}: stopped after 0.5 s (raise it with --timeout)")
    bad = run("query", "thematic-sessions", env={"GCMGRAPH_TIMEOUT": "forever"})
    assert_one_line_error(bad, "GCMGRAPH_TIMEOUT 'forever': give a number of seconds")


def test_a_cross_join_stops_at_the_row_limit_with_bounded_memory(tmp_path: Path) -> None:
    query = tmp_path / "cross.rq"
    query.write_text("#+ summary: every pair of triples\nSELECT * { ?a ?b ?c . ?d ?e ?f }\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "gcmgraph", "query", str(query), "-f", "json", "--timeout", "120"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    out, err = process.stdout.read(), process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 2
    assert out == b""
    assert err.decode() == f"Error: {query}: more than 100000 rows (raise it with --max-rows)\n"
    # The bundled graph's 8,800 triples squared are 77 million rows (the old code grew to 4.9 GB
    # before it was killed); streamed, the query stops after 100,001 of them.
    assert usage.ru_maxrss * 1024 < 1024**3


def _transitive_chain(tmp_path: Path, length: int = 3000) -> Path:
    """A chain of one transitive property: its OWL RL closure has 4.5 million triples."""
    path = tmp_path / "chain.ttl"
    lines = ["<https://e.org/p> a <http://www.w3.org/2002/07/owl#TransitiveProperty> ."]
    lines += [f"<https://e.org/n{i}> <https://e.org/p> <https://e.org/n{i + 1}> ." for i in range(length)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_inference_that_does_not_return_is_ended_at_the_deadline(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    done = gcmgraph(
        "query",
        "thematic-sessions",
        "--inferred",
        "--data",
        str(_transitive_chain(tmp_path)),
        "--timeout",
        "3",
        cache=cache,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "Error: stopped after 3 s while computing the OWL RL entailments (raise it with --timeout)\n"
    assert not any((cache / "building").iterdir())  # the half-built store was removed
    assert not (cache / "stores").exists() or not any((cache / "stores").iterdir())


def test_reading_big_files_is_bounded_too(tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    with path.open("w") as out:
        for n in range(600_000):
            out.write(f'<https://e.org/s{n}> <https://e.org/p> "{n}" .\n')
    cache = tmp_path / "cache"
    done = gcmgraph("query", "thematic-sessions", "--data", str(path), "--timeout", "0.5", cache=cache)
    assert done.returncode == 2
    assert done.stderr.startswith("Error: stopped after 0.5 s while ")
    assert done.stderr.endswith(" (raise it with --timeout)\n") and done.stderr.count("\n") == 1
    assert not any((cache / "building").iterdir())


def test_validate_is_bounded_by_the_timeout(tmp_path: Path) -> None:
    chain = str(_transitive_chain(tmp_path))
    done = gcmgraph("validate", chain, "--inference", "owlrl", "--timeout", "3", cache=tmp_path / "cache")
    assert done.returncode == 2
    assert done.stderr.startswith("Error: stopped after 3 s") and done.stderr.count("\n") == 1


# -- absurd literals --------------------------------------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("literal", "reason"),
    [
        (
            f'"{"9" * 5000}"^^<{XSD}integer>',
            "'99999999999999999999…99999999' has 5000 digits; gcmgraph reads integers of at most 4300 digits",
        ),
        (
            f'"99999999999-01-01"^^<{XSD}date>',
            "'99999999999-01-01' has a year outside 1 to 9999, the years gcmgraph can check",
        ),
        (f'"-0044-03-15"^^<{XSD}date>', "'-0044-03-15' has a year outside 1 to 9999, the years gcmgraph can check"),
        (
            f'"{"9" * 5000}-01-01"^^<{XSD}date>',
            "'99999999999999999999…99-01-01' has a year outside 1 to 9999, the years gcmgraph can check",
        ),
    ],
)
def test_absurd_literals_are_one_line_errors_with_their_line(tmp_path: Path, literal: str, reason: str) -> None:
    path = tmp_path / "absurd.nt"
    path.write_text(f'<https://e.org/a> <https://e.org/p> "fine" .\n<https://e.org/a> <https://e.org/q> {literal} .\n')
    assert_one_line_error(run("query", "thematic-sessions", "--data", str(path)), f"{path}:2: {reason}")


def test_validate_reports_an_absurd_literal_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "absurd.ttl"
    path.write_text(f'<https://e.org/a> <https://e.org/q> "{"9" * 5000}"^^<{XSD}integer> .\n')
    result = run("validate", str(path), "--format", "json")
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert any(f["line"] == 1 and "has 5000 digits" in f["message"] for f in findings), findings


def test_a_one_megabyte_string_is_handled(tmp_path: Path) -> None:
    value = "GCM " * 262_144
    path = tmp_path / "long.nt"
    path.write_text(f'<https://e.org/a> <https://e.org/p> "{value}" .\n')
    query = tmp_path / "long.rq"
    query.write_text("#+ summary: long\nSELECT ?v WHERE { <https://e.org/a> <https://e.org/p> ?v }\n")
    whole = run("query", str(query), "--data", str(path), "-f", "json")
    assert whole.exit_code == 0, whole.stderr
    assert json.loads(whole.stdout)["results"]["bindings"][0]["v"]["value"] == value
    table = run("query", str(query), "--data", str(path))
    line = table.stdout.splitlines()[2]  # the table fits 100 columns: the value is cut, and says so
    assert table.exit_code == 0 and line.endswith("…") and len(line) <= 100 and value.startswith(line[:-1])
