"""Reads ws1011's reports the way their consumers do, for Tests/InteropTests/ReportConsumersInteropTests.

    report_readers.py json SCHEMA_DIR FILE...   validate each JSON file against the schema its `schema`
                                                field names (schemas/ws1011.report-1.schema.json, ...) with
                                                `jsonschema`; check every `...Ms` number has at most one
                                                decimal. Prints one line per file; exit 1 on any error.
    report_readers.py junit FILE...             read each JUnit file with `junitparser`; print one JSON
                                                object per file: suites and cases as junitparser sees them.
    report_readers.py png-colors PNG RRGGBB...  which of the colours appear in the screenshot (a pure
                                                zlib PNG decoder: 8-bit RGB/RGBA, any filter).
"""
import json
import os
import struct
import sys
import zlib


def check_json(schema_dir, files):
    import jsonschema

    schemas = {}
    for name in os.listdir(schema_dir):
        if name.endswith(".schema.json"):
            with open(os.path.join(schema_dir, name)) as f:
                schema = json.load(f)
            jsonschema.Draft202012Validator.check_schema(schema)
            schemas[schema["title"]] = schema
    errors = 0
    for path in files:
        with open(path) as f:
            document = json.load(f)
        schema = schemas.get(document.get("schema") if isinstance(document, dict) else None)
        if schema is None:
            print(f"FAIL {path}: no checked-in schema for {document.get('schema')!r}")
            errors += 1
            continue
        validator = jsonschema.Draft202012Validator(schema)
        problems = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(document)]
        problems += unrounded(document, "")
        if problems:
            errors += 1
            print(f"FAIL {path}: " + "; ".join(problems[:10]))
        else:
            print(f"ok {path} ({schema['title']})")
    return 1 if errors else 0


def unrounded(value, where):
    """Milliseconds are written to 0.1 ms: `12.3`, never `12.300000000000001`."""
    out = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("Ms") and isinstance(item, float) and round(item, 1) != item:
                out.append(f"{where}/{key}: {item!r} is not rounded to 0.1 ms")
            out += unrounded(item, f"{where}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += unrounded(item, f"{where}/{index}")
    return out


def read_junit(files):
    from junitparser import JUnitXml, Failure, Skipped, Error

    for path in files:
        xml = JUnitXml.fromfile(path)
        suites = []
        for suite in xml:
            cases = []
            for case in suite:
                result = "passed"
                message = None
                for r in case.result:
                    if isinstance(r, Failure):
                        result, message = "failure", r.message
                    elif isinstance(r, Error):
                        result, message = "error", r.message
                    elif isinstance(r, Skipped):
                        result, message = "skipped", r.message
                cases.append({"classname": case.classname, "name": case.name, "result": result, "message": message,
                              "time": case.time, "text": (case.result[0].text if case.result else case.system_out) or ""})
            suites.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                           "errors": suite.errors, "skipped": suite.skipped, "cases": cases})
        print(json.dumps({"file": path, "suites": suites}))
    return 0


def png_pixels(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, f"unsupported PNG (depth {depth}, colour {color})"
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytearray(stride)
    colours = set()
    for row in range(height):
        start = row * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        for i in range(0, stride, bpp):
            colours.add((line[i], line[i + 1], line[i + 2]))
        previous = line
    return colours


def png_colours(path, wanted):
    colours = png_pixels(path)
    for hex_colour in wanted:
        rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
        print(f"{hex_colour} {'present' if rgb in colours else 'absent'}")
    return 0


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "json":
        sys.exit(check_json(args[0], args[1:]))
    if mode == "junit":
        sys.exit(read_junit(args))
    if mode == "png-colors":
        sys.exit(png_colours(args[0], args[1:]))
    sys.exit(f"unknown mode {mode!r}")
