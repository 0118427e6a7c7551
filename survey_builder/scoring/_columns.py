"""Names of the columns that scoring derives (the id and answer columns come from the codebook)."""

from __future__ import annotations

#: Output column holding customer lifetime value.
CLV_COLUMN = "clv"
#: Output column holding the customer-journey stage.
JOURNEY_COLUMN = "journey_stage"
#: Data-quality flag columns.
FLAG_COLUMNS = ("attention_failed", "straightliner")
#: Output column counting answered questions.
N_ANSWERED_COLUMN = "n_answered"
#: Suffix of a carried-through answer whose name an earlier output column already took.
ANSWER_SUFFIX = "_answer"
