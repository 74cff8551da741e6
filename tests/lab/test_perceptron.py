import numpy as np
import pytest

from pratique import PratiqueError
from pratique.lab import ConvergenceWarning, Perceptron, blobs, formal_neuron, to_signed, xor


def test_formal_neuron_computes_and_or():
    x = [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert formal_neuron(x, [1, 1], -1.5).tolist() == [0, 0, 0, 1]
    assert formal_neuron(x, [1, 1], -0.5).tolist() == [0, 1, 1, 1]


def test_perceptron_separates_separable_data():
    x, y = blobs(50, 2, seed=1, spread=0.35)
    p = Perceptron().fit(x, to_signed(y))
    assert p.converged_ and p.n_updates_ >= 1
    assert (p.predict(x) == to_signed(y)).all()
    assert p.errors_[-1] == 0


def test_perceptron_update_rule_by_hand():
    # R² = max ‖x‖² = 8. Point 1 (score 0): w = [1, 1], b = 8. Point 2: score -4 + 8 = 4 has
    # the wrong sign: w = [1, 1] - [-2, -2] = [3, 3], b = 8 - 8 = 0. Epoch 2: no mistake.
    x, y = np.array([[1.0, 1.0], [-2.0, -2.0]]), np.array([1, -1])
    p = Perceptron(lr=1.0).fit(x, y)
    np.testing.assert_allclose(p.w_, [3.0, 3.0])
    assert p.b_ == 0.0 and p.n_updates_ == 2 and p.errors_ == [2, 0]


def test_perceptron_honestly_fails_xor():
    x, y = xor(4)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        p = Perceptron(max_epochs=20).fit(x, to_signed(y))
    assert not p.converged_ and p.n_epochs_ == 20
    assert (p.predict(x) != to_signed(y)).any()  # no line separates XOR


def test_perceptron_rejects_01_labels():
    with pytest.raises(PratiqueError, match="-1 or \\+1"):
        Perceptron().fit([[0.0, 1.0], [1.0, 0.0]], [0, 1])
