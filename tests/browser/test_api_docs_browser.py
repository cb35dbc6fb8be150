"""/docs and /redoc render on a closed network: every asset comes from the server itself."""

from __future__ import annotations

from tests.browser.conftest import ConsoleServer, Desk


def test_swagger_ui_renders_without_other_hosts(desk: Desk, console_server: ConsoleServer) -> None:
    page = desk.page
    page.goto(console_server.base_url + "/docs")  # type: ignore[attr-defined]
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)  # type: ignore[attr-defined]
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("ecert-wallet")  # type: ignore[attr-defined]
    assert page.locator(".swagger-ui .opblock").count() > 20  # type: ignore[attr-defined]
    assert desk.external_requests == []


def test_redoc_renders_without_other_hosts(desk: Desk, console_server: ConsoleServer) -> None:
    page = desk.page
    page.goto(console_server.base_url + "/redoc")  # type: ignore[attr-defined]
    page.wait_for_selector("h1:has-text('ecert-wallet')", timeout=20_000)  # type: ignore[attr-defined]
    assert page.locator("[data-section-id^='tag/'], [data-section-id^='operation/']").count() > 5  # type: ignore[attr-defined]
    assert desk.external_requests == []


def test_docs_pages_forbid_other_hosts(console_server: ConsoleServer) -> None:
    import httpx

    for path in ("/docs", "/redoc"):
        policy = httpx.get(console_server.base_url + path).headers["content-security-policy"]
        assert "default-src 'self'" in policy and "img-src 'self' data:" in policy
