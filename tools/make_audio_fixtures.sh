#!/usr/bin/env bash
# Generates the short audio fixtures of tests/tokenize/tst_mediaduration.cpp into tests/tokenize/data/ with
# Debian's ffmpeg CLI (apt-get install ffmpeg). Run once by hand; the files are committed, so CI needs no
# ffmpeg. Each is a 1.5 s 440 Hz tone (mp4 adds a tiny video track), small enough to ship (≤ 40 KB).
# The expected durations in the test follow from these commands: change one, re-run, re-check the test.
set -euo pipefail
out=${1:-"$(dirname "$0")/../tests/tokenize/data"}
mkdir -p "$out"
ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
tone=(-f lavfi -i "sine=frequency=440:sample_rate=16000:duration=1.5")
common=(-map_metadata -1 -fflags +bitexact -flags:a +bitexact)

# PCM: the header states the data size; 8 kHz mono s16 = 16 000 B/s (24 000 B of data).
ff -f lavfi -i "sine=frequency=440:sample_rate=8000:duration=1.5" "${common[@]}" -c:a pcm_s16le "$out/tone.wav"
# FLAC: STREAMINFO states the sample count.
ff "${tone[@]}" "${common[@]}" -c:a flac "$out/tone.flac"
# MP3 with a Xing/LAME header (frame count, encoder delay and padding: gapless, exact).
ff "${tone[@]}" "${common[@]}" -c:a libmp3lame -b:a 32k "$out/tone.mp3"
# MP3 without Xing header, as "mpga"/"mpeg" uploads often are: CBR frames only, no stated duration.
ff "${tone[@]}" "${common[@]}" -c:a libmp3lame -b:a 32k -write_xing 0 -f mp3 "$out/tone.mpga"
# AAC in an M4A (iPod brand) and in an MP4 beside a small video track (audio+video).
ff "${tone[@]}" "${common[@]}" -c:a aac -b:a 32k -f ipod "$out/tone.m4a"
ff "${tone[@]}" -f lavfi -i "color=c=black:s=32x32:r=5:d=1.5" "${common[@]}" -c:a aac -b:a 32k \
   -c:v mpeg4 -q:v 31 -shortest -f mp4 "$out/tone.mp4"
# Ogg Vorbis and Ogg Opus: no stated duration in the headers; the last page's granule position gives it.
ff "${tone[@]}" "${common[@]}" -c:a libvorbis -q:a 0 "$out/tone.ogg"
ff "${tone[@]}" "${common[@]}" -c:a libopus -b:a 24k -f ogg "$out/tone.opus"
# WebM (Opus) written to a seekable file: the Segment Info states the duration.
ff "${tone[@]}" "${common[@]}" -c:a libopus -b:a 24k -f webm "$out/tone.webm"
# WebM written to a pipe, like a browser's MediaRecorder: no Duration element, no Cues; only the packets tell.
ff "${tone[@]}" "${common[@]}" -c:a libopus -b:a 24k -f webm pipe:1 > "$out/tone-live.webm"
# MPEG program stream (the "mpeg" upload type) with MPEG-1 Layer II audio.
ff "${tone[@]}" "${common[@]}" -c:a mp2 -b:a 32k -f mpeg "$out/tone.mpeg"
# Raw ADTS AAC: a real audio file of a container the endpoints do not accept (a hostile-input row).
ff "${tone[@]}" "${common[@]}" -c:a aac -b:a 32k -f adts "$out/tone.aac"
ls -l "$out"
