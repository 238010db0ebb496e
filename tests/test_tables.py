"""Tables for people fit the terminal (100 columns when stdout is not one); the machine formats
carry every value whole."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import struct
import subprocess
import sys
from xml.etree import ElementTree as ET

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import ROOT, typed_query

from gcmgraph.cli import main
from gcmgraph.render import DEFAULT_WIDTH, render_result, text_width
from gcmgraph.results import QueryResult

ID = "https://w3id.org/gcmgraph/id/"
THEME = (
    "Smuggling of migrants, trafficking in persons and contemporary forms of slavery, "
    "including appropriate identification, protection and assistance"
)
# "Informal thematic session on smuggling" in Chinese: 2 terminal columns per character.
WIDE = "关于偷运移民和贩运人口以及当代形式奴役问题的非正式专题会议，包括适当的识别、保护和援助"


def result(variables: list[str], rows: list[list[ox.NamedNode | ox.Literal | None]]) -> QueryResult:
    return QueryResult(form="SELECT", variables=tuple(variables), rows=tuple(tuple(r) for r in rows))


def sessions(label: str = THEME) -> QueryResult:
    """Three sessions: a key of names, a long text column, a column of names and a date."""
    return result(
        ["session", "theme", "city", "start_date"],
        [
            [
                ox.NamedNode(f"{ID}event/thematic-session-{n}"),
                ox.Literal(label),
                ox.NamedNode(f"{ID}place/{city}"),
                ox.Literal(f"2017-{month}", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
            ]
            for n, city, month in [(1, "geneva", "05-08"), (5, "vienna", "09-04"), (6, "geneva", "10-12")]
        ],
    )


def lines(content: bytes) -> list[str]:
    return content.decode().splitlines()


def column_starts(line: str, cells: list[str]) -> list[int]:
    """The display column where each of ``cells`` begins in ``line``."""
    starts, position = [], 0
    for cell in cells:
        index = line.index(cell, position)
        starts.append(text_width(line[:index]))
        position = index + len(cell)
    return starts


def test_a_table_fits_100_columns_by_cutting_text_not_the_key_or_names() -> None:
    table = lines(render_result(sessions(), "table", key=["session"]))
    assert max(text_width(line) for line in table) <= DEFAULT_WIDTH
    assert table[0].split() == ["session", "theme", "city", "start_date"]
    first = table[2]
    assert first.startswith("event:thematic-session-1  ")  # the key, whole, as a prefixed name
    assert "place:geneva" in first and "2017-05-08" in first  # names and short values stay whole
    cut = first.split("  ")[1]
    assert cut.endswith("…") and THEME.startswith(cut[:-1]) and len(cut) < len(THEME)


def test_wide_characters_are_measured_by_the_columns_they_take() -> None:
    table = lines(render_result(sessions(WIDE), "table", key=["session"]))
    assert max(text_width(line) for line in table) == DEFAULT_WIDTH  # Chinese text takes two columns a character
    assert max(len(line) for line in table[2:]) < DEFAULT_WIDTH  # fewer characters than columns
    starts = {
        tuple(column_starts(line, [city, date]))
        for line, city, date in zip(
            table[2:],
            ["place:geneva", "place:vienna", "place:geneva"],
            ["2017-05-08", "2017-09-04", "2017-10-12"],
            strict=True,
        )
    }
    assert len(starts) == 1  # the columns after the Chinese text line up


def test_wide_shows_every_value_whole() -> None:
    table = render_result(sessions(), "table", width=None).decode()
    assert table.count(THEME) == 3
    assert "…" not in table


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "markdown"])
def test_machine_formats_carry_every_value_whole(fmt: str) -> None:
    long_result = sessions()
    encoded = json.dumps(
        {
            "head": {"vars": list(long_result.variables)},
            "results": {
                "bindings": [
                    {
                        v: (
                            {"type": "uri", "value": t.value}
                            if isinstance(t, ox.NamedNode)
                            else {"type": "literal", "value": t.value}
                        )
                        for v, t in zip(long_result.variables, row, strict=True)
                    }
                    for row in long_result.rows
                ]
            },
        }
    ).encode()
    whole = QueryResult(form="SELECT", variables=long_result.variables, rows=long_result.rows, results_json=encoded)
    text = render_result(whole, fmt, key=["session"]).decode()
    if fmt == "csv":
        values = [row["theme"] for row in csv.DictReader(io.StringIO(text))]
    elif fmt == "tsv":
        values = [line.split("\t")[1].strip('"') for line in text.splitlines()[1:]]
    elif fmt == "json":
        values = [b["theme"]["value"] for b in json.loads(text)["results"]["bindings"]]
    elif fmt == "xml":
        ns = "{http://www.w3.org/2005/sparql-results#}"
        values = [
            b.findtext(f"{ns}literal") for b in ET.fromstring(text).iter(f"{ns}binding") if b.get("name") == "theme"
        ]
    else:
        values = [line.split(" | ")[1] for line in text.splitlines()[2:]]
    assert values == [THEME] * 3


def test_a_result_too_wide_for_columns_is_shown_one_block_per_row() -> None:
    names = [f"column_{n}" for n in range(14)]
    row = [ox.Literal(f"value {n} " * 4) for n in range(14)]
    table = lines(render_result(result(names, [row, row]), "table"))
    assert max(text_width(line) for line in table) <= DEFAULT_WIDTH
    assert table[:2] == ["column_0   value 0 value 0 value 0 value 0", "column_1   value 1 value 1 value 1 value 1"]
    assert table[14] == "" and table[15].startswith("column_0 ")
    assert len(table) == 2 * 14 + 1


def test_the_command_fits_100_columns_when_stdout_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # a terminal's width does not apply to a file or a pipe
    args = typed_query(THEME)
    table = CliRunner().invoke(main, args).stdout
    assert max(text_width(line) for line in table.splitlines()) == DEFAULT_WIDTH
    assert THEME not in table
    assert THEME in CliRunner().invoke(main, [*args, "--wide"]).stdout
    assert next(csv.DictReader(io.StringIO(CliRunner().invoke(main, [*args, "-f", "csv"]).stdout)))["_name_en"] == THEME


def _in_a_terminal(columns: int, *args: str) -> str:
    """What the real command prints into a pseudo-terminal ``columns`` wide."""
    import fcntl
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    process = subprocess.Popen(
        [sys.executable, "-m", "gcmgraph", *args], cwd=ROOT, stdout=follower, stderr=subprocess.PIPE, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed when the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [60, 160])
def test_the_command_fits_the_terminal_it_prints_to(columns: int) -> None:
    text = _in_a_terminal(columns, "query", "objectives")
    widths = [text_width(line) for line in text.splitlines()]
    assert max(widths) <= columns
    # Objective 1's title (GCM paragraph 17) is cut to make room; the objectives' names are whole.
    assert "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies" not in text
    assert "Collect and" in text and "…" in text
    assert "objective:gcm-1" in text and "objective:gcm-23" in text


def test_gathered_sources_are_shown_as_prefixed_names_and_kept_whole_in_csv() -> None:
    # As vote-tallies gathers the two sources of the 2018 endorsement vote.
    gathered = f"{ID}document/reference-public-record; {ID}document/a-res-73-195"
    result = QueryResult(form="SELECT", variables=("source",), rows=[[ox.Literal(gathered)]])
    assert "document:reference-public-record; document:a-res-73-195" in render_result(result, "table").decode()
    assert gathered in render_result(result, "csv").decode()
    # Text that merely contains an IRI is shown as written.
    prose = ox.Literal(f"see {ID}document/gcm; or not")
    assert (
        f"see {ID}document/gcm; or not"
        in render_result(QueryResult(form="SELECT", variables=("note",), rows=[[prose]]), "table", width=None).decode()
    )
