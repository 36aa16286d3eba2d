"""arouter-conformance: does a gateway serve the ARouter / OpenRouter-style Models API and
chat completions the way the contract in spec/ says? Requirement by requirement, with evidence.

The public API is what `__all__` lists; every other module is an implementation detail.
"""

from arouter_conformance.spec import Requirement, Spec, SpecError, load_spec

__all__ = ["Requirement", "Spec", "SpecError", "__version__", "load_spec"]

__version__ = "0.1.0"
