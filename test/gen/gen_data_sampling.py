"""Fixtures for torch.utils.data's random draws (test/data-sampling.test.ts): random_split,
RandomSampler (with and without replacement, num_samples), WeightedRandomSampler,
SubsetRandomSampler and DataLoader(shuffle=True / sampler=...) orders, each after
torch.manual_seed(seed) (global generator) or with torch.Generator().manual_seed(seed + 1), plus
three global draws after the case (`after`) so that the test checks how much of the global stream
each case consumed (none, with a generator).

Run from the repository root with Debian's python3-torch 1.13:
    /usr/bin/python3 test/gen/gen_data_sampling.py
Writes test/fixtures/data_sampling.json (deterministic).
"""
import json
import os

import torch
from torch.utils.data import (DataLoader, RandomSampler, SubsetRandomSampler, WeightedRandomSampler,
                              random_split)

SEEDS = [0, 1, 42, 2024]
cases = []


def after():
    return torch.randint(0, 2**31 - 1, (3,)).tolist()


def gen_or_none(kind, seed):
    return torch.Generator().manual_seed(seed) if kind == 'generator' else None


for seed in SEEDS:
    for n, lengths in [(10, [3, 7]), (30, [0.3, 0.3, 0.4]), (101, [0.8, 0.2]), (7, [0.5, 0.5]),
                       (100, [50, 25, 25]), (5, [0.1, 0.9])]:
        # global generator after manual_seed == a fresh Generator with the same seed
        torch.manual_seed(seed)
        parts = random_split(range(n), lengths)
        cases.append({'kind': 'random_split', 'seed': seed, 'gen': 'global', 'n': n, 'lengths': lengths,
                      'out': [list(p.indices) for p in parts], 'after': after()})
        g = torch.Generator().manual_seed(seed)
        parts = random_split(range(n), lengths, generator=g)
        cases.append({'kind': 'random_split', 'seed': seed, 'gen': 'generator', 'n': n, 'lengths': lengths,
                      'out': [list(p.indices) for p in parts]})

    for gen in ['global', 'generator']:
        for n, replacement, num_samples in [(10, False, None), (10, False, 25), (7, False, 3), (7, True, None),
                                            (7, True, 70), (100, True, 31), (1, False, None)]:
            torch.manual_seed(seed)
            s = RandomSampler(range(n), replacement=replacement, num_samples=num_samples,
                              generator=gen_or_none(gen, seed + 1))
            epochs = [list(s), list(s)]  # two epochs: the second continues the generator's stream
            cases.append({'kind': 'RandomSampler', 'seed': seed, 'gen': gen, 'n': n, 'replacement': replacement,
                          'numSamples': num_samples, 'out': epochs, 'after': after()})

        for weights, num_samples, replacement in [([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, True),
                                                  ([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, False),
                                                  ([1, 2, 3], 1, True), ([1, 2, 3], 1, False),
                                                  ([0.0, 1.0, 0.0, 2.0], 40, True),
                                                  ([(i * 37 % 11) / 7 for i in range(50)], 1000, True),
                                                  ([(i * 37 % 11) / 7 + 0.01 for i in range(50)], 50, False)]:
            torch.manual_seed(seed)
            s = WeightedRandomSampler(weights, num_samples, replacement=replacement, generator=gen_or_none(gen, seed + 1))
            cases.append({'kind': 'WeightedRandomSampler', 'seed': seed, 'gen': gen, 'weights': weights,
                          'numSamples': num_samples, 'replacement': replacement, 'out': [list(s), list(s)],
                          'after': after()})

        torch.manual_seed(seed)
        indices = [3, 9, 4, 12, 40, 7, 1]
        s = SubsetRandomSampler(indices, generator=gen_or_none(gen, seed + 1))
        cases.append({'kind': 'SubsetRandomSampler', 'seed': seed, 'gen': gen, 'indices': indices,
                      'out': [list(s), list(s)], 'after': after()})

        # DataLoader(shuffle=True): a base seed, then RandomSampler's seed, then randperm
        for n, batch_size, drop_last in [(10, 4, False), (23, 5, True)]:
            torch.manual_seed(seed)
            dl = DataLoader(range(n), batch_size=batch_size, shuffle=True, drop_last=drop_last,
                            generator=gen_or_none(gen, seed + 1))
            epochs = [[b.tolist() for b in dl] for _ in range(2)]
            cases.append({'kind': 'DataLoader', 'seed': seed, 'gen': gen, 'n': n, 'batchSize': batch_size,
                          'dropLast': drop_last, 'sampler': None, 'out': epochs, 'after': after()})
        # DataLoader(sampler=RandomSampler(replacement)): the base seed, then the sampler's draws
        torch.manual_seed(seed)
        dl = DataLoader(range(9), batch_size=4, sampler=RandomSampler(range(9), replacement=True, num_samples=12),
                        generator=gen_or_none(gen, seed + 1))
        epochs = [[b.tolist() for b in dl] for _ in range(2)]
        cases.append({'kind': 'DataLoader', 'seed': seed, 'gen': gen, 'n': 9, 'batchSize': 4, 'dropLast': False,
                      'sampler': {'replacement': True, 'numSamples': 12}, 'out': epochs, 'after': after()})

out = {'torch': torch.__version__, 'count': len(cases), 'cases': cases}
path = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'data_sampling.json')
with open(path, 'w') as f:
    json.dump(out, f, separators=(',', ':'))
    f.write('\n')
print(f'{path}: {len(cases)} cases')
