"""Checks: plain functions from observations (exchanges, parsed answers) to findings.

One module per area. A check never raises on what the target sends and never makes a
request; the suites fetch, the checks judge. That keeps every check testable with
hand-made exchanges and lets the same check judge an answer from any source.
"""
