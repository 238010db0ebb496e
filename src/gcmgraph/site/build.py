"""Build the static site: home, ontology reference, shapes, query catalogue, one page per resource.

Every fact on every page comes from a stored query run through the GraphSource seam (the
shapes from the same queries run on the ontology plus the shapes file); this module only arranges
rows into pages. The output is self-contained (no script, style, font or image from another
host), deterministic (sorted, no dates of the build) and works opened from disk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..errors import GcmgraphError, NothingToShowError
from ..namespaces import ID_KINDS, compact
from ..output import check_folder_output, write_folder
from ..paths import ONTOLOGY_NS, shapes_file
from ..queries import StoredQuery, catalogue, run_query
from ..results import QueryResult, Term
from ..sources import GraphSource
from ..store import LocalGraph, open_graph
from .paths import query_path, relative, resource_path, term_anchor
from .words import STANDARD_LABELS, XSD, property_label, prose, readable_literal, shape_rule

TERM_TYPES = (
    ("http://www.w3.org/2002/07/owl#Class", "Classes", "class"),
    ("http://www.w3.org/2002/07/owl#ObjectProperty", "Object properties", "object property"),
    ("http://www.w3.org/2002/07/owl#DatatypeProperty", "Datatype properties", "datatype property"),
    ("http://www.w3.org/2002/07/owl#NamedIndividual", "Controlled values", "controlled value"),
    ("http://www.w3.org/2004/02/skos/core#ConceptScheme", "Concept schemes", "concept scheme"),
)
PROVENANCE = (ONTOLOGY_NS + "source", ONTOLOGY_NS + "sourceLocator", ONTOLOGY_NS + "confidence")
EXAMPLES_SHOWN = 5
RESULT_ROWS_SHOWN = 200
PICTURES = ("timeline", "vote-map", "lineage", "actor-network")


@dataclass
class SiteReport:
    """What ``build_site`` wrote: the folder, the pages, and any stored query that failed."""

    folder: Path
    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Value:
    """A value as a page shows it: text, where it links to, and a tooltip."""

    text: str
    href: str | None = None
    title: str | None = None
    external: bool = False


#: One answer of a site query: its bound IRIs and literals by variable.
Row = dict[str, ox.NamedNode | ox.Literal]


class _Entry(TypedDict):
    """A resource as the site lists it: its label, its kind and its classes."""

    label: str
    kind: str
    classes: list[str]


def _table(result: QueryResult) -> list[Row]:
    return [
        {k: v for k, v in record.items() if isinstance(v, ox.NamedNode | ox.Literal)} for record in result.records()
    ]


def _text(record: Mapping[str, object], key: str) -> str | None:
    value = record.get(key)
    return value.value if isinstance(value, ox.NamedNode | ox.Literal) else None


def _iris(values: Iterable[str]) -> list[str]:
    return [f"<{v}>" for v in values]


class Site:
    """Collects the rows of the stored queries and renders them into pages."""

    def __init__(self, graph: GraphSource, shapes_graph: GraphSource):
        self.graph = graph
        self.shapes_graph = shapes_graph
        self.problems: list[str] = []
        self.env = Environment(
            loader=PackageLoader("gcmgraph", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["prose"] = prose
        self.pages: dict[str, bytes] = {}
        self.labels: dict[str, str] = {}
        self.resource_pages: set[str] = set()
        self.term_pages: set[str] = set()

    # -- reading -----------------------------------------------------------------------------

    def run(self, name: str, params: Mapping[str, Sequence[str]] | None = None, *, shapes: bool = False) -> list[Row]:
        return _table(run_query(self.shapes_graph if shapes else self.graph, name, params, max_rows=None))

    # -- links -------------------------------------------------------------------------------

    def href(self, page: str, iri: str) -> str | None:
        path = resource_path(iri)
        if path and iri in self.resource_pages:
            return relative(page, path)
        anchor = term_anchor(iri)
        if anchor and iri in self.term_pages:
            return relative(page, anchor)
        return None

    def value(self, page: str, term: ox.NamedNode | ox.Literal, label: str | None = None) -> Value:
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value if term.datatype else None
            if datatype == XSD + "anyURI" and term.value.startswith(("http://", "https://")):
                return Value(term.value, term.value, external=True)
            return Value(readable_literal(term.value, datatype), title=term.value if datatype else None)
        iri = term.value
        shown = label or self.labels.get(iri) or STANDARD_LABELS.get(iri) or compact(iri)
        link = self.href(page, iri)
        if link:
            return Value(shown, link, title=compact(iri))
        if iri.startswith(("http://", "https://")) and not iri.startswith("https://w3id.org/gcmgraph/"):
            return Value(shown, iri, title=iri, external=True)
        return Value(shown, title=iri)

    # -- writing -----------------------------------------------------------------------------

    def render(self, page: str, template: str, **context: object) -> None:
        depth = page.count("/")
        root = "../" * depth
        html = self.env.get_template(template).render(root=root, page=page, **context)
        self.pages[page] = html.encode("utf-8")

    # -- the pages ---------------------------------------------------------------------------

    def build(self, pictures: Mapping[str, str]) -> None:
        resources = self.run("site-resources", {"kind": list(ID_KINDS)})
        by_iri: dict[str, _Entry] = {}
        for row in resources:
            iri = row["resource"].value
            entry = by_iri.setdefault(iri, {"label": row["label"].value, "kind": row["kind"].value, "classes": []})
            entry["classes"].extend(row["classes"].value.split("; "))
            self.labels[iri] = row["label"].value
        self.resource_pages = {iri for iri in by_iri if resource_path(iri)}
        terms = self.run("site-terms", {"type": [f"<{t}>" for t, _, _ in TERM_TYPES]})
        for row in terms:
            self.labels[row["term"].value] = row["label"].value
            self.term_pages.add(row["term"].value)
        shapes = self.run("site-shapes", shapes=True)
        for row in shapes:
            self.term_pages.add(row["shape"].value)
            if "property_shape" in row:
                self.term_pages.add(row["property_shape"].value)
        self._home(pictures)
        self._ontology(terms, shapes)
        self._shapes(shapes)
        self._queries()
        self._resources(by_iri)

    def _about(self) -> dict[str, str | None]:
        """The ontology's header, every key present (None where the ontology does not say)."""
        keys = (
            "ontology",
            "title",
            "description",
            "creator",
            "license",
            "created",
            "modified",
            "version",
            "version_iri",
            "prefix",
            "namespace",
        )
        rows = self.run("site-ontology")
        return {k: _text(rows[0], k) if rows else None for k in keys}

    def _home(self, pictures: Mapping[str, str]) -> None:
        page = "index.html"
        info = self._about()
        counts = []
        for row in self.run("class-counts"):
            counts.append(
                {
                    "class": self.value(page, row["class"], row["class_label"].value),
                    "instances": int(row["instances"].value),
                    "all": int(row["all_instances"].value),
                }
            )
        sources = []
        for row in self.run("site-sources"):
            links = []
            if "doi" in row:
                links.append(Value(f"doi:{row['doi'].value}", f"https://doi.org/{row['doi'].value}", external=True))
            if "url" in row:
                links.append(Value(row["url"].value, row["url"].value, external=True))
            sources.append(
                {
                    "document": self.value(page, row["document"], row["label"].value),
                    "title": _text(row, "title"),
                    "identifier": _text(row, "identifier"),
                    "links": links,
                }
            )
        from ..plots import PLOTS

        figures = [
            {
                "name": name,
                "file": f"img/{name}.svg",
                "summary": PLOTS[name].summary,
                "queries": [(q, relative(page, query_path(q))) for q in PLOTS[name].queries],
            }
            for name in pictures
        ]
        downloads = list(self.downloads)
        self.render(
            page,
            "index.html",
            info=info,
            counts=counts,
            sources=sources,
            figures=figures,
            downloads=downloads,
            resource_count=len(self.resource_pages),
        )

    downloads: tuple[str, ...] = ()

    def _ontology(self, terms: list[Row], shapes: list[Row]) -> None:
        page = "ontology.html"
        iris = sorted(self.term_pages & {row["term"].value for row in terms})
        relations: dict[str, list[dict[str, object]]] = defaultdict(list)
        for row in self.run("site-term-relations", {"term": _iris(iris)}):
            target = row["target"].value
            relations[row["term"].value].append(
                {
                    "relation": row["relation"].value,
                    "target": self.value(page, row["target"], _text(row, "target_label")),
                    "alignment": not target.startswith(ONTOLOGY_NS)
                    and not target.startswith(
                        (
                            "http://www.w3.org/2002/07/owl#",
                            "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                            "http://www.w3.org/2000/01/rdf-schema#",
                        )
                    ),
                }
            )
        examples: dict[str, list[dict[str, object]]] = defaultdict(list)
        totals: dict[str, int] = defaultdict(int)
        for row in self.run("site-term-examples", {"term": _iris(iris)}):
            term = row["term"].value
            totals[term] += 1
            if len(examples[term]) < EXAMPLES_SHOWN:
                example: dict[str, object] = {
                    "example": self.value(page, row["example"], _text(row, "example_label")),
                    "value": self.value(page, row["value"], _text(row, "value_label")) if "value" in row else None,
                }
                examples[term].append(example)
        rules: dict[str, list[dict[str, object]]] = defaultdict(list)
        for row in shapes:
            flat = {k: v.value for k, v in row.items()}
            if "target_class" in flat:
                rules[flat["target_class"]].append(
                    {"shape": self.value(page, row["shape"]), "words": flat.get("shape_comment", ""), "node": True}
                )
            if "path" in flat and "property_shape" in flat:
                rules[flat["path"]].append(
                    {
                        "shape": self.value(page, row["property_shape"]),
                        "words": shape_rule(flat, self.labels),
                        "node": False,
                    }
                )
        sections = []
        for type_iri, heading, kind in TERM_TYPES:
            entries = []
            for row in terms:
                if row["type"].value != type_iri:
                    continue
                iri = row["term"].value
                entries.append(
                    {
                        "anchor": iri[len(ONTOLOGY_NS) :] if iri.startswith(ONTOLOGY_NS) else compact(iri),
                        "iri": iri,
                        "curie": compact(iri),
                        "label": row["label"].value,
                        "definition": _text(row, "definition"),
                        "comment": _text(row, "comment"),
                        "deprecated": _text(row, "deprecated") == "true",
                        "relations": relations.get(iri, []),
                        "rules": _dedupe(rules.get(iri, [])),
                        "examples": examples.get(iri, []),
                        "example_total": totals.get(iri, 0),
                        "kind": kind,
                    }
                )
            sections.append({"heading": heading, "id": heading.lower().replace(" ", "-"), "terms": entries})
        self.render(page, "ontology.html", sections=sections, info=self._about())

    def _shapes(self, shapes: list[Row]) -> None:
        page = "shapes.html"
        nodes: dict[str, dict[str, Any]] = {}  # the template's records: texts, Values, a list of properties
        for row in shapes:
            flat = {k: v.value for k, v in row.items()}
            shape = flat["shape"]
            node = nodes.setdefault(
                shape,
                {
                    "anchor": shape.rsplit("#", 1)[-1],
                    "curie": compact(shape),
                    "label": flat.get("shape_label", compact(shape)),
                    "comment": flat.get("shape_comment"),
                    "message": flat.get("shape_message"),
                    "target": self.value(page, row["target_class"]) if "target_class" in row else None,
                    "pattern": flat.get("node_pattern"),
                    "properties": [],
                },
            )
            if "property_shape" in flat and "path" in flat:
                node["properties"].append(
                    {
                        "anchor": flat["property_shape"].rsplit("#", 1)[-1],
                        "curie": compact(flat["property_shape"]),
                        "label": flat.get("property_label", compact(flat["property_shape"])),
                        "words": shape_rule({**flat, "target_class": flat.get("target_class", "")}, self.labels),
                        "comment": flat.get("property_comment"),
                        "message": flat.get("message"),
                        "path": self.value(page, row["path"]),
                    }
                )
        self.render(page, "shapes.html", shapes=[nodes[k] for k in sorted(nodes)])

    def _queries(self) -> None:
        stored = catalogue()
        entries = []
        for query in stored:
            page = query_path(query.name)
            params, command = _query_call(query)
            result, error = None, None
            try:
                result = run_query(self.graph, query, params)
            except GcmgraphError as problem:
                error = str(problem)
                self.problems.append(f"query {query.name}: {problem}")
            table = self._result_table(page, result) if result is not None else None
            self.render(
                page, "query.html", query=query, command=command, table=table, error=error, parameters=query.parameters
            )
            entries.append({"query": query, "href": relative("queries/index.html", page)})
        self.render("queries/index.html", "queries.html", entries=entries)

    def _result_table(self, page: str, result: QueryResult) -> dict[str, object]:
        if result.form == "ASK":
            return {"ask": bool(result.boolean), "variables": [], "rows": [], "total": 0}
        if result.is_graph:
            variables = ["subject", "predicate", "object"]
            raw: list[tuple[Term | None, ...]] = [(t.subject, t.predicate, t.object) for t in result.triples]
            raw.sort(key=lambda r: tuple(str(x) for x in r))
        else:
            variables = list(result.variables)
            raw = [tuple(row) for row in result.rows]
        rows = []
        for row in raw[:RESULT_ROWS_SHOWN]:
            cells = []
            for term in row:
                if isinstance(term, ox.NamedNode | ox.Literal):
                    shown = self.value(page, term, compact(term.value) if isinstance(term, ox.NamedNode) else None)
                    if isinstance(term, ox.Literal):
                        shown = Value(term.value)
                    cells.append(shown)
                else:
                    cells.append(Value("" if term is None else str(term)))
            rows.append(cells)
        return {"ask": None, "variables": variables, "rows": rows, "total": len(raw)}

    def _resources(self, by_iri: Mapping[str, _Entry]) -> None:
        iris = sorted(self.resource_pages)
        facts: dict[str, list[Row]] = defaultdict(list)
        for row in self.run("site-resource", {"resource": _iris(iris)}):
            facts[row["resource"].value].append(row)
        kinds: dict[str, list[dict[str, str]]] = defaultdict(list)
        for iri in iris:
            page = resource_path(iri)
            assert page is not None
            entry = by_iri[iri]
            self._resource_page(page, iri, entry, facts.get(iri, []))
            kinds[str(entry["kind"])].append({"label": entry["label"], "href": relative("id/index.html", page)})
        groups: list[dict[str, object]] = [
            {"kind": k, "items": sorted(kinds[k], key=lambda e: (str(e["label"]).lower(), e["href"]))}
            for k in sorted(kinds)
        ]
        self.render("id/index.html", "resources.html", groups=groups)

    def _resource_page(self, page: str, iri: str, entry: _Entry, rows: list[Row]) -> None:
        numbers: dict[str, int] = {}

        def cite(source: str) -> int:
            if source not in numbers:
                numbers[source] = len(numbers) + 1
            return numbers[source]

        own_sources = sorted(
            {
                r["value"].value
                for r in rows
                if r["direction"].value == "provenance" and r["property"].value == PROVENANCE[0]
            }
        )
        for source in own_sources:
            cite(source)
        grouped: dict[tuple[str, str, str], dict[str, Any]] = {}  # the template's records, sources a list
        order: list[tuple[str, str, str]] = []
        notes: list[str] = []
        locators: list[str] = []
        confidence: list[Value] = []
        for row in rows:
            direction = row["direction"].value
            prop = row["property"].value
            value = row["value"]
            if direction == "provenance":
                if prop == PROVENANCE[1]:
                    locators.append(value.value)
                elif prop == PROVENANCE[2]:
                    confidence.append(self.value(page, value))
                continue
            if direction == "out" and prop == "http://www.w3.org/2000/01/rdf-schema#comment":
                if value.value not in notes:
                    notes.append(value.value)
                continue
            if direction == "out" and prop == "http://www.w3.org/2000/01/rdf-schema#label":
                continue
            key = (direction, prop, f"{type(value).__name__}:{value.value}:{_datatype(value)}")
            if key not in grouped:
                grouped[key] = {
                    "direction": direction,
                    "property": prop,
                    "property_label": property_label(prop, _text(row, "property_label")),
                    "property_href": self.href(page, prop),
                    "value": self.value(page, value, _text(row, "value_label")),
                    "claim": self.value(page, row["claim"]) if "claim" in row else None,
                    "sources": [],
                }
                order.append(key)
            for source in row["source"].value.split("; ") if "source" in row else ():
                number = cite(source) if source else None
                if number is not None and number not in grouped[key]["sources"]:
                    grouped[key]["sources"].append(number)
        for fact in grouped.values():
            fact["sources"].sort()
        facts = [grouped[k] for k in order if k[0] == "out"]
        facts.sort(
            key=lambda f: (
                f["property"] != "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                str(f["property_label"]).lower(),
                f["value"].text,
            )
        )
        claims = [grouped[k] for k in order if k[0] == "claim"]
        incoming = [grouped[k] for k in order if k[0] == "in"]
        incoming.sort(key=lambda f: (str(f["property_label"]).lower(), f["value"].text.lower(), f["value"].href or ""))
        sources = [
            {"number": n, "document": self.value(page, ox.NamedNode(s)), "own": s in own_sources}
            for s, n in sorted(numbers.items(), key=lambda item: item[1])
        ]
        classes = [self.value(page, ox.NamedNode(c)) for c in sorted(set(entry["classes"]))]
        self.render(
            page,
            "resource.html",
            iri=iri,
            curie=compact(iri),
            label=entry["label"],
            classes=classes,
            notes=notes,
            facts=facts,
            claims=claims,
            incoming=incoming,
            sources=sources,
            locators=sorted(set(locators)),
            confidence=confidence,
        )


