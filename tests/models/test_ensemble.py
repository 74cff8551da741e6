"""Ensembles: each combine rule against a hand computation; the lifecycle of any model."""
import numpy as np
import pytest
import torch
from torch import nn

import pratique as pq
from pratique import PratiqueError
from pratique.models.ensemble import EnsembleModule


def _members():
    torch.manual_seed(0)
    return [nn.Sequential(nn.Flatten(), nn.Linear(4, 3)) for _ in range(3)]


def test_sum_mean_prob_and_vote_against_hand_computation():
    members, x = _members(), torch.randn(5, 1, 2, 2)
    scores = torch.stack([m(x) for m in members])
    torch.testing.assert_close(EnsembleModule(members, "sum")(x), scores.sum(0))
    mean_prob = EnsembleModule(members, "mean_prob")(x)
    torch.testing.assert_close(mean_prob.softmax(-1), scores.softmax(-1).mean(0))
    vote = EnsembleModule(members, "vote").eval()(x)
    majority = torch.mode(scores.argmax(-1), dim=0).values
    two_or_more = (scores.argmax(-1) == majority).sum(0) >= 2
    assert torch.equal(vote.argmax(-1)[two_or_more], majority[two_or_more])
    torch.testing.assert_close(vote.exp().sum(-1), torch.ones(5))


def test_bad_combine_and_members():
    with pytest.raises(PratiqueError, match="combine must be one of"):
        EnsembleModule(_members(), "max")
    with pytest.raises(PratiqueError, match="non-empty list"):
        pq.Ensemble([])
    with pytest.raises(PratiqueError, match="Ensemble members are"):
        pq.Ensemble([3])


def test_boosted_lenet4_trains_evaluates_predicts_saves(tmp_path):
    (x, y), _ = pq.datasets.load_data("mnist5k")
    x, y = x[:256], y[:256]
    boosted = pq.Ensemble(["lenet4", "lenet4", "lenet4"], combine="sum")
    assert boosted.count_params() == 3 * 51050
    boosted.compile(optimizer="adam", lr=3e-3)
    history = boosted.fit(x, y, epochs=2, batch_size=64, verbose=0, seed=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    logs = boosted.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["accuracy"] > 0.3
    preds = boosted.predict(x[:8], output="labels")
    boosted.save(tmp_path / "boosted.pratique")
    again = pq.load(tmp_path / "boosted.pratique")
    np.testing.assert_array_equal(again.predict(x[:8], output="labels"), preds)


def test_from_classifiers_shares_members_and_keeps_kwargs(tmp_path):
    a = pq.ImageClassifier("lenet5", num_classes=4, activation="tanh", seed=1)
    b = pq.ImageClassifier("mlp", num_classes=4, hidden=(16,), seed=2)
    ens = pq.Ensemble([a, b], combine="mean_prob")
    assert ens.module.members[0] is a.module
    x = torch.rand(3, 1, 28, 28)
    ens.module.eval()
    ens.save(tmp_path / "e.pratique")
    again = pq.load(tmp_path / "e.pratique")
    torch.testing.assert_close(again.module.eval()(x), ens.module(x))
    assert again.architecture["kwargs"]["members"][0]["kwargs"]["activation"] == "tanh"


def test_from_modules_loads_with_the_module(tmp_path):
    ens = pq.Ensemble(_members(), combine="sum")
    assert ens.architecture is None
    ens.save(tmp_path / "m.pratique")
    with pytest.raises(PratiqueError, match="module=MyNet"):
        pq.load(tmp_path / "m.pratique")
    again = pq.load(tmp_path / "m.pratique", module=EnsembleModule(_members(), "sum"))
    x = torch.randn(2, 1, 2, 2)
    torch.testing.assert_close(again.module(x), ens.module(x))
