"""Generate data/states.ttl and data/regions.ttl from the reference list of UN Member States.

The 193 Member States and their regions are written by this script rather than by hand so that
every code, region and year is copied from ``reference/un-member-states.csv`` and nothing else.
Labels in the other five official UN languages are pycountry's translations of the ISO 3166-1
country names. The script checks that pycountry's ISO codes agree with the CSV and stops if a row
disagrees. Its output is deterministic: running it twice writes the same bytes.

Usage::

    python scripts/build_states.py [CSV] [--output-dir DIR]

CSV defaults to ``data/reference/un-member-states.csv`` (a copy of the reference file); DIR defaults
to the repository's ``data/`` folder.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pycountry

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = REPO_ROOT / "data" / "reference" / "un-member-states.csv"
DEFAULT_OUTPUT_DIR = REPO_ROOT / "data"

CSV_COLUMNS = (
    "name_short",
    "name_official",
    "iso_alpha2",
    "iso_alpha3",
    "m49",
    "un_region",
    "continent",
    "un_member_since",
)

PREFIXES = {
    "document": "https://w3id.org/gcmgraph/id/document/",
    "gcm": "https://w3id.org/gcmgraph/ontology#",
    "organization": "https://w3id.org/gcmgraph/id/organization/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "region": "https://w3id.org/gcmgraph/id/region/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "state": "https://w3id.org/gcmgraph/id/state/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# The five official UN languages besides English: language tag -> pycountry locale folder.
# UN Chinese is written in simplified characters, hence the zh_CN catalogue.
TRANSLATION_LOCALES = {"ar": "ar", "es": "es", "fr": "fr", "ru": "ru", "zh": "zh_CN"}
TRANSLATION_DOMAIN = "iso3166-1"

# Wikidata items from reference/public-record.md, section K, tag V-2 (ISO alpha-3 -> QID).
WIKIDATA_ITEMS = {"CHE": "Q39", "MEX": "Q96", "MAR": "Q1028", "USA": "Q30"}

SOURCE_CSV = "document:reference-un-member-states"
SOURCE_PUBLIC_RECORD = "document:reference-public-record"
UNITED_NATIONS = "organization:united-nations"


class BuildError(Exception):
    """The reference data cannot be turned into Turtle as it is; the message says why."""


@dataclass(frozen=True)
class StateRow:
    """One row of reference/un-member-states.csv."""

    line: int
    name_short: str
    name_official: str
    iso_alpha2: str
    iso_alpha3: str
    m49: str
    un_region: str
    continent: str
    un_member_since: str


def slugify(name: str) -> str:
    """Turn a region name into an IRI slug: lower case, spaces to '-', other punctuation dropped."""
    slug = re.sub(r"\s+", "-", name.strip().lower())
    slug = re.sub(r"[^a-z0-9-]", "", slug)
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    if not slug:
        raise BuildError(f"region name {name!r} gives an empty slug")
    return slug


def read_rows(path: Path) -> list[StateRow]:
    """Read and check the reference CSV; raise BuildError naming the line of any bad value."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise BuildError(f"{path}: cannot read the reference CSV ({error.strerror})") from error
    with handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
            raise BuildError(
                f"{path}:1: expected the columns {', '.join(CSV_COLUMNS)}, found {', '.join(reader.fieldnames or ())}"
            )
        rows = []
        for record in reader:
            line = reader.line_num
            values = {column: (record[column] or "").strip() for column in CSV_COLUMNS}
            _check_record(path, line, values)
            rows.append(StateRow(line=line, **values))
    seen: dict[str, int] = {}
    for row in rows:
        if row.iso_alpha3 in seen:
            raise BuildError(
                f"{path}:{row.line}: alpha-3 code {row.iso_alpha3} already used on line {seen[row.iso_alpha3]}"
            )
        seen[row.iso_alpha3] = row.line
    return rows


def _check_record(path: Path, line: int, values: dict[str, str]) -> None:
    """Raise BuildError if a CSV record has an empty or malformed value."""
    for column, value in values.items():
        if not value:
            raise BuildError(f"{path}:{line}: column {column} is empty")
    patterns = {
        "iso_alpha2": r"[A-Z]{2}",
        "iso_alpha3": r"[A-Z]{3}",
        "m49": r"[0-9]{3}",
        "un_member_since": r"[0-9]{4}",
    }
    for column, pattern in patterns.items():
        if not re.fullmatch(pattern, values[column]):
            raise BuildError(f"{path}:{line}: column {column} is {values[column]!r}, which does not match {pattern}")


