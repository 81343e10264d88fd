"""The category scale (predikat) is data an admin changes over the API."""

import pytest

from tests.api.test_indicators import create, office, put  # noqa: F401  (fixture)

FIVE_BANDS = [
    {"code": "sangat_tinggi", "name": "Sangat Tinggi", "min_achievement": 91},
    {"code": "tinggi", "name": "Tinggi", "min_achievement": 76},
    {"code": "sedang", "name": "Sedang", "min_achievement": 66},
    {"code": "rendah", "name": "Rendah", "min_achievement": 51},
    {"code": "sangat_rendah", "name": "Sangat Rendah", "min_achievement": None},
]


def scale_put(api, bands, as_="admin"):
    return api.client.put("/api/v1/category-scale", json={"bands": bands}, headers=api.headers(as_))


def test_default_scale_is_served(api):
    """Does everyone see the default scale of DESIGN.md, highest band first?"""
    bands = api.get("/api/v1/category-scale").get_json()["bands"]
    assert [(b["code"], b["min_achievement"]) for b in bands] == [
        ("sangat_tinggi", 91),
        ("tinggi", 76),
        ("sedang", 66),
        ("rendah", 51),
        ("sangat_rendah", None),
    ]


def test_admin_changes_the_scale_and_categories_follow(api, office):  # noqa: F811
    """After an admin raises "Sangat Tinggi" to 95, is an achievement of 92 only "Tinggi"?"""
    create(api)
    body = put(api, "PEM-01", "2026-Q1", {"target": 100, "realization": 92}).get_json()
    assert body["category"] == "sangat_tinggi"
    bands = [dict(b) for b in FIVE_BANDS]
    bands[0]["min_achievement"] = 95
    response = scale_put(api, list(reversed(bands)))
    assert response.status_code == 200
    assert response.get_json()["bands"][0]["min_achievement"] == 95
    again = put(api, "PEM-01", "2026-Q1", {"target": 100, "realization": 92}).get_json()
    assert again["category"] == "tinggi"
    served = api.get("/api/v1/category-scale").get_json()["bands"]
    assert served[0] == {"code": "sangat_tinggi", "label": "Sangat Tinggi", "min_achievement": 95}


@pytest.mark.parametrize("username", ["anggota", "camat", "sekcam", "kasi", "viewer"])
def test_only_admin_changes_the_scale(api, username):
    """Is everyone but the admin refused, with the scale unchanged?"""
    response = scale_put(api, FIVE_BANDS, as_=username)
    assert response.status_code == 403
    assert api.get("/api/v1/category-scale").get_json()["bands"][0]["min_achievement"] == 91


@pytest.mark.parametrize(
    "bands, fragment",
    [
        (FIVE_BANDS[:1], "Length"),
        ([FIVE_BANDS[0], dict(FIVE_BANDS[1], code="sangat_tinggi")], "unique"),
        ([FIVE_BANDS[0], dict(FIVE_BANDS[1], min_achievement=91), FIVE_BANDS[4]], "same"),
        (FIVE_BANDS[:4], "no lower bound"),
        ([FIVE_BANDS[4], dict(FIVE_BANDS[3], min_achievement=None)], "no lower bound"),
        ([FIVE_BANDS[0], dict(FIVE_BANDS[4], min_achievement="abc")], "Not a valid"),
        ([FIVE_BANDS[0], dict(FIVE_BANDS[4], code="Bad Code!")], "String does not match"),
    ],
)
def test_bad_scales_are_refused(api, bands, fragment):
    """Is a scale with too few bands, twin codes or bounds, or no lowest band refused with
    422, changing nothing?"""
    response = scale_put(api, bands)
    assert response.status_code == 422
    assert fragment in str(response.get_json())
    assert len(api.get("/api/v1/category-scale").get_json()["bands"]) == 5
