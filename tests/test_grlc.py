"""grlc serves our stored queries unchanged: grlc's own header and parameter code (the ``grlc``
package, ``gquery.get_metadata`` and ``swagger.process_sparql_query_text``) sees the same
parameters, types, defaults and allowed values as gcmgraph, and a query grlc cannot serve (grlc
serves SELECT and CONSTRUCT only) says ``#+ grlc: false`` in its header.

A default is compared as the RDF term each tool would query with: gcmgraph's ``to_term``, and
grlc's own ``rewrite_query_standard`` splicing the default into a one-line probe query that
pyoxigraph evaluates. So a prefixed default (which grlc writes as ``<event:...>``) differs from
gcmgraph's expanded IRI, as it would on a grlc server.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import FIXTURES, ROOT

from gcmgraph.lexical import XSD
from gcmgraph.queries import GRLC_FORMS, Parameter, StoredQuery, catalogue, find_query, to_term
from gcmgraph.sparql_text import declared_prefixes

QUERIES = {query.name: query for query in catalogue()}


@pytest.fixture(scope="module")
def grlc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, ModuleType]]:
    """grlc's gquery and swagger modules, imported in an empty folder (grlc reads ./config.ini on
    import), with every HTTP request it would make turned into a test failure."""
    here = Path.cwd()
    os.chdir(tmp_path_factory.mktemp("grlc"))
    try:
        from grlc import gquery, swagger
    finally:
        os.chdir(here)

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"grlc tried to reach the network: {args}")

    patch = pytest.MonkeyPatch()
    patch.setattr(gquery.requests, "get", no_network)
    logging.getLogger("grlc").setLevel(logging.CRITICAL)
    yield gquery, swagger
    patch.undo()


def grlc_serves(swagger: ModuleType, query: StoredQuery) -> str | None:
    """None if grlc builds an API operation for the query, else grlc's reason."""
    try:
        swagger.process_sparql_query_text(query.text, None, query.name, [])
    except Exception as error:  # grlc reports every problem as a bare Exception
        return str(error)
    return None


def _grlc_term(gquery: ModuleType, text: str, name: str, spec: dict[str, Any], value: str) -> str:
    """The term grlc queries with for ``value``: its own substitution, evaluated by pyoxigraph."""
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in declared_prefixes(text).items())
    probe = f"{prefixes}SELECT ?x WHERE {{ BIND({spec['original']} AS ?x) }}"
    spliced = gquery.rewrite_query_standard(probe, {name: spec}, {name: value})
    try:
        return str(next(iter(ox.Store().query(spliced)))["x"])
    except (SyntaxError, ValueError, StopIteration) as error:
        return f"no term ({type(error).__name__}: {spliced})"


def _type(param: Parameter) -> str:
    return {"iri": "IRI", "number": "number", "literal": "text"}.get(param.kind) or (
        f"text@{param.language}" if param.kind == "lang" else f"<{param.datatype}>"
    )


def ours(query: StoredQuery) -> dict[str, dict[str, object]]:
    """gcmgraph's reading of the parameters, in the same shape as :func:`theirs`."""
    return {
        p.name: {
            "variable": p.variable,
            "required": p.required,
            "type": _type(p),
            "default": [str(to_term(query, p, value)) for value in p.default],
            "enum": sorted(p.allowed),
        }
        for p in query.parameters
    }


def theirs(gquery: ModuleType, query: StoredQuery) -> dict[str, dict[str, object]]:
    """grlc's reading of the parameters (gquery.get_metadata), in the same shape as :func:`ours`."""
    prefixes = {**declared_prefixes(query.text), "xsd": XSD}
    found: dict[str, dict[str, object]] = {}
    for name, spec in gquery.get_metadata(query.text, "").get("parameters", {}).items():
        if spec.get("format") == "iri":
            kind = "IRI"
        elif spec["type"] == "number":
            kind = "number"
        elif spec.get("lang"):
            kind = f"text@{spec['lang']}"
        elif spec.get("datatype"):
            prefix, _, local = spec["datatype"].partition(":")
            kind = f"<{prefixes.get(prefix, prefix + ':')}{local}>"
        else:
            kind = "text"
        raw = spec.get("default")
        defaults = [] if raw is None else raw if isinstance(raw, list) else [raw]
        found[name] = {
            "variable": spec["original"][1:],
            "required": spec["required"],
            "type": kind,
            "default": [_grlc_term(gquery, query.text, name, spec, _text(v)) for v in defaults],
            "enum": sorted(_text(v) for v in spec.get("enum", [])),
        }
    return found


def _text(value: object) -> str:
    """A YAML value as text; grlc's loader turns ``true`` into True, ours keeps ``true``."""
    return str(value).lower() if isinstance(value, bool) else str(value)


