"""The persona data model (pydantic) and its versioned JSON file format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from survey_builder.atomic import write_text_atomic
from survey_builder.errors import UserError

from ._avatar import avatar_data_uri, avatar_svg

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Behaviour",
    "CategoryShare",
    "FeatureDiff",
    "FeatureInfo",
    "Guidelines",
    "JourneyShare",
    "NetPromoterScore",
    "Persona",
    "PersonaSet",
    "ProfileStatistics",
    "ScaleScore",
    "load_personas",
    "save_personas",
]

FORMAT = "dash-personas-personas"
FORMAT_VERSION = 1

Scalar = float | int | str | bool | None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class _Tested(_Model):
    """Significance of a difference from the rest of the respondents, and its base.

    ``p_adjusted`` is corrected for every test of the profile (see
    :class:`ProfileStatistics`); ``significant`` is ``p_adjusted < alpha``;
    ``small_base`` says the (effective) base of the answers is too small to read.
    """

    p_value: float = 1.0
    p_adjusted: float = 1.0
    significant: bool = False
    small_base: bool = False


class ScaleScore(_Tested):
    """One psychometric (ASPECTS) scale: the segment's score against the population."""

    scale: str
    label: str
    dimension: str | None = None
    mean: float
    overall_mean: float
    std_diff: float = Field(description="(segment mean - overall mean) / overall SD")


class FeatureDiff(_Tested):
    """A numeric feature of the segment as a standardised difference from everyone."""

    feature: str
    label: str
    mean: float
    overall_mean: float
    std_diff: float


class CategoryShare(_Tested):
    """How common one answer is in the segment compared with everyone."""

    feature: str
    label: str
    level: str
    level_label: str
    share: float
    overall_share: float
    lift: float


class ProfileStatistics(_Model):
    """How the profiles were computed and tested (shown in legends).

    Attributes
    ----------
    weight : str or None
        The survey-weight column, when one was used by name.
    weighted : bool
        Whether the profiles are weighted (bases are then effective bases).
    correction : {"holm", "fdr_bh"}
        Multiple-comparison correction across all ``n_tests`` tests.
    alpha : float
        Significance level of the adjusted p-values.
    min_base : float
        (Effective) base under which a persona or answer is flagged ``small_base``.
    n_tests : int
    """

    weight: str | None = None
    weighted: bool = False
    correction: Literal["holm", "fdr_bh"] = "holm"
    alpha: float = Field(0.05, gt=0, lt=1)
    min_base: float = Field(30.0, ge=0)
    n_tests: int = Field(0, ge=0)


class JourneyShare(_Model):
    """Share of the segment at one customer-journey stage."""

    stage: str
    label: str
    share: float
    overall_share: float


class NetPromoterScore(_Model):
    """The segment's Net Promoter Score on one NPS question (promoters − detractors).

    Computed by :func:`survey_builder.scoring.nps_table` (the survey's one NPS rule).

    Attributes
    ----------
    feature : str
        The NPS group column of the scores (``<question>_nps``).
    label : str
        The question's label.
    score, overall : float
        The segment's and everyone's NPS (−100..100), weighted when the personas are.
    unweighted : float or None
        The segment's NPS without weights (only when weighted).
    promoters, passives, detractors : float
        Shares of the segment's answers (weighted), 0..1.
    base : int
        Respondents of the segment who answered.
    effective_base : float or None
        Kish's effective base of those answers (only when weighted).
    small_base : bool
        The (effective) base is under the profile's ``min_base``: do not read.
    """

    feature: str
    label: str
    score: float
    overall: float
    unweighted: float | None = None
    promoters: float = Field(ge=0.0, le=1.0)
    passives: float = Field(ge=0.0, le=1.0)
    detractors: float = Field(ge=0.0, le=1.0)
    base: int = Field(ge=0)
    effective_base: float | None = Field(None, ge=0)
    small_base: bool = False


class Behaviour(_Model):
    """What the segment does: how often and how much it buys, its value and channels.

    ``frequency`` is the segment's most common answer to the purchase-frequency question
    (``frequency_share`` of the segment, ``overall_frequency_share`` of everyone gave it);
    ``channel_shares`` the share using each channel, most used first.
    """

    frequency: str | None = None
    frequency_share: float | None = None
    overall_frequency_share: float | None = None
    spend: float | None = None
    overall_spend: float | None = None
    clv: float | None = None
    overall_clv: float | None = None
    currency: str | None = None
    channels: list[str] = Field(default_factory=list)
    channel_shares: list[CategoryShare] = Field(default_factory=list)


class Guidelines(_Model):
    """How to talk to the segment, with the rules that produced each line."""

    tone: str = ""
    channels: list[str] = Field(default_factory=list)
    do: list[str] = Field(default_factory=list)
    dont: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list, description="ids of the rules applied")
    dropped: list[str] = Field(default_factory=list,
                               description="rules left out because stronger advice contradicts "
                                           "them")


