"""geopandas + pyogrio (GDAL's OAPIF driver, in the GDAL bundled with pyogrio's wheel) read
segstat's collections in CRS84 and in the storage CRS EPSG:3006, and must get the axes right.

    .venv/bin/python tests/clients/geopandas_reads.py http://127.0.0.1:8080/v1

Run by tests/api/features.rs against a server on the synthetic dataset. Exits non-zero with
every failed check named; prints what it read.
"""

import sys

import geopandas
import pyogrio

LANDING = sys.argv[1]
SOURCE = f"OAPIF:{LANDING}"

# Sweden's extent, in each CRS, as (min x, min y, max x, max y) with the tolerance of a check:
# geopandas/shapely always hold x = easting / longitude once GDAL has applied the axis mapping.
SWEDEN = {
    "CRS84": ((10.9, 55.3, 24.2, 69.1), 0.3),
    "EPSG:3006": ((265_000, 6_130_000, 925_000, 7_680_000), 15_000),
}
# A box around Husby in each CRS, x first (the synthetic dataset's Husby lies south of
# central Stockholm, near (18.067, 59.278), E 674,730 N 6,575,078).
AROUND_HUSBY = {
    "CRS84": (18.03, 59.26, 18.10, 59.30),
    "EPSG:3006": (672_000, 6_572_000, 678_000, 6_578_000),
}

failures = []


def check(what, ok, detail):
    print(("ok   " if ok else "FAIL ") + f"{what}: {detail}")
    if not ok:
        failures.append(what)


def read(layer, crs, **kwargs):
    # `crs=None`: the driver's default, which since GDAL 3.7 is the collection's storageCrs.
    options = {} if crs is None else {"CRS": crs}
    return geopandas.read_file(SOURCE, layer=layer, **options, **kwargs)


print(
    f"geopandas {geopandas.__version__}, pyogrio {pyogrio.__version__}, "
    f"GDAL {pyogrio.__gdal_version_string__}"
)

for label, crs, expected in [
    ("default read (storage CRS)", None, "EPSG:3006"),
    ("CRS=EPSG:3006", "EPSG:3006", "EPSG:3006"),
    ("CRS=OGC:CRS84", "OGC:CRS84", "CRS84"),
]:
    municipalities = read("municipalities", crs)
    if expected == "EPSG:3006":
        check(f"{label}: CRS", municipalities.crs.to_epsg() == 3006, municipalities.crs.srs)
    else:
        check(
            f"{label}: CRS",
            municipalities.crs.is_geographic
            and municipalities.crs.axis_info[0].direction == "east",
            municipalities.crs.srs,
        )
    (want, tolerance) = SWEDEN[expected]
    bounds = [round(float(b), 4) for b in municipalities.total_bounds]
    check(
        f"{label}: Sweden's bounds (x, y, x, y)",
        all(abs(b - w) <= tolerance for b, w in zip(bounds, want)),
        f"{bounds}, expected about {list(want)}",
    )
    stockholm = municipalities[municipalities["code"] == "0180"]
    check(f"{label}: Stockholm kommun read", len(stockholm) == 1, f"{len(stockholm)} rows")

    # The bbox goes to the server (with bbox-crs when not CRS84): its axis order is tested too.
    regso = read("regso-2025", crs, bbox=AROUND_HUSBY[expected])
    husby = regso[regso["code"] == "0180R036"]
    check(f"{label}: Husby in the bbox page", len(husby) == 1, f"{len(regso)} RegSO read")
    if len(husby) == 1 and len(stockholm) == 1:
        point = husby.geometry.iloc[0].representative_point()
        check(
            f"{label}: Husby lies inside Stockholm kommun",
            stockholm.geometry.iloc[0].contains(point),
            f"Husby at ({point.x:.5f}, {point.y:.5f})",
        )
        x0, y0, x1, y1 = AROUND_HUSBY[expected]
        check(
            f"{label}: Husby's x is easting/longitude",
            x0 <= point.x <= x1 and y0 <= point.y <= y1,
            f"({point.x:.5f}, {point.y:.5f}) in {AROUND_HUSBY[expected]}",
        )

if failures:
    print(f"{len(failures)} checks failed: {', '.join(failures)}", file=sys.stderr)
    sys.exit(1)
