"""The ``gcmgraph`` command: parse options, call one service, render its value.

Exit codes: 0 success; 1 the command ran and found something to report (``validate`` findings,
``query --fail-on-empty`` with no rows); 2 usage or input error (unknown query, bad parameter or
format, missing or malformed file). Errors are one line on stderr, without a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from . import __version__
from .errors import GcmgraphError, UsageError

EXIT_CODES = "Exit codes: 0 success; 1 findings or empty result (--fail-on-empty); 2 usage or input error."


class _Group(click.Group):
    """Turns every user error into one line on stderr and exit code 2."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except GcmgraphError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(130)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.ctx.get_help() if error.ctx else str(error), err=True)
            sys.exit(2)
        except click.exceptions.ClickException as error:
            click.echo(f"Error: {' '.join(error.format_message().split())}", err=True)
            sys.exit(error.exit_code)
        sys.exit(code or 0)


def _emit(content: bytes, output: str | None, inputs: Sequence[Path] = ()) -> None:
    if output:
        from .output import write_atomic

        write_atomic(output, content, inputs)
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()


def _params(values: Sequence[str]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {item!r}: write NAME=VALUE")
        table.setdefault(name.strip(), []).append(value)
    return table


data_option = click.option(
    "--data", "data", multiple=True, type=click.Path(path_type=Path),
    help="Turtle file or folder to query instead of the bundled data (repeatable); the ontology is always added.",
)  # fmt: skip
inferred_option = click.option(
    "--inferred", is_flag=True, help="Add the OWL RL entailments (computed on a copy, cached)."
)
format_option = click.option("-f", "--format", "fmt", default=None, help="Output format (see above).")


def source_options(command):
    """--data, --inferred, --endpoint, --graph and --no-graphs: where the triples come from."""
    options = [
        data_option,
        inferred_option,
        click.option("--endpoint", default=None, metavar="URL|ALIAS",
                     help="Query a SPARQL endpoint (URL or alias from gcmgraph.toml) instead of local files."),
        click.option("--graph", "graphs", multiple=True, metavar="IRI",
                     help="With --endpoint: a graph to read (repeatable; default: those gcmgraph publish writes)."),
        click.option("--no-graphs", is_flag=True, help="With --endpoint: read the store's own default graph."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _source(data: Sequence[Path], inferred: bool, endpoint: str | None, graphs: Sequence[str], no_graphs: bool):
    from .store import open_source

    chosen = [] if no_graphs else (list(graphs) or None)
    return open_source(list(data) or None, inferred=inferred, endpoint=endpoint, graphs=chosen)


output_option = click.option("-o", "--output", default=None, help="Write to this file (atomically) instead of stdout.")


@click.group(cls=_Group, epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="gcmgraph")
def main() -> None:
    """A knowledge graph of the Global Compact for Safe, Orderly and Regular Migration.

    Example: gcmgraph query thematic-sessions
    """


@main.command("list")
@click.option("--tag", default=None, help="Only queries with this tag.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", help="table or json.")
def list_command(tag: str | None, fmt: str) -> None:
    """List the stored queries with their summaries and parameters.

    Example: gcmgraph list --tag events
    """
    import json

    from .queries import catalogue

    queries = [q for q in catalogue() if tag is None or tag in q.tags]
    if fmt == "json":
        payload = [
            {"name": q.name, "summary": q.summary, "form": q.form, "tags": list(q.tags),
             "parameters": [{"name": p.name, "type": p.type_label, "required": p.required and not p.default,
                             "default": list(p.default), "allowed": list(p.allowed), "example": p.example}
                            for p in q.parameters]}
            for q in queries
        ]  # fmt: skip
        _emit((json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode(), None)
        return
    width = max([len(q.name) for q in queries] + [4])
    lines = []
    for q in queries:
        lines.append(f"{q.name.ljust(width)}  {q.summary}")
        lines += [f"{''.ljust(width)}    -p {p.usage()}" for p in q.parameters]
    _emit(("\n".join(lines) + "\n").encode(), None)


@main.command("show")
@click.argument("name")
def show_command(name: str) -> None:
    """Print a stored query's documentation and SPARQL text.

    Example: gcmgraph show document-lineage
    """
    from .queries import find_query

    query = find_query(name)
    lines = [f"{query.name}: {query.summary}", f"file: {query.display_path}", f"form: {query.form}"]
    if query.description:
        lines.append(query.description)
    if query.tags:
        lines.append("tags: " + ", ".join(query.tags))
    lines += [f"parameter: {p.usage()}" for p in query.parameters]
    lines += ["", query.text.rstrip("\n")]
    _emit(("\n".join(lines) + "\n").encode(), None)


@main.command(
    "query",
    epilog="Formats: table (default), csv, tsv, json, xml, markdown; "
    "for CONSTRUCT/DESCRIBE turtle (default), json-ld, nt.",
)
@click.argument("name")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a parameter; repeat a name for a list of values.",
)
@format_option
@output_option
@source_options
@click.option("--fail-on-empty", is_flag=True, help="Exit 1 when the result is empty (or ASK is false).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds before the query is stopped.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=100_000,
    show_default=True,
    help="Most rows (or triples) a result may have.",
)
@click.option(
    "--allow-outside", is_flag=True, help="Permit SERVICE and FROM clauses that reach outside the loaded data."
)
def query_command(
    name: str, params: tuple[str, ...], fmt: str | None, output: str | None, inferred: bool,
    data: tuple[Path, ...], endpoint: str | None, graphs: tuple[str, ...], no_graphs: bool,
    fail_on_empty: bool, timeout: float, max_rows: int, allow_outside: bool,
) -> None:  # fmt: skip
    """Run a stored query by name, or any .rq file, on the bundled data or on your files.

    A query file needs at least a '#+ summary: ...' header line.

    Example: gcmgraph query events-in-city -p city=place:vienna --format csv
    """
    from .queries import find_query, run_query
    from .render import choose_format, render_result

    stored = find_query(name)
    chosen = choose_format(fmt, output, stored.form)
    graph = _source(data, inferred, endpoint, graphs, no_graphs)
    result = run_query(graph, stored, _params(params), timeout=timeout, max_rows=max_rows, allow_outside=allow_outside)
    inputs = [s.path for s in getattr(graph, "sources", ())] + [stored.path]
    _emit(render_result(result, chosen), output, inputs)
    if fail_on_empty and result.is_empty:
        click.echo("No results.", err=True)
        sys.exit(1)


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--inference",
    type=click.Choice(["none", "rdfs", "owlrl"]),
    default="none",
    show_default=True,
    help="Inference applied (on a copy) before SHACL validation.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "none"]),
    default="error",
    show_default=True,
    help="Lowest severity that makes the run fail (exit 1).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "turtle", "github", "sarif", "junit"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most N findings per check.")
@click.option(
    "--engine",
    type=click.Choice(["fast", "pyshacl"]),
    default="fast",
    show_default=True,
    help="fast: pyshacl-turbo and OWL RL rules on Oxigraph; pyshacl: pySHACL and owlrl (the reference). Same findings.",
)
@click.option(
    "--accepted",
    "accepted",
    type=click.Path(path_type=Path),
    default=None,
    help="Accepted-findings file (default: queries/checks/accepted.yaml).",
)
@output_option
def validate_command(
    paths: tuple[Path, ...], inference: str, fail_on: str, fmt: str, limit: int | None, engine: str,
    accepted: Path | None, output: str | None,
) -> None:  # fmt: skip
    """Check syntax, the shapes, SHACL, OWL RL consistency and quality checks in one pass.

    A file that cannot be read is skipped and makes the run exit 2. Example: gcmgraph validate --format github
    """
    from .render import render_report
    from .validation import validate

    report = validate(list(paths) or None, inference=inference, accepted_file=accepted or True, engine=engine)
    _emit(render_report(report, fmt, limit), output, list(paths))
    if report.unreadable:
        click.echo(f"Error: {', '.join(report.skipped)}: cannot be read; skipped (see the syntax findings)", err=True)
        sys.exit(2)
    if report.failed(fail_on):
        sys.exit(1)


@main.command("publish")
@click.argument("endpoint", metavar="URL|ALIAS")
@click.option(
    "--replace", is_flag=True, help="Also delete graphs an earlier publish wrote that are no longer part of the graph."
)
@click.option("--dry-run", is_flag=True, help="Say what would be written, write nothing.")
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True, help="Seconds per request."
)
@data_option
def publish_command(endpoint: str, replace: bool, dry_run: bool, timeout: float, data: tuple[Path, ...]) -> None:
    """Load the graph into a triple store, one named graph per file, and check the counts.

    URL is the store's SPARQL query endpoint (the Graph Store endpoint is its /store sibling on
    Oxigraph, or 'store' in an alias of gcmgraph.toml). Example: gcmgraph publish http://127.0.0.1:7878/query
    """
    from .remote import publish, resolve_endpoint
    from .store import open_graph

    graph = open_graph(list(data) or None)
    graphs: dict[str, list] = {}
    for quad in dict.fromkeys(graph.quads()):
        graphs.setdefault(quad.graph_name.value, []).append(quad)
    interactive = sys.stderr.isatty()

    def progress(name: str, done: int, total: int) -> None:
        if interactive:
            click.echo(f"\r{done}/{total} triples", err=True, nl=False)

    report = publish(
        resolve_endpoint(endpoint), graphs, replace=replace, dry_run=dry_run, timeout=timeout, progress=progress
    )
    if interactive and not dry_run:
        click.echo("", err=True)
    verb = "would write" if report.dry_run else "wrote"
    lines = [f"{verb} {g.sent} triples to <{g.graph}>" + ("" if g.found is None else f"; store holds {g.found}")
             for g in report.graphs]  # fmt: skip
    lines += [f"{'would delete' if report.dry_run else 'deleted'} stale graph <{g}>" for g in report.removed]
    _emit(("\n".join(lines) + "\n").encode(), None)


@main.command("serve")
@click.option(
    "--bind",
    default="127.0.0.1:7878",
    show_default=True,
    help="HOST:PORT to listen on (loopback unless told otherwise).",
)
@click.option(
    "--timeout-s", type=click.IntRange(min=1), default=30, show_default=True, help="Query time limit in seconds."
)
@source_options
def serve_command(
    bind: str, timeout_s: int, inferred: bool, data: tuple[Path, ...], endpoint: str | None, graphs: tuple[str, ...],
    no_graphs: bool,
) -> None:  # fmt: skip
    """Serve the graph as a read-only SPARQL endpoint (Oxigraph's server) until Ctrl-C.

    Example: gcmgraph serve --bind 127.0.0.1:7878
    """
    import signal

    from .serve import start
    from .store import open_graph

    if endpoint:
        raise UsageError("serve serves local files; --endpoint does not apply")

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # before starting, so a stop request never orphans the server
    quads = open_graph(list(data) or None, inferred=inferred).quads()
    server = None
    try:
        server = start(quads, bind=bind, timeout_s=timeout_s)
        click.echo(f"SPARQL endpoint: {server.url} (read-only; Ctrl-C stops it)", err=True)
        example = "query=SELECT * WHERE { ?s ?p ?o } LIMIT 3"
        click.echo(f"Try: curl -H 'Accept: text/csv' --data-urlencode '{example}' {server.url}", err=True)
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.stop()
            click.echo("Stopped.", err=True)


@main.command("docs")
@click.option(
    "-o",
    "--output",
    default="site",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder to write the site into (created, or replaced if it holds an earlier site).",
)
@data_option
def docs_command(output: Path, data: tuple[Path, ...]) -> None:
    """Build the static site: home, ontology reference, query catalogue, one page per resource.

    The site works opened from disk and loads nothing from another host. Example: gcmgraph docs --output site
    """
    import time

    from .site import build_site

    started = time.perf_counter()
    report = build_site(output, data=list(data) or None)
    for problem in report.problems:
        click.echo(f"warning: {problem}", err=True)
    took = time.perf_counter() - started
    click.echo(f"wrote {len(report.pages)} pages to {output}/ in {took:.1f} s; open {output}/index.html", err=True)


@main.command("plot")
@click.argument("name", metavar="NAME")
@click.option("-o", "--output", default=None, help="Write to FILE.svg or FILE.png (default: SVG on stdout).")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["svg", "png"]),
    default=None,
    help="svg or png (default: from the --output extension, else svg).",
)
@data_option
def plot_command(name: str, output: str | None, fmt: str | None, data: tuple[Path, ...]) -> None:
    """Draw a picture of the process from its stored queries: timeline, vote-map, lineage, actor-network.

    Example: gcmgraph plot timeline -o timeline.svg
    """
    from .plots import PLOTS, UnknownPlotError, draw_plot, svg_to_png
    from .store import open_graph

    if name not in PLOTS:
        raise UnknownPlotError(name)
    if fmt is None:
        suffix = Path(output).suffix.lower() if output else ".svg"
        if suffix not in (".svg", ".png"):
            raise UsageError(f"--output {output}: give a .svg or .png file, or --format svg|png")
        fmt = suffix[1:]
    graph = open_graph(list(data) or None)
    text = draw_plot(graph, name)
    content = svg_to_png(text) if fmt == "png" else text.encode("utf-8")
    _emit(content, output, [s.path for s in graph.sources])