class Persona(_Model):
    """A segment told as a person.

    ``prototype`` is the segment's k-prototypes centre (numeric means, categorical
    modes, in original units): overrides are matched to personas through it.
    """

    id: str
    segment: int | str
    name: str
    tagline: str = ""
    quote: str = ""
    size: int = Field(ge=0)
    share: float = Field(ge=0.0, le=1.0)
    colour: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    aspects: list[ScaleScore] = Field(default_factory=list)
    motivations: list[str] = Field(default_factory=list)
    frustrations: list[str] = Field(default_factory=list)
    demographics: list[CategoryShare] = Field(default_factory=list)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    journey: list[JourneyShare] = Field(default_factory=list)
    nps: list[NetPromoterScore] = Field(default_factory=list)
    goals: list[str] = Field(default_factory=list)
    triggers: list[CategoryShare] = Field(default_factory=list)
    objections: list[str] = Field(default_factory=list)
    day_in_life: str = ""
    guidelines: Guidelines = Field(default_factory=Guidelines)
    profile: list[FeatureDiff] = Field(default_factory=list)
    categories: list[CategoryShare] = Field(default_factory=list)
    prototype: dict[str, Scalar] = Field(default_factory=dict)
    base: float | None = Field(None, ge=0, description="effective base (the size unweighted)")
    weighted: bool = False
    small_base: bool = Field(False, description="base under the profile's min_base")
    typical_rule: Literal["combination", "medoid", ""] = Field(
        "", description="how the demographics were chosen (see typical_people)")
    typical_share: float | None = Field(
        None, ge=0.0, le=1.0, description="share of the segment with exactly those answers")

    @property
    def initials(self) -> str:
        """Up to two initials of the name (for the avatar)."""
        words = [w for w in self.name.replace("-", " ").split() if w[:1].isalnum()]
        if not words:
            return "?"
        if len(words) == 1:
            return words[0][:1].upper()
        return (words[0][:1] + words[-1][:1]).upper()

    def avatar_svg(self, size: int = 96) -> str:
        """A locally generated SVG avatar: initials on a pattern in the persona's colour."""
        return avatar_svg(self.initials, self.colour, seed=self.id + self.name, size=size,
                          title=self.name)

    def _repr_html_(self) -> str:
        """Rich display in notebooks: the persona card (escaped, self-contained)."""
        from ._html import persona_card_html

        return persona_card_html(self)

    def avatar_data_uri(self, size: int = 96) -> str:
        """The avatar as a ``data:image/svg+xml`` URI (no external image)."""
        return avatar_data_uri(self.avatar_svg(size))


class FeatureInfo(_Model):
    """What a column is: readable label, kind and role (scale, clv, journey, ...)."""

    name: str
    label: str
    kind: Literal["numeric", "categorical"]
    role: str = "other"
    dimension: str | None = None
    levels: dict[str, str] = Field(default_factory=dict)

    def code_of(self, value: str) -> str:
        """The level code of ``value``, which may be a code or a label (scores carry labels)."""
        if value in self.levels:
            return value
        for code, label in self.levels.items():
            if label == value:
                return code
        return value

    def label_of(self, value: str) -> str:
        """The readable label of level ``value`` (a code or already a label)."""
        return self.levels.get(value, value)


class PersonaSet(_Model):
    """All personas of one segmentation, plus what the dashboard needs around them.

    Attributes
    ----------
    personas : list of Persona
        In display order (largest segment first); ``personas[i].colour`` is palette colour i.
    features : list of FeatureInfo
        The columns the segmentation used.
    matching : dict
        How rows are assigned to the nearest prototype (numeric ``scale`` per
        feature and categorical weight ``gamma``).
    selection : list of dict, optional
        The k-selection evidence (one row per candidate k) and ``recommended_k``.
    statistics : ProfileStatistics, optional
        Weights, test correction and small-base threshold of the profiles.
    """

    format: Literal["dash-personas-personas"] = FORMAT
    version: int = FORMAT_VERSION
    language: str = "en"
    n_respondents: int = 0
    personas: list[Persona]
    features: list[FeatureInfo] = Field(default_factory=list)
    matching: dict[str, Any] = Field(default_factory=dict)
    selection: dict[str, Any] | None = None
    statistics: ProfileStatistics | None = None

    def __len__(self) -> int:
        return len(self.personas)

    def _repr_html_(self) -> str:
        """Rich display in notebooks: cards and a comparison table, no server needed."""
        from ._html import personas_html

        return personas_html(self)

    def __iter__(self):  # type: ignore[override]
        return iter(self.personas)

    def __getitem__(self, key: int | str) -> Persona:
        if isinstance(key, str):
            for persona in self.personas:
                if persona.id == key:
                    return persona
            raise KeyError(key)
        return self.personas[key]

    def feature(self, name: str) -> FeatureInfo | None:
        """The :class:`FeatureInfo` of column ``name`` (``None`` if unknown)."""
        for info in self.features:
            if info.name == name:
                return info
        return None

    def to_json(self) -> str:
        """Serialise to the versioned JSON format."""
        return self.model_dump_json(indent=1)

    @classmethod
    def from_json(cls, text: str, source: str = "personas") -> PersonaSet:
        """Parse the JSON written by :meth:`to_json`; clear one-line errors otherwise."""
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"not valid JSON ({exc.msg} at line {exc.lineno})",
                            file=source) from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise UserError(f"not a dash-personas personas file (expected format {FORMAT!r})",
                            file=source)
        version = raw.get("version")
        if version != FORMAT_VERSION:
            raise UserError(f"personas file version {version!r} is not supported "
                            f"(this dash-personas reads version {FORMAT_VERSION})", file=source)
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise UserError(f"invalid personas file at {where}: {first['msg']}",
                            file=source) from None


def save_personas(personas: PersonaSet, path: str | Path) -> None:
    """Write ``personas`` as versioned JSON, atomically.

    Parameters
    ----------
    personas : PersonaSet
    path : path-like
    """
    write_text_atomic(path, personas.to_json() + "\n")


def load_personas(path: str | Path) -> PersonaSet:
    """Read a personas file written by :func:`save_personas`.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    PersonaSet

    Raises
    ------
    UserError
        Missing or unreadable file (a directory, no permission, not UTF-8), wrong format
        or version, or invalid content (one line naming the file).
    """
    from ..segmentation._persistence import read_model_text

    return PersonaSet.from_json(read_model_text(path, "personas file"), source=str(path))
