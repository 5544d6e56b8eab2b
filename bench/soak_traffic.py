"""The soak's traffic and its report (bench/soak.sh starts the platform and calls this).

Usage: soak_traffic.py GATEWAY_URL SECONDS WARMUP_SECONDS NAME:PID...

Each route has its own threads, each with one keep-alive connection, asking one request after another with a short
pause, so the platform is busy but not saturated: a soak looks for leaks and rare errors, not for throughput.
Standard library only, so the bench needs nothing installed beyond python3.
"""
import http.client
import json
import random
import sys
import threading
import time
import uuid
from collections import defaultdict
from urllib.parse import urlparse

GATEWAY, DURATION, WARMUP = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
PROCESSES = [p.split(":") for p in sys.argv[4:]]
HOST = urlparse(GATEWAY)
QUESTIONS = ["How many vacation days do I get?", "When do we get paid?", "How do I reset my password?", "Is sick leave paid?"]
PARAPHRASES = ["how many days of holiday per year do I get", "what day is payday", "I forgot my password", "how many sick days do we get"]
HANDBOOK = ("Employees receive twenty five vacation days a year. Salaries are paid on the last working day of the month. "
            "Sick leave is paid from the first day with a doctor's note after three days. Passwords are reset at the help desk.")

lock = threading.Lock()
latencies = defaultdict(list)    # route -> seconds, after warm-up
counts = defaultdict(lambda: defaultdict(int))  # route -> outcome -> n (whole run)
errors = []                      # (route, what), every unintended failure
rss = defaultdict(list)          # process -> (t, kB)
start = time.monotonic()


class Client:
    """One keep-alive connection; reconnects after the server closes it."""

    def __init__(self, bearer):
        self.bearer, self.conn = bearer, None

    def request(self, method, path, body=None, content_type="application/json", timeout=120):
        headers = {"Authorization": f"Bearer {self.bearer}"} if self.bearer else {}
        if body is not None:
            headers["Content-Type"] = content_type
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.read(), dict(response.getheaders())
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server had already closed: once more on a new one.
                self.conn.close()
                self.conn = None
                if attempt:
                    raise


def setup():
    anonymous = Client(None)
    email, password = f"soak-{uuid.uuid4().hex[:8]}@example.com", "soak password 1234"
    anonymous.request("POST", "/auth/register", {"name": "soak", "email": email, "password": password})
    _, body, _ = anonymous.request("POST", "/auth/login", {"email": email, "password": password})
    session = Client(json.loads(body)["access_token"])
    _, body, _ = session.request("POST", "/api/keys", {"name": "soak"})
    key = Client(json.loads(body)["key"])
    # A key whose token budget admits a few streams a minute: the rest are the intended 429s.
    _, body, _ = session.request("POST", "/api/keys", {"name": "soak budget", "tpm": 2000})
    budget_key = json.loads(body)["key"]
    _, body, _ = key.request("POST", "/v1/assistants", {"model": "gpt-4o-mini", "name": "HR", "instructions": "Answer HR questions briefly."})
    assistant = json.loads(body)["id"]
    # Uploads go to an assistant of their own: each changes its knowledge version, which rightly empties its cache.
    _, body, _ = key.request("POST", "/v1/assistants", {"model": "gpt-4o-mini", "name": "Notes", "instructions": "Answer from the notes."})
    notes = json.loads(body)["id"]
    key.request("PUT", f"/api/intents/{assistant}", {"intents": [
        {"name": "vacation", "examples": ["How many vacation days do I get?", "How many days of holiday per year?"]},
        {"name": "payday", "examples": ["When do we get paid?", "What day is payday?"]},
        {"name": "password", "examples": ["How do I reset my password?", "I forgot my password"]},
        {"name": "sick", "examples": ["Is sick leave paid?", "How many sick days do we get?"]}]})
    status, body, _ = upload(key, assistant, "handbook.txt", HANDBOOK)
    assert status in (200, 201), body
    for question in QUESTIONS:  # answered once by the model and stored; the paraphrases then hit the cache
        key.request("POST", "/v1/chat/completions", {"model": assistant, "messages": [{"role": "user", "content": question}]})
    return key.bearer, budget_key, assistant, notes


def upload(client, assistant, name, text):
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="assistant_id"\r\n\r\n{assistant}\r\n',
             f'--{boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\nrag\r\n',
             f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\nContent-Type: text/plain\r\n\r\n{text}\r\n',
             f"--{boundary}--\r\n"]
    return client.request("POST", "/api/documents", "".join(parts).encode(), f"multipart/form-data; boundary={boundary}")


def stream_failure(body):
    """Why a finished SSE answer is broken, or None: an error event, or no end marker."""
    text = body.decode(errors="replace")
    if '"error"' in text:
        return "error event: " + text[text.index('"error"'):][:160]
    if "[DONE]" not in text and "event: done" not in text:
        return "stream ended without its end marker"
    return None


def record(route, started, status, body, intended=()):
    elapsed = time.monotonic() - started
    failure = None
    if status >= 400 and status not in intended:
        failure = f"HTTP {status}: {body[:200]!r}"
    elif status < 400 and (body.startswith(b"data:") or body.startswith(b"event:")):
        failure = stream_failure(body)
    outcome = "error" if failure else ("ok" if status < 400 else f"intended {status}")
    with lock:
        counts[route][outcome] += 1
        if failure:
            errors.append((route, round(time.monotonic() - start), failure))
        elif status < 400 and started - start >= WARMUP:
            latencies[route].append(elapsed)


