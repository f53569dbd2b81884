#!/usr/bin/env python3
"""The layer check of src/ (docs/DESIGN.md, "Layers").

Reads every `use` path and every inline `crate::`/`super::`/`self::` path (and paths through a
module imported by `use`) of every file of the library under src/ (src/bin is a separate crate
that reaches the library as `edgepix::`), resolves re-exports to the module that defines the
name, and checks the file graph against scripts/layers.txt:

- no import cycle across more than 3 files, except a cycle wholly inside an `allow-cycle` prefix
  (a child's use of its own ancestors, the types its mod.rs holds, is not counted: a room's files
  may share their mod.rs; every other edge is);
- every import from a lower layer to a higher one listed in scripts/layers.txt as `upward FROM TO
  reason...`, at most 10 of them, and no listed one that no longer exists;
- no file over 800 lines, except those listed as `generated PATH`.

    python3 scripts/check_layers.py [--graph]     (--graph prints every edge)
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SRC = os.path.join(ROOT, "src")
MAX_LINES = 800
MAX_UPWARD = 10
MAX_CYCLE = 3


def module_files():
    """module path ('' for lib.rs, 'codecs::jpeg' for codecs/jpeg/mod.rs) -> file path."""
    out = {}
    for d, dirs, files in os.walk(SRC):
        dirs[:] = [x for x in dirs if not (d == SRC and x == "bin")]
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(d, f)
            parts = os.path.relpath(path, SRC)[:-3].split(os.sep)
            if parts[-1] in ("mod", "lib"):
                parts = parts[:-1]
            out["::".join(parts)] = path
    return out


def strip_comments_and_strings(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r'\bb?r(#+)"(?:.|\n)*?"\1', '""', text)
    text = re.sub(r'\bb?r"[^"]*"', '""', text)
    text = re.sub(r'b?"(?:\\.|[^"\\])*"', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\])'", "' '", text)
    return text


def expand_use_tree(tree):
    """'a::{b, c::{d as e}, self}' -> ['a::b', 'a::c::d as e', 'a::self']"""
    tree = " ".join(tree.split())
    brace = tree.find("{")
    if brace < 0:
        return [tree]
    prefix, inner = tree[:brace], tree[brace + 1 : tree.rfind("}")]
    parts, depth, cur = [], 0, ""
    for ch in inner:
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        if p.strip():
            out += expand_use_tree(prefix + p.strip())
    return out


class Crate:
    def __init__(self):
        self.files = module_files()
        self.modules = set(self.files)
        self.texts = {
            m: strip_comments_and_strings(open(p, encoding="utf-8").read())
            for m, p in self.files.items()
        }
        # (module, name) -> absolute path of what a `pub use` there re-exports
        self.reexports = {}
        for m, text in self.texts.items():
            for tree in re.findall(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);", text):
                for entry in expand_use_tree(tree):
                    path, alias = split_alias(entry)
                    absolute = self.absolute(m, path)
                    if absolute is None:
                        continue
                    name = alias or absolute.split("::")[-1]
                    if name not in ("self", "*"):
                        self.reexports[(m, name)] = absolute

    def absolute(self, module, path):
        """A use path as written in `module` -> an absolute path from the crate root, or None for
        another crate's path."""
        segs = [s for s in path.split("::") if s]
        if not segs:
            return None
        base = module.split("::") if module else []
        if segs[0] == "crate":
            segs = segs[1:]
        elif segs[0] == "self":
            segs = base + segs[1:]
        elif segs[0] == "super":
            cur = base
            while segs and segs[0] == "super":
                cur = cur[:-1]
                segs = segs[1:]
            segs = cur + segs
        elif "::".join(base + segs[:1]) in self.modules:
            # 2018 paths: a child module of the current one is in scope by name
            segs = base + segs
        else:
            return None
        return "::".join(segs)

    def resolve(self, absolute, depth=0):
        """An absolute path -> the module that defines what it names."""
        segs = absolute.split("::") if absolute else []
        for k in range(len(segs), -1, -1):
            m = "::".join(segs[:k])
            if m in self.modules:
                rest = segs[k:]
                if rest and (m, rest[0]) in self.reexports and depth < 8:
                    target = self.reexports[(m, rest[0])]
                    return self.resolve("::".join([target] + rest[1:]), depth + 1)
                return m
        return ""


def split_alias(entry):
    m = re.match(r"^(.*?)\s+as\s+(\w+)$", entry.strip())
    return (m.group(1).strip(), m.group(2)) if m else (entry.strip(), None)


