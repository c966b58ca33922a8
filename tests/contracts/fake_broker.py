"""A Pact Broker stand-in: the HAL resources the verifier and the publisher use, in memory.

It keeps published pacts per (consumer, version), answers ``for-verification`` with every
one of them (whatever the selectors), and records verification results and every call
with its ``Authorization`` header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

__all__ = ["FakeBroker", "broker_app"]


@dataclass
class FakeBroker:
    pacts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    results: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, str, str | None]] = field(default_factory=list)


def _hal(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type="application/hal+json")


def broker_app(broker: FakeBroker) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Any:
        broker.calls.append(
            (request.method, request.url.path, request.headers.get("authorization"))
        )
        return await call_next(request)

    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    @app.get("/")
    async def index(request: Request) -> JSONResponse:
        href = f"{base(request)}/pacts/provider/{{provider}}/for-verification"
        return _hal(
            {"_links": {"pb:provider-pacts-for-verification": {"href": href, "templated": True}}}
        )

    @app.get("/pacts/provider/{provider}/for-verification")
    async def for_verification_link(request: Request) -> JSONResponse:
        return _hal({"_links": {"self": {"href": str(request.url)}}})

    @app.post("/pacts/provider/{provider}/for-verification")
    async def for_verification(provider: str, request: Request) -> JSONResponse:
        pacts = [
            {
                "shortDescription": f"{consumer} {version}",
                "verificationProperties": {"pending": False, "notices": []},
                "_links": {
                    "self": {
                        "href": f"{base(request)}/stored/{consumer}/{version}",
                        "name": consumer,
                    }
                },
            }
            for (consumer, version), doc in broker.pacts.items()
            if doc["provider"]["name"] == provider
        ]
        return _hal({"_embedded": {"pacts": pacts}})

    @app.get("/stored/{consumer}/{version}")
    async def stored(consumer: str, version: str, request: Request) -> JSONResponse:
        doc = dict(broker.pacts[(consumer, version)])
        provider = doc["provider"]["name"]
        doc["_links"] = {
            "pb:publish-verification-results": {
                "href": f"{base(request)}/results/{consumer}/{version}"
            },
            "pb:provider": {"href": f"{base(request)}/pacticipants/{provider}"},
        }
        return _hal(doc)

    @app.get("/pacticipants/{name}")
    async def pacticipant(name: str, request: Request) -> JSONResponse:
        here = f"{base(request)}/pacticipants/{name}"
        return _hal(
            {
                "name": name,
                "_links": {
                    "pb:branch-version": {
                        "href": f"{here}/branches/{{branch}}/versions/{{version}}",
                        "templated": True,
                    },
                    "pb:version-tag": {
                        "href": f"{here}/versions/{{version}}/tags/{{tag}}",
                        "templated": True,
                    },
                },
            }
        )

    @app.put("/pacts/provider/{provider}/consumer/{consumer}/version/{version}")
    async def publish(provider: str, consumer: str, version: str, request: Request) -> JSONResponse:
        broker.pacts[(consumer, version)] = await request.json()
        return _hal({}, 201)

    @app.put("/pacticipants/{name}/branches/{branch}/versions/{version}")
    async def branch_version(name: str, branch: str, version: str) -> JSONResponse:
        return _hal({})

    @app.post("/results/{consumer}/{version}")
    async def results(consumer: str, version: str, request: Request) -> JSONResponse:
        broker.results.append({"consumer": consumer, "version": version, **await request.json()})
        return _hal({}, 201)

    return app
