"""OpenAI-compatible routes: `POST /v1/chat/completions`, `POST /v1/embeddings`, `GET /v1/models`.

Any OpenAI client (the `openai` SDK with `base_url="http://host:8000/v1"`, chat UIs) can use
specrag's models and index through them.

Chat completions: the last message must come from the user; it is answered from passages
retrieved for the conversation, like `POST /v1/chat`, but statelessly: the client sends the
history. `system` and `developer` messages are added to specrag's own instructions; earlier
`user` / `assistant` messages are kept, newest first, as far as the model's context window
allows (`memory.dropped_turns` names the rounds that did not fit). `model` names a model of
`data/models.toml` (its default when omitted). `max_tokens` / `max_completion_tokens` cap the
answer (at most a quarter of the context window); `temperature` is passed on; other OpenAI
parameters are accepted and ignored; `n` must be 1. specrag extensions in the body (the SDK's
`extra_body`): `k` (passages) and `filters` (as `/v1/query`).

The extra response fields: `citations` (`[{n, chunk_id, source, page, section, cited}]`, the
passages shown to the model; `cited` when the answer names them as [n]) and `memory` (the
turns kept and dropped, tokens per prompt part). With `stream: true` the answer comes as
`chat.completion.chunk` events: a first chunk with the role, one per piece of text, a last one
with `finish_reason` that also carries `citations` and `memory`, then, when
`stream_options.include_usage` is set, a chunk with empty `choices` and the `usage` (every other
chunk then has `usage: null`, as OpenAI does), then `data: [DONE]`. A failure after the stream
opened is sent as `data: {"error": {...}}` (the SDK raises it as an `APIError`).

Embeddings: the index's own embedding model (the same `Embedder` object that embeds chunks and
queries), so the vectors are those stored in Chroma for the same text. `input` is a string or a
list of strings (token arrays are refused: they would be ids of another tokenizer), each within
the model's input window (a longer one is a 422, not silently truncated); `encoding_format` is
`float` or `base64` (little-endian float32, the SDK's default).
"""
