"""Turn mixed tabular input into the arrays the k-prototypes kernels work on.

The encoder learns, at ``fit`` time, which columns are numeric and which are
categorical, the levels of each categorical column, the standardisation of each
numeric column and the per-feature weights. It then encodes any frame with the
same columns into an :class:`EncodedData`:

* ``numeric``: float64 ``(n, p_num)`` holding ``(x - mean) / std * sqrt(weight)``;
  missing values are 0 and flagged in ``numeric_mask``.
* ``categorical``: int32 ``(n, p_cat)`` level codes; ``MISSING`` (-1) for a missing
  value and ``UNSEEN`` (-2) for a level never seen during ``fit``.
* ``row_scale``: the factor ``total feature weight / observed feature weight`` that
  rescales a distance computed on the observed features of a row to the full count.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from survey_builder.errors import UserError

from ._levels import UnsavableLevelError, level_from_json, level_to_json

MISSING = -1
UNSEEN = -2


class LevelTypeError(UserError, TypeError):
    """A categorical value that cannot be a level (a list, a dict: not hashable).

    A :class:`UserError` (one line in the CLIs) and a ``TypeError``, as scikit-learn's
    estimator checks expect for such values.
    """


@dataclass
class EncodedData:
    """Encoded input: scaled numerics, categorical codes and missing-value bookkeeping."""

    numeric: np.ndarray
    numeric_mask: np.ndarray | None
    categorical: np.ndarray
    row_scale: np.ndarray | None
    sample_weight: np.ndarray | None = None
    row_hash: np.ndarray | None = None

    @property
    def n_samples(self) -> int:
        return int(self.numeric.shape[0])

    @property
    def has_missing(self) -> bool:
        return self.row_scale is not None

    def row_hashes(self) -> np.ndarray:
        """A 64-bit hash of each row's content (values, codes and which values are missing).

        Equal rows get equal hashes wherever they are, so sorting by it puts repeated
        rows next to each other in an order that does not depend on the row order.
        The encoder hashes the rows it fits on before scaling (``row_hash``): scaling
        by a weighted or an unweighted standard deviation can differ in the last bit.
        """
        if self.row_hash is not None:
            return self.row_hash
        return hash_rows(self.numeric, self.numeric_mask, self.categorical)

    def take(self, rows: np.ndarray) -> EncodedData:
        """Return the subset of rows ``rows`` (used by bootstraps and samples)."""
        return EncodedData(
            numeric=self.numeric[rows],
            numeric_mask=None if self.numeric_mask is None else self.numeric_mask[rows],
            categorical=self.categorical[rows],
            row_scale=None if self.row_scale is None else self.row_scale[rows],
            sample_weight=None if self.sample_weight is None else self.sample_weight[rows],
            row_hash=None if self.row_hash is None else self.row_hash[rows],
        )


def hash_rows(numeric: np.ndarray, numeric_mask: np.ndarray | None,
              categorical: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """64-bit hash of each row of a numeric block (NaN allowed) and a code block.

    ``start`` continues the hash of other columns of the same rows.
    """
    hashes = (np.full(numeric.shape[0], 0x243F6A8885A308D3, dtype=np.uint64)
              if start is None else start.copy())
    if numeric_mask is not None or np.isnan(numeric).any():
        observed = ~np.isnan(numeric) if numeric_mask is None else numeric_mask
        numeric = np.where(observed, numeric, 0.0)
    else:
        observed = None
    numeric = numeric + 0.0  # -0.0 and 0.0 are the same value
    columns = [numeric[:, j].view(np.uint64) for j in range(numeric.shape[1])]
    columns += [categorical[:, j].astype(np.int64).view(np.uint64)
                for j in range(categorical.shape[1])]
    if observed is not None:
        columns += [observed[:, j].astype(np.uint64) for j in range(observed.shape[1])]
    for column in columns:  # splitmix64-style mixing, one column at a time
        hashes ^= column
        hashes *= np.uint64(0x9E3779B97F4A7C15)
        hashes ^= hashes >> np.uint64(31)
    return hashes


def _is_categorical_dtype(series: pd.Series) -> bool:
    dtype = series.dtype
    return bool(
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def _python_scalar(value: Any) -> Any:
    """Numpy scalars to plain Python (JSON-friendly), leave others alone."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass
