"""pyjstat reads a JSON-stat 2.0 document from /v1/data?f=jsonstat into pandas DataFrames.

    .venv/bin/python tests/clients/jsonstat_pyjstat.py doc.json

Run by tests/api/data.rs, which checks what it prints: one JSON object with the rows of the
DataFrame by labels (pyjstat's default) and by ids, each row a record.
"""

import json
import sys

from pyjstat import pyjstat

with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
dataset = pyjstat.Dataset.read(text)
by_label = dataset.write("dataframe")
by_id = dataset.write("dataframe", naming="id")
print(
    json.dumps(
        {
            "columns": list(by_label.columns),
            "by_label": json.loads(by_label.to_json(orient="records")),
            "by_id": json.loads(by_id.to_json(orient="records")),
        },
        ensure_ascii=False,
    )
)
