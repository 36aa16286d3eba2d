"""The conformance suites: thin pytest modules, each test marked with its requirement ids."""
