"""The OWL 2 RL closure as SPARQL rules run on Oxigraph to a fixpoint: the same triples and the
same inconsistency messages as owlrl's ``OWLRL_Semantics`` (without axiomatic triples), in a
fraction of the time, for every construct the rules below cover.

The rules are those of the OWL 2 RL profile that owlrl implements for the vocabulary the
ontology uses (classes and their hierarchy, domains and ranges, sub-, inverse, equivalent,
symmetric, transitive and functional properties, property chains, equality, disjoint classes) plus
the consistency rules on those terms. :func:`covers` says whether a graph stays within them;
the caller runs owlrl itself when it does not. tests/test_differential.py checks the output against
owlrl on every fixture and on the bundled data.

owlrl reasons over generalized triples (a literal as subject, a blank node as predicate). To keep
that exact, every literal and blank node is stood in for by an IRI while the rules run
(:class:`_Proxies`): the store never rewrites a literal, and SPARQL ``!=`` compares terms.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import cast

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
_LITERAL = "urn:x-gcmgraph:literal:"
_BLANK = "urn:x-gcmgraph:blank:"

TYPE, SAME_AS = RDF + "type", OWL + "sameAs"

#: OWL terms whose owlrl rules are not written here: a graph that uses one is left to owlrl.
UNCOVERED = frozenset(
    OWL + name
    for name in (
        "AllDifferent",
        "distinctMembers",
        "AllDisjointProperties",
        "hasKey",
        "sourceIndividual",
        "assertionProperty",
        "targetIndividual",
        "targetValue",
        "intersectionOf",
        "unionOf",
        "complementOf",
        "someValuesFrom",
        "allValuesFrom",
        "hasValue",
        "maxCardinality",
        "maxQualifiedCardinality",
        "oneOf",
        "onProperty",
        "onClass",
    )
)

_PREFIXES = f"PREFIX rdf: <{RDF}> PREFIX rdfs: <{RDFS}> PREFIX owl: <{OWL}>\n"
_ROUND = "urn:x-gcmgraph:round:"


@dataclass(frozen=True)
class Rule:
    """One OWL 2 RL rule as owlrl applies it: ``head`` holds wherever all ``body`` patterns match
    and ``condition`` (a SPARQL expression) is true."""

    name: str
    head: str
    body: tuple[str, ...]
    condition: str = ""

    def update(self, graph: str, delta: tuple[int, str] | None = None) -> str:
        """SPARQL Update adding the head's new triples to the graph, and to the named ``graph`` of
        this round. With ``delta`` = (position, graph of the round before), only those that use a
        triple the round before added, there (semi-naive evaluation)."""
        patterns = [
            f"GRAPH <{delta[1]}> {{ {pattern} }}" if delta and i == delta[0] else f"{pattern} ."
            for i, pattern in enumerate(self.body)
        ]
        checks = [f"FILTER({self.condition})"] if self.condition else []
        if self.head.split()[1] == "?p":  # owlrl never stores a triple whose predicate is a literal
            checks.append(f'FILTER(!STRSTARTS(STR(?p), "{_LITERAL}"))')
        return (
            f"{_PREFIXES}INSERT {{ {self.head} . GRAPH <{graph}> {{ {self.head} }} }} "
            f"WHERE {{ {' '.join(patterns)} {' '.join(checks)} FILTER NOT EXISTS {{ {self.head} }} }}"
        )

    def keys(self, position: int) -> tuple[str, str] | None:
        """(predicate, rdf:type object or "") that a triple must have to match body pattern
        ``position``, or None if any triple may match it."""
        _, predicate, obj = self.body[position].split()
        if predicate.startswith("?"):
            return None
        predicate = _expand(predicate)
        return predicate, _expand(obj) if predicate == TYPE and not obj.startswith("?") else ""


def _expand(name: str) -> str:
    if name == "a":
        return TYPE
    if name.startswith("<"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    return {"rdf": RDF, "rdfs": RDFS, "owl": OWL}[prefix] + local


#: The rules, named as in the OWL 2 RL tables; each adds what one owlrl rule adds.
RULES: tuple[Rule, ...] = (
    Rule("prp-dom", "?x a ?c", ("?p rdfs:domain ?c", "?x ?p ?y")),
    Rule("prp-rng", "?y a ?c", ("?p rdfs:range ?c", "?x ?p ?y")),
    Rule("prp-fp", "?y1 owl:sameAs ?y2", ("?p a owl:FunctionalProperty", "?x ?p ?y1", "?x ?p ?y2"), "?y1 != ?y2"),
    Rule(
        "prp-ifp", "?x1 owl:sameAs ?x2", ("?p a owl:InverseFunctionalProperty", "?x1 ?p ?y", "?x2 ?p ?y"), "?x1 != ?x2"
    ),
    Rule("prp-symp", "?y ?p ?x", ("?p a owl:SymmetricProperty", "?x ?p ?y")),
    Rule("prp-trp", "?x ?p ?z", ("?p a owl:TransitiveProperty", "?x ?p ?y", "?y ?p ?z")),
    Rule("prp-spo1", "?x ?p ?y", ("?q rdfs:subPropertyOf ?p", "?x ?q ?y")),
    Rule("prp-eqp1", "?x ?p ?y", ("?q owl:equivalentProperty ?p", "?x ?q ?y"), "?q != ?p"),
    Rule("prp-eqp2", "?x ?p ?y", ("?p owl:equivalentProperty ?q", "?x ?q ?y"), "?q != ?p"),
    Rule("prp-inv1", "?y ?p ?x", ("?q owl:inverseOf ?p", "?x ?q ?y")),
    Rule("prp-inv2", "?y ?p ?x", ("?p owl:inverseOf ?q", "?x ?q ?y")),
    Rule("eq-sym", "?y owl:sameAs ?x", ("?x owl:sameAs ?y",)),
    Rule("eq-trans", "?x owl:sameAs ?z", ("?x owl:sameAs ?y", "?y owl:sameAs ?z")),
    Rule("eq-rep-s", "?o ?p ?v", ("?s owl:sameAs ?o", "?s ?p ?v")),
    Rule("eq-rep-p", "?x ?p ?y", ("?s owl:sameAs ?p", "?x ?s ?y")),
    Rule("eq-rep-o", "?x ?p ?s", ("?s owl:sameAs ?o", "?x ?p ?o")),
    Rule("cax-sco", "?x a ?d", ("?c rdfs:subClassOf ?d", "?x a ?c"), "?c != ?d"),
    Rule("cax-eqc1", "?x a ?d", ("?c owl:equivalentClass ?d", "?x a ?c"), "?c != ?d"),
    Rule("cax-eqc2", "?x a ?c", ("?c owl:equivalentClass ?d", "?x a ?d"), "?c != ?d"),
    Rule("scm-cls", "?c rdfs:subClassOf ?c", ("?c a owl:Class",)),
    Rule("scm-cls", "?c owl:equivalentClass ?c", ("?c a owl:Class",)),
    Rule("scm-cls", "?c rdfs:subClassOf owl:Thing", ("?c a owl:Class",)),
    Rule("scm-cls", "owl:Nothing rdfs:subClassOf ?c", ("?c a owl:Class",)),
    Rule(
        "scm-sco", "?c rdfs:subClassOf ?e", ("?c rdfs:subClassOf ?d", "?d rdfs:subClassOf ?e"), "?c != ?d && ?c != ?e"
    ),
    Rule("scm-eqc1", "?c rdfs:subClassOf ?d", ("?c owl:equivalentClass ?d",), "?c != ?d"),
    Rule("scm-eqc1", "?d rdfs:subClassOf ?c", ("?c owl:equivalentClass ?d",), "?c != ?d"),
    Rule("scm-eqc2", "?c owl:equivalentClass ?d", ("?c rdfs:subClassOf ?d", "?d rdfs:subClassOf ?c")),
    Rule(
        "scm-op",
        "?q rdfs:subPropertyOf ?q",
        ("?q a ?kind",),
        "?kind IN (owl:ObjectProperty, owl:DatatypeProperty, rdf:Property)",
    ),
    Rule(
        "scm-op",
        "?q owl:equivalentProperty ?q",
        ("?q a ?kind",),
        "?kind IN (owl:ObjectProperty, owl:DatatypeProperty, rdf:Property)",
    ),
    Rule(
        "scm-spo",
        "?q rdfs:subPropertyOf ?r",
        ("?q rdfs:subPropertyOf ?s", "?s rdfs:subPropertyOf ?r"),
        "?q != ?s && ?q != ?r",
    ),
    Rule("scm-eqp1", "?q rdfs:subPropertyOf ?r", ("?q owl:equivalentProperty ?r",), "?q != ?r"),
    Rule("scm-eqp1", "?r rdfs:subPropertyOf ?q", ("?q owl:equivalentProperty ?r",), "?q != ?r"),
    Rule(
        "scm-eqp2", "?q owl:equivalentProperty ?r", ("?q rdfs:subPropertyOf ?r", "?r rdfs:subPropertyOf ?q"), "?q != ?r"
    ),
    Rule("scm-dom1", "?q rdfs:domain ?d", ("?q rdfs:domain ?c", "?c rdfs:subClassOf ?d"), "?c != ?d"),
    Rule("scm-dom2", "?q rdfs:domain ?c", ("?r rdfs:domain ?c", "?q rdfs:subPropertyOf ?r"), "?q != ?r"),
    Rule("scm-rng1", "?q rdfs:range ?d", ("?q rdfs:range ?c", "?c rdfs:subClassOf ?d"), "?c != ?d"),
    Rule("scm-rng2", "?q rdfs:range ?c", ("?r rdfs:range ?c", "?q rdfs:subPropertyOf ?r"), "?q != ?r"),
)

#: (SELECT whose rows are inconsistencies, owlrl's message for a row, the row's variables in order).
ERRORS: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (_PREFIXES + text, message, variables)
    for text, message, variables in (
        ("SELECT ?x WHERE { ?x a owl:Nothing }", "%s is defined of type 'Nothing'", ("x",)),
        (
            "SELECT ?c ?d ?x WHERE { ?c owl:disjointWith ?d . ?x a ?c, ?d }",
            "Disjoint classes %s and %s have a common individual %s",
            ("c", "d", "x"),
        ),
        (
            "SELECT ?x ?p WHERE { ?p a owl:IrreflexiveProperty . ?x ?p ?x }",
            "Irreflexive property used on %s with %s",
            ("x", "p"),
        ),
        (
            "SELECT ?p ?x ?y WHERE { ?p a owl:AsymmetricProperty . ?x ?p ?y . ?y ?p ?x }",
            "Erroneous usage of asymmetric property %s on %s and %s",
            ("p", "x", "y"),
        ),
        (
            "SELECT ?p ?q ?x ?y WHERE { ?p owl:propertyDisjointWith ?q . ?x ?p ?y . ?x ?q ?y }",
            "Erroneous usage of disjoint properties %s and %s on %s and %s",
            ("p", "q", "x", "y"),
        ),
        # eq-diff1; owlrl's eq-ref also makes every term the same as itself.
        (
            "SELECT ?x ?y WHERE { { ?x owl:sameAs ?y } UNION { ?x owl:differentFrom ?x BIND(?x AS ?y) } "
            "{ ?x owl:differentFrom ?y } UNION { ?y owl:differentFrom ?x } }",
            "'sameAs' and 'differentFrom' cannot be used on the same subject-object pair: (%s, %s)",
            ("x", "y"),
        ),
    )
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class _Proxies:
    """Literals and blank nodes stood in for by IRIs, and back, in N-Triples text (so the work is
    done by pyoxigraph's serialiser and parser and one regular expression, not term by term)."""

    #: A literal or a blank node, as N-Triples writes them (a blank node after a space or at the
    #: start of a line, so never inside an IRI or a literal).
    TERM = re.compile(r'"(?:[^"\\]|\\.)*"(?:\^\^<[^>]*>|@[A-Za-z0-9-]+)?|(?:^|(?<= ))_:\S+', re.MULTILINE)
    PROXY = re.compile(f"<(?:{_LITERAL}|{_BLANK})[0-9]+>")

    def __init__(self) -> None:
        self._proxies: dict[str, str] = {}
        self._tokens: dict[str, str] = {}

    def token(self, text: str) -> str:
        """The proxy IRI (in N-Triples) of a literal or blank node written in N-Triples; an IRI as it is."""
        if text[0] == "<":
            return text
        proxy = self._proxies.get(text)
        if proxy is None:
            base = _BLANK if text[0] == "_" else _LITERAL
            proxy = self._proxies[text] = f"<{base}{len(self._proxies)}>"
            self._tokens[proxy] = text
        return proxy

    def encode(self, ntriples: str) -> str:
        return self.TERM.sub(lambda m: self.token(m.group()), ntriples)

    def decode(self, ntriples: str) -> str:
        return self.PROXY.sub(lambda m: self._tokens[m.group()], ntriples)

    def term(self, node: ox.NamedNode) -> Term:
        """The term a proxy stands for (the node itself if it is no proxy)."""
        token = self._tokens.get(str(node))
        if token is None:
            return node
        # A proxy stands for a literal or a blank node, never for a triple term.
        return cast(Term, next(ox.parse(f"<{_LITERAL}> <{_LITERAL}> {token} .", format=ox.RdfFormat.N_TRIPLES)).object)


def text(term: Term) -> str:
    """A term as owlrl writes it into a message (rdflib's ``str``): IRI, blank-node label or lexical form."""
    return term.value


def covers(triples: Iterable[ox.Triple | ox.Quad]) -> bool:
    """True if the rules here give owlrl's answer for these triples: no OWL term of :data:`UNCOVERED`,
    no statement about owl:sameAs itself, and no asserted owl:sameAs that owlrl's one-time datatype
    rules would follow (their outcome depends on rdflib's iteration order)."""
    typed_as_datatype: set[str] = set()
    same: list[tuple[Term | ox.Triple, Term | ox.Triple]] = []
    same_as, datatypes = ox.NamedNode(SAME_AS), _datatypes()
    for triple in triples:
        s, p, o = triple.subject, triple.predicate.value, triple.object
        if p in UNCOVERED or (isinstance(o, ox.NamedNode) and o.value in UNCOVERED):
            return False
        if s == same_as or o == same_as:
            return False
        if p == TYPE and isinstance(o, ox.NamedNode) and o.value in datatypes:
            typed_as_datatype.add(_key(s))
        if p == SAME_AS:
            same.append((s, o))
    return not any(
        isinstance(o, ox.Literal) or _key(s) in typed_as_datatype or _key(o) in typed_as_datatype for s, o in same
    )


def _key(term: Term | ox.Triple) -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}" if isinstance(term, ox.BlankNode) else ""


