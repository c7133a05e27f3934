"""One domain error type with a stable code and a user-facing (Chinese) message."""

from typing import Any


class DomainError(Exception):
    """A refusal the user can act on.

    ``code`` is stable (API clients switch on it); ``message`` is translated text
    for people; ``details`` carries structured specifics (e.g. row errors).
    """

    status = 400

    def __init__(
        self, code: str, message: str, *, details: Any = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "details": self.details}
