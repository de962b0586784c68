"""The browsable API documentation renders the OpenAPI 3.1 document from files we serve ourselves."""

from playwright.sync_api import expect


def test_api_docs_list_the_health_operation_without_any_outside_request(page, live_server):
    outside = []
    page.on("request", lambda request: None if request.url.startswith(live_server) else outside.append(request.url))

    page.goto(live_server + "/api/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("OneTrip")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/health").first).to_be_visible()
    assert outside == []
