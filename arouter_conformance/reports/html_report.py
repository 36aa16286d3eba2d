"""The HTML report: one self-contained page rendered by Jinja2 with autoescaping on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

__all__ = ["render_html", "write_html"]

_ENV = Environment(
    loader=PackageLoader("arouter_conformance.reports", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(data: dict[str, Any]) -> str:
    return _ENV.get_template("report.html.j2").render(report=data)


def write_html(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data), encoding="utf-8")
