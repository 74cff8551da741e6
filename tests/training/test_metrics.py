import pytest
import torch

import pratique as pq
from pratique.training import metrics
from pratique.training.trainer import metric_logs


def by_hand(pred, y, c):
    tp = torch.tensor([((pred == k) & (y == k)).sum().item() for k in range(c)], dtype=torch.float)
    p = tp / torch.tensor([max((pred == k).sum().item(), 1) for k in range(c)])
    r = tp / torch.tensor([max((y == k).sum().item(), 1) for k in range(c)])
    f1 = torch.where(p + r > 0, 2 * p * r / (p + r), torch.zeros(c))
    return p, r, f1


def feed(names, outputs, targets, chunks=3):
    ms = [metrics.get(n) for n in names]
    for m in ms:
        m.reset()
        for o, t in zip(outputs.chunk(chunks), targets.chunk(chunks)):
            m.update(o, t)
    return ms


def test_classification_metrics_against_hand_computed():
    g = torch.Generator().manual_seed(0)
    out, y = torch.randn(60, 4, generator=g), torch.randint(0, 4, (60,), generator=g)
    pred = out.argmax(1)
    p, r, f1 = by_hand(pred, y, 4)
    ms = feed(["accuracy", "precision", "recall", "f1", "f1_per_class", "top2_accuracy", "confusion_matrix"], out, y)
    logs = metric_logs(ms)
    assert logs["accuracy"] == pytest.approx((pred == y).float().mean().item())
    assert logs["precision"] == pytest.approx(p.mean().item(), abs=1e-6)
    assert logs["recall"] == pytest.approx(r.mean().item(), abs=1e-6)
    assert logs["f1"] == pytest.approx(f1.mean().item(), abs=1e-6)
    assert [logs[f"f1_{k}"] for k in range(4)] == pytest.approx(f1.tolist(), abs=1e-6)
    top2 = (out.topk(2, dim=1).indices == y[:, None]).any(1).float().mean().item()
    assert logs["top2_accuracy"] == pytest.approx(top2)
    cm = ms[-1].value
    assert cm.sum() == 60 and cm.diag().sum() == (pred == y).sum() and cm[1].sum() == (y == 1).sum()


def test_multilabel_metrics():
    g = torch.Generator().manual_seed(1)
    logits, t = torch.randn(40, 3, generator=g), torch.randint(0, 2, (40, 3), generator=g)
    logs = metric_logs(feed(["multilabel_accuracy"], logits, t))
    expected = ((logits > 0).long() == t).float().mean(0).mean().item()  # macro over labels
    assert logs["multilabel_accuracy"] == pytest.approx(expected, abs=1e-6)


def test_metrics_in_fit_logs_and_errors():
    from training_helpers import make_data, make_model

    model = make_model(metrics=["accuracy", "f1", "precision_per_class"])
    hist = model.fit(*make_data(), epochs=1, batch_size=32, verbose=0)
    assert {"accuracy", "f1", "precision_0", "precision_2"} <= set(hist.history)
    with pytest.raises(pq.UnknownNameError, match="f1"):
        metrics.get("f2_score")
