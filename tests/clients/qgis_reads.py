"""QGIS (Debian's python3-qgis, headless) reads segstat as a GIS analyst's QGIS would: the OGC API
– Features connection from the landing page (the OAPIF provider) and the OGC API – Tiles vector
tiles (the vectortile provider, decoding a tile with QGIS's own MVT decoder).

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/clients/qgis_reads.py http://127.0.0.1:8080/v1

Run by tests/api/features.rs against a server on the synthetic dataset. Exits non-zero with
every failed check named; prints what it read.
"""

import os
import sys

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileBasicRenderer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

LANDING = sys.argv[1]

# Sweden in CRS84, (min lon, min lat, max lon, max lat), and a box around the synthetic
# dataset's Husby (see tests/clients/geopandas_reads.py).
SWEDEN = ((10.9, 55.3, 24.2, 69.1), 0.3)
AROUND_HUSBY = (18.03, 59.26, 18.10, 59.30)

failures = []


def check(what, ok, detail):
    print(("ok   " if ok else "FAIL ") + f"{what}: {detail}")
    if not ok:
        failures.append(what)


QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
print(f"QGIS {Qgis.QGIS_VERSION}")


def oapif(collection):
    # What QGIS's "New OGC API – Features connection" stores: the landing page and a collection.
    layer = QgsVectorLayer(f"url='{LANDING}' typename='{collection}'", collection, "OAPIF")
    check(f"OAPIF {collection}: layer valid", layer.isValid(), f"{layer.featureCount()} features")
    return layer


municipalities = oapif("municipalities")
if municipalities.isValid():
    crs = municipalities.crs()
    check(
        "OAPIF municipalities: CRS is lon/lat WGS 84",
        crs.isGeographic() and crs.postgisSrid() == 4326,
        crs.authid(),
    )
    features = list(municipalities.getFeatures())
    check("OAPIF municipalities: features read", len(features) > 0, f"{len(features)}")
    extent = QgsRectangle()
    for f in features:
        extent.combineExtentWith(f.geometry().boundingBox())
    got = [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()]
    want, tolerance = SWEDEN
    check(
        "OAPIF municipalities: Sweden upright (x = longitude)",
        all(abs(g - w) <= tolerance for g, w in zip(got, want)),
        f"{[round(v, 3) for v in got]}, expected about {list(want)}",
    )
    stockholm = [f for f in features if f["code"] == "0180"]
    check("OAPIF municipalities: Stockholm read", len(stockholm) == 1, f"{len(stockholm)}")

    regso = oapif("regso-2025")
    if regso.isValid():
        # QGIS asks the server with a bbox when the request has a filter rectangle.
        near = list(regso.getFeatures(QgsFeatureRequest(QgsRectangle(*AROUND_HUSBY))))
        husby = [f for f in near if f["code"] == "0180R036"]
        check("OAPIF regso-2025: Husby in the bbox", len(husby) == 1, f"{len(near)} RegSO read")
        if husby and stockholm:
            point = husby[0].geometry().pointOnSurface()
            check(
                "OAPIF regso-2025: Husby lies inside Stockholm kommun",
                stockholm[0].geometry().contains(point),
                point.asWkt(5),
            )

# OGC API – Tiles: the URL template QGIS builds from the tileset's `item` link, drawn by QGIS's
# own renderer (Debian's QGIS 3.22 exposes no MVT decoder to Python: what it draws is what an
# analyst would see).
template = f"{LANDING}/collections/regso-2025/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}"
tiles = QgsVectorTileLayer(f"type=xyz&url={template}&zmin=0&zmax=16", "regso-2025 tiles")
check("vector tiles: layer valid", tiles.isValid(), template)


def painted(layer, extent_3857):
    """The share of pixels QGIS paints when it draws `layer` over an extent in EPSG:3857."""
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    settings.setExtent(extent_3857)
    settings.setOutputSize(QSize(256, 256))
    settings.setBackgroundColor(QColor(0, 0, 0, 0))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    total = image.width() * image.height()
    opaque = sum(
        1
        for y in range(0, image.height(), 4)
        for x in range(0, image.width(), 4)
        if image.pixelColor(x, y).alpha() > 0
    )
    return opaque / (total / 16), [str(e) for e in job.errors()]


if tiles.isValid():
    tiles.setRenderer(QgsVectorTileBasicRenderer())
    tiles.renderer().setStyles(QgsVectorTileBasicRenderer.simpleStyleWithRandomColors())
    # Central Stockholm (about 18.0–18.1 E, 59.25–59.3 N) and the open Baltic south-east of Gotland (19.5 E, 56.0 N).
    stockholm_3857 = QgsRectangle(2_003_000, 8_240_000, 2_015_000, 8_252_000)
    sea_3857 = QgsRectangle(2_170_000, 7_558_000, 2_182_000, 7_570_000)
    share, errors = painted(tiles, stockholm_3857)
    check("vector tiles: QGIS draws RegSO over Stockholm", share > 0.5 and not errors, f"{share:.0%} painted {errors}")
    share, errors = painted(tiles, sea_3857)
    check("vector tiles: QGIS draws nothing over the sea", share == 0 and not errors, f"{share:.0%} painted {errors}")

if failures:
    print(f"{len(failures)} checks failed: {', '.join(failures)}", file=sys.stderr)
sys.stdout.flush()
sys.stderr.flush()
# QGIS 3.22 can crash while tearing down its providers at exit; the checks are done by then.
os._exit(1 if failures else 0)
