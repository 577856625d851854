#!/usr/bin/env python3
"""Generates crates/tollgate-kustomize/data/patch-meta.json from
schemas/kubernetes/v1.37.json.gz: the strategic-merge metadata of the
built-in Kubernetes kinds (which lists merge, by which keys), compact.

Output:
  {"gvk": {"group/version/Kind": "def", ...},       # core group: "/v1/Kind"
   "defs": {"def": {"field": [ref, strategy, keys], ...}, ...}}
where `ref` is the definition of the field's value (for a list: of its
items; for a map with additionalProperties: of its values, field "*"),
or null; `strategy` is x-kubernetes-patch-strategy ("" when absent) and
`keys` the merge keys as kustomize's kyaml reads them
(x-kubernetes-list-map-keys when present, else [x-kubernetes-patch-merge-key]).
Only fields that lead to a list with a patch strategy are kept.

Run from the repository root: python3 scripts/gen-patch-meta.py
"""
import gzip
import json
import sys

SRC = "schemas/kubernetes/v1.37.json.gz"
OUT = "crates/tollgate-kustomize/data/patch-meta.json"
PREFIX = "#/$defs/"


def short(name):
    return name.removeprefix("io.k8s.api.").removeprefix("io.k8s.")


def ref_of(schema):
    if not isinstance(schema, dict):
        return None
    r = schema.get("$ref")
    if r and r.startswith(PREFIX):
        return r[len(PREFIX):]
    for comb in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(comb) or []:
            r = ref_of(sub)
            if r:
                return r
    return None


def main():
    defs = json.load(gzip.open(SRC))["$defs"]
    fields = {}  # def -> field -> (ref, strategy, keys)
    for name, schema in defs.items():
        out = {}
        for fname, prop in (schema.get("properties") or {}).items():
            strategy = prop.get("x-kubernetes-patch-strategy", "")
            keys = prop.get("x-kubernetes-list-map-keys")
            if keys is None:
                mk = prop.get("x-kubernetes-patch-merge-key")
                keys = [mk] if mk else []
            ref = ref_of(prop) or ref_of(prop.get("items"))
            if ref is None and isinstance(prop.get("additionalProperties"), dict):
                ap = prop["additionalProperties"]
                ref = ref_of(ap)
                if ref is not None:
                    # a map of objects: a pseudo-definition with one field "*"
                    pseudo = name + "#" + fname
                    fields[pseudo] = {"*": (ref, "", [])}
                    ref = pseudo
            out[fname] = (ref, strategy, keys)
        ap = schema.get("additionalProperties")
        if isinstance(ap, dict) and ref_of(ap):
            out["*"] = (ref_of(ap), "", [])
        fields[name] = out

    # keep only definitions from which a list with a strategy is reachable
    relevant = set()
    changed = True
    while changed:
        changed = False
        for name, fs in fields.items():
            if name in relevant:
                continue
            for ref, strategy, _ in fs.values():
                if strategy or (ref is not None and ref in relevant):
                    relevant.add(name)
                    changed = True
                    break

    out_defs = {}
    for name in sorted(relevant):
        kept = {}
        for fname, (ref, strategy, keys) in sorted(fields[name].items()):
            r = short(ref) if ref in relevant else None
            if strategy or r is not None:
                kept[fname] = [r, strategy, keys]
        out_defs[short(name)] = kept

    gvk = {}
    for name, schema in sorted(defs.items()):
        for g in schema.get("x-kubernetes-group-version-kind") or []:
            key = "%s/%s/%s" % (g.get("group", ""), g["version"], g["kind"])
            if name in relevant:
                gvk[key] = short(name)
    data = {"source": SRC, "gvk": gvk, "defs": out_defs}
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    print("%s: %d kinds, %d definitions" % (OUT, len(gvk), len(out_defs)), file=sys.stderr)


if __name__ == "__main__":
    main()
