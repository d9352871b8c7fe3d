#!/usr/bin/env python3
"""Checks the first report of a scripts/bench-load run (a JSON line) for the smoke tests.

Behaviour only, never speed: what the report must say, key by key.
  check_report.py REPORT --label TEXT [--has K,K...] [--equals K=V]... [--positive K]...
                  [--all-streams] [--lossless]
--all-streams: every stream expected reached its subscriber; --lossless: no packet lost.
Exits 1 with the first broken expectation and the report.
"""
import argparse
import json
import sys


def same(actual, expected):
    """A report's value against one from the command line: numbers as numbers (the
    report writes counts as 3.0 as well as 3), anything else as text."""
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
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
    args = parser.parse_args()
    with open(args.report) as f:
        report = json.loads(f.read().split('\n')[0])

    def fail(message):
        print(f'{args.label}: {message}\nreport: {json.dumps(report)}', file=sys.stderr)
        sys.exit(1)

    missing = [k for k in args.has.split(',') if k and k not in report]
    if missing:
        fail(f'missing keys: {missing}')
    for item in args.equals:
        key, _, value = item.partition('=')
        if not same(report.get(key), value):
            fail(f'{key} is {report.get(key)!r}, expected {value}')
    for key in args.positive:
        if not report.get(key, 0) > 0:
            fail(f'{key} is {report.get(key)!r}, expected more than 0')
    if args.all_streams and report['streams_received'] != report['streams_expected']:
        fail(f"{report['streams_received']} of {report['streams_expected']} streams reached their subscriber")
    if args.lossless and report['lost_packets'] != 0:
        fail(f"{report['lost_packets']} packets lost on loopback")
    print(f'{args.label}: ok', json.dumps(report))


main()