def loop(route, pause, action, secret):
    def run():
        client = Client(secret)  # one connection per thread
        while time.monotonic() - start < DURATION:
            try:
                action(client)
            except Exception as ex:  # a failure to connect or read is an error like any other
                with lock:
                    counts[route]["error"] += 1
                    errors.append((route, round(time.monotonic() - start), repr(ex)[:200]))
            time.sleep(pause * random.uniform(0.5, 1.5))
    return threading.Thread(target=run, name=route, daemon=True)


def main():
    key_secret, budget_secret, assistant, notes = setup()

    def chat_stream(client):
        started = time.monotonic()
        status, body, _ = client.request("POST", "/v1/chat/completions", {
            "model": assistant, "stream": True,
            "messages": [{"role": "user", "content": random.choice(QUESTIONS)},
                         {"role": "assistant", "content": "Let me check."},
                         {"role": "user", "content": f"And for contract {random.randint(1, 10**6)}?"}]})
        record("chat stream", started, status, body)

    def cached_answer(client):
        started = time.monotonic()
        status, body, headers = client.request("POST", "/v1/chat/completions",
                                               {"model": assistant, "messages": [{"role": "user", "content": random.choice(PARAPHRASES)}]})
        record("cached answer", started, status, body)
        if status == 200:
            with lock:
                counts["cached answer"]["hit" if headers.get("X-Cache") == "hit" else "miss"] += 1

    def upload_and_delete(client):
        started = time.monotonic()
        status, body, _ = upload(client, notes, f"note-{uuid.uuid4().hex[:6]}.txt",
                                 f"Note {uuid.uuid4().hex}: the canteen opens at {random.randint(7, 9)} am. " * 20)
        record("upload", started, status, body)
        if status < 400:
            started = time.monotonic()
            status, body, _ = client.request("DELETE", f"/api/documents/{json.loads(body)['id']}")
            record("delete", started, status, body)

    def search(client):
        started = time.monotonic()
        status, body, _ = client.request("POST", "/api/documents/search",
                                         {"assistant_id": assistant, "query": random.choice(QUESTIONS), "top_k": 3})
        record("search", started, status, body)

    def voice(client):
        started = time.monotonic()
        status, body, _ = client.request("POST", "/api/voice/speak", {"prompt": random.choice(PARAPHRASES), "assistant_id": assistant})
        record("voice answer", started, status, body)

    def budget_stream(client):
        started = time.monotonic()
        status, body, _ = client.request("POST", "/v1/chat/completions", {
            "model": assistant, "stream": True, "max_tokens": 200,
            "messages": [{"role": "user", "content": f"Tell me about leave, case {random.randint(1, 10**6)}."}]})
        record("budget stream", started, status, body, intended=(429,))

    def sample():
        while time.monotonic() - start < DURATION:
            now = round(time.monotonic() - start)
            for name, pid in PROCESSES:
                try:
                    with open(f"/proc/{pid}/status") as status:
                        kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
                    rss[name].append((now, kb))
                except (OSError, StopIteration):
                    with lock:
                        errors.append(("process", now, f"{name} ({pid}) is gone"))
            time.sleep(10)

    k = key_secret
    threads = [loop("chat stream", 0.2, chat_stream, k), loop("chat stream", 0.2, chat_stream, k),
               loop("cached answer", 0.05, cached_answer, k), loop("cached answer", 0.05, cached_answer, k),
               loop("upload", 1.0, upload_and_delete, k), loop("search", 0.2, search, k),
               loop("voice answer", 1.0, voice, k), loop("budget stream", 0.5, budget_stream, budget_secret),
               threading.Thread(target=sample, daemon=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DURATION + 180)
    report()


def report():
    print(f"\nsoak: {DURATION:.0f} s through {GATEWAY}, warm-up {WARMUP:.0f} s (latency and RSS counted after it)")
    print(f"\n{'route':<15} {'ok':>7} {'429 (meant)':>12} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for route in sorted(counts):
        values = sorted(latencies[route])
        pick = lambda q: values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")
        c = counts[route]
        print(f"{route:<15} {c['ok']:>7} {c['intended 429']:>12} {c['error']:>7} {pick(0.5):>8.1f} {pick(0.99):>8.1f} {pick(1.0) if values else float('nan'):>8.1f}")
    c = counts["cached answer"]
    print(f"\ncached answers: {c['hit']} hits, {c['miss']} misses (a miss is answered by the model, not an error)")
    print(f"\n{'process':<20} {'first MB':>9} {'last MB':>9} {'max MB':>9} {'last/first':>10}   (after warm-up, sampled every 10 s)")
    for name, samples in rss.items():
        after = [kb for t, kb in samples if t >= WARMUP] or [kb for _, kb in samples]
        print(f"{name:<20} {after[0] / 1024:>9.1f} {after[-1] / 1024:>9.1f} {max(after) / 1024:>9.1f} {after[-1] / after[0]:>10.2f}")
    print(f"\nerrors other than the intended 429s: {len(errors)}")
    for route, at, what in errors[:20]:
        print(f"  {at:>5} s  {route}: {what}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
