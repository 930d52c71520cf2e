"""Disentanglement measured: does each code of a representation capture one factor of the data, and only one?

Encoder-side metrics take codes (N, C), e.g. a VAE's means for N images, and the ground-truth factors (N, K)
of the same images (digit class, thickness, ...). A perfectly disentangled code scores 1, noise about 0.

mig           Mutual Information Gap (Chen et al. 2018). Discretise every code, measure the mutual information
              (互信息) of each code with each factor and divide by the factor's entropy. For each factor, the gap
              between the most and the second-most informative code: 1 when exactly one code knows the factor,
              0 when two codes know it equally well (or none does). Averaged over factors.
dci           Disentanglement, Completeness, Informativeness (Eastwood & Williams 2018). Predict each factor from
              all codes with gradient-boosted trees; their feature importances form a matrix R (C codes x K
              factors). Disentanglement: does each code (row) matter for one factor only? Completeness: is each
              factor (column) predicted by one code only? Both are 1 - the entropy of the normalised row/column.
              Informativeness: how well the factors are predicted on held-out rows.
factor_vae    FactorVAE score (Kim & Mnih 2018). Hold one factor fixed in a batch: the code for that factor
              should then vary least. Each batch casts a vote (code with the smallest normalised variance ->
              the fixed factor); a majority-vote classifier from code to factor is trained on some votes and its
              accuracy on others is the score. Chance level is about 1/K, not 0.
hungarian     accuracy of a clustering (InfoGAN's categorical code) after the best one-to-one matching of
              clusters to classes (the Hungarian algorithm).

Generator-side, without an encoder: intervention_matrix steps each chosen coordinate of z and reads how much
every factor of the generated images moves (a judge reads them); a disentangled z moves one factor per
coordinate, so the matrix is diagonal: diagonal_dominance / intervention_score measure how diagonal.

All functions take numpy arrays or torch tensors and return plain floats and numpy arrays.
"""
from __future__ import annotations

import operator

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.metrics import mutual_info_score


# ---------------------------------------------------------------------------------------------- input checks

