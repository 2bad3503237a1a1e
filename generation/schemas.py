"""The typed shapes of generation: the brief, each step's output, and the response.

Step outputs are what the model must answer in JSON; each has a `shape()` example that the
prompts show the model. Limits that vary per request (a push title's length) are read from the
validation context, so one model validates every request (`context={"title_max": 20}`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from generation.grounding import FigureCheck, ResponseVerdict
from generation.guard import GuardReport
from generation.markers import uncited

Language = Literal["en", "zh"]
Sentiment = Literal["positive", "neutral", "negative"]

# The steps of each business, in order. `car_blog` is the three-step chain; the others are one
# step, run by the generic runner.
BUSINESSES: dict[str, tuple[str, ...]] = {
    "car_blog": ("opening", "middle", "ending"),
    "push_ops": ("main",),
    "push_personal": ("main",),
    "weibo_region": ("main",),
    "review": ("main",),
    "news_comment": ("main",),
}

WEIBO_MAX_CHARS = 140
# Each blog step's share of the brief's length (the realiser's and a model's alike).
STEP_SHARE = {"opening": 0.2, "middle": 0.6, "ending": 0.2}


class UserProfile(BaseModel):
    """Who a personalised push is for; every field optional, the template uses what is set."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    nickname: str | None = Field(default=None, max_length=50)
    city: str | None = Field(default=None, max_length=50)
    age_group: str | None = Field(default=None, max_length=30, examples=["25-34"])
    current_car: str | None = Field(default=None, max_length=100)
    budget: str | None = Field(default=None, max_length=50, examples=["15万元以内"])
    interests: list[Annotated[str, StringConstraints(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=10
    )


class Brief(BaseModel):
    """What to write: the request body of `POST /v1/generate/{business}`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    car: str = Field(min_length=1, max_length=200, examples=["Hyundai Venue"])
    angle: str = Field(default="an overview of the car for buyers", max_length=300)
    audience: str = Field(default="general car buyers", max_length=200)
    length: int = Field(
        600, ge=80, le=3000, description="target length: words in English, characters in Chinese"
    )
    language: Language = "en"
    business: str = "car_blog"
    model: str | None = Field(None, description="a model from data/models.toml (its default)")
    # validated even when left out, so that a business missing its input is named by the field
    region: str | None = Field(
        default=None, max_length=100, validate_default=True, description="weibo_region: the region"
    )
    user_profile: UserProfile | None = Field(
        default=None, validate_default=True, description="push_personal: the reader"
    )
    title_max: int = Field(
        default=30, ge=5, le=100, description="push: the title's maximum characters"
    )

    @field_validator("business")
    @classmethod
    def _known_business(cls, value: str) -> str:
        if value not in BUSINESSES:
            raise ValueError(f"unknown business {value!r}; known: {', '.join(BUSINESSES)}")
        return value

    @field_validator("region")
    @classmethod
    def _region_for_weibo(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("business") == "weibo_region" and not value:
            raise ValueError("weibo_region needs a region: the city or province the post is for")
        return value

    @field_validator("user_profile")
    @classmethod
    def _profile_for_push(
        cls, value: UserProfile | None, info: ValidationInfo
    ) -> UserProfile | None:
        if info.data.get("business") != "push_personal":
            return value
        if value is None:
            raise ValueError("push_personal needs a user_profile")
        if not any(value.model_dump().values()):  # {} or only blanks: nothing to personalise
            fields = ", ".join(UserProfile.model_fields)
            raise ValueError(f"the user_profile is empty; give at least one of {fields}")
        return value

    def guarded_fields(self) -> dict[str, str]:
        """The free-text fields the sensitive-word guard checks, by name."""
        fields = {"car": self.car, "angle": self.angle, "audience": self.audience}
        if self.region:
            fields["region"] = self.region
        if self.user_profile is not None:
            for name, value in self.user_profile.model_dump(exclude_none=True).items():
                text = "、".join(value) if isinstance(value, list) else str(value)
                fields[f"user_profile.{name}"] = text
        return fields


class StepOutput(BaseModel):
    """Base of every step's JSON answer."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    # The text fields that grounding and the guard look at, in order.
    text_fields: ClassVar[tuple[str, ...]] = ("text",)
    example: ClassVar[dict[str, Any]] = {}
    # Whether a model without JSON mode may answer in plain text (read by `from_plain`).
    plain: ClassVar[bool] = False
    # Whether the published text keeps its [n] markers (a Weibo post does not: they go to the
    # response's citations, `generation.chain.written.published`).
    inline_citations: ClassVar[bool] = True

    @classmethod
    def shape(cls) -> str:
        """A JSON example of the answer, for the prompt."""
        return json.dumps(cls.example, ensure_ascii=False)

    @classmethod
    def from_plain(cls, text: str) -> dict[str, Any]:
        """The fields of a plain-text answer: the whole text is `text`."""
        return {"text": text}

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.text_fields}


class Opening(StepOutput):
    """Step 1: the blog's title and opening, and the topics the middle will cover."""

    title: str = Field(min_length=1, max_length=150)
    text: str = Field(min_length=1)
    topics: list[str] = Field(
        default_factory=list, max_length=6, description="what the middle covers; drives retrieval"
    )

    text_fields = ("title", "text")
    example = {"title": "…", "text": "…", "topics": ["engine and performance", "…"]}

    plain = True

    @classmethod
    def from_plain(cls, text: str) -> dict[str, Any]:
        """A title on the first line, the opening after it (topics then default)."""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            return {"title": "", "text": ""}
        title = re.sub(r"^(?:#+|title\s*[:：]|\*\*)\s*", "", lines[0], flags=re.IGNORECASE)
        title = title.strip().strip("*\"'“”").strip()
        body = "\n".join(lines[1:]) or lines[0]
        return {"title": title[:150], "text": body}

    @field_validator("topics")
    @classmethod
    def _clean_topics(cls, value: list[str]) -> list[str]:
        return [t.strip() for t in value if isinstance(t, str) and t.strip()]


class Middle(StepOutput):
    """Step 2: the body of the blog."""

    text: str = Field(min_length=1)
    example = {"text": "…"}
    plain = True


class Ending(Middle):
    """Step 3: the conclusion."""


class Push(StepOutput):
    """A push notification: a short title and a body."""

    title: str = Field(min_length=1)
    body: str = Field(min_length=1, max_length=300)

    text_fields = ("title", "body")
    example = {"title": "…", "body": "…"}

    @field_validator("title")
    @classmethod
    def _title_fits(cls, value: str, info: ValidationInfo) -> str:
        limit = (info.context or {}).get("title_max", 30)
        if len(value) > limit:
            raise ValueError(f"the title has {len(value)} characters; at most {limit} allowed")
        return value


class WeiboPost(StepOutput):
    """A regional Weibo post: at most 140 characters as published (its [n] markers go to the
    citations, hashtags apart)."""

    text: str = Field(min_length=1)
    hashtags: list[str] = Field(default_factory=list, max_length=5)

    example = {"text": "…", "hashtags": ["…"]}
    inline_citations = False

    @field_validator("text")
    @classmethod
    def _fits(cls, value: str) -> str:
        if (n := len(uncited(value))) > WEIBO_MAX_CHARS:
            raise ValueError(f"the post has {n} characters; at most {WEIBO_MAX_CHARS} allowed")
        return value

    @field_validator("hashtags")
    @classmethod
    def _bare_tags(cls, value: list[str]) -> list[str]:
        return [t.strip().strip("#＃").strip() for t in value if t.strip().strip("#＃").strip()]


class Review(StepOutput):
    """A product review, or a comment on a news item: text and its sentiment."""

    text: str = Field(min_length=1)
    sentiment: Sentiment

    example = {"text": "…", "sentiment": "positive | neutral | negative"}

    @field_validator("sentiment", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class NewsComment(Review):
    """A comment on a news item."""


# The output model of each (business, step).
STEP_MODELS: dict[tuple[str, str], type[StepOutput]] = {
    ("car_blog", "opening"): Opening,
    ("car_blog", "middle"): Middle,
    ("car_blog", "ending"): Ending,
    ("push_ops", "main"): Push,
    ("push_personal", "main"): Push,
    ("weibo_region", "main"): WeiboPost,
    ("review", "main"): Review,
    ("news_comment", "main"): NewsComment,
}


# --- the response -------------------------------------------------------------------------


class Citation(BaseModel):
    """A passage shown to the model, numbered as the text cites it: [n] (every response that
    answers from passages: generation, chat, chat completions)."""

    n: int
    chunk_id: str
    source: str = Field(
        description="the document as its user gave it (never the server's path): what a "
        "`source` filter takes"
    )
    document: str = Field(
        default="", description="the document as its user gave it (path below its ingest root)"
    )
    doc_id: str = ""
    page: int | None = None
    section: str = Field(default="", description="the section path within the source")
    step: str = Field(default="", description="the step it was retrieved for (chat: `chat`)")
    cited: bool = Field(default=False, description="whether the final text cites it as [n]")


class StepTrace(BaseModel):
    """One step: which model and prompt, tokens, cost, time, and what it was given."""

    step: str
    model: str
    prompt_template: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    latency_ms: float = 0.0
    retrieved_ids: list[str] = Field(default_factory=list)
    query: list[str] = Field(default_factory=list, description="the retrieval queries")
    calls: int = Field(default=0, description="model calls, re-asks included")
    repaired: int = Field(
        default=0, description="answers whose JSON needed mending (missing comma…)"
    )
    reasks: list[str] = Field(
        default_factory=list, description="why each re-ask happened: invalid, grounding, guard"
    )


class Dropped(BaseModel):
    """A sentence removed from the output because it carried figures nothing backs."""

    step: str
    field: str
    sentence: str
    figures: list[FigureCheck]
    reason: str


class StepGrounding(BaseModel):
    step: str
    checked: int = 0
    supported: int = 0
    unsupported: list[FigureCheck] = Field(default_factory=list)
    wrong_car: list[FigureCheck] = Field(
        default_factory=list, description="figures that agree only with another car's facts"
    )
    figures: list[FigureCheck] = Field(default_factory=list, description="in reading order")
    reasked: bool = False
    unsupported_before_reask: list[FigureCheck] = Field(default_factory=list)
    dropped: list[Dropped] = Field(default_factory=list)


class Grounding(BaseModel):
    """Every figure of the output, judged against the car's facts and the passages."""

    checked: int = 0
    supported: int = 0
    unsupported: list[FigureCheck] = Field(default_factory=list)
    wrong_car: list[FigureCheck] = Field(default_factory=list)
    verdict: ResponseVerdict = Field(
        default="no_figures",
        description="grounded: every figure supported; flagged: some not; no_figures: none",
    )
    dropped: list[Dropped] = Field(default_factory=list)
    policy: Literal["drop", "flag", "fail"] = "drop"
    mode: Literal["reask", "flag", "off"] = "reask"
    action: str = Field(default="none", description="what was done, in words")
    steps: list[StepGrounding] = Field(default_factory=list)


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost: float = 0.0
    calls: int = 0

    def add(self, prompt_tokens: int, completion_tokens: int, cost: float) -> None:
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        self.total_tokens += prompt_tokens + completion_tokens
        self.cost = round(self.cost + cost, 10)
        self.calls += 1

    def merge(self, other: Mapping[str, Any]) -> None:
        """Add a usage dict (`GenerationFailed.usage`)."""
        self.prompt_tokens += int(other.get("prompt_tokens", 0))
        self.completion_tokens += int(other.get("completion_tokens", 0))
        self.total_tokens = self.prompt_tokens + self.completion_tokens
        self.cost = round(self.cost + float(other.get("cost", 0.0)), 10)
        self.calls += int(other.get("calls", 0))


class CarInfo(BaseModel):
    """The car the brief names, as the registry resolved it."""

    id: str
    name: str


class UsedFact(BaseModel):
    """A fact of the car that the text states, with the citation [n] it carries."""

    n: int = Field(description="the citation number of its source passage")
    step: str
    attribute: str
    label: str
    variant: str | None = None
    value: str = Field(description="as the source wrote it")
    document: str = ""
    page: int | None = None
    section: str = ""
    evidence: str = Field(default="", description="the source's exact words")


class GenerationResponse(BaseModel):
    """Shared by every business: provenance, checks and accounting."""

    business: str
    model: str
    car: CarInfo | None = Field(default=None, description="the brief's car, when resolved")
    writer: Literal["model", "facts"] = Field(
        default="model",
        description="facts: written from the car's facts by templates (the embedded model only "
        "polishes); model: the model wrote from the facts and passages",
    )
    facts: list[UsedFact] = Field(default_factory=list, description="facts the text states")
    polished: list[str] = Field(
        default_factory=list, description="parts whose wording the model rewrote (figures kept)"
    )
    citations: list[Citation] = Field(default_factory=list)
    grounding: Grounding = Field(default_factory=Grounding)
    guard: GuardReport = Field(default_factory=GuardReport)
    trace: list[StepTrace] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)


class BlogResponse(GenerationResponse):
    """`POST /v1/generate/blog`: the three-part blog."""

    title: str
    opening: str
    middle: str
    ending: str


class SingleResponse(GenerationResponse):
    """`POST /v1/generate/{business}` for the one-step businesses."""

    output: dict[str, Any]


class FactsAnswered(BaseModel):
    """What a chat answer says about the facts behind it (a turn's answer and the reply)."""

    cars: list[CarInfo] = Field(
        default_factory=list, description="the conversation's topic cars, with facts"
    )
    writer: Literal["facts", "model"] = Field(
        default="model", description="facts: written from the facts, without a model call"
    )
    facts: list[UsedFact] = Field(default_factory=list, description="the facts the answer states")
    grounding: StepGrounding | None = Field(
        default=None, description="the answer's figures checked against its passages and facts"
    )
