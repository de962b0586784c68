"""The performance budget of a phone's first visit: JavaScript + CSS for `/` under 150 KB gzipped, and the
heavy chunks (the QR decoder of the staff pages, the charts of the statistics page) not among them.
Sizes of what the browser really fetched, not times: the same build always gives the same figures."""

from bench.first_load import BUDGET_BYTES, first_load, total_gzip


def test_the_first_load_of_home_stays_within_150_kb_of_gzipped_scripts_and_styles(browser, live_server):
    assets = first_load(browser, live_server, "/")
    listing = "\n".join(f"{a.path} {a.gzip_bytes:,}" for a in assets)
    assert any(a.kind == "script" for a in assets) and any(a.kind == "stylesheet" for a in assets), listing
    assert total_gzip(assets) <= BUDGET_BYTES, f"{total_gzip(assets):,} bytes gzipped:\n{listing}"


def test_the_qr_decoder_and_the_chart_library_are_not_part_of_the_first_load(browser, live_server):
    paths = [a.path for a in first_load(browser, live_server, "/")]
    assert not [p for p in paths if "qr-decoder" in p or "charts" in p or "echarts" in p], paths
