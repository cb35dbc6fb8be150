"""QR figures: PNG rendering against the ``qrcode`` library's default image path, and the
QR verify endpoint (2 workers, PostgreSQL, 32 connections: ``benchmarks.qr_verify_bench``)."""

from __future__ import annotations

import io
import random
from typing import Any

from benchmarks.report import Row
from benchmarks.timing import interleaved_rates

QR_VERIFY_PATH = "/v1/qr/verify"
#: a DCC-sized payload (~555 base45 characters: version 15-M is the design's ceiling)
_BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def sample_payload(length: int = 555) -> str:
    rng = random.Random(45)
    return "HC1:" + "".join(rng.choice(_BASE45) for _ in range(length - 4))


def bench_qr_render(*, quick: bool, database_url: str | None = None) -> list[Row]:
    title = "QR PNG render, DCC-sized payload (version ≤ 15, ECC M)"
    try:
        from qr_symbols.images import qr_version, render_png
    except ImportError:
        return [Row("qr_render", title, "renders/s", None, skipped="qr_symbols.images.render_png not available")]
    import qrcode
    import qrcode.constants

    text = sample_payload()

    def reference() -> None:
        # the library's default path: fitted QRCode, PIL image, PNG into memory
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
        qr.add_data(text)
        qr.make(fit=True)
        qr.make_image().save(io.BytesIO(), format="PNG")

    rates = interleaved_rates({"ours": lambda: render_png(text), "reference": reference},
                              seconds=0.5 if quick else 1.5, runs=3 if quick else 5)
    ours, ref = rates["ours"], rates["reference"]
    version = qr_version(text)
    return [Row("qr_render", title, "renders/s", ours, refs={"qrcode make_image().save(PNG)": ref},
                ratios={"× qrcode default": ours.median / ref.median}, targets={"× qrcode default": 4.0},
                extra={"version": version, "payload_chars": len(text),
                       "ours_ms": round(1000 / ours.median, 2), "reference_ms": round(1000 / ref.median, 2)})]


def qr_verify_available() -> bool:
    from wallet_api.app import create_app
    from wallet_api.settings import Settings

    app: Any = create_app(Settings())  # building the app does no I/O: start-up work is in lifespan
    # routers included by FastAPI ≥ 0.16x stay nested (no flat ``app.routes``): ask the schema
    return any(getattr(route, "path", None) == QR_VERIFY_PATH for route in app.routes) or (
        QR_VERIFY_PATH in app.openapi().get("paths", {})
    )


def bench_qr_verify(*, quick: bool, database_url: str | None) -> list[Row]:
    """The figure itself lives in ``benchmarks.qr_verify_bench`` (set-up, load, replay)."""
    if not qr_verify_available():
        title = f"POST {QR_VERIFY_PATH}: text → verdict + single-use mark, 2 workers, PostgreSQL, 32 connections"
        return [Row("qr_verify", title, "ms p99", None, skipped=f"not available: the app has no {QR_VERIFY_PATH} route")]
    from benchmarks.qr_verify_bench import bench_qr_verify as run

    return run(quick=quick, database_url=database_url)
