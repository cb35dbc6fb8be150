"""A photo of a QR → its text, with the image bounded before it is decoded.

Bytes first (the upload), then the pixel count read from the header alone (Pillow's lazy
open), then decoding: a 50 KB PNG that inflates to 100 megapixels is refused before a single
row is decompressed - the image form of a zlib bomb.
"""

from __future__ import annotations

import io
import warnings

import zxingcpp
from PIL import Image, UnidentifiedImageError

from schemas.errors import InvalidInput, PayloadTooLarge


class QrNotFound(InvalidInput):
    code, title = "qr_not_found", "No QR code found in the image"


class ImageInvalid(InvalidInput):
    code, title = "image_invalid", "Not a readable image"


class ImageTooLarge(PayloadTooLarge):
    code, title = "image_too_large", "Image too large"


def qr_text_from_image(data: bytes, *, max_bytes: int, max_pixels: int) -> str:
    if len(data) > max_bytes:
        raise ImageTooLarge(f"images are limited to {max_bytes} bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageTooLarge(f"images are limited to {max_pixels} pixels, this one has {width * height}")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard fired first (its bound is looser than ours, so this is huge)
        raise ImageTooLarge(f"images are limited to {max_pixels} pixels") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ImageInvalid("the upload is not an image we can read") from None
    # a desk scanner reads QR codes only: other symbologies can be "found" in QR module noise
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    if not found:
        raise QrNotFound("no QR code in the image")
    return found[0].text
