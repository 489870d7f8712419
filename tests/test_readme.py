"""The README's examples run as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_block(containing: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    (block,) = [b for b in blocks if containing in b]
    return block


def test_the_main_flow_runs_as_written(coupang_mock: Any, coupang_client: Any, coupang_clock: Any) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(_python_block("def test_sell_ship_and_take_back"), "README.md", "exec"), namespace)
    namespace["test_sell_ship_and_take_back"](coupang_mock, coupang_client, coupang_clock)
