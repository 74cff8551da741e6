"""model.embed(x) -> numpy (N, D): the head's input for a classifier, the code for an autoencoder,
computed by hand with torch as the reference; batched, eval mode, no gradient."""
import numpy as np
import pytest
import torch

import pratique as pq
from pratique.models import create_model


def _digits(n=10, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, 28, 28), dtype=np.uint8)


def _scaled(x):
    return torch.from_numpy(x).float().div(255).unsqueeze(1)  # (N, 1, 28, 28) in [0, 1]


def test_mlp_embedding_is_the_hidden_layer_on_scaled_inputs():
    x = _digits()
    model = pq.ImageClassifier("mlp", hidden=(16,), seed=0)
    lin = model.module[1]
    expected = torch.relu(lin(_scaled(x).flatten(1))).detach().numpy()
    emb = model.embed(x, batch_size=3)  # batched: 4 batches of at most 3
    assert isinstance(emb, np.ndarray) and emb.shape == (10, 16) and emb.dtype == np.float32
    np.testing.assert_allclose(emb, expected, rtol=1e-5, atol=1e-6)


def test_lenet5_embedding_is_what_its_last_linear_takes():
    x = _digits(4)
    model = pq.ImageClassifier("lenet5", seed=0)
    seen = []
    model.module[-1].register_forward_hook(lambda m, args, out: seen.append(args[0]))
    model.module.eval()
    with torch.no_grad():
        model.module(_scaled(x))
    np.testing.assert_allclose(model.embed(x), seen[0].numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["autoencoder", "conv_autoencoder"])
def test_autoencoder_embedding_is_its_latent_code(name):
    x = _digits(6)
    module = create_model(name, latent_dim=5)
    module.train()  # dropout-free, but the mode must come back as it was
    with torch.no_grad():
        expected = module.encode(_scaled(x)).numpy()
    emb = pq.Model(module).embed(x)
    assert emb.shape == (6, 5) and module.training
    np.testing.assert_allclose(emb, expected, rtol=1e-5, atol=1e-6)


def test_windows_embed_through_conv1d_autoencoder():
    x = np.random.default_rng(0).normal(size=(7, 2, 32)).astype(np.float32)
    module = create_model("conv1d_autoencoder", in_channels=2, input_size=32, latent_dim=3)
    with torch.no_grad():
        expected = module.eval().encode(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(pq.Model(module).embed(x), expected, rtol=1e-5, atol=1e-6)


def test_ensemble_embedding_puts_its_members_side_by_side():
    x = _digits(3)
    model = pq.ImageClassifier("ensemble", seed=0)
    members = model.module.members
    parts = [pq.Model(m).embed(x) for m in members]
    np.testing.assert_allclose(model.embed(x), np.concatenate(parts, axis=1), rtol=1e-6)


def test_image_data_splits_embed_in_order_as_the_arrays_do():
    x, xt = _digits(12), _digits(5, seed=1)
    data = pq.ImageData.from_numpy(x, np.arange(12) % 2, test_data=(xt, np.arange(5) % 2),
                                   batch_size=4)
    model = pq.ImageClassifier("mlp", hidden=(8,), seed=0).compile()
    model.fit(data, epochs=1, verbose=0)  # the model takes the data's normalization
    np.testing.assert_allclose(model.embed(data), model.embed(xt), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.embed(data, split="train"), model.embed(x), rtol=1e-5, atol=1e-6)
