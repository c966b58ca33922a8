"""``python -m tests.standins --kind KIND --port N``: serve one stand-in as a process.

``--instant`` serves it without fault injection, request log or concurrency limit (for
benchmarks and kill -9 tests). The line ``standin KIND listening on URL`` on stdout says it is
ready; ``GET /_standin/counts`` answers the records per external id.
"""

from __future__ import annotations

import argparse
import sys

import uvicorn

from tests.standins import STANDINS, make_standin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.standins")
    parser.add_argument("--kind", choices=sorted(STANDINS), required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="test-token")
    parser.add_argument("--email", default="agent@example.com", help="Zendesk agent email")
    parser.add_argument("--instant", action="store_true", help="no faults, no request log")
    parser.add_argument("--concurrency-limit", type=int, default=None, help="NetSuite only")
    parser.add_argument("--external-id-field", default="MDM_Golden_Id__c", help="Salesforce only")
    args = parser.parse_args(argv)
    options: dict[str, object] = {"token": args.token, "instant": args.instant}
    if args.kind == "zendesk":
        options["email"] = args.email
    if args.kind == "netsuite":
        options["concurrency_limit"] = args.concurrency_limit
    if args.kind == "salesforce":
        options["external_id_field"] = args.external_id_field
    app = make_standin(args.kind, **options)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        lifespan="off",
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    print(f"standin {args.kind} listening on http://{args.host}:{args.port}", flush=True)
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
