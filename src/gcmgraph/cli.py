"""The ``gcmgraph`` command: parse options, call one service, render its value.

Exit codes: 0 success; 1 the command ran and found something to report (``validate`` findings,
``query --fail-on-empty`` with no rows); 2 usage or input error (unknown query, bad parameter or
format, missing or malformed file, an output it may not write); 141 the reader of stdout went away.
Errors are one line on stderr, without a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from . import __version__, limits
from .errors import GcmgraphError, UnknownPlotError, UsageError

if TYPE_CHECKING:
    from .sources import GraphSource

#: A command function, as the shared option decorators take and give it back.
F = TypeVar("F", bound=Callable[..., Any])
#: What a command function returns.
R = TypeVar("R")

EXIT_CODES = (
    "Exit codes: 0 success; 1 findings or empty result (--fail-on-empty); 2 usage or input error; "
    "141 the reader of stdout went away."
)


class _Group(click.Group):
    """Turns every user error into one line on stderr and exit code 2."""

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
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


#: Exit status when the reader of stdout has gone (``gcmgraph query ... | head -1``), as for SIGPIPE.
EXIT_READER_GONE = 141


def _check_output(output: str | None, inputs: Sequence[Path] = ()) -> None:
    """Refuse an -o the command may not write, before it does any work."""
    from .output import check_output, is_stdout

    if output is not None and not is_stdout(output):
        check_output(output, inputs)


def _emit(content: bytes, output: str | None, inputs: Sequence[Path] = ()) -> None:
    """Write to the -o file (atomically; never over an input), or to stdout for none or '-'."""
    from .output import is_stdout, write_atomic

    if output is not None and not is_stdout(output):
        write_atomic(output, content, inputs)
        return
    try:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader closed the pipe: stop quietly, and keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_READER_GONE)


def _params(values: Sequence[str]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {item!r}: write NAME=VALUE")
        table.setdefault(name.strip(), []).append(value)
    return table


data_option = click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Turtle file or folder to query instead of the bundled data (repeatable); the ontology is always added.",
)
inferred_option = click.option(
    "--inferred", is_flag=True, help="Add the OWL RL entailments (computed on a copy, cached)."
)
format_option = click.option("-f", "--format", "fmt", default=None, help="Output format (see above).")


def source_options(command: F) -> F:
    """--data, --inferred, --endpoint, --graph and --no-graphs: where the triples come from."""
    options = [
        data_option,
        inferred_option,
        click.option(
            "--endpoint",
            default=None,
            metavar="URL|ALIAS",
            help="Query a SPARQL endpoint (URL or alias from gcmgraph.toml) instead of local files; "
            "credentials from GCMGRAPH_ENDPOINT_USER/PASSWORD or netrc.",
        ),
        click.option(
            "--graph",
            "graphs",
            multiple=True,
            metavar="IRI",
            help="With --endpoint: a graph to read (repeatable; default: the union that publish writes).",
        ),
        click.option("--no-graphs", is_flag=True, help="With --endpoint: read the store's own default graph."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _source(
    data: Sequence[Path], inferred: bool, endpoint: str | None, graphs: Sequence[str], no_graphs: bool
) -> GraphSource:
    from .sources import open_source

    chosen: list[str] | None = [] if no_graphs else (list(graphs) or None)
    return open_source(list(data) or None, inferred=inferred, endpoint=endpoint, graphs=chosen)


wide_option = click.option("--wide", is_flag=True, help="Tables as wide as their values (default: fit the terminal).")


def _table_width(wide: bool, output: str | None) -> int | None:
    """The width a table fits: the terminal's when stdout is one, else 100 columns; None for --wide."""
    import shutil

    from .output import is_stdout
    from .render import DEFAULT_WIDTH

    if wide:
        return None
    if is_stdout(output) and sys.stdout.isatty():
        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    return DEFAULT_WIDTH


output_option = click.option(
    "-o",
    "--output",
    default=None,
    metavar="FILE|-",
    help="Write to this regular file (atomically) instead of stdout; - is stdout.",
)


