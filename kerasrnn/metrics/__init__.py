"""Metrics computed in NumPy on predictions: BLEU, classification scores and calibration, masked words."""

from kerasrnn.metrics.bleu import corpus_bleu
from kerasrnn.metrics.bleu import sentence_bleu
from kerasrnn.metrics.classification import accuracy
from kerasrnn.metrics.classification import confusion_matrix
from kerasrnn.metrics.classification import ensemble_probabilities
from kerasrnn.metrics.classification import expected_calibration_error
from kerasrnn.metrics.classification import f1_scores
from kerasrnn.metrics.classification import fit_temperature
from kerasrnn.metrics.classification import macro_f1
from kerasrnn.metrics.classification import normalize_rows
from kerasrnn.metrics.masked_words import evaluate_masked_words
