"""The generation package's errors.

Every class carries what the API answers with: its HTTP `status` and its `type` code, declared
on the class itself (`api/errors.py` reads them; nothing here knows about HTTP beyond the
number). `detail` is the error's structured `detail`, None unless a class says more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generation.guard import GuardHit
    from ingest.specs.registry import CarRegistry, CarSummary


class GenerationError(Exception):
    """Base class: a generation request could not be served."""

    status = 502
    type = "generation_error"

    @property
    def detail(self) -> Any:
        return None


class LLMUnavailable(GenerationError):
    """The model endpoint refused, failed (5xx, 429) or could not be reached, after retries."""

    status = 502
    type = "llm_unavailable"


class LLMTimeout(GenerationError):
    """The model endpoint did not answer within the timeout, after retries."""

    status = 504
    type = "llm_timeout"


class GenerationStopped(GenerationError):
    """The embedded model stopped mid-answer: the server is shutting down (or the caller left)."""

    status = 503
    type = "generation_stopped"


class UnknownModel(GenerationError):
    """No model of that name in the model registry."""

    status = 422
    type = "unknown_model"


class UnavailableModel(GenerationError):
    """A model of the registry that this server cannot use as configured: its key variable is
    unset or empty, or its model file is missing. Refused before any work; a 422, not a 503,
    since retrying cannot help (and clients such as the openai SDK retry every 5xx)."""

    status = 422
    type = "unavailable_model"

    def __init__(self, message: str, *, model: str, reason: str, api_key_env: str | None = None):
        super().__init__(message)
        self.model = model
        self.reason = reason
        self.api_key_env = api_key_env

    @property
    def detail(self) -> Any:
        return {"model": self.model, "reason": self.reason, "api_key_env": self.api_key_env}


class LocalModelMissing(LLMUnavailable):
    """The embedded model's GGUF file is missing, unreadable or not a model it can load."""

    status = 502
    type = "local_model_missing"


class GenerationFailed(GenerationError):
    """The model's output stayed invalid after the allowed re-asks."""

    status = 502
    type = "generation_failed"

    def __init__(self, message: str, *, attempts: list[dict[str, Any]], usage: dict[str, Any]):
        super().__init__(message)
        self.attempts = attempts
        self.usage = usage

    @property
    def detail(self) -> Any:
        return {"attempts": self.attempts, "usage": self.usage}


class SensitiveInput(GenerationError):
    """The request itself contains sensitive words and the business policy rejects it."""

    status = 422
    type = "sensitive_input"

    def __init__(self, message: str, *, words: list[str], hits: list[GuardHit]):
        super().__init__(message)
        self.words = words
        self.hits = hits

    @property
    def detail(self) -> Any:
        return {"words": self.words, "hits": [h.model_dump() for h in self.hits]}


class MessageTooLong(GenerationError):
    """The user's message does not fit the model's context window with the system prompt and
    the answer reserve."""

    status = 422
    type = "message_too_long"

    def __init__(self, message: str, *, tokens: int, budget: int):
        super().__init__(message)
        self.tokens = tokens
        self.budget = budget

    @property
    def detail(self) -> Any:
        return {"tokens": self.tokens, "budget": self.budget}


class UnknownBusiness(GenerationError):
    """A chat names a business that is neither `chat` nor one of the generation businesses."""

    status = 422
    type = "unknown_business"


class SessionNotFound(GenerationError):
    """No session with that id."""

    status = 404
    type = "session_not_found"


class SessionBusy(GenerationError):
    """Another request wrote this session's turn first."""

    status = 409
    type = "session_busy"


class PromptNotFound(GenerationError):
    """No template for this (business, step), with or without a model override: a deployment
    without its prompt files, hence a server error."""

    status = 500
    type = "prompt_not_found"


class PromptError(GenerationError):
    """A template failed to render: an undefined variable, a syntax error."""

    status = 500
    type = "prompt_error"


class UnknownCar(GenerationError):
    """A request names a car no indexed document is about. The one "did you mean" of every
    caller (the generate and grounding routes, `GET /v1/cars/{id}`, `filters.car`, the CLI):
    `UnknownCar.among(registry, text)` asks the registry for the close matches, and the
    message and `detail.close_matches` name them one way, as `GET /v1/cars` lists a car."""

    status = 404
    type = "unknown_car"

    def __init__(
        self, car: str, *, close_matches: Sequence[CarSummary] = (), field: str | None = None
    ):
        names = ", ".join(f"{c.name} ({c.id})" for c in close_matches)
        hint = f"; did you mean {names}?" if names else ""
        named = f"{field}: " if field else ""
        super().__init__(f"{named}no indexed document is about the car {car!r}{hint}")
        self.car = car
        self.close_matches = list(close_matches)
        self.field = field

    @classmethod
    def among(cls, registry: CarRegistry, car: str, *, field: str | None = None) -> UnknownCar:
        """The error for `car`, with the registry's closest cars to it."""
        return cls(car, close_matches=registry.close_matches(car), field=field)

    @property
    def detail(self) -> Any:
        close = [
            {
                "id": c.id,
                "name": c.name,
                "aliases": list(c.aliases),
                "documents": c.documents,
                "facts": c.facts,
            }
            for c in self.close_matches
        ]
        return {"close_matches": close, **({"field": self.field} if self.field else {})}


class UnknownCarFilter(UnknownCar):
    """A search filter (`filters.car`) names no car: the request's field is invalid (422),
    where an unknown car a route is about is not found (404)."""

    status = 422
    type = "unknown_car"


class CarHasNoFacts(GenerationError):
    """The car is known but no specification of it was extracted: nothing to write from."""

    status = 422
    type = "car_has_no_facts"

    def __init__(self, car_id: str, name: str):
        super().__init__(
            f"the documents about {name} ({car_id}) hold no specifications specrag could read; "
            "add a spec sheet or brochure for it"
        )
        self.car_id = car_id


class UngroundedFigures(GenerationError):
    """Figures stayed unsupported (or another car's) after the re-ask, and the grounding
    policy is `fail`."""

    status = 422
    type = "ungrounded_figures"

    def __init__(self, message: str, *, figures: list[dict[str, Any]]):
        super().__init__(message)
        self.figures = figures

    @property
    def detail(self) -> Any:
        return {"figures": self.figures}


class UnsupportedLanguage(GenerationError):
    """The brief asks for a language the chosen model does not write (`languages` in the
    model table): refused before any work, never answered in another language."""

    status = 422
    type = "unsupported_language"

    def __init__(self, message: str, *, model: str, language: str):
        super().__init__(message)
        self.model = model
        self.language = language

    @property
    def detail(self) -> Any:
        return {"model": self.model, "language": self.language}
