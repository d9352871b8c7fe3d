#!/usr/bin/env python3
"""Turns test reports into one line per test for scripts/test, and sums them up.

  test-results.py junit SUITE REPORT.xml          CTest's or Vitest's JUnit report
  test-results.py tap SUITE REPORT.tap STATUS     node --test's TAP report and its exit status
  test-results.py summary RESULTS.tsv             skipped tests with reasons, then the total

Lines are STATUS<tab>SUITE<tab>NAME<tab>REASON with STATUS PASS, FAIL or SKIP. A test that
was cancelled (a hang cut short, a failed hook) is a failure; so is a runner that exited
non-zero while its report shows no failure.
"""
import re
import sys
import xml.etree.ElementTree as ET


def clean(text, limit=300):
    return ' '.join((text or '').split())[:limit]


def emit(status, suite, name, reason=''):
    print(f'{status}\t{suite}\t{clean(name)}\t{clean(reason, 600)}')


def tap_diagnostic(lines, start):
    """What a failed test's YAML block says (its error, expected/actual, location), so that
    the summary at the end of a long log says why, not only what."""
    if start >= len(lines) or lines[start].strip() != '---':
        return ''
    indent = len(lines[start]) - len(lines[start].lstrip())
    kept = []
    keep = False
    for line in lines[start + 1:]:
        if line.strip() == '...' and len(line) - len(line.lstrip()) == indent:
            break
        key = re.match(r'^\s*(\w+):', line) if len(line) - len(line.lstrip()) == indent else None
        if key:
            keep = key.group(1) in ('error', 'expected', 'actual', 'location')
        if keep:
            kept.append(line.strip())
    return ' '.join(kept)


def skip_reason(output):
    """The reason a skipped test gave: GoogleTest's message after 'Skipped', or a line
    'skipped: ...' from a script (exit code 77)."""
    lines = (output or '').splitlines()
    for i, line in enumerate(lines):
        if line.rstrip().endswith(': Skipped') and i + 1 < len(lines) and lines[i + 1].strip():
            return lines[i + 1]
        match = re.search(r'\bskipped: (.+)', line, re.IGNORECASE)
        if match:
            return match.group(1)
    return 'no reason given'


def junit(suite, path):
    root = ET.parse(path).getroot()
    cases = root.iter('testcase')
    count = 0
    for case in cases:
        count += 1
        name = case.get('name', '?')
        output = ''.join((e.text or '') for e in case.iter() if e.tag in ('system-out', 'system-err'))
        skipped = case.find('skipped')
        failure = case.find('failure')
        error = case.find('error')
        status = case.get('status', '')
        if failure is not None or error is not None or status == 'fail':
            found = failure if failure is not None else error
            why = (found.get('message', '') or found.text or '') if found is not None else ''
            emit('FAIL', suite, name, why or output[-600:])
        elif skipped is not None or status in ('notrun', 'disabled', 'skipped'):
            message = skipped.get('message', '') if skipped is not None else ''
            reason = skip_reason(output)
            if reason == 'no reason given' and message and not message.startswith('SKIP_'):
                reason = message
            emit('SKIP', suite, name, reason)
        else:
            emit('PASS', suite, name)
    if count == 0:
        emit('FAIL', suite, '(no tests in the report)')


def tap(suite, path, exit_status):
    try:
        text = open(path, encoding='utf-8', errors='replace').read()
    except OSError:
        text = ''
    failed = 0
    # Top-level tests only (no indentation): subtests are counted through their parent.
    lines = text.splitlines()
    for number, line in enumerate(lines):
        match = re.match(r'^(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)\b ?(.*))?$', line)
        if not match:
            continue
        verdict, name, directive, reason = match.groups()
        if directive == 'SKIP':
            emit('SKIP', suite, name, reason or 'no reason given')
        elif verdict == 'not ok' and directive == 'TODO':
            # A known defect the test still runs for: listed with the skipped ones, never
            # counted as passed.
            emit('SKIP', suite, name, f'known defect, still failing: {reason or "no reason given"}')
        elif verdict == 'not ok':
            failed += 1
            emit('FAIL', suite, name, tap_diagnostic(lines, number + 1))
        else:
            emit('PASS', suite, name)
    counts = dict(re.findall(r'^# (tests|pass|fail|cancelled|skipped|todo) (\d+)$', text, re.MULTILINE))
    cancelled = int(counts.get('cancelled', 0))
    if 'tests' not in counts:
        emit('FAIL', suite, f'(the test run did not finish; exit status {exit_status})')
    elif cancelled and failed == 0:
        emit('FAIL', suite, f'({cancelled} cancelled)')
    elif int(exit_status) != 0 and failed == 0:
        emit('FAIL', suite, f'(exit status {exit_status})')


def summary(path):
    rows = [line.rstrip('\n').split('\t') for line in open(path, encoding='utf-8') if line.strip()]
    rows = [r + [''] * (4 - len(r)) for r in rows]
    passed = sum(1 for r in rows if r[0] == 'PASS')
    failed = [r for r in rows if r[0] == 'FAIL']
    skipped = [r for r in rows if r[0] == 'SKIP']
    for status, suite, name, reason in skipped:
        print(f'skipped: {suite}: {name}: {reason}')
    for status, suite, name, reason in failed:
        print(f'failed: {suite}: {name}' + (f'\n    why: {reason}' if reason else ''))
    print(f'total: {passed} passed, {len(failed)} failed, {len(skipped)} skipped')
    return 1 if failed or not rows else 0


def main(argv):
    if len(argv) >= 4 and argv[1] == 'junit':
        junit(argv[2], argv[3])
        return 0
    if len(argv) >= 5 and argv[1] == 'tap':
        tap(argv[2], argv[3], argv[4])
        return 0
    if len(argv) >= 3 and argv[1] == 'summary':
        return summary(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
