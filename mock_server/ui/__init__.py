"""The browser dashboard at /_mock/ui (journal, HMAC debugger, state, clock/faults/throttle, coverage).

Kept import-free: the gateway (core.py) uses `ui.diagnose` and must not pull in the Flask routes.
`ui.routes.register(app)` wires the pages and their JSON API.
"""
