"""Disentanglement metrics on constructed codes whose answer is known.

factors  four discrete factors with 10, 8, 6 and 5 values, drawn independently for N rows
perfect  the factors themselves, permuted, rescaled (one flipped) and shifted: every metric must score ~1
noise    independent Gaussian codes: no code knows any factor, scores ~0 (FactorVAE: chance, ~1/4)
mixed    every code an equal-weight (+-1, Hadamard) mix of all standardised factors: each code knows each factor
         equally well, so no metric may credit any single code (a random unequal mix would legitimately get
         partial credit, so it is not used here)
"""
import numpy as np
import pytest
import torch
from scipy.linalg import hadamard

from gancourse.metrics.disentanglement import (dci, diagonal_dominance, factor_vae_score, hungarian_accuracy,
                                               intervention_matrix, intervention_report, intervention_score, mig,
                                               prediction_information)

N = 4000
LEVELS = (10, 8, 6, 5)


@pytest.fixture(scope="module")
def factors():
    rng = np.random.default_rng(0)
    return np.stack([rng.integers(levels, size=N) for levels in LEVELS], axis=1).astype(np.float64)


@pytest.fixture(scope="module")
def codes(factors):
    standardised = (factors - factors.mean(axis=0)) / factors.std(axis=0)
    return {"perfect": factors[:, [2, 0, 3, 1]] * np.array([0.5, -3.0, 2.0, 0.1]) + 1.0,
            "noise": np.random.default_rng(1).normal(size=(N, 4)),
            "mixed": standardised @ hadamard(4).T / 2.0}


# --------------------------------------------------------------------------------------------------- MIG

def test_mig_perfect_code_scores_one(codes, factors):
    result = mig(codes["perfect"], factors)
    assert result["mig"] > 0.95 and min(result["per_factor"]) > 0.95
    # the normalised MI matrix is the permutation: code 0 holds factor 2, code 1 factor 0, ...
    assert result["mi"].shape == (4, 4)
    assert result["mi"].argmax(axis=0).tolist() == [1, 3, 0, 2]


@pytest.mark.parametrize("kind", ["noise", "mixed"])
def test_mig_noise_and_equal_mix_score_zero(codes, factors, kind):
    assert mig(codes[kind], factors)["mig"] < 0.05


def test_mig_sees_a_factor_split_over_two_codes(codes, factors):
    # factor 0 held by two codes: its gap is 0, the other three stay ~1
    duplicated = np.column_stack([factors[:, 0], factors[:, 0] * 2.0, factors[:, 1:]])
    result = mig(duplicated, factors)
    assert result["per_factor"][0] < 0.05 and min(result["per_factor"][1:]) > 0.95
    assert result["mig"] == pytest.approx(0.75, abs=0.05)


def test_mig_bins_continuous_factors_and_takes_tensors(factors):
    continuous = np.random.default_rng(2).uniform(size=(N, 2))  # many distinct values: cut into bins
    result = mig(torch.tensor(continuous, dtype=torch.float32), torch.tensor(continuous))
    assert result["mig"] > 0.95
    assert result["entropy"] == pytest.approx([np.log(20)] * 2, rel=0.01)  # 20 equally filled bins


# --------------------------------------------------------------------------------------------------- DCI

def test_dci_perfect_code(codes, factors):
    result = dci(codes["perfect"][:2000], factors[:2000])
    assert result["disentanglement"] > 0.9 and result["completeness"] > 0.9
    assert result["informativeness"] > 0.9
    assert result["importance"].shape == (4, 4) and result["importance"].argmax(axis=0).tolist() == [1, 3, 0, 2]


def test_dci_noise_is_neither_disentangled_nor_informative(codes, factors):
    result = dci(codes["noise"][:2000], factors[:2000])
    assert result["disentanglement"] < 0.1 and result["completeness"] < 0.1
    assert result["informativeness"] < 0.1


def test_dci_equal_mix_is_informative_but_entangled(codes, factors):
    result = dci(codes["mixed"][:2000], factors[:2000])
    assert result["disentanglement"] < 0.1 and result["completeness"] < 0.1
    assert result["informativeness"] > 0.8  # the factors can still be read off the codes, just not one by one


def test_dci_classification_and_determinism(codes, factors):
    small_codes, small_factors = codes["perfect"][:600], factors[:600]
    result = dci(small_codes, small_factors, task="classification", trees={"n_estimators": 10, "max_depth": 2})
    assert result["informativeness"] > 0.9 and result["disentanglement"] > 0.9
    again = dci(small_codes, small_factors, task="classification", trees={"n_estimators": 10, "max_depth": 2})
    assert np.array_equal(result["importance"], again["importance"])


# --------------------------------------------------------------------------------------------- FactorVAE

