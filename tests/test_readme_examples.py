"""Every example in the README's ```console blocks runs and prints what the README shows.

In a console block each ``$ gcmgraph ...`` line is run with click's CliRunner, in a fresh working
folder per block (so ``-o FILE`` writes there), and the lines below it are what it prints to the
terminal (stdout and stderr as they interleave). A line ``...`` marks lines the README leaves out;
without one at the top or the bottom, the output must start or end exactly there. A command ending
in ``; echo $?`` shows its exit code as the last line; any other command must exit 0. Examples that
cannot run here (``serve``, ``curl``, the install line) use another fence (```text, ```sh).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from gcmgraph.cli import main

README = ROOT / "README.md"
CUT = "..."
ECHO_EXIT = "; echo $?"


@dataclass(frozen=True)
class Example:
    """One ``$ gcmgraph`` line of the README, the line it is on, and the output shown below it."""

    line: int
    args: tuple[str, ...]
    shown: tuple[str, ...]
    exit_code: int


def _console_blocks() -> list[tuple[int, list[tuple[int, str]]]]:
    """Each ```console block as (line of its fence, [(line number, text)]) for the lines inside."""
    blocks: list[tuple[int, list[tuple[int, str]]]] = []
    current: list[tuple[int, str]] | None = None
    for number, text in enumerate(README.read_text(encoding="utf-8").splitlines(), start=1):
        if current is None and text.strip() == "```console":
            current = []
            blocks.append((number, current))
        elif current is not None and text.strip() == "```":
            current = None
        elif current is not None:
            current.append((number, text.rstrip()))
    return blocks


def _examples(lines: list[tuple[int, str]]) -> list[Example]:
    """The commands of one block, each with the output lines shown below it."""
    examples: list[Example] = []
    for index, (number, text) in enumerate(lines):
        if not text.startswith("$ "):
            continue
        command = text[2:]
        shown = []
        for _, after in lines[index + 1 :]:
            if after.startswith("$ "):
                break
            shown.append(after)
        exit_code = 0
        if command.endswith(ECHO_EXIT):
            command = command.removesuffix(ECHO_EXIT)
            assert shown and shown[-1].isdigit(), f"README.md:{number}: '; echo $?' needs the code as last line"
            exit_code = int(shown.pop())
        words = shlex.split(command, comments=True)
        assert words[0] == "gcmgraph", f"README.md:{number}: only gcmgraph runs here; use a ```text block"
        examples.append(Example(number, tuple(words[1:]), tuple(shown), exit_code))
    return examples


def _appears(shown: tuple[str, ...], printed: list[str]) -> bool:
    """Whether the shown lines are the printed ones, where each ``...`` stands for lines left out."""
    pieces = _split(shown)
    if len(pieces) == 1:
        return list(pieces[0]) == printed
    start = 0
    for number, piece in enumerate(pieces):
        if not piece:
            continue
        if number == 0:
            places: range | list[int] = [0]
        elif number == len(pieces) - 1:
            places = [len(printed) - len(piece)] if len(printed) - len(piece) >= start else []
        else:
            places = range(start, len(printed) - len(piece) + 1)
        found = next((at for at in places if printed[at : at + len(piece)] == list(piece)), None)
        if found is None:
            return False
        start = found + len(piece)
    return True


def _split(shown: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The shown lines in the runs between ``...`` lines (an empty run where ``...`` is first or last)."""
    pieces: list[tuple[str, ...]] = [()]
    for line in shown:
        if line == CUT:
            pieces.append(())
        else:
            pieces[-1] = (*pieces[-1], line)
    return pieces


BLOCKS = _console_blocks()


def test_the_readme_has_examples_for_the_test_to_run() -> None:
    assert len(BLOCKS) >= 8
    assert sum(len(_examples(lines)) for _, lines in BLOCKS) >= 12


@pytest.mark.parametrize(("fence", "lines"), BLOCKS, ids=[f"README.md:{fence}" for fence, _ in BLOCKS])
def test_readme_example_prints_what_the_readme_shows(
    fence: int, lines: list[tuple[int, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    examples = _examples(lines)
    assert examples, f"README.md:{fence}: a console block with no '$ gcmgraph' line"
    for example in examples:
        result = CliRunner().invoke(main, list(example.args), catch_exceptions=False)
        printed = [line.rstrip() for line in result.output.splitlines()]
        where = f"README.md:{example.line}: gcmgraph {shlex.join(example.args)}"
        assert result.exit_code == example.exit_code, f"{where}\n{result.output}"
        assert _appears(example.shown, printed), f"{where} printed:\n" + "\n".join(printed)
        for option, value in zip(example.args, example.args[1:], strict=False):
            if option in ("-o", "--output") and value != "-":
                assert (tmp_path / value).stat().st_size > 0, where


@pytest.mark.parametrize(
    ("shown", "matches"),
    [
        ((), False),
        (("...",), True),
        (("a", "b", "c"), True),
        (("a", "..."), True),
        (("b", "..."), False),
        (("...", "c"), True),
        (("...", "b"), False),
        (("a", "...", "c"), True),
        (("a", "c"), False),
        (("...", "b", "..."), True),
        (("c", "...", "a"), False),
    ],
)
def test_shown_lines_match_only_where_the_readme_marks_a_cut(shown: tuple[str, ...], matches: bool) -> None:
    assert _appears(shown, ["a", "b", "c"]) is matches
