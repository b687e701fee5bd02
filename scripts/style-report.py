#!/usr/bin/env python3
"""Count where the C sources of the tree depart from docs/devel/style.md.

    scripts/style-report.py [--files] [--check] [--exclude FILE]... [PATH...]

Without PATH, every .c and .h file git knows of.  Prints, per directory,
the lines that break each rule, then a total; --files lists every file
with at least one, worst first.  With --check the exit status is 1 when
anything is found (the meson test "style" runs it so over the tree).
--exclude FILE leaves one file (path from the top of the tree) out of the
counts; CI uses it only for files another change is rewriting, and says
which in tests/unit/meson.build.

The rules are counted line by line, with no C parser: a count is a
measure of the work a reformat has to do, not a verdict on each line.
"""

import argparse
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict

RULES = [
    ('tab-indent', 'line indented with a tab (4 spaces, no tabs)'),
    ('trailing-space', 'whitespace at the end of a line'),
    ('over-80', 'line longer than 80 columns'),
    ('over-100', 'line longer than 100 columns (also counted in over-80)'),
    ('no-braces', 'if/else/for/while/do whose body is not in braces'),
    ('cxx-comment', '// comment'),
    ('comment-open', 'multi-line comment with text on its /* line'),
    ('func-brace', 'function body { not on a line of its own'),
    ('osdep-first', 'runtime .c file whose first #include is not "qemu/osdep.h"'),
    ('final-newline', 'file not ending with a newline'),
]

CONTROL_RE = re.compile(r'^\s*(?:\}\s*)?(?:else\s+)?(if|for|while|switch)\s*\(')
ELSE_RE = re.compile(r'^\s*(?:\}\s*)?else\s*$')
DO_RE = re.compile(r'^\s*do\s*$')
FUNC_RE = re.compile(r'^[A-Za-z_][\w\s\*]*\b\w+\s*\([^;]*\)\s*\{\s*$')
STRING_RE = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')

# Paths outside the style: the kernel's UAPI layouts are restated as the
# kernel writes them (linux-headers/), and generated or third-party text.
EXEMPT = ('linux-headers/',)
# Programs that do not link the runtime have no qemu/osdep.h to include.
OSDEP_EXEMPT = ('tests/', 'contrib/', 'scripts/')


