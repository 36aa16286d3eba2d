"""Observe mode: judging the traffic someone else's client sent to a gateway.

`Observations` judges exchanges it is handed (by the reverse proxy, `arouter-conformance
proxy`, or read from a HAR file by `arouter-conformance judge`) with the kit's own checks,
and says at any time what the traffic so far shows.
"""

from arouter_conformance.observe.judge import NOT_OBSERVED, Observations

__all__ = ["NOT_OBSERVED", "Observations"]
