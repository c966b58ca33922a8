"""Connector tests: each connector against its stand-in over real HTTP."""

from __future__ import annotations

from tests.standins.fixtures import standin_servers, standins

__all__ = ["standin_servers", "standins"]
