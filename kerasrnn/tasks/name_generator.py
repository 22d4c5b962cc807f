"""A character language model over newline-separated names that generates whole names."""

import numpy as np

from kerasrnn.decoding import get_sampler
from kerasrnn.tasks.language_model import LanguageModel
from kerasrnn.tasks.saved_task import register_task
from kerasrnn.utils.validation import check_positive_int

NAME_SEPARATOR = "\n"


@register_task("name_generator")
class NameGenerator(LanguageModel):
    """Generate new names (plants, people...) one character at a time.

    The model is trained on names joined by newlines, so a newline both starts
    and ends a name: generation starts after a newline and stops at the next
    one. Everything `LanguageModel` offers (`generate`, `score`) works too.

    Example:

    >>> plants = kerasrnn.load("saved_models/generate_plant_names/lstm")
    >>> plants.generate_names(5, temperature=0.8, seed=0)
    """

    def generate_names(self, count, max_length=40, temperature=1.0, top_k=None, seed=None, prefix="", top_p=None,
                       sampler="random"):
        """Generate `count` names in one batched, compiled decoding loop.

        Args:
            count: how many names.
            max_length: characters generated per name before giving up on
                an end of name (the name is then cut there). Defaults to 40.
            temperature, top_k, seed: sampling settings (see
                `kerasrnn.decoding.RandomSampler`).
            prefix: optional start of every name. Defaults to "".
            top_p: nucleus sampling threshold. Defaults to None.
            sampler: `"random"` (with the settings above), `"greedy"`,
                `"beam"` or a `kerasrnn.decoding.Sampler`. Defaults to
                `"random"`.

        Returns:
            A list of `count` strings, without the newline.
        """
        count = check_positive_int(count, "count")
        if NAME_SEPARATOR not in self.vocabulary:
            raise ValueError("this model was not trained on newline-separated names")
        prompt = self.vocabulary.encode(NAME_SEPARATOR + prefix)
        prompts = np.repeat(prompt[None, :], count, axis=0)  # (count, prompt_length)
        sampler = get_sampler(sampler, temperature=temperature, top_k=top_k, top_p=top_p, seed=seed)
        ids = self.generator.generate(prompts, max_length, sampler)
        names = []
        for row in ids:
            text = self.vocabulary.decode(row, stop_at_end=False)
            names.append(prefix + text.split(NAME_SEPARATOR, 1)[0])
        return names
