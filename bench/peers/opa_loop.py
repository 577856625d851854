"""Peer of tollgate's built-in pack for bench/peers/run-peers.sh: a conftest-style loop
over the OPA Go engine (PyPI `opa-golib-python-bindings`, OPA's v1 `rego` package in a
c-shared library, called through ctypes).

    python opa_loop.py DIR POLICY_DIR     evaluate the pack, one JSON line on stdout
    python opa_loop.py --parse-only DIR   only read and parse (the PyYAML reference)
    python opa_loop.py --tests POLICY_DIR run the pack's own `test_*` rules on OPA
    python opa_loop.py --conftest DIR POLICY_DIR
                                          a user's conftest-style policy (package `main`):
                                          each deny*/violation*/warn* rule one query per
                                          document, as conftest queries them

What it does, as conftest does per file:
- PyYAML (`yaml.load_all`, with the libyaml `CSafeLoader` when PyYAML was built with it,
  else the pure-Python `SafeLoader`; the JSON line says which) loads every document of
  every *.yaml/*.yml/*.json file under DIR (hidden directories skipped);
- the pack's non-test .rego files are added to one engine once;
- for every document, each rule of the pack (`data.tollgate.kubernetes.<pkg>.warn` or
  `.deny`, whichever the package defines) is evaluated as its own query, as conftest
  queries each rule. The engine compiles each distinct query once and keeps the
  prepared query (the bindings' prepared-query cache), so only evaluation is repeated;
  the input document crosses the ctypes boundary as JSON on every query.
The violations are counted per rule id (the `id:` of the rule's METADATA).
"""

import json
import os
import re
import sys
import time

import yaml

try:
    LOADER = yaml.CSafeLoader
except AttributeError:  # PyYAML without libyaml
    LOADER = yaml.SafeLoader


