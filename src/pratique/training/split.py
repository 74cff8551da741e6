"""Where a network's backbone ends and its head begins."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..core.errors import PratiqueError


@dataclass
class Split:
    """A module cut in two: `head` (the classifier), reached at `head_name`, and the rest."""

    module: nn.Module
    head: nn.Module
    head_name: str

    def backbone_layers(self) -> list[nn.Module]:
        """The backbone's leaf modules that hold parameters, in order (the unit of unfreezing)."""
        head_ids = {id(m) for m in self.head.modules()}
        return [m for m in self.module.modules()
                if id(m) not in head_ids and any(True for _ in m.parameters(recurse=False))]

    def flash_layers(self) -> list[nn.Module]:
        """The backbone's modules as Flash counts "layers" for `unfreeze_milestones`' num_layers
        (Lightning's `BaseFinetuning.flatten_modules`): every leaf module, with or without
        parameters (a ReLU counts), and every parent that holds parameters itself."""
        head_ids = {id(m) for m in self.head.modules()}
        return [m for m in self.module.modules()
                if id(m) not in head_ids and (not list(m.children()) or m._parameters)]

    @torch.no_grad()
    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """The input of the head for `x`: (N, D) embeddings."""
        if hasattr(self.module, "forward_features") and hasattr(self.module, "forward_head"):  # timm
            return self.module.forward_head(self.module.forward_features(x), pre_logits=True)
        if isinstance(self.module, nn.Sequential):
            index = list(self.module._modules).index(self.head_name)
            return self.module[:index](x)
        seen = []
        hook = self.head.register_forward_hook(lambda m, args, out: seen.append(args[0]))
        try:
            self.module(x)
        finally:
            hook.remove()
        return seen[0]


def split_backbone_head(module: nn.Module) -> Split:
    """Find the head: timm's `get_classifier()`, else the last `nn.Linear` of a Sequential (the
    head is everything from it on), else the last `nn.Linear` anywhere.

    Example:
        >>> split = split_backbone_head(nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10)))
        >>> split.head  # Linear(64, 10)
    """
    if hasattr(module, "get_classifier"):
        head = module.get_classifier()
        if isinstance(head, nn.Module) and any(True for _ in head.parameters()):
            name = next(n for n, m in module.named_modules() if m is head)
            return Split(module, head, name)
    if isinstance(module, nn.Sequential):
        names = [n for n, m in module._modules.items() if isinstance(m, nn.Linear)]
        if names:
            index = list(module._modules).index(names[-1])
            head = nn.Sequential(*list(module._modules.values())[index:]) if index < len(module) - 1 \
                else module[index]
            return Split(module, head, names[-1])
    linears = [(n, m) for n, m in module.named_modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise PratiqueError(f"Could not find a head in {type(module).__name__}: it has no nn.Linear and no "
                            "timm get_classifier(). Fine-tune a classifier, or use strategy='no_freeze'.")
    name, head = linears[-1]
    return Split(module, head, name)
