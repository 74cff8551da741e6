"""Probabilities and labels follow what the outputs are (models/outputs.py): a binary sigmoid head
(Keras' `Dense(1, activation="sigmoid")`), a final softmax, a log-softmax. A softmax over one
column answered class 0 with probability 1.0 for every sample, with no error."""
import numpy as np
import pytest
import torch
from torch import nn

import pratique as pq
from pratique.models.outputs import output_kind, probabilities


def _binary_data(n=64):
    g = np.random.default_rng(0)
    x = g.normal(size=(n, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")
    return x, y


def _binary_classifier(sigmoid: bool, loss: str):
    torch.manual_seed(0)
    layers = [nn.Linear(4, 1)] + ([nn.Sigmoid()] if sigmoid else [])
    clf = pq.ImageClassifier(nn.Sequential(*layers))
    clf.compile(optimizer="adam", lr=0.05, loss=loss, metrics=["accuracy"])
    x, y = _binary_data()
    clf.fit(x, y, epochs=20, batch_size=16, verbose=0, seed=0)
    return clf, x, y


@pytest.mark.parametrize("sigmoid,loss", [(True, "bce"), (True, "binary_crossentropy"),
                                          (False, "bce_with_logits")])
def test_binary_head_predicts_both_classes_with_their_probabilities(sigmoid, loss):
    clf, x, y = _binary_classifier(sigmoid, loss)
    raw = torch.from_numpy(pq.Model.predict(clf, x)).reshape(-1)
    p1 = raw if sigmoid else raw.sigmoid()  # the probability of class 1
    probs = clf.predict(x, output="probabilities")
    assert probs.shape == (len(x), 2)
    np.testing.assert_allclose(probs[:, 1], p1.numpy(), rtol=1e-6)
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-6)
    labels = clf.predict(x, output="labels")
    np.testing.assert_array_equal(labels, (p1 > 0.5).long().numpy())
    assert set(labels.tolist()) == {0, 1}  # not class 0 for everything
    accuracy = clf.evaluate(x, y, verbose=0, return_dict=True)["accuracy"]
    assert accuracy == pytest.approx(float((labels == y).mean())) and accuracy > 0.9
    report = clf.evaluate(x, y, verbose=0, report=True)
    assert report["accuracy"] == pytest.approx(accuracy)


def test_softmax_and_log_softmax_heads_are_not_softmaxed_again():
    x = np.random.default_rng(1).normal(size=(8, 4)).astype("float32")
    torch.manual_seed(0)
    soft = pq.ImageClassifier(nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=-1)))
    out = torch.from_numpy(pq.Model.predict(soft, x))
    np.testing.assert_allclose(soft.predict(x, output="probabilities"), out.numpy(), rtol=1e-6)
    logsoft = pq.ImageClassifier(nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=-1)))
    out = torch.from_numpy(pq.Model.predict(logsoft, x))
    np.testing.assert_allclose(logsoft.predict(x, output="probabilities"), out.exp().numpy(), rtol=1e-6)


def test_the_loss_tells_when_the_module_does_not():
    class Net(nn.Module):  # a softmax in forward: only the loss says what comes out
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)

        def forward(self, x):
            return self.fc(x).softmax(-1)

    assert output_kind(Net()) == "logits"
    assert output_kind(Net(), pq.losses.get("sparse_categorical_crossentropy")) == "probabilities"
    assert output_kind(Net(), pq.losses.get("nll")) == "log_probabilities"
    assert output_kind(Net(), pq.losses.get("cross_entropy")) == "logits"
    p = probabilities(torch.tensor([[0.0], [2.0]]), "logits")  # one logit: a sigmoid, two columns
    expected = torch.tensor([0.0, 2.0]).sigmoid()
    assert torch.allclose(p[:, 1], expected) and torch.allclose(p[:, 0], 1 - expected)


def test_validation_data_as_a_list_is_keras_tuple():
    x, y = _binary_data(32)
    model = pq.Model(nn.Linear(4, 2)).compile(optimizer="sgd", loss="cross_entropy")
    as_list = model.fit(x, y.astype("int64"), epochs=1, verbose=0, seed=0,
                        validation_data=[x, y.astype("int64")]).history["val_loss"]
    model2 = pq.Model(nn.Linear(4, 2)).compile(optimizer="sgd", loss="cross_entropy")
    model2.module.load_state_dict(model.module.state_dict())
    assert model2.evaluate(x, y.astype("int64"), verbose=0) == pytest.approx(as_list[-1], rel=1e-5)
    with pytest.raises(pq.PratiqueError, match="sample weights are not supported"):
        model.fit(x, y.astype("int64"), epochs=1, verbose=0, validation_data=(x, y, np.ones(32)))


def test_a_label_the_outputs_have_no_column_for_names_label_and_class_count():
    x = np.zeros((8, 4), dtype="float32")
    y = np.arange(1, 9) % 4 + 1  # labels 1..4 for a 4-output model: the course's 1-based slip
    model = pq.Model(nn.Linear(4, 4)).compile(optimizer="sgd", loss="cross_entropy")
    with pytest.raises(pq.PratiqueError, match=r"Class label 4 is out of range: the model has 4 outputs"):
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)


def test_a_classifier_on_the_users_module_loads_as_a_classifier(tmp_path):
    x, y = _binary_data(32)
    clf = pq.ImageClassifier(nn.Linear(4, 2), labels=["cat", "dog"])
    clf.compile(optimizer="sgd", loss="cross_entropy")
    clf.save(tmp_path / "c.pratique")
    back = pq.load(tmp_path / "c.pratique", module=nn.Linear(4, 2))
    assert isinstance(back, pq.ImageClassifier)
    np.testing.assert_array_equal(back.predict(x, output="labels"), clf.predict(x, output="labels"))
    assert set(back.predict(x, output="labels")) <= {"cat", "dog"}
    plain = pq.Model(nn.Linear(4, 2)).compile(loss="cross_entropy")
    plain.save(tmp_path / "m.pratique")
    assert type(pq.load(tmp_path / "m.pratique", module=nn.Linear(4, 2))) is pq.Model
