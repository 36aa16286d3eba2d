"""The model catalog: read once, checked once, indexed once.

Every answer the server gives is a selection from these rows, so the work that does not
depend on the request happens here, at load time: ids are checked for uniqueness, aliases
for pointing at listed ids, and positions are indexed by output modality, supported
parameter and author, so that a filter is a few set operations instead of a scan.

The file format (`arouter-reference-catalog/1`, see data/README.md) is a JSON object with
`models` (rows as the list serves them, in the default order), `aliases` (extra id -> listed
id) and `figures` (per listed id: `throughput`, `latency`, `weekly_tokens`, each possibly
null). Rows carry no behaviour; what the contract makes of them lives in queries.py.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arouter_conformance.spec import load_spec

__all__ = ["DEFAULT_PATH", "FORMAT", "Catalog", "CatalogError", "Figures", "Model", "author_of"]

FORMAT = "arouter-reference-catalog/1"
DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "catalog.json"

Model = dict[str, Any]


class CatalogError(Exception):
    """A catalog file that cannot be read or breaks the format; the message names where."""


@dataclass(frozen=True)
class Figures:
    """Hidden per-model measurements that only the performance and popularity sorts use."""

    throughput: float | None = None
    latency: float | None = None
    weekly_tokens: int | None = None


def author_of(model_id: str) -> str:
    """The provider a model belongs to: the id before the slash, without a leading `~`."""
    return model_id.partition("/")[0].removeprefix("~")


class Catalog:
    """Rows in their default order, plus the indexes every query is answered from."""

    def __init__(
        self,
        models: Iterable[Mapping[str, Any]],
        aliases: Mapping[str, str] | None = None,
        figures: Mapping[str, Figures] | None = None,
    ) -> None:
        self.models: tuple[Model, ...] = tuple(dict(model) for model in models)
        self.by_id: dict[str, Model] = {}
        for model in self.models:
            if model["id"] in self.by_id:
                raise CatalogError(f"model id {model['id']!r} appears twice")
            self.by_id[model["id"]] = model
        self.aliases: dict[str, str] = dict(aliases or {})
        for alias, target in self.aliases.items():
            if alias in self.by_id:
                raise CatalogError(f"alias {alias!r} is itself a listed id")
            if target not in self.by_id:
                raise CatalogError(f"alias {alias!r} points at {target!r}, which is not listed")
        known = figures or {}
        self.figures: dict[str, Figures] = {i: known.get(i, Figures()) for i in self.by_id}
        self.by_output = _index(m["architecture"]["output_modalities"] for m in self.models)
        self.by_parameter = _index(m["supported_parameters"] for m in self.models)
        self.by_author = _index([author_of(m["id"])] for m in self.models)

    @property
    def output_modalities(self) -> frozenset[str]:
        """Every output modality some model has, documented or not (video, speech, ...)."""
        return frozenset(self.by_output)

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def from_document(
        cls, document: Any, *, source: str = "catalog", validate: bool = True
    ) -> Catalog:
        """Build from a parsed catalog file; `validate` checks every row against Model.json.
        A saved `GET /models` answer (`{"data": [...]}`, no format) is taken as a catalog of
        its rows, with no aliases or figures: serving one's own gateway's list is the
        quickest way to see what the kit makes of it."""
        if isinstance(document, dict) and "format" not in document and "data" in document:
            document = {"format": FORMAT, "models": document["data"]}
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise CatalogError(
                f"{source}: not a catalog (expected format {FORMAT!r}, or a saved "
                'GET /models answer: {"data": [...]})'
            )
        models = document.get("models")
        aliases = document.get("aliases", {})
        figures = document.get("figures", {})
        if not isinstance(models, list) or not all(isinstance(m, dict) for m in models):
            raise CatalogError(f"{source}: 'models' must be a list of objects")
        if not isinstance(aliases, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()
        ):
            raise CatalogError(f"{source}: 'aliases' must map ids to ids")
        if validate:
            _validate_models(models, source)
        try:
            return cls(models, aliases, _figures(figures, source))
        except CatalogError as exc:
            raise CatalogError(f"{source}: {exc}") from None
        except (KeyError, TypeError) as exc:
            raise CatalogError(f"{source}: a model lacks a required key ({exc})") from None

    @classmethod
    def load(cls, path: Path | str, *, validate: bool = True) -> Catalog:
        path = Path(path)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CatalogError(f"cannot read catalog {path}: {exc.strerror}") from None
        except ValueError as exc:
            raise CatalogError(f"catalog {path} is not valid JSON: {exc}") from None
        return cls.from_document(document, source=str(path), validate=validate)

    @classmethod
    def synthetic(cls, size: int) -> Catalog:
        """A deterministic catalog of `size` models with every feature of the real one."""
        # synthetic.py writes this module's format, so it imports us; we import it late.
        from reference_server.synthetic import synthetic_document

        return cls.from_document(
            synthetic_document(size), source=f"synthetic({size})", validate=False
        )

    @classmethod
    def default(cls) -> Catalog:
        """The bundled catalog, loaded once per process and shared (catalogs are read-only)."""
        return _default_catalog()


@functools.cache
def _default_catalog() -> Catalog:
    # The bundled file is generated, and every row of it is validated against the contract's
    # schemas by the test suite (test_queries.py), so the half second a full validation costs
    # is not paid on every start.
    return Catalog.load(DEFAULT_PATH, validate=False)


def _index(values: Iterable[Iterable[str]]) -> dict[str, frozenset[int]]:
    positions: defaultdict[str, set[int]] = defaultdict(set)
    for position, names in enumerate(values):
        for name in names:
            positions[name].add(position)
    return {name: frozenset(found) for name, found in positions.items()}


def _validate_models(models: list[dict[str, Any]], source: str) -> None:
    validator = load_spec().validator("Model.json")
    for position, model in enumerate(models):
        error = next(iter(validator.iter_errors(model)), None)
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "(the row)"
            name = model.get("id", f"#{position}")
            raise CatalogError(f"{source}: model {name!r} at {where}: {error.message}")


def _figures(document: Any, source: str) -> dict[str, Figures]:
    if not isinstance(document, dict):
        raise CatalogError(f"{source}: 'figures' must map ids to objects")
    figures: dict[str, Figures] = {}
    for model_id, values in document.items():
        try:
            figures[model_id] = Figures(**values)
        except TypeError:
            raise CatalogError(
                f"{source}: figures of {model_id!r} must hold only throughput, latency and "
                "weekly_tokens"
            ) from None
        for name, value in vars(figures[model_id]).items():
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if value is not None and not number:
                raise CatalogError(f"{source}: figures of {model_id!r}: {name} must be a number")
    return figures