if TYPE_CHECKING:  # ParamType is generic from click 8.4 on; pyproject.toml allows older ones
    _FloatType = click.ParamType[float, str | float]
else:
    _FloatType = click.ParamType


class _Seconds(_FloatType):
    """A time limit in seconds; 0, negatives, inf, nan and more than a day are usage errors."""

    name = "seconds"

    def convert(self, value: str | float, param: click.Parameter | None, ctx: click.Context | None) -> float:
        return value if isinstance(value, float) else limits.parse_timeout(value)


def _timed_out(message: str) -> None:
    """The watchdog's last word: the command did not stop at its deadline (see limits.py)."""
    try:
        sys.stderr.write(f"Error: {message}\n")
        sys.stderr.flush()
    finally:
        os._exit(2)


def bounded(default: float) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """--timeout: the whole command (reading, inference, validation, export, rendering) stops
    after that many seconds with a one-line error; ``GCMGRAPH_TIMEOUT`` sets the default.
    Afterwards, print what the cache had to say (a damaged entry that was rebuilt)."""

    def decorate(command: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(command)
        def run(*args: Any, timeout: float | None, **kwargs: Any) -> R:
            from .cache import take_notes

            seconds = timeout if timeout is not None else limits.default_timeout(default)
            try:
                with limits.deadline(seconds, _timed_out):
                    return command(*args, **kwargs)
            finally:
                for message in take_notes():
                    click.echo(f"warning: {message}", err=True)

        return click.option(
            "--timeout",
            type=_Seconds(),
            default=None,
            metavar="SECONDS",
            help=f"Seconds the whole command may run (default {default:g}, or ${limits.TIMEOUT_ENV}).",
        )(run)

    return decorate


@click.group(cls=_Group, epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="gcmgraph")
def main() -> None:
    """A knowledge graph of the Global Compact for Safe, Orderly and Regular Migration.

    Example: gcmgraph query thematic-sessions
    """


listing_format_option = click.option(
    "-f", "--format", "fmt", default=None, help="table (default) or json; else from the --output extension."
)
list_format_option = click.option(
    "-f",
    "--format",
    "fmt",
    default=None,
    help="table (default), json, or openapi (the OpenAPI 3 document 'gcmgraph serve' publishes at "
    "/api/openapi.json); else from the --output extension.",
)


@main.command("list")
@click.option("--tag", default=None, help="Only queries with this tag.")
@list_format_option
@output_option
@wide_option
@bounded(limits.DEFAULT_TIMEOUT_S)
def list_command(tag: str | None, fmt: str | None, output: str | None, wide: bool) -> None:
    """List the stored queries with their summaries and parameters.

    Every stored query starts with a '#+ summary: ...' header (grlc's conventions); gcmgraph query
    FILE.rq runs any SPARQL file, header or not.

    Example: gcmgraph list --tag events
    """
    import json

    from .formats import CATALOGUE, choose
    from .queries import catalogue
    from .render import cut

    chosen = choose(CATALOGUE, fmt, output, default="table")
    _check_output(output)
    queries = [q for q in catalogue() if tag is None or tag in q.tags]
    if not queries:
        tags = sorted({t for q in catalogue() for t in q.tags})
        raise UsageError(f"--tag {tag}: no stored query has this tag; tags: {', '.join(tags)}")
    if chosen.name == "openapi":
        from .api import openapi_document

        _emit((json.dumps(openapi_document(queries), ensure_ascii=False, indent=2) + "\n").encode(), output)
        return
    if chosen.name == "json":
        payload = [
            {
                "name": q.name,
                "summary": q.summary,
                "form": q.form,
                "tags": list(q.tags),
                "parameters": [
                    {
                        "name": p.name,
                        "type": p.type_label,
                        "required": p.required and not p.default,
                        "default": list(p.default),
                        "allowed": list(p.allowed),
                        "example": p.example,
                    }
                    for p in q.parameters
                ],
            }
            for q in queries
        ]
        _emit((json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode(), output)
        return
    width = max([len(q.name) for q in queries] + [4])
    lines = []
    for q in queries:
        lines.append(f"{q.name.ljust(width)}  {q.summary}")
        lines += [f"{''.ljust(width)}    -p {p.usage()}" for p in q.parameters]
    fits = _table_width(wide, output)
    _emit(("\n".join(line if fits is None else cut(line, fits) for line in lines) + "\n").encode(), output)


@main.command("show")
@click.argument("name")
@output_option
@bounded(limits.DEFAULT_TIMEOUT_S)
def show_command(name: str, output: str | None) -> None:
    """Print a stored query's documentation and SPARQL text.

    Example: gcmgraph show document-lineage
    """
    from .queries import find_query

    query = find_query(name)
    _check_output(output, [query.path])
    lines = [f"{query.name}: {query.summary}", f"file: {query.display_path}", f"form: {query.form}"]
    if query.description:
        lines.append(query.description)
    if query.tags:
        lines.append("tags: " + ", ".join(query.tags))
    lines += [f"parameter: {p.usage()}" for p in query.parameters]
    lines += ["", query.text.rstrip("\n")]
    _emit(("\n".join(lines) + "\n").encode(), output, [query.path])


@main.command(
    "query",
    epilog="Formats: table (default), csv, tsv, json, xml, markdown; "
    "for CONSTRUCT/DESCRIBE turtle (default), nt, nq, trig, xml, json-ld.",
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
@wide_option
@click.option("--fail-on-empty", is_flag=True, help="Exit 1 when the result is empty (or ASK is false).")
@bounded(limits.DEFAULT_TIMEOUT_S)
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
    name: str,
    params: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    inferred: bool,
    data: tuple[Path, ...],
    endpoint: str | None,
    graphs: tuple[str, ...],
    no_graphs: bool,
    wide: bool,
    fail_on_empty: bool,
    max_rows: int,
    allow_outside: bool,
) -> None:
    """Run a stored query by name, or any .rq file, on the bundled data or on your files.

    A file needs no header: its parameters are the ?_name variables it uses (gcmgraph show FILE.rq
    lists them).

    Example: gcmgraph query events-in-city -p city=place:vienna --format csv
    """
    from .output import input_files
    from .queries import find_query, run_query
    from .render import choose_format, render_result

    stored = find_query(name)
    chosen = choose_format(fmt, output, stored.form)
    inputs = [stored.path, *input_files(data)]
    _check_output(output, inputs)
    graph = _source(data, inferred, endpoint, graphs, no_graphs)
    result = run_query(
        graph, stored, _params(params), timeout=limits.budget(), max_rows=max_rows, allow_outside=allow_outside
    )
    key = getattr(stored, "key", ())
    _emit(render_result(result, chosen, width=_table_width(wide, output), key=key), output, inputs)
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
    default=None,
    help="Report format: text (default), json, turtle, github, sarif, junit; else from the --output extension.",
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
@bounded(limits.LONG_TIMEOUT_S)
def validate_command(
    paths: tuple[Path, ...],
    inference: str,
    fail_on: str,
    fmt: str | None,
    limit: int | None,
    engine: str,
    accepted: Path | None,
    output: str | None,
) -> None:
    """Check syntax, the shapes, SHACL, OWL RL consistency and quality checks in one pass.

    A file that cannot be read is skipped and makes the run exit 2. Example: gcmgraph validate --format github
    """
    from .formats import REPORT, choose
    from .output import input_files
    from .render import render_report
    from .validation import validate

    chosen = choose(REPORT, fmt, output, default="text")
    inputs = [*input_files(paths), *([accepted] if accepted else [])]
    _check_output(output, inputs)
    report = validate(list(paths) or None, inference=inference, accepted_file=accepted or True, engine=engine)
    _emit(render_report(report, chosen.name, limit), output, inputs)
    if report.unreadable:
        click.echo(f"Error: {', '.join(report.skipped)}: cannot be read; skipped (see the syntax findings)", err=True)
        sys.exit(2)
    if report.failed(fail_on):
        sys.exit(1)


@main.command("publish")
@click.argument("endpoint", metavar="URL|ALIAS")
@click.option(
    "--store",
    "store",
    default=None,
    metavar="URL",
    help="The store's Graph Store Protocol URL (default: the alias's 'store', else /store beside /query).",
)
@click.option(
    "--replace", is_flag=True, help="Also delete graphs an earlier publish wrote that are no longer part of the graph."
)
@click.option("--dry-run", is_flag=True, help="Say what would be written, write nothing.")
@bounded(limits.LONG_TIMEOUT_S)
@data_option
def publish_command(endpoint: str, store: str | None, replace: bool, dry_run: bool, data: tuple[Path, ...]) -> None:
    """Load the graph into a triple store, one named graph per file, and check the counts.

    URL is the store's SPARQL query endpoint. Graphs are written over the Graph Store Protocol to
    --store URL (Virtuoso: .../sparql-graph-crud-auth), else the alias's 'store' in gcmgraph.toml,
    else Oxigraph's /store beside /query. Their union goes to one more graph, which --endpoint
    queries read. Credentials (Basic or Digest) come from GCMGRAPH_ENDPOINT_USER and
    GCMGRAPH_ENDPOINT_PASSWORD or a netrc file, never from the command line.

    Example: gcmgraph publish http://127.0.0.1:7878/query
    """
    import pyoxigraph as ox

    from .remote import publish, resolve_endpoint
    from .store import open_graph

    target = resolve_endpoint(endpoint, store=store)
    graph = open_graph(list(data) or None)
    graphs: dict[str, list[ox.Quad]] = {}
    for quad in dict.fromkeys(graph.quads()):
        if isinstance(quad.graph_name, ox.NamedNode):  # the loader puts every quad in a named graph
            graphs.setdefault(quad.graph_name.value, []).append(quad)
    interactive = sys.stderr.isatty()

    def progress(name: str, done: int, total: int) -> None:
        if interactive:
            click.echo(f"\r{done}/{total} triples", err=True, nl=False)

    timeout = limits.budget() or limits.DEFAULT_TIMEOUT_S  # the budget @bounded set
    report = publish(target, graphs, replace=replace, dry_run=dry_run, timeout=timeout, progress=progress)
    if interactive and not dry_run:
        click.echo("", err=True)
    verb = "would write" if report.dry_run else "wrote"
    lines = [
        f"{verb} {g.sent} triples to <{g.graph}>" + ("" if g.found is None else f"; store holds {g.found}")
        for g in report.graphs
    ]
    if report.union is not None:
        lines.append(
            f"wrote {report.union.sent} triples to <{report.union.graph}> (the union, which queries read); "
            f"store holds {report.union.found}"
        )
    lines += [f"{'would delete' if report.dry_run else 'deleted'} stale graph <{g}>" for g in report.removed]
    _emit(("\n".join(lines) + "\n").encode(), None)


@main.command("serve")
@click.option(
    "--bind",
    default="127.0.0.1:7878",
    show_default=True,
    help="HOST:PORT to listen on (loopback unless told otherwise; port 0 picks a free one).",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1, max=3600),
    default=30,
    show_default=True,
    help="Seconds a query may run; then it is stopped and the client gets HTTP 503.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1000),
    default=16_000_000,
    show_default=True,
    help="Largest answer in bytes; a larger one is cut off and the client gets HTTP 507.",
)
@click.option(
    "--max-memory",
    type=click.IntRange(min=256),
    default=2048,
    show_default=True,
    help="Megabytes of memory each query worker may use.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=2,
    show_default=True,
    help="Queries evaluated at once (one process each).",
)
@data_option
@inferred_option
def serve_command(
    bind: str, timeout: int, max_bytes: int, max_memory: int, workers: int, inferred: bool, data: tuple[Path, ...]
) -> None:
    """Serve the graph as a read-only SPARQL endpoint and the stored queries as a web API, until Ctrl-C.

    SERVICE, updates and FROM graphs that are not loaded are refused with HTTP 400: the server
    never sends a request anywhere. Example: gcmgraph serve --bind 127.0.0.1:7878
    """
    import signal

    from .queries import catalogue
    from .serve import start
    from .store import open_graph
    from .worker import ServeLimits

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    quads = open_graph(list(data) or None, inferred=inferred).quads()
    bounds = ServeLimits(timeout_s=timeout, max_bytes=max_bytes, memory_mb=max_memory, workers=workers)
    server = None
    previous = signal.signal(signal.SIGTERM, stop)  # before starting, so a stop request never orphans a worker
    try:
        server = start(quads, catalogue(), bind=bind, limits=bounds)
        click.echo(f"SPARQL endpoint: {server.url} (read-only; Ctrl-C stops it)", err=True)
        click.echo(f"Stored queries: {server.api_url}", err=True)
        host = bind.rpartition(":")[0].strip("[]")
        if host not in ("127.0.0.1", "localhost", "::1"):
            click.echo(f"warning: listening on {host}: anyone who can reach this machine can query it", err=True)
        example = "query=SELECT * WHERE { ?s ?p ?o } LIMIT 3"
        click.echo(f"Try: curl -H 'Accept: text/csv' --data-urlencode '{example}' {server.url}", err=True)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
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
    help="Folder for the site: a new or empty one, or one an earlier 'gcmgraph docs' wrote (nothing else is replaced).",
)
@data_option
@bounded(limits.LONG_TIMEOUT_S)
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
@click.option(
    "-o",
    "--output",
    default=None,
    metavar="FILE|-",
    help="Write to FILE.svg or FILE.png (default or -: SVG on stdout).",
)
@click.option("-f", "--format", "fmt", default=None, help="svg or png (default: the --output extension, else svg).")
@data_option
@bounded(limits.DEFAULT_TIMEOUT_S)
def plot_command(name: str, output: str | None, fmt: str | None, data: tuple[Path, ...]) -> None:
    """Draw a picture of the process from its stored queries: timeline, vote-map, lineage, actor-network.

    Example: gcmgraph plot timeline -o timeline.svg
    """
    from .formats import PICTURE, choose
    from .output import input_files
    from .plots import PLOTS, draw_plot, svg_to_png
    from .store import open_graph

    if name not in PLOTS:
        raise UnknownPlotError(name, list(PLOTS))
    chosen = choose(PICTURE, fmt, output, default="svg", strict_extension=True)
    inputs = input_files(data)
    _check_output(output, inputs)
    graph = open_graph(list(data) or None)
    text = draw_plot(graph, name)
    content = svg_to_png(text) if chosen.name == "png" else text.encode("utf-8")
    _emit(content, output, inputs)


