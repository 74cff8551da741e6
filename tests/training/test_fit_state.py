"""Callbacks see the fit through `params` and batch logs (Keras' contract), never through
private attributes of the model; the trainer writes none onto it."""
import warnings

import torch
from training_helpers import make_model

from pratique.training import callbacks as C


def every_callback(tmp_path, seen: dict) -> list:
    def record(name):
        def hook(batch, logs):
            seen.setdefault(name, []).append(dict(logs))
        return hook

    return [C.BackupAndRestore(tmp_path / "backup"), C.CSVLogger(tmp_path / "log.csv"),
            C.EarlyStopping(patience=5), C.LearningRateScheduler(lambda epoch, lr: lr),
            C.ModelCheckpoint(str(tmp_path / "m-{epoch}.pratique"), save_freq=2),
            C.ProgbarLogger(2), C.ReduceLROnPlateau(), C.RemoteMonitor(root="http://127.0.0.1:9"),
            C.ResumeCheckpoint(str(tmp_path / "last.ckpt"), save_freq=2), C.SwapEMAWeights(),
            C.TensorBoard(tmp_path / "tb", histogram_freq=1, update_freq="batch"),
            C.TerminateOnNaN(),
            C.LambdaCallback(on_train_batch_end=record("train"), on_test_batch_end=record("test"))]


def test_fit_writes_no_private_attribute_onto_the_model(data, tmp_path):
    model = make_model(use_ema=True)
    before = set(vars(model))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # RemoteMonitor: nothing listens there
        model.fit(*data, epochs=2, batch_size=32, validation_data=data, verbose=2,
                  callbacks=every_callback(tmp_path, {}))
    assert model.history.history["loss"]
    assert sorted(k for k in set(vars(model)) - before if k.startswith("_")) == []


def test_every_callback_gets_keras_params(data, tmp_path):
    cbs = every_callback(tmp_path, {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make_model(use_ema=True).fit(*data, epochs=2, batch_size=40, verbose=0, callbacks=cbs)
    for cb in cbs:
        assert cb.params["epochs"] == 2 and cb.params["steps"] == 3  # 96 samples, batches of 40
        assert cb.params["verbose"] == 0 and cb.params["do_validation"] is False


def test_batch_logs_carry_outputs_only_when_asked(data):
    asked, plain = {}, {}

    class Wants(C.Callback):
        wants_outputs = True

        def on_train_batch_end(self, batch, logs=None):
            asked.setdefault("train", []).append(logs)

        def on_test_batch_end(self, batch, logs=None):
            asked.setdefault("test", []).append(logs)

    other = C.LambdaCallback(on_test_batch_end=lambda b, logs: plain.setdefault("test", []).append(logs))
    model = make_model()
    model.fit(*data, epochs=1, batch_size=32, validation_data=data, verbose=0, callbacks=[Wants(), other])
    assert "outputs" not in plain["test"][0]  # another callback on the same hook: Keras' scalars only
    x, y = data
    out = asked["test"][-1]["outputs"]
    assert torch.equal(asked["test"][-1]["targets"], y[64:])
    assert torch.allclose(out, model.module(x[64:]), atol=1e-6)
    assert asked["train"][0]["outputs"].shape == (32, 3) and not asked["train"][0]["outputs"].requires_grad
    plain.clear()
    model.fit(*data, epochs=1, batch_size=32, validation_data=data, verbose=0, callbacks=[other])
    assert "outputs" not in plain["test"][0] and "targets" not in plain["test"][0]


def test_tensorboard_leaves_the_loss_alone(data, tmp_path):
    model = make_model()
    loss_fn, during = model.loss_fn, []
    watch = C.LambdaCallback(on_test_batch_begin=lambda b, logs: during.append(model.loss_fn is loss_fn))
    model.fit(*data, epochs=1, batch_size=32, validation_data=data, verbose=0,
              callbacks=[C.TensorBoard(tmp_path / "tb"), watch])
    assert during and all(during)  # the validation loss is the model's own, not a recording one


def test_evaluate_and_predict_give_params(data):
    seen = {}
    cb = C.LambdaCallback(on_test_end=lambda logs: seen.update(test=dict(cb.params)),
                          on_predict_end=lambda logs: seen.update(predict=dict(cb.params)))
    model = make_model()
    model.evaluate(*data, batch_size=40, verbose=0, steps=2, callbacks=[cb])
    model.predict(data[0], batch_size=40, callbacks=[cb])
    assert (seen["test"]["epochs"], seen["test"]["steps"], seen["test"]["verbose"]) == (1, 2, 0)
    assert (seen["predict"]["epochs"], seen["predict"]["steps"]) == (1, 3)
