"""The load test's virtual applicants each connect from an address of their own (bench/load_bench.py,
"Rate limits"), so per-IP rules see people, not one load generator."""

from __future__ import annotations

import http.server
import threading

import requests

from bench.load_bench import from_address, loopback_address


def test_every_client_has_its_own_loopback_address_never_the_servers():
    addresses = [loopback_address(n) for n in range(70_000)]
    assert len(set(addresses)) == len(addresses)
    assert "127.0.0.1" not in addresses
    assert all(a.startswith("127.") and all(0 <= int(part) <= 255 for part in a.split(".")) for a in addresses)
    assert all(not a.endswith((".0", ".255")) for a in addresses)


def test_a_clients_requests_arrive_from_its_address():
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.client_address[0])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for n in (0, 300, 66_000):
            with requests.Session() as session:
                session.mount("http://", from_address(loopback_address(n)))
                assert session.get(f"http://127.0.0.1:{server.server_address[1]}/", timeout=10).status_code == 204
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [loopback_address(0), loopback_address(300), loopback_address(66_000)]
    assert seen[0] == "127.1.0.1"
