"""Experiments and goals for the off-platform sales model (EXPERIMENTS.md).

    definitions.py  experiments/<id>.yml and goals.yml: loaded and checked, errors name file and field
    readout.py      the readout's statistics: Welch, CUPED, sample-ratio mismatch, the decision

The readout reads published-grade marts (per-creator metrics), so this package comes after the
warehouse and before publish.
"""
