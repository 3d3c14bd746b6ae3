#!/usr/bin/env python3
"""Baseline for `npm run bench`: what existing list tools do with Python's standard library.

Reads an mbox (plain or .gz) with `mailbox`, parses each message with `email` (the modern
`email.policy.default` API that current tools use; ~1,000 messages/s here, as the issue measured),
decodes the headers a threader needs, threads by References/In-Reply-To (union of connected messages), groups series by the
"[PATCH vN M/K]" prefix. Prints "messages threads series seconds max_rss_kb" on one line.
"""
import email.header, email.policy, email.utils, gzip, mailbox, re, resource, sys, tempfile, time, shutil

start = time.time()
path = sys.argv[1]
if path.endswith('.gz'):
    tmp = tempfile.NamedTemporaryFile(delete=False, suffix='.mbox')
    with gzip.open(path, 'rb') as src:
        shutil.copyfileobj(src, tmp)
    tmp.close()
    path = tmp.name

def decode(value):
    try:
        return str(email.header.make_header(email.header.decode_header(value or '')))
    except Exception:
        return value or ''

parent = {}
def find(x):
    while parent.setdefault(x, x) != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x

count = 0
series = set()
ids = []
for msg in mailbox.mbox(path, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default)):
    count += 1
    mid = (msg.get('Message-ID') or f'<missing-{count}>').strip()
    ids.append(mid)
    refs = re.findall(r'<[^>]+>', (msg.get('References') or '') + ' ' + (msg.get('In-Reply-To') or ''))
    for r in refs:
        parent[find(r)] = find(mid)
    subject = decode(msg.get('Subject'))
    decode(msg.get('From'))
    email.utils.parsedate_to_datetime(msg.get('Date')) if msg.get('Date') else None
    m = re.match(r'\s*\[([^\]]*PATCH[^\]]*)\]\s*(.*)', subject)
    if m and not subject.lower().startswith('re:'):
        series.add((decode(msg.get('From')), m.group(2).strip().lower()))
threads = len({find(i) for i in ids})
print(count, threads, len(series), round(time.time() - start, 3), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
