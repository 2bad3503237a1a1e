"""Wiring: the one place that turns Settings into the objects the lower layers need."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import anyio

from api.faults import Fault
from api.follow import Follower
from api.naming import Naming
from api.settings import Settings, shipped_data
from ingest.embedding import Embedder
from ingest.errors import DiskFull, StoreCorrupt
from ingest.ledger import Ledger
from ingest.lexical.writer import LexicalIndex
from ingest.pipeline import Pipeline
from ingest.pipeline.commit import dirty_marker
from ingest.pipeline.plan import ChunkOptions
from ingest.second import SecondCollection
from ingest.specs import SpecConfig
from ingest.specs.cars import load_cars
from ingest.specs.registry import CarRegistry, attribute_labels, curated_cars
from ingest.specs.vocabulary import load_vocabulary
from ingest.storage.engine import collection_url
from ingest.store import ChromaStore
from retrieval.entities import KnownCar, QueryCars, Refreshing
from retrieval.facts import FactChunks, FactSide, QueryAttributes
from retrieval.glossary import Glossary
from retrieval.lexical import LexicalReader
from retrieval.search import Searcher
from retrieval.second import SecondSide

if TYPE_CHECKING:  # the LLM side loads when first used: `specrag ingest` never needs it
    from generation.chat.session import Chat
    from generation.chat.store import SessionStore
    from generation.chat.topic import Topics
    from generation.service import Generation
    from generation.usage import UsageLedger


log = logging.getLogger(__name__)

REPAIR_WAIT_SECONDS = 600.0  # close() waits this long for a lexical index repair to finish


class _Closable(Protocol):
    def close(self) -> None: ...


_C = TypeVar("_C", bound=_Closable)
SERVER_ORPHAN_GRACE = 3600.0  # seconds


class Services:
    """Lazily built components for one data dir; the embedding model loads on first use.

    Args:
        embedder: a model already loaded (a test session's, a benchmark's), used instead of
            loading the one `settings` names.
        searcher: a searcher to answer with instead of the one built on the index.
        generation: the LLM side to use instead of the one built from settings.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        searcher: Searcher | None = None,
        generation: Generation | None = None,
    ) -> None:
        self.settings = settings
        self._prebuilt_embedder = embedder
        self._prebuilt_searcher = searcher
        self._prebuilt_generation = generation
        self._closers: list[Callable[[], None]] = []  # of the stores this opened, for close()
        # Side stores (jobs, sessions, usage) that could not be opened (damaged, or a new one
        # on a full disk): the server runs without them, /readyz names them, and the routes
        # that need one answer with the error (503, 507).
        self.broken: dict[str, Fault] = {}
        self._repair: threading.Thread | None = None
        self._repair_lock = threading.Lock()
        self._billing_lock = threading.Lock()
        self.unbilled_calls = 0  # LLM calls whose cost the usage ledger could not record
        self.lexical_revision: int | None = None  # the ledger's, when the lexical index was built
        self._follower: Follower | None = None

    def _opened(self, store: _C) -> _C:
        """`store`, closed by `close()`."""
        self._closers.append(store.close)
        return store

    @cached_property
    def embedder(self) -> Embedder:
        if self._prebuilt_embedder is not None:
            return self._prebuilt_embedder
        s = self.settings
        return Embedder(
            s.embed_model,
            batch_size=s.embed_batch_size,
            backend=s.embed_backend,
            hint=s.embed_hint or "latency",
        )

    @cached_property
    def store(self) -> ChromaStore:
        s = self.settings
        if s.chroma_url:
            return ChromaStore(
                collection=s.collection, model_name=self.embedder.name, url=s.chroma_url
            )
        return ChromaStore(
            collection=s.collection, model_name=self.embedder.name, path=s.data_dir / "chroma"
        )

    @cached_property
    def second_collection(self) -> SecondCollection | None:
        """The mostly-Chinese chunks embedded by `second_embed_model` (`ingest.second`), or
        None when it is off or the main model already reads Chinese."""
        s = self.settings
        if not s.second_embed_model or self.embedder.multilingual:
            return None
        return SecondCollection.beside(self.store, s.second_embed_model, s.embed_batch_size)

    def rebuild_derived(self) -> None:
        """After an ingest's writes: the second collection, then the lexical index (whose new
        generation tells searchers that both moved)."""
        try:
            if self.second_collection is not None:
                self.second_collection.sync(self.store)
        finally:  # BM25 follows the main collection whatever became of the second
            self.rebuild_lexical()

    @cached_property
    def ledger(self) -> Ledger:
        return self._opened(Ledger(self.store_location("ledger")))

    def store_location(self, store: str) -> Path | str:
        """Where the collection's `store` (ledger, jobs, sessions, usage) keeps its rows: a
        SQLite file in the data dir, or its schema in the `SPECRAG_DATABASE_URL` database."""
        s = self.settings
        if s.database_url is None:
            return s.data_dir / f"{s.collection}.{store}.sqlite3"
        return collection_url(s.database_url.get_secret_value(), s.collection)

    @cached_property
    def cars(self) -> CarRegistry:
        """The car registry and spec sheets, over the facts in the ledger's database."""
        config = self.spec_config
        return CarRegistry(
            self.ledger.database,
            curated=curated_cars(load_cars(config.cars)),
            labels=attribute_labels(load_vocabulary(config.attributes)),
            document_name=self.naming.document,
        )

    @property
    def spec_config(self) -> SpecConfig:
        """Where spec extraction finds its vocabulary and car names."""
        s = self.settings
        return SpecConfig(
            attributes=s.spec_attributes,
            cars=s.car_alias_files,
            columns=shipped_data() / "specs" / "columns.toml",  # units of known data files
        )

    @property
    def lexical_dir(self) -> Path:
        """The BM25 index of the collection, beside the ledger."""
        return self.settings.data_dir / f"{self.settings.collection}.lexical"

    @property
    def lock_path(self) -> Path:
        """Held by the one ingest writing to the collection at a time."""
        return self.settings.data_dir / f"{self.settings.collection}.lock"

    def _in_step_marker(self) -> Path | None:
        """The marker that tells whether the lexical index holds what Chroma holds. Only this
        data dir's ingests write an embedded Chroma; a Chroma server may also be written by
        other instances, whose ingests this one never sees: results then come from Chroma."""
        return None if self.settings.chroma_url else dirty_marker(self.lock_path)

    @cached_property
    def lexical_index(self) -> LexicalIndex:
        return LexicalIndex(self.lexical_dir)

    @cached_property
    def searcher(self) -> Searcher:
        if self._prebuilt_searcher is not None:
            return self._prebuilt_searcher
        glossary = self.settings.glossary
        lexical = LexicalReader(
            self.lexical_dir, dirty_marker=self._in_step_marker(), on_problem=self.repair_lexical
        )
        second = self.second_collection
        # the registry grows with each ingest, which writes a new lexical generation
        chunks = Refreshing(
            lambda: FactChunks.load(self.ledger.database), lambda: lexical.generation
        )
        lexical.versions = lambda: chunks().versions  # a car's version's chunks are its too
        return Searcher(
            store=self.store,
            embedder=self.embedder,
            lexical=lexical,
            glossary=Glossary.load(glossary) if glossary else None,
            cars=Refreshing(self._query_cars, lambda: lexical.generation),
            facts=FactSide(
                QueryAttributes.build(load_vocabulary(self.spec_config.attributes)),
                chunks,
                lexical.passages,
            ),
            second=None if second is None else SecondSide.of(second, lexical),
            document_name=self.naming.document,
            stored_sources=self.stored_sources,
        )

    @cached_property
    def naming(self) -> Naming:
        """How responses name files: below their ingest root or the uploads folder."""
        s = self.settings
        # the uploads folder is `api.routes.documents.uploads_dir`, which services cannot import
        return Naming.build(s.roots, uploads=s.data_dir / "uploads", data_dir=s.data_dir)

    def stored_sources(self, values: list[str]) -> list[str]:
        """The stored paths a `source` filter names (by document name or path)."""
        return self.naming.stored(values, lambda: (r.source for r in self.ledger.all()))

    def _query_cars(self) -> QueryCars:
        """The car names queries are searched for: the alias files and the registry's cars."""
        known = [KnownCar(car.id, (car.name, *car.aliases)) for car in self.cars.cars()]
        return QueryCars.build(load_cars(self.spec_config.cars), known)

    @property
    def lexical_reader(self) -> LexicalReader | None:
        """The lexical index reader searches use (None under a stand-in searcher)."""
        searcher = self.searcher
        return searcher.lexical if isinstance(searcher, Searcher) else None

    def rebuild_lexical(self) -> None:
        """Bring the lexical index in step with Chroma (cheap: unchanged chunks are cached).
        With a shared database, notes the ledger's revision read before Chroma: the index
        holds at least every change up to it."""
        revision = self.ledger.revision() if self.settings.database_url else None
        self.lexical_index.rebuild(self.store)
        if revision is not None:
            with self._repair_lock:
                self.lexical_revision = max(revision, self.lexical_revision or 0)

    def follow_database(self) -> None:
        """With a shared database, keep the lexical index in step with the other instances'
        ingests (`api.follow`) until `close()`; without one, every ingest is this one's."""
        if self.settings.database_url is None or self._follower is not None:
            return
        self._follower = Follower(
            self.ledger.revision, lambda: self.lexical_revision, self.rebuild_lexical
        )
        self._follower.start()

    def repair_lexical(self, problem: str) -> None:
        """Rebuild, in the background, a lexical index that failed its checks (one repair at
        a time); hybrid search answers from vectors until the new generation goes live."""
        with self._repair_lock:
            if self._repair is not None and self._repair.is_alive():
                return
            self._repair = threading.Thread(
                target=self._rebuild_after, args=(problem,), name="specrag-lexical-repair"
            )
            self._repair.start()

    @property
    def repairing(self) -> bool:
        """Whether a lexical index repair is running."""
        return self._repair is not None and self._repair.is_alive()

    def _rebuild_after(self, problem: str) -> None:
        log.warning("rebuilding the lexical index from Chroma: %s", problem)
        try:
            self.rebuild_lexical()
        except Exception:
            log.exception("the lexical index repair failed; run `specrag ingest` to retry it")
        else:
            log.warning("the lexical index is rebuilt from Chroma; hybrid search is whole again")

    def open_side_stores(self) -> None:
        """Open the sessions and usage stores now; one that cannot be opened is noted in
        `broken` (the server starts without it) instead of failing later, unnamed."""
        for name in ("sessions", "usage"):
            try:
                getattr(self, name)
            except (StoreCorrupt, DiskFull) as e:
                self.note_broken(name, e)

    def note_broken(self, store: str, error: StoreCorrupt | DiskFull) -> None:
        log.error("the server runs without the %s store: %s", store, error)
        self.broken[store] = Fault(store, self.settings.data_dir, error)

    def _unbilled(self) -> None:
        with self._billing_lock:
            self.unbilled_calls += 1

    @property
    def chunk_options(self) -> ChunkOptions:
        """What each file turns into (`specrag ingest`, the server, `specrag worker` alike)."""
        s = self.settings
        return ChunkOptions(
            max_tokens=s.chunk_tokens,
            overlap=s.chunk_overlap,
            encoding=s.encoding,
            specs=self.spec_config if s.specs else None,
        )

    @property
    def jobs_location(self) -> Path | str:
        """The jobs database: jobs, and with a queue their files, uploads and workers."""
        return self.store_location("jobs")

    @cached_property
    def pipeline(self) -> Pipeline:
        s = self.settings
        # The data dir holds the pipeline's lock, even when no store's file is there to make it.
        s.data_dir.mkdir(parents=True, exist_ok=True)
        pipeline = Pipeline(
            store=self.store,
            ledger=self.ledger,
            embedder=self.embedder,
            chunking=self.chunk_options,
            roots=s.roots,
            max_file_bytes=s.max_file_bytes,
            exclude=s.exclude,
            workers=s.workers,
            store_batch=s.store_batch,
            lock_path=self.lock_path,
            after_write=self.rebuild_derived,
            # A Chroma server may hold another instance's document between its chunks and
            # its ledger row: only orphans older than this are removed at a run's start.
            orphan_grace=0.0 if s.chroma_url is None else SERVER_ORPHAN_GRACE,
        )
        index, second = self.lexical_index, self.second_collection
        if (
            not index.exists()
            or index.problem() is not None
            or not (second is None or second.synced())
        ):
            pipeline.mark_dirty()  # the next run (re)builds them, even if nothing else changed
        return pipeline

    @cached_property
    def usage(self) -> UsageLedger:
        from generation.usage import UsageLedger

        return self._opened(UsageLedger(self.store_location("usage")))

    @cached_property
    def sessions(self) -> SessionStore:
        """Chat sessions, beside the usage ledger."""
        from generation.chat.store import SessionStore

        return self._opened(SessionStore(self.store_location("sessions")))

    def chat(self, limiter: anyio.CapacityLimiter | None = None) -> Chat:
        """Chat sessions with memory, for `POST /v1/chat` and `specrag chat` alike; a new
        session's defaults are the `SPECRAG_CHAT_*` settings. `limiter` bounds its searches
        (the server passes `/v1/query`'s); a light object, made per request."""
        from generation.chat.session import Chat, ChatDefaults

        s = self.settings
        return Chat(
            generation=self.generation,
            searcher=self.searcher,
            sessions=self.sessions,
            defaults=ChatDefaults(
                policy=s.chat_memory_policy,
                max_turns=s.chat_max_turns,
                max_tokens=s.chat_max_tokens,
                k=s.generation_k,
                answer_tokens=s.chat_answer_tokens,
            ),
            limiter=limiter,
            topics=self.chat_topics,
        )

    @cached_property
    def chat_topics(self) -> Topics:
        """Finds each chat turn's topic cars (the searcher's car names) and asked attributes."""
        from generation.chat.topic import Topics

        searcher = self.searcher
        cars = searcher.cars if isinstance(searcher, Searcher) else None
        return Topics(cars, load_vocabulary(self.spec_config.attributes))

    @cached_property
    def generation(self) -> Generation:
        """Closed by its user (`await generation.aclose()`): its clients belong to an event loop."""
        if self._prebuilt_generation is not None:
            return self._prebuilt_generation
        from generation.callbacks import build_callbacks
        from generation.chain.run import ChainOptions
        from generation.guard import Guard
        from generation.models import ModelRegistry
        from generation.prompts import PromptLibrary
        from generation.service import Generation

        s = self.settings
        models = ModelRegistry.load(s.models_file)
        if s.default_model:
            models.get(s.default_model)  # an unknown name fails here, at start-up
            models.default = s.default_model
        try:
            ledger: UsageLedger | None = self.usage
        except (StoreCorrupt, DiskFull) as e:  # calls go on; each one's cost logged as unrecorded
            self.note_broken("usage", e)
            ledger = None
        from generation.facts import Facts

        return Generation(
            models=models,
            facts=Facts.load(lambda: self.cars, s.realise_dir, load_cars(self.spec_config.cars)),
            prompts=PromptLibrary(s.prompts_dir),
            guard=Guard.from_folder(s.sensitive_words_dir, extra=s.sensitive_words),
            policies=s.guard_policies,
            callbacks=build_callbacks(s.callbacks, ledger=ledger, on_ledger_failure=self._unbilled),
            options=ChainOptions(
                k=s.generation_k,
                max_retries=s.generation_max_retries,
                grounding_policy=s.grounding_policy,
            ),
            llm_timeout=s.llm_timeout,
            llm_retries=s.llm_retries,
        )

    def close(self) -> None:
        """Let a lexical index repair finish, then close the SQLite stores this opened."""
        if self._follower is not None:
            self._follower.stop(REPAIR_WAIT_SECONDS)
        repair = self._repair
        if repair is not None:
            repair.join(REPAIR_WAIT_SECONDS)
        while self._closers:
            self._closers.pop()()
