"""Seeding everything at once, for scripts and the CLI that ask for it explicitly."""
from __future__ import annotations

import random

import numpy as np
import torch


def seed_everything(seed: int) -> int:
    """Seed Python's `random`, NumPy and torch (all devices); returns the seed."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return seed