@cache
def _datatypes() -> frozenset[str]:
    from owlrl.XsdDatatypes import OWL_RL_Datatypes

    return frozenset(str(d) for d in OWL_RL_Datatypes)


def _one_time(
    triples: Sequence[ox.Triple], add: Callable[[Term | ox.Triple, str, Term], None], error: Callable[[str], None]
) -> None:
    """owlrl's one-time rules (cls-thing, cls-nothing1, prp-ap, dt-type1, dt-type2, dt-not-type and
    the disjointness of the datatypes in use), with owlrl's own tables."""
    from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
    from owlrl.DatatypeHandling import AltXSDToPYTHON
    from owlrl.OWLRL import OWLRL_Annotation_properties
    from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions

    datatypes = _datatypes()
    subsumptions = {str(k): [str(v) for v in vs] for k, vs in OWL_Datatype_Subsumptions.items()}
    converters = {str(k): v for k, v in AltXSDToPYTHON.items()}
    add(ox.NamedNode(OWL + "Thing"), TYPE, ox.NamedNode(OWL + "Class"))
    add(ox.NamedNode(OWL + "Nothing"), TYPE, ox.NamedNode(OWL + "Class"))
    for annotation in OWLRL_Annotation_properties:
        add(ox.NamedNode(str(annotation)), TYPE, ox.NamedNode(OWL + "AnnotationProperty"))
    implicit: dict[ox.Literal, str] = {}
    explicit: dict[Term | ox.Triple, set[str]] = defaultdict(set)
    for triple in triples:
        o = triple.object
        if isinstance(o, ox.Literal) and not o.language and o.datatype.value in datatypes:
            implicit[o] = o.datatype.value
        elif triple.predicate.value == TYPE and isinstance(o, ox.NamedNode) and o.value in datatypes:
            explicit[triple.subject].add(o.value)
    used = set(implicit.values()) | {dt for dts in explicit.values() for dt in dts}
    for literal, datatype in implicit.items():
        add(literal, TYPE, ox.NamedNode(datatype))
        try:
            converters.get(datatype, str)(literal.value)
        except ValueError:
            error(f"Lexical value of the literal '{literal.value}' does not match its datatype ({datatype})")
    for datatype in datatypes | {dt for dts in explicit.values() for dt in dts}:
        add(ox.NamedNode(datatype), TYPE, ox.NamedNode(RDFS + "Datatype"))
    for node, datatype in [(n, d) for n, ds in explicit.items() for d in ds] + list(implicit.items()):
        for wider in subsumptions.get(datatype, ()):
            add(node, TYPE, ox.NamedNode(wider))
            add(ox.NamedNode(wider), TYPE, ox.NamedNode(RDFS + "Datatype"))
            used.add(wider)
    for left, predicate, right in OWLRL_Datatypes_Disjointness:
        if str(left) in used and str(right) in used:
            add(ox.NamedNode(str(left)), str(predicate), ox.NamedNode(str(right)))


