"""How much work each mode measures. `full` is the configuration the speed targets are set for."""

# Training: a character language model, Embedding -> recurrent layer -> Dense, Adam.
_TRAIN = dict(batch_size=64, sequence_length=100, embedding_dim=64, hidden_units=256, vocabulary_size=65)
# Generation: batch 1, greedy, the same model size (the vocabulary is tiny-shakespeare's characters).
_GENERATION = dict(batch_size=1, prompt_length=16, embedding_dim=64, hidden_units=256)
# Skip-gram negative sampling on tiny-shakespeare words: recipes/word2vec.py's settings (gensim's defaults).
_SGNS = dict(embedding_dim=100, window_size=5, num_negatives=5, min_count=5, subsample=1e-3,
             batch_size=1024, learning_rate=0.025, final_learning_rate=1e-4, workers=2)
# Echo-state network on Mackey-Glass (tau=17): one-step-ahead prediction, readout fitted by ridge regression.
_ESN = dict(units=500, connectivity=0.1, spectral_radius=1.25, leak_rate=0.3, input_scaling=1.0,
            ridge=1e-7, warmup_steps=100, train_steps=10_000, test_steps=2_000)
# Encoder-decoder training: recipes/translate_en_fr.py's default model on pairs of 10 tokens a side.
_SEQ2SEQ = dict(batch_size=128, sequence_length=10, embedding_dim=128, hidden_units=256, num_layers=2,
                vocabulary_size=6000)

SIZES = {
    "full": {
        "matmul": dict(size=2048, products=5, repeats=7),
        "train": dict(_TRAIN, steps=20, repeats=7),
        "generation": dict(_GENERATION, num_steps=500, repeats=7),
        "sgns": dict(_SGNS, characters=None, repeats=5),  # one epoch of the whole corpus per repeat
        "esn": dict(_ESN, repeats=7),
        "seq2seq": dict(_SEQ2SEQ, steps=10, repeats=7),
    },
    "quick": {
        "matmul": dict(size=2048, products=3, repeats=3),
        "train": dict(_TRAIN, steps=4, repeats=3),
        "generation": dict(_GENERATION, num_steps=200, repeats=3),
        "sgns": dict(_SGNS, characters=300_000, repeats=2),
        "esn": dict(_ESN, repeats=3, quality_seeds=30),
        "seq2seq": dict(_SEQ2SEQ, steps=4, repeats=3),
    },
    # The smallest run that exercises every code path, for the test suite.
    "smoke": {
        "matmul": dict(size=128, products=2, repeats=1),
        "train": dict(batch_size=4, sequence_length=8, embedding_dim=8, hidden_units=16, vocabulary_size=65,
                      steps=2, repeats=1),
        "generation": dict(batch_size=1, prompt_length=4, embedding_dim=8, hidden_units=16, num_steps=8, repeats=1),
        "sgns": dict(_SGNS, embedding_dim=16, batch_size=256, characters=20_000, repeats=1),
        "esn": dict(_ESN, units=50, train_steps=600, test_steps=200, repeats=1, quality_seeds=3),
        "seq2seq": dict(batch_size=4, sequence_length=5, embedding_dim=8, hidden_units=16, num_layers=2,
                        vocabulary_size=50, steps=2, repeats=1),
    },
}

MODES = tuple(SIZES)
