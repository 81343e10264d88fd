"""Step 12 on paper from the board (app/web/paper_signing.py, templates/board/_paper_signed.html),
the address the signing card says it will print, and the paper marker on the pages."""

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.demo import demo_pdf
from app.extensions import db
from app.models import Instance, InstanceStatus, SignedReport, Task
from tests.web.test_board import card_of
from tests.web.test_verify import signing_task  # noqa: F401 (fixture)

SIGNED_KIND = "Laporan Hasil Pengukuran Kinerja yang Sudah Ditandatangani"
SCAN = demo_pdf("Laporan (pindaian)", ["ditandatangani basah"])


def paper_sign(page, task, *, signed_at="", file=SCAN, filename="pindaian.pdf"):
    data = {"version": str(task["version"]), "signed_at": signed_at}
    if file is not None:
        data["file"] = (io.BytesIO(file), filename)
    return page.post(
        f"/tasks/{task['id']}/paper-signature", data=data, content_type="multipart/form-data"
    )


def local(at: datetime) -> str:
    """`at` as a datetime-local field sends it, on the office's clock (Asia/Jakarta)."""
    return at.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m-%dT%H:%M")


def test_the_card_offers_signing_on_paper(pages, signing_task):  # noqa: F811
    """The Camat's step-12 card has, beside the password form, a paper form with a file
    input, a signed-at date-time field and a clear label; nobody else sees it."""
    card = card_of(pages("camat").get("/").text, signing_task["id"])
    assert "Tandatangani laporan" in card
    assert "Sudah ditandatangani di atas kertas? Catat pindaiannya" in card
    assert 'type="file" name="file"' in card and 'accept=".pdf,.png,.jpg,.jpeg"' in card
    assert 'type="datetime-local" name="signed_at"' in card
    assert "Waktu ditandatangani (waktu kantor" in card
    assert "Catat tanda tangan basah dan selesaikan langkah 12" in card
    for role in ("sekcam", "admin", "viewer"):
        assert "paper-signature" not in card_of(pages(role).get("/").text, signing_task["id"])


def test_the_card_says_which_address_will_be_printed(app, pages, signing_task):  # noqa: F811
    """Unset, the card names the fallback link and warns; with BASE_URL set, it names that
    address without the warning."""
    card = card_of(pages("camat").get("/").text, signing_task["id"])
    assert (
        "Tautan verifikasi yang akan dicetak: <code>http://127.0.0.1:5000/verify/…</code>" in card
    )
    assert "Alamat publik aplikasi belum diatur" in card
    app.config["BASE_URL"] = "https://sakip.purbalinggakec.example"
    card = card_of(pages("camat").get("/").text, signing_task["id"])
    assert "https://sakip.purbalinggakec.example/verify/…" in card
    assert "belum diatur" not in card


def test_recording_the_scan_finishes_the_measurement(app, pages, signing_task):  # noqa: F811
    """The paper form with a scan and the signing time finishes step 12 at that time (a
    back-dated move); the measurement's page marks the report signed on paper."""
    with app.app_context():
        task = db.session.get(Task, signing_task["id"])
        task.opened_at -= timedelta(hours=2)  # opened earlier this morning
        db.session.commit()
        signing_task = {**signing_task, "version": task.version}
    signed_at = (datetime.now(UTC) - timedelta(hours=1)).replace(second=0, microsecond=0)
    camat = pages("camat")
    response = paper_sign(camat, signing_task, signed_at=local(signed_at))
    assert response.status_code == 204, response.text
    target = response.headers["HX-Redirect"]
    assert target == f"/instances/{signing_task['instance_id']}"
    with app.app_context():
        report = db.session.scalar(sa.select(SignedReport))
        assert report.signed_on_paper
        assert report.signed_at == signed_at
        assert report.file_sha256 == hashlib.sha256(SCAN).hexdigest()
        task = db.session.get(Task, signing_task["id"])
        assert (task.closed_at, task.backdated) == (signed_at, True)
        instance = db.session.get(Instance, signing_task["instance_id"])
        assert instance.status == InstanceStatus.COMPLETED
    page = camat.get(target).text
    assert "Ditandatangani di atas kertas" in page
    assert f"/verify/{hashlib.sha256(SCAN).hexdigest()}" in page
    assert "tercatat ditandatangani di atas kertas" in page  # the flash


def test_a_scan_recorded_over_the_api_shows_on_the_card(api, pages, signing_task):  # noqa: F811
    """A scan uploaded over the API marks the card (who recorded it, when it was signed) and
    leaves one button that finishes the step."""
    response = api.client.post(
        f"/api/v1/tasks/{signing_task['id']}/documents",
        data={
            "kind": SIGNED_KIND,
            "file": (io.BytesIO(SCAN), "scan.pdf"),
            "signed_on_paper": "true",
            "signed_at": signing_task["opened_at"],
        },
        headers=api.headers("camat"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    camat = pages("camat")
    card = card_of(camat.get("/").text, signing_task["id"])
    assert '<span class="badge paper">Ditandatangani di atas kertas</span>' in card
    assert "dicatat Drs. Bambang Widodo, M.Si." in card
    assert 'type="file" name="file"' not in card.split("paper-sign")[-1]
    current = api.get(f"/api/v1/tasks/{signing_task['id']}").get_json()
    response = paper_sign(camat, current, file=None)
    assert response.status_code == 204, response.text


@pytest.mark.parametrize(
    "signed_at, file, code_text",
    [
        ("kemarin sore", SCAN, "Waktu penandatanganan harus berupa tanggal dan jam"),
        ("", None, "Pilih berkas pindaian laporan yang sudah ditandatangani."),
        ("2999-01-01T08:00", SCAN, "Waktu penandatanganan tidak valid"),
    ],
    ids=["not_a_time", "no_file", "future"],
)
def test_a_bad_paper_form_is_refused_on_the_card(
    app,
    pages,
    signing_task,  # noqa: F811
    signed_at,
    file,
    code_text,
):
    """A signing time that is no time or lies ahead, or no scan: the card says why in
    Indonesian, and nothing is stored."""
    response = paper_sign(pages("camat"), signing_task, signed_at=signed_at, file=file)
    assert response.status_code == 422
    card = card_of(response.text, signing_task["id"])
    assert re.search(r'class="card-error" role="alert">[^<]*' + re.escape(code_text), card)
    with app.app_context():
        assert db.session.scalar(sa.select(SignedReport)) is None
