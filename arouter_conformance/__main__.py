"""`python -m arouter_conformance`: the same as the `arouter-conformance` command."""

import sys

from arouter_conformance.cli import main

sys.exit(main())
