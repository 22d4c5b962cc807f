"""Decoding: one loop (`Sampler`), small strategies over it, and the steppers and generators that feed it.

Strategies: `GreedySampler`, `RandomSampler` (temperature, top-k, top-p,
seed) and `BeamSampler` (batched, GNMT length penalty). `get_sampler` turns a
task's `sampler=` argument (`"greedy"`, `"random"`, `"beam"` or a `Sampler`)
and its keyword settings into one.
"""

from kerasrnn.decoding.beam_sampler import BeamSampler
from kerasrnn.decoding.beam_sampler import length_normalizer
from kerasrnn.decoding.beam_sampler import length_penalty  # deprecated name of length_normalizer
from kerasrnn.decoding.beam_sampler import normalized_scores
from kerasrnn.decoding.greedy_sampler import GreedySampler
from kerasrnn.decoding.random_sampler import RandomSampler
from kerasrnn.decoding.random_sampler import check_sampling_arguments
from kerasrnn.decoding.random_sampler import filter_logits
from kerasrnn.decoding.sampler import Sampler
from kerasrnn.decoding.seq2seq_generator import Seq2SeqEnsembleStepper
from kerasrnn.decoding.seq2seq_generator import Seq2SeqGenerator
from kerasrnn.decoding.seq2seq_generator import Seq2SeqStepper
from kerasrnn.decoding.stepper import RecurrentStepper
from kerasrnn.decoding.token_generator import TokenGenerator

SAMPLER_NAMES = ("greedy", "random", "beam")


def get_sampler(sampler, **settings):
    """A `Sampler` from a name or an instance (returned as is).

    `settings` are the keyword arguments the name's class takes and a task
    passes along (`temperature`, `top_k`, `top_p`, `seed` for `"random"`;
    `beam_width`, `length_penalty` for `"beam"`); the others are ignored.

    Example:

    >>> get_sampler("random", temperature=0.8, seed=0, beam_width=4)  # RandomSampler(0.8, seed=0)
    """
    if isinstance(sampler, Sampler):
        return sampler
    if sampler == "greedy":
        return GreedySampler()
    if sampler == "random":
        names = ("temperature", "top_k", "top_p", "seed")
        return RandomSampler(**{k: v for k, v in settings.items() if k in names})
    if sampler == "beam":
        names = ("beam_width", "length_penalty")
        return BeamSampler(**{k: v for k, v in settings.items() if k in names})
    raise ValueError(
        f"`sampler` must be one of {', '.join(map(repr, SAMPLER_NAMES))} or a kerasrnn.decoding.Sampler, "
        f"received: sampler={sampler!r}"
    )
