"""Greedy generation speed: kerasrnn's compiled loop against a plain PyTorch sampling loop.

Both generate `num_steps` characters after a `prompt_length`-character
prompt with an untrained `Embedding -> LSTM(H) -> Dense` model over the
tiny-shakespeare character vocabulary (the weights do not change the speed),
picking the most likely character at every step, and report generated
characters per second.

- `ours`: `kerasrnn.tasks.LanguageModel(model, vocabulary).generate(prompt,
  num_chars, greedy=True)`, what `recipes/predict_next_char.py` and
  `kerasrnn.load(...)` users call: one `keras.ops.fori_loop` compiled by
  `kerasrnn.backend.compile_inference` (jit on JAX, `tf.function` on
  TensorFlow, eager under `no_grad` on PyTorch).
- `torch_loop`: `torch.nn.Embedding`, `torch.nn.LSTM`, `torch.nn.Linear`
  under `torch.no_grad()`: the prompt in one call, then a Python loop that
  feeds back the argmax.
"""

from measurements.common import timed


def _prompt_and_vocabulary(size):
    from kerasrnn.datasets import load_embedded_shakespeare
    from kerasrnn.text import Vocabulary

    text = load_embedded_shakespeare()
    return text[: size["prompt_length"]], Vocabulary.build(text, level="char")


class KerasGeneration:
    unit = "chars/s"

    def __init__(self, size):
        from kerasrnn.models import build_language_model
        from kerasrnn.tasks.language_model import LanguageModel

        self.prompt, vocabulary = _prompt_and_vocabulary(size)
        model = build_language_model(
            vocabulary.size, cell_type="lstm", embedding_dim=size["embedding_dim"], hidden_units=size["hidden_units"]
        )
        self.language_model = LanguageModel(model, vocabulary)
        self.num_steps = size["num_steps"]
        self.amount = self.num_steps
        self.label = "kerasrnn LanguageModel.generate(greedy=True)"

    def _generate(self):
        text = self.language_model.generate(self.prompt, num_chars=self.num_steps, greedy=True)
        return text  # a Python string: the loop has finished

    def warm_up(self):
        return timed(self._generate)

    def run(self):
        return timed(self._generate)


class TorchGeneration:
    unit = "chars/s"

    def __init__(self, size):
        import torch

        torch.manual_seed(0)
        self.torch = torch
        prompt, vocabulary = _prompt_and_vocabulary(size)
        self.embedding = torch.nn.Embedding(vocabulary.size, size["embedding_dim"])
        self.lstm = torch.nn.LSTM(size["embedding_dim"], size["hidden_units"], batch_first=True)
        self.output = torch.nn.Linear(size["hidden_units"], vocabulary.size)
        self.prompt = torch.as_tensor(vocabulary.encode(prompt), dtype=torch.long)[None, :]  # (1, prompt_length)
        self.num_steps = size["num_steps"]
        self.amount = self.num_steps
        self.label = "PyTorch greedy loop with torch.nn.LSTM"

    def _generate(self):
        torch = self.torch
        with torch.no_grad():
            outputs, state = self.lstm(self.embedding(self.prompt))
            token = self.output(outputs[:, -1]).argmax(-1)  # (1,)
            generated = [token]
            for _ in range(self.num_steps - 1):
                outputs, state = self.lstm(self.embedding(token)[:, None], state)
                token = self.output(outputs[:, 0]).argmax(-1)
                generated.append(token)
        return torch.stack(generated, dim=1).tolist()

    def warm_up(self):
        return timed(self._generate)

    def run(self):
        return timed(self._generate)
