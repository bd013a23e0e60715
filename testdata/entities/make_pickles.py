# -*- coding: utf-8 -*-
"""Writes the pickle fixtures of loaders/entities from the shop-demo log.

Run it with both interpreters from this directory:

    python2 make_pickles.py   # Python 2 str: S'..' (0), SHORT_BINSTRING (1, 2)
    python3 make_pickles.py   # Python 3 str: V'..' (0), BINUNICODE (1, 2), FRAME + SHORT_BINUNICODE (4)

The shop-demo pickle is read back and re-pickled unchanged, so every variant
holds the same {seconds: {name: tuple}} dict. escapes-py*.pickle holds a small
log whose strings need escaping (quotes, backslashes, non-ASCII).
"""
import pickle
import sys

PY2 = sys.version_info[0] == 2
SRC = "../shop-demo/cluster_creation_log.pickle"

with open(SRC, "rb") as f:
    log = pickle.load(f) if PY2 else pickle.load(f, encoding="latin1")

if PY2:
    variants = [("py2-p0", 0), ("py2-p1", 1), ("py2-p2", 2)]
else:
    variants = [("py3-p0", 0), ("py3-p2", 2), ("py3-p4", 4)]
for tag, proto in variants:
    with open("shop-%s.pickle" % tag, "wb") as f:
        pickle.dump(log, f, proto)

# Names and labels Kubernetes would not accept, to exercise the string
# decoding: a quote, a backslash, a tab, a non-ASCII letter.
if PY2:
    esc = {0: {"it's": ("10.0.0.1", "+", "default", "pod", "note=a\\b\tc", "Running"),
               u"caf\u00e9-0": ("10.0.0.2", "+", "default", "pod", u"app=caf\u00e9,x=\u2603", "Running"),
               "caf\xc3\xa9-1": ("10.0.0.3", "+", "default", "pod", "app=caf\xc3\xa9", "Running")}}
else:
    esc = {0: {"it's": ("10.0.0.1", "+", "default", "pod", "note=a\\b\tc", "Running"),
               "caf\u00e9-0": ("10.0.0.2", "+", "default", "pod", "app=caf\u00e9,x=\u2603", "Running"),
               "caf\u00e9-1": ("10.0.0.3", "+", "default", "pod", "app=caf\u00e9", "Running")}}
for proto in (0, 2):
    with open("escapes-%s-p%d.pickle" % ("py2" if PY2 else "py3", proto), "wb") as f:
        pickle.dump(esc, f, proto)
