"""Parsing untrusted input: clear ValidationErrors, never anything else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from threadkit.errors import ValidationError
from threadkit.models import SortOrder, Submission
from threadkit.serialization import (
    MAX_CURSOR_LENGTH,
    MAX_ID,
    MAX_NESTING,
    parse_cursor,
    parse_form_submission,
    parse_id,
    parse_json_object,
    parse_sort,
    parse_submission,
    parse_vote,
    public_converter,
)

# Anything json.loads can return, plus huge integers and Python-only oddities.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**30, max_value=10**40)
    | st.floats()
    | st.text()
    | st.text(st.characters(categories=["Cs", "Cc", "Zl", "Mn", "So"]), max_size=4),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text() | st.sampled_from(["body", "\x00", "\ud800"]), inner, max_size=4
        )
    ),
    max_leaves=20,
)
submission_like = st.dictionaries(
    st.sampled_from(["body", "parent_id", "notify_replies", "honeypot", "other"]),
    json_values,
)


def attempt(call: Any, *args: Any) -> Any:
    """Return ``call``'s result, or the ValidationError it raised (anything else propagates)."""
    try:
        return call(*args)
    except ValidationError as error:
        return error


def error_of(call: Any, *args: Any) -> ValidationError:
    """Run ``call`` and return the ValidationError it must raise."""
    with pytest.raises(ValidationError) as info:
        call(*args)
    return info.value


# ---------------------------------------------------------------- parse_json_object


def test_json_object_decodes_a_plain_object() -> None:
    """A well-formed object comes back as a dict with its values."""
    expected = {"body": "Hi ☃", "parent_id": 7, "notify_replies": True, "x": [1.5, None]}
    assert expected == parse_json_object(json.dumps(expected).encode())


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        (b'{"body": "\xff"}', "invalid_utf8", "$"),
        (b'{"body": "a"', "invalid_json", "$"),
        (b"", "invalid_json", "$"),
        (b'{"a": NaN}', "invalid_json", "$"),
        (b'{"a": -Infinity}', "invalid_json", "$"),
        (b'{"a": 1e999}', "number_too_large", "$"),
        (b'{"a": ' + b"9" * 5000 + b"}", "number_too_large", "$"),
        (b'\xef\xbb\xbf{"a": 1}', "invalid_json", "$"),
        (b'{"a": 1} x', "invalid_json", "$"),
        (b"[1, 2]", "not_object", "$"),
        (b'"text"', "not_object", "$"),
        (b"null", "not_object", "$"),
        (b'{"body": "a\x00b"}', "nul_byte", "$"),
        (b'{"body": "a\\u0000b"}', "invalid_character", "$.body"),
        (b'{"body": "\\ud800"}', "invalid_character", "$.body"),
        (b'{"a": {"b\\u0000": 1}}', "invalid_character", "$.a"),
        (b'{"body": "a", "body": "b"}', "duplicate_key", "$"),
        (b'{"x": [1, {"k": 1, "k": 2}]}', "duplicate_key", "$.x[1]"),
        (b'{"a b": {"c": "\\u0000"}}', "invalid_character", '$["a b"].c'),
        (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "too_deep", "$"),
    ],
)
def test_json_object_refusals_name_code_and_field(raw: bytes, code: str, field: str) -> None:
    """Each kind of bad body has its own code and names where the fault is."""
    error = error_of(parse_json_object, raw)
    assert (code, field) == (error.code, error.field)


def test_json_object_limits_nesting_below_the_recursion_limit() -> None:
    """Nesting deeper than MAX_NESTING is refused with a path to the offending array."""
    raw = b'{"a": ' + b"[" * MAX_NESTING + b"]" * MAX_NESTING + b"}"
    error = error_of(parse_json_object, raw)
    assert ("too_deep", "$.a" + "[0]" * (MAX_NESTING - 1)) == (error.code, error.field)


def test_json_object_accepts_nesting_up_to_the_limit() -> None:
    """Nesting exactly MAX_NESTING deep (counting the top object) is accepted."""
    depth = MAX_NESTING - 1
    raw = b'{"a": ' + b"[" * depth + b"]" * depth + b"}"
    assert ["a"] == list(parse_json_object(raw))


def test_json_object_refuses_what_is_not_bytes() -> None:
    """A str (already decoded) is a programming error reported as invalid_json."""
    assert "invalid_json" == error_of(parse_json_object, '{"a": 1}').code


def test_json_object_message_says_where_the_syntax_error_is() -> None:
    """The invalid_json message gives line and column so a client author can fix it."""
    error = error_of(parse_json_object, b'{\n  "a": tru\n}')
    assert "line 2 column 8" in error.message


@given(st.binary(max_size=64))
def test_json_object_any_bytes_give_a_dict_or_a_validation_error(raw: bytes) -> None:
    """Arbitrary bytes either parse to a dict or raise ValidationError (nothing else)."""
    result = attempt(parse_json_object, raw)
    if isinstance(result, ValidationError):
        assert result.field is not None
    else:
        assert dict is type(result)


