"""Functional models assembled from kerasrnn layers, one file per task family."""

from kerasrnn.models.language_model import build_language_model
