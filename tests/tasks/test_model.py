import json
import math
import zipfile

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import pratique as pq


def tiny_mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))


def test_fit_returns_history_with_per_epoch_lists_and_learns(small_digits):
    (x, y), (xt, yt) = small_digits
    model = pq.Model(tiny_mlp()).compile(optimizer="adam", lr=3e-3, metrics=["accuracy"])
    history = model.fit(x, y, epochs=4, batch_size=32, validation_data=(xt, yt), verbose=0, seed=0)
    h = history.history
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 4 for v in h.values())
    assert h["loss"][-1] < h["loss"][0]
    assert h["val_accuracy"][-1] > 0.8


def test_evaluate_matches_a_manual_computation(small_digits):
    (x, y), (xt, yt) = small_digits
    model = pq.Model(tiny_mlp()).compile(metrics=["accuracy"])
    model.fit(x, y, epochs=1, verbose=0, seed=0)
    result = model.evaluate(xt, yt, batch_size=64, verbose=0, return_dict=True)
    with torch.no_grad():
        logits = model.module(torch.from_numpy(xt).float().div(255).unsqueeze(1))
    assert result["loss"] == pytest.approx(F.cross_entropy(logits, torch.from_numpy(yt).long()).item(), rel=1e-5)
    expected_acc = (logits.argmax(1).numpy() == yt).mean()
    assert result["accuracy"] == pytest.approx(expected_acc)


def test_predict_returns_module_outputs_as_numpy(small_digits):
    (x, _), _ = small_digits
    module = tiny_mlp()
    out = pq.Model(module).predict(x[:70], batch_size=32)
    with torch.no_grad():
        ref = module(torch.from_numpy(x[:70]).float().div(255).unsqueeze(1)).numpy()
    assert isinstance(out, np.ndarray) and out.shape == (70, 10)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)


def test_uint8_is_scaled_like_float_in_unit_range(small_digits):
    (x, y), _ = small_digits
    a = pq.Model(tiny_mlp()).compile()
    b = pq.Model(tiny_mlp()).compile()
    ha = a.fit(x, y, epochs=2, verbose=0, seed=3).history
    hb = b.fit((x.astype(np.float32) / 255.0, y), epochs=2, verbose=0, seed=3).history
    np.testing.assert_allclose(ha["loss"], hb["loss"], rtol=1e-5)


def test_channels_last_arrays_are_accepted():
    x = np.random.default_rng(0).integers(0, 255, (20, 8, 8, 3), dtype=np.uint8)
    y = np.arange(20) % 2
    module = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(4 * 36, 2))
    model = pq.Model(module).compile()
    model.fit(x, y, epochs=1, verbose=0)
    assert model.input_shape == (3, 8, 8)


def test_same_seed_gives_identical_history(small_digits):
    (x, y), _ = small_digits
    runs = []
    for _ in range(2):
        model = pq.ImageClassifier("lenet5", seed=7).compile(lr=2e-3)
        runs.append(model.fit(x, y, epochs=2, validation_split=0.2, verbose=0, seed=7).history)
    assert runs[0] == runs[1]
    other = pq.ImageClassifier("lenet5", seed=8).compile(lr=2e-3)
    assert other.fit(x, y, epochs=2, validation_split=0.2, verbose=0, seed=8).history != runs[0]


def test_validation_split_holds_out_the_last_fraction(small_digits):
    (x, y), _ = small_digits
    model = pq.Model(tiny_mlp()).compile()
    split = model.fit(x, y, epochs=1, validation_split=0.25, verbose=0, seed=0).history
    explicit = pq.Model(tiny_mlp()).compile()
    ref = explicit.fit(x[:600], y[:600], epochs=1, validation_data=(x[600:], y[600:]), verbose=0, seed=0).history
    assert split == ref


def test_save_load_gives_identical_predictions(tmp_path, small_digits):
    (x, y), (xt, _) = small_digits
    model = pq.ImageClassifier("lenet5", seed=0).compile()
    model.adapt_normalization(x)
    model.classes = [str(i) for i in range(10)]
    model.fit(x, y, epochs=1, verbose=0, seed=0)
    path = tmp_path / "m.pratique"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["manifest.json", "weights.safetensors"]
        manifest = json.loads(z.read("manifest.json"))
    assert manifest["architecture"]["name"] == "lenet5"
    assert manifest["pratique_version"] == pq.__version__
    assert len(manifest["preprocessing"]["mean"]) == 1
    loaded = pq.load(path)
    np.testing.assert_array_equal(loaded.predict(xt), model.predict(xt))
    assert list(loaded.predict(xt[:3], output="labels")) == list(model.predict(xt[:3], output="labels"))
    assert loaded.classes == model.classes


