"""Untrusted query text stays small: headers are read without YAML anchors or aliases, with
bounded size and nesting; query files and parameter values are bounded; and whatever a header or
a value holds, the parser and the binder either give a clear GcmgraphError or a correct result (a
bound value comes back exactly from a real query on pyoxigraph), in bounded time.

Time is bounded by hypothesis deadlines, never by wall-clock assertions.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_catalogue import run, user_error, write

from gcmgraph.errors import GcmgraphError, QueryParameterError
from gcmgraph.inference import entailments
from gcmgraph.lexical import XSD
from gcmgraph.limits import MAX_HEADER_CHARS, MAX_HEADER_DEPTH, MAX_PARAMETER_CHARS, MAX_QUERY_FILE_BYTES
from gcmgraph.queries import HEADER_KEYS, bind, find_query, parse_query
from gcmgraph.reasoner import covers

ORIGIN = Path("generated.rq")
# A deadline far above the milliseconds one example takes, far below the minute an alias bomb took.
BOUNDED = settings(deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """``&a [x, x, ...]``, ``&b [*a, *a, ...]``, ... : a few hundred bytes that expand to width**levels."""
    lines = ['#+ a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        items = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"#+ a{level}: &a{level} [{items}]")
    return "\n".join(lines)


# -- the header ----------------------------------------------------------------------------------


def test_a_yaml_alias_bomb_is_refused_at_its_first_anchor(tmp_path: Path) -> None:
    path = write(tmp_path, "q.rq", f"#+ summary: bomb\n{alias_bomb()}\nSELECT * {{ }}\n")
    user_error(
        run("show", str(path)), f"{path}:2: YAML anchors and aliases ('&', '*') are not allowed in a query header"
    )


def test_an_alias_alone_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "q.rq", "#+ summary: s\n#+ tags:\n#+   - *x\nSELECT * { }\n")
    user_error(
        run("show", str(path)), f"{path}:3: YAML anchors and aliases ('&', '*') are not allowed in a query header"
    )


def test_deep_nesting_is_refused_before_python_recursion_would_fail(tmp_path: Path) -> None:
    depth = 10_000
    path = write(tmp_path, "q.rq", f"#+ summary: s\n#+ tags: {'[' * depth}{']' * depth}\nSELECT * {{ }}\n")
    user_error(run("show", str(path)), f"{path}:2: header nests deeper than {MAX_HEADER_DEPTH} levels")


def test_an_oversized_header_is_refused_at_the_line_that_passes_the_limit(tmp_path: Path) -> None:
    line = "#+ " + "x" * 997  # 1,000 characters
    lines = ["#+ summary: s"] + [line] * (MAX_HEADER_CHARS // 1000 + 1)
    path = write(tmp_path, "q.rq", "\n".join(lines) + "\nSELECT * { }\n")
    over = next(n for n in range(1, len(lines) + 1) if len("".join(lines[:n])) > MAX_HEADER_CHARS)
    user_error(run("show", str(path)), f"{path}:{over}: header is longer than {MAX_HEADER_CHARS} characters")


def test_an_oversized_query_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "q.rq", "SELECT * { }\n" + "#" * MAX_QUERY_FILE_BYTES)
    user_error(
        run("query", str(path)), f"{path}: is larger than {MAX_QUERY_FILE_BYTES} bytes; a query file is SPARQL text"
    )


def test_python_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = write(
        tmp_path,
        "q.rq",
        f'#+ summary: s\n#+ description: !!python/object/apply:os.system ["touch {marker}"]\nSELECT * {{ }}\n',
    )
    result = run("show", str(path))
    assert not marker.exists()
    assert result.exit_code == 0, result.stderr  # the description is read as the plain list it is written as


def test_a_huge_number_in_the_header_stays_text(tmp_path: Path) -> None:
    digits = "9" * 5_000  # more digits than Python's int() accepts from text
    path = write(tmp_path, "q.rq", f"#+ summary: s\n#+ defaults:\n#+   - n: {digits}\nSELECT ?_n_integer {{ }}\n")
    (param,) = find_query(str(path)).parameters
    assert param.default == (digits,)


# -- parameter values ----------------------------------------------------------------------------

TEXT = str(Path(__file__).parent / "fixtures" / "queries" / "typed-params.rq")
VALID = ["-p", "thing=state:che", "-p", "count=1", "-p", "day=2018-12-10"]


def test_an_overlong_parameter_value_is_a_one_line_error() -> None:
    value = "x" * (MAX_PARAMETER_CHARS + 1)
    user_error(
        run("query", TEXT, *VALID, "-p", f"name={value}"),
        f"query 'typed-params', parameter 'name': value is {MAX_PARAMETER_CHARS + 1} characters long; "
        f"at most {MAX_PARAMETER_CHARS} are allowed",
    )


def test_a_long_bad_value_is_shortened_in_the_message() -> None:
    value = "y" * 200
    user_error(
        run("query", TEXT, *VALID[:2], "-p", f"count={value}", *VALID[4:], "-p", "name=n"),
        f"query 'typed-params', parameter 'count': {'y' * 57!r}... is not an xsd:integer",
    )


def test_a_value_that_is_not_unicode_text_is_a_one_line_error() -> None:
    query = find_query(TEXT)
    with pytest.raises(QueryParameterError, match=r"parameter 'name': 'a\\udcff' is not valid Unicode text"):
        bind(query, {"thing": ["state:che"], "count": ["1"], "day": ["2018-12-10"], "name": ["a\udcff"]})


def test_a_long_unknown_parameter_name_is_shortened_in_the_message() -> None:
    result = run("query", TEXT, *VALID, "-p", "name=n", "-p", "z" * 10_000 + "=1")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: query 'typed-params', parameter '{'z' * 57}...': unknown parameter; ")
    assert len(result.stderr) < 400


def test_too_many_values_for_one_parameter_is_an_error() -> None:
    query = find_query(TEXT)
    values = [str(n) for n in range(1_001)]
    with pytest.raises(QueryParameterError, match=r"parameter 'count': 1001 values given; at most 1000 are allowed"):
        bind(query, {"thing": ["state:che"], "count": values, "day": ["2018-12-10"], "name": ["n"]})


# -- properties ----------------------------------------------------------------------------------

HOSTILE = st.sampled_from(
    [
        "&a [*a, *a]",
        "*a",
        "!!python/object:os.system",
        "{",
        "}",
        "[",
        '"',
        "'",
        "#",
        "#+",
        "\\u0022",
        "\\",
        "\n",
        "\r",
        "\t",
        ":",
        "- ",
        "? ",
        "|",
        ">",
        "%",
        "@",
        "`",
        "\x00",
        "\ufeff",
        "\u2028",
        "😀",
        "<",
        ">",
        "?_x",
        "$",
    ]
)
ANY_TEXT = st.lists(st.one_of(st.text(), HOSTILE), max_size=8).map("".join)
BODY = "PREFIX gcm: <https://w3id.org/gcmgraph/ontology#>\nSELECT ?_thing_iri ?__note ?_label_en ?_count_integer WHERE { }\n"


PRINTABLE = st.lists(
    st.one_of(st.text(st.characters(exclude_categories=("Cc", "Cs", "Cn"))), HOSTILE.filter(str.isprintable)),
    max_size=6,
).map("".join)


@st.composite
def headers(draw: st.DrawFn) -> str:
    """Header lines: mostly a summary and known keys, with any text as values, indented or not."""
    margin = draw(st.sampled_from(["", " "]))
    lines = [f"#+{margin}summary: {draw(PRINTABLE)}"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 6))):
        known = st.sampled_from(sorted(HEADER_KEYS))
        key = draw(st.one_of(known, known, known, PRINTABLE))
        shapes = st.sampled_from(["", "[]", "{}", "- note: x", "[thing]", "false"])
        value = draw(st.one_of(PRINTABLE, shapes))
        indent = draw(st.sampled_from([margin] * 5 + ["   - "]))
        lines.append(f"#+{indent}{key}: {value}")
    if draw(st.integers(0, 3)) == 0:  # now and then a line of any text at all
        lines.insert(draw(st.integers(0, len(lines))), "#+" + draw(ANY_TEXT).replace("\n", "\n#+"))
    return "\n".join(lines)


@BOUNDED
@given(header=headers(), stored=st.booleans())
@example(header=alias_bomb(), stored=True)
@example(header="#+ summary: s\n#+ defaults:\n#+   - note: &n x\n#+   - label: *n", stored=True)
@example(header="#+defaults: \r0", stored=False)  # grlc reads one header line; SPARQL ends the comment at \r
def test_any_header_is_read_or_refused_with_a_clear_error(bundled, header: str, stored: bool) -> None:
    try:
        query = parse_query(f"{header}\n{BODY}", ORIGIN, stored=stored)
        bound = bind(query, {"thing": ["state:che"], "count": ["1"], "label": ["l"]})
        result = bundled.query(bound, origin=str(ORIGIN))
    except GcmgraphError as error:
        assert str(error) and "\n" not in str(error)
        return
    (row,) = result.records()
    assert row["_thing_iri"] == ox.NamedNode("https://w3id.org/gcmgraph/id/state/che")


@BOUNDED
@given(value=ANY_TEXT)
@example(value="a\\u0022} } DELETE WHERE { ?s ?p ?o } #")
def test_a_default_in_the_header_comes_back_exactly_or_is_refused(value: str) -> None:
    quoted = yaml.dump(value, default_style='"', width=10**9, allow_unicode=True).strip()  # PyYAML's own writer
    header = f"#+ summary: s\n#+ defaults:\n#+   - note: {quoted}"
    try:
        query = parse_query(f"{header}\n{BODY}", ORIGIN)
        bound = bind(query, {"thing": ["state:che"], "count": ["1"], "label": ["l"]})
    except GcmgraphError as error:
        assert str(error) and "\n" not in str(error)
        return
    (row,) = ox.Store().query(bound)
    assert row["__note"] == ox.Literal(value)


def same_value(got: ox.Literal, value: str) -> bool:
    """The literal has the value written: Oxigraph writes numbers in its own form (0150 as 150)."""
    if got.value == value:
        return True
    local = got.datatype.value.removeprefix(XSD)
    if local in ("integer", "decimal"):
        return Decimal(got.value) == Decimal(value)
    return local == "double" and float(got.value) == float(value)


QUERY = parse_query(
    "SELECT ?_thing_iri ?_text ?_label_en ?_count_integer ?_day_xsd_date ?_share_xsd_decimal ?_size_number WHERE { }\n",
    ORIGIN,
    stored=False,
)
DEFAULTS = {
    "thing": "state:che",
    "text": "t",
    "label": "l",
    "count": "1",
    "day": "2018-12-10",
    "share": "0.5",
    "size": "1",
}
LITERALS = st.one_of(
    ANY_TEXT,
    st.from_regex(r"[+-]?[0-9]{1,30}", fullmatch=True),
    st.tuples(st.sampled_from(["", "-", "+0"]), st.integers(1, 5_000)).map(lambda t: t[0] + "7" * t[1]),
    st.from_regex(r"[+-]?[0-9]{0,20}\.[0-9]{1,20}", fullmatch=True),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2018-02-30", "2018-12-10Z", "-0001-01-01", "1e999999", "NaN", "INF", "0150", "١٢"]),
    st.text(alphabet="0123456789.-+eE", max_size=12),
    st.sampled_from(["<https://example.org/a>", "https://example.org/a b", "state:che", "urn:x", "<>"]),
)


@BOUNDED
@given(name=st.sampled_from(sorted(DEFAULTS)), value=LITERALS)
def test_any_value_binds_to_the_exact_term_or_is_refused(name: str, value: str) -> None:
    params = {key: [default] for key, default in DEFAULTS.items()}
    params[name] = [value]
    try:
        bound = bind(QUERY, params)
    except QueryParameterError as error:
        assert error.parameter == name and "\n" not in str(error)
        return
    (row,) = ox.Store().query(bound)
    param = QUERY.parameter(name)
    got = row[param.variable]
    if param.kind == "iri":
        assert isinstance(got, ox.NamedNode)
        assert got.value in (value, value.strip("<>")) or value.startswith("state:")
    elif param.kind in ("literal", "lang"):
        assert got == ox.Literal(value, language=param.language)
    else:
        assert same_value(got, value)
        if param.kind == "typed":
            assert got.datatype.value == param.datatype


def test_a_triple_term_in_a_property_chain_is_left_out_of_the_reasoning(tmp_path: Path) -> None:
    """RDF 1.2 triple terms are valid data for queries; OWL RL (defined on RDF 1.1) leaves their
    statements out. Here that is the first member of a property chain, so the list is read as
    rdflib reads it, without that member, and the chain is e:q alone: owlrl, the reference,
    infers the same. Before, this was an AttributeError."""
    data = tmp_path / "chain.ttl"
    data.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix e: <https://e.org/> .\n"
        "e:p owl:propertyChainAxiom ( <<( e:a e:b e:c )>> e:q ) .\n"
        "e:x e:q e:y .\n"
    )
    query = tmp_path / "p.rq"
    query.write_text("ASK { <https://e.org/x> <https://e.org/p> <https://e.org/y> }\n")
    result = run("query", str(query), "--inferred", "--data", str(data), "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert '"boolean":true' in result.stdout.replace(" ", "")
    quads = list(ox.parse(path=data, format=ox.RdfFormat.TURTLE))
    assert covers(quads)  # the SPARQL rules ran, not owlrl
    fast = {(t.subject, t.predicate, t.object) for t in entailments(quads)}
    assert fast == {(t.subject, t.predicate, t.object) for t in entailments(quads, reasoner="owlrl")}
