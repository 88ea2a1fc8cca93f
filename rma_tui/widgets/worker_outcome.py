"""How a thread worker of the slip entry desk (the screen or one of its parts) reports
back: the message its job gives, a refusal of the service, or a fault. Refusals and faults
bubble up to the screen, which says them next to the field or in its banner."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message
from textual.worker import get_current_worker

from rma_tui.errors import DomainError
from rma_tui.widgets.common import problem_from

if TYPE_CHECKING:
    from textual.message_pump import MessagePump


class ServiceRefused(Message):
    """The service refused a read or a write; `token` is set for a verdict being computed
    live (which form state it was for), None for anything else."""

    def __init__(self, error: DomainError, token: int | None = None) -> None:
        self.error = error
        self.token = token
        super().__init__()


class ServiceFailed(Message):
    """The database could not be read or written (not a refusal: a fault)."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__()


def post_outcome(node: MessagePump, job: Callable[[], Message], location: str,
                 token: int | None = None) -> None:
    """In a thread worker: run `job` and post to `node` the message it gives, or a
    `ServiceRefused` (with `token`), or a `ServiceFailed` saying what went wrong with the
    database at `location`. Nothing is posted once the worker has been cancelled."""
    worker = get_current_worker()
    try:
        message: Message = job()
    except DomainError as exc:
        message = ServiceRefused(exc, token)
    except Exception as exc:  # a fault is shown, never a crash of the desk
        message = ServiceFailed(problem_from(exc, location).text())
    if not worker.is_cancelled:
        node.post_message(message)