def test_custom_module_needs_the_module_to_load(tmp_path):
    model = pq.Model(tiny_mlp())
    path = tmp_path / "custom.pratique"
    model.save(path)
    with pytest.raises(pq.PratiqueError, match="module=MyNet"):
        pq.load(path)
    fresh = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))
    loaded = pq.load(path, module=fresh)
    for a, b in zip(loaded.module.parameters(), model.module.parameters()):
        assert torch.equal(a, b)
    with pytest.raises(pq.PratiqueError, match="do not match"):
        pq.load(path, module=nn.Sequential(nn.Flatten(), nn.Linear(784, 10)))


def test_newer_model_file_is_refused_plainly(tmp_path):
    path = tmp_path / "m.pratique"
    pq.Model(tiny_mlp()).save(path)
    with zipfile.ZipFile(path) as z:
        manifest, weights = json.loads(z.read("manifest.json")), z.read("weights.safetensors")
    manifest["pratique_version"] = "99.0.0"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("weights.safetensors", weights)
    with pytest.raises(pq.PratiqueError, match="newer"):
        pq.load(path, module=tiny_mlp())


@pytest.mark.parametrize("call, match", [
    (lambda m, x, y: m.fit(x, y[:10], verbose=0), "same number of samples"),
    (lambda m, x, y: m.fit(x, None, verbose=0), "needs targets"),
    (lambda m, x, y: m.fit(x, y, epochs=0, verbose=0), "epochs must be"),
    (lambda m, x, y: m.fit(x, y, batch_size=0, verbose=0), "batch_size must be"),
    (lambda m, x, y: m.fit(x, y, validation_split=1.5, verbose=0), "validation_split"),
    (lambda m, x, y: m.fit("data.csv", y, verbose=0), "numpy array"),
])
def test_bad_fit_inputs_raise_clear_errors(call, match, small_digits):
    (x, y), _ = small_digits
    model = pq.Model(tiny_mlp()).compile()
    with pytest.raises(pq.PratiqueError, match=match):
        call(model, x, y)


def test_unknown_names_and_uncompiled_use_are_clear_errors(small_digits):
    (x, y), _ = small_digits
    with pytest.raises(pq.UnknownNameError, match="adam"):
        pq.Model(tiny_mlp()).compile(optimizer="adma")
    with pytest.raises(pq.UnknownNameError, match="cross_entropy"):
        pq.Model(tiny_mlp()).compile(loss="crossentropy")
    with pytest.raises(pq.PratiqueError, match="compile"):
        pq.Model(tiny_mlp()).fit(x, y)
    with pytest.raises(pq.UnknownNameError, match="lenet5"):
        pq.ImageClassifier("lenet")
    with pytest.raises(pq.PratiqueError, match="nn.Module"):
        pq.Model("lenet5")


def test_image_classifier_predict_outputs(small_digits):
    (x, y), (xt, _) = small_digits
    model = pq.ImageClassifier("mlp", seed=0).compile()
    model.classes = list("abcdefghij")
    probs = model.predict(xt[:5], output="probabilities")
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-5)
    labels = model.predict(xt[:5], output="labels")
    assert list(labels) == [model.classes[i] for i in probs.argmax(1)]
    top, p = model.predict(xt[:5], top_k=3)
    assert top.shape == (5, 3) and np.all(np.diff(p, axis=1) <= 0)


def test_loaded_model_is_compiled_with_the_saved_settings(tmp_path, small_digits):
    (x, y), (xt, yt) = small_digits
    model = pq.ImageClassifier("mlp", seed=0).compile(optimizer="sgd", lr=0.05)
    model.fit(x, y, epochs=1, verbose=0, seed=0)
    model.save(tmp_path / "m.pratique")
    loaded = pq.load(tmp_path / "m.pratique")
    assert isinstance(loaded.optimizer, torch.optim.SGD)
    assert loaded.optimizer.param_groups[0]["lr"] == 0.05
    assert loaded.evaluate(xt, yt, verbose=0) == model.evaluate(xt, yt, verbose=0)


@pytest.mark.parametrize("n, split", [(7, 0.5), (50, 0.3), (10, 0.25), (4000, 0.2), (33, 0.1)])
def test_validation_split_cuts_where_keras_cuts(n, split):
    """Keras 3 (trainers/data_adapters/array_slicing.py): split_at = floor(n * (1 - split))."""
    from pratique.tasks._inputs import validation_cut

    assert validation_cut(n, split) == math.floor(n * (1.0 - split))


def test_validation_split_leaving_nothing_is_refused():
    model = pq.Model(nn.Linear(2, 2)).compile(loss="cross_entropy")
    with pytest.raises(pq.PratiqueError, match="leaves 0 to train on"):
        model.fit(np.zeros((1, 2), np.float32), np.zeros(1, np.int64), validation_split=0.2, verbose=0)
