"""The static site, checked as a reader would use it: every term, shape, query and resource has its
page or anchor, no internal link is broken, nothing is loaded from another host, two builds are the
same bytes, and a real headless browser shows the pages and their pictures from disk."""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import OWL, RDF, SH

from gcmgraph.cli import main
from gcmgraph.queries import catalogue
from gcmgraph.site import build_site

ROOT = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/gcmgraph/id/"
GCM = "https://w3id.org/gcmgraph/ontology#"
SHAPES = "https://w3id.org/gcmgraph/shapes#"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("docs") / "site"
    report = build_site(folder)
    assert report.problems == []
    return folder


class Page(HTMLParser):
    """The ids, links and loaded resources of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.loads: list[tuple[str, str]] = []  # (tag, url) of things the browser fetches
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        if tag in ("img", "script", "iframe", "audio", "video", "source", "embed", "input") and "src" in values:
            self.loads.append((tag, values["src"]))
        if tag == "link" and "href" in values:
            self.loads.append((tag, values["href"]))
        if tag == "object" and "data" in values:
            self.loads.append((tag, values["data"]))
        if "style" in values:
            self.loads += [("style", u) for u in re.findall(r"url\(([^)]*)\)", values["style"])]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def pages(site) -> dict[str, Page]:
    return {p.relative_to(site).as_posix(): read_page(p) for p in sorted(site.rglob("*.html"))}


def local(iri: str, namespace: str) -> str:
    return iri[len(namespace) :]


def test_every_class_and_property_has_an_anchor_in_the_ontology_reference(pages):
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "gcm.ttl")
    terms = {
        str(s)
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)
        for s in ontology.subjects(RDF.type, kind)
        if str(s).startswith(GCM)
    }
    assert len(terms) > 150
    missing = sorted(t for t in terms if local(t, GCM) not in pages["ontology.html"].ids)
    assert missing == []


def test_every_shape_has_an_anchor_on_the_shapes_page(pages):
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    named = {
        str(s)
        for kind in (SH.NodeShape, SH.PropertyShape)
        for s in shapes.subjects(RDF.type, kind)
        if str(s).startswith(SHAPES)
    }
    assert len(named) > 50
    missing = sorted(s for s in named if local(s, SHAPES) not in pages["shapes.html"].ids)
    assert missing == []


def test_every_stored_query_has_a_page_with_its_command_and_result(site, pages):
    for query in catalogue():
        page = pages.get(f"queries/{query.name}.html")
        assert page is not None, query.name
        text = "".join(page.text)
        assert f"gcmgraph query {query.name}" in text
        assert query.summary in text
        assert "Result on the bundled data" in text
        assert query.name in pages["queries/index.html"].ids


def test_every_resource_has_a_page_at_the_path_of_its_iri(site):
    data = rdflib.Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        data.parse(path)
    resources = {str(s) for s in data.subjects(RDF.type, None) if str(s).startswith(ID)}
    assert len(resources) > 500
    missing = sorted(iri for iri in resources if not (site / "id" / (local(iri, ID) + ".html")).is_file())
    assert missing == []
    assert (site / "id" / "state" / "che.html").is_file()


def test_no_internal_link_is_broken(site, pages):
    broken = []
    for name, page in pages.items():
        for url in page.links + [u for _, u in page.loads]:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not parts.scheme and not parts.netloc, f"{name}: {url}"
            target = (site / name).parent / unquote(parts.path) if parts.path else site / name
            target = target.resolve()
            if not target.is_file() or site.resolve() not in target.parents:
                broken.append(f"{name}: {url}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target.relative_to(site.resolve()).as_posix()].ids
                if parts.fragment not in ids:
                    broken.append(f"{name}: {url} (no id {parts.fragment})")
    assert broken == []


def test_nothing_is_loaded_from_another_host(site, pages):
    for name, page in pages.items():
        for tag, url in page.loads:
            assert not urlsplit(url).scheme and not url.startswith("//"), f"{name}: <{tag}> loads {url}"
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text and not re.search(r"url\(\s*['\"]?(https?:)?//", text), css
        assert "@font-face" not in text
    for picture in site.rglob("*.svg"):
        text = picture.read_text(encoding="utf-8")
        assert "<script" not in text and "<image" not in text and "@import" not in text
        assert not re.search(r'href="(?!#)', text), picture


def test_two_builds_are_byte_identical(site, tmp_path):
    again = tmp_path / "again"
    build_site(again)
    first = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_resource_page_gives_facts_links_and_sources(site, pages):
    page = pages["id/place/vienna.html"]
    text = "".join(page.text)
    assert "Austria" in text and "../state/aut.html" in page.links  # public record fact 60
    assert "../event/thematic-session-5.html" in page.links
    assert "Public-record facts on the GCM process" in text
    assert "public record fact 60" in text
    event = "".join(pages["id/event/thematic-session-5.html"].text)
    assert "4 September 2017" in event and "5 September 2017" in event
    assert "../place/vienna.html" in pages["id/event/thematic-session-5.html"].links


def test_claims_the_graph_does_not_adopt_are_shown_as_such(pages):
    # Public record L1: 164 states (adopted) against 165 (AFP; kept as a claim, not adopted).
    text = "".join(pages["id/event/marrakech-adoption-2018.html"].text)
    assert "Values the sources give that the graph does not adopt" in text
    assert "165" in text


def test_labels_are_escaped(site):
    html = (site / "id" / "document" / "key-gender-migration-points.html").read_text(encoding="utf-8")
    assert "Key Gender &amp; Migration Points" in html
    assert "Key Gender & Migration" not in html


def test_shapes_are_described_in_words(pages):
    shapes = "".join(pages["shapes.html"].text)
    assert "A city needs exactly one country (gcm:country), each a state in the graph." in shapes
    ontology = "".join(pages["ontology.html"].text)
    assert "An event needs exactly one start date (gcm:startDate), written as xsd:date." in ontology


def test_ontology_reference_shows_hierarchy_alignments_and_instances(pages):
    ontology = "".join(pages["ontology.html"].text)
    assert "standard vocabulary" in ontology
    assert "Consultation phase" in ontology  # an instance of gcm:Phase
    assert "#Document" in pages["ontology.html"].links


def test_home_page_has_counts_sources_citation_data_and_pictures(site, pages):
    home = pages["index.html"]
    text = "".join(home.text)
    for heading in ("What the graph holds", "Sources", "How to cite", "Get the data", "Pictures of the process"):
        assert heading in text
    assert {u for _, u in home.loads if u.startswith("img/")} == {
        "img/timeline.svg",
        "img/vote-map.svg",
        "img/lineage.svg",
        "img/actor-network.svg",
    }
    assert "data/gcm.ttl" in home.links
    assert "https://doi.org/10.1177/233150241700500307" in home.links  # seed 004's DOI


def test_docs_command_replaces_an_earlier_build(site, tmp_path):
    """Rebuilt over a copy of an earlier build, the folder holds the same bytes and nothing else."""
    target = tmp_path / "out"
    shutil.copytree(site, target)
    before = {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert ".gcmgraph-docs.json" in before
    result = CliRunner().invoke(main, ["docs", "--output", str(target)])
    assert result.exit_code == 0, result.stderr
    after = {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left beside it
    assert re.match(r"wrote \d+ pages to .* in [0-9.]+ s; open .*index\.html\n$", result.stderr)


def test_docs_command_refuses_a_folder_that_is_not_a_site(tmp_path):
    (tmp_path / "index.html").write_text("<p>mine</p>", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["docs", "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {tmp_path}: holds files gcmgraph did not write (no .gcmgraph-docs.json of an earlier "
        "gcmgraph docs); give a new or empty folder\n"
    )
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == "<p>mine</p>"


# -- a real browser ------------------------------------------------------------------------------


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (no network port, no extra package)."""

    def __init__(self, binary: str, profile: Path):
        r_in, w_in = os.pipe()
        r_out, w_out = os.pipe()

        def plumb() -> None:  # the browser reads commands on fd 3 and writes answers on fd 4
            os.dup2(r_in, 3)
            os.dup2(w_out, 4)

        args = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            args, preexec_fn=plumb, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        os.close(r_in)
        os.close(w_out)
        self.write_fd, self.read_fd = w_in, r_out
        self.buffer = b""
        self.counter = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.counter += 1
        message = {"id": self.counter, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while True:
            for answer in self._read(deadline):
                if answer.get("id") == self.counter:
                    if "error" in answer:
                        raise RuntimeError(f"{method}: {answer['error']}")
                    return answer["result"]
                self.events.append(answer)

    def wait_for(self, event: str) -> dict:
        deadline = time.monotonic() + 60
        while True:
            for index, message in enumerate(self.events):
                if message.get("method") == event:
                    return self.events.pop(index)
            self.events.extend(self._read(deadline))

    def _read(self, deadline: float) -> list[dict]:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the browser did not answer in 60 s")
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if ready:
                chunk = os.read(self.read_fd, 1 << 16)
                if not chunk:
                    raise RuntimeError("the browser closed its pipe")
                self.buffer += chunk
        *messages, self.buffer = self.buffer.split(b"\0")
        return [json.loads(m) for m in messages]

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.process.wait(timeout=20)
        except (RuntimeError, TimeoutError, subprocess.TimeoutExpired, OSError):
            self.process.kill()
            self.process.wait(timeout=20)
        finally:
            os.close(self.write_fd)
            os.close(self.read_fd)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    binary = chromium()
    if binary is None:
        pytest.skip("Debian's chromium is not installed (CI installs it: apt-get install chromium)")
    instance = Browser(binary, tmp_path_factory.mktemp("chromium-profile"))
    yield instance
    instance.close()


def visit(browser: Browser, url: str, width: int, height: int) -> tuple[bytes, dict, list[dict]]:
    """Open ``url`` in a fresh tab; its screenshot, the state of its images, and every request made."""
    browser.events.clear()
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Network", "Runtime"):
        browser.send(f"{domain}.enable", session=session)
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    browser.send("Page.navigate", {"url": url}, session=session)
    browser.wait_for("Page.loadEventFired")
    script = (
        "JSON.stringify(Array.from(document.images).map(i => {const r = i.getBoundingClientRect();"
        " return {src: i.src, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight,"
        " x: r.x, y: r.y, w: r.width, h: r.height};}))"
    )
    images = json.loads(
        browser.send("Runtime.evaluate", {"expression": script, "returnByValue": True}, session=session)["result"][
            "value"
        ]
    )
    shot = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"])
    network = [e for e in browser.events if str(e.get("method", "")).startswith("Network.")]
    browser.send("Target.closeTarget", {"targetId": target})
    return shot, {"images": images}, network


def distinct_colours(image, box: tuple[int, int, int, int]) -> int:
    region = image.crop(box).convert("RGB")
    colours = region.getcolors(maxcolors=1 << 20)
    return len(colours) if colours else 1 << 20


def check_requests(network: list[dict]) -> None:
    failed = [
        (e["params"].get("requestId"), e["params"].get("errorText"))
        for e in network
        if e["method"] == "Network.loadingFailed"
    ]
    assert failed == [], f"the browser reported failed requests: {failed}"
    urls = [e["params"]["request"]["url"] for e in network if e["method"] == "Network.requestWillBeSent"]
    assert urls and all(u.startswith("file://") for u in urls), urls


def test_home_page_renders_in_a_browser_with_its_pictures(site, browser):
    image_module = pytest.importorskip("PIL.Image", reason="the screenshot check needs Pillow")
    shot, state, network = visit(browser, (site / "index.html").resolve().as_uri(), 1280, 2400)
    check_requests(network)
    screenshot = image_module.open(__import__("io").BytesIO(shot))
    assert screenshot.size == (1280, 2400)
    images = state["images"]
    assert [Path(i["src"]).name for i in images] == ["timeline.svg", "vote-map.svg", "lineage.svg", "actor-network.svg"]
    expected = {"timeline.svg": 1640, "vote-map.svg": 1200}
    for image in images:
        assert image["complete"] and image["width"] > 0 and image["height"] > 0, image
        name = Path(image["src"]).name
        if name in expected:
            assert image["width"] == expected[name], image  # the SVG's own size: it was read whole
        if image["y"] + image["h"] <= 2400 and image["w"] > 200:  # on screen: not blank
            box = (int(image["x"]), int(image["y"]), int(image["x"] + image["w"]), int(image["y"] + image["h"]))
            assert distinct_colours(screenshot, box) > 20, name
    assert distinct_colours(screenshot, (0, 0, 1280, 120)) > 5  # the header and title


def test_resource_page_renders_in_a_browser(site, browser):
    image_module = pytest.importorskip("PIL.Image", reason="the screenshot check needs Pillow")
    shot, _state, network = visit(browser, (site / "id" / "place" / "vienna.html").resolve().as_uri(), 1024, 768)
    check_requests(network)
    screenshot = image_module.open(__import__("io").BytesIO(shot))
    assert screenshot.size == (1024, 768)
    assert distinct_colours(screenshot, (0, 0, 1024, 768)) > 20
    top = screenshot.convert("RGB").getpixel((5, 5))
    assert top == (0x1D, 0x4E, 0x89)  # the site's header colour: the local style sheet was applied
