"""Do a file's tensors fit the architecture its manifest names? Checked on the meta device.

The architecture is built with no memory behind its tensors (`torch.device("meta")`), so a
manifest asking for `hidden: [20000, 20000]` costs nothing until its shapes are compared with
the weights the file holds; only a file whose every name, shape and dtype matches gets a real
build. A dtype that differs is refused rather than cast: int32 bytes cast to float are other
numbers, and a float64 model run in float32 gives other results.
"""
from __future__ import annotations

import torch
from torch import nn

from ..core.errors import PratiqueError


def check_weights_fit(path, arch: dict, state: dict[str, torch.Tensor]) -> None:
    """Refuse `state` unless it matches, name for name, shape and dtype, the module `arch` builds."""
    from ..models.registry import create_model

    try:
        with torch.device("meta"):
            module = create_model(arch["name"], pretrained=False, **arch["kwargs"])
    except Exception as e:  # noqa: BLE001 -- a builder refusing its arguments: the file is wrong
        raise PratiqueError(
            f"{str(path)!r} names an architecture that cannot be built: {arch['name']!r} with "
            f"{arch['kwargs']!r} ({type(e).__name__}: {str(e)[:300]}). Nothing was loaded. "
            "Expected a file written by Model.save(); save the model again.") from None
    check_state_fits(path, module, state)


def check_state_fits(path, module: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Names, shapes and dtypes of `state` against `module.state_dict()`; all problems at once."""
    own = module.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [f"{k}: file {tuple(state[k].shape)} vs model {tuple(v.shape)}"
              for k, v in own.items() if k in state and state[k].shape != v.shape]
    dtypes = [f"{k}: file {state[k].dtype} vs model {v.dtype}"
              for k, v in own.items() if k in state and state[k].dtype != v.dtype]
    if missing or unexpected or shapes or dtypes:
        raise PratiqueError(
            f"Weights in {str(path)!r} do not match the model: missing keys {missing[:10]}, "
            f"unexpected keys {unexpected[:10]}, shape mismatches {shapes[:10]}, dtype mismatches "
            f"{dtypes[:10]}. Nothing was loaded. Pass the module the file was saved from (in the "
            "dtype it was saved in, e.g. module.double()), or save the model again.")