@given(json_values)
def test_json_object_any_json_document_gives_a_dict_or_a_validation_error(value: Any) -> None:
    """Any encodable JSON-like value parses to an equal dict or raises ValidationError."""
    raw = json.dumps(value).encode()
    result = attempt(parse_json_object, raw)
    if isinstance(result, ValidationError):
        assert result.code in {
            "not_object",
            "invalid_json",
            "invalid_character",
            "number_too_large",
        }
    else:
        assert json.loads(raw) == result


# ---------------------------------------------------------------- parse_submission


def test_submission_reads_every_field() -> None:
    """All four fields are read and unknown keys are ignored."""
    data = {"body": "Hi", "parent_id": 7, "notify_replies": True, "honeypot": "", "name": "x"}
    assert Submission("Hi", 7, "", True) == parse_submission(data)


def test_submission_defaults_optional_fields() -> None:
    """Only body is required; null parent_id and honeypot mean none."""
    expected = Submission("Hi", None, "", False)
    assert expected == parse_submission({"body": "Hi"})
    assert expected == parse_submission({"body": "Hi", "parent_id": None, "honeypot": None})


def test_submission_through_the_converter() -> None:
    """The public converter structures a Submission with the same parser."""
    assert Submission("Hi", 3) == public_converter.structure(
        {"body": "Hi", "parent_id": 3}, Submission
    )


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ([], "not_object", "$"),
        (None, "not_object", "$"),
        ("body", "not_object", "$"),
        ({}, "required", "body"),
        ({"parent_id": 3}, "required", "body"),
        ({"body": None}, "wrong_type", "body"),
        ({"body": ["a"]}, "wrong_type", "body"),
        ({"body": 12}, "wrong_type", "body"),
        ({"body": "  \n\t"}, "empty_body", "body"),
        ({"body": ""}, "empty_body", "body"),
        ({"body": "a\x00"}, "invalid_character", "body"),
        ({"body": "x", "parent_id": True}, "wrong_type", "parent_id"),
        ({"body": "x", "parent_id": 1.0}, "wrong_type", "parent_id"),
        ({"body": "x", "parent_id": "1"}, "wrong_type", "parent_id"),
        ({"body": "x", "parent_id": [1]}, "wrong_type", "parent_id"),
        ({"body": "x", "parent_id": 0}, "out_of_range", "parent_id"),
        ({"body": "x", "parent_id": -5}, "out_of_range", "parent_id"),
        ({"body": "x", "parent_id": MAX_ID + 1}, "out_of_range", "parent_id"),
        pytest.param({"body": "x", "parent_id": 10**5000}, "out_of_range", "parent_id", id="huge"),
        ({"body": "x", "notify_replies": 1}, "wrong_type", "notify_replies"),
        ({"body": "x", "notify_replies": None}, "wrong_type", "notify_replies"),
        ({"body": "x", "notify_replies": "true"}, "wrong_type", "notify_replies"),
        ({"body": "x", "honeypot": 0}, "wrong_type", "honeypot"),
        ({"body": "x", "honeypot": {"a": 1}}, "wrong_type", "honeypot"),
    ],
)
def test_submission_refusals_name_code_and_field(data: object, code: str, field: str) -> None:
    """Each malformed submission names the key at fault and why."""
    error = error_of(parse_submission, data)
    assert (code, field) == (error.code, error.field)


def test_submission_message_says_what_to_send() -> None:
    """A wrong type message names the expected and the received kind."""
    message = error_of(parse_submission, {"body": "x", "parent_id": "12"}).message
    assert '"parent_id" must be a comment id (an integer), not a string.' == message


def test_submission_accepts_the_largest_id() -> None:
    """MAX_ID is the largest accepted parent id (a signed 64-bit integer)."""
    assert MAX_ID == parse_submission({"body": "x", "parent_id": MAX_ID}).parent_id


@given(json_values | submission_like)
def test_submission_any_json_value_gives_a_submission_or_a_validation_error(data: Any) -> None:
    """Arbitrary JSON-like values never raise anything but ValidationError."""
    result = attempt(parse_submission, data)
    if isinstance(result, ValidationError):
        assert result.field in {"$", "body", "parent_id", "notify_replies", "honeypot"}
        assert result.message
    else:
        assert data["body"] == result.body


# ---------------------------------------------------------------- form submissions


def test_form_submission_reads_strings() -> None:
    """Form values are strings: digits for parent_id, a checkbox for notify_replies."""
    form = {"body": "Hi", "parent_id": " 42 ", "notify_replies": "on", "honeypot": ""}
    assert Submission("Hi", 42, "", True) == parse_form_submission(form)


def test_form_submission_empty_parent_and_no_checkbox() -> None:
    """An empty parent_id is top level and a missing checkbox is unchecked."""
    assert Submission("Hi") == parse_form_submission({"body": "Hi", "parent_id": ""})


