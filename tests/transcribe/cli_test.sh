#!/usr/bin/env bash
# The transcribe and diarize commands on real speech and on bad input: clear one-line errors,
# non-zero exits, never a crash; silence gives an empty transcript and exit 0.
set -uo pipefail
parley=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_error NAME EXIT_CODE PATTERN -- command...
expect_error() {
  local name=$1 code=$2 pattern=$3
  shift 4
  "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  [[ $rc == "$code" ]] || fail "$name: exit $rc, expected $code"
  [[ $(wc -l <"$work/err") -le 2 ]] || fail "$name: more than a line of error: $(cat "$work/err")"
  grep -q -- "$pattern" "$work/err" || fail "$name: error does not say '$pattern': $(cat "$work/err")"
}

expect_error missing 1 "No such file" -- "$parley" transcribe "$work/none.wav" --quiet
echo "plain text, not sound" >"$work/text.wav"
expect_error not-audio 1 "not a readable audio file" -- "$parley" transcribe "$work/text.wav" --quiet
head -c 30 "$data/asr/jfk.wav" >"$work/truncated.wav"
expect_error truncated 1 "truncated.wav" -- "$parley" transcribe "$work/truncated.wav" --quiet
: >"$work/empty.wav"
expect_error empty 1 "empty" -- "$parley" transcribe "$work/empty.wav" --quiet
expect_error bad-format 2 "unknown format" -- "$parley" transcribe "$data/asr/jfk.wav" --format docx --quiet
expect_error unreachable-asr 1 "recognition stopped" -- "$parley" transcribe "$data/asr/jfk.wav" --asr openai \
  --asr-url http://127.0.0.1:9 --quiet
expect_error no-rttm 2 "rttm" -- "$parley" diarize "$data/asr/jfk.wav"

# Silence: an empty transcript, exit 0.
ffmpeg -loglevel error -f lavfi -i anullsrc=r=16000:cl=mono -t 3 "$work/silence.wav"
"$parley" transcribe "$work/silence.wav" --format json --quiet >"$work/silence.json" || fail "silence: non-zero exit"
grep -q '"segments": \[\]' "$work/silence.json" || fail "silence: segments not empty: $(cat "$work/silence.json")"

# Real speech, another rate and container: a 44.1 kHz stereo MP3 of the JFK sample.
ffmpeg -loglevel error -i "$data/asr/jfk.wav" -ar 44100 -ac 2 "$work/jfk.mp3"
"$parley" transcribe "$work/jfk.mp3" -o "$work/jfk.vtt" --quiet || fail "mp3: non-zero exit"
grep -q "^WEBVTT" "$work/jfk.vtt" || fail "mp3: -o with .vtt did not write WebVTT"
grep -qi "country" "$work/jfk.vtt" || fail "mp3: 'country' not recognised: $(cat "$work/jfk.vtt")"

# Who spoke when on a real two-speaker meeting clip.
"$parley" diarize "$data/diarization/pyannote/sample.wav" --rttm "$work/sample.rttm" --quiet || fail "diarize: exit"
grep -q "^SPEAKER sample 1 " "$work/sample.rttm" || fail "diarize: no RTTM lines"
"$parley" transcribe "$data/diarization/pyannote/sample.wav" --speakers 2 --format json --quiet >"$work/sample.json" ||
  fail "transcribe --speakers: exit"
grep -q '"id": "S2"' "$work/sample.json" || fail "transcribe --speakers 2: no second speaker"

if ((failures)); then exit 1; fi
echo "transcribe CLI: all checks passed"
