// The JSON-stat JavaScript toolkit (jsonstat-toolkit, pinned in package-lock.json) reads a
// document from /v1/data?f=jsonstat.
//
//   node tests/clients/js/jsonstat_toolkit.cjs doc.json '{"indicator":"population",...}'
//
// Run by tests/api/data.rs, which checks what it prints: the cell at the given coordinates,
// the labels and units of the indicator and breakdown dimensions, and the dataset's updated.
"use strict";
const fs = require("fs");
const JSONstat = require("jsonstat-toolkit");

const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const coords = JSON.parse(process.argv[3]);
const ds = JSONstat(doc).Dataset(0);
if (!ds || ds.class !== "dataset") {
  console.log("FAIL: not read as a dataset");
  process.exit(1);
}
const labels = (dim) =>
  Object.fromEntries(ds.Dimension(dim).id.map((id) => [id, ds.Dimension(dim).Category(id).label]));
const units = Object.fromEntries(
  ds.Dimension("indicator").id.map((id) => [id, ds.Dimension("indicator").Category(id).unit]),
);
console.log(
  JSON.stringify({
    n: ds.n,
    ids: ds.id,
    updated: ds.updated,
    cell: ds.Data(coords),
    indicator: labels("indicator"),
    breakdown: labels("breakdown"),
    region: labels("Region"),
    units,
    role: ds.role,
  }),
);