@pytest.mark.parametrize(
    ("form", "code", "field"),
    [
        ({}, "required", "body"),
        ({"body": " "}, "empty_body", "body"),
        ({"body": "x", "parent_id": "4x"}, "wrong_type", "parent_id"),
        ({"body": "x", "parent_id": "-4"}, "wrong_type", "parent_id"),
        ({"body": "x", "parent_id": "1" * 30}, "wrong_type", "parent_id"),
        ({"body": "x", "parent_id": "0"}, "out_of_range", "parent_id"),
        ({"body": "x", "parent_id": "9" * 19}, "out_of_range", "parent_id"),
        ({"body": "x", "notify_replies": "maybe"}, "wrong_type", "notify_replies"),
        ({"body": "x", "honeypot": 3}, "wrong_type", "honeypot"),
    ],
)
def test_form_submission_refusals(form: dict[str, object], code: str, field: str) -> None:
    """Bad form values are refused with the form field's name."""
    error = error_of(parse_form_submission, form)
    assert (code, field) == (error.code, error.field)


@given(
    st.dictionaries(
        st.sampled_from(["body", "parent_id", "notify_replies", "honeypot"]), json_values
    )
)
def test_form_submission_any_values_give_a_submission_or_a_validation_error(data: Any) -> None:
    """Arbitrary values in a form mapping never raise anything but ValidationError."""
    result = attempt(parse_form_submission, data)
    if isinstance(result, ValidationError):
        assert result.field in {"body", "parent_id", "notify_replies", "honeypot"}
    else:
        assert data["body"] == result.body


# ---------------------------------------------------------------- small values


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("oldest", SortOrder.OLDEST),
        ("newest", SortOrder.NEWEST),
        ("top", SortOrder.TOP),
        ("", None),
        (None, None),
    ],
)
def test_sort_parses_each_order(value: object, expected: SortOrder | None) -> None:
    """Each sort value maps to its order; empty or missing means the default."""
    assert expected == parse_sort(value)


@pytest.mark.parametrize("value", ["Oldest", "best", " top", 1, True, ["top"], {"sort": "top"}])
def test_sort_refuses_other_values(value: object) -> None:
    """Anything but the three order names is refused, listing the choices."""
    error = error_of(parse_sort, value)
    assert ("invalid_sort", "sort") == (error.code, error.field)
    assert '"oldest", "newest", "top"' in error.message


def test_sort_through_the_converter_requires_a_value() -> None:
    """The converter's SortOrder hook parses names and refuses a missing one."""
    assert SortOrder.TOP == public_converter.structure("top", SortOrder)
    assert "required" == error_of(public_converter.structure, None, SortOrder).code


def test_cursor_passes_opaque_strings_through() -> None:
    """A printable ASCII cursor comes back unchanged; empty or missing means first page."""
    assert "eyJrIjoxfQ==|2026-01-01 00:00:00" == parse_cursor("eyJrIjoxfQ==|2026-01-01 00:00:00")
    assert (None, None) == (parse_cursor(None), parse_cursor(""))


@pytest.mark.parametrize(
    "value", [12, True, ["a"], "a\nb", "caf\u00e9", "x" * (MAX_CURSOR_LENGTH + 1)]
)
def test_cursor_refuses_what_no_store_makes(value: object) -> None:
    """Non-strings, control or non-ASCII characters and overlong cursors are refused."""
    error = error_of(parse_cursor, value)
    assert ("invalid_cursor", "cursor") == (error.code, error.field)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (-1, -1),
        (0, 0),
        ("up", 1),
        ("down", -1),
        ("none", 0),
        ("1", 1),
        ("+1", 1),
        ("-1", -1),
        ("0", 0),
    ],
)
def test_vote_parses_values_and_names(value: object, expected: int) -> None:
    """Votes are 1, -1, 0 as numbers, numeric strings or names."""
    assert expected == parse_vote(value)


@pytest.mark.parametrize(
    "value", [True, False, 2, -2, 1.0, None, "UP", "", [1], pytest.param(10**5000, id="huge")]
)
def test_vote_refuses_other_values(value: object) -> None:
    """Booleans, other numbers and other strings are not votes."""
    error = error_of(parse_vote, value)
    assert ("invalid_vote", "value") == (error.code, error.field)


def test_id_uses_the_given_field_name() -> None:
    """parse_id reports the caller's field name."""
    assert "comment_id" == error_of(lambda: parse_id("3", field="comment_id")).field


@given(json_values)
def test_small_parsers_raise_only_validation_errors(value: Any) -> None:
    """Sort, cursor, vote and id parsers accept or raise ValidationError for any JSON value."""
    for parse in (parse_sort, parse_cursor, parse_vote, parse_id):
        result = attempt(parse, value)
        if isinstance(result, ValidationError):
            assert result.field is not None
