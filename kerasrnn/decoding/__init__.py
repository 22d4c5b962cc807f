"""Decoding: one compiled loop per strategy (greedy, sampling, beam search)."""

from kerasrnn.decoding.beam_search import beam_search
from kerasrnn.decoding.beam_search import length_penalty
from kerasrnn.decoding.sampling import TokenSampler
from kerasrnn.decoding.sampling import check_sampling_arguments
from kerasrnn.decoding.sampling import filter_logits
from kerasrnn.decoding.seq2seq_decoding import Seq2SeqGenerator
from kerasrnn.decoding.seq2seq_decoding import Seq2SeqStepper
from kerasrnn.decoding.stepper import RecurrentStepper
