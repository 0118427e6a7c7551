"""The statistics of the report: weighted shares, their intervals, and tests of change.

The implementations are :mod:`dash_personas.stats` (shared with the segment profiles);
this module names the ones the report uses.

* Base size: Kish's effective sample size ``(Σw)² / Σw²`` (equals n without weights), so
  weighting widens intervals the way it widens the sampling variance.
* Interval of a share: Wilson's score interval on the effective base.
* Change between two waves: the two-sided two-proportion z-test with a pooled share on
  the effective bases. It treats the waves as independent samples; for panel members
  seen in both waves the true variance of the difference is smaller, so the test is
  conservative there.
* Several personas compared at once: Holm's step-down adjustment of the p-values
  (family-wise error at ``alpha`` across the personas of one comparison).
* Unfit share above the baseline's: the same z-test, one-sided (the baseline's share is
  an estimate too, so both samples' variance counts).
"""

from __future__ import annotations

from ..stats import (
    effective_base,
    holm,
    two_proportion_greater,
    two_proportion_test,
    wilson_interval,
)

__all__ = ["effective_base", "holm", "two_proportion_greater", "two_proportion_test",
           "wilson_interval"]