def to_array(values, name: str) -> np.ndarray:
    """values (numpy array, torch tensor or nested lists) as a float64 numpy array; clear errors otherwise."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a numeric numpy array or torch tensor, got {type(values).__name__} "
                        f"that cannot be read as numbers ({error})") from None
    return array


def check_matrix(values, name: str, *, min_rows: int = 1, min_columns: int = 1) -> np.ndarray:
    """values as a finite (N, D) float64 array with at least min_rows rows and min_columns columns."""
    array = to_array(values, name)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (N samples, D columns), got shape {array.shape}; "
                         f"for a single column use values.reshape(-1, 1)")
    if len(array) < min_rows:
        raise ValueError(f"{name} has {len(array)} rows but this metric needs at least {min_rows}; "
                         f"use more samples")
    if array.shape[1] < min_columns:
        raise ValueError(f"{name} has {array.shape[1]} columns but this metric needs at least {min_columns}")
    bad_rows = np.flatnonzero(~np.isfinite(array).all(axis=1))
    if len(bad_rows):
        raise ValueError(f"{name} has NaN or infinite values in {len(bad_rows)} rows (first: {bad_rows[:5].tolist()}); "
                         f"drop or impute those rows first")
    return array


def check_pair(codes, factors, *, min_rows: int, min_codes: int = 1, min_factors: int = 1):
    """codes (N, C) and factors (N, K) as checked float arrays with the same number of rows N."""
    codes = check_matrix(codes, "codes", min_rows=min_rows, min_columns=min_codes)
    factors = check_matrix(factors, "factors", min_rows=min_rows, min_columns=min_factors)
    if len(codes) != len(factors):
        raise ValueError(f"codes has {len(codes)} rows but factors has {len(factors)}: "
                         f"pass one row of factors per row of codes (the same N samples, in the same order)")
    return codes, factors


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """value (a Python, numpy or 0-d torch integer) as an int >= minimum."""
    try:
        number = None if isinstance(value, bool) else operator.index(value)
    except TypeError:
        number = None
    if number is None or number < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return number


def check_labels(values, name: str) -> np.ndarray:
    """values as a 1-D array of labels (any hashable numbers), finite."""
    array = to_array(values, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per sample), got shape {array.shape}")
    if len(array) == 0:
        raise ValueError(f"{name} is empty: pass one label per sample")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} has NaN or infinite labels; drop those samples first")
    return array


# ----------------------------------------------------------------------------------------- shared helpers

def discretise(values: np.ndarray, bins: int) -> np.ndarray:
    """values (N,) -> bin index 0..bins-1 of `bins` equal-width bins over [min, max] (N,)."""
    edges = np.histogram_bin_edges(values, bins=bins)
    return np.digitize(values, edges[1:-1])


def label(values: np.ndarray) -> np.ndarray:
    """values (N,) -> integer labels 0..(distinct values - 1) (N,)."""
    return np.unique(values, return_inverse=True)[1].reshape(-1)


def normalised_entropy(weights: np.ndarray, axis: int) -> np.ndarray:
    """Entropy of weights normalised to sum 1 along `axis`, in units of log(length of that axis): 0..1.

    A slice with all weights 0 gets entropy 1 (it carries no preference)."""
    total = weights.sum(axis=axis, keepdims=True)
    p = np.divide(weights, total, out=np.full_like(weights, 1.0 / weights.shape[axis]), where=total > 0)
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return -plogp.sum(axis=axis) / np.log(weights.shape[axis])


def split_rows(n: int, test_fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A random split of row indices 0..n-1 into (train, test), test about test_fraction of them."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction!r}")
    n_test = int(round(n * test_fraction))
    if n_test < 5 or n - n_test < 10:
        raise ValueError(f"{n} rows with test_fraction={test_fraction} leave {n - n_test} rows to train and "
                         f"{n_test} to test; need at least 10 and 5: use more samples or change test_fraction")
    order = rng.permutation(n)
    return order[n_test:], order[:n_test]


# ------------------------------------------------------------------------------------------------------- MIG

def factor_labels(factors: np.ndarray, bins: int, discrete) -> np.ndarray:
    """factors (N, K) -> integer labels (N, K) for mutual information.

    Rule: a factor is taken as discrete (its distinct values are the labels) when discrete is True for it, or,
    with discrete=None, when it has at most `bins` distinct values; otherwise it is cut into `bins` equal-width
    bins like the codes. discrete: None, one bool for all factors, or a sequence of K bools."""
    k = factors.shape[1]
    if discrete is None:
        flags = [len(np.unique(factors[:, j])) <= bins for j in range(k)]
    elif isinstance(discrete, (bool, np.bool_)):
        flags = [bool(discrete)] * k
    else:
        flags = list(discrete)
        if len(flags) != k:
            raise ValueError(f"discrete has {len(flags)} entries but factors has {k} columns: "
                             f"give one bool per factor, a single bool, or None to decide per factor")
    return np.stack([label(factors[:, j]) if flag else discretise(factors[:, j], bins)
                     for j, flag in enumerate(flags)], axis=1)


def mig(codes, factors, *, bins: int = 20, discrete=None) -> dict:
    """Mutual Information Gap of codes (N, C) for the factors (N, K).

    Each code is cut into `bins` equal-width bins; factors are labels, see factor_labels for the rule.
    Returns {"mig": mean gap over factors (float, 0..1),
             "per_factor": list of K gaps,
             "mi": (C, K) mutual information of each code with each factor divided by the factor's entropy,
             "entropy": (K,) entropy of each factor in nats}.
    """
    bins = check_positive_int(bins, "bins", minimum=2)
    codes, factors = check_pair(codes, factors, min_rows=2, min_codes=2)
    code_bins = np.stack([discretise(codes[:, i], bins) for i in range(codes.shape[1])], axis=1)  # (N, C)
    labels = factor_labels(factors, bins, discrete)                                                 # (N, K)
    entropy = np.array([mutual_info_score(labels[:, j], labels[:, j]) for j in range(labels.shape[1])])
    constant = np.flatnonzero(entropy <= 0)
    if len(constant):
        raise ValueError(f"factor(s) {constant.tolist()} take a single value: their entropy is 0 and MIG is "
                         f"undefined; drop those columns of factors")
    mi = np.array([[mutual_info_score(code_bins[:, i], labels[:, j]) for j in range(labels.shape[1])]
                   for i in range(code_bins.shape[1])]) / entropy                                  # (C, K)
    top_two = np.sort(mi, axis=0)[-2:]                                                             # (2, K)
    gaps = top_two[1] - top_two[0]
    return {"mig": float(gaps.mean()), "per_factor": gaps.tolist(), "mi": mi, "entropy": entropy}


# ------------------------------------------------------------------------------------------------------- DCI

# Small, fast trees: a few dozen depth-3 trees already rank which codes matter (the importances are all DCI
# needs); the published setting trains far bigger ensembles, which costs minutes on a course laptop.
DCI_TREES = {"n_estimators": 30, "max_depth": 3, "learning_rate": 0.2}


def fit_factor(codes_train: np.ndarray, target: np.ndarray, task: str, seed: int, trees: dict):
    """A gradient-boosted tree model predicting one factor (N_train,) from codes (N_train, C)."""
    if len(np.unique(target)) < 2:
        raise ValueError("a factor takes a single value in the training split: nothing to predict; "
                         "drop that factor or use more samples")
    model_class = GradientBoostingClassifier if task == "classification" else GradientBoostingRegressor
    return model_class(random_state=seed, **trees).fit(codes_train, target)


def held_out_score(model, codes_test: np.ndarray, target: np.ndarray, task: str) -> float:
    """Accuracy (classification) or R^2 clipped to [0, 1] (regression) of model on held-out rows."""
    score = model.score(codes_test, target)
    return float(score) if task == "classification" else float(np.clip(score, 0.0, 1.0))


def dci(codes, factors, *, seed: int = 0, task: str = "regression", test_fraction: float = 0.25,
        trees: dict | None = None) -> dict:
    """DCI of codes (N, C) for factors (N, K), with one gradient-boosted tree model per factor.

    task: "regression" (factors are ordered values; informativeness is the held-out R^2, clipped to [0, 1]) or
          "classification" (factors are classes; informativeness is held-out accuracy, chance is 1/classes).
    trees: keyword arguments for the sklearn model (default DCI_TREES). Rows are split train/test at random
           with `seed`; the trees are seeded with it too, so the result is deterministic.
    Returns {"disentanglement": float, "completeness": float, "informativeness": float (all 0..1),
             "importance": (C, K) matrix R, each column the feature importances of one factor's model (sum 1),
             "per_factor": {"completeness": K floats, "informativeness": K floats}}.
    A factor no code helps predict (its column all 0) has completeness 0.
    """
    if task not in ("regression", "classification"):
        raise ValueError(f"task must be 'regression' or 'classification', got {task!r}")
    codes, factors = check_pair(codes, factors, min_rows=20, min_codes=2, min_factors=2)
    train, test = split_rows(len(codes), test_fraction, np.random.default_rng(seed))
    trees = DCI_TREES if trees is None else trees
    importance = np.zeros((codes.shape[1], factors.shape[1]))                                      # (C, K)
    informativeness = []
    for j in range(factors.shape[1]):
        model = fit_factor(codes[train], factors[train, j], task, seed, trees)
        importance[:, j] = model.feature_importances_
        informativeness.append(held_out_score(model, codes[test], factors[test, j], task))
    if importance.sum() <= 0:
        raise ValueError("no code helps predict any factor (all importances are 0): are the codes constant?")
    code_share = importance.sum(axis=1) / importance.sum()                                         # (C,)
    disentanglement = float(code_share @ (1 - normalised_entropy(importance, axis=1)))
    completeness = np.where(importance.sum(axis=0) > 0, 1 - normalised_entropy(importance, axis=0), 0.0)
    return {"disentanglement": disentanglement, "completeness": float(completeness.mean()),
            "informativeness": float(np.mean(informativeness)), "importance": importance,
            "per_factor": {"completeness": completeness.tolist(), "informativeness": informativeness}}


# ---------------------------------------------------------------------------------------------- FactorVAE

COLLAPSED_STD = 0.05  # codes whose std over the data is below this carry nothing (a VAE's collapsed units)


def rows_by_value(factors: np.ndarray, batch_size: int) -> list[dict[float, np.ndarray]]:
    """For each factor, {value: row indices with that value} for the values with at least batch_size rows."""
    groups = []
    for j in range(factors.shape[1]):
        values, inverse, counts = np.unique(factors[:, j], return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        groups.append({values[v]: np.flatnonzero(inverse == v) for v in np.flatnonzero(counts >= batch_size)})
        if not groups[-1]:
            raise ValueError(f"factor {j}: no value occurs in {batch_size} rows, so no batch can hold it fixed; "
                             f"lower batch_size, use more samples, or discretise that factor")
        held = counts[counts >= batch_size].sum() / len(factors)
        if held < 0.5:  # the votes would hold the factor at a few of its values only, and the score drifts up
            raise ValueError(f"factor {j}: only {held:.0%} of the rows have a value that {batch_size} rows share "
                             f"({len(values)} values in {len(factors)} rows), so votes could hold it fixed at few "
                             f"of its values; use more samples (at least {batch_size} per value), lower "
                             f"batch_size, or discretise that factor")
    return groups


def cast_vote(scaled: np.ndarray, groups: list[dict], batch_size: int, rng: np.random.Generator) -> tuple[int, int]:
    """One vote: hold a random factor k at a random value (drawn as often as it occurs in the data), sample
    batch_size rows of scaled codes (N, C_active) with it, return (code with the least variance, k)."""
    k = int(rng.integers(len(groups)))
    values = list(groups[k])
    sizes = np.array([len(groups[k][v]) for v in values], dtype=np.float64)
    rows = groups[k][values[rng.choice(len(values), p=sizes / sizes.sum())]]
    batch = scaled[rng.choice(rows, size=batch_size, replace=False)]                              # (B, C_active)
    return int(np.argmin(batch.var(axis=0))), k


def count_votes(n_votes: int, scaled: np.ndarray, groups: list[dict], batch_size: int,
                rng: np.random.Generator) -> np.ndarray:
    """Vote counts (C_active, K): how often each code had the least variance while each factor was fixed."""
    votes = np.zeros((scaled.shape[1], len(groups)), dtype=np.int64)
    for _ in range(n_votes):
        code, k = cast_vote(scaled, groups, batch_size, rng)
        votes[code, k] += 1
    return votes


def majority_accuracy(classifier: np.ndarray, votes: np.ndarray) -> float:
    """Share of the votes (C, K) that the classifier (C,) (code -> factor) gets right."""
    return float(votes[np.arange(len(votes)), classifier].sum() / votes.sum())


def factor_vae_score(codes, factors, *, batch_size: int = 64, n_train: int = 800, n_eval: int = 400,
                     seed: int = 0, collapsed_std: float = COLLAPSED_STD) -> dict:
    """FactorVAE score of codes (N, C) for discrete factors (N, K), from a dataset instead of a simulator.

    Each code is divided by its std over all N rows; codes with std < collapsed_std are dropped. Every vote
    samples batch_size rows (without replacement) sharing the value of one random factor; the majority-vote
    classifier (code -> factor most often voted for it) is fitted on n_train votes and scored on n_eval others.
    Codes that never win a training vote are mapped to factor 0 (they are rare; their eval votes mostly miss).
    Returns {"score": eval accuracy (float; about 1/K for codes that ignore the factors),
             "train_accuracy": float, "votes": (C, K) training vote counts (0 rows for dropped codes),
             "eval_votes": (C, K), "classifier": (C,) factor each code is mapped to, "active": (C,) bool}.
    """
    batch_size = check_positive_int(batch_size, "batch_size", minimum=2)
    n_train = check_positive_int(n_train, "n_train")
    n_eval = check_positive_int(n_eval, "n_eval")
    codes, factors = check_pair(codes, factors, min_rows=batch_size)
    std = codes.std(axis=0)                                                                        # (C,)
    active = std >= collapsed_std
    if not active.any():
        raise ValueError(f"every code has std < collapsed_std={collapsed_std} over the data (largest "
                         f"{std.max():.3g}): the codes are collapsed; rescale them or lower collapsed_std")
    groups = rows_by_value(factors, batch_size)
    scaled = codes[:, active] / std[active]                                                        # (N, C_active)
    rng = np.random.default_rng(seed)
    votes, eval_votes = (np.zeros((codes.shape[1], factors.shape[1]), dtype=np.int64) for _ in range(2))
    votes[active] = count_votes(n_train, scaled, groups, batch_size, rng)
    eval_votes[active] = count_votes(n_eval, scaled, groups, batch_size, rng)
    classifier = votes.argmax(axis=1)                                                              # (C,)
    return {"score": majority_accuracy(classifier, eval_votes), "train_accuracy": majority_accuracy(classifier, votes),
            "votes": votes, "eval_votes": eval_votes, "classifier": classifier, "active": active}


# -------------------------------------------------------------------------------------------- clustering

def hungarian_accuracy(predicted, true) -> float:
    """Accuracy of cluster labels `predicted` (N,) against class labels `true` (N,) after matching each
    cluster to a different class so that as many samples as possible agree (linear_sum_assignment).

    Clusters left without a class (more clusters than classes) count as wrong."""
    predicted, true = check_labels(predicted, "predicted"), check_labels(true, "true")
    if len(predicted) != len(true):
        raise ValueError(f"predicted has {len(predicted)} labels but true has {len(true)}: "
                         f"pass one predicted and one true label per sample")
    clusters, classes = label(predicted), label(true)
    counts = np.zeros((clusters.max() + 1, classes.max() + 1), dtype=np.int64)                     # (clusters, classes)
    np.add.at(counts, (clusters, classes), 1)
    rows, columns = linear_sum_assignment(counts, maximize=True)
    return float(counts[rows, columns].sum() / len(true))


def prediction_information(logits) -> float:
    """How much a classifier's predictions say about which of its K classes each sample falls in, with no labels:
    the mutual information between sample and predicted class, H(mean of p) - mean of H(p), in nats, with
    p = softmax(logits) (N, K). log K when each sample is given one class with certainty and the classes are used
    equally often; 0 when every sample gets the same distribution (one class for all, or unsure about all).
    For an unsupervised categorical code read on real data (InfoGAN's Q), it ranks runs without labels."""
    if not isinstance(logits, torch.Tensor) or logits.ndim != 2 or logits.shape[1] < 2 or not len(logits):
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(f"logits must be a tensor of shape (N, K) with N >= 1 and K >= 2, got {shape}")
    log_p = logits.detach().double().log_softmax(1)                                                 # (N, K)
    p = log_p.exp()
    marginal = p.mean(0)                                                                            # (K,)
    h_marginal = -(marginal * marginal.clamp_min(1e-300).log()).sum()
    h_each = -(p * log_p).sum(1).mean()
    return float(h_marginal - h_each)


# ------------------------------------------------------------------------------------------- interventions

@torch.no_grad()
def intervention_matrix(generate, judge, z, indices, step) -> np.ndarray:
    """Mean absolute change of every factor the judge reads when one coordinate of z is stepped.

    z (N, D): latent codes; for each index i in `indices`, z[:, i] += step for every row, and the change of
    judge.read(generate(z)) (N, K) is averaged over rows. step: one number, or one per index (codes on
    different scales: a binary code flips from -1 to +1 with 2, a continuous one in [0, 1] moves by 0.5).
    Returns (len(indices), K)."""
    z = z if isinstance(z, torch.Tensor) else torch.as_tensor(np.asarray(z), dtype=torch.float32)
    if z.ndim != 2 or len(z) == 0:
        raise ValueError(f"z must be 2-D (N samples, D latent dims) with N >= 1, got shape {tuple(z.shape)}")
    if not torch.isfinite(z).all():
        raise ValueError("z has NaN or infinite values; draw it again or drop those rows")
    indices = [check_positive_int(i, "each index", minimum=0) for i in indices]
    if not indices or max(indices) >= z.shape[1]:
        raise ValueError(f"indices must be a non-empty list of coordinates of z in 0..{z.shape[1] - 1}, "
                         f"got {indices}")
    steps = np.broadcast_to(np.asarray(step, dtype=float), (len(indices),)) if np.ndim(step) == 0 \
        else np.asarray(step, dtype=float)
    if steps.shape != (len(indices),) or not np.isfinite(steps).all() or (steps == 0).any():
        raise ValueError(f"step must be a finite, nonzero number or one such number per index "
                         f"({len(indices)}), got {step!r}")
    before = read_judge(generate, judge, z)                                                        # (N, K)
    rows = []
    for i, step_i in zip(indices, steps):
        moved = z.clone()
        moved[:, i] += float(step_i)
        rows.append(np.abs(read_judge(generate, judge, moved) - before).mean(axis=0))              # (K,)
    return np.stack(rows)


def read_judge(generate, judge, z: torch.Tensor) -> np.ndarray:
    """The judge's read-outs (N, K) of the images generated from z (N, D), checked."""
    readout = to_array(judge.read(generate(z)), "judge.read(generate(z))")
    if readout.ndim != 2 or len(readout) != len(z):
        raise ValueError(f"judge.read(generate(z)) must return (N, K) = ({len(z)}, K) read-outs, got shape "
                         f"{readout.shape}")
    return readout


def diagonal_dominance(matrix, targets) -> np.ndarray:
    """For each row of matrix (R, K) (e.g. from intervention_matrix): its change of its target factor divided
    by its largest change of any other factor. targets: R entries, a factor column or None (row skipped).

    Returns (R,): np.nan for skipped rows, inf where only the target moves, 1.0 where nothing moves at all."""
    matrix = check_matrix(matrix, "matrix", min_columns=2)
    if len(targets) != len(matrix):
        raise ValueError(f"targets has {len(targets)} entries but matrix has {len(matrix)} rows: give one "
                         f"target factor (or None) per row")
    ratios = np.full(len(matrix), np.nan)
    for row, target in enumerate(targets):
        if target is None:
            continue
        target = check_positive_int(target, "each target", minimum=0)
        if target >= matrix.shape[1]:
            raise ValueError(f"target {target} of row {row} is not a factor column (matrix has "
                             f"{matrix.shape[1]} columns)")
        own, others = matrix[row, target], np.delete(matrix[row], target).max()
        ratios[row] = 1.0 if own == 0 and others == 0 else (np.inf if others == 0 else own / others)
    return ratios


def intervention_score(matrix, targets) -> float:
    """How diagonal an intervention matrix (R, K) is: the smallest diagonal_dominance over the rows with a
    target, i.e. every targeted factor moves at least this many times more than any side effect.

    A uniform matrix scores 1, below 1 means some coordinate moves another factor more than its own; an exactly
    diagonal matrix scores inf."""
    ratios = diagonal_dominance(matrix, targets)
    if np.isnan(ratios).all():
        raise ValueError("no row has a target factor: give at least one target that is not None")
    return float(np.nanmin(ratios))


def intervention_report(generate, judge, z, indices, step, targets=None) -> dict:
    """The intervention matrix of `indices` and how diagonal it is, in one call.

    targets: the factor column each index is meant to move (labelled codes), or None for an unsupervised model,
    whose rows are each matched to the factor they move most. Returns {"matrix" (R, K), "targets",
    "dominance" (R,): own / largest other change per row, "score": the smallest dominance}."""
    matrix = intervention_matrix(generate, judge, z, indices, step)
    targets = [int(t) for t in matrix.argmax(axis=1)] if targets is None else list(targets)
    return {"matrix": matrix, "targets": targets, "dominance": diagonal_dominance(matrix, targets),
            "score": intervention_score(matrix, targets)}
