"""The pages under docs/ stay true to what they describe.

docs/catalog.md is generated from the catalog, so it must be exactly what the script makes
now; docs/manifest.md must mention every key the manifest schema knows; docs/verdicts.md
must link every ruling; the README's picture must be a real, small PNG; and every relative
link in the docs points at a file and an anchor that exist.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from arouter_conformance.manifest import parse_manifest
from arouter_conformance.spec import Spec, default_spec_dir

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
SCHEMA = REPO / "arouter_conformance" / "manifest.schema.json"


def load_script(name: str) -> ModuleType:
    # scripts/ is not a package, so import the file by path; a script finds its helpers
    # (scripts/_venv.py) beside it, as it does when run.
    if str(REPO / "scripts") not in sys.path:
        sys.path.insert(0, str(REPO / "scripts"))
    path = REPO / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def catalog_doc() -> ModuleType:
    return load_script("make_catalog_doc")


# ----------------------------------------------------------------------------- catalog.md


def test_the_catalog_page_is_current(catalog_doc: ModuleType, spec: Spec) -> None:
    committed = (DOCS / "catalog.md").read_text(encoding="utf-8")
    assert committed == catalog_doc.render(spec), catalog_doc.STALE


def test_check_mode_tells_a_stale_page(
    catalog_doc: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = tmp_path / "catalog.md"
    monkeypatch.setattr(catalog_doc, "OUT", page)
    assert catalog_doc.main(["--check"]) == 1  # no page at all
    assert catalog_doc.main([]) == 0
    assert catalog_doc.main(["--check"]) == 0
    page.write_text("# an old catalog\n", encoding="utf-8")
    capsys.readouterr()
    assert catalog_doc.main(["--check"]) == 1
    assert "stale: run python3 scripts/make_catalog_doc.py" in capsys.readouterr().err
    assert page.read_text(encoding="utf-8") == "# an old catalog\n"  # --check never writes


def test_every_requirement_and_ruling_is_on_the_page_once(
    catalog_doc: ModuleType, spec: Spec
) -> None:
    page = catalog_doc.render(spec)
    headings = re.findall(r"^### (\S+)", page, flags=re.MULTILINE)
    assert [h for h in headings if not h.endswith(":")] == list(spec.requirements)
    assert [h.rstrip(":") for h in headings if h.endswith(":")] == list(spec.rulings)
    for key, ruling in spec.rulings.items():
        assert page.count(f'<a id="{key.lower()}"></a>') == 1
        assert page.count(catalog_doc.escape(ruling.decision)) == 1  # the text, once
    for profile in spec.profiles.values():
        assert f"## {catalog_doc.escape(profile.title)} (`{profile.name}`)" in page


def test_requirements_link_their_rulings_and_prerequisites(
    catalog_doc: ModuleType, spec: Spec
) -> None:
    page = catalog_doc.render(spec)
    for requirement in spec.requirements.values():
        block = page.split(f"\n### {requirement.id}\n", 1)[1].split("\n### ", 1)[0]
        assert f"**{requirement.level}**" in block
        for ruling in requirement.ruling:
            assert f"[{ruling}](#{ruling.lower()})" in block
        for need in requirement.needs:
            assert f"[{need}](#{need.lower()})" in block.split("- Needs:", 1)[1]
        for ref in requirement.source:
            assert catalog_doc.escape(ref.section) in block


@pytest.fixture
def hostile_spec(tmp_path: Path) -> Spec:
    """A copy of spec/ whose first requirement, profile and ruling hold Markdown syntax."""
    directory = tmp_path / "spec"
    shutil.copytree(default_spec_dir(), directory)
    path = directory / "requirements.yaml"
    catalog = yaml.safe_load(path.read_text(encoding="utf-8"))
    catalog["requirements"][0]["statement"] = HOSTILE
    catalog["profiles"]["models"]["description"] = "# not a heading " + HOSTILE
    catalog["rulings"]["R1"]["decision"] = "- not a list item " + HOSTILE
    path.write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
    return Spec(directory)


HOSTILE = (
    "a | b || c, *not em* _nor this_ **nor bold**, `no code`, [no](link) ![no](img), "
    "<b>no tag</b> &amp; ~~no strike~~ ~x~, back\\slash, 1. and - and # inside."
)


def test_catalog_text_is_escaped(catalog_doc: ModuleType, hostile_spec: Spec) -> None:
    page = catalog_doc.render(hostile_spec)
    assert "a \\| b \\|\\| c" in page
    assert "<b>" not in page
    assert "\n# not a heading" not in page
    assert "\n- not a list item" not in page
    markdown_it = pytest.importorskip("markdown_it")
    renderer = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    rendered = renderer.render(page)
    body = rendered.split("<h2>", 1)[1]  # the introduction may emphasise
    for tag in ("<em>", "<del>", "<b>", "<img", "<h1>"):
        assert tag not in body, tag
    assert set(re.findall(r"<strong>(.*?)</strong>", body)) <= {"MUST", "SHOULD", "MAY"}
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", rendered)).split())
    assert text.count(HOSTILE) == 3
    assert "# not a heading " + HOSTILE in text
    assert "- not a list item " + HOSTILE in text


# ----------------------------------------------------------------------------- manifest.md


def manifest_keys(node: Any, root: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Every property the schema allows, as a dotted path; `<name>` stands for a key the
    user chooses (a header name). $refs into $defs are followed."""
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/$defs/"), ref
        yield from manifest_keys(root["$defs"][ref.removeprefix("#/$defs/")], root, path)
        return
    for key, child in node.get("properties", {}).items():
        yield ".".join((*path, key))
        yield from manifest_keys(child, root, (*path, key))
    if isinstance(node.get("additionalProperties"), dict):
        yield from manifest_keys(node["additionalProperties"], root, (*path, "<name>"))
    for option in node.get("anyOf", []):
        yield from manifest_keys(option, root, path)


