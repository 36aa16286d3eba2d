"""arouter-conformance: does a gateway serve the ARouter / OpenRouter-style Models API and
chat completions the way the contract in spec/ says? Requirement by requirement, with evidence.

The public API is what `__all__` lists: load the contract, configure and judge a run, read
its results. The command line (`arouter-conformance`) and the pytest plugin
(`pytest --target-url`) are built on the same pieces; every other module is an
implementation detail. Names are imported on first use, so that the pytest plugin, which
lives in this package, costs unrelated test sessions nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "ConfigError": "errors",
    "KitError": "errors",
    "Finding": "findings",
    "Manifest": "manifest",
    "ManifestError": "manifest",
    "Redactor": "redact",
    "Requirement": "spec",
    "RequirementResult": "results",
    "RunConfig": "config",
    "RunResult": "results",
    "Spec": "spec",
    "SpecError": "spec",
    "Status": "results",
    "load_manifest": "manifest",
    "load_spec": "spec",
    "resolve_config": "config",
}

__all__ = [
    "ConfigError",
    "Finding",
    "KitError",
    "Manifest",
    "ManifestError",
    "Redactor",
    "Requirement",
    "RequirementResult",
    "RunConfig",
    "RunResult",
    "Spec",
    "SpecError",
    "Status",
    "__version__",
    "load_manifest",
    "load_spec",
    "resolve_config",
]

if TYPE_CHECKING:
    from arouter_conformance.config import RunConfig, resolve_config
    from arouter_conformance.errors import ConfigError, KitError
    from arouter_conformance.findings import Finding
    from arouter_conformance.manifest import Manifest, ManifestError, load_manifest
    from arouter_conformance.redact import Redactor
    from arouter_conformance.results import RequirementResult, RunResult, Status
    from arouter_conformance.spec import Requirement, Spec, SpecError, load_spec


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'arouter_conformance' has no attribute {name!r}")
    return getattr(importlib.import_module(f"arouter_conformance.{_EXPORTS[name]}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