class MixedEncoder:
    """Learn and apply the numeric/categorical encoding of a mixed table.

    Parameters
    ----------
    categorical : "auto", sequence of str or int, or None
        Which columns are categorical. ``"auto"`` uses the dtype (object, string,
        category and bool columns are categorical). A sequence names columns (for a
        DataFrame) or gives positions (DataFrame or array). ``None`` or ``[]`` means
        all columns are numeric.
    scale : bool
        Standardise numeric columns to zero mean and unit variance.
    weights : mapping or sequence of float, optional
        Per-feature weights, by column name or in column order.
    """

    categorical: Any = "auto"
    scale: bool = True
    weights: Any = None

    feature_names_in_: list[str] = field(default_factory=list)
    input_is_frame_: bool = True
    numeric_features_: list[str] = field(default_factory=list)
    categorical_features_: list[str] = field(default_factory=list)
    ordered_levels_: dict[str, list[Any]] = field(default_factory=dict)
    levels_: list[list[Any]] = field(default_factory=list)
    mean_: np.ndarray = field(default_factory=lambda: np.zeros(0))
    std_: np.ndarray = field(default_factory=lambda: np.ones(0))
    numeric_weights_: np.ndarray = field(default_factory=lambda: np.ones(0))
    categorical_weights_: np.ndarray = field(default_factory=lambda: np.ones(0))

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, sample_weight: Any = None) -> MixedEncoder:
        frame = self._as_frame(X, fitting=True)
        if frame.shape[0] == 0:
            raise UserError(f"cannot segment empty data: found array with 0 sample(s) "
                             f"(shape={frame.shape}) while a minimum of 1 is required.")
        if frame.shape[1] == 0:
            raise UserError(f"cannot segment data with no columns: found array with "
                             f"0 feature(s) (shape={frame.shape}) while a minimum of 1 is "
                             "required.")
        categorical = self._resolve_categorical(frame)
        self.numeric_features_ = [c for c in self.feature_names_in_ if c not in categorical]
        self.categorical_features_ = [c for c in self.feature_names_in_ if c in categorical]
        self.ordered_levels_ = {}
        numeric_block = self._fit_numeric = self._numeric_values(frame)
        all_missing = [c for c, col in zip(self.numeric_features_, numeric_block.T)
                       if np.isnan(col).all()]
        if all_missing:
            raise UserError(
                f"column {all_missing[0]!r} is entirely missing; drop it or fill it in"
                + (f" (also: {', '.join(map(repr, all_missing[1:]))})" if len(all_missing) > 1
                   else "")
            )
        weight = _check_sample_weight(sample_weight, frame.shape[0])
        if weight is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                self.mean_ = (np.nanmean(numeric_block, axis=0) if numeric_block.size
                              else np.zeros(0))
                std = np.nanstd(numeric_block, axis=0) if numeric_block.size else np.ones(0)
        else:
            # weighted like repeated rows (a row of weight 3 counts three times)
            self.mean_, std = _weighted_mean_std(numeric_block, weight)
        _check_finite_spread(self.numeric_features_, numeric_block, self.mean_, std)
        if not self.scale:
            self.mean_ = np.zeros(len(self.numeric_features_))
            std = np.ones(len(self.numeric_features_))
        self.std_ = np.where(std > 0, std, 1.0)
        self.levels_ = []
        self._fit_codes: list[np.ndarray] = []
        for name in self.categorical_features_:
            levels, codes = _factorize(frame[name])
            self.levels_.append(levels)
            self._fit_codes.append(codes)
        empty = [name for name, levels in zip(self.categorical_features_, self.levels_)
                 if not levels]
        if empty:
            raise UserError(f"column {empty[0]!r} is entirely missing; drop it or fill it in")
        self._warn_surprising_columns(object_columns=_object_columns(
            frame, self.categorical_features_))
        self._resolve_weights()
        return self

    def _warn_surprising_columns(self, ids: list[str] | None = None,
                                 object_columns: Sequence[str] = ()) -> None:
        """Warn about fits that run but rarely mean what the analyst wanted.

        ``ids`` names the identifier-like columns when the caller has worked them out
        (a distributed fit, from level counts); by default they come from the codes.
        ``object_columns`` are the categorical columns of object dtype (whose levels
        may turn out to be numbers only).
        """
        numbers = [name for name in object_columns if self.categorical == "auto"
                   and _only_numbers(self.levels_[self.categorical_features_.index(name)])]
        if numbers:
            warnings.warn(
                f"column(s) {_name_list(numbers)} hold only numbers but have dtype object, so "
                "they are used as categorical (every distinct value a level); to segment "
                "them as numbers convert them first (X[columns] = X[columns].apply("
                "pd.to_numeric)), to keep them categorical say so (categorical=[...] or "
                ".astype('category'))",
                UserWarning, stacklevel=4,
            )
        if (self.categorical_features_ and not self.numeric_features_
                and not self.input_is_frame_ and isinstance(self.categorical, str)):
            warnings.warn(
                "every column of the array is used as categorical because the array holds "
                f"text (columns {_name_list(self.categorical_features_)}); pass a DataFrame "
                "with numeric dtypes, or categorical= to say which columns are categorical",
                UserWarning, stacklevel=4,
            )
        fitted_numeric = getattr(self, "_fit_numeric", None)  # absent on Dask partitions
        numeric_ids = [] if ids is not None or fitted_numeric is None else [
            name for j, name in enumerate(self.numeric_features_)
            if _looks_like_numeric_id(fitted_numeric[:, j])]
        if numeric_ids:
            warnings.warn(
                f"numeric column(s) {_name_list(numeric_ids)} look like identifiers (a "
                "different whole number on every row, in order or a run 1..n); they "
                "cannot define segments: drop them from the segmentation columns",
                UserWarning, stacklevel=4,
            )
        if ids is None:
            ids = [name for name, codes in zip(self.categorical_features_, self._fit_codes)
                   if _looks_like_id(codes)]
        if ids:
            detail = ", ".join(
                f"{name!r} ({len(self.levels_[self.categorical_features_.index(name)]):,} "
                "levels)" for name in ids[:5])
            warnings.warn(
                f"column(s) {detail} look like identifiers (almost one level per row); "
                "they cannot define segments: drop them from the segmentation columns",
                UserWarning, stacklevel=4,
            )

    def fit_transform(self, X: Any, *, sample_weight: Any = None) -> EncodedData:
        """Fit and encode ``X`` in one pass over the categorical columns."""
        self.fit(X, sample_weight=sample_weight)
        try:
            numeric, self._fit_numeric = self._fit_numeric, None
            return self.transform(X, sample_weight=sample_weight, _codes=self._fit_codes,
                                  _numeric=numeric)
        finally:
            del self._fit_codes, self._fit_numeric

    def _as_frame(self, X: Any, *, fitting: bool) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            frame = X
            if fitting:
                self.input_is_frame_ = True
                self.feature_names_in_ = [str(c) for c in frame.columns]
                if len(set(self.feature_names_in_)) != len(self.feature_names_in_):
                    raise UserError("column names must be unique")
            frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
            return frame
        if isinstance(X, pd.Series):
            raise UserError("expected a 2-D table (DataFrame or array), got a Series")
        array = np.asarray(X) if not hasattr(X, "toarray") else None
        if array is None:
            raise TypeError("sparse input is not supported; pass a dense array or DataFrame")
        if array.ndim != 2:
            raise UserError(
                f"Expected 2D array, got an array with shape {array.shape} instead. Reshape "
                "your data either using array.reshape(-1, 1) if your data has a single "
                "feature or array.reshape(1, -1) if it contains a single sample."
            )
        if array.dtype.kind == "c":
            raise UserError("Complex data not supported")
        if fitting:
            self.input_is_frame_ = False
            self.feature_names_in_ = [str(i) for i in range(array.shape[1])]
        columns = [str(i) for i in range(array.shape[1])]
        if array.dtype.kind in "biuf":
            return pd.DataFrame(array, columns=columns, copy=False)
        return pd.DataFrame({c: array[:, i] for i, c in enumerate(columns)})

    def _resolve_categorical(self, frame: pd.DataFrame) -> set[str]:
        spec = self.categorical
        names = self.feature_names_in_
        if isinstance(spec, str):
            if spec != "auto":
                raise UserError(
                    f"categorical must be 'auto', a list of columns or None, got {spec!r}"
                )
            # date/time columns are left numeric, where they get a clear error
            if not self.input_is_frame_:
                # kmodes-compatible: arrays are numeric unless told otherwise, but a
                # non-numeric array column can only be categorical.
                return {c for c in names
                        if not _looks_numeric(frame[c]) and not _is_datetime_like(frame[c])}
            return {c for c in names if _is_categorical_dtype(frame[c])}
        if spec is None:
            return set()
        if isinstance(spec, (int, np.integer)):
            spec = [spec]
        chosen: set[str] = set()
        for item in spec:
            if isinstance(item, (bool, np.bool_)):
                raise UserError("categorical= takes column names or positions, not booleans")
            if isinstance(item, (int, np.integer)):
                if not -len(names) <= int(item) < len(names):
                    raise UserError(
                        f"categorical column position {int(item)} is out of range for "
                        f"{len(names)} columns"
                    )
                chosen.add(names[int(item)])
            elif str(item) in names:
                chosen.add(str(item))
            else:
                raise UserError(f"unknown column {item!r} in categorical=; columns are {names}")
        return chosen

    def _numeric_values(self, frame: pd.DataFrame) -> np.ndarray:
        """Numeric columns as a float64 (n, p_num) array with NaN for missing."""
        n = frame.shape[0]
        block = np.empty((n, len(self.numeric_features_)), dtype=np.float64)
        for j, name in enumerate(self.numeric_features_):
            column = frame[name]
            fitted_levels = self.ordered_levels_.get(name)
            if fitted_levels is not None and not pd.api.types.is_numeric_dtype(column.dtype):
                block[:, j] = self._fitted_ranks(name, column, fitted_levels)
                continue
            if isinstance(column.dtype, pd.CategoricalDtype):
                if not column.cat.ordered:
                    raise UserError(
                        f"column {name!r} is an unordered categorical; list it in "
                        "categorical= or make it ordered to use it as numeric"
                    )
                levels = self.ordered_levels_.setdefault(name, column.cat.categories.tolist())
                block[:, j] = self._fitted_ranks(name, column, levels)
                continue
            if pd.api.types.is_bool_dtype(column.dtype):
                block[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
                continue
            if _is_datetime_like(column):
                raise UserError(_datetime_message(name, column))
            if pd.api.types.is_complex_dtype(column.dtype):
                raise UserError(f"column {name!r} holds complex numbers; use a real number "
                                f"such as its real part (X[{name!r}].real) or magnitude")
            try:
                block[:, j] = pd.to_numeric(column, errors="raise").to_numpy(
                    dtype=np.float64, na_value=np.nan
                )
            except (ValueError, TypeError) as exc:
                if pd.api.types.infer_dtype(column, skipna=True) in _DATETIME_INFERRED:
                    raise UserError(_datetime_message(name, column)) from None
                raise UserError(
                    f"column {name!r} is treated as numeric but holds non-numeric values "
                    f"({exc}); list it in categorical="
                ) from None
        if np.isinf(block).any():
            bad = self.numeric_features_[int(np.flatnonzero(np.isinf(block).any(axis=0))[0])]
            raise UserError(f"column {bad!r} contains infinite values")
        return block

    @staticmethod
    def _fitted_ranks(name: str, column: pd.Series, levels: list[Any]) -> np.ndarray:
        """Ranks 1..L of an ordered feature by the levels seen at fit time.

        New data may carry the levels in another category order, as a subset, or as
        plain text (a typing-tool form): the rank is always the fitted level's. A level
        never seen during fit has no rank and is missing, with a warning.
        """
        if isinstance(column.dtype, pd.CategoricalDtype) and list(
                column.cat.categories) == list(levels):
            codes = column.cat.codes.to_numpy()
        else:
            codes = pd.Index(levels).get_indexer(column.astype(object))
            unseen = (codes < 0) & column.notna().to_numpy()
            if unseen.any():
                warnings.warn(
                    f"level {column[unseen].iloc[0]!r} of the ordered column {name!r} was "
                    "never seen during fit; it has no rank and counts as missing",
                    UserWarning, stacklevel=4)
        ranks = codes.astype(np.float64) + 1.0
        ranks[codes < 0] = np.nan
        return ranks

    def _resolve_weights(self) -> None:
        weights = self.weights
        n_num, n_cat = len(self.numeric_features_), len(self.categorical_features_)
        if weights is None:
            self.numeric_weights_ = np.ones(n_num)
            self.categorical_weights_ = np.ones(n_cat)
            return
        if isinstance(weights, dict):
            unknown = [k for k in weights if str(k) not in self.feature_names_in_]
            if unknown:
                raise UserError(f"unknown column {unknown[0]!r} in weights=")
            by_name = {str(k): float(v) for k, v in weights.items()}
        else:
            values = np.asarray(weights, dtype=np.float64).ravel()
            if values.size != len(self.feature_names_in_):
                raise UserError(
                    f"weights= has {values.size} values for {len(self.feature_names_in_)} columns"
                )
            by_name = dict(zip(self.feature_names_in_, values.tolist()))
        for name, value in by_name.items():
            if not np.isfinite(value) or value < 0:
                raise UserError(f"weight for column {name!r} must be a finite number >= 0")
        self.numeric_weights_ = np.array([by_name.get(c, 1.0) for c in self.numeric_features_])
        self.categorical_weights_ = np.array(
            [by_name.get(c, 1.0) for c in self.categorical_features_]
        )
        if self.numeric_weights_.sum() + self.categorical_weights_.sum() <= 0:
            raise UserError("at least one feature must have a positive weight")

    # ------------------------------------------------------------ transform
    def transform(self, X: Any, *, sample_weight: Any = None, warn_unseen: bool = True,
                  hash_rows_unscaled: bool = False, _codes: list[np.ndarray] | None = None,
                  _numeric: np.ndarray | None = None) -> EncodedData:
        frame = self._as_frame(X, fitting=False)
        self._check_columns(frame)
        n = frame.shape[0]
        if n == 0:
            raise UserError("the input has no rows")
        # scale in place: the block is freshly built (or the fit-time cache), never user data
        numeric = self._numeric_values(frame) if _numeric is None else _numeric
        mask = ~np.isnan(numeric)
        # the rows being fitted are hashed unscaled (see EncodedData.row_hashes)
        # (features weighted 0 play no part in the distance, so not in the hash either)
        row_hash = (hash_rows(_used(numeric, self.numeric_weights_), None,
                              np.empty((n, 0), dtype=np.int32))
                    if _codes is not None or hash_rows_unscaled else None)
        numeric -= self.mean_
        numeric /= self.std_
        numeric *= np.sqrt(self.numeric_weights_)
        self._check_comparable(numeric, mask)
        has_numeric_missing = not mask.all()
        if has_numeric_missing:
            numeric[~mask] = 0.0
        categorical = np.empty((n, len(self.categorical_features_)), dtype=np.int32)
        unseen_columns: list[str] = []
        for j, name in enumerate(self.categorical_features_):
            if _codes is not None:
                categorical[:, j] = _codes[j]
                continue
            codes = _lookup_codes(frame[name], self.levels_[j])
            if (codes == UNSEEN).any():
                unseen_columns.append(name)
            categorical[:, j] = codes
        if unseen_columns and warn_unseen:
            warnings.warn(
                "categories never seen during fit count as mismatches in column(s) "
                + ", ".join(map(repr, unseen_columns)),
                UserWarning,
                stacklevel=3,
            )
        cat_observed = categorical != MISSING
        row_scale = None
        if has_numeric_missing or not cat_observed.all():
            total = self.numeric_weights_.sum() + self.categorical_weights_.sum()
            observed = mask @ self.numeric_weights_ + cat_observed @ self.categorical_weights_
            if (observed <= 0).any():
                row = int(np.flatnonzero(observed <= 0)[0])
                raise UserError(
                    f"row {row} has no observed values in the segmentation columns; "
                    "drop rows that are entirely missing"
                )
            row_scale = total / observed
        weight = _check_sample_weight(sample_weight, n)
        return EncodedData(
            numeric=np.ascontiguousarray(numeric),
            numeric_mask=mask if has_numeric_missing else None,
            categorical=categorical,
            row_scale=row_scale,
            sample_weight=weight,
            row_hash=None if row_hash is None else hash_rows(
                numeric[:, :0], None,
                _used(self._codes_by_level_text(categorical), self.categorical_weights_),
                start=row_hash),
        )

    def _codes_by_level_text(self, categorical: np.ndarray) -> np.ndarray:
        """Level codes renumbered by the sorted text of the levels.

        The same answers then hash alike whether a column was read as text (levels
        sorted) or as a pandas Categorical (levels in category order).
        """
        renumbered = categorical.copy()
        for j, levels in enumerate(self.levels_):
            if not levels:
                continue
            order = sorted(range(len(levels)), key=lambda i: str(levels[i]))
            rank = np.empty(len(levels), dtype=categorical.dtype)
            rank[order] = np.arange(len(levels), dtype=categorical.dtype)
            codes = categorical[:, j]
            renumbered[:, j] = np.where(codes >= 0, rank[np.clip(codes, 0, None)], codes)
        return renumbered

    def _check_comparable(self, scaled: np.ndarray, observed: np.ndarray) -> None:
        """Refuse values whose squared distance to a prototype would overflow float64."""
        if not scaled.size:
            return
        magnitude = np.max(np.where(observed, np.abs(scaled), 0.0), axis=0)
        too_large = magnitude > MAX_SCALED_MAGNITUDE
        if too_large.any():
            j = int(np.flatnonzero(too_large)[0])
            row = int(np.argmax(np.where(observed[:, j], np.abs(scaled[:, j]), 0.0)))
            value = scaled[row, j] / np.sqrt(self.numeric_weights_[j]) * self.std_[j] \
                + self.mean_[j]
            raise UserError(
                f"column {self.numeric_features_[j]!r} has a value too large to compare "
                f"with the segments (row {row}: {value:.3g}, "
                f"{abs(scaled[row, j]) / np.sqrt(self.numeric_weights_[j]):.3g} standard "
                "deviations from the mean, so its squared distance overflows float64); "
                "check the value or rescale the column as in the data the model was fitted on"
            )

    def _check_columns(self, frame: pd.DataFrame) -> None:
        expected = self.feature_names_in_
        if self.input_is_frame_ and list(frame.columns) != expected:
            missing = [c for c in expected if c not in frame.columns]
            if missing:
                raise UserError(f"column {missing[0]!r} seen during fit is missing")
            extra = [c for c in frame.columns if c not in expected]
            if extra:
                raise UserError(f"column {extra[0]!r} was not seen during fit")
            raise UserError("columns are in a different order than during fit")
        if frame.shape[1] != len(expected):
            raise UserError(
                f"X has {frame.shape[1]} features, but KPrototypes is expecting "
                f"{len(expected)} features as input."
            )

    # ---------------------------------------------------------- inverse maps
    def numeric_to_original(self, scaled: np.ndarray) -> np.ndarray:
        """Map scaled numeric centres back to original units."""
        safe_w = np.where(self.numeric_weights_ > 0, np.sqrt(self.numeric_weights_), 1.0)
        return scaled / safe_w * self.std_ + self.mean_

    def numeric_from_original(self, values: np.ndarray) -> np.ndarray:
        return (values - self.mean_) / self.std_ * np.sqrt(self.numeric_weights_)

    def decode_prototypes(self, numeric: np.ndarray, categorical: np.ndarray,
                          zero_weight_means: np.ndarray | None = None) -> pd.DataFrame:
        """Encoded prototypes as a readable table (original units and labels).

        Parameters
        ----------
        numeric : ndarray of shape (k, n_numeric_features)
            Prototype means in the encoded space.
        categorical : ndarray of shape (k, n_categorical_features)
            Prototype modes as level codes.
        zero_weight_means : ndarray of shape (k, n_zero_weight_numeric), optional
            Segment means, in original units, of the numeric features weighted 0
            (the encoding cannot carry them).

        Returns
        -------
        DataFrame
            One row per prototype (index ``segment``), the columns seen in ``fit``.
        """
        values = self.numeric_to_original(numeric)
        if zero_weight_means is not None:
            values[:, self.numeric_weights_ == 0] = zero_weight_means
        columns: dict[str, Any] = {}
        for j, name in enumerate(self.numeric_features_):
            columns[name] = values[:, j]
        for j, name in enumerate(self.categorical_features_):
            columns[name] = pd.Series(
                [self.decode_level(j, int(code)) for code in categorical[:, j]], dtype=object,
            ).to_numpy()
        frame = pd.DataFrame({name: columns[name] for name in self.feature_names_in_})
        frame.index.name = "segment"
        return frame

    def decode_level(self, column: int, code: int) -> Any:
        return self.levels_[column][code] if 0 <= code < len(self.levels_[column]) else None

    def encode_level(self, column: int, value: Any) -> int:
        try:
            return self.levels_[column].index(_python_scalar(value))
        except ValueError:
            raise UserError(
                f"level {value!r} of column {self.categorical_features_[column]!r} "
                "does not occur in the data"
            ) from None

    @property
    def n_levels(self) -> list[int]:
        return [len(levels) for levels in self.levels_]

    def to_dict(self) -> dict[str, Any]:
        """The fitted encoding as JSON-safe values (levels type-tagged, see ``_levels``).

        Raises
        ------
        UserError
            A category level has a type that cannot be saved (names the column).
        """
        return {
            "feature_names_in": self.feature_names_in_,
            "input_is_frame": self.input_is_frame_,
            "numeric_features": self.numeric_features_,
            "categorical_features": self.categorical_features_,
            "ordered_levels": {name: _levels_to_json(name, levels)
                               for name, levels in self.ordered_levels_.items()},
            "levels": [_levels_to_json(name, levels)
                       for name, levels in zip(self.categorical_features_, self.levels_)],
            "mean": self.mean_.tolist(),
            "std": self.std_.tolist(),
            "numeric_weights": self.numeric_weights_.tolist(),
            "categorical_weights": self.categorical_weights_.tolist(),
            "scale": self.scale,
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> MixedEncoder:
        encoder = cls(categorical=list(state["categorical_features"]), scale=state["scale"])
        encoder.feature_names_in_ = list(state["feature_names_in"])
        encoder.input_is_frame_ = bool(state["input_is_frame"])
        encoder.numeric_features_ = list(state["numeric_features"])
        encoder.categorical_features_ = list(state["categorical_features"])
        encoder.ordered_levels_ = {k: [level_from_json(v) for v in levels]
                                   for k, levels in state["ordered_levels"].items()}
        encoder.levels_ = [[level_from_json(v) for v in levels] for levels in state["levels"]]
        encoder.mean_ = np.asarray(state["mean"], dtype=np.float64)
        encoder.std_ = np.asarray(state["std"], dtype=np.float64)
        encoder.numeric_weights_ = np.asarray(state["numeric_weights"], dtype=np.float64)
        encoder.categorical_weights_ = np.asarray(state["categorical_weights"], dtype=np.float64)
        return encoder


def _levels_to_json(column: str, levels: list[Any]) -> list[Any]:
    try:
        return [level_to_json(value) for value in levels]
    except UnsavableLevelError as exc:
        raise UserError(f"column {column!r}: {exc}; convert the column to text "
                        "(e.g. .astype(str)) before fitting to save the model") from None


def _used(block: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The columns of ``block`` whose feature weight is positive."""
    return block if (weights > 0).all() else block[:, weights > 0]


def _check_sample_weight(sample_weight: Any, n: int) -> np.ndarray | None:
    """``sample_weight`` as a float64 vector of length ``n`` (or None), validated."""
    if sample_weight is None:
        return None
    weight = _weight_values(sample_weight)
    if weight.ndim > 1 and weight.shape[1:] != (1,) * (weight.ndim - 1):
        raise UserError(f"sample_weight must be one value per row (shape ({n},)), "
                        f"got shape {weight.shape}")
    weight = weight.ravel()
    if weight.shape[0] != n:
        raise UserError(f"sample_weight has {weight.shape[0]} values for {n} rows")
    _check_weight_values(weight)
    _check_weight_total(float(weight.sum()))
    return weight


def _weight_values(sample_weight: Any) -> np.ndarray:
    """The weights as float64 (missing values NaN); a UserError names the first value that
    is not a number. The in-memory and the Dask paths (one partition at a time) share it."""
    try:
        return np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        first = next((v for v in np.asarray(sample_weight, dtype=object).ravel()
                      if not _is_number(v)), None)
        raise UserError(f"sample_weight must be numbers, found {first!r}") from None


def _check_weight_values(weight: np.ndarray, where: str = "") -> None:
    """Every weight finite and non-negative; ``where`` follows the first bad row's number
    (e.g. " of partition 3")."""
    bad = ~np.isfinite(weight) | (weight < 0)
    if bad.any():
        first = int(np.argmax(bad))
        raise UserError(
            f"sample_weight must be finite and non-negative: {int(np.isnan(weight).sum())} "
            f"NaN, {int(np.isinf(weight).sum())} infinite and {int((weight < 0).sum())} "
            f"negative values (the first at row {first}{where}: {float(weight[first])!r})")


def _check_weight_total(total: float) -> None:
    """The total of valid (finite, non-negative) weights is positive and in the range the
    weighted statistics can be computed in."""
    if total == 0:
        raise UserError("sample weights are all zero: at least one row needs weight")
    if not MIN_TOTAL_WEIGHT <= total <= MAX_TOTAL_WEIGHT:
        # squared weights (effective bases, weighted variances) would under- or overflow
        raise UserError(
            f"the sample weights total {total:.3g}, outside the range the weighted statistics "
            f"can be computed in ({MIN_TOTAL_WEIGHT:g} to {MAX_TOTAL_WEIGHT:g}); divide the "
            "weights by their mean (the segments do not change)")


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _weighted_mean_std(block: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means and (population) standard deviations over observed values, weighted."""
    observed = ~np.isnan(block)
    filled = np.where(observed, block, 0.0)
    total = weight @ observed
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mean = np.where(total > 0, (weight @ filled) / total, 0.0)
        centred = np.where(observed, block - mean, 0.0)
        var = np.where(total > 0, (weight @ centred**2) / total, 1.0)
    return mean, np.sqrt(var)


_DATETIME_INFERRED = {"datetime64", "datetime", "date", "timedelta64", "timedelta", "time",
                      "period"}
#: Largest |scaled value| whose square, summed over the features, stays finite.
MAX_SCALED_MAGNITUDE = 1e150
#: Range of the total sample weight whose square (Kish bases) stays a normal float64.
MIN_TOTAL_WEIGHT = 1e-100
MAX_TOTAL_WEIGHT = 1e100
ID_MIN_ROWS = 20
ID_LARGE_ROWS = 1_000
ID_LARGE_SHARE = 0.5


def _is_datetime_like(column: pd.Series) -> bool:
    """Datetime, timedelta and period dtypes (whose numbers are not a useful scale)."""
    dtype = column.dtype
    return bool(pd.api.types.is_datetime64_any_dtype(dtype)
                or pd.api.types.is_timedelta64_dtype(dtype)
                or isinstance(dtype, pd.PeriodDtype))


def _datetime_message(name: str, column: pd.Series) -> str:
    if pd.api.types.is_timedelta64_dtype(column.dtype):
        how = f"e.g. days: X[{name!r}].dt.total_seconds() / 86400"
    else:
        how = f"e.g. days since the earliest date: (X[{name!r}] - X[{name!r}].min()).dt.days"
    return (f"column {name!r} holds dates or times, which have no numeric scale as they are; "
            f"convert it to a number first ({how}; missing dates stay missing), or list it in "
            "categorical= to use every date as a category")


def _check_finite_spread(names: list[str], block: np.ndarray, mean: np.ndarray,
                         std: np.ndarray) -> None:
    """Refuse numeric columns whose mean or spread overflows float64."""
    bad = ~(np.isfinite(mean) & np.isfinite(std))
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        largest = float(np.nanmax(np.abs(block[:, j])))
        raise UserError(
            f"column {names[j]!r} has values too large to compute with (largest magnitude "
            f"{largest:.3g}: its spread overflows float64); rescale the column (e.g. to "
            "thousands or millions) or remove the extreme values"
        )


def _looks_like_numeric_id(values: np.ndarray) -> bool:
    """Whole numbers, one per observed row (>= ``ID_MIN_ROWS``), monotone or a run 1..n.

    A row number or a respondent id: strictly increasing or decreasing in row order,
    or (shuffled) distinct consecutive integers.
    """
    observed = values[~np.isnan(values)]
    if observed.size < ID_MIN_ROWS or not np.array_equal(observed, np.round(observed)):
        return False
    steps = np.diff(observed)
    if (steps > 0).all() or (steps < 0).all():
        return True
    return (observed.max() - observed.min() + 1 == observed.size
            and np.unique(observed).size == observed.size)


def _looks_like_id(codes: np.ndarray) -> bool:
    """A level per observed row (>= ``ID_MIN_ROWS`` rows), or mostly unique on large data."""
    observed = codes[codes >= 0]
    return looks_like_id_counts(observed.size, int(observed.max()) + 1 if observed.size else 0)


def looks_like_id_counts(n_observed: int, n_levels: int) -> bool:
    """:func:`_looks_like_id` from the counts alone (what a distributed fit has)."""
    if n_observed < ID_MIN_ROWS:
        return False
    return n_levels == n_observed or (n_observed >= ID_LARGE_ROWS
                                      and n_levels > ID_LARGE_SHARE * n_observed)


def _name_list(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(map(repr, names[:limit]))
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _object_columns(frame: pd.DataFrame, names: list[str]) -> list[str]:
    """The columns of ``names`` whose dtype is object (not string, category or bool)."""
    return [name for name in names if frame[name].dtype == np.dtype(object)]


def _only_numbers(levels: list[Any]) -> bool:
    """True when every level is a number (bool and text are not)."""
    return bool(levels) and all(
        isinstance(v, (int, float, np.integer, np.floating))
        and not isinstance(v, (bool, np.bool_)) for v in levels)


def _looks_numeric(column: pd.Series) -> bool:
    """True for numeric columns of an array, including object arrays of numbers."""
    if pd.api.types.is_bool_dtype(column.dtype):
        return False
    if pd.api.types.is_numeric_dtype(column.dtype):
        return True
    if not pd.api.types.is_object_dtype(column.dtype):
        return False
    try:
        converted = pd.to_numeric(column, errors="coerce")
    except TypeError:
        return False
    return bool(converted.notna().sum() == column.notna().sum())


def _factorize(column: pd.Series) -> tuple[list[Any], np.ndarray]:
    """Sorted levels of ``column`` and int32 codes (``MISSING`` for missing values).

    Categorical columns keep their declared category order (minus unused ones);
    other columns are sorted (numbers before strings).
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        raw = column.cat.codes.to_numpy()
        n_categories = len(column.cat.categories)
        used = np.bincount(raw[raw >= 0], minlength=n_categories) > 0
        remap = np.full(n_categories + 1, MISSING, dtype=np.int32)
        remap[:n_categories][used] = np.arange(int(used.sum()), dtype=np.int32)
        levels = [_python_scalar(v) for v in column.cat.categories[used].tolist()]
        return levels, remap[raw]  # raw == -1 picks the trailing MISSING slot
    try:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
    except TypeError:
        bad = next(v for v in column if not isinstance(v, Hashable))
        raise LevelTypeError(f"column {column.name!r}: argument must be a string or a number, "
                             f"not {type(bad).__name__}; convert the column first, e.g. "
                             f"X[{column.name!r}].astype(str)") from None
    values = [_python_scalar(v) for v in list(uniques)]
    order = sorted(range(len(values)), key=lambda i: _sort_key(values[i]))
    rank = np.empty(len(values) + 1, dtype=np.int32)
    rank[:-1][order] = np.arange(len(values), dtype=np.int32)
    rank[-1] = MISSING
    return [values[i] for i in order], rank[codes]


def _lookup_codes(column: pd.Series, levels: list[Any]) -> np.ndarray:
    """Codes of ``column`` against known ``levels``: MISSING and UNSEEN where they apply."""
    index = pd.Index(levels, dtype=object)
    if isinstance(column.dtype, pd.CategoricalDtype):
        category_codes = index.get_indexer(column.cat.categories.astype(object))
        raw = column.cat.codes.to_numpy()
        codes = np.where(raw >= 0, category_codes[raw], MISSING).astype(np.int32)
        codes[(raw >= 0) & (codes == -1)] = UNSEEN
        return codes
    values = column.to_numpy(dtype=object)
    codes = index.get_indexer(values).astype(np.int32)
    unknown = np.flatnonzero(codes < 0)
    if unknown.size:
        missing = pd.isna(values[unknown])
        codes[unknown] = np.where(missing, MISSING, UNSEEN)
    return codes


def _sort_key(value: Any) -> tuple[int, Any]:
    """Sort numbers before strings without comparing across types."""
    if isinstance(value, (bool, np.bool_)):
        return (0, int(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return (1, float(value))
    return (2, str(value))


def as_column_list(columns: str | Sequence[str] | None) -> list[str]:
    """Accept ``"a,b"`` or ``["a", "b"]`` and return a list of names."""
    if columns is None:
        return []
    if isinstance(columns, str):
        return [c.strip() for c in columns.split(",") if c.strip()]
    return [str(c) for c in columns]
