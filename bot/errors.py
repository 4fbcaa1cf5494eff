"""Named failures of the core, so each adapter can map them to a citizen reply or an HTTP status."""


class CivicError(Exception):
    """Base class of every error the core raises on purpose."""


class CaseNotFound(CivicError):
    """No case carries the reference the citizen gave."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"no case with reference {reference}")
        self.reference = reference


class MalformedReference(CivicError):
    """The citizen gave something that looks like a reference but cannot be one."""

    def __init__(self, text: str) -> None:
        super().__init__("reference is not in the form C-YYYY-NNNNNN")
        self.text = text


class DuplicateSubmission(CivicError):
    """A submission id was used again with different content."""


class UnknownService(CivicError):
    """A service code that the catalogue does not hold."""

    def __init__(self, code: str) -> None:
        super().__init__(f"unknown service {code!r}")
        self.code = code


class DatabaseUnavailable(CivicError):
    """The case database cannot be reached; nothing was written."""


class AttachmentRejected(CivicError):
    """An uploaded file was refused (too large, not an image...); nothing was stored."""

    def __init__(self, reason: str, limit_bytes: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit_bytes = limit_bytes


class InvalidInput(CivicError):
    """Input that fails validation before anything is written."""
