"""The release: what `python -m build` makes, installed and run the way a user would.

One module-scoped fixture builds the sdist and the wheel the way a release is built (the
wheel from the sdist, as pip builds it from an sdist too), builds a second wheel straight
from the tree (as `pip install .` does), creates a fresh venv, installs the wheel into it
from the package registry, and leaves a working directory outside the repository. The tests
then read the archives and run both front doors of the installed kit from that directory,
so nothing can come from the checkout: not the code, not the spec, not the catalog.

Slow by nature (pip resolves the run-time dependencies), so everything is done once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path, PurePosixPath

import httpx
import pytest
from jsonschema import Draft202012Validator

import arouter_conformance
from arouter_conformance.spec import Spec
from tests.targets import REPO

PACKAGES = ("arouter_conformance", "reference_server")
# Parts of a path that have no place in a release archive.
JUNK = {
    ".venv",
    "__pycache__",
    ".hypothesis",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".git",
    "dist",
    ".dev-stamp",
}
# Variables of this session that must not reach the installed kit.
SCRUBBED = (
    "PYTHONPATH",
    "PYTHONHOME",
    "VIRTUAL_ENV",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "GITHUB_STEP_SUMMARY",
    "AROUTER_API_KEY",
    "REFERENCE_SERVER_KEYS",
)


@dataclass(frozen=True)
class Release:
    sdist: Path
    wheel: Path  # built from the sdist: the wheel a release uploads
    tree_wheel: Path  # built from the checkout: what `pip install .` makes
    venv: Path
    workdir: Path  # outside the repository; every installed command runs here
    env: dict[str, str]

    @property
    def bin(self) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin")

    def run(self, *argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _checked(argv: list[str], timeout: float, cwd: Path = REPO) -> None:
    done = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{' '.join(argv)}\n{done.stdout[-3000:]}{done.stderr[-3000:]}"


def _only(directory: Path, pattern: str) -> Path:
    [found] = directory.glob(pattern)
    return found


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    root = tmp_path_factory.mktemp("release")
    build = [sys.executable, "-m", "build", "--no-isolation"]
    # No --sdist/--wheel: build makes the sdist, then the wheel from the unpacked sdist.
    _checked([*build, "--outdir", str(root / "dist"), str(REPO)], timeout=300)
    _checked([*build, "--wheel", "--outdir", str(root / "tree"), str(REPO)], timeout=300)
    venv = root / "venv"
    _checked([sys.executable, "-m", "venv", str(venv)], timeout=120)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    wheel = _only(root / "dist", "*.whl")
    _checked(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        timeout=900,
    )
    workdir = root / "elsewhere"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env["PATH"] = os.pathsep.join([str(python.parent), env.get("PATH", "")])
    return Release(
        sdist=_only(root / "dist", "*.tar.gz"),
        wheel=wheel,
        tree_wheel=_only(root / "tree", "*.whl"),
        venv=venv,
        workdir=workdir,
        env=env,
    )


def _repo_files(*tops: str) -> set[str]:
    """The files under `tops` that a release must carry (bytecode caches aside)."""
    return {
        path.relative_to(REPO).as_posix()
        for top in tops
        for path in (REPO / top).rglob("*")
        if path.is_file() and not JUNK & set(path.relative_to(REPO).parts)
        if path.suffix != ".pyc"
    }


def _sdist_names(release: Release) -> set[str]:
    with tarfile.open(release.sdist) as archive:
        names = [member.name for member in archive.getmembers() if member.isfile()]
    prefix = release.sdist.name.removesuffix(".tar.gz") + "/"
    assert all(name.startswith(prefix) for name in names)
    return {name[len(prefix) :] for name in names}


def _wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if not name.endswith("/")}


def _metadata(wheel: Path) -> tuple[set[str], dict[str, list[str]]]:
    """The wheel's names outside dist-info, and its METADATA headers (all values per key)."""
    names = _wheel_names(wheel)
    [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
    with zipfile.ZipFile(wheel) as archive:
        message = Parser().parsestr(archive.read(metadata).decode("utf-8"), headersonly=True)
    headers: dict[str, list[str]] = {}
    for key, value in message.items():
        headers.setdefault(key, []).append(value)
    return {n for n in names if ".dist-info/" not in n}, headers


def test_the_sdist_carries_the_spec_the_catalog_and_the_documents(release: Release) -> None:
    names = _sdist_names(release)
    spec_files = _repo_files("spec")
    assert {"spec/requirements.yaml", "spec/openapi.yaml", "spec/schemas/Model.json"} <= spec_files
    assert spec_files <= names
    assert _repo_files(*PACKAGES) <= names  # code, py.typed, the catalog, schemas, templates
    assert "reference_server/data/catalog.json" in names
    documents = {"pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "ARCHITECTURE.md"}
    assert documents <= names
    assert not [name for name in names if JUNK & set(PurePosixPath(name).parts)]
    assert not [name for name in names if name.startswith("reports/latest")]


def test_the_wheel_carries_the_spec_inside_the_package(release: Release) -> None:
    names, _ = _metadata(release.wheel)
    expected = {
        "arouter_conformance/_spec/" + name.removeprefix("spec/") for name in _repo_files("spec")
    } | _repo_files(*PACKAGES)
    assert {
        "arouter_conformance/_spec/requirements.yaml",
        "arouter_conformance/_spec/openapi.yaml",
        "arouter_conformance/_spec/report.schema.json",
        "reference_server/data/catalog.json",
        "arouter_conformance/py.typed",
        "reference_server/py.typed",
    } <= expected
    assert names == expected  # everything the packages hold, and nothing else (no tests/)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in _wheel_names(release.wheel))


def test_a_wheel_built_from_the_sdist_equals_one_built_from_the_tree(release: Release) -> None:
    assert _wheel_names(release.wheel) == _wheel_names(release.tree_wheel)


def test_the_metadata_is_ready_for_a_first_release(release: Release) -> None:
    _, headers = _metadata(release.wheel)
    assert headers["Name"] == ["arouter-conformance"]
    assert headers["Version"] == [arouter_conformance.__version__]
    assert headers["License-Expression"] == ["MIT"]
    assert headers["License-File"] == ["LICENSE"]
    assert headers["Requires-Python"] == [">=3.10"]
    classifiers = set(headers["Classifier"])
    assert {
        "Development Status :: 4 - Beta",
        "Framework :: Pytest",
        "Typing :: Typed",
        *(f"Programming Language :: Python :: 3.{minor}" for minor in (10, 11, 12, 13)),
    } <= classifiers
    # PEP 639: the SPDX expression replaces the license classifiers; never both.
    assert not [c for c in classifiers if c.startswith("License ::")]
    urls = dict(value.split(", ", 1) for value in headers["Project-URL"])
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert all(url.startswith("https://github.com/arouter-conformance/") for url in urls.values())


def test_the_installed_kit_reads_its_spec_from_the_wheel(release: Release) -> None:
    probe = (
        "import json, arouter_conformance, reference_server.catalog as c, "
        "arouter_conformance.spec as s; "
        "print(json.dumps([arouter_conformance.__file__, str(s.default_spec_dir()), "
        "str(c.DEFAULT_PATH), len(s.load_spec().requirements)]))"
    )
    done = release.run(str(release.bin / "python"), "-c", probe, timeout=120)
    assert done.returncode == 0, done.stderr
    package, spec_dir, catalog, requirements = json.loads(done.stdout)
    site = release.venv.resolve()
    for path in (package, spec_dir, catalog):
        assert Path(path).resolve().is_relative_to(site), path
        assert not Path(path).resolve().is_relative_to(REPO), path
    assert Path(spec_dir).name == "_spec"
    assert requirements == len(Spec(REPO / "spec").requirements)


def test_the_cli_runs_from_another_directory(release: Release, spec: Spec) -> None:
    done = release.run(
        str(release.bin / "arouter-conformance"), "run", "--profile", "count", "--json", "out.json"
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    data = json.loads((release.workdir / "out.json").read_text(encoding="utf-8"))
    schema = json.loads((REPO / "spec" / "report.schema.json").read_text(encoding="utf-8"))
    assert [e.message for e in Draft202012Validator(schema).iter_errors(data)] == []
    assert (data["verdict"], data["exit_code"], data["run"]["embedded"]) == ("pass", 0, True)
    statuses = {entry["id"]: entry["status"] for entry in data["requirements"]}
    assert statuses.keys() == spec.requirements.keys()
    counted = {rid for rid, r in spec.requirements.items() if r.profile == "count"}
    assert counted
    assert {statuses[rid] for rid in counted} == {"passed"}
    assert {s for rid, s in statuses.items() if rid not in counted} == {"skipped"}


@pytest.fixture
def served(release: Release) -> Iterator[tuple[str, str]]:
    """`arouter-conformance serve --port 0` from the venv: its /v1 root and demo key."""
    log = (release.workdir / "serve.log").open("w", encoding="utf-8")  # never a full pipe
    process = subprocess.Popen(
        [str(release.bin / "arouter-conformance"), "serve", "--port", "0"],
        cwd=release.workdir,
        env=release.env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(2)]
        assert " models at http://127.0.0.1:" in banner[0], banner
        root = banner[0].split(" at ", 1)[1].split(" and ", 1)[0]
        key = banner[1].split("demo key ", 1)[1].split()[0]
        deadline = time.monotonic() + 60
        while True:  # the port is bound before uvicorn listens: wait for the first answer
            assert process.poll() is None, "the server exited before it answered"
            try:
                httpx.get(root + "/models/count", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.05)
        yield root, key
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
            log.close()
    assert process.returncode == 0, (release.workdir / "serve.log").read_text()


def test_pytest_judges_a_served_reference_server(release: Release, served: tuple[str, str]) -> None:
    root, key = served
    done = subprocess.run(
        [
            str(release.bin / "python"),
            "-m",
            "pytest",
            "--target-url",
            root,
            "--conformance-profile",
            "count",
            "-p",
            "no:cacheprovider",
        ],
        cwd=release.workdir,
        env={**release.env, "AROUTER_API_KEY": key},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "plugins: arouter-conformance-" in done.stdout
    assert " passed" in done.stdout
    assert " failed" not in done.stdout
