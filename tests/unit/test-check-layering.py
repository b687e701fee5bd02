#!/usr/bin/env python3
"""Unit test of scripts/check-layering.py (TAP, suite 'unit').

Builds small trees in a temporary directory and runs the checker on them:
what the layer graph allows passes, and each kind of violation fails the
check with a message naming the file and line.
"""

import os
import shutil
import subprocess
import sys
import tempfile

CHECKER = sys.argv[1]
GRAPH = ['util=', 'qom=util', 'hw/core=qom', 'system=hw/core',
         'hw/pci=system', 'backends=hw/core', 'hw/i386=hw/pci,backends']

results = []
roots = []


def tree(files):
    root = tempfile.mkdtemp(prefix='check-layering-')
    roots.append(root)
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)
    return root


def run(root, layer, sources):
    stamp = os.path.join(root, 'stamp')
    p = subprocess.run([sys.executable, CHECKER, '--root', root,
                        '--layer', layer, '--stamp', stamp] + GRAPH +
                       ['--'] + [os.path.join(root, s) for s in sources],
                       capture_output=True, text=True)
    return p.returncode, p.stderr, os.path.exists(stamp)


def case(name, ok):
    results.append((name, ok))


BASE = {
    'include/qemu/osdep.h': '',
    'include/qom/object.h': '#include "qemu/osdep.h"\n',
    'include/hw/qdev-core.h': '#include "qom/object.h"\n',
    'include/hw/pci/pci.h': '#include "hw/qdev-core.h"\n'
                            '#include "system/memory.h"\n',
    'include/system/memory.h': '#include "qom/object.h"\n',
    'include/system/iommufd.h': '#include "qom/object.h"\n',
    'linux-headers/linux/iommufd.h': '',
}

# Allowed includes, through headers of several layers, pass.
root = tree(dict(BASE, **{
    'hw/i386/x.c': '#include "qemu/osdep.h"\n#include "hw/pci/pci.h"\n'
                   '#include "system/iommufd.h"\n#include "local.h"\n'
                   '#include <linux/iommufd.h>\n#include "linux/iommufd.h"\n',
    'hw/i386/local.h': '#include "hw/pci/pci.h"\n',
}))
rc, err, stamp = run(root, 'hw/i386', ['hw/i386/x.c'])
case('allowed includes pass and write the stamp', rc == 0 and stamp and not err)

# A direct include of a layer above fails, naming file and line.
root = tree(dict(BASE, **{
    'qom/object.c': '#include "qemu/osdep.h"\n#include "hw/qdev-core.h"\n',
}))
rc, err, stamp = run(root, 'qom', ['qom/object.c'])
case('an upward include fails', rc == 1 and not stamp and
     'qom/object.c:2: layer qom may not include "hw/qdev-core.h" of layer '
     'hw/core' in err)

# An include of a sibling layer (not used) fails.
root = tree(dict(BASE, **{
    'backends/b.c': '#include "hw/pci/pci.h"\n',
}))
rc, err, _ = run(root, 'backends', ['backends/b.c'])
case('a sibling include fails', rc == 1 and
     'layer backends may not include "hw/pci/pci.h" of layer hw/pci' in err)

# A violation inside a header of a lower layer fails, reached or not.
root = tree(dict(BASE, **{
    'include/hw/boards.h': '#include "system/memory.h"\n',
    'hw/core/m.c': '#include "hw/qdev-core.h"\n',
}))
rc, err, _ = run(root, 'hw/core', ['hw/core/m.c'])
case('a header of the layer that includes upwards fails', rc == 1 and
     'include/hw/boards.h:1: layer hw/core may not include "system/memory.h"'
     in err)

# A source listed in the wrong layer fails, saying where it belongs.
root = tree(dict(BASE, **{'hw/i386/q35.c': '\n'}))
rc, err, _ = run(root, 'system', ['hw/i386/q35.c'])
case('a source in another directory\'s list fails', rc == 1 and
     'add it to hw_i386_ss in hw/i386/meson.build' in err)

# Headers of no layer (tests, the simulator) may not be included.
root = tree(dict(BASE, **{
    'contrib/iommufd-sim/iommufd-sim.h': '',
    'hw/i386/s.c': '#include "contrib/iommufd-sim/iommufd-sim.h"\n',
}))
rc, err, _ = run(root, 'hw/i386', ['hw/i386/s.c'])
case('a header of no layer fails', rc == 1 and 'belongs to no layer' in err)

# A new directory under include/ needs an owner.
root = tree(dict(BASE, **{
    'include/hw/misc/thing.h': '',
    'hw/i386/t.c': '#include "hw/misc/thing.h"\n',
}))
rc, err, _ = run(root, 'hw/i386', ['hw/i386/t.c'])
case('an unowned header under include/ fails', rc == 1 and
     'needs an owner' in err)

for r in roots:
    shutil.rmtree(r, ignore_errors=True)
print(f'1..{len(results)}')
for i, (name, ok) in enumerate(results, 1):
    print(f'{"ok" if ok else "not ok"} {i} {name}')
sys.exit(0 if all(ok for _, ok in results) else 1)
