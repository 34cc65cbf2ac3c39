"""The requests the load runs send, shared by bench/scale.py and bench/faults.py: the warm URLs
(asked again and again, so answered from memory) and the cold ones (practically never twice)."""

# Every URL here is built from the data, so every 200 names its version (scale.py checks that).
WARM = [
    "/v1/areas?level=kommun",
    "/v1/areas/0180",
    "/v1/municipalities/0180/summary",
    "/v1/collections/regso-2025/items?municipality=0180&geometry=simplified&limit=1000",
    "/v1/data?indicator=population&area=0180,1480&latest=2",
    "/v1/meta",
]


def cold_url(rng):
    # Hundreds of thousands of distinct targets: practically never in memory, so the database
    # answers them.
    return "/v1/areas?level=regso&limit=%d&offset=%d&lang=%s" % (
        rng.randint(1, 50),
        rng.randint(0, 3300),
        rng.choice(["sv", "en"]),
    )
