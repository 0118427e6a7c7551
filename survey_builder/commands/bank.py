"""``survey-builder bank``: browse the built-in item bank."""

from __future__ import annotations

import click


@click.command("bank")
@click.option("--dimension", default=None,
              help="Only this ASPECTS dimension: attitudes, social_values, "
                   "personal_interests, emotions, conscious_needs, traits.")
@click.option("--language", default="en", show_default=True,
              help="Language of the texts shown.")
@click.option("--format", "fmt", type=click.Choice(["table", "yaml"]), default="table",
              show_default=True, help="Readable table, or YAML to copy into a spec.")
def bank_command(dimension: str | None, language: str, fmt: str) -> None:
    """List the bank's ASPECTS scales (items, reverse keys, meaning) and layer modules.

    \b
    Examples:
      survey-builder bank --dimension traits
      survey-builder bank --language es --format yaml > scales.yaml
    """
    from ..bank import load_bank
    from ..errors import SurveyError
    from ..spec import text_for

    bank = load_bank()
    if language not in bank.languages():
        raise SurveyError(f"the item bank has no {language!r} texts (available: "
                          f"{', '.join(bank.languages())})", field="--language")
    scales = bank.list_scales(dimension)

    def t(text: dict[str, str] | None) -> str:
        return text_for(text, language, "en")

    if fmt == "yaml":
        import yaml

        data = [{"name": s.name, "dimension": s.dimension, "label": t(s.label),
                 "description": t(s.description), "high_score": t(s.high_score),
                 "points": s.points, "anchors": s.anchors,
                 "items": [{"name": i.name, "label": t(i.label),
                            **({"reverse_keyed": True} if i.reverse_keyed else {})}
                           for i in s.items]} for s in scales]
        click.echo(yaml.safe_dump({"scales": data}, sort_keys=False, allow_unicode=True,
                                  width=100), nl=False)
        return
    lines: list[str] = []
    current = None
    for scale in scales:
        if scale.dimension != current:
            current = scale.dimension
            lines.append(f"== {current} ==")
        lines.append(f"{scale.name} — {t(scale.label)} ({scale.points}-point, "
                     f"{len(scale.items)} items, {len(scale.reverse_keyed)} reverse-keyed)")
        lines.append(f"    measures:   {t(scale.description)}")
        lines.append(f"    high score: {t(scale.high_score)}")
        for item in scale.items:
            mark = "(R)" if item.reverse_keyed else "   "
            lines.append(f"    {item.name:<14} {mark} {t(item.label)}")
        lines.append("")
    if dimension is None:
        lines.append("== layer modules (survey-builder init --modules ...) ==")
        for name in bank.layer_modules():
            module = bank.module(name)
            names = [q["name"] for q in module.questions] or module.uses
            lines.append(f"{name:<14} {t(module.title)}: {', '.join(names)}")
    click.echo("\n".join(lines).rstrip("\n"))
