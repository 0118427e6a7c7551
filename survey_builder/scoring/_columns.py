"""Names of the columns that scoring derives (the id and answer columns come from the codebook)."""

from __future__ import annotations

#: Output column holding customer lifetime value.
CLV_COLUMN = "clv"
#: Output column holding the customer-journey stage.
JOURNEY_COLUMN = "journey_stage"
#: Flag: a wrong answer to an attention check.
ATTENTION_FAILED_COLUMN = "attention_failed"
#: Flag: the same answer to every item of a block.
STRAIGHTLINER_COLUMN = "straightliner"
#: Data-quality flag columns.
FLAG_COLUMNS = (ATTENTION_FAILED_COLUMN, STRAIGHTLINER_COLUMN)
#: Output column counting answered questions.
N_ANSWERED_COLUMN = "n_answered"
#: Suffix of a carried-through answer whose name an earlier output column already took.
ANSWER_SUFFIX = "_answer"
