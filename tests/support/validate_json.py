#!/usr/bin/env python3
# Validates JSON documents against sipl's JSON Schemas with an implementation independent of
# sipl (python3-jsonschema): validate_json.py SCHEMA.json DOC.json... Prints each violation
# (document, JSON path, message) and exits 1 when there is any.
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    doc = json.load(open(path))
    for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        bad += 1
        where = "/".join(str(p) for p in e.absolute_path)
        print(f"{path}: /{where}: {e.message}")
sys.exit(1 if bad else 0)
