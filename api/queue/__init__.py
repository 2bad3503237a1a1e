"""The ingest queue (`SPECRAG_QUEUE_URL`): Celery on Redis carries one task per file from API
instances to `specrag worker` processes on any machine; jobs, their files' progress, uploaded
bytes and the workers' heartbeats live in the jobs database, so every instance sees the same.

    broker.py   the Celery app: acks late, reject on worker lost, visibility from the size limit
    store.py    the queue's rows in the jobs database
    jobs.py     the API side: plan a job into files, enqueue them, read a job's progress
    worker.py   the worker side: one file through `ingest.pipeline.Pipeline`, heartbeats
"""
