#!/usr/bin/env python3
"""stix_validate.py — check STIX 2.1 objects against the OASIS JSON schemas.

    stix_validate.py FILE [--schemas DIR]

FILE holds a bundle ({"type": "bundle", "objects": [...]}), a TAXII 2.1
envelope ({"objects": [...]}), a JSON array of objects or a single object.
Each object is checked against the schema its "type" names: sdos/TYPE.json,
sros/TYPE.json, observables/TYPE.json or common/marking-definition.json (and
common/bundle.json for the bundle itself). An object of a type no schema
describes (a custom object) is checked against common/core.json, or
common/cyber-observable-core.json when it carries no "created".

The schemas $ref each other by relative path under http://raw.githubusercontent
.com/... $id values: every file under DIR is loaded into a local registry keyed
by its $id, so nothing is ever fetched from the network.

Exit status: 0 every object is valid, 1 some are not (one line each on
stdout naming the object and the error), 2 usage or unreadable input.
"""
import json
import os
import sys

try:
    import jsonschema
except ImportError:  # the caller (a test) decides whether that means "skip"
    print("stix_validate: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(2)

DEFAULT_SCHEMAS = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "schemas",
    "stix2.1", "schemas")
FOLDERS = ("sdos", "sros", "observables", "common")


def usage(message):
    print("stix_validate: %s" % message, file=sys.stderr)
    print("usage: stix_validate.py FILE [--schemas DIR]", file=sys.stderr)
    sys.exit(2)


def load_schemas(root):
    """Every schema file under root, by its $id and by its path under root."""
    by_id, by_path = {}, {}
    for folder in FOLDERS:
        directory = os.path.join(root, folder)
        if not os.path.isdir(directory):
            continue
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                schema = json.load(f)
            by_path[folder + "/" + name] = schema
            if "$id" in schema:
                by_id[schema["$id"]] = schema
    if not by_path:
        usage("no schemas under %s" % root)
    return by_id, by_path


def make_validators(by_id):
    """A function schema -> validator resolving $refs from by_id only."""
    cls = jsonschema.Draft202012Validator
    try:  # jsonschema >= 4.18: the referencing library
        import referencing
        import referencing.jsonschema

        resources = [(uri, referencing.Resource.from_contents(
            schema, default_specification=referencing.jsonschema.DRAFT202012))
            for uri, schema in by_id.items()]
        registry = referencing.Registry().with_resources(resources)

        def make(schema):
            return cls(schema, registry=registry)
    except ImportError:  # older jsonschema (Debian 12's 4.10.3): RefResolver with a store
        def make(schema):
            resolver = jsonschema.RefResolver(schema.get("$id", ""), schema, store=dict(by_id))
            return cls(schema, resolver=resolver)
    return make


def schema_for(obj, by_path):
    kind = obj.get("type")
    if kind == "marking-definition":
        return by_path.get("common/marking-definition.json")
    if kind == "bundle":
        return by_path.get("common/bundle.json")
    if kind == "extension-definition":
        return by_path.get("common/extension-definition.json")
    if kind == "language-content":
        return by_path.get("common/language-content.json")
    for folder in ("sdos", "sros", "observables"):
        schema = by_path.get("%s/%s.json" % (folder, kind))
        if schema is not None:
            return schema
    if "created" in obj:
        return by_path.get("common/core.json")
    return by_path.get("common/cyber-observable-core.json")


def objects_of(document):
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and document.get("type") != "bundle" and "objects" in document \
            and "type" not in document:
        return document["objects"]  # a TAXII 2.1 envelope
    if isinstance(document, dict) and document.get("type") == "bundle":
        return [document] + list(document.get("objects") or [])
    return [document]


def main(argv):
    path, root = None, DEFAULT_SCHEMAS
    i = 1
    while i < len(argv):
        if argv[i] == "--schemas" and i + 1 < len(argv):
            root = argv[i + 1]
            i += 2
        elif argv[i].startswith("-"):
            usage("unknown option %s" % argv[i])
        elif path is None:
            path = argv[i]
            i += 1
        else:
            usage("one FILE only")
    if path is None:
        usage("FILE is required")
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except (OSError, ValueError) as e:
        usage("cannot read %s: %s" % (path, e))
    by_id, by_path = load_schemas(root)
    make = make_validators(by_id)
    validators = {}
    bad = 0
    objects = objects_of(document)
    if not isinstance(objects, list):
        print("%s: \"objects\" is not an array" % path)
        return 1
    for n, obj in enumerate(objects):
        name = "object %d" % n
        if isinstance(obj, dict):
            name = "%s (object %d)" % (obj.get("id", obj.get("type", "?")), n)
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
            print("%s: not an object with a \"type\"" % name)
            bad += 1
            continue
        schema = schema_for(obj, by_path)
        key = id(schema)
        if key not in validators:
            validators[key] = make(schema)
        if obj.get("type") == "bundle":  # its objects are checked one by one below
            obj = dict(obj, objects=[])
            obj.pop("objects")
        errors = sorted(validators[key].iter_errors(obj), key=lambda e: list(e.absolute_path))
        if errors:
            bad += 1
            e = errors[0]
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print("%s: %s at %s: %s" % (name, obj.get("type"), where, e.message[:300]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
