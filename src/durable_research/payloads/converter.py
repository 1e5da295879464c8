"""The payload converter: Temporal's default JSON, with dataclass field types looked up once.

Temporal's JSON converter turns a decoded dict into a dataclass by asking
``typing.get_type_hints`` for its fields on every conversion. Under
``from __future__ import annotations`` every field type is a string that is compiled and
evaluated again each time: 30-130 us per dataclass here (``ReportInput``, with its
nested ones, is the costly end), paid for every workflow input, activity argument and
result, in the workflow task, the activity and the client alike. The field types of a
class never change, so :class:`DataclassFields` asks once per class and converts the
fields exactly as the default converter does. Encoding likewise: the default encoder
turns a dataclass into a dict with ``dataclasses.asdict``, which deep-copies every value
only for the copy to be serialised; :class:`DataclassEncoder` hands the encoder the
field values as they are. The JSON on the wire is the same (keys are sorted), so
histories written before or after read alike.

Also the app's data converter around it (:data:`APP_DATA_CONVERTER`; ``codec.py`` adds the
payload codec): failures with encrypted messages, and one converter per serialization
context. No ``cryptography`` here: the payload converter runs inside workflows.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import Any, Self, cast

from temporalio.api.failure.v1 import Failure
from temporalio.converter import (
    AdvancedJSONEncoder,
    CompositePayloadConverter,
    DataConverter,
    DefaultFailureConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
    JSONTypeConverter,
    JSONTypeConverterUnhandled,
    PayloadConverter,
    SerializationContext,
    value_to_type,
)

from durable_research.payloads.binding import UndecodablePayloadConverter

# The message of a failure whose real one travels encrypted (the SDK's wording).
ENCODED_FAILURE = "Encoded failure"
# The innermost part of a failure's stack trace kept in the history (see below).
STACK_TRACE_CHARS = 800

# Bounded: a fully sandboxed worker (the replay tests) re-imports the data types for
# every workflow run, so it brings new classes; the app's worker passes them through.
_CLASSES = 1024


@functools.lru_cache(maxsize=_CLASSES)
def _field_types(cls: type) -> tuple[tuple[str, Any, bool], ...]:
    """Name, type and whether ``__init__`` takes it, of each field of a dataclass."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name], f.init) for f in dataclasses.fields(cls))


@functools.lru_cache(maxsize=_CLASSES)
def _field_names(cls: type) -> tuple[str, ...]:
    """The field names of a dataclass (encoding needs no types: the sandbox may not be
    able to resolve them while a workflow sends a value)."""
    return tuple(f.name for f in dataclasses.fields(cls))


# JSON scalars that value_to_type returns unchanged when already of the field's type.
_PLAIN = (str, int, float, bool)


class DataclassFields(JSONTypeConverter):
    """Dataclasses from JSON dicts, with each class's field types resolved once.

    Same rules as the default converter: unknown keys are ignored, a missing required
    field fails in the class's ``__init__``, ``init=False`` fields are restored after it.
    """

    def to_typed_value(self, hint: type, value: Any) -> Any | None | JSONTypeConverterUnhandled:
        """Convert ``value`` to the dataclass ``hint``; anything else is left to the default."""
        if not (isinstance(hint, type) and dataclasses.is_dataclass(hint)):
            return JSONTypeConverter.Unhandled
        if not isinstance(value, dict):
            raise TypeError(f"Cannot convert to dataclass {hint}, value is {type(value)} not dict")
        init: dict[str, Any] = {}
        later: dict[str, Any] = {}
        for name, field_type, in_init in _field_types(hint):
            if name not in value:
                continue
            raw = value[name]
            if type(raw) is field_type and field_type in _PLAIN:  # what value_to_type returns
                (init if in_init else later)[name] = raw
                continue
            try:
                converted = value_to_type(field_type, raw, CUSTOM_TYPES)
            except Exception as err:
                raise TypeError(f"Failed converting field {name} on dataclass {hint}") from err
            (init if in_init else later)[name] = converted
        obj = hint(**init)
        for name, converted in later.items():
            object.__setattr__(obj, name, converted)
        return obj


