"""Runs every Python block of README.md's "Use it from Python, R, QGIS and MapLibre" section,
verbatim but for the server address, so the README never shows code that does not work.

    .venv/bin/python tests/clients/readme_snippets.py README.md http://127.0.0.1:PORT

Run by tests/api/readme.rs against a server on the bundled real data. Prints what each block
printed; exits non-zero naming the block that failed.
"""

import contextlib
import io
import re
import sys
import traceback

README, BASE = sys.argv[1], sys.argv[2].rstrip("/")
SECTION = "## Use it from Python, R, QGIS and MapLibre"

text = open(README, encoding="utf-8").read()
start = text.index(SECTION)
end = text.index("\n## ", start + len(SECTION))
blocks = re.findall(r"```python\n(.*?)```", text[start:end], re.S)
if len(blocks) < 4:
    sys.exit(f"expected at least 4 Python blocks in {SECTION!r}, found {len(blocks)}")

failed = 0
for i, code in enumerate(blocks, 1):
    code = code.replace("http://127.0.0.1:8080", BASE)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"README block {i}", "exec"), {})
        printed = out.getvalue()
        if not printed.strip():
            raise AssertionError("the block printed nothing")
        print(f"ok   block {i}: {code.splitlines()[0]}\n{printed}")
    except Exception:
        failed += 1
        print(f"FAIL block {i}: {code.splitlines()[0]}\n{out.getvalue()}{traceback.format_exc()}")
sys.exit(1 if failed else 0)