# -- the rules, on fixtures ----------------------------------------------------------------------


def test_every_documented_grlc_form_is_read_as_grlc_reads_it(grlc) -> None:
    gquery, swagger = grlc
    query = find_query(str(FIXTURES / "queries" / "grlc-forms.rq"))
    state = "<https://w3id.org/gcmgraph/id/state/che>"
    assert ours(query) == {
        "state": {"variable": "_state_iri", "required": True, "type": "IRI", "default": [state], "enum": []},
        "name": {"variable": "_name", "required": True, "type": "text", "default": [], "enum": []},
        "note": {"variable": "__note", "required": False, "type": "text", "default": [], "enum": []},
        "label": {"variable": "_label_fr", "required": True, "type": "text@fr", "default": ['"Suisse"@fr'], "enum": []},
        "day": {"variable": "_day_xsd_date", "required": True, "type": f"<{XSD}date>", "default": [], "enum": []},
        "year": {
            "variable": "_year_integer",
            "required": True,
            "type": f"<{XSD}integer>",
            "default": [],
            "enum": ["2018", "2019"],
        },
        "size": {"variable": "_size_number", "required": True, "type": "number", "default": [], "enum": []},
        "code": {"variable": "_code_literal", "required": True, "type": "text", "default": [], "enum": []},
        "kind": {
            "variable": "_kind_gcm_Code",
            "required": True,
            "type": "<https://w3id.org/gcmgraph/ontology#Code>",
            "default": [],
            "enum": [],
        },
    }
    assert theirs(gquery, query) == ours(query)
    assert grlc_serves(swagger, query) is None
    assert query.key == ("state",)
    assert all(p.grlc_note is None for p in query.parameters)


def test_earlier_gcmgraph_forms_still_run_and_say_how_grlc_differs(grlc) -> None:
    _, swagger = grlc
    query = find_query(str(FIXTURES / "queries" / "legacy-forms.rq"))
    vote, flag = query.parameters
    assert (vote.name, vote.kind, vote.default) == ("recorded_vote", "iri", ("event:ga-endorsement-2018",))
    assert (flag.name, flag.kind, flag.datatype) == ("flag", "typed", XSD + "boolean")
    assert vote.grlc_note == (
        "grlc reads ?_recorded_vote_iri as parameter 'recorded' typed vote:iri; gcmgraph reads it as parameter "
        "'recorded_vote'"
    )
    assert (
        flag.grlc_note
        == "grlc reads ?__flag_boolean as parameter 'flag' in language 'boolean'; gcmgraph reads it as parameter 'flag'"
    )
    # grlc cannot read defaults written as a mapping: it looks the name up in each list entry.
    assert grlc_serves(swagger, query) == (
        "Could not parse query legacy-forms: string indices must be integers, not 'str'"
    )


def test_a_prefixed_default_is_a_different_iri_for_grlc(grlc, tmp_path: Path) -> None:
    gquery, _ = grlc
    path = tmp_path / "prefixed.rq"
    path.write_text("#+ summary: s\n#+ defaults:\n#+   - vote: event:ga-endorsement-2018\nSELECT ?_vote_iri {}\n")
    query = find_query(str(path))
    assert ours(query)["vote"]["default"] == ["<https://w3id.org/gcmgraph/id/event/ga-endorsement-2018>"]
    assert theirs(gquery, query)["vote"]["default"] == ["<event:ga-endorsement-2018>"]


# -- the stored catalogue ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_grlc_reads_each_stored_query_as_gcmgraph_does(grlc, name: str) -> None:
    gquery, swagger = grlc
    query = QUERIES[name]
    if query.form not in GRLC_FORMS:
        assert not query.grlc_serves, (
            f"queries/{name}.rq is {query.form}, which grlc cannot serve: add '#+ grlc: false'"
        )
    reason = grlc_serves(swagger, query)
    if not query.grlc_serves:
        assert reason is not None, f"queries/{name}.rq says 'grlc: false', but grlc serves it"
        return
    assert reason is None, f"grlc cannot serve queries/{name}.rq: {reason}"
    assert theirs(gquery, query) == ours(query)
    notes = [p.grlc_note for p in query.parameters if p.grlc_note]
    assert not notes, f"queries/{name}.rq: {'; '.join(notes)}"


def test_the_readme_example_is_read_by_grlc_as_by_gcmgraph(grlc, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```sparql\n(#\+ summary: .+?)```", readme, flags=re.DOTALL)
    assert example, "README: the 'Adding a query' example"
    path = tmp_path / "events-in-city.rq"
    path.write_text(example.group(1), encoding="utf-8")
    gquery, swagger = grlc
    query = find_query(str(path))
    assert grlc_serves(swagger, query) is None
    assert theirs(gquery, query) == ours(query)
    assert query.key == ("event",)