def test_factor_vae_perfect_code_and_collapsed_units(codes, factors):
    collapsed = np.column_stack([codes["perfect"], np.full(N, 3.0)])  # a dead unit is ignored
    result = factor_vae_score(collapsed, factors)
    assert result["score"] == 1.0 and result["train_accuracy"] == 1.0
    assert result["active"].tolist() == [True] * 4 + [False]
    assert result["votes"].sum() == 800 and result["eval_votes"].sum() == 400
    assert result["classifier"][:4].tolist() == [2, 0, 3, 1]


@pytest.mark.parametrize("kind", ["noise", "mixed"])
def test_factor_vae_noise_and_equal_mix_score_chance(codes, factors, kind):
    assert factor_vae_score(codes[kind], factors)["score"] < 1 / len(LEVELS) + 0.1


def test_factor_vae_is_seeded(codes, factors):
    first = factor_vae_score(codes["noise"], factors, seed=3)
    assert np.array_equal(first["votes"], factor_vae_score(codes["noise"], factors, seed=3)["votes"])
    assert not np.array_equal(first["votes"], factor_vae_score(codes["noise"], factors, seed=4)["votes"])


# ----------------------------------------------------------------------------------------------- Hungarian

def test_hungarian_accuracy_of_relabelled_and_random_clusters():
    rng = np.random.default_rng(0)
    true = rng.integers(10, size=5000)
    assert hungarian_accuracy(rng.permutation(10)[true], true) == 1.0
    assert 0.09 < hungarian_accuracy(rng.integers(10, size=5000), true) < 0.15
    assert hungarian_accuracy(torch.tensor([5, 5, 7, 7]), torch.tensor([0, 0, 1, 0])) == 0.75


def test_prediction_information_is_log_k_for_sure_even_predictions_and_zero_for_one_answer():
    sure_and_even = 50.0 * torch.eye(10).repeat(30, 1)                     # each class 30 times, with certainty
    assert prediction_information(sure_and_even) == pytest.approx(np.log(10), abs=1e-6)
    assert prediction_information(50.0 * torch.eye(10)[[3] * 300]) == pytest.approx(0.0, abs=1e-6)  # one class
    assert prediction_information(torch.zeros(300, 10)) == pytest.approx(0.0, abs=1e-12)              # unsure
    unsure = prediction_information(torch.eye(10).repeat(30, 1))          # the right class, but only p ~ 0.23
    assert 0.0 < unsure < 0.5 * np.log(10)


@pytest.mark.parametrize("bad", [torch.zeros(5), torch.zeros(5, 1), torch.zeros(0, 3), [[0.0, 1.0]]])
def test_prediction_information_rejects_what_is_not_n_by_k_logits(bad):
    with pytest.raises(ValueError, match="shape \\(N, K\\)"):
        prediction_information(bad)


# ------------------------------------------------------------------------------------------- interventions

class LinearJudge:
    """Reads K = 3 factors sigmoid(z @ W) from an identity 'image' of z (N, 4)."""

    def __init__(self, weights):
        self.weights = torch.tensor(weights)

    def read(self, images):
        return torch.sigmoid(images.flatten(1) @ self.weights)


def generate(z):
    return z.view(len(z), 1, 1, -1)


Z = torch.randn(256, 4, generator=torch.Generator().manual_seed(0))


def test_intervention_matrix_of_a_disentangled_generator():
    # z0 -> a, z1 -> b (with a small leak into a), z2 -> c, z3 -> nothing
    judge = LinearJudge([[2.0, 0.0, 0.0], [0.1, 2.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]])
    matrix = intervention_matrix(generate, judge, Z, [0, 1, 2, 3], step=1.0)
    assert matrix.shape == (4, 3)
    assert matrix[0, 1] == 0 and matrix[0, 2] == 0 and np.all(matrix[3] == 0)  # untouched factors stay put
    dominance = diagonal_dominance(matrix, [0, 1, 2, None])
    assert np.all(dominance[:3] >= 5) and np.isnan(dominance[3])
    assert np.isinf(dominance[0]) and 5 <= intervention_score(matrix, [0, 1, 2, None]) < np.inf


def test_intervention_matrix_of_an_entangled_generator():
    # a and b both read z0 alike: stepping z0 moves its side effect b exactly as much as its own factor a
    judge = LinearJudge([[2.0, 2.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]])
    matrix = intervention_matrix(generate, judge, Z, [0, 2], step=1.0)
    assert matrix[0, 0] > 0.1 and matrix[0, 0] == pytest.approx(matrix[0, 1])
    assert diagonal_dominance(matrix, [0, 2]).tolist() == [pytest.approx(1.0), np.inf]
    assert intervention_score(matrix, [0, 2]) == pytest.approx(1.0)


