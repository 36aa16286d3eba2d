#!/usr/bin/env python3
"""Write docs/catalog.md, the requirement catalog as a page people can read.

    python3 scripts/make_catalog_doc.py           rewrite docs/catalog.md
    python3 scripts/make_catalog_doc.py --check   exit 1 if docs/catalog.md is out of date

(With a bare `python3` the script re-runs itself under the project's `.venv`, which
`python3 dev.py test` or `python3 dev.py run` creates.)

`spec/requirements.yaml` stays the only place a requirement is written. This page is
derived from it through `arouter_conformance.spec.load_spec()`, so it shows what the kit
reads after its own cross-checks, not what the YAML happens to say. tests/test_docs.py
fails when the committed page differs from what this script makes now, so a change to
the catalog is not finished until the page has been regenerated.

The page: one section per profile (in catalog order), each requirement with its level,
statement, sources, schema binding, the rulings it cites and the requirements it needs
(and, the other way round, those that need it); then every ruling once, with an anchor
the requirements link to; then the source documents. All catalog text is escaped, so a
`|`, `*` or `<` in a statement shows as itself.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from _venv import use_venv

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "catalog.md"
STALE = "stale: run python3 scripts/make_catalog_doc.py"

use_venv("make_catalog_doc.py", "arouter_conformance")

from arouter_conformance.spec import Requirement, Spec, load_spec  # noqa: E402

LEVELS = ("MUST", "SHOULD", "MAY")

# Characters Markdown (CommonMark and GitHub's tables and strikethrough) may read as syntax.
# Each is backslash-escaped, which every CommonMark renderer turns back into the character.
_ALWAYS = re.compile(r"([\\`*\[\]<>|~])")
# `_` only starts or ends emphasis at a word boundary; inside a word (output_modalities)
# it is literal, and escaping it there would only clutter the source.
_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# What would open a block (heading, list item, quote, code fence) when it starts a line.
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+[.)])")


def escape(text: str, *, starts_line: bool = False) -> str:
    """`text` as Markdown that renders exactly as `text`, on one line; `starts_line` when
    it opens a paragraph, where a leading `#`, `-` or `1.` would start another block."""
    text = " ".join(text.split())
    text = _ALWAYS.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    text = text.replace("&", "&amp;")
    if starts_line:
        text = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return text


def code(text: str) -> str:
    """`text` as an inline code span (nothing inside one is syntax but `|` in a table)."""
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def anchor(name: str) -> str:
    """The anchor of a requirement heading, as GitHub and Python-Markdown derive it."""
    return name.lower()


def ruling_anchor(ruling: str) -> str:
    return ruling.lower()


def profile_anchor(profile: str) -> str:
    return f"profile-{profile}"


def source_anchor(key: str) -> str:
    return f"source-{key}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def level_counts(requirements: Iterable[Requirement]) -> str:
    levels: list[str] = [r.level for r in requirements]
    return ", ".join(f"{levels.count(level)} {level}" for level in LEVELS if level in levels)


def link_requirement(rid: str) -> str:
    return f"[{rid}](#{anchor(rid)})"


def render(spec: Spec) -> str:
    requirements = list(spec.requirements.values())
    needed_by: dict[str, list[str]] = {rid: [] for rid in spec.requirements}
    cited_by: dict[str, list[str]] = {ruling: [] for ruling in spec.rulings}
    for requirement in requirements:
        for need in requirement.needs:
            needed_by[need].append(requirement.id)
        for ruling in requirement.ruling:
            cited_by[ruling].append(requirement.id)

    lines = [
        "# Requirement catalog",
        "",
        "<!-- Generated from spec/requirements.yaml by scripts/make_catalog_doc.py: "
        "edit the catalog, then run the script. -->",
        "",
        f"Catalog version {spec.version}: {plural(len(requirements), 'requirement')} "
        f"({level_counts(requirements)}) in {plural(len(spec.profiles), 'profile')}, "
        f"{plural(len(spec.rulings), 'ruling')}.",
        "",
        "This page is generated from `spec/requirements.yaml` by "
        "`scripts/make_catalog_doc.py`; the YAML file is the source of truth, and the kit "
        "judges exactly what it lists. Levels are read as in RFC 2119: only a MUST of a "
        "claimed profile can fail a run. A requirement's *needs* are the requirements it can "
        "only be judged after; when one of them fails it ends *blocked* (see "
        "[verdicts.md](verdicts.md)). Sources name the section of the document the "
        "requirement comes from; where the sources say nothing, a [ruling](#rulings) records "
        "what was decided.",
        "",
        "| profile | title | requirements | MUST | SHOULD | MAY |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, profile in spec.profiles.items():
        levels: list[str] = [r.level for r in requirements if r.profile == name]
        counts = " | ".join(str(levels.count(level)) for level in LEVELS)
        optional = " *(optional)*" if profile.optional else ""
        lines.append(
            f"| [{code(name)}](#{profile_anchor(name)}){optional} | {escape(profile.title)} "
            f"| {len(levels)} | {counts} |"
        )
    lines.append("")
    lines.append(
        "*Optional* profiles go beyond the seeds: a target is judged by them only when it "
        "claims them by name ([R17](#r17))."
    )
    lines.append("")
    lines.append("Also: [Rulings](#rulings) · [Sources](#sources)")

    for name, profile in spec.profiles.items():
        mine = [r for r in requirements if r.profile == name]
        lines += [
            "",
            f'<a id="{profile_anchor(name)}"></a>',
            "",
            f"## {escape(profile.title)} ({code(name)})",
            "",
            escape(profile.description, starts_line=True),
            *(
                ["", "Optional: judged only when claimed by name ([R17](#r17))."]
                if profile.optional
                else []
            ),
            "",
            f"{plural(len(mine), 'requirement')}: {level_counts(mine)}.",
        ]
        for entry in mine:
            lines += _requirement(spec, entry, needed_by[entry.id])

    lines += [
        "",
        "## Rulings",
        "",
        "What was decided where the sources are silent or leave a choice, and why. "
        "Requirements cite the rulings that shape them.",
    ]
    for key, decided in spec.rulings.items():
        lines += [
            "",
            f'<a id="{ruling_anchor(key)}"></a>',
            "",
            f"### {key}: {escape(decided.title)}",
            "",
            escape(decided.decision, starts_line=True),
            "",
            "Cited by: " + (", ".join(map(link_requirement, cited_by[key])) or "none") + ".",
        ]

    lines += [
        "",
        "## Sources",
        "",
        "The documents and packages requirements are drawn from. The seed documents are "
        "kept next to the repository, in `../shared/seeds/`, and are not shipped with it.",
        "",
    ]
    for key, source in spec.sources.items():
        if source.file:
            where = f"file {code(source.file)}"
        else:
            where = f"package {code(source.package or '')} {escape(source.version or '')}"
        item = f'- <a id="{source_anchor(key)}"></a>{code(key)}: {escape(source.title)} ({where})'
        if source.differences:
            item += f". {escape(source.differences)}"
        lines.append(item)
    return "\n".join(lines) + "\n"


def _requirement(spec: Spec, requirement: Requirement, needed_by: list[str]) -> list[str]:
    sources = "; ".join(
        f"[{code(ref.doc)}](#{source_anchor(ref.doc)}) {escape(ref.section)}"
        for ref in requirement.source
    )
    lines = [
        "",
        f"### {requirement.id}",
        "",
        f"**{requirement.level}**. {escape(requirement.statement)}",
        "",
        f"- Sources: {sources}",
    ]
    if requirement.ruling:
        rulings = ", ".join(
            f"[{key}](#{ruling_anchor(key)}) ({escape(spec.rulings[key].title)})"
            for key in requirement.ruling
        )
        lines.append(f"- Rulings: {rulings}")
    if requirement.needs:
        lines.append("- Needs: " + ", ".join(map(link_requirement, requirement.needs)))
    if needed_by:
        lines.append("- Needed by: " + ", ".join(map(link_requirement, needed_by)))
    if requirement.schema:
        at = requirement.schema.at or "the whole answer"
        shown = code(requirement.schema.at) if requirement.schema.at else at
        lines.append(f"- Schema: {code('spec/schemas/' + requirement.schema.file)} at {shown}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only say whether docs/catalog.md is current"
    )
    args = parser.parse_args(argv)
    page = render(load_spec())
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.is_file() else None
        if current != page:
            print(f"{OUT} is {STALE}", file=sys.stderr)
            return 1
        print(f"{OUT} is current")
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(page, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
