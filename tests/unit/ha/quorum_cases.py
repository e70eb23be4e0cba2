#!/usr/bin/env python3
"""Regenerates quorum_cases.txt: random resolver states and the transitions
Patroni's own QuorumStateResolver produces for them (the test oracle).

Usage: PATRONI_SRC=/path/to/patroni/checkout python3 quorum_cases.py > quorum_cases.txt
Line format: leader quorum voters numsync sync confirmed active wanted leader_wanted | steps
(`-` = empty set; steps = `kind,leader,num,names;...`, or `EXC` when Patroni raises).
"""
import os
import random
import sys

sys.path.insert(0, os.environ['PATRONI_SRC'])
from patroni.quorum import QuorumStateResolver  # noqa: E402

random.seed(20240601)
NODES = 'bcde'


def subset():
    return set(n for n in NODES if random.random() < 0.5)


def text(s):
    return ''.join(sorted(s)) or '-'


for _ in range(600):
    leader = random.choice('ab')
    wanted_leader = 'a' if random.random() < 0.85 else 'b'
    voters, sync, active = subset(), subset(), subset()
    quorum = random.randint(0, max(0, len(voters) - 1))
    numsync = random.randint(0, len(sync))
    confirmed = random.randint(0, len(sync))
    wanted = random.randint(1, 3)
    try:
        steps = list(QuorumStateResolver(leader=leader, quorum=quorum, voters=voters, numsync=numsync, sync=sync,
                                         numsync_confirmed=confirmed, active=active, sync_wanted=wanted,
                                         leader_wanted=wanted_leader))
        out = ''.join(f'{t.transition_type},{t.leader},{t.num},{text(t.names)};' for t in steps)
    except Exception:
        out = 'EXC'
    print(f'{leader} {quorum} {text(voters)} {numsync} {text(sync)} {confirmed} {text(active)} {wanted} '
          f'{wanted_leader} | {out}')
