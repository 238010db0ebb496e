"""Blank-node labels that depend only on the shape of the graph, so an export is the same bytes on
every run whatever labels the parser gave.

RDFC-1.0 (pyoxigraph's ``canonicalize``) is exact but its cost grows steeply with the number of
blank nodes that look alike: a chain of 1,000 nested ``[ ]`` did not finish in minutes. Nearly
all blank nodes in real files form trees (Turtle's ``[ ... ]`` nesting, RDF lists, reified
statements), and a tree has a linear canonical labelling: hash each subtree from the leaves up,
then number the nodes depth-first, visiting children in the order of their hashes. Two children
with the same edge and the same hash hold identical subtrees, so the order between them does not
change the output. Components that are not trees (a node with two blank parents, a cycle) and
quoted triples are labelled by RDFC-1.0, one component at a time.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import count

import pyoxigraph as ox

BLANK_PREFIX = "b"


def canonical_labels(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads (duplicates dropped) with blank nodes renamed ``b0``, ``b1`` ... canonically
    (``c14n0`` ... when quoted triples or blank graph names leave it all to RDFC-1.0)."""
    quads = list(dict.fromkeys(quads))
    if any(_needs_rdfc(q) for q in quads):
        return _rdfc(quads)  # keeps RDFC's own c14n labels, which reach inside quoted triples
    outgoing: dict[ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    incoming: dict[ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        if isinstance(quad.subject, ox.BlankNode):
            outgoing[quad.subject].append(quad)
        if isinstance(quad.object, ox.BlankNode):
            incoming[quad.object].append(quad)
    parts = []  # (key, blank nodes in canonical order, the component's quads with canonical local labels)
    for component in _components(outgoing, incoming):
        touching = list({q: None for b in component for q in (*outgoing[b], *incoming[b])})
        root = _tree_root(component, incoming)
        parts.append(_rdfc_component(touching) if root is None else _tree_order(root, outgoing, incoming, touching))
    parts.sort(key=lambda part: part[0])
    numbers = count()
    result = [q for q in quads if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)]
    for _, nodes, component_quads in parts:
        result += _renamed(component_quads, nodes, numbers)
    return result


def _renamed(quads: list[ox.Quad], nodes: list[ox.BlankNode], numbers: Iterator[int]) -> list[ox.Quad]:
    """The quads with ``nodes`` renamed, in their order, to the next numbers."""
    names = {node: ox.BlankNode(f"{BLANK_PREFIX}{next(numbers)}") for node in nodes}
    renamed = []
    for q in quads:
        subject = names.get(q.subject, q.subject) if isinstance(q.subject, ox.BlankNode) else q.subject
        obj = names.get(q.object, q.object) if isinstance(q.object, ox.BlankNode) else q.object
        renamed.append(ox.Quad(subject, q.predicate, obj, q.graph_name))
    return renamed


def _needs_rdfc(quad: ox.Quad) -> bool:
    """Quoted triples and blank graph names are left to RDFC-1.0 for the whole dataset."""
    return (
        isinstance(quad.subject, ox.Triple)
        or isinstance(quad.object, ox.Triple)
        or (isinstance(quad.graph_name, ox.BlankNode))
    )


def _rdfc(quads: Sequence[ox.Quad]) -> list[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


def _components(
    outgoing: dict[ox.BlankNode, list[ox.Quad]], incoming: dict[ox.BlankNode, list[ox.Quad]]
) -> list[list[ox.BlankNode]]:
    """The blank nodes grouped by the blank-to-blank links between them (union-find)."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {b: b for b in (*outgoing, *incoming)}

    def top(node: ox.BlankNode) -> ox.BlankNode:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for node, quads in outgoing.items():
        for quad in quads:
            if isinstance(quad.object, ox.BlankNode):
                parent[top(quad.object)] = top(node)
    groups: dict[ox.BlankNode, list[ox.BlankNode]] = defaultdict(list)
    for node in parent:
        groups[top(node)].append(node)
    return list(groups.values())


def _blank_parents(node: ox.BlankNode, incoming: dict[ox.BlankNode, list[ox.Quad]]) -> int:
    return sum(1 for q in incoming.get(node, ()) if isinstance(q.subject, ox.BlankNode))


def _tree_root(component: list[ox.BlankNode], incoming: dict[ox.BlankNode, list[ox.Quad]]) -> ox.BlankNode | None:
    """The one node without a blank parent, if every other node has exactly one; else None."""
    roots = []
    for node in component:
        count = _blank_parents(node, incoming)
        if count > 1:
            return None
        if count == 0:
            roots.append(node)
    return roots[0] if len(roots) == 1 else None


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


def _tree_order(
    root: ox.BlankNode,
    outgoing: dict[ox.BlankNode, list[ox.Quad]],
    incoming: dict[ox.BlankNode, list[ox.Quad]],
    quads: list[ox.Quad],
) -> tuple[str, list[ox.BlankNode], list[ox.Quad]]:
    """The tree's key (its root's hash), its nodes in canonical depth-first order, and its quads."""
    post: list[ox.BlankNode] = []
    stack: list[tuple[ox.BlankNode, bool]] = [(root, False)]
    while stack:  # iterative post-order: a thousand levels must not hit the recursion limit
        node, expanded = stack.pop()
        if expanded:
            post.append(node)
            continue
        stack.append((node, True))
        stack += [(q.object, False) for q in outgoing.get(node, ()) if isinstance(q.object, ox.BlankNode)]
    digest: dict[ox.BlankNode, str] = {}
    children: dict[ox.BlankNode, list[tuple[str, ox.BlankNode]]] = {}
    for node in post:
        lines, kids = [], []
        for q in outgoing.get(node, ()):
            if isinstance(q.object, ox.BlankNode):
                edge = f"> {q.predicate} {q.graph_name} _:{digest[q.object]}"
                kids.append((edge, q.object))
            else:
                edge = f"> {q.predicate} {q.graph_name} {q.object}"
            lines.append(edge)
        lines += [
            f"< {q.subject} {q.predicate} {q.graph_name}"
            for q in incoming.get(node, ())
            if not isinstance(q.subject, ox.BlankNode)
        ]
        digest[node] = _digest(lines)
        children[node] = sorted(kids, key=lambda kid: kid[0])
    order: list[ox.BlankNode] = []
    todo = [root]
    while todo:  # pre-order: a parent is numbered before its children
        node = todo.pop()
        order.append(node)
        todo += [kid for _, kid in reversed(children[node])]
    return "tree " + digest[root], order, quads


def _rdfc_component(quads: list[ox.Quad]) -> tuple[str, list[ox.BlankNode], list[ox.Quad]]:
    """A component that is not a tree, labelled by RDFC-1.0 (``c14n0`` ... in that order); its key
    is the digest of the labelled quads."""
    labelled = _rdfc(quads)
    nodes = {t: None for q in labelled for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    order = sorted(nodes, key=lambda b: (len(b.value), b.value))
    return "rdfc " + _digest([str(q) for q in labelled]), order, labelled
