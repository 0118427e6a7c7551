"""``survey-builder validate``: check a spec and print a summary."""

from __future__ import annotations

from collections import Counter

import click


@click.command("validate")
@click.argument("spec", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when the spec is valid.")
def validate_command(spec: str, quiet: bool) -> None:
    """Check SPEC (YAML or JSON) and summarise it.

    Every problem is reported, one line each with file, line and field, exit code 2, e.g.
    ``survey.yaml:42 sections[1].questions[3].scale: unknown scale 'openess'``.

    \b
    Example:
      survey-builder validate survey.yaml
    """
    from ..codebook import build_codebook
    from ..errors import UserErrors
    from ..spec import load_survey, other_choice

    try:
        survey = load_survey(spec)
    except UserErrors as errors:
        for problem in errors.problems:
            click.echo(f"Error: {problem}", err=True)
        raise SystemExit(2) from None
    if quiet:
        return
    codebook = build_codebook(survey)
    questions = list(survey.iter_questions())
    types = Counter(q.type for q in questions)
    langs = ", ".join(f"{lang} (default)" if lang == survey.default_language else lang
                      for lang in survey.languages)
    lines = [
        f"{spec}: valid",
        f"  survey     {survey.id} (version {survey.version}) — {survey.text(survey.title)}",
        f"  languages  {langs}",
        f"  sections   {len(survey.sections)}: " + ", ".join(
            f"{s.name}{' (randomised)' if s.randomize else ''}" for s in survey.sections),
        f"  questions  {len(questions)} (" + ", ".join(
            f"{n} {t}" for t, n in sorted(types.items())) + f"); {survey.items_summary()}",
        f"  columns    {len(codebook['columns'])} in the response file (incl. respondent_id)",
        f"  length     about {survey.estimated_minutes():.0f} minutes (every question shown)",
        f"  scales     {len(survey.scales)}",
    ]
    for scale in survey.scales:
        scale_items = survey.scale_items(scale)
        reverse = sum(item.reverse_keyed for item in scale_items)
        where = scale.dimension or scale.layer or "-"
        lines.append(f"    {scale.name:<22} {where:<19} {len(scale_items)} items, "
                     f"{reverse} reverse-keyed")
    derived = []
    if survey.clv:
        derived.append(f"CLV ({survey.clv.currency})")
    if survey.journey:
        derived.append(f"journey stage ({survey.journey.question})")
    checks = survey.attention_checks()
    if checks:
        derived.append(f"{len(checks)} attention check{'s' if len(checks) > 1 else ''}")
    if derived:
        lines.append(f"  derived    {', '.join(derived)}")
    others = [q.name for q in questions if other_choice(q) is not None]
    dont_know = [q.name for q in questions if getattr(q, "dont_know", False)]
    if others or dont_know:
        parts = ([f"\"Other (specify)\" in {', '.join(others)}"] if others else []) + (
            [f"\"Don't know\" in {', '.join(dont_know)}"] if dont_know else [])
        lines.append(f"  options    {'; '.join(parts)}")
    click.echo("\n".join(lines))
