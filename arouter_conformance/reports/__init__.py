"""Report writers. Each takes the run's result and writes one format; all of them go
through the run's redactor, so no writer can forget to remove a key."""

from __future__ import annotations

from arouter_conformance.config import RunConfig
from arouter_conformance.redact import Redactor
from arouter_conformance.reports.html_report import write_html
from arouter_conformance.reports.json_report import report_data, write_json
from arouter_conformance.reports.junit_report import write_junit
from arouter_conformance.results import RunResult

__all__ = ["report_data", "write_html", "write_json", "write_junit", "write_reports"]


def write_reports(result: RunResult, config: RunConfig, redactor: Redactor) -> None:
    data = report_data(result, redactor)
    if config.report_json:
        write_json(data, config.report_json)
    if config.report_html:
        write_html(data, config.report_html)
    if config.report_junit:
        write_junit(data, config.report_junit)
