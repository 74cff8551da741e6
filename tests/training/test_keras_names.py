"""Keras' metric and loss names, binary heads, metric directions (issues 14.3-4, 15.1/6/11/15)."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchmetrics.classification as tc
from torch import nn

import pratique as pq
from pratique.training import losses, metrics
from pratique.training.callbacks import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau

G = torch.Generator().manual_seed(0)


def binary_data(n=200):
    x = torch.randn(n, 2, generator=G)
    y = (x[:, 0] + x[:, 1] > 0).float().view(n, 1)  # (N, 1) float targets, as in Keras courses
    return x.numpy(), y.numpy()


def sigmoid_model(loss="bce", metric_names=("accuracy",)):
    torch.manual_seed(0)
    module = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    return pq.Model(module, accelerator="cpu").compile(lr=0.05, loss=loss, metrics=list(metric_names))


@pytest.mark.parametrize("loss", ["bce", "binary_crossentropy"])
def test_binary_sigmoid_head_accuracy_is_the_true_accuracy(loss):
    x, y = binary_data()
    model = sigmoid_model(loss, ["accuracy", "precision", "recall", "f1"])
    hist = model.fit(x, y, epochs=5, batch_size=32, verbose=0, validation_data=(x, y))
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    p = torch.from_numpy(model.predict(x)).view(-1)
    t = torch.from_numpy(y).view(-1)
    by_hand = float(((p > 0.5).float() == t).float().mean())
    assert logs["accuracy"] == pytest.approx(by_hand) and by_hand > 0.85  # not 0.5, not 37.0
    assert hist.history["val_accuracy"][-1] == pytest.approx(by_hand)
    assert 0 <= hist.history["accuracy"][-1] <= 1
    for name, ref in [("precision", tc.BinaryPrecision()), ("recall", tc.BinaryRecall()),
                      ("f1", tc.BinaryF1Score())]:
        assert logs[name] == pytest.approx(float(ref(p, t.long())), abs=1e-6)


def test_binary_logits_threshold_zero_and_int_targets():
    z = torch.tensor([[-2.0], [0.3], [1.0], [-0.1]])
    y = torch.tensor([0, 1, 0, 0])  # (N,) int targets
    acc = metrics.get("accuracy")
    acc.bind(losses.get("bce_with_logits"))
    acc.update(z, y)
    assert acc.compute() == pytest.approx(0.75) == float(tc.BinaryAccuracy()(z.view(-1), y))
    ba = metrics.get("binary_accuracy")
    ba.bind(losses.get("binary_crossentropy"))  # probabilities: Keras' threshold 0.5
    ba.update(torch.tensor([[0.9], [0.4], [0.6]]), torch.tensor([[1.0], [1.0], [0.0]]))
    assert ba.compute() == pytest.approx(1 / 3)


def test_confusion_matrix_of_a_binary_head():
    cm = metrics.get("confusion_matrix")
    cm.bind(losses.get("bce"))
    cm.update(torch.tensor([[0.9], [0.2], [0.7], [0.1]]), torch.tensor([[1.0], [1.0], [0.0], [0.0]]))
    cm.compute()
    assert cm.value.tolist() == [[1, 1], [1, 1]]


def test_keras_metric_names_against_references():
    out = torch.randn(12, 5, generator=G)
    cls = torch.randint(0, 5, (12,), generator=G)
    onehot = F.one_hot(cls, 5).float()
    reg_y = torch.randn(12, 5, generator=G)

    def run(name, o, t):
        m = metrics.get(name)
        m.update(o[:7], t[:7])
        m.update(o[7:], t[7:])
        return m.compute(), m.name

    hit = (out.argmax(1) == cls).float().mean().item()
    assert run("categorical_accuracy", out, onehot) == (pytest.approx(hit), "categorical_accuracy")
    assert run("sparse_categorical_accuracy", out, cls)[0] == pytest.approx(hit)
    top = tc.MulticlassAccuracy(5, top_k=2, average="micro")(out, cls).item()
    m = metrics.get("top_k_categorical_accuracy", k=2)
    m.update(out, onehot)
    assert m.compute() == pytest.approx(top)
    assert run("mse", out, reg_y) == (pytest.approx(F.mse_loss(out, reg_y).item()), "mse")
    assert run("mean_absolute_error", out, reg_y)[0] == pytest.approx(F.l1_loss(out, reg_y).item())
    with pytest.raises(pq.PratiqueError, match="sparse_categorical_accuracy"):
        run("categorical_accuracy", out, cls)
    p, t = torch.rand(50, 1, generator=G), torch.randint(0, 2, (50, 1), generator=G)
    auc = metrics.get("auc")
    auc.bind(losses.get("bce"))
    auc.update(p, t)
    assert auc.compute() == pytest.approx(tc.BinaryAUROC()(p.view(-1), t.view(-1)).item())


def test_function_metric_is_a_mean_over_samples_and_acc_keeps_its_name():
    def squared(y_true, y_pred):
        return ((y_pred - y_true) ** 2).mean(dim=-1)

    m = metrics.get(squared)
    a, b = torch.randn(5, 3, generator=G), torch.randn(5, 3, generator=G)
    m.update(a[:2], b[:2])
    m.update(a[2:], b[2:])  # uneven batches: a mean over samples, not over batches
    assert m.name == "squared" and m.compute() == pytest.approx(F.mse_loss(a, b).item())
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    model = pq.Model(nn.Linear(4, 2), accelerator="cpu").compile(metrics=["acc"])
    es = EarlyStopping(monitor="acc", patience=5)
    hist = model.fit(x, y, epochs=2, verbose=0, callbacks=[es])
    assert "acc" in hist.history and "accuracy" not in hist.history and es.mode == "max"


def test_compile_without_metrics_has_none_and_classifier_keeps_accuracy():
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    y = np.zeros(32, dtype="int64")
    model = pq.Model(nn.Linear(4, 2), accelerator="cpu").compile()
    assert model.metrics == [] and set(model.evaluate(x, y, verbose=0, return_dict=True)) == {"loss"}
    clf = pq.ImageClassifier("mlp", num_classes=3, seed=0).compile()
    assert [m.name for m in clf.metrics] == ["accuracy"]


def test_keras_losses_against_torch_references():
    logits = torch.randn(16, 4, generator=G)
    p = logits.softmax(-1)
    cls = torch.randint(0, 4, (16,), generator=G)
    onehot = F.one_hot(cls, 4).float()
    ref = F.cross_entropy(logits, cls)
    assert torch.allclose(losses.get("sparse_categorical_crossentropy")(p, cls), ref, atol=1e-5)
    assert torch.allclose(losses.get("sparse_categorical_crossentropy")(p, cls.view(-1, 1)), ref, atol=1e-5)
    assert torch.allclose(losses.get("sparse_categorical_crossentropy", from_logits=True)(logits, cls), ref)
    assert torch.allclose(losses.get("categorical_crossentropy")(p, onehot), ref, atol=1e-5)
    smooth = losses.get("categorical_crossentropy", from_logits=True, label_smoothing=0.1)(logits, onehot)
    assert torch.allclose(smooth, F.cross_entropy(logits, cls, label_smoothing=0.1), atol=1e-6)
    z, t = torch.randn(16, 1, generator=G), torch.randint(0, 2, (16,), generator=G)
    bce_ref = F.binary_cross_entropy_with_logits(z, t.float().view(16, 1))
    assert torch.allclose(losses.get("binary_crossentropy")(z.sigmoid(), t), bce_ref, atol=1e-5)
    assert torch.allclose(losses.get("binary_crossentropy", from_logits=True)(z, t), bce_ref)
    y = torch.randn(16, 4, generator=G)
    assert torch.allclose(losses.get("mean_squared_error")(logits, y), F.mse_loss(logits, y))
    assert torch.allclose(losses.get("mean_absolute_error")(logits, y), F.l1_loss(logits, y))
    assert torch.allclose(losses.get("huber", delta=0.5)(logits, y), F.huber_loss(logits, y, delta=0.5))
    q = torch.rand(16, 4, generator=G).softmax(-1)
    kl_ref = F.kl_div(p.log(), q, reduction="batchmean")
    assert torch.allclose(losses.get("kl_divergence")(p, q), kl_ref, atol=1e-6)
    # Keras' formulas by hand: hinge on -1/1 labels, categorical hinge on one-hot rows
    s, lab = torch.tensor([[0.3], [-2.0], [0.5]]), torch.tensor([[1.0], [0.0], [0.0]])  # 0/1 -> -1/1
    assert losses.get("hinge")(s, lab).item() == pytest.approx((0.7 + 0.0 + 1.5) / 3)
    sc, oh = torch.tensor([[2.0, 1.0, 0.5], [0.0, 3.0, 1.0]]), torch.tensor([[1.0, 0, 0], [1.0, 0, 0]])
    assert losses.get("categorical_hinge")(sc, oh).item() == pytest.approx((0.0 + 4.0) / 2)


def test_probability_loss_on_logits_is_refused_with_the_fix():
    logits = torch.randn(8, 3, generator=G) * 3
    with pytest.raises(pq.PratiqueError, match="from_logits=True"):
        losses.get("sparse_categorical_crossentropy")(logits, torch.zeros(8, dtype=torch.long))
    with pytest.raises(pq.PratiqueError, match="bce_with_logits"):
        losses.get("binary_crossentropy")(logits[:, :1], torch.zeros(8, 1))


def test_softmax_head_with_cross_entropy_warns_once():
    module = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=-1))
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = np.zeros(64, dtype="int64")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pq.Model(module, accelerator="cpu").compile().fit(x, y, epochs=2, verbose=0)
    found = [w for w in caught if "softmax" in str(w.message)]
    assert len(found) == 1 and "Drop the final softmax" in str(found[0].message)
    loss = losses.get("cross_entropy")  # a softmax in forward(), not a layer: the first batch tells
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            loss(torch.randn(4, 3).log_softmax(-1), torch.zeros(4, dtype=torch.long))
    assert len([w for w in caught if "loss='nll'" in str(w.message)]) == 1


def test_accuracy_on_a_regression_is_refused():
    with pytest.raises(pq.PratiqueError, match=r"metrics=\['mae'\]"):
        pq.Model(nn.Linear(4, 2)).compile(loss="mse", metrics=["accuracy"])
    acc = metrics.get("accuracy")
    acc.bind(losses.get(lambda o, t: ((o - t) ** 2).mean()))
    with pytest.raises(pq.PratiqueError, match=r"metrics=\['mae'\]"):
        acc.update(torch.randn(4, 2), torch.randn(4, 2))


def test_mode_auto_follows_the_declared_direction():
    def model_with(*names):
        return pq.Model(nn.Linear(4, 1), accelerator="cpu").compile(loss="bce_with_logits", metrics=list(names))

    def settle(cb, model):
        cb.set_model(model)
        cb.on_train_begin({})
        return cb.mode

    model = model_with("auc", "mae")
    assert settle(EarlyStopping(monitor="val_auc"), model) == "max"  # was "min": kept the worst
    assert settle(ReduceLROnPlateau(monitor="val_mae"), model) == "min"
    assert settle(ModelCheckpoint("m.pratique", monitor="val_loss", save_best_only=True), model) == "min"
    for name in ("val_iou", "val_dice", "val_r2"):
        assert EarlyStopping(monitor=name).mode == "max"

    def margin(y_true, y_pred):
        return y_pred.view(-1) * (2 * y_true.view(-1) - 1)
    margin.higher_is_better = True
    assert settle(EarlyStopping(monitor="val_margin"), model_with(margin)) == "max"
    with pytest.raises(pq.PratiqueError, match="mode='max'"):
        settle(EarlyStopping(monitor="val_score"), model)


def test_load_restores_the_compiled_loss_and_metrics(tmp_path):
    x, y = binary_data(64)
    model = sigmoid_model("binary_crossentropy", ["binary_accuracy", "auc"])
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.pratique")
    loaded = pq.load(tmp_path / "m.pratique", module=nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()))
    assert loaded.loss_fn.name == "binary_crossentropy"
    assert [m.name for m in loaded.metrics] == ["binary_accuracy", "auc"]
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(model.evaluate(x, y, verbose=0, return_dict=True))

    def custom(y_true, y_pred):
        return (y_pred - y_true).abs().view(-1)
    model.compile(loss="bce", metrics=["mae", custom])
    model.save(tmp_path / "c.pratique")
    with pytest.warns(UserWarning, match="compile"):
        again = pq.load(tmp_path / "c.pratique", module=nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()))
    assert [m.name for m in again.metrics] == ["mae"]


def test_load_restores_the_optimizer_arguments_schedule_and_clipping(tmp_path):
    """momentum, nesterov, weight_decay, clipping, EMA and the schedule were dropped by pq.load:
    the reloaded model then fit with plain SGD, silently."""
    model = pq.Model(nn.Linear(2, 3)).compile(optimizer="sgd", lr=0.1, momentum=0.9, nesterov=True,
                                              weight_decay=1e-4, clipnorm=1.0, use_ema=True,
                                              schedule="cosine", loss="cross_entropy")
    model.save(tmp_path / "m.pratique")
    loaded = pq.load(tmp_path / "m.pratique", module=nn.Linear(2, 3))
    group = loaded.optimizer.param_groups[0]
    assert type(loaded.optimizer) is type(model.optimizer) and group["lr"] == pytest.approx(0.1)
    assert group["momentum"] == 0.9 and group["nesterov"] is True and group["weight_decay"] == 1e-4
    assert loaded.gradient_clip == {"clipnorm": 1.0} and loaded.optimizer.ema is not None
    assert repr(loaded.schedule) == repr(model.schedule) == "Schedule('cosine', {})"
