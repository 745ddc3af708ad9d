#!/usr/bin/python3
# Parses a Prometheus text exposition from stdin with the reference client's
# own parser (Debian's python3-prometheus-client), independent of ours, and
# prints one line per sample: "<family> <type> <sample name> <labels as JSON> <value>".
# Exits 1 with the parser's message when the text does not parse.
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
try:
    families = list(text_string_to_metric_families(text))
except Exception as e:  # the parser raises ValueError and others
    print(f"parse error: {e!r}", file=sys.stderr)
    sys.exit(1)
for f in families:
    for s in f.samples:
        labels = json.dumps(s.labels, sort_keys=True, separators=(",", ":"))
        print(f.name, f.type, s.name, labels, repr(float(s.value)))