def edges_of(crate, module):
    text = crate.texts[module]
    paths = []
    aliases = {}  # local name -> absolute module path, for modules imported by `use`
    for tree in re.findall(r"\buse\s+([^;]+);", text):
        for entry in expand_use_tree(tree):
            path, alias = split_alias(entry)
            if path.endswith("::self"):
                path = path[: -len("::self")]
            absolute = crate.absolute(module, path)
            if absolute is None or absolute.endswith("*"):
                if absolute is not None:
                    paths.append(absolute[:-1].rstrip(":"))
                continue
            paths.append(absolute)
            if absolute in crate.modules:
                aliases[alias or absolute.split("::")[-1]] = absolute
    ident = r"[A-Za-z_][A-Za-z0-9_]*"
    for m in re.finditer(rf"\b((?:crate|super|self)(?:::{ident})+)", text):
        absolute = crate.absolute(module, m.group(1))
        if absolute is not None:
            paths.append(absolute)
    for m in re.finditer(rf"(?<![:\w])({ident})((?:::{ident})+)", text):
        head = m.group(1)
        if head in aliases:
            paths.append(aliases[head] + m.group(2))
        elif head not in ("crate", "super", "self"):
            child = "::".join(([module] if module else []) + [head])
            if child in crate.modules:
                paths.append(child + m.group(2))
    out = set()
    for p in paths:
        target = crate.resolve(p)
        # a module's own items and the crate root's re-exports are not dependencies
        if target in ("", module) or target is None:
            continue
        # a child's use of its ancestors (the types its mod.rs holds) stays within one room
        if module.startswith(target + "::"):
            continue
        out.add(target)
    return out


def read_config(path):
    layers, upward, allow_cycle, generated = [], {}, [], set()
    for n, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        word, *rest = line.split()
        if word == "layer":
            layers.append(rest)
        elif word == "upward":
            if len(rest) < 3:
                sys.exit(f"{path}:{n}: 'upward FROM TO reason' needs a reason")
            upward[(rest[0], rest[1])] = " ".join(rest[2:])
        elif word == "allow-cycle":
            allow_cycle.append(rest[0])
        elif word == "generated":
            generated.add(rest[0])
        else:
            sys.exit(f"{path}:{n}: unknown line '{word}'")
    return layers, upward, allow_cycle, generated


def layer_of(module, layers):
    """The index of the layer whose longest prefix matches the module."""
    best, best_len = None, -1
    for i, prefixes in enumerate(layers):
        for p in prefixes:
            if module == p or module.startswith(p + "::"):
                if len(p) > best_len:
                    best, best_len = i, len(p)
    return best


def cycles(nodes, edges):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(100000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]


def main():
    crate = Crate()
    config = os.path.join(ROOT, "scripts", "layers.txt")
    layers, upward_ok, allow_cycle, generated = read_config(config)
    edges = {m: edges_of(crate, m) for m in crate.modules if m}
    # children reach their parent module through `super`; the root (lib.rs) is only re-exports
    problems = []
    if "--graph" in sys.argv:
        for m in sorted(edges):
            print(f"{m} -> {', '.join(sorted(edges[m]))}")

    def disp(m):
        return os.path.relpath(crate.files[m], ROOT)

    for comp in cycles(edges.keys(), edges):
        allowed = any(all(m == p or m.startswith(p + "::") for m in comp) for p in allow_cycle)
        label = "allowed " if allowed or len(comp) <= MAX_CYCLE else ""
        print(f"{label}cycle of {len(comp)} files: {' '.join(disp(m) for m in comp)}")
        if len(comp) > MAX_CYCLE and not allowed:
            problems.append(f"an import cycle across {len(comp)} files (more than {MAX_CYCLE})")

    unplaced = sorted(m for m in edges if layer_of(m, layers) is None)
    for m in unplaced:
        problems.append(f"{disp(m)}: module {m} is in no layer of scripts/layers.txt")
    found_upward = []
    for m in sorted(edges):
        lm = layer_of(m, layers)
        for t in sorted(edges[m]):
            lt = layer_of(t, layers)
            if lm is None or lt is None or lt <= lm:
                continue
            found_upward.append((m, t))
    listed = set(upward_ok)
    for m, t in found_upward:
        if (m, t) in listed:
            print(f"upward (listed): {m} -> {t}: {upward_ok[(m, t)]}")
        else:
            problems.append(f"upward import not listed in scripts/layers.txt: {m} -> {t}")
    for pair in sorted(listed - set(found_upward)):
        problems.append(f"scripts/layers.txt lists an upward import that no longer exists: {pair[0]} -> {pair[1]}")
    if len(found_upward) > MAX_UPWARD:
        problems.append(f"{len(found_upward)} upward imports (at most {MAX_UPWARD})")

    for m, path in sorted(crate.files.items()):
        rel = os.path.relpath(path, ROOT)
        n = sum(1 for _ in open(path, encoding="utf-8"))
        if n > MAX_LINES and rel not in generated:
            problems.append(f"{rel}: {n} lines (at most {MAX_LINES})")

    print(
        f"layers: {len(crate.modules)} modules, {sum(len(e) for e in edges.values())} imports, "
        f"{len(found_upward)} upward, {len(problems)} problems"
    )
    for p in problems:
        print(f"problem: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
