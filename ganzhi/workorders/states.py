"""The work-order state machine: which state may follow which, and who may move it."""

from ganzhi.workorders.models import State

TRANSITIONS: dict[str, frozenset[str]] = {
    State.NEW: frozenset({State.DISPATCHED, State.ACCEPTED, State.CANCELLED}),
    State.DISPATCHED: frozenset({State.ACCEPTED, State.DISPATCHED, State.NEW, State.CANCELLED}),
    State.ACCEPTED: frozenset(
        {State.IN_PROGRESS, State.WAITING_OWNER, State.RESOLVED, State.DISPATCHED, State.CANCELLED}
    ),
    State.IN_PROGRESS: frozenset({State.WAITING_OWNER, State.RESOLVED, State.DISPATCHED}),
    State.WAITING_OWNER: frozenset({State.IN_PROGRESS, State.RESOLVED}),
    State.RESOLVED: frozenset({State.CLOSED, State.IN_PROGRESS}),
    State.CLOSED: frozenset({State.IN_PROGRESS}),
    State.CANCELLED: frozenset(),
}

# Moves that need the dispatcher's permission (customer service, managers).
DISPATCHER_MOVES = frozenset(
    {
        (State.NEW, State.DISPATCHED),
        (State.DISPATCHED, State.DISPATCHED),
        (State.DISPATCHED, State.NEW),
        (State.ACCEPTED, State.DISPATCHED),
        (State.IN_PROGRESS, State.DISPATCHED),
        (State.RESOLVED, State.CLOSED),
        (State.RESOLVED, State.IN_PROGRESS),
        (State.CLOSED, State.IN_PROGRESS),
    }
)


def is_allowed(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())


def is_reopen(from_state: str, to_state: str) -> bool:
    return from_state in (State.RESOLVED, State.CLOSED) and to_state == State.IN_PROGRESS
