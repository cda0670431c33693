"""Render ``piano_middle_c.wav`` once from the FluidR3 General MIDI soundfont.

This script is *not* imported by the package and never runs at build time: the book reads the
committed clip. It documents exactly how the clip was made, so anyone can regenerate it.

Requirements (one-off tools, not dependencies of the companion):

- the soundfont from the Debian package ``fluid-soundfont-gm`` (MIT licence; see
  ``/usr/share/doc/fluid-soundfont-gm/copyright``), installed at
  ``/usr/share/sounds/sf2/FluidR3_GM.sf2``;
- the synthesiser ``tinysoundfont`` from PyPI: ``pip install --no-deps tinysoundfont``
  (the clip was rendered with version 0.3.7).

Command, from the repository root::

    python companion/data/_render_piano.py [--soundfont PATH] [--out companion/data/piano_middle_c.wav]

What it does: General MIDI program 0 ("Yamaha Grand Piano" in FluidR3, whose samples are
recorded in stereo, so left and right differ in level and phase), key 60 (middle C, nominally
261.63 Hz), velocity 100; the key is held 1.2 s and released, and 0.3 s of the release is kept
(1.5 s in all). The float32 stereo output is scaled so that its largest sample is 0.89 of full
scale (−1 dBFS) and rounded to 16-bit PCM at 44.1 kHz.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.io import wavfile

FS = 44_100
KEY, VELOCITY, PROGRAM = 60, 100, 0
HOLD_S, RELEASE_S = 1.2, 0.3
PEAK = 0.89


def render(soundfont: str) -> np.ndarray:
    """Return the rendered note as float64 of shape (n_samples, 2), peak-normalised to PEAK."""
    import tinysoundfont

    synth = tinysoundfont.Synth(samplerate=FS)
    sfid = synth.sfload(soundfont)
    synth.program_select(0, sfid, 0, PROGRAM)
    synth.noteon(0, KEY, VELOCITY)
    held = np.frombuffer(synth.generate(int(HOLD_S * FS)), dtype=np.float32).reshape(-1, 2)
    synth.noteoff(0, KEY)
    released = np.frombuffer(synth.generate(int(RELEASE_S * FS)), dtype=np.float32).reshape(-1, 2)
    x = np.concatenate([held, released]).astype(np.float64)
    return x * (PEAK / np.max(np.abs(x)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soundfont", default="/usr/share/sounds/sf2/FluidR3_GM.sf2")
    parser.add_argument("--out", default=str(Path(__file__).with_name("piano_middle_c.wav")))
    args = parser.parse_args()
    x = render(args.soundfont)
    pcm = np.round(x * 32767).astype(np.int16)
    wavfile.write(args.out, FS, pcm)
    print(f"wrote {args.out}: {pcm.shape[0]} frames x {pcm.shape[1]} channels, int16, {FS} Hz")


if __name__ == "__main__":
    main()