def files_under(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml", ".json")) and not name.startswith("."):
                out.append(os.path.join(dirpath, name))
    return out


def documents(path):
    with open(path, "rb") as f:
        for doc in yaml.load_all(f, Loader=LOADER):
            if doc is not None:
                yield doc


def pack_rules(policy_dir):
    """[(rego path, source, query path, rule id)] for the non-test modules."""
    modules, rules = [], []
    for name in sorted(os.listdir(policy_dir)):
        if not name.endswith(".rego") or name.endswith("_test.rego"):
            continue
        path = os.path.join(policy_dir, name)
        with open(path, encoding="utf-8") as f:
            src = f.read()
        modules.append((path, src))
        pkg = re.search(r"^package\s+(\S+)", src, re.M).group(1)
        if not pkg.startswith("tollgate.kubernetes."):
            continue  # the helpers (tollgate.lib.kubernetes)
        m = re.search(r"^#\s+id:\s*(\S+)", src, re.M)
        rule_id = m.group(1) if m else pkg.rsplit(".", 1)[1].replace("_", "-")
        for kind in sorted(set(re.findall(r"^(warn|deny|violation)\b", src, re.M))):
            rules.append((f"{pkg}.{kind}", rule_id))
    return modules, rules


def main(argv):
    started = time.monotonic()
    if argv and argv[0] == "--parse-only":
        root = argv[1]
        files = docs = 0
        for path in files_under(root):
            files += 1
            for _ in documents(path):
                docs += 1
        print(json.dumps({"mode": "parse-only", "loader": LOADER.__name__, "pyyaml": yaml.__version__,
                          "files": files, "documents": docs,
                          "seconds": round(time.monotonic() - started, 3)}))
        return 0

    if argv and argv[0] == "--tests":
        return run_tests(argv[1])

    if argv and argv[0] == "--conftest":
        return run_conftest(argv[1], argv[2], started)

    root, policy_dir = argv[0], argv[1]
    from opa_bindings import OpaEngine  # noqa: E402 (only these modes need it)

    engine = OpaEngine()
    modules, rules = pack_rules(policy_dir)
    for path, src in modules:
        engine.add_policy(path, src)

    files = docs = queries = unserializable = 0
    by_rule = {rule_id: 0 for _, rule_id in rules}
    parse_seconds = eval_seconds = 0.0
    for path in files_under(root):
        files += 1
        t0 = time.monotonic()
        file_docs = list(documents(path))
        t1 = time.monotonic()
        parse_seconds += t1 - t0
        for doc in file_docs:
            docs += 1
            for query, rule_id in rules:
                queries += 1
                try:
                    result = engine.eval_document(query, doc)
                except TypeError:  # a YAML value JSON cannot carry (a timestamp, a set)
                    unserializable += 1
                    continue
                by_rule[rule_id] += len(result)
        eval_seconds += time.monotonic() - t1
    print(json.dumps({
        "mode": "pack", "loader": LOADER.__name__, "pyyaml": yaml.__version__,
        "files": files, "documents": docs, "rules": len(rules), "queries": queries,
        "violations": sum(by_rule.values()),
        "by_rule": {k: v for k, v in sorted(by_rule.items()) if v},
        "unserializable_queries": unserializable,
        "parse_seconds": round(parse_seconds, 3), "eval_seconds": round(eval_seconds, 3),
        "seconds": round(time.monotonic() - started, 3),
    }))
    return 0


def run_conftest(root, policy_dir, started):
    """conftest's loop over package `main`: every counted rule of every document."""
    from opa_bindings import OpaEngine

    engine = OpaEngine()
    rules = set()
    for name in sorted(os.listdir(policy_dir)):
        if not name.endswith(".rego") or name.endswith("_test.rego"):
            continue
        with open(os.path.join(policy_dir, name), encoding="utf-8") as f:
            src = f.read()
        engine.add_policy(os.path.join(policy_dir, name), src)
        if re.search(r"^package\s+main\s*$", src, re.M):
            rules |= set(re.findall(r"^((?:deny|violation|warn)(?:_[a-zA-Z0-9]+)*)\b", src, re.M))
    rules = sorted(rules)
    files = docs = queries = errors = 0
    by_rule = {r: 0 for r in rules}
    parse_seconds = eval_seconds = 0.0
    for path in files_under(root):
        files += 1
        t0 = time.monotonic()
        try:
            file_docs = list(documents(path))
        except yaml.YAMLError:
            file_docs = []  # conftest reports the file; tollgate a syntax finding
        t1 = time.monotonic()
        parse_seconds += t1 - t0
        for doc in file_docs:
            docs += 1
            for rule in rules:
                queries += 1
                try:
                    result = engine.eval_document(f"main.{rule}", doc)
                except Exception:  # a value JSON cannot carry, or a run-time error
                    errors += 1
                    continue
                by_rule[rule] += len(result) if isinstance(result, (list, dict)) else 1
        eval_seconds += time.monotonic() - t1
    print(json.dumps({
        "mode": "conftest", "loader": LOADER.__name__, "files": files, "documents": docs,
        "rules": rules, "queries": queries, "violations": sum(by_rule.values()),
        "by_rule": by_rule, "errors": errors,
        "parse_seconds": round(parse_seconds, 3), "eval_seconds": round(eval_seconds, 3),
        "seconds": round(time.monotonic() - started, 3),
    }))
    return 0


def run_tests(policy_dir):
    """The pack's unit tests (`*_test.rego`) on OPA: does OPA agree with the pack?"""
    from opa_bindings import OpaEngine, OpaUndefinedError

    engine = OpaEngine()
    tests = []
    for name in sorted(os.listdir(policy_dir)):
        if not name.endswith(".rego"):
            continue
        with open(os.path.join(policy_dir, name), encoding="utf-8") as f:
            src = f.read()
        engine.add_policy(os.path.join(policy_dir, name), src)
        if name.endswith("_test.rego"):
            pkg = re.search(r"^package\s+(\S+)", src, re.M).group(1)
            tests += [f"{pkg}.{t}" for t in sorted(set(re.findall(r"^(test_\w+)", src, re.M)))]
    failed = []
    for test in tests:
        try:
            ok = engine.eval_document(test) is True
        except OpaUndefinedError:
            ok = False
        if not ok:
            failed.append(test)
    print(json.dumps({"mode": "tests", "tests": len(tests), "passed": len(tests) - len(failed), "failed": failed}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
