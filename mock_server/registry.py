"""Where API-group modules declare what they serve: spec handlers and control-plane routes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import ApiError

if TYPE_CHECKING:
    from .core import MockServices
    from .spec import Operation
    from .store import Probe, Tx


@dataclass
class RequestContext:
    """Everything a domain handler may use; it never touches Flask's request."""

    services: MockServices
    operation: Operation
    vendor_id: str
    path_params: dict[str, Any]
    query: dict[str, Any]
    body: Any
    tx: Tx
    now: datetime
    headers: dict[str, str]

    def next_id(self, kind: str, digits: int = 10) -> int:
        return self.services.ids.next(self.tx, kind, digits)


@dataclass
class Reply:
    body: Any
    status: int = 200
    headers: dict[str, str] | None = None


Handler = Callable[[RequestContext], Any]
HANDLERS: dict[str, Handler] = {}


def handles(*operation_ids: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for operation_id in operation_ids:
            if operation_id in HANDLERS:
                raise RuntimeError(f"{operation_id} has two handlers")
            HANDLERS[operation_id] = func
        return func

    return register


@dataclass(frozen=True)
class ControlRoute:
    rule: str
    methods: tuple[str, ...]
    func: Callable[..., Any]


CONTROL_ROUTES: list[ControlRoute] = []

# Timed behaviour (auto-approval, courier progression, auto-confirmation) is caught up lazily:
# every transaction first asks each domain's `due` ranges (all in one `Tx.probe`) and runs the
# tickers whose ranges hold something, with the tenant's current test-clock time.
Ticker = Callable[["Tx", datetime, "MockServices"], None]
Due = Callable[["Tx", datetime], list["Probe"]]


@dataclass(frozen=True)
class TimedDomain:
    due: Due
    tick: Ticker


TICKERS: list[TimedDomain] = []

# An API family whose upstream words request-validation refusals in its own envelope (products:
# {"code":"ERROR",…,"data":null}; fms coupons: httpStatus/errorMessage) registers how, per tag.
ValidationShape = Callable[[ApiError], ApiError]
VALIDATION_SHAPES: dict[str, ValidationShape] = {}


def validation_shape(tag: str) -> Callable[[ValidationShape], ValidationShape]:
    def register(func: ValidationShape) -> ValidationShape:
        VALIDATION_SHAPES[tag] = func
        return func

    return register


def ticker(due: Due) -> Callable[[Ticker], Ticker]:
    """Register a domain's ticker, run when one of the `due` ranges (the ones it reads) holds a document."""

    def register(func: Ticker) -> Ticker:
        TICKERS.append(TimedDomain(due, func))
        return func

    return register


def control(rule: str, methods: tuple[str, ...] = ("POST",)) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A control-plane route under /_mock; func(services, body, **path_params) -> (body, status)."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        CONTROL_ROUTES.append(ControlRoute(rule, methods, func))
        return func

    return register
