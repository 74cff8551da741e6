import pytest
import torch
import torch.nn.functional as F

import pratique as pq
from pratique.training import losses

SCORES = torch.tensor([[5.0, 4, 2], [4, 2, 8], [4, 5, 1]])
CLASSES = torch.tensor([2, 0, 1])


def test_hinge_course_example_by_hand():
    # per sample: (4+3+1)-1=7, (1+0+5)-1=5, (0+1+0)-1=0
    assert losses.get("hinge", margin=1.0, reduction="sum")(SCORES, CLASSES).item() == 12.0
    # the course's figure keeps the true class's margin term: 8 + 6 + 1 = 15
    course = losses.get("hinge", margin=1.0, reduction="sum", include_true_class=True)
    assert course(SCORES, CLASSES).item() == 15.0
    assert losses.get("hinge", reduction="mean")(SCORES, CLASSES).item() == pytest.approx(4.0)


def test_hinge_equals_torch_multi_margin():
    g = torch.Generator().manual_seed(0)
    s, t = torch.randn(16, 5, generator=g), torch.randint(0, 5, (16,), generator=g)
    for margin in (0.5, 1.0, 2.0):
        ours = losses.get("hinge", margin=margin, reduction="sum")(s, t)
        ref = F.multi_margin_loss(s, t, margin=margin, reduction="sum") * s.shape[1]
        assert torch.allclose(ours, ref, atol=1e-5)


def test_cross_entropy_and_nll_match_torch():
    g = torch.Generator().manual_seed(1)
    logits, t = torch.randn(32, 7, generator=g), torch.randint(0, 7, (32,), generator=g)
    w = torch.rand(7, generator=g) + 0.1
    assert torch.allclose(losses.get("cross_entropy")(logits, t), F.cross_entropy(logits, t))
    ours = losses.get("cross_entropy", label_smoothing=0.1, class_weight=w.tolist())(logits, t)
    assert torch.allclose(ours, F.cross_entropy(logits, t, weight=w, label_smoothing=0.1))
    dict_w = {i: float(v) for i, v in enumerate(w)}
    assert torch.allclose(losses.get("cross_entropy", class_weight=dict_w)(logits, t),
                          F.cross_entropy(logits, t, weight=w))
    logp = logits.log_softmax(-1)
    assert torch.allclose(losses.get("nll")(logp, t), F.cross_entropy(logits, t))
    assert torch.allclose(losses.get("nll", reduction="sum")(logp, t), F.nll_loss(logp, t, reduction="sum"))


def test_bce_multilabel_mse_l1():
    g = torch.Generator().manual_seed(2)
    z, t = torch.randn(8, 4, generator=g), (torch.rand(8, 4, generator=g) > 0.5).long()
    assert torch.allclose(losses.get("bce_with_logits")(z, t), F.binary_cross_entropy_with_logits(z, t.float()))
    assert torch.allclose(losses.get("bce")(z.sigmoid(), t), F.binary_cross_entropy(z.sigmoid(), t.float()))
    zb, tb = torch.randn(8, 1, generator=g), torch.randint(0, 2, (8,), generator=g)  # binary, (N,) targets
    assert torch.allclose(losses.get("bce_with_logits")(zb, tb),
                          F.binary_cross_entropy_with_logits(zb, tb.float().view(8, 1)))
    y = torch.randn(8, 4, generator=g)
    assert torch.allclose(losses.get("mse")(z, y), F.mse_loss(z, y))
    assert torch.allclose(losses.get("l1", reduction="sum")(z, y), F.l1_loss(z, y, reduction="sum"))


def test_errors_name_the_fix():
    with pytest.raises(pq.UnknownNameError, match="cross_entropy"):
        losses.get("cross_entropi")
    with pytest.raises(pq.PratiqueError, match="margin"):
        losses.get("hinge", margn=2)
    with pytest.raises(pq.PratiqueError, match="reduction"):
        losses.get("hinge", reduction="avg")(SCORES, CLASSES)
