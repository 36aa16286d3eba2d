"""Known failures: the `--baseline` file a team keeps so that its CI gate fails only on
what is new.

A gateway team adopts a conformance gate while it is still partly conformant; a gate that
stays red until every requirement passes gets switched off. The file lists requirement ids
the team accepts as unmet for now, each with the reason, and is validated by
`spec/baseline.schema.json`. An id the catalog does not know is refused before the run
spends a request: a typo there would silently accept nothing, or the wrong thing.

`--update-baseline` rewrites the file from a run: the MUSTs that failed or were
inconclusive now are listed (reasons already written are kept, new ones say what was seen
and when), what passed is dropped, and entries the run did not judge (another profile,
another `--requirement`) stay. Blocked requirements are covered by their root cause's
entry. An *error* is not written (nor accepted when listed, see `results._known`): it says
the kit or the network broke, and a hiccup baked into the file would hide the requirement
from then on. A run that stopped early writes nothing.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from arouter_conformance.errors import ConfigError
from arouter_conformance.results import RunResult, Status
from arouter_conformance.spec import Spec, default_spec_dir
from arouter_conformance.yamlfile import read_yaml

__all__ = ["BaselineError", "load_known", "render_known", "updated_known"]

REASON_CAP = 200
_HEADER = """\
# Known failures for arouter-conformance (--baseline): requirement id -> why it is accepted
# as unmet for now. A run whose only unmet MUST requirements are listed here exits 0; a
# listed requirement that passes is reported as fixed, to be removed from this file.
# Rewrite it from a run with --update-baseline (the reasons written here are kept).
"""


class BaselineError(ConfigError):
    """The baseline file cannot be used; the message names the file and what is wrong."""


def _schema() -> Any:
    return json.loads((default_spec_dir() / "baseline.schema.json").read_text("utf-8"))


def load_known(path: Path, spec: Spec, *, missing_ok: bool = False) -> dict[str, str]:
    """The file's entries, id -> reason; `missing_ok` (for --update-baseline) makes an
    absent file an empty baseline rather than an error."""
    try:
        document = read_yaml(path, "baseline", BaselineError)
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise BaselineError(f"baseline {path} does not exist") from None
    error = next(iter(Draft202012Validator(_schema()).iter_errors(document)), None)
    if error is not None:
        raise BaselineError(f"baseline {path}: {_problem(error, document)}"[:300])
    entries: dict[str, str] = dict(document["known"] or {})
    unknown = next((rid for rid in entries if rid not in spec.requirements), None)
    if unknown is not None:
        raise BaselineError(f"baseline {path}: no requirement {unknown!r} in the catalog")
    return entries


def _problem(error: ValidationError, document: Any) -> str:
    """What is wrong, said the way the file is written: the key at fault, or what a value
    should be (the schema's description of it)."""
    if not error.absolute_path:
        extra = sorted(set(document) - {"known"}) if isinstance(document, dict) else []
        if extra:
            return f"unknown key {extra[0]!r}: the file has one key, known"
        return "expected a mapping with one key, known: (requirement id -> reason)"
    where = "/".join(str(part) for part in error.absolute_path)
    what = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "pattern" and list(error.absolute_path) == ["known"]:
        where += f" {error.instance!r}"  # an id the pattern refuses: name it
    return f"at {where}: " + (f"expected {what}" if what else error.message)


def updated_known(
    result: RunResult,
    previous: Mapping[str, str],
    clean: Callable[[str], str],
    today: datetime.date | None = None,
    selected: Collection[str] = (),
) -> dict[str, str]:
    """The baseline this run calls for. Root causes only: a requirement blocked by another
    is covered by that one's entry. `clean` redacts and defuses the reasons taken from the
    target's answers before they are written to a file people share.

    `selected` is a `--requirement` selection (with what it needs): the other requirements
    its tests carry were judged only as far as those tests go, so one of them left
    inconclusive says nothing about the gateway and is not written; a failure is a finding
    wherever it was seen, and is."""
    day = (today or datetime.datetime.now(datetime.timezone.utc).date()).isoformat()
    judged = {r.requirement.id: r for r in result.requirements if r.status is not Status.SKIPPED}
    entries = {rid: why for rid, why in previous.items() if rid not in judged}
    for rid, r in judged.items():
        if rid in previous:
            if r.unmet:  # still unmet (a blocked one may hide behind another failure)
                entries[rid] = previous[rid]
            continue
        new = r.status is Status.FAILED or (
            r.status is Status.INCONCLUSIVE and (not selected or rid in selected)
        )
        if not new or r.requirement.level != "MUST" or r.requirement.profile not in result.claimed:
            continue
        seen = r.findings[0].message if r.findings else (r.reason or "")
        seen = " ".join(clean(seen).split())
        reason = f"{r.status.value} on {day}" + (f": {seen}" if seen else "")
        entries[rid] = reason[:REASON_CAP]
    return dict(sorted(entries.items()))


def render_known(entries: Mapping[str, str]) -> str:
    # One entry per line, however long its reason: a diff of the file then shows entries.
    body = yaml.safe_dump(
        {"known": dict(entries)}, allow_unicode=True, sort_keys=False, width=1 << 16
    )
    return _HEADER + body
