"""Where the hub may send a target's records and credentials: the address policy, and the
httpx transport that holds every connection to it.

A target is an admin's configuration, but what it points at must not be the hub's own
neighbourhood: the cloud metadata service (``169.254.169.254``, ``fd00:ec2::254``) hands out
the machine's credentials, and loopback, private (RFC 1918, unique-local ``fc00::/7``),
CGNAT (``100.64.0.0/10``), link-local, unspecified, multicast and reserved addresses reach
services never meant to be reached from outside. Those are refused unless
``MDM_SYNC_ALLOWED_NETWORKS`` (:mod:`sync.connectors.settings`) lists a range holding the
address; the metadata addresses are refused whatever it lists. An IPv6 form of an IPv4 address
(``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``) is judged by the IPv4 address it leads to.

Checked twice. When a target is stored, its URL as given (:func:`url_refusal`): an IP
literal, a legacy numeric form resolvers accept (``2130706433``, ``127.1``) or ``localhost``;
a name is not resolved then, as what it resolves to can change afterwards. And at every TCP
connection the dispatcher opens (:class:`GuardedBackend`): the host is resolved once, every
address it resolves to is checked, and the connection goes to one of those checked
addresses without resolving again, so a name that answers a public address to the check and
a private one to the connect (DNS rebinding) gets nowhere. TLS still verifies the
certificate against the URL's host name: httpcore takes the server name from the request,
not from the address connected to.

httpx has no public hook between resolving and connecting; httpcore has one, the network
backend. :class:`GuardedTransport` is an ``httpx.HTTPTransport`` whose connection pool is
built with that backend. The one private detail relied on is that ``HTTPTransport`` sends
through ``self._pool`` (true of httpx 0.2x; the tests deliver through it to a stand-in, so a
change would show at once). It takes no proxy from the environment: through a proxy the
proxy resolves and connects, and no check here could hold.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable, Sequence

import httpcore
import httpx

from sync.connectors.settings import Network

__all__ = [
    "ALWAYS_REFUSED",
    "AddressRefused",
    "GuardedBackend",
    "GuardedTransport",
    "refusal",
    "resolve",
    "url_refusal",
]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[Address]]

ALWAYS_REFUSED = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NUMERIC = re.compile(r"^(0x)?[0-9a-f]+(\.(0x)?[0-9a-f]+){0,3}$")
_ALLOWED = "MDM_SYNC_ALLOWED_NETWORKS"


class AddressRefused(Exception):
    """A connection the address policy forbids, raised before anything is sent.

    Not an httpx or httpcore error on purpose: both let it through unchanged, so the
    connectors' boundary (``HttpClient.send``) can tell it from a network failure."""


def _leads_to(address: Address) -> Address:
    """The IPv4 address an IPv6 form carries, which is where a connection to it goes."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _internal(address: Address) -> str | None:
    """What kind of non-public address this is; None for a public one."""
    checks = (
        ("a loopback", address.is_loopback),
        ("a link-local", address.is_link_local),
        ("an unspecified", address.is_unspecified),
        ("a multicast", address.is_multicast),
        ("a shared (CGNAT)", address in _CGNAT),
        ("a private", address.is_private),
        ("a reserved", address.is_reserved or not address.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


def refusal(address: Address, allowed: Sequence[Network]) -> str | None:
    """Why the hub may not connect to ``address``; None when it may."""
    seen = _leads_to(address)
    if seen in ALWAYS_REFUSED or address in ALWAYS_REFUSED:
        return f"{address} is the cloud metadata service, refused whatever {_ALLOWED} lists"
    kind = _internal(seen)
    if kind is None:
        return None
    for net in allowed:
        if any(a.version == net.version and a in net for a in (seen, address)):
            return None
    return f"{address} is {kind} address, outside {_ALLOWED}"


def _literal(host: str) -> Address | None:
    """The address a URL's host names without asking DNS, None for a name.

    ``localhost`` is loopback by definition (RFC 6761); which loopback address it resolves to
    is checked when connecting."""
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return ipaddress.IPv4Address("127.0.0.1")
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        pass
    if _NUMERIC.match(name):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(name))
        except OSError:
            return None
    return None


def url_refusal(url: str, allowed: Sequence[Network]) -> str | None:
    """Why a target may not be stored with ``url``, judged on the URL as given."""
    try:
        host = httpx.URL(url).host
    except httpx.InvalidURL as exc:
        return f"not a usable URL ({exc})"
    if not host:
        return "a URL with a host"
    address = _literal(host)
    reason = refusal(address, allowed) if address is not None else None
    return f"{host}: {reason}" if reason and str(address) != host else reason


def resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to for TCP, in the resolver's order of preference."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0])) for info in infos))


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's socket backend behind the address policy: resolve, check, connect to a
    checked address."""

    def __init__(self, allowed: Iterable[Network], resolver: Resolver = resolve) -> None:
        self._allowed = tuple(allowed)
        self._resolve = resolver
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        for address in addresses:
            reason = refusal(address, self._allowed)
            if reason is not None:
                raise AddressRefused(f"refused to connect to {host}: {reason}")
        failure: Exception | None = None
        for address in addresses:  # as socket.create_connection does, on checked addresses
            try:
                return self._sockets.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise AddressRefused(f"refused to connect to the Unix socket {path}")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` (HTTP/1.1, verified TLS, httpx's default pool limits) whose
    every new connection passes :class:`GuardedBackend`."""

    def __init__(self, allowed: Iterable[Network], *, resolver: Resolver = resolve) -> None:
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(allowed, resolver),
        )
