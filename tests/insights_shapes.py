"""Requests and responses checked against botocore's CloudWatch Logs service model.

The stand-in checks every request it answers with ``request_errors`` (answering
InvalidParameterException, as moto does for the same constraints) and every answer it sends with
``response_errors``/``exception_errors``, so it cannot drift from the real API's shapes.
"""
from __future__ import annotations

from functools import lru_cache

import botocore.session


@lru_cache(maxsize=1)
def service_model():
    return botocore.session.get_session().get_service_model("logs")


def shape_errors(shape, value, path: str, *, constraints: bool = False) -> list[str]:
    """Where ``value`` departs from ``shape``: member names and types, plus (with ``constraints``)
    required members, enums and min/max, the checks a request gets."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        errors = [f"{path}.{name}: not a member of {shape.name}" for name in value if name not in shape.members]
        if constraints:
            errors += [f"{path}.{name}: required" for name in shape.required_members if name not in value]
        for name, item in value.items():
            if name in shape.members:
                errors += shape_errors(shape.members[name], item, f"{path}.{name}", constraints=constraints)
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        errors = _range_errors(shape, len(value), path, "length") if constraints else []
        for index, item in enumerate(value):
            errors += shape_errors(shape.member, item, f"{path}[{index}]", constraints=constraints)
        return errors
    expected = {"string": str, "boolean": bool, "integer": int, "long": int, "double": (int, float),
                "float": (int, float)}.get(kind)
    if expected is None:
        return [f"{path}: the stand-in does not use {kind} members"]
    if not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool)):
        return [f"{path}: expected {kind}, got {type(value).__name__}"]
    if kind == "string":
        if shape.enum and value not in shape.enum:
            return [f"{path}: {value!r} is not one of {shape.enum}"]
        return _range_errors(shape, len(value), path, "length") if constraints else []
    return _range_errors(shape, value, path, "value") if constraints and kind != "boolean" else []


def _range_errors(shape, size, path: str, what: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        return [f"{path}: {what} {size} is less than {low}"]
    if high is not None and size > high:
        return [f"{path}: {what} {size} is more than {high}"]
    return []


def request_errors(operation: str, body) -> list[str]:
    shape = service_model().operation_model(operation).input_shape
    return shape_errors(shape, body, operation, constraints=True)


def response_errors(operation: str, body) -> list[str]:
    shape = service_model().operation_model(operation).output_shape
    return shape_errors(shape, body, operation)


def exception_errors(operation: str, body) -> list[str]:
    """An error answer: ``__type`` names an error the operation declares, ``message`` is a string
    (the JSON protocol's generic members), the rest are the error shape's members."""
    declared = {shape.name: shape for shape in service_model().operation_model(operation).error_shapes}
    if not isinstance(body, dict) or body.get("__type") not in declared:
        return [f"{operation}: error {body!r} is not one the operation declares ({sorted(declared)})"]
    members = {name: value for name, value in body.items() if name not in ("__type", "message")}
    errors = [] if isinstance(body.get("message"), str) else [f"{operation}: message must be a string"]
    return errors + shape_errors(declared[body["__type"]], members, body["__type"])
