"""`pq.explain`: seeing inside the network, on Captum.

Attributions (saliency, integrated gradients, occlusion, Grad-CAM, guided backprop) of an
image, and activation maximization (the input that excites a class, a channel or a neuron).
Images are in pixel space [0, 1]; the model's normalization is applied inside.

Example:
    >>> a = pq.explain.attributions(model, x_test[0])
    >>> pq.explain.plot_attributions(model, x_test[0], label=y_test[0], path="explain.png")
    >>> img = pq.explain.maximize(model, layer="3", channel=5)
"""
from .attributions import METHODS as METHODS
from .attributions import attributions as attributions
from .maximize import REGULARIZERS as REGULARIZERS
from .maximize import maximize as maximize
from .maximize import maximize_grid as maximize_grid
from .maximize import objective as objective
from .plots import plot_attributions as plot_attributions