def columns(line):
    """Display width of @line with tabs at 8."""
    col = 0
    for ch in line:
        col = (col // 8 + 1) * 8 if ch == '\t' else col + 1
    return col


def paren_balance(code):
    return code.count('(') - code.count(')')


def check_file(path, text):
    found = Counter()
    lines = text.split('\n')
    if text and not text.endswith('\n'):
        found['final-newline'] += 1
    if text.endswith('\n'):
        lines = lines[:-1]
    in_comment = False
    first_include = None
    pending_control = 0     # open parentheses of a control statement
    continued = False       # previous line ended with a backslash
    for i, raw in enumerate(lines):
        line = raw.rstrip('\r')
        if re.match(r'^\t+', line):
            found['tab-indent'] += 1
        if line != line.rstrip():
            found['trailing-space'] += 1
        width = columns(line)
        if width > 80:
            found['over-80'] += 1
        if width > 100:
            found['over-100'] += 1

        code = line
        if in_comment:
            end = code.find('*/')
            if end < 0:
                continue
            code = ' ' * (end + 2) + code[end + 2:]
            in_comment = False
        m = re.match(r'^\s*#\s*include\s+([<"][^>"]+[>"])', code)
        if m and first_include is None:
            first_include = m.group(1)
        macro = continued or code.lstrip().startswith('#')
        continued = code.rstrip().endswith('\\')
        code = STRING_RE.sub('""', code)
        start = code.find('/*')
        if start >= 0 and code.find('*/', start) < 0:
            if code[start + 2:].strip() and code[:start].strip() == '':
                found['comment-open'] += 1
            in_comment = True
            code = code[:start]
        code = re.sub(r'/\*.*?\*/', '', code)
        if '//' in code and not re.search(r'\w+://', code):
            found['cxx-comment'] += 1
            code = code[:code.find('//')]

        if macro:
            continue
        stripped = code.strip()
        if pending_control:
            pending_control += paren_balance(code)
            if pending_control <= 0:
                pending_control = 0
                if not stripped.endswith('{') and not stripped.endswith(';'):
                    found['no-braces'] += 1
                elif stripped.endswith(';') and not re.search(r'\bwhile\b', lines[i - 1]):
                    found['no-braces'] += 1
            continue
        if CONTROL_RE.match(code) and not stripped.startswith('#'):
            kw = CONTROL_RE.match(code).group(1)
            bal = paren_balance(code)
            if bal > 0:
                pending_control = bal
                continue
            if kw == 'while' and stripped.startswith('}'):
                continue        # the end of do { } while (x);
            if not stripped.endswith('{') and not stripped.endswith('\\'):
                found['no-braces'] += 1
        elif ELSE_RE.match(code) or DO_RE.match(code):
            found['no-braces'] += 1
        if FUNC_RE.match(code) and not code.startswith((' ', '\t')) and \
           not re.match(r'^\s*(if|for|while|switch|else|do|struct|union|enum|typedef)\b', code) \
           and '=' not in code:
            found['func-brace'] += 1
    if path.endswith('.c') and not path.startswith(OSDEP_EXEMPT) and \
       first_include not in (None, '"qemu/osdep.h"'):
        found['osdep-first'] += 1
    return found, len(lines)


def git_files(root):
    out = subprocess.run(['git', 'ls-files', '*.c', '*.h'], cwd=root,
                         capture_output=True, text=True, check=True).stdout
    return [f for f in out.split('\n') if f]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--files', action='store_true')
    ap.add_argument('--check', action='store_true')
    ap.add_argument('--exclude', action='append', default=[], metavar='FILE')
    ap.add_argument('paths', nargs='*')
    args = ap.parse_args()
    root = subprocess.run(['git', 'rev-parse', '--show-toplevel'],
                          capture_output=True, text=True,
                          check=True).stdout.strip()
    files = args.paths or git_files(root)
    per_dir = defaultdict(Counter)
    per_file = {}
    total_lines = Counter()
    for f in files:
        rel = os.path.relpath(os.path.join(root, f), root) if not os.path.isabs(f) \
            else os.path.relpath(f, root)
        if rel.startswith(EXEMPT) or not rel.endswith(('.c', '.h')) or \
           rel in args.exclude:
            continue
        with open(os.path.join(root, rel), encoding='utf-8', errors='replace') as fh:
            found, n = check_file(rel, fh.read())
        d = os.path.dirname(rel)
        per_dir[d].update(found)
        per_dir[d]['files'] += 1
        total_lines[d] += n
        if found:
            per_file[rel] = (found, n)

    keys = [k for k, _ in RULES]
    short = {'tab-indent': 'tabs', 'trailing-space': 'trail', 'over-80': '>80',
             'over-100': '>100', 'no-braces': 'nobrace', 'cxx-comment': '//',
             'comment-open': '/*txt', 'func-brace': 'fn{',
             'osdep-first': 'osdep', 'final-newline': 'eol'}
    header = f'{"directory":32} {"files":>5} {"lines":>6} ' + \
        ' '.join(f'{short[k]:>7}' for k in keys)
    print(header)
    grand = Counter()
    for d in sorted(per_dir):
        c = per_dir[d]
        grand.update(c)
        grand['lines'] += total_lines[d]
        print(f'{d or ".":32} {c["files"]:>5} {total_lines[d]:>6} ' +
              ' '.join(f'{c[k]:>7}' for k in keys))
    print(f'{"total":32} {grand["files"]:>5} {grand["lines"]:>6} ' +
          ' '.join(f'{grand[k]:>7}' for k in keys))
    print()
    for k, desc in RULES:
        print(f'  {short[k]:>7}  {k}: {desc}')
    if args.files:
        print()
        rank = sorted(per_file.items(), key=lambda kv: -sum(kv[1][0].values()))
        for rel, (found, n) in rank:
            print(f'{rel}: {n} lines: ' +
                  ', '.join(f'{k} {found[k]}' for k in keys if found[k]))
    if args.check and any(grand[k] for k in keys):
        sys.exit(1)


if __name__ == '__main__':
    main()
