// Peer of `tollgate check --no-builtin` for bench/peers/run-peers.sh: read every
// YAML file under a directory, parse every document with js-yaml, and validate each
// document with the kubernetes-models class for its apiVersion/kind
// (`new Model(doc).validate()`, which runs the package's ajv-compiled schema code).
//
//   node k8s_models.mjs DIR        prints one JSON line of counts on stdout
//
// run-peers.sh copies this file next to its node_modules (bench/out/peers/node/),
// so the bare imports below resolve there. Single-threaded, as Node is.
// Models are imported lazily, once per apiVersion/kind (as a script that imports
// only what it meets would): `kubernetes-models/<group>/<version>/<Kind>`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAll } from "js-yaml";

const root = process.argv[2];
if (!root) {
    console.error("usage: node k8s_models.mjs DIR");
    process.exit(2);
}

// Files as tollgate discovers them in the generated corpora: *.yaml, *.yml, *.json,
// hidden directories (.git) skipped. Sorted for a stable order.
function walk(dir, out) {
    const entries = readdirSync(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
        if (e.name.startsWith(".")) continue;
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p, out);
        else if (e.isFile() && /\.(ya?ml|json)$/.test(e.name)) out.push(p);
    }
    return out;
}

const models = new Map(); // "apiVersion kind" -> class, or null when the package has none
async function modelFor(apiVersion, kind) {
    const key = `${apiVersion} ${kind}`;
    if (models.has(key)) return models.get(key);
    let cls = null;
    if (typeof apiVersion === "string" && typeof kind === "string" && /^[A-Za-z0-9]+$/.test(kind)) {
        try {
            const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
            const c = mod[kind];
            if (c && c.apiVersion === apiVersion && c.kind === kind) cls = c;
        } catch {
            cls = null; // no such model in the package (a CRD's kind, a typo)
        }
    }
    models.set(key, cls);
    return cls;
}

const counts = {
    files: 0,
    documents: 0, // non-empty documents parsed
    empty_documents: 0,
    files_unparsed: 0, // js-yaml threw: every document of the file is lost
    with_model: 0,
    valid: 0,
    invalid: 0,
    no_model: 0,
};
const noModelKinds = {};
const parseErrors = [];
const invalidSamples = [];

for (const file of walk(root, [])) {
    counts.files++;
    let docs;
    try {
        docs = loadAll(readFileSync(file, "utf8"));
    } catch (e) {
        counts.files_unparsed++;
        if (parseErrors.length < 5) parseErrors.push(`${file}: ${String(e.message).split("\n")[0]}`);
        continue;
    }
    for (const doc of docs) {
        if (doc === null || doc === undefined) {
            counts.empty_documents++;
            continue;
        }
        counts.documents++;
        const apiVersion = doc.apiVersion;
        const kind = doc.kind;
        const key = `${apiVersion} ${kind}`;
        const Model = models.has(key) ? models.get(key) : await modelFor(apiVersion, kind);
        if (!Model) {
            counts.no_model++;
            noModelKinds[key] = (noModelKinds[key] || 0) + 1;
            continue;
        }
        counts.with_model++;
        try {
            new Model(doc).validate();
            counts.valid++;
        } catch (e) {
            counts.invalid++;
            if (invalidSamples.length < 5) invalidSamples.push(`${file}: ${String(e.message).slice(0, 200)}`);
        }
    }
}

console.log(
    JSON.stringify({
        ...counts,
        models_loaded: [...models.values()].filter(Boolean).length,
        no_model_kinds: noModelKinds,
        parse_error_samples: parseErrors,
        invalid_samples: invalidSamples,
    }),
);
