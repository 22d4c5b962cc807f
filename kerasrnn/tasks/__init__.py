"""Saved tasks: what `kerasrnn.load` returns (model + vocabulary + inference methods)."""

from kerasrnn.tasks.forecaster import Forecaster
from kerasrnn.tasks.language_model import LanguageModel
from kerasrnn.tasks.masked_word_model import MaskedWordModel
from kerasrnn.tasks.name_classifier import NameClassifier
from kerasrnn.tasks.name_generator import NameGenerator
from kerasrnn.tasks.saved_task import load
from kerasrnn.tasks.saved_task import load_keras_model
from kerasrnn.tasks.saved_task import register_task
from kerasrnn.tasks.saved_task import round_weights
from kerasrnn.tasks.saved_task import write_task
from kerasrnn.tasks.task import Task
from kerasrnn.tasks.translator import Translator
from kerasrnn.tasks.word_vectors import WordVectors
