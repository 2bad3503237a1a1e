"""Car spec sheets: the cars a document is about and the facts it states, with evidence."""

from ingest.specs.extract import SpecConfig, extract_specs
from ingest.specs.model import CarRef, DocumentSpecs, Fact

__all__ = ["CarRef", "DocumentSpecs", "Fact", "SpecConfig", "extract_specs"]