def check_against_pycountry(rows: Iterable[StateRow]) -> None:
    """Raise BuildError listing every row whose ISO codes disagree with pycountry's."""
    problems = []
    for row in rows:
        country = pycountry.countries.get(alpha_3=row.iso_alpha3)
        if country is None:
            problems.append(f"line {row.line}: {row.iso_alpha3} is not an ISO 3166-1 alpha-3 code")
            continue
        for label, ours, theirs in (
            ("alpha-2", row.iso_alpha2, country.alpha_2),
            ("numeric", row.m49, country.numeric),
        ):
            if ours != theirs:
                problems.append(
                    f"line {row.line}: {row.name_short} ({row.iso_alpha3}) has {label} {ours} "
                    f"in the CSV but {theirs} in pycountry"
                )
    if problems:
        raise BuildError(
            "the reference CSV disagrees with ISO 3166-1 as published in pycountry; fix the CSV "
            "or check the pycountry version:\n  " + "\n  ".join(problems)
        )


class _Missing(gettext.NullTranslations):
    """A fallback catalogue that answers "", so a missing translation can be told apart."""

    def gettext(self, message: str) -> str:
        return ""


def load_translations() -> dict[str, gettext.NullTranslations]:
    """Open pycountry's ISO 3166-1 catalogue for each language in TRANSLATION_LOCALES."""
    catalogues: dict[str, gettext.NullTranslations] = {}
    for tag, locale in TRANSLATION_LOCALES.items():
        try:
            catalogue = gettext.translation(TRANSLATION_DOMAIN, pycountry.LOCALES_DIR, languages=[locale])
        except OSError as error:
            raise BuildError(f"pycountry has no {TRANSLATION_DOMAIN} catalogue for {locale}") from error
        catalogue.add_fallback(_Missing())
        catalogues[tag] = catalogue
    return catalogues


def translated_names(row: StateRow, catalogues: dict[str, gettext.NullTranslations]) -> list[tuple[str, str]]:
    """Return (language tag, name) for each language whose catalogue translates the ISO name."""
    country = pycountry.countries.get(alpha_3=row.iso_alpha3)
    if country is None:
        raise BuildError(f"line {row.line}: {row.iso_alpha3} is not in pycountry")
    names = []
    for tag in sorted(catalogues):
        text = catalogues[tag].gettext(country.name)
        if text:
            names.append((tag, text))
    return names


def turtle_string(text: str) -> str:
    """Quote text as a Turtle string literal, escaping what the grammar requires."""
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _prefix_lines(used: Iterable[str]) -> list[str]:
    """Return the @prefix lines for the prefixes used, in alphabetical order."""
    return [f"@prefix {name}: <{PREFIXES[name]}> ." for name in sorted(set(used))]