CUSTOM_TYPES: list[JSONTypeConverter] = [DataclassFields()]


class DataclassEncoder(AdvancedJSONEncoder):
    """The default encoder, without ``asdict``'s deep copy: a dataclass becomes a dict of
    its field values, nested dataclasses come back here as the encoder meets them."""

    def default(self, o: Any) -> Any:
        """A dataclass instance as a dict of its fields; anything else as the default does."""
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            return {name: getattr(o, name) for name in _field_names(type(o))}
        return super().default(o)


class AppPayloadConverter(CompositePayloadConverter):
    """The default converters, the JSON one with :class:`DataclassEncoder` and
    :class:`DataclassFields`, and last (it never encodes) the one that raises the payload
    codec's reason for a payload it could not open (``binding.py``)."""

    def __init__(self) -> None:
        """Swap the default JSON converter for one with the cached field types."""
        super().__init__(*(
            JSONPlainPayloadConverter(encoder=DataclassEncoder,
                                      custom_type_converters=CUSTOM_TYPES)
            if isinstance(c, JSONPlainPayloadConverter) else c
            for c in DefaultPayloadConverter.default_encoding_payload_converters
        ), UndecodablePayloadConverter())


class EncodedMessageFailureConverter(DefaultFailureConverter):
    """Failures with their messages moved into an encoded payload, which the payload codec
    encrypts (the history says ``Encoded failure``; a client with the key reads them back),
    and their stack traces cut to their last :data:`STACK_TRACE_CHARS` characters.

    Messages name questions, paths and recipients. Stack traces hold code locations and
    source lines, no values: they stay readable. The server keeps at most 4 KB of a retried
    activity's last failure and replaces a larger one ("Failure exceeds size limit."),
    dropping what it cannot shorten, encrypted messages first: a rate-limited LLM call's two
    levels of traces through the SDK and litellm (3.3 KB) with its encrypted messages went
    over, and its type and message were lost (tests/e2e/reports/test_workflow.py, rate
    limit); cut to 800 characters a level, 2.5 KB was kept whole. The whole trace is in the
    worker's log.
    """

    def to_failure(self, exception: BaseException, payload_converter: PayloadConverter,
                   failure: Failure) -> None:
        """Convert as the default converter does, then encode each level's message."""
        super().to_failure(exception, payload_converter, failure)
        level: Failure | None = failure
        while level is not None:
            if level.message and not level.HasField("encoded_attributes"):
                level.encoded_attributes.CopyFrom(
                    payload_converter.to_payloads([{"message": level.message}])[0])
                level.message = ENCODED_FAILURE
            if len(level.stack_trace) > STACK_TRACE_CHARS:
                level.stack_trace = "  ...\n" + level.stack_trace[-STACK_TRACE_CHARS:]
            level = level.cause if level.HasField("cause") else None


# Converters remembered per serialization context (bounded; cleared when full).
_CONTEXTS = 1024


@dataclasses.dataclass(frozen=True)
class AppDataConverter(DataConverter):
    """Temporal's data converter, its :meth:`with_context` remembered per context.

    The SDK asks for the converter of a context on every visit of a payload: per workflow
    task, and three times per activity scheduled or resolved. With the payload codec bound
    to its workflow (``codec.py``) each answer is a new converter, whose construction
    builds a new payload converter: 22 us a call, measured, against 0.3 us remembered.
    """

    _contexts: dict[SerializationContext, DataConverter] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict)

    def with_context(self, context: SerializationContext) -> Self:
        """The converter for ``context`` (the same object for the same context)."""
        found = self._contexts.get(context)
        if found is None:
            found = super().with_context(context)
            if len(self._contexts) >= _CONTEXTS:
                self._contexts.clear()
            self._contexts[context] = found
        return cast(Self, found)


APP_DATA_CONVERTER = AppDataConverter(payload_converter_class=AppPayloadConverter)
