"""Browser test: the admin creates a user, who signs in and must change his password first."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot

INITIAL = "kopi-tubruk-senja-7"
OWN = "gajah-biru-menari-lagi"


def test_the_admin_creates_a_user_who_changes_his_password(signed_in, new_page):
    """Through the real pages: Admin > Pengguna > Tambah pengguna (a weak password refused
    inline first), then the new user signs in, lands on Ganti kata sandi, and only after
    changing it reaches the board."""
    admin = signed_in("admin")
    admin.get_by_role("link", name="Admin").click()
    admin.get_by_role("link", name="Pengguna").click()
    expect(admin.get_by_role("heading", name="Pengguna", level=1)).to_be_visible()
    admin.get_by_role("link", name="Tambah pengguna").click()
    admin.get_by_label("Nama pengguna").fill("budi")
    admin.get_by_label("Nama lengkap").fill("Budi Santoso")
    admin.get_by_label("NIP (18 angka)").fill("199001012015011001")
    admin.get_by_label("anggota", exact=True).check()
    admin.get_by_label("Kata sandi awal").fill("password123")
    admin.get_by_role("button", name="Simpan pengguna").click()
    expect(admin.locator(".field-error")).to_contain_text("Kata sandi ditolak")
    screenshot(admin, "accounts-new-user-weak-password")
    admin.get_by_label("Kata sandi awal").fill(INITIAL)
    admin.get_by_role("button", name="Simpan pengguna").click()
    expect(admin.locator(".flash-success")).to_contain_text("Pengguna budi dibuat")
    row = admin.get_by_role("row").filter(has_text="budi")
    expect(row).to_contain_text("harus ganti kata sandi")
    screenshot(admin, "accounts-users-list")
    row.get_by_role("link", name="budi").click()
    expect(admin.get_by_role("heading", name="Atur ulang kata sandi")).to_be_visible()
    expect(admin.get_by_role("button", name="Nonaktifkan pengguna")).to_be_visible()
    screenshot(admin, "accounts-edit-user")

    budi = new_page()
    budi.goto("/login")
    budi.get_by_label("Nama pengguna").fill("budi")
    budi.get_by_label("Kata sandi").fill(INITIAL)
    budi.get_by_role("button", name="Masuk", exact=True).click()
    expect(budi.get_by_role("heading", name="Ganti kata sandi")).to_be_visible()
    expect(budi.get_by_text("diberikan oleh admin")).to_be_visible()
    budi.goto("/")
    expect(budi.get_by_role("heading", name="Ganti kata sandi")).to_be_visible()
    budi.get_by_label("Kata sandi sekarang").fill(INITIAL)
    budi.get_by_label("Kata sandi baru", exact=True).fill("budi")
    budi.get_by_label("Ulangi kata sandi baru").fill("budi")
    budi.get_by_role("button", name="Ganti kata sandi").click()
    expect(budi.locator(".field-error")).to_contain_text("kurang dari 10 karakter")
    screenshot(budi, "accounts-change-password-refused")
    budi.get_by_label("Kata sandi sekarang").fill(INITIAL)
    budi.get_by_label("Kata sandi baru", exact=True).fill(OWN)
    budi.get_by_label("Ulangi kata sandi baru").fill(OWN)
    budi.get_by_role("button", name="Ganti kata sandi").click()
    expect(budi.get_by_role("heading", name="Papan kerja", level=1)).to_be_visible()
    expect(budi.locator(".flash-success")).to_contain_text("Kata sandi diganti")
    screenshot(budi, "accounts-board-after-change")
