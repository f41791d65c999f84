"""Records the French digits of the audio CAPTCHA with espeak-ng.

Run once (the WAV files are committed): python scripts/make_voices.py
The `captcha` package bundles English digits only; its mixer expects
8 kHz, mono, 8-bit unsigned WAV files in one folder per character.
"""
import audioop  # deprecated in 3.13; this script is a one-off tool, not app code
import subprocess
import tempfile
import wave
from pathlib import Path

DIGITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]
OUT = Path(__file__).resolve().parent.parent / "wizard" / "voices" / "fr"

for digit, word in enumerate(DIGITS):
    with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
        subprocess.run(["espeak-ng", "-v", "fr", "-s", "130", "-w", tmp.name, word], check=True)
        with wave.open(tmp.name) as src:
            frames = src.readframes(src.getnframes())
            rate, width = src.getframerate(), src.getsampwidth()
    frames, _ = audioop.ratecv(frames, width, 1, rate, 8000, None)
    frames = audioop.bias(audioop.lin2lin(frames, width, 1), 1, 128)
    folder = OUT / str(digit)
    folder.mkdir(parents=True, exist_ok=True)
    with wave.open(str(folder / "default.wav"), "wb") as dst:
        dst.setnchannels(1)
        dst.setsampwidth(1)
        dst.setframerate(8000)
        dst.writeframes(frames)
