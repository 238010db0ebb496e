"""The README says what the program does: its commands, its two set-up commands, its examples."""

from __future__ import annotations

import re

from conftest import ROOT

from gcmgraph.cli import main
from gcmgraph.queries import find_query

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands_table() -> dict[str, str]:
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `gcmgraph (\w+)[^`]*` \| (.+?) \|$", section, flags=re.MULTILINE)
    return dict(rows)


def test_readme_lists_every_command_with_its_help_summary() -> None:
    table = _commands_table()
    for name, command in main.commands.items():
        summary = (command.help or "").strip().splitlines()[0]
        assert table.get(name) == summary, name
    assert set(table) == set(main.commands)


def test_every_command_help_has_an_example() -> None:
    for name, command in main.commands.items():
        assert "Example: gcmgraph" in (command.help or ""), name


def test_ci_runs_exactly_the_readme_test_command() -> None:
    blocks = re.findall(r"```sh\n(.+?)\n```", README, flags=re.DOTALL)
    install_and_query, tests = blocks[0], blocks[1]
    assert "gcmgraph query thematic-sessions" in install_and_query
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_queries_named_in_the_readme_exist() -> None:
    for name in set(re.findall(r"gcmgraph (?:query|show) ([a-z][a-z-]+)", README)):
        assert find_query(name).name == name
