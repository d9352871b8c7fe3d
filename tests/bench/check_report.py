#!/usr/bin/env python3
"""Checks a report of a scripts/bench-load run (a JSON line, the first unless --line N) for
the smoke tests.

Behaviour only, never speed: what the report must say, key by key.
  check_report.py REPORT --label TEXT [--line N] [--has K,K...] [--equals K=V]... [--positive K]...
                  [--all-streams] [--lossless]
A key may name a nested value with dots: capped.subscribers, layers_kbps.2.
--all-streams: every stream expected reached its subscriber; --lossless: no packet lost.
Exits 1 with the first broken expectation and the report.
"""
import argparse
import json
import sys


def same(actual, expected):
    """A report's value against one from the command line: numbers as numbers (the
    report writes counts as 3.0 as well as 3), anything else as text."""
    if isinstance(actual, bool):
        return str(actual).lower() == expected.lower()
    if isinstance(actual, (int, float)):
        try:
            return float(actual) == float(expected)
        except ValueError:
            return False
    return str(actual) == expected


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('report')
    parser.add_argument('--label', required=True)
    parser.add_argument('--has', default='')
    parser.add_argument('--equals', action='append', default=[])
    parser.add_argument('--positive', action='append', default=[])
    parser.add_argument('--all-streams', action='store_true')
    parser.add_argument('--lossless', action='store_true')
    parser.add_argument('--line', type=int, default=1)
    args = parser.parse_args()
    with open(args.report) as f:
        report = json.loads(f.read().split('\n')[args.line - 1])

    def at(key):
        value = report
        for part in key.split('.'):
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, dict) and part in value:
                value = value[part]
            else:
                return None
        return value

    def fail(message):
        print(f'{args.label}: {message}\nreport: {json.dumps(report)}', file=sys.stderr)
        sys.exit(1)

    missing = [k for k in args.has.split(',') if k and at(k) is None]
    if missing:
        fail(f'missing keys: {missing}')
    for item in args.equals:
        key, _, value = item.partition('=')
        if not same(at(key), value):
            fail(f'{key} is {at(key)!r}, expected {value}')
    for key in args.positive:
        if not (at(key) or 0) > 0:
            fail(f'{key} is {at(key)!r}, expected more than 0')
    if args.all_streams and report['streams_received'] != report['streams_expected']:
        fail(f"{report['streams_received']} of {report['streams_expected']} streams reached their subscriber")
    if args.lossless and report['lost_packets'] != 0:
        fail(f"{report['lost_packets']} packets lost on loopback")
    print(f'{args.label}: ok', json.dumps(report))


main()
