"""Report writers. All of them render one value, `report_data`, which has been through the
run's redactor and made inert, so no writer can forget to remove a key or defuse what a
target sent. A path that cannot be written is a `ReportError` (a `ConfigError`).

The HAR is the one output that is not rendered from `report_data`: it is the run's
recorded traffic (`traffic.Traffic`), redacted by the same redactor as it is written."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from arouter_conformance.config import ReportPaths
from arouter_conformance.engine import Observer
from arouter_conformance.redact import Redactor
from arouter_conformance.reports.badge import render_badge, write_badge
from arouter_conformance.files import ReportError, check_writable
from arouter_conformance.reports.har import har_data, write_har
from arouter_conformance.reports.html_report import render_html, write_html
from arouter_conformance.reports.json_report import report_data, write_json
from arouter_conformance.reports.junit_report import render_junit, write_junit
from arouter_conformance.reports.markdown_report import (
    SUMMARY_ENV,
    append_markdown,
    render_markdown,
)
from arouter_conformance.results import RunResult
from arouter_conformance.traffic import Traffic

__all__ = [
    "ReportError",
    "ReportWriter",
    "check_writable",
    "har_data",
    "render_badge",
    "render_html",
    "render_junit",
    "render_markdown",
    "report_data",
    "write_badge",
    "write_har",
    "write_html",
    "write_json",
    "write_junit",
    "write_reports",
]


def write_reports(
    result: RunResult,
    paths: ReportPaths,
    redactor: Redactor,
    environ: Mapping[str, str] = os.environ,
    *,
    traffic: Traffic | None = None,
) -> dict[str, Any]:
    """Write every report the run asked for, and the CI step summary; return the data.
    `traffic` is what the HAR is written from (None: nothing was recorded)."""
    data = report_data(result, redactor)
    if paths.json:
        write_json(data, paths.json)
    if paths.html:
        write_html(data, paths.html)
    if paths.junit:
        write_junit(data, paths.junit)
    if paths.badge:
        write_badge(data, paths.badge)
    if paths.har:
        write_har(traffic.entries if traffic else (), redactor, paths.har)
    if environ.get(SUMMARY_ENV):
        append_markdown(data, Path(environ[SUMMARY_ENV]))
    return data


class ReportWriter(Observer):
    """The run's observer that writes its reports when it finishes, and keeps the report
    data for a front door's summary."""

    def __init__(self, paths: ReportPaths, environ: Mapping[str, str] = os.environ) -> None:
        self.paths = paths
        self.environ = environ
        self.result: RunResult | None = None
        self.data: dict[str, Any] | None = None

    def finished(self, result: RunResult, redactor: Redactor, traffic: Traffic | None) -> None:
        self.data = write_reports(result, self.paths, redactor, self.environ, traffic=traffic)
        self.result = result
