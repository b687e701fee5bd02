#!/usr/bin/env python3
"""Check that one layer's sources include only what the layer graph allows.

Run by meson for every layer (target layer-includes-DIR, built by default;
see docs/devel/layering.md):

    check-layering.py --root SRC --layer hw/pci --stamp OUT --depfile D \\
        util= qom=util hw/core=qom ... -- hw/pci/pci.c hw/pci/msi.c ...

Every "DIR=USES" argument is one layer and the layers it uses directly
(the graph in meson.build); a layer may include its own headers and those
of every layer it reaches through USES.  The script follows the quoted
#include lines of the given sources, and of every header of the tree they
reach, and checks each one against the layer that owns the including file.
It also checks every header the layer owns, included or not, and that each
source lives in the layer's directory.  On success it writes the stamp and
a depfile naming every file it read; on a violation it prints one line per
offending #include and exits 1, which fails the build.
"""

import argparse
import os
import re
import sys

# Who owns a header outside the layers' own directories, first match wins.
# A header of DIR/ (e.g. hw/i386/intel_iommu_internal.h) is DIR's.  None:
# anyone may include it (the kernel UAPI headers, written from the ABI).
HEADER_OWNERS = [
    ('linux-headers/', None),
    ('include/qemu/', 'util'),
    ('include/qapi/', 'util'),
    ('include/qom/', 'qom'),
    ('include/hw/core/', 'hw/core'),
    ('include/hw/qdev-core.h', 'hw/core'),
    ('include/hw/qdev-properties.h', 'hw/core'),
    ('include/hw/boards.h', 'hw/core'),
    ('include/hw/irq.h', 'hw/core'),
    ('include/hw/pci/', 'hw/pci'),
    ('include/hw/vfio/', 'hw/vfio'),
    ('include/hw/i386/', 'hw/i386'),
    ('include/hw/arm/', 'hw/arm'),
    # QEMU keeps the backends' headers in include/system/ too.
    ('include/system/iommufd.h', 'backends'),
    ('include/system/host_iommu_device.h', 'backends'),
    ('include/system/iommufd-eventq.h', 'backends'),
    ('include/system/', 'system'),
]

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
UNOWNED = '<unowned>'


class Graph:
    def __init__(self, specs):
        self.uses = {}
        for spec in specs:
            name, _, uses = spec.partition('=')
            self.uses[name] = [u for u in uses.split(',') if u]
        self._reach = {}

    def reach(self, layer):
        """The layers @layer may include from: itself and all it uses."""
        if layer not in self._reach:
            seen = {layer}
            todo = list(self.uses.get(layer, []))
            while todo:
                u = todo.pop()
                if u not in seen:
                    seen.add(u)
                    todo.extend(self.uses.get(u, []))
            self._reach[layer] = seen
        return self._reach[layer]

    def owner(self, rel):
        """Layer owning file @rel (relative to the root), None or UNOWNED."""
        for prefix, owner in HEADER_OWNERS:
            if rel == prefix or (prefix.endswith('/') and rel.startswith(prefix)):
                return owner
        best = None
        for layer in self.uses:
            if rel.startswith(layer + '/') and (not best or len(layer) > len(best)):
                best = layer
        return best if best else UNOWNED


class Checker:
    def __init__(self, root, graph):
        self.root = root
        self.graph = graph
        self.read = set()
        self.done = set()
        self.errors = []

    def resolve(self, includer, name):
        """Path of @name relative to the root, as the compiler finds it
        (the includer's directory, then -I. -Iinclude -Ilinux-headers),
        or None if it is not in the tree (generated, or a system header)."""
        for base in (os.path.dirname(includer), '', 'include', 'linux-headers'):
            rel = os.path.normpath(os.path.join(base, name))
            if os.path.isfile(os.path.join(self.root, rel)):
                return rel
        return None

    def check_file(self, rel):
        if rel in self.done:
            return
        self.done.add(rel)
        path = os.path.join(self.root, rel)
        self.read.add(path)
        layer = self.graph.owner(rel)
        with open(path, encoding='utf-8', errors='replace') as f:
            lines = f.readlines()
        for lineno, line in enumerate(lines, 1):
            m = INCLUDE_RE.match(line)
            if not m:
                continue
            target = self.resolve(rel, m.group(1))
            if target is None:
                continue
            owner = self.graph.owner(target)
            if owner is UNOWNED:
                self.errors.append(
                    f'{rel}:{lineno}: "{m.group(1)}" ({target}) belongs to no '
                    'layer: a layer may not include it (the simulator and the '
                    'tests are apart); a new header under include/ needs an '
                    'owner in scripts/check-layering.py')
                continue
            if owner is not None and layer not in (None, UNOWNED) and \
               owner not in self.graph.reach(layer):
                self.errors.append(
                    f'{rel}:{lineno}: layer {layer} may not include '
                    f'"{m.group(1)}" of layer {owner} (it may use: '
                    f'{", ".join(sorted(self.graph.reach(layer)))}; '
                    'see docs/devel/layering.md)')
            if owner is not None:
                self.check_file(target)

    def owned_headers(self, layer):
        """Every header of the tree that @layer owns."""
        for top in ('include', layer):
            for dirpath, _, files in os.walk(os.path.join(self.root, top)):
                for name in files:
                    if name.endswith('.h'):
                        rel = os.path.relpath(os.path.join(dirpath, name),
                                              self.root)
                        if self.graph.owner(rel) == layer:
                            yield rel


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--root', required=True)
    ap.add_argument('--layer', required=True)
    ap.add_argument('--stamp', required=True)
    ap.add_argument('--depfile')
    ap.add_argument('graph', nargs='*', help='DIR=USES,... for every layer')
    argv = sys.argv[1:]
    split = argv.index('--') if '--' in argv else len(argv)
    args = ap.parse_args(argv[:split])
    sources = argv[split + 1:]
    root = os.path.realpath(args.root)
    graph = Graph(args.graph)
    if args.layer not in graph.uses:
        sys.exit(f'check-layering: unknown layer {args.layer}')
    checker = Checker(root, graph)

    for src in sources:
        rel = os.path.relpath(os.path.realpath(src), root)
        owner = graph.owner(rel)
        if owner != args.layer:
            checker.errors.append(
                f'{rel}: built in layer {args.layer}, but it lives in '
                f'{os.path.dirname(rel)}/: add it to '
                f'{os.path.dirname(rel).replace("/", "_")}_ss in '
                f'{os.path.dirname(rel)}/meson.build')
            continue
        checker.check_file(rel)
    for rel in sorted(checker.owned_headers(args.layer)):
        checker.check_file(rel)

    if checker.errors:
        for e in checker.errors:
            print(e, file=sys.stderr)
        sys.exit(1)
    with open(args.stamp, 'w') as f:
        f.write('ok\n')
    if args.depfile:
        with open(args.depfile, 'w') as f:
            deps = ' '.join(sorted(p.replace(' ', '\\ ') for p in checker.read))
            f.write(f'{args.stamp}: {deps}\n')


if __name__ == '__main__':
    main()