def _items(store: ox.Store, head: ox.NamedNode) -> list[ox.NamedNode]:
    """The members of an RDF list, as rdflib's ``Graph.items`` reads them (a node without a member
    is passed over). The store is the proxy store, where literals and blank nodes stand as IRIs."""
    first, rest = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest")
    members: list[ox.NamedNode] = []
    node: ox.NamedNode | None = head
    seen = {head.value}
    while node is not None:
        member = next(store.quads_for_pattern(node, first, None, ox.DefaultGraph()), None)
        if member is not None and isinstance(member.object, ox.NamedNode):
            members.append(member.object)
        following = next(store.quads_for_pattern(node, rest, None, ox.DefaultGraph()), None)
        node = cast(ox.NamedNode, following.object) if following is not None else None
        if node is not None:
            if node.value in seen:
                raise ValueError("List contains a recursive rdf:rest reference")
            seen.add(node.value)
    return members


def _chains(store: ox.Store) -> list[Rule]:
    """prp-spo2: a rule for each property chain in the graph."""
    axiom = ox.NamedNode(OWL + "propertyChainAxiom")
    rules = []
    for quad in list(store.quads_for_pattern(None, axiom, None, ox.DefaultGraph())):
        chain, subject = _items(store, cast(ox.NamedNode, quad.object)), cast(ox.NamedNode, quad.subject)
        if chain and not subject.value.startswith(_LITERAL):
            steps = tuple(f"?z{i} <{p.value}> ?z{i + 1}" for i, p in enumerate(chain))
            rules.append(Rule("prp-spo2", f"?z0 <{subject.value}> ?z{len(chain)}", steps))
    return rules


