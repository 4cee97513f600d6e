"""DistributedSampler fixture: PyTorch's per-rank indices for many (n, replicas, rank, shuffle,
drop_last, seed, epoch) cases, from torch.utils.data.distributed.DistributedSampler itself.

    /usr/bin/python3 test/gen/gen_distributed_sampler.py   ->  test/fixtures/distributed_sampler.json
"""
import json
import os

import torch
from torch.utils.data.distributed import DistributedSampler

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'distributed_sampler.json')


class Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def main():
    cases = []
    for n in [0, 1, 5, 10, 17, 100]:
        for replicas in [1, 2, 3, 4, 7]:
            for shuffle in [True, False]:
                for drop_last in [False, True]:
                    for seed in ([0, 42] if shuffle else [0]):
                        for epoch in ([0, 1, 5] if shuffle else [0]):
                            for rank in range(replicas):
                                s = DistributedSampler(Sized(n), num_replicas=replicas, rank=rank,
                                                       shuffle=shuffle, seed=seed, drop_last=drop_last)
                                s.set_epoch(epoch)
                                idx = list(iter(s))
                                assert len(idx) == len(s)
                                cases.append({'n': n, 'numReplicas': replicas, 'rank': rank, 'shuffle': shuffle,
                                              'dropLast': drop_last, 'seed': seed, 'epoch': epoch,
                                              'length': len(s), 'indices': idx})
    with open(OUT, 'w') as f:
        json.dump({'torch': torch.__version__, 'count': len(cases), 'cases': cases}, f, separators=(',', ':'))
        f.write('\n')
    print(f'{OUT}: {len(cases)} cases (torch {torch.__version__})')


if __name__ == '__main__':
    main()
