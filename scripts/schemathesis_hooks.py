"""Schemathesis hooks for scripts/schemathesis: bodies it cannot serialise on its own.

`PUT /api/v1/rules/{kind}` takes a TOML document (`application/toml`); the generated value is
sent as its text, so the server's TOML reader and its errors are exercised too.
"""

import schemathesis


@schemathesis.serializer("application/toml")
def toml_serializer(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return str(value).encode("utf-8")
