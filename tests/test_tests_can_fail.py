"""A test that asserts nothing passes whatever the code does. One such test hid a broken
permission check for weeks (a lint clean-up moved its assertions into a lambda that was
never called), so the suite itself refuses a test function that cannot fail.

A test counts as asserting when its body, or a helper it calls (defined anywhere under
``tests/``, followed three calls deep), holds an ``assert`` statement, ``pytest.raises`` /
``pytest.fail`` / ``pytest.warns``, an ``assert*`` call (``django_assert_num_queries``,
``assertContains``...), a ``*validate`` call that raises (schemathesis's
``call_and_validate``) or Playwright's ``expect``.
"""

from __future__ import annotations

import ast
import pathlib

TESTS = pathlib.Path(__file__).resolve().parent
ASSERTING_CALLS = {"raises", "fail", "warns", "expect"}


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _asserts(node: ast.AST, helpers: set[str]) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assert):
            return True
        if isinstance(sub, ast.Call):
            name = _called_name(sub)
            if (
                name in ASSERTING_CALLS
                or name.startswith("assert")
                or name.endswith("validate")  # schemathesis, jsonschema: raise on failure
                or name in helpers
            ):
                return True
    return False


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def vacuous_tests(root: pathlib.Path) -> list[str]:
    modules = {path: ast.parse(path.read_text(encoding="utf-8")) for path in root.rglob("*.py")}
    every = [fn for tree in modules.values() for fn in _functions(tree)]
    helpers: set[str] = set()
    for _ in range(3):  # helpers that call helpers that assert
        helpers |= {
            fn.name for fn in every if not fn.name.startswith("test") and _asserts(fn, helpers)
        }
    found = []
    for path, tree in sorted(modules.items()):
        for fn in _functions(tree):
            if fn.name.startswith("test") and not _asserts(fn, helpers):
                found.append(f"{path.relative_to(root.parent)}:{fn.lineno} {fn.name}")
    return found


def test_every_test_function_can_fail():
    assert vacuous_tests(TESTS) == []


def test_the_check_catches_a_test_that_asserts_nothing(tmp_path):
    (tmp_path / "test_sample.py").write_text(
        "import pytest\n"
        "def _check(x):\n    assert x\n"
        "def test_calls_helper():\n    _check(1)\n"
        "def test_raises():\n    with pytest.raises(ValueError):\n        int('x')\n"
        "def test_nothing():\n    def call():\n        return 1\n",
        encoding="utf-8",
    )
    assert vacuous_tests(tmp_path) == [f"{tmp_path.name}/test_sample.py:9 test_nothing"]
