#!/usr/bin/env python3
"""Checks openapi.yaml: a valid OpenAPI 3.1 document whose examples cannot drift from its schemas.

1. openapi-spec-validator validates the document.
2. Every example is validated against its own schema with jsonschema (Draft 2020-12):
   media-type `example` / `examples[*].value` against the media type's `schema`, a schema's own
   `examples` (a list) and `example` against that schema, and every `default` against the schema
   it sits in. `$ref`s resolve inside the document.
3. The names the code relies on are all there: the operationIds (= route names) and the
   components/schemas names (= Swift wire type names).

Usage: python3 scripts/check_openapi.py [path/to/openapi.yaml]     (needs PyYAML,
openapi-spec-validator, jsonschema; `pip install openapi-spec-validator` brings the last two)
Exits non-zero on the first kind of failure, after listing every failure of that kind.
"""
import sys
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

EXPECTED_OPERATIONS = {"forward", "gradients", "step", "explain", "init", "healthz", "openapi", "metrics",
                       "playground", "playgroundFile", "katex", "katexFont"}
EXPECTED_SCHEMAS = {
    "Network", "Layer", "Matrix", "Vector", "Activation", "Loss", "Reduction",
    "ForwardRequest", "GradientsRequest", "StepRequest", "ExplainRequest", "InitRequest",
    "ForwardResponse", "GradientsResponse", "StepResponse", "ExplainResponse", "InitResponse",
    "LayerForward", "LayerGradients", "Health", "Problem", "ProblemFieldError",
    "Optimizer", "OptimizerState", "Regularization", "ValidationSet",
}
BASE = "urn:backprop:openapi"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def escape(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(path):
    return "".join("/" + escape(p) for p in path)


def resolve(doc, node):
    """Follows a local `$ref` (Example / Response objects) to its target."""
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
        target = doc
        for token in node["$ref"][2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


class Checker:
    def __init__(self, doc):
        self.doc = doc
        self.registry = Registry().with_resource(BASE, Resource(contents=doc, specification=DRAFT202012))
        self.failures = []
        self.checked = 0

    def validate(self, instance, schema_path, where):
        """Validates `instance` against the schema at `schema_path` (a list of tokens) in the doc."""
        schema = {"$ref": f"{BASE}#{pointer(schema_path)}"}
        validator = Draft202012Validator(schema, registry=self.registry, format_checker=FormatChecker())
        self.checked += 1
        for error in validator.iter_errors(instance):
            at = "/".join(str(p) for p in error.absolute_path)
            self.failures.append(f"{where}: at '{at}': {error.message[:300]}")

    def walk(self, node, path, in_schema):
        """Visits every object; `in_schema` says whether `node` sits where a Schema Object goes."""
        if isinstance(node, list):
            for i, item in enumerate(node):
                self.walk(item, path + [i], in_schema)
            return
        if not isinstance(node, dict):
            return
        where = pointer(path) or "/"
        if in_schema:
            if isinstance(node.get("examples"), list):
                for i, example in enumerate(node["examples"]):
                    self.validate(example, path, f"{where}/examples/{i}")
            if "example" in node:
                self.validate(node["example"], path, f"{where}/example")
            if "default" in node:
                self.validate(node["default"], path, f"{where}/default")
        elif "schema" in node:  # a Media Type, Parameter or Header object
            if "example" in node:
                self.validate(node["example"], path + ["schema"], f"{where}/example")
            if isinstance(node.get("examples"), dict):
                for name, example in node["examples"].items():
                    example = resolve(self.doc, example)
                    if "value" in example:
                        self.validate(example["value"], path + ["schema"], f"{where}/examples/{name}")
        for key, child in node.items():
            if in_schema:
                # Inside a schema: which members hold subschemas, and in what shape.
                if key in ("properties", "patternProperties", "$defs", "dependentSchemas"):
                    for name, sub in child.items():
                        self.walk(sub, path + [key, name], True)
                elif key in ("items", "additionalProperties", "not", "if", "then", "else",
                             "contains", "propertyNames", "unevaluatedItems",
                             "unevaluatedProperties"):
                    self.walk(child, path + [key], True)
                elif key in ("allOf", "anyOf", "oneOf", "prefixItems"):
                    self.walk(child, path + [key], True)
                # examples / example / default / enum / const hold data, not schemas: skip.
            elif key == "schema":
                self.walk(child, path + [key], True)
            elif key == "schemas" and path == ["components"]:
                for name, sub in child.items():
                    self.walk(sub, path + [key, name], True)
            elif key in ("example", "examples") or key == "value" and "examples" in path:
                continue
            else:
                self.walk(child, path + [key], False)


def main():
    spec_path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "openapi.yaml")
    doc = yaml.safe_load(spec_path.read_text(encoding="utf-8"))

    try:
        validate_spec(doc)
    except Exception as error:  # OpenAPIValidationError and friends: say what, then fail
        print(f"FAIL: {spec_path.name} is not a valid OpenAPI document: {str(error)[:2000]}")
        return 1
    print(f"ok: {spec_path.name} is a valid OpenAPI {doc['openapi']} document")

    operations = {
        op["operationId"]
        for item in doc["paths"].values()
        for method, op in item.items()
        if method in HTTP_METHODS
    }
    schemas = set(doc["components"]["schemas"])
    problems = []
    if operations != EXPECTED_OPERATIONS:
        problems.append(f"operationIds: missing {sorted(EXPECTED_OPERATIONS - operations)}, "
                        f"unexpected {sorted(operations - EXPECTED_OPERATIONS)}")
    if schemas != EXPECTED_SCHEMAS:
        problems.append(f"schemas: missing {sorted(EXPECTED_SCHEMAS - schemas)}, "
                        f"unexpected {sorted(schemas - EXPECTED_SCHEMAS)}")
    if problems:
        print("FAIL: " + "\n      ".join(problems))
        return 1
    print(f"ok: {len(operations)} operationIds and {len(schemas)} schema names as the code expects")

    checker = Checker(doc)
    checker.walk(doc, [], False)
    if checker.failures:
        print(f"FAIL: {len(checker.failures)} example(s) do not match their schema:")
        for failure in checker.failures:
            print("  " + failure)
        return 1
    print(f"ok: {checker.checked} examples and defaults match their schemas (Draft 2020-12)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