def _disjoint_lists(store: ox.Store) -> Iterator[tuple[str, tuple[str, ...]]]:
    """cax-adc: a query per pair of classes of an owl:AllDisjointClasses, in owlrl's order."""
    members = ox.NamedNode(OWL + "members")
    for quad in list(store.quads_for_pattern(None, ox.NamedNode(TYPE), ox.NamedNode(OWL + "AllDisjointClasses"))):
        for lists in list(store.quads_for_pattern(quad.subject, members, None, ox.DefaultGraph())):
            classes = _items(store, cast(ox.NamedNode, lists.object))
            for i, first in enumerate(classes[:-1]):
                for second in classes[i + 1 :]:
                    yield (
                        f"SELECT ?c ?d ?x WHERE {{ ?x a <{first.value}>, <{second.value}> "
                        f"BIND(<{first.value}> AS ?c) BIND(<{second.value}> AS ?d) }}",
                        ("c", "d", "x"),
                    )


def _keys(store: ox.Store, graph: str | None = None) -> set[tuple[str, str]]:
    """The (predicate, class) pairs of the triples in a graph (the default one if None): a class
    for rdf:type triples, "" for the others."""
    pattern = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    query = f'SELECT DISTINCT ?p ?c WHERE {{ {pattern} BIND(IF(?p = <{TYPE}>, STR(?o), "") AS ?c) }}'
    return {(row["p"].value, row["c"].value) for row in cast(ox.QuerySolutions, store.query(query))}


