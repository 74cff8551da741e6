"""POST /predict equals ImageClassifier.predict; every error is a 4xx JSON naming the problem,
and the next good request still succeeds."""
import base64
import hashlib

import numpy as np
import pytest

import pratique as pq

from .conftest import get, png_bomb, post_files


def test_health_and_info_describe_the_model(server, digits):
    url, _ = server
    assert get(url, "/health").json() == {"status": "ok"}
    info = get(url, "/info").json()
    assert info["model_sha256"] == "sha256:" + hashlib.sha256(digits["model"].read_bytes()).hexdigest()
    assert info["classes"] == [str(i) for i in range(10)] and info["input_shape"] == [1, 28, 28]
    assert info["pratique_version"] == pq.__version__ and info["backend"] == "torch"
    assert info["preprocessing"]["mean"] == digits["loaded"].preprocessing["mean"]
    page = get(url, "/")
    assert page.status_code == 200 and 'id="files"' in page.text


def test_predictions_equal_classifier_predict_on_the_same_files(server, digits):
    url, _ = server
    files = digits["files"][:4]
    expected = digits["loaded"].predict([str(f) for f in files], output="probabilities")
    got = post_files(url, files, params={"top_k": 3}).json()["predictions"]
    np.testing.assert_array_equal(np.array([p["probabilities"] for p in got], dtype=np.float32), expected)
    for p, e, f in zip(got, expected, files):
        assert p["name"] == f.name and p["label"] == str(e.argmax()) and p["probability"] == e.max()
        assert [t["label"] for t in p["top_k"]] == [str(i) for i in np.argsort(-e, kind="stable")[:3]]
    body = {"images": [base64.b64encode(f.read_bytes()).decode() for f in files[:2]]}
    import httpx

    by_json = httpx.post(url + "/predict", json=body, timeout=30).json()["predictions"]
    # a batch of 2 against predict's batch of 2: batched float math may differ by an ulp across
    # batch sizes (oneDNN picks kernels by shape), so like is compared with like
    expected2 = digits["loaded"].predict([str(f) for f in files[:2]], output="probabilities")
    np.testing.assert_array_equal(np.array([p["probabilities"] for p in by_json], np.float32), expected2)
    np.testing.assert_allclose(expected2, expected[:2], rtol=0, atol=1e-6)


def _bad_requests(digits):
    good = digits["files"][0]
    truncated = good.read_bytes()[:60]
    return {
        "not an image": {"files": [("files", ("notes.png", b"not an image at all", "image/png"))]},
        "truncated png": {"files": [("files", ("cut.png", truncated, "image/png"))]},
        "decompression bomb": {"files": [("files", ("bomb.png", png_bomb(), "image/png"))]},
        "pixels over max_pixels": {"files": [("files", ("big.png", png_bomb(2000, 2000), "image/png"))]},
        "wrong field": {"files": [("image", (good.name, good.read_bytes(), "image/png"))]},
        "text in field": {"data": {"files": "digit.png"},  # a file too, so httpx sends multipart
                          "files": [("files", (good.name, good.read_bytes(), "image/png"))]},
        "too many images": {"files": [("files", (good.name, good.read_bytes(), "image/png"))] * 5},
        "body too large": {"files": [("files", ("big.png", b"\x89PNG" + b"\0" * 60_000, "image/png"))]},
        "json wrong key": {"json": {"image": []}},
        "bad base64": {"json": {"images": ["!!not base64!!"]}},
        "empty file": {"files": [("files", ("empty.png", b"", "image/png"))]},
        "plain text body": {"content": b"hello", "headers": {"content-type": "text/plain"}},
        "bad top_k": {"files": [("files", (good.name, good.read_bytes(), "image/png"))],
                      "params": {"top_k": "zero"}},
    }


EXPECTED = {  # status, words the error must hold
    "not an image": (415, ["notes.png", "not a readable image"]),
    "truncated png": (415, ["cut.png"]),
    "decompression bomb": (413, ["bomb.png", "decompression bomb", "900000000"]),  # PIL's own error
    "pixels over max_pixels": (413, ["big.png", "2000x2000", "max_pixels"]),  # PIL's warning band
    "wrong field": (422, ["'image'", "'files'"]),
    "text in field": (422, ["'files'", "text"]),
    "too many images": (413, ["5 images", "max_images"]),
    "body too large": (413, ["max_upload_mb"]),
    "json wrong key": (422, ["images", "'image'"]),
    "bad base64": (400, ["base64"]),
    "empty file": (400, ["empty.png", "empty"]),
    "plain text body": (415, ["text/plain"]),
    "bad top_k": (422, ["top_k", "zero"]),
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_bad_request_gets_a_4xx_naming_it_and_the_server_keeps_serving(server, digits, case):
    import httpx

    url, _ = server
    r = httpx.post(url + "/predict", timeout=30, **_bad_requests(digits)[case])
    status, words = EXPECTED[case]
    assert r.status_code == status, r.text
    error = r.json()["error"]
    for w in words:
        assert w in error, (w, error)
    ok = post_files(url, digits["files"][:1])
    assert ok.status_code == 200 and len(ok.json()["predictions"]) == 1


def test_json_items_with_names_and_data_urls(server, digits):
    import httpx

    url, _ = server
    f = digits["files"][5]
    data = "data:image/png;base64," + base64.b64encode(f.read_bytes()).decode()
    r = httpx.post(url + "/predict", json={"images": [{"name": "five.png", "data": data}]}, timeout=30)
    p = r.json()["predictions"][0]
    expected = digits["loaded"].predict([str(f)], output="probabilities")[0]
    assert p["name"] == "five.png" and p["index"] == int(expected.argmax())
    np.testing.assert_array_equal(np.float32(p["probabilities"]), expected)


def test_a_jpeg_takes_predicts_jpeg_path_by_name_and_by_sniffed_bytes(server, digits, tmp_path):
    """`predict` decodes .jpg files with libjpeg-turbo (torchvision), others with PIL; an upload
    must take the path its file would, so the served result equals predict's on that file."""
    import httpx
    from PIL import Image

    url, _ = server
    jpg = tmp_path / "colour.jpg"  # colour noise: the two decoders' gray pixels differ by up to 20
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (28, 28, 3), dtype=np.uint8)).save(jpg, quality=70)
    expected = digits["loaded"].predict([str(jpg)], output="probabilities")[0]
    by_name = post_files(url, [jpg]).json()["predictions"][0]
    by_bytes = httpx.post(url + "/predict", json={"images": [base64.b64encode(jpg.read_bytes()).decode()]},
                          timeout=30).json()["predictions"][0]
    np.testing.assert_array_equal(np.float32(by_name["probabilities"]), expected)
    np.testing.assert_array_equal(np.float32(by_bytes["probabilities"]), expected)