def _block(subject: str, pairs: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Lay out one subject: one predicate per line, several objects one per line."""
    lines = [subject]
    for index, (predicate, objects) in enumerate(pairs):
        end = " ." if index == len(pairs) - 1 else " ;"
        first, *rest = objects
        if not rest:
            lines.append(f"    {predicate} {first}{end}")
            continue
        lines.append(f"    {predicate} {first},")
        for position, obj in enumerate(rest):
            lines.append(f"        {obj}{end if position == len(rest) - 1 else ','}")
    return lines


def render_states(rows: Sequence[StateRow], catalogues: dict[str, gettext.NullTranslations]) -> str:
    """Return the Turtle text of data/states.ttl."""
    header = [
        "# The 193 Member States of the United Nations: English short and official names, names in",
        "# the other official UN languages, ISO 3166-1 and M49 codes, UN geoscheme region, continent",
        "# and year of admission to the UN.",
        "#",
        "# GENERATED FILE: do not edit by hand. It is written by scripts/build_states.py from",
        "# reference/un-member-states.csv; change the CSV or the script and run the script again.",
        "#",
        "# English names, codes, regions, continents and years come from",
        "# reference/un-member-states.csv (document:reference-un-member-states).",
        "# Names in Arabic, Chinese, French, Russian and Spanish are the translations of the",
        "# ISO 3166-1 country names in the gettext catalogues shipped with pycountry",
        f'# {version("pycountry")} (domain "{TRANSLATION_DOMAIN}"; Chinese from zh_CN). A language is',
        "# left out where pycountry has no translation of the name; a translation that is spelled",
        '# like the English name ("France"@fr) is kept, as the catalogue states it.',
        "# The Wikidata links (skos:exactMatch) of Mexico, Morocco, Switzerland and the United States",
        "# come from reference/public-record.md, section K (tag V-2).",
        "",
    ]
    blocks = []
    for row in sorted(rows, key=lambda r: r.iso_alpha3.lower()):
        labels = [f"{turtle_string(row.name_short)}@en"]
        labels += [f"{turtle_string(text)}@{tag}" for tag, text in translated_names(row, catalogues)]
        pairs: list[tuple[str, Sequence[str]]] = [
            ("a", ["gcm:State"]),
            ("rdfs:label", labels),
        ]
        if row.name_official != row.name_short:
            pairs.append(("gcm:officialName", [f"{turtle_string(row.name_official)}@en"]))
        pairs += [
            ("gcm:isoAlpha2", [turtle_string(row.iso_alpha2)]),
            ("gcm:isoAlpha3", [turtle_string(row.iso_alpha3)]),
            ("gcm:m49Code", [turtle_string(row.m49)]),
            ("gcm:unMemberSince", [f"{turtle_string(row.un_member_since)}^^xsd:gYear"]),
            ("gcm:memberOf", [UNITED_NATIONS]),
            ("gcm:unRegion", [f"region:{slugify(row.un_region)}"]),
            ("gcm:continent", [f"region:{slugify(row.continent)}"]),
        ]
        qid = WIKIDATA_ITEMS.get(row.iso_alpha3)
        comment = []
        if qid is None:
            pairs.append(("gcm:source", [SOURCE_CSV]))
        else:
            comment = [f"# Wikidata item {qid}: public record, section K, tag V-2."]
            pairs += [
                ("skos:exactMatch", [f"<http://www.wikidata.org/entity/{qid}>"]),
                ("gcm:source", [SOURCE_CSV, SOURCE_PUBLIC_RECORD]),
                ("gcm:sourceLocator", [turtle_string("public record section K")]),
            ]
        blocks.append(comment + _block(f"state:{row.iso_alpha3.lower()}", pairs))
    used = ["document", "gcm", "organization", "rdfs", "region", "xsd", "state"]
    if any(row.iso_alpha3 in WIKIDATA_ITEMS for row in rows):
        used.append("skos")
    return _assemble(header, used, [("Member States", blocks)])


def render_regions(rows: Sequence[StateRow]) -> str:
    """Return the Turtle text of data/regions.ttl."""
    header = [
        "# The regions used by data/states.ttl: the five continents and the UN geoscheme (M49)",
        "# regions of reference/un-member-states.csv. A geoscheme region is located in a continent",
        "# when every Member State of the region has that continent in the CSV.",
        "#",
        "# GENERATED FILE: do not edit by hand. It is written by scripts/build_states.py from",
        "# reference/un-member-states.csv; change the CSV or the script and run the script again.",
        "",
    ]
    continents = sorted({row.continent for row in rows}, key=slugify)
    regions: dict[str, set[str]] = {}
    for row in rows:
        regions.setdefault(row.un_region, set()).add(row.continent)
    _check_slugs(continents + sorted(regions))

    continent_blocks = [
        _block(
            f"region:{slugify(name)}",
            [
                ("a", ["gcm:Region"]),
                ("rdfs:label", [f"{turtle_string(name)}@en"]),
                ("gcm:source", [SOURCE_CSV]),
            ],
        )
        for name in continents
    ]
    region_blocks = []
    for name in sorted(regions, key=slugify):
        pairs: list[tuple[str, Sequence[str]]] = [
            ("a", ["gcm:Region"]),
            ("rdfs:label", [f"{turtle_string(name)}@en"]),
        ]
        if len(regions[name]) == 1:
            (continent,) = regions[name]
            pairs.append(("gcm:locatedIn", [f"region:{slugify(continent)}"]))
        pairs.append(("gcm:source", [SOURCE_CSV]))
        region_blocks.append(_block(f"region:{slugify(name)}", pairs))
    return _assemble(
        header,
        ["document", "gcm", "rdfs", "region"],
        [("Continents", continent_blocks), ("UN geoscheme regions", region_blocks)],
    )


def _check_slugs(names: Sequence[str]) -> None:
    """Raise BuildError if two different region or continent names share a slug."""
    owners: dict[str, str] = {}
    for name in names:
        slug = slugify(name)
        if owners.setdefault(slug, name) != name:
            raise BuildError(f"{owners[slug]!r} and {name!r} would both be region:{slug}")


def _assemble(
    header: list[str],
    used: Iterable[str],
    sections: Sequence[tuple[str, list[list[str]]]],
) -> str:
    """Join header, prefixes and sections of blocks into the text of a Turtle file."""
    lines = header + _prefix_lines(used)
    for title, blocks in sections:
        lines += ["", f"## {title}"]
        for block in blocks:
            lines += ["", *block]
    return "\n".join(lines) + "\n"


def write_text(path: Path, text: str) -> None:
    """Write text as UTF-8 with LF line ends, whole: to a temporary file, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build(csv_path: Path, output_dir: Path) -> tuple[Path, Path]:
    """Read the CSV, check it against pycountry, and write states.ttl and regions.ttl."""
    rows = read_rows(csv_path)
    check_against_pycountry(rows)
    states_text = render_states(rows, load_translations())
    regions_text = render_regions(rows)
    states_path = output_dir / "states.ttl"
    regions_path = output_dir / "regions.ttl"
    write_text(states_path, states_text)
    write_text(regions_path, regions_text)
    return states_path, regions_path


def main(argv: Sequence[str] | None = None) -> int:
    """Run the build from the command line; return 0 on success, 2 on bad input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "csv",
        nargs="?",
        type=Path,
        default=DEFAULT_CSV,
        help="reference CSV (default: data/reference/un-member-states.csv)",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        help="folder to write states.ttl and regions.ttl to (default: the repo's data/)",
    )
    args = parser.parse_args(argv)
    try:
        paths = build(args.csv, args.output_dir)
    except BuildError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
