"""The `ecert` command line: one module per command group."""
