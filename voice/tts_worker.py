"""The speech-synthesis worker: pyttsx3 over espeak-ng, in a process of its own.

pyttsx3 has known hangs ("run loop already started"), so it never runs inside the front
door: the parent (voice.speak.Synthesiser) sends one JSON line per job on stdin and waits,
with a timeout, for one JSON line back; a stuck worker is killed and replaced.

Job: {"text", "voice", "rate", "path"} -> writes a WAV file at `path` -> {"ok": true}.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    # pyttsx3 prints "Audio saved to ..." on stdout: keep a private copy of stdout for replies
    # and send everything else to stderr.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    import pyttsx3
    from pyttsx3.drivers import _espeak

    engine = pyttsx3.init("espeak")
    driver = engine.proxy._driver
    replies.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        try:
            job = json.loads(line)
            # pyttsx3 2.99 queues engine.setProperty behind the last utterance and, with espeak-ng's
            # asynchronous output, about one change in two was lost (measured): set them on the
            # driver, between two Synchronize() calls, so every job has its own voice and rate.
            _espeak.Synchronize()
            driver.setProperty("voice", job["voice"])
            driver.setProperty("rate", int(job["rate"]))
            _espeak.Synchronize()
            engine.save_to_file(job["text"], job["path"])
            engine.runAndWait()
            ok = os.path.exists(job["path"]) and os.path.getsize(job["path"]) > 44
            reply = {"ok": ok} if ok else {"ok": False, "error": "no audio was written"}
        except Exception as err:  # noqa: BLE001 (the parent decides what to do; the text is never echoed)
            reply = {"ok": False, "error": type(err).__name__}
        replies.write(json.dumps(reply) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
