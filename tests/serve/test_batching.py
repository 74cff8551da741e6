"""Concurrent requests share model calls; a full queue answers 503 with Retry-After; a request
past timeout_s answers 504; the server serves on after each."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from pratique.serve.app import create_app

from .conftest import get, post_files, running


def test_concurrent_requests_run_in_fewer_batches_with_the_same_results(digits):
    app = create_app(digits["model"], limits={"max_wait_ms": 200, "max_batch": 32})
    files = digits["files"]
    with running(app) as url:
        before = get(url, "/stats").json()
        with ThreadPoolExecutor(len(files)) as pool:
            together = list(pool.map(lambda f: post_files(url, [f]).json()["predictions"][0], files))
        after = get(url, "/stats").json()
    assert after["requests"] - before["requests"] == len(files)
    assert after["images"] - before["images"] == len(files)
    assert after["batches"] - before["batches"] < len(files)  # 1 when all 8 arrive within 200 ms
    assert after["largest_batch"] > 1
    for f, t in zip(files, together):  # predict alone vs served in a batch: equal to float rounding
        alone = digits["loaded"].predict([str(f)], output="probabilities")[0]
        assert t["name"] == f.name and t["label"] == str(alone.argmax())
        np.testing.assert_allclose(t["probabilities"], alone, rtol=0, atol=1e-6)


def _blocked(app):
    """Holds the model until the returned event is set; returns (event, entered)."""
    batcher = app.state.batcher
    release, entered, infer = threading.Event(), threading.Event(), batcher.fn

    def slow(xs):
        entered.set()
        release.wait(30)
        return infer(xs)

    batcher.fn = slow
    return release, entered


def test_full_queue_answers_503_with_retry_after_then_serves(digits):
    app = create_app(digits["model"], limits={"max_batch": 1, "max_queue": 1, "max_wait_ms": 0})
    release, entered = _blocked(app)
    f = digits["files"][0]
    with running(app) as url, ThreadPoolExecutor(2) as pool:
        first = pool.submit(post_files, url, [f])  # taken by the model, which holds it
        assert entered.wait(10)
        second = pool.submit(post_files, url, [f])  # waits in the queue (1 image = max_queue)
        deadline = time.monotonic() + 10
        while get(url, "/stats").json()["queued_images"] < 1:
            assert time.monotonic() < deadline, "the second request never reached the queue"
        third = post_files(url, [f])
        release.set()
        assert first.result().status_code == 200 and second.result().status_code == 200
        assert third.status_code == 503 and third.headers["retry-after"] == "1"
        assert "max_queue=1" in third.json()["error"]
        assert get(url, "/stats").json()["rejected"] == 1
        assert post_files(url, [f]).status_code == 200


def test_request_past_timeout_answers_504_then_serves(digits):
    app = create_app(digits["model"], limits={"timeout_s": 0.5})
    release, _ = _blocked(app)
    with running(app) as url:
        r = post_files(url, digits["files"][:1])
        assert r.status_code == 504 and "timeout_s" in r.json()["error"]
        release.set()
        assert post_files(url, digits["files"][:1]).status_code == 200
