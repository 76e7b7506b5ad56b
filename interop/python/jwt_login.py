"""The JWT bearer flow as simple-salesforce performs it (issue 5; RFC 7523), with PyJWT.

simple-salesforce's `SalesforceLogin` signs {iss: consumer key, sub: username, aud:
https://login.salesforce.com, exp: a *string* of epoch seconds three minutes out} with RS256,
posts it form-encoded to /services/oauth2/token, requires HTTP 200 and JSON, and reads
`access_token` and `instance_url`; on failure it reads `error` and `error_description`.

Run by the Rust test `jwt_interop` with PORTICO_URL, PORTICO_JWT_CLIENT_ID, PORTICO_JWT_KEY_FILE
and PORTICO_JWT_USERNAME set. Prints one line per check and a closing count; exits non-zero on
any failure.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import jwt

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def token_request(url, assertion):
    """POSTs the grant; returns (status, JSON body)."""
    body = urllib.parse.urlencode({"grant_type": JWT_GRANT, "assertion": assertion}).encode()
    request = urllib.request.Request(
        f"{url}/services/oauth2/token",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def assertion_for(client_id, username, key, audience, exp):
    claims = {"iss": client_id, "sub": username, "aud": audience, "exp": exp}
    return jwt.encode(claims, key, algorithm="RS256")


def main():
    url = os.environ["PORTICO_URL"]
    client_id = os.environ["PORTICO_JWT_CLIENT_ID"]
    username = os.environ["PORTICO_JWT_USERNAME"]
    with open(os.environ["PORTICO_JWT_KEY_FILE"], encoding="utf-8") as f:
        key = f.read()
    exp = str(int(time.time()) + 180)
    failures = []

    def check(name, condition, detail):
        print(("ok" if condition else "not ok") + f" - {name}")
        if not condition:
            failures.append(f"{name}: {detail}")

    status, body = token_request(url, assertion_for(client_id, username, key, "https://login.salesforce.com", exp))
    check("a string exp of seconds gets HTTP 200", status == 200, body)
    check("access_token is an opaque Salesforce token", "!" in body.get("access_token", ""), body)
    check("instance_url is the server", body.get("instance_url") == url, body)
    check("no refresh token", "refresh_token" not in body, body)

    status, body = token_request(url, assertion_for(client_id, username, key, "https://login.salesforce.com", str(int(time.time()) - 300)))
    check("an expired assertion is a 400 invalid_grant", (status, body.get("error")) == (400, "invalid_grant"), body)

    status, body = token_request(url, assertion_for(client_id, username, key, "https://evil.test", exp))
    check(
        "a foreign audience is 'audience is invalid'",
        (status, body.get("error"), body.get("error_description")) == (400, "invalid_grant", "audience is invalid"),
        body,
    )

    total = 6
    print(f"{total - len(failures)} passed, {len(failures)} failed")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
