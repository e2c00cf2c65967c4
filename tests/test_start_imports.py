"""What a start imports before the first paint.

The picker paints before NumPy and the lesson session are imported: it loads them (with the
lessons) in a worker thread. Imported at the top of a module the app imports, they added ~90 ms
to the picker's first paint (benchmarks/tui.py: picker 1.27× a bare Textual app → 1.8×), as
``nn_tui.ui.commands`` did once through ``pane_layout``. And the command line must not import
Textual unless it launches the app.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("numpy", "nn_tui.lessons.session", "nn_tui.engine")


def imported_after(statement: str) -> dict[str, bool]:
    code = (f"import sys, json\n{statement}\n"
            f"print(json.dumps({{name: name in sys.modules for name in {list(HEAVY) + ['textual']!r}}}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout)


def test_the_app_and_its_screens_import_no_numpy_before_the_picker_paints():
    loaded = imported_after("import nn_tui.ui.app, nn_tui.ui.screens.picker, nn_tui.ui.commands")
    assert not any(loaded[name] for name in HEAVY), loaded


def test_the_command_line_imports_no_textual():
    assert imported_after("import nn_tui.cli")["textual"] is False
