"""The admin's office pages in a real browser: the profile with its logo, the sections, the
indicators (retiring one takes it off a new period's sheet), the predikat scale, and the
list of measurements; a screenshot of each."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.office_helpers import PROFILE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def office(live_server, tmp_path_factory):
    """Two sections, three indicators with 2026-Q1 values, two measurements, a logo file."""
    api = live_server.runner.api
    for code, name, head in [
        ("pemerintahan", "Seksi Pemerintahan", "kasi"),
        ("trantib", "Seksi Ketenteraman dan Ketertiban Umum", None),
    ]:
        body = {"code": code, "name": name, "head": head}
        assert api.post("/api/v1/sections", json=body, as_="admin").status_code == 201
    for code, name, section in [
        ("PEM-01", "Persentase desa tertib administrasi pemerintahan", "pemerintahan"),
        ("PEM-02", "Jumlah rekomendasi izin yang diterbitkan tepat waktu", "pemerintahan"),
        ("TRA-01", "Persentase gangguan ketertiban yang ditangani", "trantib"),
    ]:
        body = {
            "code": code,
            "name": name,
            "unit": "%",
            "polarity": "positive",
            "aggregation": "average",
            "section": section,
        }
        assert api.post("/api/v1/indicators", json=body, as_="admin").status_code == 201
        response = api.client.put(
            f"/api/v1/indicators/{code}/values/2026-Q1",
            json={"target": 80, "realization": 76},
            headers=api.headers("anggota"),
        )
        assert response.status_code == 200
    live_server.runner.start("2026-Q1")
    live_server.runner.start("2026-Q2", title="Pengukuran Kinerja Triwulan II 2026")
    logo = tmp_path_factory.mktemp("logo") / "logo-kecamatan.png"
    logo.write_bytes(_drawn_logo())
    return {"logo": logo}


def _drawn_logo() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (160, 180), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(80, 4), (156, 40), (140, 150), (80, 176), (20, 150), (4, 40)], fill="#0b5394")
    draw.ellipse((45, 50, 115, 120), fill="#f0b400")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_admin_retires_an_indicator_and_a_new_period_leaves_it_out(office, signed_in):
    """Does the admin retire PEM-02 on its page, and then see it gone from 2026-Q2's
    Indikator sheet while 2026-Q1 (which has its values) still shows it?"""
    page = signed_in("admin")
    page.goto("/admin/indicators")
    expect(page.locator("#ind-PEM-02")).to_contain_text("Aktif")
    screenshot(page, "admin-indicators")
    page.locator("#ind-PEM-02").get_by_role("link", name="Ubah").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("PEM-02")
    screenshot(page, "admin-indicator-edit")
    page.get_by_role("button", name="Nonaktifkan indikator").click()
    expect(page.locator(".flash-success")).to_contain_text("dinonaktifkan")
    expect(page.get_by_role("button", name="Aktifkan kembali")).to_be_visible()
    page.goto("/indicators?period=2026-Q2")
    expect(page.locator("#ind-PEM-01")).to_be_visible()
    expect(page.locator("#ind-PEM-02")).to_have_count(0)
    screenshot(page, "indicators-after-retiring")
    page.goto("/indicators?period=2026-Q1")
    expect(page.locator("#ind-PEM-02")).to_be_visible()
    page.goto("/admin/indicators")
    expect(page.locator("#ind-PEM-02")).to_contain_text("Nonaktif")


def test_admin_saves_the_office_profile_with_a_logo(office, signed_in):
    """Does the admin's profile with a logo show in the header and the letterhead preview,
    and a bad e-mail get an inline message?"""
    page = signed_in("admin")
    page.goto("/admin/office")
    for name, label in [
        ("name", "Nama kantor"),
        ("address", "Alamat jalan"),
        ("phone", "Telepon"),
        ("website", "Laman web"),
    ]:
        page.get_by_label(label, exact=True).fill(PROFILE[name])
    page.get_by_label("E-mail", exact=True).fill("bukan email")
    page.get_by_role("button", name="Simpan profil").click()
    expect(page.locator("#email-error")).to_contain_text("Alamat e-mail tidak valid")
    screenshot(page, "admin-office-error")
    page.get_by_label("E-mail", exact=True).fill(PROFILE["email"])
    page.locator("input[type=file]").set_input_files(str(office["logo"]))
    page.get_by_role("button", name="Simpan profil").click()
    expect(page.locator(".flash-success")).to_contain_text("Profil kantor disimpan.")
    expect(page.locator(".topbar .brand")).to_contain_text("Kecamatan Kalimanah")
    expect(page.locator(".topbar img.brand-logo")).to_be_visible()
    expect(page.locator(".kop-preview")).to_contain_text(PROFILE["address"])
    screenshot(page, "admin-office")


def test_admin_sets_a_section_head(office, signed_in):
    """Does the admin give the trantib section a head on the sections page?"""
    page = signed_in("admin")
    page.goto("/admin/sections")
    row = page.locator("#section-trantib")
    row.get_by_label("Kepala seksi").select_option("kasi2")
    row.get_by_role("button", name="Simpan").click()
    expect(page.locator(".flash-success")).to_contain_text("disimpan")
    expect(page.locator("#section-trantib select")).to_have_value("kasi2")
    screenshot(page, "admin-sections")


def test_admin_sees_scale_problems_inline(office, signed_in):
    """Is a scale with two lowest bands refused with the problem in Indonesian?"""
    page = signed_in("admin")
    page.goto("/admin/scale")
    page.locator("#bound-0").fill("")
    page.get_by_role("button", name="Simpan skala").click()
    expect(page.locator("#scale-problem")).to_contain_text("tepat satu predikat")
    screenshot(page, "admin-scale-error")
    page.goto("/admin/scale")
    screenshot(page, "admin-scale")


def test_the_list_of_measurements_filters_in_place(office, signed_in):
    """Does Daftar pengukuran list both measurements and narrow them as the title is
    typed?"""
    page = signed_in("viewer")
    page.get_by_role("link", name="Daftar pengukuran").click()
    expect(page.locator("table.instances tbody tr")).to_have_count(2)
    # htmx (a deferred script) must have taken the form over before the typing starts.
    page.wait_for_load_state("load")
    page.get_by_label("Cari judul").fill("Triwulan II")
    expect(page.locator("table.instances tbody tr")).to_have_count(1)
    expect(page.locator(".list-count")).to_contain_text("1 pengukuran")
    screenshot(page, "instance-list")
