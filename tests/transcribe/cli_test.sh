#!/usr/bin/env bash
# The transcribe and diarize commands on real speech and on bad input: clear one-line errors,
# non-zero exits, never a crash; silence gives an empty transcript and exit 0. Recordings
# from tests/fixtures/speech (committed), so this runs on any clone.
set -uo pipefail
parley=$1
speech=$2
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
head -c 30 "$speech/jfk.wav" >"$work/truncated.wav"
expect_error truncated 1 "truncated.wav" -- "$parley" transcribe "$work/truncated.wav" --quiet
: >"$work/empty.wav"
expect_error empty 1 "empty" -- "$parley" transcribe "$work/empty.wav" --quiet
expect_error bad-format 2 "unknown format" -- "$parley" transcribe "$speech/jfk.wav" --format docx --quiet
expect_error unreachable-asr 1 "recognition stopped" -- "$parley" transcribe "$speech/jfk.wav" --asr openai \
  --asr-url http://127.0.0.1:9 --quiet
expect_error no-rttm 2 "rttm" -- "$parley" diarize "$speech/jfk.wav"

# Silence: an empty transcript, exit 0.
ffmpeg -loglevel error -f lavfi -i anullsrc=r=16000:cl=mono -t 3 "$work/silence.wav"
"$parley" transcribe "$work/silence.wav" --format json --quiet >"$work/silence.json" || fail "silence: non-zero exit"
grep -q '"segments": \[\]' "$work/silence.json" || fail "silence: segments not empty: $(cat "$work/silence.json")"

# Real speech, another rate and container: a 44.1 kHz stereo MP3 of the JFK sample.
ffmpeg -loglevel error -i "$speech/jfk.wav" -ar 44100 -ac 2 "$work/jfk.mp3"
"$parley" transcribe "$work/jfk.mp3" -o "$work/jfk.vtt" --quiet || fail "mp3: non-zero exit"
grep -q "^WEBVTT" "$work/jfk.vtt" || fail "mp3: -o with .vtt did not write WebVTT"
grep -qi "country" "$work/jfk.vtt" || fail "mp3: 'country' not recognised: $(cat "$work/jfk.vtt")"

# Ogg/Opus, as a meeting recorder or a phone would make it.
ffmpeg -loglevel error -i "$speech/jfk.wav" -c:a libopus -b:a 32k "$work/jfk.ogg"
"$parley" transcribe "$work/jfk.ogg" --format txt --quiet >"$work/ogg.txt" || fail "ogg: non-zero exit"
grep -qi "country" "$work/ogg.txt" || fail "ogg: 'country' not recognised: $(cat "$work/ogg.txt")"

# Two real readers taking turns (a woman and a man, LibriSpeech), as one recording.
inputs=()
filter=
n=0
for turn in 1998/1998-15444-0001 2609/2609-156975-0001 1998/1998-15444-0003 2609/2609-156975-0005; do
  inputs+=(-i "$speech/librispeech/$turn.flac" -f lavfi -t 1 -i anullsrc=r=16000:cl=mono)
  filter+="[$n:a][$((n + 1)):a]"
  n=$((n + 2))
done
ffmpeg -loglevel error "${inputs[@]}" -filter_complex "${filter}concat=n=$n:v=0:a=1" -ar 16000 -ac 1 "$work/two.wav"

# Who spoke when.
"$parley" diarize "$work/two.wav" --rttm "$work/two.rttm" --quiet || fail "diarize: exit"
grep -q "^SPEAKER two 1 " "$work/two.rttm" || fail "diarize: no RTTM lines"
[[ $(awk '{print $8}' "$work/two.rttm" | sort -u | wc -l) == 2 ]] || fail "diarize: not two speakers: $(cat "$work/two.rttm")"
# What each said: --diarize finds the two, --speakers 2 is told.
"$parley" transcribe "$work/two.wav" --diarize --format json --quiet >"$work/two.json" || fail "transcribe --diarize: exit"
grep -q '"id": "S2"' "$work/two.json" || fail "transcribe --diarize: no second speaker: $(head -c 600 "$work/two.json")"
"$parley" transcribe "$work/two.wav" --speakers 2 --format json --quiet >"$work/two2.json" || fail "transcribe --speakers: exit"
grep -q '"id": "S2"' "$work/two2.json" || fail "transcribe --speakers 2: no second speaker"
# Every output format, by --format and by -o's extension.
"$parley" transcribe "$work/two.wav" --diarize --format srt --quiet >"$work/two.srt" || fail "srt: exit"
grep -qE '^00:00:0[0-9],[0-9]{3} --> 00:00:[0-9]{2},[0-9]{3}$' "$work/two.srt" || fail "srt: no cue times: $(head -5 "$work/two.srt")"
grep -q '^1$' "$work/two.srt" || fail "srt: cues not numbered"
"$parley" transcribe "$work/two.wav" --diarize -o "$work/two.md" --quiet || fail "md: exit"
grep -qE '^\*\*Speaker 1\*\* \[00:00:' "$work/two.md" || fail "md: no speaker lines: $(head -5 "$work/two.md")"
grep -qE '^\*\*Speaker 2\*\* \[' "$work/two.md" || fail "md: the second speaker never speaks"
"$parley" transcribe "$work/two.wav" --format txt --quiet >"$work/two.txt" || fail "txt: exit"
[[ -s $work/two.txt ]] && ! grep -q '[{<]' "$work/two.txt" || fail "txt: not plain text: $(head -3 "$work/two.txt")"
"$parley" transcribe "$work/two.wav" --diarize --format rttm --quiet >"$work/two-t.rttm" || fail "rttm: exit"
grep -q '^SPEAKER ' "$work/two-t.rttm" || fail "rttm: no SPEAKER lines"

if ((failures)); then exit 1; fi
echo "transcribe CLI: all checks passed"
