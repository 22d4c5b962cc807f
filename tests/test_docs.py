"""Every Python block of README.md and docs/*.md runs, in a fresh process, from a directory outside the clone."""

import re

import pytest

from tests import testing

DOCUMENTS = [testing.REPO_ROOT / "README.md", *sorted((testing.REPO_ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def python_blocks():
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for number, match in enumerate(FENCE.finditer(text), start=1):
            line = text[: match.start()].count("\n") + 1
            yield pytest.param(match.group(1), id=f"{document.relative_to(testing.REPO_ROOT)}:{line}")


def test_the_documents_have_python_blocks():
    assert len(list(python_blocks())) >= 8


@pytest.mark.parametrize("code", python_blocks())
def test_python_block_runs(code, tmp_path):
    testing.run_python(code, testing.backend(), cwd=tmp_path)
