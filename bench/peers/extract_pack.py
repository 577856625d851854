"""Write out the built-in Rego pack embedded in a tollgate binary (stdlib only).

    python3 extract_pack.py TOLLGATE OUT_DIR

So that the OPA loop of run-peers.sh evaluates exactly the rules the timed binary runs,
whatever policies/kubernetes/ holds in the working tree at the moment. The binary keeps
each file as its path (`policies/kubernetes/NAME.rego`) followed by its text, one file
after the other; the last file ends where other string data begins (cut after its
last closing brace). Prints the number of files written; exits 1 when it finds none.
"""

import os
import re
import sys

MARK = re.compile(rb"policies/kubernetes/([A-Za-z0-9_-]+\.rego)")


def main(binary, out_dir):
    data = open(binary, "rb").read()
    marks = list(MARK.finditer(data))
    # The pack is the run of markers whose text starts with a comment or `package`.
    files = {}
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(data)
        text = data[m.end():end]
        if not (text.startswith(b"#") or text.startswith(b"package")):
            continue
        if k + 1 == len(marks) or end - m.end() > 200_000:
            # The last file: up to the first non-text byte, then back to its last "}\n".
            stop = re.search(rb"[^\t\n\r\x20-\x7e\x80-\xff]|\xc3 \x00", text)
            text = text[: stop.start() if stop else len(text)]
            text = text[: text.rindex(b"\n}\n") + 3]
        try:
            files[m.group(1).decode()] = text.decode("utf-8")
        except UnicodeDecodeError:
            continue
    if not files or not any("package tollgate.lib." in t for t in files.values()):
        print("extract_pack.py: no built-in pack found in " + binary, file=sys.stderr)
        return 1
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):
        if name.endswith(".rego"):
            os.remove(os.path.join(out_dir, name))
    for name, text in sorted(files.items()):
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
    print(len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
