#!/usr/bin/env python3
"""Print which layer calls which, from the layer libraries of a build.

    scripts/layer-symbols.py [-v] BUILD

For every pair of layers it prints how many symbols one takes from the
other (with -v, which ones and from which object), as measured with nm on
BUILD/lib*.a.  This is the graph the code has; meson.build declares the one
it may have (docs/devel/layering.md), and the layer-link-* executables fail
the build when the two disagree.
"""

import glob
import os
import subprocess
import sys
from collections import defaultdict

LIBS = {
    'libqemuutil.a': 'util', 'libqom.a': 'qom', 'libhw_core.a': 'hw/core',
    'libsystem.a': 'system', 'libhw_pci.a': 'hw/pci',
    'libbackends.a': 'backends', 'libhw_vfio.a': 'hw/vfio',
    'libhw_i386.a': 'hw/i386', 'libhw_arm.a': 'hw/arm',
}


def nm(lib):
    """(object, kind, symbol) of every global symbol of @lib."""
    out = subprocess.run(['nm', '-A', lib], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        where, _, rest = line.rpartition(': ')
        parts = rest.split()
        if len(parts) == 3:
            yield where.split(':')[-1], parts[1], parts[2]
        elif len(parts) == 2:
            yield where.split(':')[-1], parts[0], parts[1]


def main():
    args = [a for a in sys.argv[1:] if a != '-v']
    verbose = '-v' in sys.argv[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    defined = {}
    wanted = []
    for lib in sorted(glob.glob(os.path.join(args[0], 'lib*.a'))):
        layer = LIBS.get(os.path.basename(lib))
        if not layer:
            continue
        for obj, kind, sym in nm(lib):
            if kind == 'U':
                wanted.append((layer, obj, sym))
            elif kind in 'TDBRCV':
                defined[sym] = layer
    edges = defaultdict(set)
    for layer, obj, sym in wanted:
        owner = defined.get(sym)
        if owner and owner != layer:
            edges[(layer, owner)].add((obj, sym))
    for (user, owner), syms in sorted(edges.items()):
        print(f'{user} -> {owner}: {len(syms)}')
        if verbose:
            for obj, sym in sorted(syms):
                print(f'    {obj}: {sym}')


if __name__ == '__main__':
    main()