def _fixpoint(store: ox.Store, phase: str, rules: Callable[[], list[Rule]]) -> None:
    """Apply the rules until nothing new follows. The first round matches the rules in the whole
    graph; each later round only where a pattern matches a triple the round before added
    (semi-naive evaluation). What round ``n`` adds is also kept in the graph ``_ROUND`` + phase-n.
    A rule one of whose patterns matches nothing in the graph is not run."""

    def matches(keys: tuple[str, str] | None, found: set[tuple[str, str]], predicates: set[str]) -> bool:
        return keys is None or keys in found or (not keys[1] and keys[0] in predicates)

    present = _keys(store)
    round_, added = 0, present
    while added:
        graph, before = f"{_ROUND}{phase}-{round_}", f"{_ROUND}{phase}-{round_ - 1}"
        in_graph = {predicate for predicate, _ in present}
        in_round = {predicate for predicate, _ in added}
        for rule in rules():
            keys = [rule.keys(position) for position in range(len(rule.body))]
            if not all(matches(k, present, in_graph) for k in keys):
                continue
            if round_ == 0:
                store.update(rule.update(graph))
                continue
            for position, key in enumerate(keys):
                if matches(key, added, in_round):
                    store.update(rule.update(graph, (position, before)))
        added = _keys(store, graph)
        present |= added
        round_ += 1


