import numpy as np
import pytest
import torch
from PIL import Image, ImageOps

from pratique.data import decode_image
from pratique.data.decode import DecodeError
from pratique.data.preprocess import Preprocessing


def read_image(path, color_mode, size=None):
    return Preprocessing({"color_mode": color_mode, "image_size": size}).read(path)

RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, (6, 5, 3), dtype=np.uint8)


@pytest.mark.parametrize("ext,fmt", [(".png", "PNG"), (".bmp", "BMP"), (".tif", "TIFF"),
                                     (".webp", "WEBP"), (".gif", "GIF"), (".jpg", "JPEG")])
def test_formats_decode_to_chw_uint8(tmp_path, ext, fmt):
    p = tmp_path / f"a{ext}"
    kw = {"lossless": True} if fmt == "WEBP" else {}
    Image.fromarray(RGB).save(p, format=fmt, **kw)
    x = decode_image(p)
    assert x.dtype == torch.uint8 and x.shape == (3, 6, 5)
    if fmt in ("PNG", "BMP", "TIFF", "WEBP"):  # lossless: exact pixels
        assert torch.equal(x, torch.from_numpy(RGB).permute(2, 0, 1))


def test_modes(tmp_path):
    gray = RNG.integers(0, 256, (4, 4), dtype=np.uint8)
    Image.fromarray(gray).save(tmp_path / "l.png")
    assert torch.equal(decode_image(tmp_path / "l.png"), torch.from_numpy(gray)[None])
    assert decode_image(tmp_path / "l.png", "rgb").shape == (3, 4, 4)
    Image.fromarray(gray).convert("LA").save(tmp_path / "la.png")
    assert torch.equal(decode_image(tmp_path / "la.png"), torch.from_numpy(gray)[None])
    rgba = np.dstack([RGB, np.full((6, 5), 7, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(tmp_path / "rgba.png")
    assert torch.equal(decode_image(tmp_path / "rgba.png"), torch.from_numpy(RGB).permute(2, 0, 1))
    Image.fromarray(RGB).quantize(16).save(tmp_path / "p.png")
    p = decode_image(tmp_path / "p.png")
    assert p.shape == (3, 6, 5)
    Image.fromarray(RGB).convert("CMYK").save(tmp_path / "cmyk.jpg")
    assert decode_image(tmp_path / "cmyk.jpg").shape == (3, 6, 5)
    assert decode_image(tmp_path / "cmyk.jpg", "grayscale").shape == (1, 6, 5)


def test_16bit_png_is_scaled_not_saturated(tmp_path):
    a = np.array([[0, 257 * 100, 65535, 1000]], dtype=np.uint16)
    Image.fromarray(a).save(tmp_path / "16.png")
    assert Image.open(tmp_path / "16.png").mode.startswith("I")
    x = decode_image(tmp_path / "16.png")
    assert x.tolist() == [[[0, 100, 255, 4]]]  # 1000 / 257 = 3.9 -> 4, not 255


def test_dark_16bit_png_is_scaled_by_its_bit_depth_not_its_values(tmp_path):
    dark = np.array([[0, 100, 200, 255]], dtype=np.uint16)  # out of 65535: nearly black
    Image.fromarray(dark).save(tmp_path / "dark.png")
    assert Image.open(tmp_path / "dark.png").mode.startswith("I;16")
    assert decode_image(tmp_path / "dark.png").tolist() == [[[0, 0, 1, 1]]]  # round(v / 257)
    assert decode_image(tmp_path / "dark.png", "rgb")[:, 0, 3].tolist() == [1, 1, 1]
    bright = np.array([[257 * 10, 257 * 128, 65535, 65000]], dtype=np.uint16)
    Image.fromarray(bright).save(tmp_path / "bright.tif")
    assert decode_image(tmp_path / "bright.tif").tolist() == [[[10, 128, 255, 253]]]


def _pil_rgb(path):
    """PIL's own conversion, the reference: EXIF orientation applied, then RGB, as (C, H, W)."""
    with Image.open(path) as img:
        return torch.from_numpy(np.asarray(ImageOps.exif_transpose(img).convert("RGB")).copy()).permute(2, 0, 1)


def test_palette_cmyk_and_exif_pixels_equal_pils_conversion(tmp_path):
    Image.fromarray(RGB).quantize(16).save(tmp_path / "p.png")
    p = Image.open(tmp_path / "p.png")
    p.info["transparency"] = 0
    p.save(tmp_path / "pt.png", transparency=0)  # a palette with a transparent entry
    Image.fromarray(RGB).convert("CMYK").save(tmp_path / "cmyk.jpg")
    img, exif = Image.fromarray(RGB), Image.Exif()
    for orientation in range(2, 9):  # every mirror and rotation
        exif[0x0112] = orientation
        img.save(tmp_path / f"o{orientation}.jpg", exif=exif, quality=95)
    for f in ["p.png", "pt.png", "cmyk.jpg", *[f"o{o}.jpg" for o in range(2, 9)]]:
        ref = _pil_rgb(tmp_path / f)
        assert torch.equal(decode_image(tmp_path / f, "rgb"), ref), f
        assert torch.equal(read_image(tmp_path / f, "rgb"), ref), f  # the JPEG fast path agrees
    assert not torch.equal(_pil_rgb(tmp_path / "o6.jpg"), _pil_rgb(tmp_path / "o8.jpg"))


def test_exif_orientation(tmp_path):
    img = Image.fromarray(RGB)  # 6 high, 5 wide
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW on display
    img.save(tmp_path / "o.jpg", exif=exif, quality=95)
    assert decode_image(tmp_path / "o.jpg").shape == (3, 5, 6)
    assert read_image(tmp_path / "o.jpg", "rgb").shape == (3, 5, 6)  # fast path agrees


def test_errors_name_the_file(tmp_path):
    with pytest.raises(DecodeError, match="missing.png"):
        decode_image(tmp_path / "missing.png")
    (tmp_path / "junk.jpg").write_bytes(b"not an image at all")
    with pytest.raises(DecodeError, match="junk.jpg"):
        decode_image(tmp_path / "junk.jpg")
    with pytest.raises(DecodeError, match="junk.jpg"):
        read_image(tmp_path / "junk.jpg", "rgb", (4, 4))
    Image.fromarray(RGB).resize((64, 64)).save(tmp_path / "t.png")
    data = (tmp_path / "t.png").read_bytes()
    (tmp_path / "trunc.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(DecodeError, match="trunc.png"):
        decode_image(tmp_path / "trunc.png")
