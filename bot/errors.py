"""Named failures of the core, so each adapter can map them to a citizen reply or an HTTP status."""


class CivicError(Exception):
    """Base class of every error the core raises on purpose."""


class CaseNotFound(CivicError):
    """No case carries the reference the citizen gave."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"no case with reference {reference}")
        self.reference = reference


class NotYourCase(CivicError):
    """The case exists, but this conversation did not report it, so it may not add to it."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"case {reference} was reported from another conversation")
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


class InvalidCredentials(CivicError):
    """A sign-in with an unknown username, a wrong password or a deactivated account; the
    message never says which, so usernames cannot be probed."""

    def __init__(self) -> None:
        super().__init__("username or password is not correct")


class LoginThrottled(CivicError):
    """Too many failed sign-ins for this account or address recently; even a correct password
    is refused until the window passes."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {minutes} minutes")
        self.minutes = minutes


class WeakPassword(InvalidInput):
    """A new staff password that the password policy refuses; `reasons` say why, for the form."""

    def __init__(self, reasons: list) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


class StaffNotFound(CivicError):
    """No staff account has this id or username."""


class InvalidTransition(InvalidInput):
    """A case status change the workflow does not allow (e.g. new straight back to new)."""

    def __init__(self, from_status: str, to_status: str) -> None:
        super().__init__(f"a case cannot go from {from_status} to {to_status}")
        self.from_status = from_status
        self.to_status = to_status


class EscalationNotFound(CivicError):
    """No escalation has that id (a stale link, or a typo in the address)."""

    def __init__(self, escalation_id: int) -> None:
        super().__init__(f"no escalation {escalation_id}")
        self.escalation_id = escalation_id


class EscalationClaimed(CivicError):
    """Someone else already took this conversation: two people must never answer at once."""

    def __init__(self, escalation_id: int, claimed_by: str) -> None:
        super().__init__(f"escalation {escalation_id} is already being handled by {claimed_by}")
        self.escalation_id = escalation_id
        self.claimed_by = claimed_by


class EscalationNotHeld(CivicError):
    """Replying or handing back needs a conversation this staff member has claimed and not
    yet handed back (it is waiting, closed, or someone else's)."""

    def __init__(self, escalation_id: int, status: str, claimed_by: str | None) -> None:
        holder = f" by {claimed_by}" if claimed_by else ""
        super().__init__(f"escalation {escalation_id} is {status}{holder}, not claimed by you")
        self.escalation_id = escalation_id
        self.status = status
        self.claimed_by = claimed_by


class ApiKeyRejected(CivicError):
    """An Open311 client sent no API key, an unknown one or a revoked one. The message never
    says which, so keys cannot be probed; Open311 answers 403."""

    def __init__(self) -> None:
        super().__init__("a valid api_key is required to create service requests")


class ApiKeyRateLimited(CivicError):
    """An Open311 key used up its requests for the minute; the client may retry after
    `retry_after_seconds` (HTTP 429 with Retry-After)."""

    def __init__(self, limit_per_minute: int, retry_after_seconds: int) -> None:
        super().__init__(f"rate limit of {limit_per_minute} service requests per minute reached; "
                         f"retry in {retry_after_seconds} seconds")
        self.limit_per_minute = limit_per_minute
        self.retry_after_seconds = retry_after_seconds


class Open311Invalid(InvalidInput):
    """An Open311 request that fails validation; `problems` lists each one, because the spec's
    error response is an array and a client fixes them all at once (HTTP 400)."""

    def __init__(self, problems: list) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


class Open311NotFound(CivicError):
    """An Open311 resource that does not exist: a service request id, a token or a
    jurisdiction (HTTP 404)."""


class CaseChangedMeanwhile(CivicError):
    """Someone changed the case after the caseworker opened it; their form is out of date."""

    def __init__(self, reference: str, status: str) -> None:
        super().__init__(f"{reference} changed to {status} after you opened it")
        self.reference = reference
        self.status = status


class FeedbackNotFound(CivicError):
    """No feedback has that id (a stale link, or feedback since removed)."""

    def __init__(self, feedback_id: int) -> None:
        super().__init__(f"no feedback {feedback_id}")
        self.feedback_id = feedback_id


class FaqEntryNotFound(CivicError):
    """No FAQ entry with that id (or no such version of it)."""


class FaqInvalid(InvalidInput):
    """FAQ content that fails validation; `problems` lists every one, so the editor can fix
    them all at once."""

    def __init__(self, problems: list) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


class FaqImportRejected(InvalidInput):
    """An import file with bad rows; nothing was imported. `problems` holds (row, reason) for
    every bad row (row 0: the file itself), so the team fixes the file in one pass."""

    def __init__(self, problems: list) -> None:
        super().__init__(f"{len(problems)} problem(s) in the file; nothing was imported")
        self.problems = list(problems)
