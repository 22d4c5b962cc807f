"""Decoding: one compiled loop per strategy (greedy, sampling, beam search)."""

from kerasrnn.decoding.sampling import TokenSampler
from kerasrnn.decoding.sampling import check_sampling_arguments
from kerasrnn.decoding.sampling import filter_logits
from kerasrnn.decoding.stepper import RecurrentStepper