def test_manifest_page_names_every_key_of_the_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    keys = list(manifest_keys(schema, schema))
    assert {"target_url", "restricted.providers", "headers.<name>.env"} <= set(keys)
    page = (DOCS / "manifest.md").read_text(encoding="utf-8")
    missing = [key for key in keys if f"`{key}`" not in page]
    assert missing == [], "docs/manifest.md does not describe these manifest keys"


def test_manifest_page_example_is_complete_and_valid(spec: Spec) -> None:
    page = (DOCS / "manifest.md").read_text(encoding="utf-8")
    example = yaml.safe_load(re.findall(r"```yaml\n(.*?)```", page, flags=re.DOTALL)[0])
    manifest = parse_manifest(example, list(spec.profiles))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert set(example) == set(schema["properties"])
    assert set(example["restricted"]) == set(schema["properties"]["restricted"]["properties"])
    assert manifest.restricted is not None
    assert any(not isinstance(value, str) for value in manifest.headers.values())  # {env: }
    assert any(isinstance(value, str) for value in manifest.headers.values())


# ----------------------------------------------------------------------------- verdicts.md


def test_verdicts_page_links_every_ruling_and_status(spec: Spec) -> None:
    page = (DOCS / "verdicts.md").read_text(encoding="utf-8")
    for key in spec.rulings:
        assert f"(catalog.md#{key.lower()})" in page, key
    for status in ("passed", "failed", "blocked", "inconclusive", "skipped", "error"):
        assert f"| `{status}` |" in page, status


# ----------------------------------------------------------------------------- report.png


def test_the_report_picture_is_a_small_png_of_sane_size() -> None:
    picture = DOCS / "report.png"
    data = picture.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert 800 <= width <= 2000
    assert 600 <= height <= 2400
    assert len(data) < 300_000, "run python3 scripts/make_screenshot.py (and keep it small)"
    assert data.endswith(b"IEND\xaeB`\x82")  # written to the end
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "](docs/report.png)](reports/example/report.html)" in readme


# ----------------------------------------------------------------------------- links


def anchors(page: Path) -> set[str]:
    """The anchors a page offers: explicit ids, and heading slugs as GitHub makes them."""
    text = page.read_text(encoding="utf-8")
    found = set(re.findall(r'<a id="([^"]+)"', text))
    for heading in re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        found.add(slug)
    return found


PAGES = [*sorted(DOCS.glob("*.md")), REPO / "README.md"]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_relative_links_point_at_files_and_anchors_that_exist(page: Path) -> None:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not checked here
        file, _, fragment = target.partition("#")
        linked = (page.parent / file).resolve() if file else page
        assert linked.exists(), f"{page.name}: {target}"
        if fragment and linked.suffix == ".md":
            assert fragment in anchors(linked), f"{page.name}: {target}"


def test_the_docs_index_and_the_readme_list_every_page() -> None:
    pages = {p.name for p in DOCS.glob("*.md")} - {"README.md"}
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in sorted(pages):
        assert f"]({name})" in index, name
        assert f"](docs/{name})" in readme, name


def test_ci_page_names_every_input_and_output_of_the_action() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    page = (DOCS / "ci.md").read_text(encoding="utf-8")
    missing = [name for name in [*action["inputs"], *action["outputs"]] if f"`{name}`" not in page]
    assert missing == [], f"docs/ci.md does not name {missing}"


def test_ci_page_baseline_example_is_a_valid_baseline(tmp_path: Path, spec: Spec) -> None:
    from arouter_conformance.known import load_known

    page = (DOCS / "ci.md").read_text(encoding="utf-8")
    example = page.split("## Known failures", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "known.yaml"
    path.write_text(example, encoding="utf-8")
    assert load_known(path, spec)


def test_the_screenshot_script_can_still_switch_the_report_s_filters_on() -> None:
    """The picture is of the example report with its filters on: a template change that
    renames them would break the script, not the (unchanged) PNG."""
    screenshot = load_script("make_screenshot")
    page = (REPO / "reports" / "example" / "report.html").read_text(encoding="utf-8")
    shown = screenshot.filtered(page)
    for name in screenshot.FILTERS:
        assert f'<input type="checkbox" id="{name}" checked' in shown


# ----------------------------------------------------------------------------- README figures


def test_the_readme_shows_the_committed_benchmark_figures() -> None:
    """The performance tables are rendered from benchmarks/results/: a run of the
    benchmarks that was not rendered, or a hand-edited figure, shows here."""
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "summary.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, "run: .venv/bin/python benchmarks/summary.py"
