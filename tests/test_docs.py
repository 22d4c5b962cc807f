"""Every Python block of README.md and docs/*.md runs, from a directory outside the clone.

One fresh process per backend run starts Keras once and runs every block in turn, each with fresh
globals (a block that forgets an import still fails) in its own empty working directory.
"""

import os
import re
import traceback

import pytest

from tests import testing

DOCUMENTS = [testing.REPO_ROOT / "README.md", *sorted((testing.REPO_ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def python_blocks():
    """{"<document>:<line>": code} for every Python block, in the order of the documents."""
    blocks = {}
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text[: match.start()].count("\n") + 1
            blocks[f"{document.relative_to(testing.REPO_ROOT)}:{line}"] = match.group(1)
    return blocks


BLOCKS = python_blocks()


def run_blocks(blocks, directory):
    """Run each block of `blocks` ({id: code}) in this process; return {id: None, or its traceback}."""
    results = {}
    for index, (block_id, code) in enumerate(blocks.items()):
        working_directory = os.path.join(directory, str(index))
        os.makedirs(working_directory)
        os.chdir(working_directory)
        try:
            exec(compile(code, block_id, "exec"), {"__name__": "__main__"})
            results[block_id] = None
        except BaseException:  # noqa: B036  (a block's SystemExit is a failure too)
            results[block_id] = traceback.format_exc()[-4000:]
    return results


@pytest.fixture(scope="module")
def block_results(tmp_path_factory):
    directory = tmp_path_factory.mktemp("docs")
    code = ("import json; from tests.test_docs import BLOCKS, run_blocks; "
            f"print(json.dumps(run_blocks(BLOCKS, {str(directory)!r})))")
    return testing.run_json(code, testing.backend(), cwd=directory, timeout=1800)


def test_the_documents_have_python_blocks():
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("block_id", BLOCKS)
def test_python_block_runs(block_id, block_results):
    assert block_results[block_id] is None, f"{block_id} failed:\n{block_results[block_id]}"
