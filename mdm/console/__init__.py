"""The steward console: a small browser front end for the stewardship REST API.

Plain HTML, CSS and ES modules shipped inside this package and served by the
hub at ``/steward``; there is no front-end build and nothing is fetched from
elsewhere. The console holds no state of its own: every read and decision goes
through the same REST endpoints other tools use, with the steward's API key.
"""

from __future__ import annotations

from mdm.console.router import console_router

__all__ = ["console_router"]
