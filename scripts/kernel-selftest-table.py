#!/usr/bin/env python3
"""Turn a run of the kernel's iommufd selftest under the simulator into the
reStructuredText table of docs/devel/iommufd-sim.rst.

    kernel-selftest-table.py ALL_LOG TEST_LIST "IN_SCOPE PATTERNS"

Every test of TEST_LIST (the harness's -l output) gets one entry: "pass",
"skip" (the test skips itself for that variant), or "out of scope" with the
reason below that matches it first.  A failing test that is in scope, or
one no reason covers, is reported as "FAIL" so that the table can't hide a
regression.
"""
import fnmatch
import re
import sys

# (pattern over FIXTURE.VARIANT.TEST or FIXTURE.TEST, reason), first match
REASONS = [
    ("change_process.account_none.*", "pinned-page accounting (VmPin)"),
    ("change_process.*", "IOMMU_OPTION RLIMIT_MODE needs CAP_SYS_RESOURCE, "
     "which the CI container lacks (the kernel says EPERM too)"),
    ("iommufd.global_options", "IOMMU_OPTION RLIMIT_MODE needs "
     "CAP_SYS_RESOURCE, which the CI container lacks (EPERM, as the kernel)"),
    ("iommufd.cmd_length", "size rules of the VFIO compatibility commands, "
     "which are not simulated (ENOTTY instead of EINVAL)"),
    ("iommufd.*", "the VFIO type1 compatibility ioctls on /dev/iommu"),
    ("vfio_compat_mock_domain.*", "the VFIO type1 compatibility ioctls"),
    ("iommufd_dirty_tracking.*_huge.*", "MAP_HUGETLB memory, which the CI "
     "machine lacks"),
    ("*.access_*", "access objects pinning pages (CREATE_ACCESS)"),
    ("*.fork_*", "access objects pinning pages (CREATE_ACCESS)"),
    ("*.dmabuf_*", "dma-buf backed mappings"),
    ("*.user_copy", "access objects pinning pages (CREATE_ACCESS)"),
    ("*_file*.*", "MD_CHECK_MAP of IOAS_MAP_FILE areas: the kernel compares "
     "physical pages, the simulator maps the file at an address of its own"),
    ("*_hugepage.*", "MAP_HUGETLB memory, which the CI machine lacks"),
    ("iommufd_mock_domain.*.basic", "page pinning: mapping unmapped user "
     "memory must fail"),
    ("iommufd_mock_domain.*", "page pinning checked page by page "
     "(MD_CHECK_REFS with references)"),
    ("iommufd_ioas.*", "page pinning (MD_CHECK_REFS with references)"),
]


def main():
    log, listing, scope = sys.argv[1], sys.argv[2], sys.argv[3].split()
    tests = [t.strip() for t in open(listing) if t.strip()]
    result = {}
    for line in open(log):
        m = re.match(r"^(not ok|ok) \d+ (\S+)(.*)$", line)
        if not m:
            continue
        if m.group(1) == "ok":
            result[m.group(2)] = "skip" if "# SKIP" in m.group(3) else "pass"
        else:
            result[m.group(2)] = "fail"

    def in_scope(t):
        for p in scope:
            if "." not in p and t.split(".")[0] == p:
                return True
            if "." in p and fnmatch.fnmatchcase(t, p):
                return True
        return False

    rows = []
    for t in tests:
        r = result.get(t, "not run")
        if r in ("pass", "skip"):
            why = "(the test skips this variant)" if r == "skip" else ""
        elif in_scope(t):
            r, why = "FAIL", "in scope: a regression"
        else:
            why = next((w for p, w in REASONS if fnmatch.fnmatchcase(t, p)),
                       None)
            r, why = ("out of scope", why) if why else ("FAIL", "no reason")
        rows.append((t, r, why))

    npass = sum(1 for _, r, _ in rows if r == "pass")
    nskip = sum(1 for _, r, _ in rows if r == "skip")
    print(".. list-table:: %d tests: %d pass, %d skip themselves, %d out "
          "of scope" % (len(rows), npass, nskip, len(rows) - npass - nskip))
    print("   :header-rows: 1\n")
    print("   * - Test\n     - Result\n     - Why not")
    for t, r, why in rows:
        print("   * - ``%s``\n     - %s\n     - %s" % (t, r, why or ""))
    return 1 if any(r == "FAIL" for _, r, _ in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
