"""The pages under the Content-Security-Policy: they work, and nothing is refused."""

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, watch_csp


def test_api_docs_render_under_the_csp(live_server, new_page):
    """Does Swagger UI render the API reference from its external script, with the CSP on?"""
    page = new_page()
    response = page.goto("/api/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_text("/api/v1/tasks/{task_id}/complete").first).to_be_visible()
    # Opening an operation draws its parameters and schemas (Swagger styles them through
    # the CSSOM, which the policy allows; a style attribute in markup it would refuse).
    page.locator(".opblock-summary", has_text="/api/v1/tasks/{task_id}/complete").first.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    page.get_by_role("button", name="Try it out").click()
    page.locator(".model-box-control").first.click()
    screenshot(page, "api-docs-csp")


def test_inline_script_is_refused(live_server, browser):
    """Is an inline script injected into a page refused, and the refusal heard by the
    suite's CSP watch (which fails every browser test that meets one)?"""
    context = browser.new_context(base_url=live_server.url)
    violations: list[str] = []
    watch_csp(context, violations)
    page = context.new_page()
    page.goto("/login")
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = 1"; document.body.append(s); }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.injected") is None
    context.close()
    assert any("CSP violation: script-src" in text for text in violations), violations
