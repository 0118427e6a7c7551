"""Save and load fitted models as versioned, checksummed JSON (never pickle).

File layout::

    {
      "format": "dash-personas/kprototypes",
      "format_version": "1.0",
      "library_version": "0.1.0",
      "created": "2026-11-24T10:00:00Z",
      "sha256": "<hash of the canonical JSON of 'model'>",
      "model": {"params": ..., "encoder": ..., "centers": ..., "fitted": ...}
    }

A file whose major ``format_version`` differs from this library's, or whose
``model`` no longer matches its ``sha256`` (edited by hand, truncated, tampered
with), is refused with a clear error.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from survey_builder import __version__
from survey_builder.atomic import write_text_atomic
from survey_builder.errors import UserError

from ._encoding import MixedEncoder
from ._kernels import KPrototypesDistance, Prototypes
from ._levels import UnsavableLevelError

FORMAT = "dash-personas/kprototypes"
# 1.1: category levels without a JSON type are stored type-tagged (``_levels``);
# 1.0 files (plain levels) load unchanged
FORMAT_VERSION = "1.1"

_SAVED_PARAMS = ("n_clusters", "categorical", "gamma", "weights", "n_init", "max_iter", "tol",
                 "scale", "random_state", "n_jobs", "verbose")


class ModelFileError(UserError):
    """A model file cannot be used (wrong format, other major version, tampered)."""


def _canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def model_to_dict(model: Any) -> dict[str, Any]:
    """The JSON document for a fitted :class:`KPrototypes`."""
    params = {}
    for name in _SAVED_PARAMS:
        value = getattr(model, name)
        if name == "random_state" and not (value is None or isinstance(value, int)):
            value = None  # a RandomState object cannot be stored; the fit is stored anyway
        params[name] = _jsonable(value)
    init = model.init
    params["init"] = init if isinstance(init, str) else "explicit"
    encoder = model.encoder_
    zero_weight = [name for name, weight in zip(encoder.numeric_features_,
                                                encoder.numeric_weights_) if weight == 0]
    body = {
        "params": params,
        "encoder": _jsonable(encoder.to_dict()),
        "centers": {
            "numeric": model.prototypes_.numeric.tolist(),
            "categorical": model.prototypes_.categorical.tolist(),
            # segment means of numeric features weighted 0 (display only): the
            # encoding cannot carry them, so only cluster_centers_ holds them
            "zero_weight_means": (model.cluster_centers_[zero_weight].to_numpy(np.float64)
                                  .tolist() if zero_weight else None),
        },
        "fitted": {
            "gamma": model.gamma_,
            "cost": model.cost_,
            "n_iter": model.n_iter_,
            "cost_history": list(model.cost_history_),
            # a loaded model has no labels_, only the sizes it was saved with
            "n_samples": int(np.sum(model.cluster_sizes_)),
            "cluster_sizes": np.asarray(model.cluster_sizes_, dtype=np.int64).tolist(),
        },
    }
    weight_column = getattr(model, "weight_column_", None)
    if weight_column:  # the survey-weight column the fit used (the personas reuse it)
        body["fitted"]["weight_column"] = str(weight_column)
    cluster_weights = getattr(model, "cluster_weights_", None)
    if cluster_weights is not None and not np.array_equal(cluster_weights,
                                                          model.cluster_sizes_):
        # weighted fits only, so unweighted models are written as before
        body["fitted"]["cluster_weights"] = np.asarray(cluster_weights,
                                                       dtype=np.float64).tolist()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sha256": hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest(),
        "model": body,
    }


def model_to_text(model: Any) -> str:
    """The versioned, checksummed JSON text of a fitted ``model``."""
    if not hasattr(model, "cost_"):
        raise UserError("only a fitted model can be saved; call fit() first")
    return json.dumps(model_to_dict(model), indent=1, ensure_ascii=False,
                      allow_nan=False) + "\n"


def save_model(model: Any, path: str | Path) -> None:
    """Write ``model`` to ``path`` as JSON, atomically."""
    write_text_atomic(path, model_to_text(model))


def model_from_text(cls: type, text: str, source: str = "model") -> Any:
    """Rebuild a fitted model from the JSON text written by :func:`model_to_text`.

    Raises
    ------
    ModelFileError
        Not JSON, not a model, another major format version, or contents that no
        longer match the checksum.
    """
    return model_from_dict(cls, parse_json(text, source, "model file"), source=source)


def parse_json(text: str, source: str, kind: str) -> Any:
    """The JSON document in ``text``; NaN and Infinity (not JSON) are refused too.

    Raises
    ------
    ModelFileError
        Naming ``source`` and the line of the first problem.
    """
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not a JSON value")

    try:
        return json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"not a valid {kind} (JSON error at line {exc.lineno}: "
                             f"{exc.msg})", file=source) from None
    except ValueError as exc:
        raise ModelFileError(f"not a valid {kind} ({exc})", file=source) from None


def load_model(cls: type, path: str | Path) -> Any:
    """Read a model written by :func:`save_model`.

    Raises
    ------
    ModelFileError
        Not UTF-8 JSON, not a model file, another major format version, or contents that
        no longer match the checksum.
    """
    return model_from_text(cls, read_model_text(path, "model file"), source=str(path))


def read_model_text(path: str | Path, kind: str) -> str:
    """The UTF-8 text of the ``kind`` file at ``path``.

    Raises
    ------
    ModelFileError
        The file cannot be read (missing, a directory, no permission) or is not
        UTF-8 text; the message names the path.
    """
    path = Path(path)
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFileError(f"not a {kind} (not UTF-8 text at byte {exc.start})",
                             file=str(path)) from None
    except FileNotFoundError:
        raise ModelFileError(f"no such {kind}", file=str(path)) from None
    except OSError as exc:
        raise ModelFileError(f"cannot read the {kind} ({exc.strerror or exc})",
                             file=str(path)) from None


def model_from_dict(cls: type, document: Any, source: str = "model") -> Any:
    """Rebuild a fitted model from the document produced by :func:`model_to_dict`."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError("not a dash-personas k-prototypes model file", file=source)
    version = str(document.get("format_version", ""))
    major = version.split(".")[0]
    if major != FORMAT_VERSION.split(".")[0]:
        raise ModelFileError(
            f"model format version {version or '?'} is not supported by "
            f"dash-personas {__version__} (reads {FORMAT_VERSION.split('.')[0]}.x); "
            "re-fit the model or use a matching dash-personas version", file=source
        )
    body = document.get("model")
    expected = document.get("sha256")
    if not isinstance(body, dict) or hashlib.sha256(
        _canonical(body).encode("utf-8")
    ).hexdigest() != expected:
        raise ModelFileError(
            "the model contents do not match their checksum "
            "(the file was modified or damaged); re-fit or restore the original file",
            file=source
        )
    try:
        params = dict(body["params"])
        init = params.pop("init")
        model = cls(**params)
        model.init = init if init != "explicit" else "k-prototypes++"
        encoder = MixedEncoder.from_dict(body["encoder"])
        centers = body["centers"]
        k = int(params["n_clusters"])
        numeric = np.asarray(centers["numeric"], dtype=np.float64).reshape(
            k, len(encoder.numeric_features_))
        categorical = np.asarray(centers["categorical"], dtype=np.int32).reshape(
            k, len(encoder.categorical_features_))
        prototypes = Prototypes(numeric, categorical)
        zero_weight_means = centers.get("zero_weight_means")
        if zero_weight_means is not None:
            zero_weight_means = np.asarray(zero_weight_means, dtype=np.float64)
        fitted = body["fitted"]
        model.encoder_ = encoder
        model.prototypes_ = prototypes
        model.gamma_ = float(fitted["gamma"])
        model.distance_ = KPrototypesDistance.from_encoder(encoder, model.gamma_)
        model.cost_ = float(fitted["cost"])
        model.n_iter_ = int(fitted["n_iter"])
        model.cost_history_ = [float(c) for c in fitted["cost_history"]]
        model.n_features_in_ = len(encoder.feature_names_in_)
        if encoder.input_is_frame_:
            model.feature_names_in_ = np.asarray(encoder.feature_names_in_, dtype=object)
        model.numeric_features_ = list(encoder.numeric_features_)
        model.categorical_features_ = list(encoder.categorical_features_)
        model.cluster_sizes_ = np.asarray(fitted["cluster_sizes"], dtype=np.int64)
        model.weight_column_ = fitted.get("weight_column")
        # files written before weighted sizes were saved: their rows had weight 1
        model.cluster_weights_ = np.asarray(fitted.get("cluster_weights", fitted["cluster_sizes"]),
                                            dtype=np.float64)
        model.cluster_centers_ = encoder.decode_prototypes(numeric, categorical,
                                                           zero_weight_means)
        model._n_features_out = k
    except (KeyError, TypeError, ValueError, AttributeError, UnsavableLevelError) as exc:
        raise ModelFileError(f"incomplete model file ({exc})", file=source) from None
    return model
