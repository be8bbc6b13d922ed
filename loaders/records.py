"""Frozen dataclass records built on the hot paths: spans, sentences and quantities."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


def record(cls: type[R], **values: object) -> R:
    """``cls(**values)`` for a frozen dataclass, built the way unpickling builds one (its fields put in
    its ``__dict__`` at once). The generated ``__init__`` sets each field through ``object.__setattr__``
    (the class's own refuses): a microsecond a record, and a report has tens of thousands of spans,
    sentences and quantities. Every field must be given, defaults too; no ``__post_init__`` runs. Only
    their number is checked here: comparing the names took a quarter of the time of a record, and every
    call in the loaders names its fields as keywords, which test_every_record_names_its_fields checks."""
    built = object.__new__(cls)
    if len(values) != len(cls.__dataclass_fields__):
        raise TypeError(f"{cls.__name__} needs exactly the fields {list(cls.__dataclass_fields__)}")
    built.__dict__.update(values)
    return built
