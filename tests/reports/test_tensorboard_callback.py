import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from pratique import PratiqueError
from pratique.training.callbacks import CallbackList, TensorBoard

from .conftest import tiny_model


def _events(log_dir):
    acc = EventAccumulator(str(log_dir), size_guidance={"scalars": 0, "histograms": 0, "images": 0,
                                                         "tensors": 0})
    return acc.Reload()


def test_writes_scalars_graph_histograms_hparams_and_images(tmp_path, tiny_data):
    x, y = tiny_data
    model = tiny_model()
    loss_fn = model.loss_fn
    tb = TensorBoard(tmp_path, histogram_freq=1, update_freq=2, hparams={"lr": 0.01, "note": None})
    model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, callbacks=[tb], verbose=0, seed=0)
    acc = _events(tmp_path)
    tags = acc.Tags()
    assert {"epoch/loss/train", "epoch/loss/val", "epoch/accuracy/train", "epoch/accuracy/val",
            "epoch/learning_rate", "epoch/images_per_second", "batch/loss",
            "batch/learning_rate"} <= set(tags["scalars"])
    assert [e.step for e in acc.Scalars("epoch/loss/train")] == [0, 1]
    # 72 training samples / 16 = 5 batches per epoch, 10 in all: every 2nd batch is written
    assert [e.step for e in acc.Scalars("batch/loss")] == [2, 4, 6, 8, 10]
    assert acc.Scalars("epoch/accuracy/val")[-1].value == pytest.approx(model.history.history["val_accuracy"][-1])
    assert {"weights/0.weight", "gradients/0.weight", "weights/4.bias"} <= set(tags["histograms"])
    assert len(acc.Histograms("weights/0.weight")) == 2
    assert tags["graph"]
    assert {"images/train_batch", "images/confusion_matrix", "images/misclassified"} <= set(tags["images"])
    batch = acc.Images("images/train_batch")[0]  # the first batch: 16 8x8 images, 8 per row
    assert (batch.width, batch.height) == (8 * 8, 2 * 8)
    hp = acc.PluginTagToContent("hparams")
    start = plugin_data_pb2.HParamsPluginData.FromString(hp["_hparams_/session_start_info"])
    assert start.session_start_info.hparams["lr"].number_value == 0.01
    assert start.session_start_info.hparams["note"].string_value == "None"
    assert acc.Scalars("hparams/val_loss")[0].value == pytest.approx(model.history.history["val_loss"][-1])
    assert model.loss_fn is loss_fn  # the validation listener is gone


def test_a_frozen_weight_is_drawn_once(tmp_path, tiny_data):
    x, y = tiny_data
    model = tiny_model().freeze(["0"])  # the first conv: frozen; its histogram cannot change
    model.fit(x, y, epochs=3, batch_size=32, callbacks=[TensorBoard(tmp_path, histogram_freq=1, write_graph=False,
                                                                    write_images=False)], verbose=0)
    acc = _events(tmp_path)
    assert [e.step for e in acc.Histograms("weights/0.weight")] == [0]
    assert [e.step for e in acc.Histograms("weights/4.weight")] == [0, 1, 2]


def test_epoch_only_is_cheap(tmp_path, tiny_data):
    x, y = tiny_data
    model = tiny_model()
    tb = TensorBoard(tmp_path, write_graph=False, write_images=False)
    assert not CallbackList([tb], model).wants_train_batch_end  # no per-batch call at all
    model.fit(x, y, epochs=1, batch_size=32, callbacks=[tb], verbose=0)
    tags = _events(tmp_path).Tags()
    assert not [t for t in tags["scalars"] if t.startswith("batch/")]
    assert not tags["histograms"] and not tags["images"] and not tags["graph"]
    assert "hparams/loss" in tags["scalars"]


def test_default_hparams_and_old_signature(tmp_path, tiny_data):
    x, y = tiny_data
    model = tiny_model()
    tb = TensorBoard(tmp_path, "batch")  # the former (log_dir, update_freq) order still works
    assert tb.update_freq == "batch" and tb.histogram_freq == 0
    model.fit(x, y, epochs=1, batch_size=48, callbacks=[tb], verbose=0)
    acc = _events(tmp_path)
    start = plugin_data_pb2.HParamsPluginData.FromString(
        acc.PluginTagToContent("hparams")["_hparams_/session_start_info"])
    assert start.session_start_info.hparams["optimizer"].string_value == "adam"
    assert start.session_start_info.hparams["epochs"].number_value == 1
    assert [e.step for e in acc.Scalars("batch/loss")] == [1, 2]


def test_bad_update_freq():
    with pytest.raises(PratiqueError, match="update_freq"):
        TensorBoard("x", update_freq="sometimes")


def test_batch_metrics_are_the_running_values_at_the_written_steps(tmp_path, tiny_data):
    x, y = tiny_data
    model = tiny_model()
    reads = []
    accuracy = model.metrics[0]
    compute = accuracy.compute
    accuracy.compute = lambda: reads.append(model.epoch) or compute()
    tb = TensorBoard(tmp_path, write_graph=False, write_images=False, update_freq=5)
    hist = model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, callbacks=[tb],
                     verbose=0, seed=0)
    written = _events(tmp_path).Scalars("batch/accuracy")
    # 72 training samples / 16 = 5 batches per epoch: steps 5 and 10 close each epoch, where the
    # running accuracy is the epoch's own
    assert [e.step for e in written] == [5, 10]
    assert [e.value for e in written] == pytest.approx(hist.history["accuracy"])
    # read at the 2 written steps, plus once per epoch for the train and validation logs
    assert len(reads) == 2 + 2 * 2