def _datatype(term: object) -> str:
    return term.datatype.value if isinstance(term, ox.Literal) and term.datatype else ""


def _dedupe(items: list[dict[str, object]]) -> list[dict[str, object]]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for item in items:
        key = (str(item["shape"]), str(item["words"]))
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _query_call(query: StoredQuery) -> tuple[dict[str, list[str]], str]:
    """The parameters the catalogue runs a query with (defaults, else examples) and its command line."""
    params: dict[str, list[str]] = {}
    command = f"gcmgraph query {query.name}"
    for param in query.parameters:
        if param.default:
            continue
        if param.example:
            params[param.name] = [param.example]
            command += f" -p {param.name}={_shell(param.example)}"
    if query.name == "site-shapes":
        command += " --data ontology/shapes.ttl"
    return params, command


def _shell(value: str) -> str:
    return value if all(c.isalnum() or c in ":/._-" for c in value) else "'" + value.replace("'", "'\\''") + "'"


def build_site(
    output: Path | str,
    *,
    data: Sequence[Path | str] | None = None,
    graph: LocalGraph | None = None,
    pictures: Iterable[str] = PICTURES,
) -> SiteReport:
    """Write the site into ``output`` and say what was written.

    ``output`` is a new or empty folder, or the folder of an earlier build that holds nothing else
    (see :func:`gcmgraph.output.write_folder`); anything else is refused before any work is done.
    """
    from ..plots import draw_plot

    target = check_folder_output(output)  # refuse at once, before the work
    graph = graph or open_graph(list(data) if data else None)
    shapes_graph = open_graph([shapes_file()])
    site = Site(graph, shapes_graph)
    drawn: dict[str, str] = {}
    for name in pictures:  # a graph without events still gets its site, without the timeline
        try:
            drawn[name] = draw_plot(graph, name)
        except NothingToShowError as nothing:
            site.problems.append(f"picture {name} left out: {nothing}")
    sources = [s.path for s in getattr(graph, "sources", [])] + [shapes_file()]
    exports = _exports(data)
    site.downloads = tuple(exports) + tuple(f"data/{p.name}" for p in sources)
    site.build(drawn)
    files: dict[str, bytes] = {**site.pages, **exports}
    for name, text in drawn.items():
        files[f"img/{name}.svg"] = text.encode("utf-8")
    for path in sources:
        files[f"data/{path.name}"] = path.read_bytes()
    files["style.css"] = site.env.loader.get_source(site.env, "style.css")[0].encode("utf-8")  # type: ignore[union-attr]
    write_folder(target, files)
    return SiteReport(folder=target, pages=sorted(p for p in files if p.endswith(".html")), problems=site.problems)


EXPORTS = (("turtle", "gcmgraph.ttl"), ("jsonld", "gcmgraph.jsonld"), ("nt", "gcmgraph.nt"))


def _exports(data: Sequence[Path | str] | None) -> dict[str, bytes]:
    """The whole graph (ontology, data and shapes) in one file per format, as ``gcmgraph export`` writes it."""
    try:
        from ..export import export
    except ImportError:  # an installation without the exporter still gets the source files
        return {}
    return {f"data/{name}": export(fmt, data=list(data) if data else None).content for fmt, name in EXPORTS}
