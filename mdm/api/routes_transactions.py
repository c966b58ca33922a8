"""REST reads: a golden customer's transactional events and the facts derived from them.
A merged-away id answers for its survivor (``resolved_from`` names it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from mdm.api.schemas.golden import CustomerFacts, CustomerTransactions
from mdm.http.auth import ReaderPrincipal
from mdm.http.body import CheckedBodyRoute
from mdm.http.deps import ContainerDep, query
from mdm.http.refusals import refusals
from mdm.http.responses import JsonResponse
from mdm.http.times import IsoTime, utc_param
from mdm.queries.transactional import customer_facts, customer_transactions

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1/golden/customer",
    tags=["transactions"],
    route_class=CheckedBodyRoute,
    responses=refusals(401, 403),
)

Time = Annotated[IsoTime | None, Query(description="ISO 8601; events that occurred then")]


@router.get(
    "/{golden_id}/transactions", response_model=CustomerTransactions, responses=refusals(404)
)
async def transactions(
    golden_id: str,
    container: ContainerDep,
    _: ReaderPrincipal,
    type: Annotated[
        str | None,
        Query(max_length=64, description="An event type (invoice.paid) or object type (invoice)"),
    ] = None,
    source: Annotated[str | None, Query(max_length=64)] = None,
    since: Time = None,
    until: Time = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> JsonResponse:
    """The customer's events, newest first (stale ones too, marked ``outcome: stale``);
    ``next_cursor`` continues the list."""
    filters = {
        "type": type,
        "source": source,
        "since": utc_param(since, "since"),
        "until": utc_param(until, "until"),
    }
    out = await query(
        container,
        lambda uow: customer_transactions(
            uow, golden_id, filters=filters, cursor=cursor, limit=limit
        ),
        lane="heavy",
    )
    return JsonResponse(out)


@router.get("/{golden_id}/facts", response_model=CustomerFacts, responses=refusals(404))
async def facts(golden_id: str, container: ContainerDep, _: ReaderPrincipal) -> JsonResponse:
    """Revenue booked, invoiced, paid and receivable per currency; open invoices; the last
    payment and ``payment_status``; subscription status and next renewal; open cases."""
    return JsonResponse(await query(container, lambda uow: customer_facts(uow, golden_id)))
