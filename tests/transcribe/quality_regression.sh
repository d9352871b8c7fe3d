#!/usr/bin/env bash
# Regression bounds on quality, from the figures in docs/quality.md: DER of the diarizer on
# the development clips (md-eval, collar 0, overlap scored) and on the twelve synthetic
# LibriSpeech conversations of scripts/bench-transcription (collar 0.25, automatic count),
# and WER of the embedded recognizer on the five LibriVox utterances (sclite). Fails if any
# gets worse than its bound. Also: each LibriVox utterance (one reader) is one speaker.
set -uo pipefail
parley=$1
data=$2
synthesize=$3  # build/bench/synthetic_conversation
max_der=${MAX_DER:-30}
max_synthetic_der=${MAX_SYNTHETIC_DER:-5}
max_wer=${MAX_WER:-32}
# The evaluation sets live beside the clone (../shared/data); without them, say so and skip.
for needed in diarization/pyannote/debug.development.lst speakers/librispeech_test-other; do
  if [[ ! -e $data/$needed ]]; then
    echo "skipped: evaluation set not found: $data/$needed"
    exit 77
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clips=$data/diarization/pyannote
for f in $(cat "$clips/debug.development.lst"); do
  "$parley" diarize "$clips/$f.wav" --rttm "$work/$f.rttm" --quiet || exit 1
done
cat "$work"/*.rttm >"$work/all.rttm"
der=$(perl /usr/lib/sctk/bin/md-eval.pl -r "$clips/debug.development.rttm" -s "$work/all.rttm" \
  -u "$clips/debug.development.uem" -c 0 2>/dev/null | sed -n 's/.*OVERALL SPEAKER DIARIZATION ERROR = \([0-9.]*\).*/\1/p')
echo "DER on the development clips: ${der}% (bound ${max_der}%)"

# The same conversations as the benchmark (seeds 1 to 12).
seed=1
: >"$work/syn-ref.rttm"
: >"$work/syn-sys.rttm"
for speakers in 2 3 4 5; do
  for minutes in 1 3 5; do
    "$synthesize" "$data/speakers/librispeech_test-other" "$speakers" $((minutes * 60)) $seed \
      "$work/syn$seed.wav" "$work/syn$seed.rttm" >/dev/null || exit 1
    "$parley" diarize "$work/syn$seed.wav" --rttm "$work/syn$seed.sys.rttm" --quiet || exit 1
    cat "$work/syn$seed.rttm" >>"$work/syn-ref.rttm"
    cat "$work/syn$seed.sys.rttm" >>"$work/syn-sys.rttm"
    seed=$((seed + 1))
  done
done
synthetic=$(perl /usr/lib/sctk/bin/md-eval.pl -r "$work/syn-ref.rttm" -s "$work/syn-sys.rttm" -c 0.25 2>/dev/null |
  sed -n 's/.*OVERALL SPEAKER DIARIZATION ERROR = \([0-9.]*\).*/\1/p')
echo "DER on the synthetic conversations: ${synthetic}% (bound ${max_synthetic_der}%)"

librivox=/usr/share/pocketsphinx/test/data/librivox
split=0
for id in $(cat "$librivox/fileids"); do
  "$parley" diarize "$librivox/$id.wav" --rttm "$work/$id.rttm" --quiet || exit 1
  found=$(awk '{print $8}' "$work/$id.rttm" | sort -u | wc -l)
  if [[ $found != 1 ]]; then
    echo "one reader found as $found speakers in $id"
    split=$((split + 1))
  fi
done
echo "LibriVox utterances split into several speakers: $split of 5 (bound 0)"
: >"$work/hyp.trn"
for id in $(cat "$librivox/fileids"); do
  echo "$("$parley" transcribe "$librivox/$id.wav" --quiet | tr -s ' \n' ' ') ($id)" >>"$work/hyp.trn"
done
sed -e 's/<s> //; s/ <\/s>//' "$librivox/transcription" >"$work/ref.trn"
wer=$(/usr/lib/sctk/bin/sclite -r "$work/ref.trn" trn -h "$work/hyp.trn" trn -i rm -o sum stdout 2>/dev/null |
  awk '/Sum\/Avg/ {print $(NF-2)}')
echo "WER on the LibriVox utterances: ${wer}% (bound ${max_wer}%)"
[[ $split == 0 ]] || exit 1
awk -v d="$der" -v md="$max_der" -v s="$synthetic" -v ms="$max_synthetic_der" -v w="$wer" -v mw="$max_wer" \
  'BEGIN { exit !(d != "" && s != "" && w != "" && d <= md && s <= ms && w <= mw) }'
