"""Python modules for the dialects in gimlet's IR that have no Python op classes.

The MLIR bindings wrap each op they hand to Python in its dialect's op class,
and look for that dialect's Python module first. They remember a module they
found, but not one they failed to find: for the `gimlet` ops and torch-mlir's
`torch` and `torch_c` ops they searched again for every op, 60-80 µs each
(2.3 of all-MiniLM-L6-v2's 2.4 s in gimlet's own passes, AVX2 EPYC). Found
here, each (empty) module is imported once and the ops stay generic OpViews.
`dialects/__init__.py` registers this package as a search prefix.
"""
