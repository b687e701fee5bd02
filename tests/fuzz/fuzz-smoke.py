#!/usr/bin/env python3
#
# Short libFuzzer run of one fuzz target, for CI (meson suite 'fuzz-smoke').
#
#   fuzz-smoke.py --seconds N --work DIR [--dict FILE] FUZZER SEEDDIR...
#
# Copies the seed directories (corpus, regressions) into DIR/corpus, so
# that the source tree is never written, and runs FUZZER on that copy for
# N seconds with a fixed seed.  Crash, leak, timeout and out-of-memory
# inputs land in DIR/artifacts/; the exit status is libFuzzer's (non-zero
# on any of them).  FUZZ_SMOKE_SECONDS in the environment overrides N.

import argparse
import os
import shutil
import subprocess
import sys


def copy_seeds(seed_dirs, corpus):
    shutil.rmtree(corpus, ignore_errors=True)
    os.makedirs(corpus)
    count = 0
    for i, d in enumerate(seed_dirs):
        for name in sorted(os.listdir(d)):
            src = os.path.join(d, name)
            if name.startswith('.') or not os.path.isfile(src):
                continue
            # corpus/ and regressions/ may use the same file names.
            shutil.copyfile(src, os.path.join(corpus, '%d-%s' % (i, name)))
            count += 1
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--seconds', type=int, required=True)
    parser.add_argument('--work', required=True)
    parser.add_argument('--dict')
    parser.add_argument('fuzzer')
    parser.add_argument('seeds', nargs='*')
    args = parser.parse_args()

    seconds = int(os.environ.get('FUZZ_SMOKE_SECONDS', args.seconds))
    corpus = os.path.join(args.work, 'corpus')
    artifacts = os.path.join(args.work, 'artifacts')
    nseeds = copy_seeds(args.seeds, corpus)
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(artifacts)

    cmd = [args.fuzzer, '-seed=1', '-max_total_time=%d' % seconds,
           '-timeout=10', '-rss_limit_mb=2048', '-print_final_stats=1',
           '-artifact_prefix=' + artifacts + '/']
    if args.dict:
        cmd.append('-dict=' + args.dict)
    cmd.append(corpus)
    print('fuzz-smoke: %d seeds, %d s: %s' % (nseeds, seconds, ' '.join(cmd)),
          flush=True)
    ret = subprocess.call(cmd)

    found = sorted(os.listdir(artifacts))
    if ret != 0 or found:
        name = os.path.basename(args.fuzzer)
        print('fuzz-smoke: %s failed (exit %d); inputs kept:' % (name, ret))
        for f in found:
            print('  ' + os.path.join(artifacts, f))
        print('Reproduce with %s-replay FILE; once fixed, add FILE to '
              'tests/fuzz/regressions/%s/ (see docs/devel/fuzzing.md).'
              % (os.path.abspath(args.fuzzer), name))
        return ret or 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
