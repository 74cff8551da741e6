"""InMemoryBatches.shard: the ranks' parts of each global batch are that batch, in order."""
import pytest
import torch

from pratique.core.errors import PratiqueError
from pratique.data.loaders import InMemoryBatches


def _epoch(world, rank, n=70, batch=16):
    x = torch.arange(n).float().unsqueeze(1)
    return [yb for _, yb in InMemoryBatches(x, torch.arange(n), batch, shuffle=True, seed=3)
            .shard(rank, world)]


def test_parts_of_every_global_batch_rebuild_it():
    whole = _epoch(1, 0)
    for world in (2, 3):
        parts = [_epoch(world, r) for r in range(world)]
        assert all(len(p) == len(whole) for p in parts)  # same number of steps on every rank
        for i, batch in enumerate(whole):
            assert torch.equal(torch.cat([p[i] for p in parts]), batch)
            assert max(len(p[i]) for p in parts) - min(len(p[i]) for p in parts) <= 1


def test_a_rank_outside_the_world_is_refused():
    with pytest.raises(PratiqueError, match="rank must be in"):
        InMemoryBatches(torch.zeros(4, 1), None).shard(2, 2)
