"""`pq.attacks`: adversarial examples (FGSM, PGD from `captum.robust`) and robustness tables.

Epsilon is in pixel space [0, 1]; the model's normalization is applied inside; adversarial
images are clipped to [0, 1].

Example:
    >>> x_adv = pq.attacks.fgsm(model, x_test[:8], y_test[:8], eps=0.1)
    >>> pq.attacks.robustness(model, (x_test, y_test), eps=[0, 0.05, 0.1, 0.2])
    >>> model.fit(x, y, callbacks=[pq.attacks.AdversarialTraining(eps=0.2, ratio=0.5)])
"""
from .fgsm import fgsm as fgsm
from .fgsm import noise as noise
from .fgsm import pgd as pgd
from .plots import plot_adversarials as plot_adversarials
from .robustness import ATTACKS as ATTACKS
from .robustness import EPS as EPS
from .robustness import robustness as robustness
from .training import AdversarialTraining as AdversarialTraining
