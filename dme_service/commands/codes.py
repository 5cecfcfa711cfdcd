"""`dme-service codes build|search|info`: the compact ICD-10-CM index (coding/code_index.py).

`build` reads simple-icd-10-cm once (about 2 s) and writes the index the evaluate path
uses; the Makefile runs it at install. `search` tries the diagnosis picker's lookup.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    build = sub.add_parser("build", help="(re)build the index for the installed package")
    build.add_argument("--dir", help="index folder (default $DME_CODE_INDEX_DIR or ~/.cache)")
    search = sub.add_parser("search", help="search codes by prefix or words")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=20)
    sub.add_parser("info", help="where the index is and which package version it holds")


def run(args: argparse.Namespace) -> int:
    from dme_service.coding import code_index

    try:
        if args.action == "build":
            path = code_index.build_index(code_index.index_path(args.dir))
            print(f"ICD-10-CM index written: {path}")
        elif args.action == "search":
            from dme_service.rules.diagnosis_search import find_codes

            found = find_codes(args.query, args.limit)
            for row in found.results:
                print(json.dumps(row, ensure_ascii=False))
            if found.more:
                print(f"(more than {args.limit} codes match: add words)", file=sys.stderr)
        else:
            path = code_index.index_path()
            state = "present" if __import__("os").path.exists(path) else "missing"
            print(f"{path} ({state}; simple-icd-10-cm {code_index.package_version()})")
    except code_index.CodeIndexError as exc:
        print(f"dme-service codes: {exc}", file=sys.stderr)
        return 1
    return 0
