"""The evaluation report against scikit-learn's definitions, computed by hand (sklearn is not a
dependency): `classification_report(y, pred, labels=range(C), zero_division=0, output_dict=True)`
and `confusion_matrix(y, pred, labels=range(C))`."""
import pytest
import torch

from pratique import PratiqueError
from pratique.reports.evaluation import evaluation_report

# class 2 is never predicted; class 3 is neither a label nor a prediction
Y = [0, 0, 1, 1, 2, 2, 2]
PRED = [0, 1, 1, 1, 0, 0, 1]


def _report():
    probs = torch.nn.functional.one_hot(torch.tensor(PRED), 4).float()
    return evaluation_report(Y, probs, ["a", "b", "c", "d"], top_k=(1,))


def test_per_class_matches_sklearn_with_zero_division_zero():
    r = _report()
    assert r["confusion_matrix"] == [[1, 1, 0, 0], [0, 2, 0, 0], [2, 1, 0, 0], [0, 0, 0, 0]]
    rows = [(c["precision"], c["recall"], c["f1"], c["support"]) for c in r["per_class"]]
    expected = [(1 / 3, 1 / 2, 0.4, 2), (1 / 2, 1.0, 2 / 3, 2), (0.0, 0.0, 0.0, 3), (0.0, 0.0, 0.0, 0)]
    for got, want in zip(rows, expected):
        assert got == pytest.approx(want, abs=1e-12)
    assert r["accuracy"] == 3 / 7  # exact: scored in float64, as sklearn (float32 gives 0.42857143...)


def test_averages_match_sklearn_over_all_listed_classes():
    r = _report()
    # macro: the mean of the 4 rows, the absent class "d" included (torchmetrics' own "macro" drops it)
    assert (r["macro_avg"]["precision"], r["macro_avg"]["recall"], r["macro_avg"]["f1"]) == pytest.approx(
        ((1 / 3 + 1 / 2) / 4, 1.5 / 4, (0.4 + 2 / 3) / 4), abs=1e-12)
    # weighted by support (2, 2, 3, 0) / 7
    assert (r["weighted_avg"]["precision"], r["weighted_avg"]["recall"], r["weighted_avg"]["f1"]) == pytest.approx(
        ((2 / 3 + 1) / 7, 3 / 7, (0.8 + 4 / 3) / 7), abs=1e-12)
    assert r["macro_avg"]["support"] == r["weighted_avg"]["support"] == 7


def test_labels_outside_the_columns_are_explained():
    with pytest.raises(PratiqueError, match=r"class indices in \[0, 2\].*from 0 to 3"):
        evaluation_report([0, 3], torch.rand(2, 3))
    with pytest.raises(PratiqueError, match="from -1 to 1"):
        evaluation_report([-1, 1], torch.rand(2, 3))


def test_an_empty_set_is_an_error_not_zero_scores():
    with pytest.raises(PratiqueError, match="at least one sample"):
        evaluation_report(torch.zeros(0, dtype=torch.long), torch.zeros(0, 3))
