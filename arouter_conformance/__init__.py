"""arouter-conformance: does a gateway serve the ARouter / OpenRouter-style Models API and
chat completions the way the contract in spec/ says? Requirement by requirement, with evidence.

The public API is what `__all__` lists: load the contract, configure and judge a run, read
its results. The command line (`arouter-conformance`) and the pytest plugin
(`pytest --target-url`) are built on the same pieces; every other module is an
implementation detail.
"""

__version__ = "0.1.0"

from arouter_conformance.config import ConfigError, RunConfig, resolve_config
from arouter_conformance.findings import Finding
from arouter_conformance.manifest import Manifest, ManifestError, load_manifest
from arouter_conformance.redact import Redactor
from arouter_conformance.results import RequirementResult, RunResult, Status
from arouter_conformance.spec import Requirement, Spec, SpecError, load_spec

__all__ = [
    "ConfigError",
    "Finding",
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
