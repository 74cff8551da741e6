"""Adversarial examples (FGSM, PGD) against a LeNet-5 trained on mnist5k, the same budget spent on
random noise as a control, then FGSM adversarial training and the robustness table again.

Run: python examples/adversarial.py [OUT_DIR]   (default runs/examples/adversarial/)"""
import os
import sys

import pratique as pq

FAST = os.environ.get("PRATIQUE_FAST") == "1"
OUT = sys.argv[1] if len(sys.argv) > 1 else "runs/examples/adversarial"
N, EPOCHS, LIMIT = (600, 1, 200) if FAST else (4000, 8, None)
EPS = [0, 0.05, 0.1, 0.2]
os.makedirs(OUT, exist_ok=True)
(x, y), (xt, yt) = pq.datasets.load_data("mnist5k")


def train(callbacks):
    model = pq.ImageClassifier("lenet5", seed=0)
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    model.fit(x[:N], y[:N], epochs=EPOCHS, batch_size=32, verbose=0, seed=0, callbacks=callbacks)
    return model


def table(title, model):
    rows = pq.attacks.robustness(model, (xt, yt), eps=EPS, methods=("fgsm", "pgd"), limit=LIMIT)
    print(f"{title}\n   eps   FGSM    PGD  noise")
    for r in rows:
        print(f"{r['eps']:6.2f} {r['fgsm']:6.3f} {r['pgd']:6.3f} {r['noise']:6.3f}")
    return rows


plain = train([])
before = table("LeNet-5", plain)
pq.attacks.plot_adversarials(plain, xt, yt, eps=0.2, path=os.path.join(OUT, "fgsm.png"))
# half of every batch replaced by its FGSM adversarial at eps 0.2, made with the current weights
robust = train([pq.attacks.AdversarialTraining(eps=0.2, method="fgsm", ratio=0.5)])
after = table("LeNet-5, adversarially trained (FGSM, eps 0.2)", robust)
pq.attacks.plot_adversarials(robust, xt, yt, eps=0.2, path=os.path.join(OUT, "fgsm_trained.png"))
print(f"FGSM accuracy at eps 0.2: {before[-1]['fgsm']:.3f} before, {after[-1]['fgsm']:.3f} after "
      f"adversarial training (clean {before[0]['fgsm']:.3f} -> {after[0]['fgsm']:.3f})")
