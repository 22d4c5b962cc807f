"""Write the README's gallery: run each shipped model's snippet and paste what it printed.

    python docs/gallery.py            # prints the gallery
    python docs/gallery.py --write    # replaces the block between the gallery markers in README.md

Each snippet runs in a fresh Python process on the JAX backend, from a temporary directory (so the
models are found by name, as a user outside the clone would find them); the output under each
snippet is that process's stdout, unedited.
"""

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
BEGIN = "<!-- gallery: written by docs/gallery.py from the shipped models; do not edit -->"
END = "<!-- end of gallery -->"

ENTRIES = [
    ("English to French", "An attention-free LSTM encoder-decoder with beam search.", '''
import kerasrnn

translator = kerasrnn.load("translate_en_fr")
sentences = ["I am cold.", "Where is the station?", "Tom is reading a book."]
for english, french in zip(sentences, translator.translate(sentences, beam_width=4)):
    print(f"{english} -> {french}")
''', ["saved_models/translate_en_fr/training_curve.png"]),
    ("Shakespeare, one character at a time", "A 512-unit LSTM on tiny-shakespeare.", '''
import kerasrnn

lm = kerasrnn.load("predict_next_char")
print(lm.generate("ROMEO:", num_chars=200, temperature=0.8, seed=0))
''', ["saved_models/predict_next_char/lstm/training_curve.png"]),
    ("Where a surname comes from", "Four bidirectional GRUs with character n-gram detectors and four fastText n-gram bags, averaged; 18 languages.", '''
import kerasrnn

classifier = kerasrnn.load("classify_names")
names = ["Nakamura", "Dubois", "Schmidt"]
for name, ranked in zip(names, classifier.predict(names, top_k=2)):
    print(name, [(language, round(p, 2)) for language, p in ranked])
''', ["saved_models/classify_names/best/confusion_matrix_test.png"]),
    ("Plant names that do not exist", "A 3-layer character LSTM on the USDA plant list.", '''
import kerasrnn

generator = kerasrnn.load("generate_plant_names")
print(generator.generate_names(6, temperature=0.8, seed=0))
''', ["saved_models/generate_plant_names/lstm/training_curve.png"]),
    ("Fill in the missing word", "The best of eleven recurrent models, chosen on validation.", '''
import kerasrnn

model = kerasrnn.load("predict_masked_words")
print(model.fill("to be or not to <mask> , that is the question"))
print(model.fill("good <mask> , sweet prince"))
''', ["saved_models/predict_masked_words/validation_curves.png"]),
    ("Word vectors", "Skip-gram with negative sampling on Shakespeare's words.", '''
import kerasrnn

vectors = kerasrnn.load("word2vec")
print([word for word, _ in vectors.most_similar("king", top_k=6)])
print(round(vectors.similarity("king", "queen"), 3))
''', ["saved_models/word2vec/word_map.png"]),
    ("A chaotic series, forecast", "An echo-state network (sparse reservoir, closed-form ridge readout) on Mackey-Glass.", '''
import numpy as np

import kerasrnn
from kerasrnn.datasets import mackey_glass

forecaster = kerasrnn.load("echo_state_forecast")
series = mackey_glass(1200)
forecast = np.asarray(forecaster.forecast(series[:1000], 50)).reshape(-1)
truth = series[1000:1050]
print(f"NRMSE over 50 free-running steps: {np.sqrt(np.mean((forecast - truth) ** 2)) / truth.std():.2e}")
''', ["saved_models/echo_state_forecast/forecast.png", "saved_models/echo_state_forecast/sweep.png"]),
]


def run(code):
    env = dict(os.environ, KERAS_BACKEND="jax", PYTHONPATH=str(REPO_ROOT))
    with tempfile.TemporaryDirectory() as cwd:
        result = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"a gallery snippet failed:\n{code}\n{result.stderr[-3000:]}")
    return result.stdout.rstrip()


def gallery():
    parts = [BEGIN]
    for title, words, code, images in ENTRIES:
        code = code.strip()
        output = run(code)
        parts.append(f"### {title}\n\n{words}\n\n```python\n{code}\n```\n\n```text\n{output}\n```")
        for image in images:
            if (REPO_ROOT / image).exists():
                parts.append(f"![{title}: {pathlib.Path(image).stem.replace('_', ' ')}]({image})")
        print(f"ran: {title}", file=sys.stderr)
    parts.append(END)
    return "\n\n".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the gallery block in README.md")
    args = parser.parse_args()
    text = gallery()
    if not args.write:
        print(text)
        return
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    path = REPO_ROOT / "README.md"
    tmp = path.with_suffix(".md.tmp-gallery")
    tmp.write_text(readme[:start] + text + readme[end:], encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
