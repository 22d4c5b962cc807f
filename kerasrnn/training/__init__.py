"""What trains: callbacks and training helpers, the SGNS trainer, the closed-form ridge readout.

Above `kerasrnn.models` and `kerasrnn.data`: these train the models those
build. Importing it does not import TensorFlow on JAX or PyTorch.

Modules:
    callbacks          Callbacks and helpers shared by the recipes: NaN and
                       divergence checks, checkpoints, epoch times, the last
                       epochs' weights for averaging, optimizers, curves.
    skip_gram_trainer  `SkipGramTrainer`: word2vec's sparse SGD for `Word2Vec`.
    ridge              `fit_ridge_readout`: an echo-state network's readout in
                       closed form (`EchoStateNetwork.fit_readout`).
"""

from kerasrnn.training.callbacks import DIVERGENCE_ADVICE
from kerasrnn.training.callbacks import DIVERGENCE_FACTOR
from kerasrnn.training.callbacks import AtomicBestCheckpoint
from kerasrnn.training.callbacks import EpochTimer
from kerasrnn.training.callbacks import LastWeights
from kerasrnn.training.callbacks import NaNLossError
from kerasrnn.training.callbacks import ResumeDataOrder
from kerasrnn.training.callbacks import StopOnNaN
from kerasrnn.training.callbacks import check_loss
from kerasrnn.training.callbacks import check_no_nan
from kerasrnn.training.callbacks import copy_best_model
from kerasrnn.training.callbacks import full_history
from kerasrnn.training.callbacks import loss_diverged
from kerasrnn.training.callbacks import plot_history
from kerasrnn.training.callbacks import recurrent_optimizer
from kerasrnn.training.callbacks import restore_best
from kerasrnn.training.callbacks import standard_callbacks
from kerasrnn.training.callbacks import write_card
from kerasrnn.training.ridge import fit_ridge_readout
from kerasrnn.training.skip_gram_trainer import SkipGramTrainer
