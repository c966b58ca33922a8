"""A Zendesk Support stand-in: organizations, create_or_update by external_id, tags.

Written from developer.zendesk.com (organizations, tags, rate limits): create_or_update matches
``external_id`` (case-insensitively) and answers 201 when it created, 200 when it updated,
``{"organization": {...}}`` either way; names are unique (case-insensitively), so a second
organization with a name in use is 422 ``{"error": "RecordInvalid", "description": "Record
validation errors", "details": {"name": [{"description": ..., "error": "DuplicateValue"}]}}``;
429 carries ``Retry-After`` (seconds) when the test injects one. Basic ``{email}/token:{token}``
or a bearer token authenticate.
"""

from __future__ import annotations

import base64
import itertools
from typing import Any

from starlette.responses import Response

from tests.standins.common import Fault, Req, StandIn, json_response

__all__ = ["ZendeskStandIn"]

_FIELDS = frozenset(
    {
        "name",
        "external_id",
        "domain_names",
        "details",
        "notes",
        "tags",
        "group_id",
        "shared_tickets",
        "shared_comments",
        "organization_fields",
        "id",
    }
)


def _invalid(field: str, description: str, error: str) -> Response:
    return json_response(
        {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {field: [{"description": description, "error": error}]},
        },
        422,
    )


