"""The screener tests' shared fixture (defined in ``_screening.py``, a unique module name)."""

from _screening import screening  # noqa: F401