def test_intervention_score_of_known_matrices():
    assert intervention_score(np.ones((3, 3)), [0, 1, 2]) == 1.0
    assert intervention_score(np.eye(3) + 0.1, [0, 1, 2]) == pytest.approx(11.0)
    assert intervention_score(np.eye(3), [0, 1, 2]) == np.inf
    assert intervention_score(np.zeros((2, 3)), [0, None]) == 1.0  # nothing moves: no preference


# -------------------------------------------------------------------------------------------- bad inputs

@pytest.mark.parametrize("metric", [mig, dci, factor_vae_score])
def test_metrics_reject_bad_inputs(metric, codes, factors):
    with pytest.raises(ValueError, match="rows but factors has"):
        metric(codes["perfect"], factors[:-1])
    with pytest.raises(ValueError, match="must be 2-D"):
        metric(codes["perfect"][:, 0], factors)
    broken = codes["perfect"].copy()
    broken[7, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite values in 1 rows \(first: \[7\]\)"):
        metric(broken, factors)
    with pytest.raises(ValueError, match="at least"):
        metric(codes["perfect"][:1], factors[:1])
    with pytest.raises(TypeError, match="numeric"):
        metric([["a", "b"]] * 100, factors[:100])


def test_metric_specific_errors(codes, factors):
    with pytest.raises(ValueError, match="single value"):
        mig(codes["perfect"], np.column_stack([factors, np.ones(N)]))
    with pytest.raises(ValueError, match="discrete has 2 entries"):
        mig(codes["perfect"], factors, discrete=[True, False])
    with pytest.raises(ValueError, match="task must be"):
        dci(codes["perfect"], factors, task="ranking")
    with pytest.raises(ValueError, match="no value occurs in 64 rows"):
        factor_vae_score(codes["perfect"][:300], np.column_stack([factors[:300, :1], np.arange(300)]))
    with pytest.raises(ValueError, match="collapsed"):
        factor_vae_score(codes["perfect"] * 1e-4, factors)
    # one value shared by 64 rows, the other 236 rows each alone: votes could hold the factor at one value only
    sparse = np.concatenate([np.zeros(64), np.arange(1, 237)])
    with pytest.raises(ValueError, match="only 21% of the rows have a value that 64 rows share"):
        factor_vae_score(codes["perfect"][:300], np.column_stack([np.repeat([0, 1], 150), sparse]))
    with pytest.raises(ValueError, match="predicted has 3 labels but true has 2"):
        hungarian_accuracy([0, 1, 2], [0, 1])


def test_intervention_errors():
    judge = LinearJudge([[1.0, 0.0, 0.0]] * 4)
    with pytest.raises(ValueError, match="step must be"):
        intervention_matrix(generate, judge, Z, [0], step=0.0)
    with pytest.raises(ValueError, match=r"coordinates of z in 0\.\.3"):
        intervention_matrix(generate, judge, Z, [4], step=1.0)
    with pytest.raises(ValueError, match="must be 2-D"):
        intervention_matrix(generate, judge, Z[0], [0], step=1.0)
    with pytest.raises(ValueError, match="targets has 2 entries but matrix has 3 rows"):
        diagonal_dominance(np.ones((3, 3)), [0, 1])
    with pytest.raises(ValueError, match="not a factor column"):
        diagonal_dominance(np.ones((3, 3)), [0, 1, 3])
    with pytest.raises(ValueError, match="no row has a target"):
        intervention_score(np.ones((3, 3)), [None, None, None])


LEAKY = [[2.0, 0.0, 0.0], [0.1, 2.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]]


def test_intervention_steps_may_differ_per_index():
    judge = LinearJudge(LEAKY)
    both = intervention_matrix(generate, judge, Z, [0, 1], step=[1.0, 2.0])
    assert np.allclose(both[0], intervention_matrix(generate, judge, Z, [0], step=1.0)[0])
    assert np.allclose(both[1], intervention_matrix(generate, judge, Z, [1], step=2.0)[0])
    with pytest.raises(ValueError, match="one such number per index"):
        intervention_matrix(generate, judge, Z, [0, 1], step=[1.0])
    with pytest.raises(ValueError, match="nonzero"):
        intervention_matrix(generate, judge, Z, [0, 1], step=[1.0, 0.0])


def test_intervention_report_matches_unsupervised_rows_to_their_strongest_factor():
    judge = LinearJudge(LEAKY)
    report = intervention_report(generate, judge, Z, [0, 1, 2], step=1.0)
    assert report["targets"] == [int(t) for t in report["matrix"].argmax(1)]
    assert report["score"] == pytest.approx(np.nanmin(report["dominance"]))
    supervised = intervention_report(generate, judge, Z, [0, 1], step=1.0, targets=[1, 0])
    assert supervised["targets"] == [1, 0]
