#!/usr/bin/env python3
"""Cut the bundled sample week from the shared corpus (run once; its output is committed).

Keeps every message of the editors' consensus stories and of the threads they flagged as
"volume, not news", plus all traffic of a few whole lists, byte for byte in the corpus's mboxrd form.
"""
import gzip, json, sys, pathlib

corpus = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else '../shared/corpus')
out = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else 'sample/2026-W02-sample.mbox.gz')
WHOLE_LISTS = {'io-uring@vger.kernel.org', 'linux-api@vger.kernel.org', 'cgroups@vger.kernel.org'}

picks = json.load(open(corpus / '2026-W02.editor-picks.json'))
truth = json.load(open(corpus / '2026-W02.truth.json'))
keep = set()
for story in picks['consensus']:
    keep.update(story['messageIds'])
for thread in picks['avoid'][:6]:
    keep.update(thread['messageIds'])
for m in truth['messages']:
    if WHOLE_LISTS & set(m['lists']):
        keep.add(m['message_id'])

data = gzip.open(corpus / '2026-W02.mbox.gz', 'rb').read()
sep = b'From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n'
chunks = data.split(b'\n' + sep)
chunks[0] = chunks[0][len(sep):]
ids = [m['message_id'] for m in truth['messages']]
assert len(chunks) == len(ids), (len(chunks), len(ids))
kept = [c for c, mid in zip(chunks, ids) if mid in keep]
with gzip.open(out, 'wb', compresslevel=9) as f:
    for c in kept:
        f.write(sep + c + (b'' if c.endswith(b'\n\n') else b'\n'))
print(f'{len(kept)} of {len(chunks)} messages -> {out} ({out.stat().st_size} bytes)')
