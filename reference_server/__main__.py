"""`python -m reference_server`: the same flags as `arouter-conformance serve`."""

from reference_server.cli import main

raise SystemExit(main())