class ZendeskStandIn(StandIn):
    kind = "zendesk"

    def __init__(self, *, email: str = "agent@example.com", **options: Any) -> None:
        super().__init__(**options)
        self.email = email
        self.organizations: dict[int, dict[str, Any]] = {}
        self._by_external: dict[str, int] = {}
        self._by_name: dict[str, int] = {}
        self._ids = itertools.count(360000000001)
        base = r"/api/v2/organizations"
        self.route("POST", rf"{base}/create_or_update", self._create_or_update)
        self.route("POST", base, self._create)
        self.route("GET", rf"{base}/search", self._search)
        self.route("GET", rf"{base}/(?P<id>\d+)", self._get)
        self.route("DELETE", rf"{base}/(?P<id>\d+)", self._delete)
        self.route("PUT", rf"{base}/(?P<id>\d+)/tags", self._add_tags)
        self.route("DELETE", rf"{base}/(?P<id>\d+)/tags", self._remove_tags)

    # the StandIn hooks ----------------------------------------------------------------
    def authorized(self, req: Req) -> bool:
        basic = base64.b64encode(f"{self.email}/token:{self.token}".encode()).decode()
        return req.headers.get("authorization") in (f"Basic {basic}", f"Bearer {self.token}")

    def unauthorized(self) -> Response:
        return json_response({"error": "Couldn't authenticate you"}, 401)

    def error(self, fault: Fault) -> Response:
        if fault.status == 429:
            return json_response(
                {
                    "error": fault.code or "APIRateLimitExceeded",
                    "description": fault.message
                    or "Number of allowed API requests per minute exceeded",
                },
                429,
            )
        return json_response(
            {
                "error": fault.code or "InternalServerError",
                "description": fault.message or "Something went wrong",
            },
            fault.status,
        )

    def not_found(self, req: Req) -> Response:
        return json_response({"error": "RecordNotFound", "description": "Not found"}, 404)

    def external_ids(self) -> list[str]:
        return [
            o["external_id"].lower() for o in self.organizations.values() if o.get("external_id")
        ]

    def records(self) -> list[dict[str, Any]]:
        return [dict(o) for o in self.organizations.values()]

    def clear(self) -> None:
        self.organizations.clear()
        self._by_external.clear()
        self._by_name.clear()

    def organization(self, external_id: str) -> dict[str, Any] | None:
        with self.lock:
            found = self._find(external_id)
            return dict(found) if found else None

    # storage ------------------------------------------------------------------------------
    def _find(self, external_id: str) -> dict[str, Any] | None:
        organization_id = self._by_external.get(external_id.lower())
        return None if organization_id is None else self.organizations[organization_id]

    def _unindex(self, organization: dict[str, Any]) -> None:
        for index, key in (
            (self._by_external, organization.get("external_id")),
            (self._by_name, organization.get("name")),
        ):
            if key and index.get(str(key).lower()) == organization["id"]:
                del index[str(key).lower()]

    def _index(self, organization: dict[str, Any]) -> None:
        if organization.get("external_id"):
            self._by_external.setdefault(
                str(organization["external_id"]).lower(), organization["id"]
            )
        self._by_name[str(organization["name"]).lower()] = organization["id"]

    def _check(self, values: dict[str, Any], existing: dict[str, Any] | None) -> Response | None:
        for name in values:
            if name not in _FIELDS:
                return json_response(
                    {"error": "InvalidEndpoint", "description": f"Unknown field {name}"}, 400
                )
        name = values.get("name", (existing or {}).get("name"))
        if not name:
            return _invalid("name", "Name: cannot be blank", "BlankValue")
        holder = self._by_name.get(str(name).lower())
        if holder is not None and (existing is None or holder != existing["id"]):
            return _invalid("name", f"Name: {name} has already been taken", "DuplicateValue")
        return None

    def _new(self, values: dict[str, Any]) -> dict[str, Any]:
        organization_id = next(self._ids)
        organization = {
            "id": organization_id,
            "name": None,
            "external_id": None,
            "domain_names": [],
            "details": None,
            "notes": None,
            "tags": [],
            "url": f"https://example.zendesk.com/api/v2/organizations/{organization_id}.json",
        }
        organization.update({k: v for k, v in values.items() if k != "id"})
        self.organizations[organization_id] = organization
        self._index(organization)
        return organization

    # routes -------------------------------------------------------------------------------
    def _body(self, req: Req) -> dict[str, Any] | Response:
        body = req.json()
        values = body.get("organization") if isinstance(body, dict) else None
        if not isinstance(values, dict):
            return json_response(
                {"error": "InvalidEndpoint", "description": "organization is required"}, 400
            )
        return values

    async def _create_or_update(self, req: Req) -> Response:
        values = self._body(req)
        if isinstance(values, Response):
            return values
        with self.lock:
            existing = None
            if values.get("id") is not None:
                existing = self.organizations.get(int(values["id"]))
            elif values.get("external_id"):
                existing = self._find(str(values["external_id"]))
            refused = self._check(values, existing)
            if refused is not None:
                return refused
            if existing is None:
                return json_response({"organization": dict(self._new(values))}, 201)
            self._unindex(existing)
            existing.update({k: v for k, v in values.items() if k != "id"})
            self._index(existing)
            return json_response({"organization": dict(existing)}, 200)

    async def _create(self, req: Req) -> Response:
        values = self._body(req)
        if isinstance(values, Response):
            return values
        with self.lock:
            refused = self._check(values, None)
            if refused is not None:
                return refused
            return json_response({"organization": dict(self._new(values))}, 201)

    async def _search(self, req: Req) -> Response:
        external_id = req.query.get("external_id", "")
        with self.lock:
            found = [
                dict(o)
                for o in self.organizations.values()
                if (o.get("external_id") or "").lower() == external_id.lower()
            ]
        return json_response(
            {"organizations": found, "count": len(found), "next_page": None, "previous_page": None}
        )

    async def _get(self, req: Req) -> Response:
        with self.lock:
            organization = self.organizations.get(int(req.groups["id"]))
            if organization is None:
                return self.not_found(req)
            return json_response({"organization": dict(organization)})

    async def _delete(self, req: Req) -> Response:
        with self.lock:
            organization = self.organizations.pop(int(req.groups["id"]), None)
            if organization is None:
                return self.not_found(req)
            self._unindex(organization)
        return Response(status_code=204)

    async def _tags(self, req: Req, *, add: bool) -> Response:
        tags = (req.json() or {}).get("tags") or []
        with self.lock:
            organization = self.organizations.get(int(req.groups["id"]))
            if organization is None:
                return self.not_found(req)
            current = [t for t in organization["tags"] if t not in tags]
            organization["tags"] = [*current, *tags] if add else current
            return json_response({"tags": list(organization["tags"])})

    async def _add_tags(self, req: Req) -> Response:
        return await self._tags(req, add=True)

    async def _remove_tags(self, req: Req) -> Response:
        return await self._tags(req, add=False)
