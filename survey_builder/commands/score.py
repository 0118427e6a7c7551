"""``survey-builder score``: scale scores, CLV, journey stage, flags and reliability."""

from __future__ import annotations

import click

INPUT_FORMATS = ("auto", "canonical", "odk", "surveyjs", "redcap")


@click.command("score")
@click.argument("spec", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("responses", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--out", "-o", default="-", show_default=True,
              type=click.Path(dir_okay=False, allow_dash=True),
              help="Scores CSV; '-' writes to standard output.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, allow_dash=True),
              default=None, help="Write the reliability report as JSON.")
@click.option("--report-table", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Write the readable reliability table to this file instead of standard "
                   "error.")
@click.option("--min-answered", type=click.FloatRange(min=0, min_open=True), default=0.5,
              show_default=True,
              help="Minimum answered items for a scale score: a fraction of the scale's items "
                   "(0.5 = half, rounded up) or a count (> 1). A scale's own min_answered in "
                   "the spec wins.")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), default="auto",
              show_default=True, help="Format of RESPONSES (auto-detected by default).")
@click.option("--encoding", default="utf-8", show_default=True,
              help="Text encoding of RESPONSES (e.g. latin-1, cp1252).")
@click.option("--ignore-extra-columns", is_flag=True,
              help="Drop columns the codebook does not know instead of failing.")
@click.option("--missing", type=click.Choice(["listwise", "pairwise"]), default="listwise",
              show_default=True, help="Missing-data handling for Cronbach's alpha.")
@click.option("--language", default=None,
              help="Language of the answer labels in the output (default: the survey's).")
@click.option("--codes", is_flag=True,
              help="Write option codes instead of labels for categorical answers.")
@click.option("--exclude-flagged", is_flag=True,
              help="Leave attention-check failures and straight-liners out of the "
                   "reliability statistics (they are still scored and flagged).")
@click.option("--straightline-items", type=click.IntRange(min=2), default=3, show_default=True,
              help="A Likert grid counts towards straight-lining when at least this many of "
                   "its items are answered (and is straight-lined when they are all equal).")
@click.option("--straightline-share", type=click.FloatRange(0, 1, min_open=True), default=0.5,
              show_default=True,
              help="Flag a straight-liner who straight-lined this share of their grids ...")
@click.option("--straightline-grids", type=click.IntRange(min=1), default=2, show_default=True,
              help="... and at least this many grids.")
@click.option("--straightline-run", type=click.IntRange(min=0), default=15, show_default=True,
              help="Or who gave this many equal Likert answers in a row (0: off).")
@click.option("--strict", is_flag=True,
              help="Refuse answers that break the questionnaire's rules (answered though "
                   "hidden, too many ticks, a rank given twice, a required answer missing) "
                   "instead of flagging them in breaks_spec.")
@click.option("--speeder-fraction", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=1 / 3, show_default="1/3",
              help="With interview times (started_at/ended_at): flag as speeder a "
                   "respondent faster than this share of the median length.")
@click.option("--maxdiff", type=click.Choice(["mnl", "counts"]), default="mnl",
              show_default=True,
              help="MaxDiff item scores (md_<question>__<item>): empirical-Bayes best-worst "
                   "logit utilities (mnl) or (best - worst) / times shown (counts).")
@click.option("--quiet", "-q", is_flag=True, help="Do not print the reliability table.")
def score_command(spec: str, responses: str, out: str, report_path: str | None,
                  report_table: str | None, min_answered: float, input_format: str,
                  encoding: str, ignore_extra_columns: bool, missing: str,
                  language: str | None, codes: bool, exclude_flagged: bool,
                  straightline_items: int, straightline_share: float, straightline_grids: int,
                  straightline_run: int, strict: bool, speeder_fraction: float,
                  quiet: bool, maxdiff: str = "mnl") -> None:
    """Score RESPONSES to SPEC: one row per respondent, ready for `dash-personas segment`.

    SPEC is the survey spec (or the codebook.json from `survey-builder build`). RESPONSES is
    the canonical CSV (as written by `simulate`), an ODK/KoboToolbox CSV export, a SurveyJS
    result JSON or a REDCap CSV export; '-' reads standard input.

    The output has the respondent id, one column per scale (mean of the answered items after
    reverse-keying; empty when fewer than --min-answered items were answered), clv (average
    purchase value x purchases per year x lifespan in years), journey_stage, the other
    single-choice answers as labels, <question>_nps (detractor / passive / promoter) per NPS
    question, md_<question>__<item> per MaxDiff item (--maxdiff), and the quality columns
    attention_failed,
    straightliner, breaks_spec (an answer breaks the questionnaire's rules; --strict
    refuses them), n_answered, straightlined_share (share of the Likert grids answered
    all alike) and longest_run (equal Likert answers in a row); when RESPONSES carry the
    interview times, interview_minutes and speeder (under --speeder-fraction of the
    median length). Beside --out goes its
    codebook (scores.csv -> scores.codebook.json), which `dash-personas` finds by itself
    for labels and answer order. Cronbach's alpha,
    corrected item-total correlations and alpha-if-deleted per scale go to --report (JSON)
    and as a table to standard error (or --report-table).

    Unreadable input (columns that do not match the codebook, out-of-range answers, a wrong
    encoding) is reported as one line with file, line and column; nothing is written.

    \b
    Examples:
      survey-builder score survey.yaml responses.csv --out scores.csv --report reliability.json
      survey-builder score build/codebook.json kobo_export.csv --out scores.csv
      survey-builder score survey.yaml results.json --input-format surveyjs --codes -o scores.csv
    """
    import json

    from ..atomic import write_text_atomic
    from ..codebook import load_codebook
    from ..errors import about_file
    from ..readers import read_responses
    from ..scores import write_scores
    from ..scoring import StraightlineRule, score_responses

    if spec == "-" and responses == "-":
        from ..errors import SurveyError

        raise SurveyError("SPEC and RESPONSES cannot both be read from standard input")
    codebook = load_codebook(spec)  # built once, used by the reader, the scorer and the file
    frame = read_responses(responses, codebook, input_format=input_format, encoding=encoding,
                           allow_extra_columns=ignore_extra_columns)
    with about_file(responses):
        result = score_responses(codebook, frame, min_answered=min_answered,
                                 missing=missing,  # type: ignore[arg-type]
                                 language=language, labels=not codes,
                                 reliability_exclude_flagged=exclude_flagged,
                                 straightline=StraightlineRule(
                                     min_items=straightline_items,
                                     min_share=straightline_share,
                                     min_grids=straightline_grids,
                                     min_run=straightline_run),
                                 strict=strict, speeder_fraction=speeder_fraction,
                                 maxdiff=maxdiff)  # type: ignore[arg-type]
    report_text = json.dumps(result.reliability, ensure_ascii=False, indent=2,
                             allow_nan=False) + "\n"
    table = result.table() + "\n"
    write_scores(result.scores, codebook, out, language=language)
    if report_path is not None:
        write_text_atomic(report_path, report_text)
    if report_table is not None:
        write_text_atomic(report_table, table)
    elif not quiet:
        click.echo(table, err=True, nl=False)
