"""polarity serve over HTTP on loopback: every route, refusals, and 100 requests at once."""
import concurrent.futures
import json
import socket
import time
import urllib.request

from conftest import Server


def test_page_and_vendored_chart_library(server):
    status, page = server.request("/")
    assert status == 200 and "<canvas id=\"chart-capability\"" in page
    status, js = server.request("/vendor/chartjs/chart.umd.min.js")
    assert status == 200 and "Chart.js v4" in js
    status, licence = server.request("/vendor/chartjs/LICENSE.md")
    assert status == 200 and "Permission is hereby granted" in licence


def test_replies_are_sent_uncompressed_even_when_a_browser_accepts_brotli(server):
    # Debian's cpp-httplib would compress with Brotli at its slowest quality: 0.5 s for the chart
    # library alone, which kept the first answer past a second.
    for path, body in (("/vendor/chartjs/chart.umd.min.js", None), ("/api/presets", None),
                       ("/api/run", json.dumps({"preset": "baseline"}).encode())):
        req = urllib.request.Request(server.url + path, data=body, headers={"Accept-Encoding": "br, gzip, deflate",
                                                                            "Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=30) as r:
            payload = r.read()
            assert r.headers.get("Content-Encoding") is None, path
            assert int(r.headers["Content-Length"]) == len(payload) > 1000, path


def test_presets_and_levers(server):
    status, body = server.request("/api/presets")
    assert status == 200
    ids = [p["id"] for p in body["presets"]]
    assert ids[0] == "baseline" and "own_chips" in ids and len(ids) == 5
    assert all(p["question"] for p in body["presets"])
    status, levers = server.request("/api/levers?preset=own_chips")
    assert status == 200
    by_id = {l["id"]: l for l in levers["levers"]}
    assert set(by_id) >= {"enforcement", "gray_premium", "huawei_yield", "diffusion", "design_around"}
    assert by_id["enforcement"]["paths"] == ["policy.enforcement_scale"]
    assert levers["rules"], "own_chips has rules to switch off"
    status, missing = server.request("/api/levers?preset=nowhere")
    assert status == 404 and "no preset 'nowhere'" in missing["error"]


def test_run_and_study(server):
    status, run = server.request("/api/run", {"preset": "baseline", "set": {"policy.enforcement_scale": 2}})
    assert status == 200
    assert run["overrides"] == ["policy.enforcement_scale=2"]
    assert run["outcome"]["answer"].startswith("US-aligned built powerful AI first")
    assert len(run["months"]) == 96 and run["months"][0] == "2023-01"
    status, study = server.request("/api/study", {"preset": "baseline", "runs": 20})
    assert status == 200 and study["runs"] == 20
    assert abs(sum(c["probability"] for c in study["classes"]) - 1) < 1e-9


def test_refusals_never_stop_the_server(server):
    cases = [
        (b"{not json", 400, "not JSON"),
        ({"preset": "baseline", "seed": 3}, 400, "unknown member 'seed'"),
        ({"preset": "baseline", "set": {"policy.enforcment_scale": 1}}, 400, "did you mean 'enforcement_scale'"),
        ({"preset": "baseline", "set": {"policy.enforcement_scale": 11}}, 400,
         "--set policy.enforcement_scale=11:1:1: policy.enforcement_scale: expected a number in [0, 10], got 11"),
        ({"preset": "baseline", "runs": 10}, 400, "unknown member 'runs'"),
        ({"preset": "baseline", "set": {"run.horizon_months": 1200}}, 413, "at most 240 months"),
    ]
    for body, status, message in cases:
        got, reply = server.request("/api/run", body)
        assert got == status and message in reply["error"], (body, reply)
    status, reply = server.request("/api/study", {"preset": "baseline", "runs": 100000})
    assert status == 413 and "at most 500 runs" in reply["error"]
    status, reply = server.request("/api/run", b"x" * (200 * 1024))
    assert status == 413
    status, reply = server.request("/api/nothing")
    assert status == 404 and "no such page" in reply["error"]
    status, reply = server.request("/futures.yaml")  # the page's folder serves only the page
    assert status == 404
    status, reply = server.request("/../scenarios/baseline.yaml")
    assert status in (400, 404)
    # A client that sends half a request and hangs up.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"POST /api/run HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"preset\"")
    status, _ = server.request("/api/presets")
    assert status == 200


def test_hundred_concurrent_requests(server):
    """100 requests at once, each with its own enforcement; every reply is the one asked for."""
    values = [round(0.02 * i, 2) for i in range(100)]
    expected = {}
    for v in {values[0], values[50], values[99]}:  # sequential references for a few
        expected[v] = server.request("/api/run", {"preset": "baseline", "set": {"policy.enforcement_scale": v}})[1]

    def one(v):
        if v in (0.14, 0.66):  # a few bad requests in the crowd
            return v, server.request("/api/run", {"preset": "baseline", "set": {"policy.enforcement_scale": -v}}, timeout=60)
        return v, server.request("/api/run", {"preset": "baseline", "set": {"policy.enforcement_scale": v}}, timeout=60)

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(one, values, timeout=120))
    elapsed = time.monotonic() - t0
    assert len(results) == 100
    for v, (status, reply) in results:
        if v in (0.14, 0.66):
            assert status == 400 and "expected a number in [0, 10]" in reply["error"]
            continue
        assert status == 200, reply
        assert reply["overrides"] == [f"policy.enforcement_scale={json.dumps(v)}"]
        if v in expected:
            assert reply["outcome"] == expected[v]["outcome"]
            assert reply["series"] == expected[v]["series"]
    print(f"100 concurrent runs in {elapsed:.1f} s")
    assert server.request("/api/presets")[0] == 200


def test_warns_when_binding_beyond_loopback():
    s = Server("--host", "0.0.0.0")
    try:
        assert s.request("/api/presets")[0] == 200
    finally:
        code, out, err = s.stop()
    assert "warning: serving on 0.0.0.0" in err
    assert code == 0 and "Stopped." in out
