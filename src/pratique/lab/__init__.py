"""`pq.lab`: the fundamentals of deep learning as small, runnable code checked against PyTorch.

One concept per module: the formal neuron and the perceptron, a scalar autograd engine, a NumPy
MLP with hand-written backprop, gradient descent, broadcasting, softmax numerics, convolution
arithmetic and decision regions. `run_demo(name, out)` (or `pratique lab NAME`) draws each one.
"""
from .autograd import Value as Value
from .broadcasting import broadcast_shape as broadcast_shape
from .broadcasting import explain_broadcast as explain_broadcast
from .convolution import conv2d_im2col as conv2d_im2col
from .convolution import conv2d_loops as conv2d_loops
from .convolution import conv_output_size as conv_output_size
from .convolution import conv_params as conv_params
from .convolution import pool2d as pool2d
from .convolution import receptive_field as receptive_field
from .convolution import sobel as sobel
from .demos import list_demos as list_demos
from .demos import run_demo as run_demo
from .gradient_descent import OBJECTIVES as OBJECTIVES
from .gradient_descent import gradient_descent as gradient_descent
from .mlp import MLP as MLP
from .perceptron import ConvergenceWarning as ConvergenceWarning
from .perceptron import Perceptron as Perceptron
from .perceptron import formal_neuron as formal_neuron
from .softmax import cross_entropy as cross_entropy
from .softmax import entropy as entropy
from .softmax import log_softmax as log_softmax
from .softmax import nll_loss as nll_loss
from .softmax import softmax as softmax
from .softmax import softmax_naive as softmax_naive
from .toy_data import blobs as blobs
from .toy_data import circles as circles
from .toy_data import spiral as spiral
from .toy_data import to_signed as to_signed
from .toy_data import xor as xor
