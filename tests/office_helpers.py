"""Helpers of the office tests: small real images to upload as the office's logo."""

import io


def png_logo(size: tuple[int, int] = (48, 32), color=(11, 83, 148)) -> bytes:
    """A small PNG image (the office's logo in the tests)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg_logo(size: tuple[int, int] = (40, 40)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


PROFILE = {
    "name": "Kecamatan Kalimanah",
    "government": "Pemerintah Kabupaten Purbalingga",
    "address": "Jl. Raya Kalimanah No. 12, Purbalingga 53371",
    "phone": "(0281) 891234",
    "email": "kecamatan.kalimanah@purbalinggakab.go.id",
    "website": "https://kalimanah.purbalinggakab.go.id",
    "city": "Kalimanah",
    "base_url": "https://sakip.kalimanah.example.id",
}
