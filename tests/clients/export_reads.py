"""Reads the bulk downloads with real readers and checks them against facts from the database.

    export_reads.py geoparquet FILE EXPECT_JSON
    export_reads.py pmtiles FILE EXPECT_JSON OUT_DIR

GeoParquet: pyarrow reads the schema and the `geo` metadata, geopandas.read_parquet the
geometries (shapely from WKB, the CRS through pyproj from PROJJSON). PMTiles: the `pmtiles`
package (protomaps' reference reader) reads the header, metadata and directories; the tiles asked
for are written gunzipped to OUT_DIR as z-x-y.mvt so the caller can compare them with the
server's bytes. Prints one line per check; exits 1 when any fails.
"""

import gzip
import json
import os
import sys

failures = []


def check(what, ok, detail=""):
    print(f"{'ok' if ok else 'FAIL'}: {what} {detail}")
    if not ok:
        failures.append(what)


def close(a, b, tolerance):
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))


def geoparquet(path, expect):
    import geopandas
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path)
    geo = json.loads(meta.metadata[b"geo"])
    column = geo["columns"][geo["primary_column"]]
    check("geo version 1.1.0", geo["version"] == "1.1.0", geo["version"])
    check("WKB encoding", column["encoding"] == "WKB", column["encoding"])
    check("row count in the footer", meta.num_rows == expect["rows"], f"{meta.num_rows} rows")
    check("bbox in the metadata", close(column["bbox"], expect["bbox"], 0.01), column["bbox"])

    frame = geopandas.read_parquet(path)
    check("geopandas reads every row", len(frame) == expect["rows"], f"{len(frame)} rows")
    check("CRS is EPSG:3006", frame.crs is not None and frame.crs.to_epsg() == 3006, str(frame.crs))
    check("bbox of the geometries", close(frame.total_bounds, expect["bbox"], 0.01), frame.total_bounds)
    check("rows in code order", list(frame["code"]) == sorted(frame["code"]), "")
    types = sorted(set(frame.geom_type.dropna()))
    check("geometry types as declared", types == sorted(column["geometry_types"]), types)
    for column_name in expect["columns"]:
        check(f"column {column_name}", column_name in frame.columns, "")

    area = frame[frame["code"] == expect["code"]]
    check(f"{expect['code']} present", len(area) == 1, f"{len(area)} rows")
    if len(area) == 1:
        from shapely.geometry import Point

        row = area.iloc[0]
        point = Point(expect["point"])
        check(f"{expect['code']} is {expect['name']}", row["name"] == expect["name"], row["name"])
        check(
            f"{expect['code']} holds its point inside Sweden",
            row.geometry.contains(point)
            and 265_000 < point.x < 925_000
            and 6_130_000 < point.y < 7_680_000,
            f"({point.x:.0f}, {point.y:.0f})",
        )
        year = expect["year"]
        got = row[f"area_type_{year}"]
        check(f"area type of {year}", int(got) == expect["area_type"], f"{got}")


def pmtiles(path, expect, out_dir):
    from pmtiles.reader import MmapSource, Reader, all_tiles
    from pmtiles.tile import Compression, TileType

    with open(path, "rb") as f:
        reader = Reader(MmapSource(f))
        header = reader.header()
        check("spec version 3", header["version"] == 3, header["version"])
        check("MVT tiles", header["tile_type"] == TileType.MVT, header["tile_type"])
        check("gzip tiles", header["tile_compression"] == Compression.GZIP, "")
        check(
            "zooms",
            (header["min_zoom"], header["max_zoom"]) == tuple(expect["zooms"]),
            (header["min_zoom"], header["max_zoom"]),
        )
        bounds = [header[k] / 1e7 for k in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7")]
        check("bounds", close(bounds, expect["bounds"], 1e-6), bounds)
        metadata = reader.metadata()
        layer = metadata["vector_layers"][0]
        check("layer named by the collection", layer["id"] == expect["layer"], layer["id"])
        check("area_type in the fields", "area_type" in layer["fields"], layer["fields"])
        check("year in the metadata", metadata.get("year") == expect["year"], metadata.get("year"))
        check("data version", metadata.get("data_version") == expect["data_version"], "")

        count = 0
        zooms = set()
        for (z, x, y), data in all_tiles(reader.get_bytes):
            count += 1
            zooms.add(z)
        check("addressed tiles as the header says", count == header["addressed_tiles_count"], f"{count}")
        check("every zoom has tiles", sorted(zooms) == list(range(expect["zooms"][0], expect["zooms"][1] + 1)), sorted(zooms))

        for z, x, y in expect["tiles"]:
            data = reader.get(z, x, y)
            check(f"tile {z}/{x}/{y} present", data is not None, "")
            if data is not None:
                with open(os.path.join(out_dir, f"{z}-{x}-{y}.mvt"), "wb") as out:
                    out.write(gzip.decompress(data))
        for z, x, y in expect["absent"]:
            check(f"tile {z}/{x}/{y} absent", reader.get(z, x, y) is None, "")


if __name__ == "__main__":
    kind, path, expect = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    if kind == "geoparquet":
        geoparquet(path, expect)
    else:
        pmtiles(path, expect, sys.argv[4])
    if failures:
        print(f"{len(failures)} checks failed: {', '.join(failures)}", file=sys.stderr)
        sys.exit(1)