@main.command("describe")
@click.argument("resource")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", help="table or json.")
@source_options
def describe_command(
    resource: str, fmt: str, inferred: bool, data: tuple[Path, ...], endpoint: str | None, graphs: tuple[str, ...],
    no_graphs: bool,
) -> None:  # fmt: skip
    """Show everything the graph says about one resource (IRI, prefixed name or label).

    Example: gcmgraph describe "Louise Arbour"
    """
    from .describe import describe
    from .render import render_description

    graph = _source(data, inferred, endpoint, graphs, no_graphs)
    _emit(render_description(describe(graph, resource), fmt), None)


@main.command(
    "export",
    epilog="Formats: turtle (default), jsonld (or json-ld), nt, nq, trig, xml; the --output extension "
    "(.ttl .jsonld .nt .nq .trig .rdf .owl .xml) picks one when --format is absent. TriG, N-Quads and JSON-LD "
    "keep one named graph per source file; the others hold their union.",
)
@format_option
@click.option(
    "--only",
    type=click.Choice(["all", "ontology", "data", "shapes"]),
    default="all",
    show_default=True,
    help="Which files to export.",
)
@inferred_option
@click.option(
    "--frame",
    default=None,
    is_flag=False,
    flag_value="",
    metavar="[FILE]",
    help="JSON-LD framed by FILE (default: ontology/frame-events.jsonld), nested like a document.",
)
@output_option
@data_option
def export_command(
    fmt: str | None, only: str, inferred: bool, frame: str | None, output: str | None, data: tuple[Path, ...]
) -> None:
    """Write the graph as Turtle, JSON-LD, N-Triples, N-Quads, TriG or RDF/XML, the same bytes on every run.

    Example: gcmgraph export --format trig --output gcmgraph.trig
    """
    from .export import export, export_inputs, pick_format

    framed = None if frame is None else Path(frame) if frame else True
    result = export(
        pick_format(fmt, output, frame=framed is not None), only=only, inferred=inferred, data=list(data) or None,
        frame=framed,
    )  # fmt: skip
    _emit(result.content, output, export_inputs(list(data) or None, framed))
    if inferred:
        click.echo(f"added {result.inferred_added} inferred triples", err=True)
