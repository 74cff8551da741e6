"""Keras' `layer.trainable = False` on a model: `model.freeze(layers)` / `model.unfreeze(layers)`."""
from __future__ import annotations

from torch import nn

from ..models.cut import unknown_layer


class Freezing:
    """`freeze` / `unfreeze` for a class that holds its network as `self.module`."""

    def freeze(self, layers=None):
        """Stop training `layers`: their parameters get no gradient and their BatchNorm layers
        run in inference mode during training, so the running statistics stay as they are
        (Keras' `trainable = False`).

        Args:
            layers: a layer name or a list of names; a name also covers the layers under it
                ("blocks.5" freezes "blocks.5.0.conv_pw"). None: the backbone (everything but
                the head, as `finetune(strategy="freeze")` finds it).

        Example:
            >>> model.freeze()                      # train the head only
            >>> model.freeze(["conv_stem", "blocks.0", "blocks.1"])
        """
        from .finetune import set_trainable

        set_trainable(self._layers(layers), False)
        return self

    def unfreeze(self, layers=None):
        """Train `layers` again (None: the backbone); see `freeze`."""
        from .finetune import set_trainable

        set_trainable(self._layers(layers), True)
        return self

    def _layers(self, layers) -> list[nn.Module]:
        if layers is None:
            from ..training.split import split_backbone_head

            return split_backbone_head(self.module).backbone_layers()
        names = [layers] if isinstance(layers, str) else list(layers)
        found = dict(self.module.named_modules())
        for name in names:
            if not isinstance(name, str) or name not in found or name == "":
                raise unknown_layer(self.module, name)
        return [found[n] for n in names]