@main.command("describe")
@click.argument("resource")
@listing_format_option
@output_option
@wide_option
@source_options
@bounded(limits.DEFAULT_TIMEOUT_S)
def describe_command(
    resource: str,
    fmt: str | None,
    output: str | None,
    wide: bool,
    inferred: bool,
    data: tuple[Path, ...],
    endpoint: str | None,
    graphs: tuple[str, ...],
    no_graphs: bool,
) -> None:
    """Show everything the graph says about one resource (IRI, prefixed name or any of its names).

    Names are compared without case or accents. Example: gcmgraph describe "Czech Republic"
    """
    from .describe import describe
    from .formats import LISTING, choose
    from .output import input_files
    from .render import render_description

    chosen = choose(LISTING, fmt, output, default="table")
    inputs = input_files(data)
    _check_output(output, inputs)
    graph = _source(data, inferred, endpoint, graphs, no_graphs)
    description = describe(graph, resource)
    _emit(render_description(description, chosen.name, width=_table_width(wide, output)), output, inputs)


@main.command(
    "export",
    epilog="Formats: turtle (default), nt, nq, trig, xml, json-ld; the --output extension "
    "(.ttl .nt .nq .trig .rdf .owl .xml .jsonld) picks one when --format is absent. TriG and N-Quads "
    "keep one named graph per source file; the others hold their union in the default graph "
    "(JSON-LD keeps the named graphs with --graphs).",
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
@click.option("--graphs", is_flag=True, help="JSON-LD: one named graph per source file, as TriG and N-Quads write.")
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
@bounded(limits.LONG_TIMEOUT_S)
def export_command(
    fmt: str | None,
    only: str,
    inferred: bool,
    graphs: bool,
    frame: str | None,
    output: str | None,
    data: tuple[Path, ...],
) -> None:
    """Write the graph as Turtle, JSON-LD, N-Triples, N-Quads, TriG or RDF/XML, the same bytes on every run.

    Example: gcmgraph export --format trig --output gcmgraph.trig
    """
    from .export import export, export_inputs, pick_format

    framed = None if frame is None else Path(frame) if frame else True
    inputs = export_inputs(list(data) or None, framed)
    _check_output(output, inputs)
    result = export(
        pick_format(fmt, output, frame=framed is not None),
        only=only,
        inferred=inferred,
        data=list(data) or None,
        frame=framed,
        graphs=graphs,
    )
    _emit(result.content, output, inputs)
    if inferred:
        click.echo(f"added {result.inferred_added} inferred triples", err=True)


def _size(count: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GiB"  # pragma: no cover - the loop always returns


@main.group("cache")
def cache_group() -> None:
    """Show or clear the cache of built graphs (stores keyed on the files' content).

    Where: $GCMGRAPH_CACHE_DIR, else $XDG_CACHE_HOME/gcmgraph, else ~/.cache/gcmgraph; at most
    $GCMGRAPH_CACHE_SIZE (default 4G), oldest entries removed first; GCMGRAPH_CACHE=0 turns it off.
    Example: gcmgraph cache info
    """


@cache_group.command("info")
@listing_format_option
def cache_info_command(fmt: str | None) -> None:
    """Show where the cache is, its entries, their sizes and the size limit.

    Example: gcmgraph cache info
    """
    import json
    import time

    from .cache import info
    from .formats import LISTING, choose

    chosen = choose(LISTING, fmt, default="table")
    found = info()
    if chosen.name == "json":
        payload = {
            "location": str(found.location) if found.location else None,
            "limit": found.limit,
            "total": found.total,
            "other": found.other_bytes,
            "entries": [
                {"key": e.key, "bytes": e.size, "last_used": e.last_used, "graph": e.describe, "damaged": e.problem}
                for e in found.entries
            ],
        }
        _emit((json.dumps(payload, indent=2) + "\n").encode(), None)
        return
    if found.location is None:
        _emit(b"the cache is off (GCMGRAPH_CACHE=0)\n", None)
        return
    lines = [
        f"location: {found.location}",
        f"limit:    {_size(found.limit)} (GCMGRAPH_CACHE_SIZE)",
        f"entries:  {len(found.entries)}, {_size(found.total)} in all",
    ]
    for entry in reversed(found.entries):
        used = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.last_used))
        state = f"  DAMAGED: {entry.problem}" if entry.problem else ""
        lines.append(f"  {entry.key[:12]}  {_size(entry.size):>10}  used {used}  {entry.describe}{state}")
    _emit(("\n".join(lines) + "\n").encode(), None)


@cache_group.command("clear")
def cache_clear_command() -> None:
    """Remove gcmgraph's entries from the cache (nothing else in its folder).

    Entries that a running gcmgraph is using are kept. Example: gcmgraph cache clear
    """
    from .cache import cache_dir, clear

    if cache_dir() is None:
        _emit(b"the cache is off (GCMGRAPH_CACHE=0)\n", None)
        return
    cleared = clear()
    line = f"removed {cleared.removed} entries ({_size(cleared.freed)}) from {cache_dir()}"
    if cleared.in_use:
        line += f"; kept {cleared.in_use} in use by a running gcmgraph"
    _emit((line + "\n").encode(), None)
