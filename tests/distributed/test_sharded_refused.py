"""Sharded strategies (FSDP, DeepSpeed) are refused with an error naming "ddp": pratique's
checkpoints save rank 0's full state_dict, which under FSDP holds one shard only."""
import pytest
import torch

from pratique import Model, PratiqueError
from pratique.training.checkpoint import check_strategy
from pratique.training.trainer import make_fabric


@pytest.mark.parametrize("strategy", ["fsdp", "fsdp_cpu_offload", "FSDP", "deepspeed_stage_3"])
def test_model_refuses_a_sharded_strategy_before_any_work(strategy):
    with pytest.raises(PratiqueError, match=r'strategy="ddp"') as e:
        Model(torch.nn.Linear(4, 2), strategy=strategy)
    assert "state_dict" in str(e.value) and strategy in str(e.value)


def test_a_strategy_set_after_construction_is_refused_at_compile():
    model = Model(torch.nn.Linear(4, 2), accelerator="cpu")
    model.strategy = "fsdp"  # as `pratique train --strategy fsdp` sets it
    with pytest.raises(PratiqueError, match="ddp"):
        model.compile(optimizer="sgd", loss="cross_entropy")
    with pytest.raises(PratiqueError, match="ddp"):
        make_fabric("cpu", 1, strategy="fsdp")


def test_a_sharded_strategy_object_is_refused():
    from lightning.fabric.strategies import FSDPStrategy

    with pytest.raises(PratiqueError, match="FSDPStrategy"):
        check_strategy(FSDPStrategy())


@pytest.mark.parametrize("strategy", ["auto", "ddp", "ddp_spawn", "single_device"])
def test_data_parallel_strategies_pass(strategy):
    check_strategy(strategy)