def closure(asserted: Sequence[ox.Triple]) -> tuple[list[ox.Triple], list[str]]:
    """What the OWL RL rules derive from the (distinct) ``asserted`` triples, and owlrl's
    inconsistency messages.

    Left out, as they are of owlrl's output: literal subjects and blank-node predicates (owlrl
    drops those), and the one-time rules' triples, which only type literals and datatypes."""
    proxies = _Proxies()
    lines = [proxies.encode(cast(bytes, ox.serialize(asserted, format=ox.RdfFormat.N_TRIPLES)).decode("utf-8"))]

    def add(s: Term | ox.Triple, p: str, o: Term) -> None:
        lines.append(f"{proxies.token(str(s))} <{p}> {proxies.token(str(o))} .\n")

    errors: list[str] = []
    _one_time(asserted, add, lambda message: errors.append(message) if message not in errors else None)
    store = ox.Store()
    store.load("".join(lines), format=ox.RdfFormat.N_TRIPLES)
    # The class and property hierarchy first (a few hundred triples), so that the instance rules
    # then run with all of it at once instead of once more for each schema triple found later.
    _fixpoint(store, "schema", lambda: [rule for rule in RULES if rule.name.startswith("scm-")])
    _fixpoint(store, "all", lambda: [*RULES, *_chains(store)])
    queries = [*ERRORS, *((q, ERRORS[1][1], v) for q, v in _disjoint_lists(store))]
    for query, message, variables in queries:
        for row in cast(ox.QuerySolutions, store.query(query)):
            text_ = message % tuple(text(proxies.term(row[v])) for v in variables)
            if text_ not in errors:
                errors.append(text_)
    # owlrl drops blank-node predicates after its last round; literal subjects are not RDF.
    derived = cast(
        ox.QueryTriples,
        store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f'FILTER(STRSTARTS(STR(?g), "{_ROUND}") && !STRSTARTS(STR(?s), "{_LITERAL}") '
            f'&& !STRSTARTS(STR(?p), "{_BLANK}")) }}',
        ),
    )
    ntriples = proxies.decode(cast(bytes, derived.serialize(format=ox.RdfFormat.N_TRIPLES)).decode("utf-8"))
    return list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)), errors
