"""Names vulture cannot see used, for `vulture` (config in pyproject.toml's [tool.vulture]).

Vulture reads this file as source; it is never imported. Routes, click commands, pydantic
validators and `model_config` are ignored by the config; what is below is used by a framework
(pydantic serialises response fields, templates read request fields, libraries call overrides
and read options), or only by the tests and benchmarks, which vulture does not scan.
"""

from click import Context
from onnxruntime import SessionOptions
from torch.nn import Module

from api.jobs import JobRunner
from api.protocol import SpecragHttp
from api.routes.documents import Deleted
from api.routes.generate import PromptList
from api.routes.openai.chat import AnswerMessage, Choice
from api.routes.openai.models import ModelCard
from api.routes.query import QueryResponse
from api.routes.usage import UsageRow
from api.settings import Settings
from generation.chat.memory import MemoryReport
from generation.llm.base import Completion
from generation.schemas import Review, UserProfile, WeiboPost
from ingest.embedding import Embedder
from ingest.parse.html import _Reducer
from ingest.second import SyncStats
from ingest.specs import CarRef
from retrieval.citations import Citation
from retrieval.evaluate import Question
from retrieval.glossary import Expansion

# click: the CLI group hands its Services to the commands
Context.obj

# pydantic response fields (serialised, not read in Python)
Deleted.chunks_deleted
PromptList.businesses
AnswerMessage.refusal
Choice.logprobs
ModelCard.owned_by
ModelCard.available
QueryResponse.took_ms
UsageRow.abandoned_calls
MemoryReport.folded_turns
MemoryReport.memory_budget
WeiboPost.hashtags
Review.sentiment
Citation.also_chunks
Citation.also_pages

# pydantic request fields the prompt templates read (data/prompts/push_personal/main.j2)
UserProfile.nickname
UserProfile.city
UserProfile.age_group
UserProfile.current_car
UserProfile.interests

# read by name: retrieval.evaluate groups results by getattr(question, "lang")
Question.lang

# overrides and options a library calls or reads
_Reducer.handle_starttag  # html.parser.HTMLParser
_Reducer.handle_endtag
Module.forward  # ingest.embedding.export.export_transformer's wrapper
SessionOptions.log_severity_level  # ingest.embedding.graph
SpecragHttp.send_400_response  # uvicorn's protocol calls it on a request it cannot parse

# used by the tests and the benchmarks
JobRunner.wait_idle
Embedder.embed_query
Expansion.chinese
Completion.raw_text
Settings.samples_dir
CarRef.aliases  # read by the tests now; stored and served with /v1/cars by the spec stage
SyncStats.retagged  # logged with the stats; read by tests/test_second_collection.py
