"""Benchmarks of the request path (run by hand: python bench/bench_gateway.py; raw results in bench/out/, git-ignored).

Measures, on this machine:
- HMAC sign + verify per request,
- body validation per ~3 KB JSON body: fastjsonschema (used) vs jsonschema (not used),
- end-to-end signed requests per second through the whole gateway (Flask test client, in-process),
- peak memory of the process after N requests.
Never asserted in tests: speed is a recorded number, not a pass/fail condition.
"""

from __future__ import annotations

import json
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coupang_mock.client.signing import sign  # noqa: E402
from coupang_mock.server.auth import Authenticator  # noqa: E402
from coupang_mock.server.core import MockServices  # noqa: E402
from coupang_mock.server.settings import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Settings  # noqa: E402
from coupang_mock.server.validation import compile_schema  # noqa: E402

BODY_SCHEMA = {
    "type": "object",
    "required": ["vendorId", "items"],
    "properties": {
        "vendorId": {"type": "string", "pattern": "^[A-Z][0-9]{8}$"},
        "items": {
            "type": "array",
            "maxItems": 200,
            "items": {
                "type": "object",
                "required": ["itemName", "salePrice"],
                "properties": {
                    "itemName": {"type": "string", "maxLength": 150},
                    "salePrice": {"type": "integer", "minimum": 10},
                    "attributes": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
    },
}
BODY = {
    "vendorId": "A00012345",
    "items": [
        {
            "itemName": f"옵션 {i} 블랙 270mm",
            "salePrice": 19000 + i * 10,
            "attributes": [{"attributeTypeName": "색상", "attributeValueName": "블랙"}],
        }
        for i in range(25)
    ],
}


def per_call(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    results: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "bodyBytes": len(json.dumps(BODY, ensure_ascii=False).encode()),
    }
    services = MockServices(Settings(throttle_enabled=False))
    auth: Authenticator = services.auth
    path = "/v2/providers/openapi/apis/api/v5/vendors/A00012345/ordersheets"
    query = "createdAtFrom=2025-11-01%2B09:00&createdAtTo=2025-11-20%2B09:00&status=ACCEPT"

    def sign_verify() -> None:
        now = datetime.now(UTC)
        header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "GET", path, query, now)
        auth.verify(header, "GET", path, query, now=now, key_now=now)

    results["signVerifyMicros"] = round(per_call(sign_verify, 5000), 1)
    fast = compile_schema(BODY_SCHEMA)
    results["fastjsonschemaMicrosPerBody"] = round(per_call(lambda: fast(BODY), 20000), 1)
    from jsonschema import Draft7Validator

    slow = Draft7Validator(BODY_SCHEMA)
    results["jsonschemaMicrosPerBody"] = round(per_call(lambda: slow.validate(BODY), 2000), 1)

    from coupang_mock.server.app import create_app

    app = create_app(services=services)
    client = app.test_client()
    n = 2000

    def one_request() -> None:
        header = sign(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, "GET", "/v2/providers/none", "")
        client.get("/v2/providers/none", headers={"Authorization": header})

    start = time.perf_counter()
    for _ in range(n):
        one_request()
    elapsed = time.perf_counter() - start
    results["gatewayRequestsPerSecondInProcess"] = round(n / elapsed)
    results["maxRssMiB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["startupOperations"] = len(services.operations)
    out = ROOT / "bench" / "out" / "gateway.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
