#!/usr/bin/env python3
"""Outside-in authorization and hostile-input sweep through a running gateway.

Run the platform as the README says (dotnet run --project AppHost, with AppHost__GatewayPort and AppHost__DataDirectory
for a second instance), then:  python3 tests/Sweep/authz_sweep.py http://localhost:PORT DATA_DIR

User A (the victim) gets one of everything; user B, B's keys, A's key for another assistant, nobody, forged and expired
JWTs and a revoked key then read, list, change, delete and use A's objects by id. Every answer is checked:
  - no or bad credentials: 401;
  - anyone else: 404 (a 403 `assistant_not_allowed` from the gateway's key-scope check only when the same call with a
    made-up id of the same kind gets the very same answer, so it tells nothing about existence), and in any case the
    same status as the same call with a made-up id;
  - never a 5xx, never A's secret text or an id of A's the request did not name;
  - A's objects read the same before and after.
Then the same routes with hostile path ids and bodies (no 5xx, no stack traces). Exit code 1 when anything is wrong.
The xunit matrix in tests/EndToEnd.Tests/Authorization is what CI runs; this script is the outside judge's view.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import sys
import time
import uuid
from collections import Counter

import requests

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://localhost:8080"
DATA = sys.argv[2] if len(sys.argv) > 2 else ".data"
SECRET = "SECRETA" + uuid.uuid4().hex[:10]
S = requests.Session()
calls = Counter()
_anonymous = {"n": 0, "session": None}


class _FromAddress(requests.adapters.HTTPAdapter):
    """Connections that leave from another loopback address."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


def anonymous_session():
    """The gateway limits callers without valid credentials per address (20 a minute): the sweep's many such calls
    leave from a new loopback address every 15 calls (127.0.0.1 gateways only, and the gateway must see client
    addresses, as it does under the AppHost)."""
    if "127.0.0.1" not in BASE:
        return S
    if _anonymous["n"] % 15 == 0:
        k = _anonymous["n"] // 15
        session = requests.Session()
        session.mount("http://", _FromAddress(f"127.0.{10 + k // 250}.{1 + k % 250}"))
        _anonymous["session"] = session
    _anonymous["n"] += 1
    return _anonymous["session"]
findings = []


def call(token, method, path, body=None, files=None, data=None, raw=None, headers=None, timeout=60, session=None):
    h = dict(headers or {})
    if token is None and session is None:
        session = anonymous_session()
    if token:
        h["Authorization"] = "Bearer " + token
    kw = {}
    if files is not None or data is not None:
        kw["files"], kw["data"] = files, data
    elif raw is not None:
        kw["data"] = raw
    elif body is not None:
        kw["json"] = body
    for _ in range(5):
        r = (session or S).request(method, BASE + path, headers=h, timeout=timeout, **kw)
        if r.status_code != 429:
            break
        time.sleep(min(int(r.headers.get("Retry-After", "5")), 20))
    calls[r.status_code] += 1
    return r


def ok(r, what):
    if r.status_code >= 300:
        raise SystemExit(f"setup failed: {what}: {r.status_code} {r.text[:300]}")
    return r.json() if r.content and "json" in r.headers.get("content-type", "") else r.text


def finding(kind, text):
    findings.append(f"[{kind}] {text}")
    print(f"  !! [{kind}] {text}", flush=True)


# ---------------------------------------------------------------- setup
EMAILS = {}


def user(name):
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    EMAILS[name] = email
    ok(call(None, "POST", "/auth/register", {"name": name, "email": email, "password": "correct horse battery"}), "register")
    login = ok(call(None, "POST", "/auth/login", {"email": email, "password": "correct horse battery"}), "login")
    me = ok(call(login["access_token"], "GET", "/auth/me"), "me")
    return login["access_token"], me["id"], login.get("refresh_token")


def key(token, assistants=None, name="k"):
    body = {"name": name}
    if assistants is not None:
        body["assistants"] = assistants
    k = ok(call(token, "POST", "/api/keys", body), "key")
    return k["key"], k["id"]


def upload_file(token, name, text):
    return ok(call(token, "POST", "/v1/files", files={"file": (name, text.encode(), "text/plain")},
                  data={"purpose": "assistants"}), "file")["id"]


def wait_run(token, thread, run):
    for _ in range(120):
        r = ok(call(token, "GET", f"/v1/threads/{thread}/runs/{run}"), "run")
        if r["status"] in ("completed", "failed", "incomplete", "expired", "cancelled", "requires_action"):
            return r
        time.sleep(0.5)
    raise SystemExit("run never finished")


def world(tag, token):
    """One of everything, for the user of `token`."""
    w = {}
    text = f"Employees get 27 vacation days per year. The code word is {SECRET}{tag}."
    w["asst"] = ok(call(token, "POST", "/v1/assistants", {"model": "gpt-4o-mini", "name": f"HR {tag}",
                                                          "instructions": f"Answer from the handbook. {SECRET}{tag}",
                                                          "tools": [{"type": "file_search"}]}), "asst")["id"]
    w["asst2"] = ok(call(token, "POST", "/v1/assistants", {"model": "gpt-4o-mini", "name": f"Other {tag}"}), "asst2")["id"]
    w["doc"] = ok(call(token, "POST", "/api/documents", files={"file": ("handbook.txt", text.encode(), "text/plain")},
                       data={"type": "rag", "assistant_id": w["asst"]}), "doc")["id"]
    w["file"] = upload_file(token, "notes.txt", text)
    w["file2"] = upload_file(token, "more.txt", text + " More.")
    w["vs"] = ok(call(token, "POST", "/v1/vector_stores", {"name": f"store {tag}", "file_ids": [w["file"]]}), "vs")["id"]
    w["batch"] = ok(call(token, "POST", f"/v1/vector_stores/{w['vs']}/file_batches", {"file_ids": [w["file2"]]}), "batch")["id"]
    w["vs_asst"] = "vs_" + w["asst"]
    w["thread"] = ok(call(token, "POST", "/v1/threads", {"messages": [{"role": "user", "content": f"How many vacation days? {SECRET}{tag}"}],
                                                        "metadata": {"owner": tag}}), "thread")["id"]
    w["msg"] = ok(call(token, "GET", f"/v1/threads/{w['thread']}/messages"), "msgs")["data"][0]["id"]
    w["run"] = ok(call(token, "POST", f"/v1/threads/{w['thread']}/runs", {"assistant_id": w["asst"]}), "run")["id"]
    wait_run(token, w["thread"], w["run"])
    steps = ok(call(token, "GET", f"/v1/threads/{w['thread']}/runs/{w['run']}/steps"), "steps")["data"]
    w["step"] = steps[0]["id"] if steps else "step_none"
    w["thread_unbound"] = ok(call(token, "POST", "/v1/threads", {}), "thread2")["id"]
    w["resp"] = ok(call(token, "POST", "/v1/responses", {"model": w["asst"], "input": f"How many vacation days? {SECRET}{tag}"}), "resp")["id"]
    w["conv"] = ok(call(token, "POST", "/v1/conversations", {"items": [{"type": "message", "role": "user",
                                                                        "content": f"hello {SECRET}{tag}"}]}), "conv")["id"]
    w["item"] = ok(call(token, "GET", f"/v1/conversations/{w['conv']}/items"), "items")["data"][0]["id"]
    ok(call(token, "PUT", f"/api/intents/{w['asst']}", {"intents": [
        {"name": "vacation", "examples": ["how many vacation days", "holiday allowance"], "answer": f"27 days {SECRET}{tag}"},
        {"name": "pay", "examples": ["when is payday", "salary date"]}]}), "intents")
    w["key"], w["key_id"] = key(token, [w["asst"]], "scoped")
    chat = ok(call(w["key"], "POST", "/api/chats/messages", {"assistant_id": w["asst"], "username": "ana",
                                                            "channel": {"id": "+1555" + tag, "service": "whatsapp"},
                                                            "message": "How many vacation days?"}), "chat")
    w["chat"] = chat["chat_id"]
    return w


# ---------------------------------------------------------------- forged credentials
def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(key_bytes, claims, alg="HS256"):
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    if alg == "none":
        return f"{head}.{body}."
    sig = hmac.new(key_bytes, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def hkdf(ikm, info, length=32):
    prk = hmac.new(b"\0" * 32, ikm, hashlib.sha256).digest()
    okm, t, i = b"", b"", 1
    while len(okm) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        okm, i = okm + t, i + 1
    return okm[:length]


def forged(victim_id):
    now = int(time.time())
    real = None
    path = os.path.join(DATA, "identity.key")
    if os.path.exists(path):
        real = hkdf(open(path, "rb").read().strip(), b"gateway-access-jwt")
    claims = {"sub": victim_id, "name": "A", "iss": "chatbot-gateway", "aud": "chatbot", "iat": now, "nbf": now, "exp": now + 600}
    out = {
        "jwt alg none": jwt(b"", claims, "none"),
        "jwt other key": jwt(os.urandom(32), claims),
        "jwt garbage": "eyJhbGciOiJIUzI1NiJ9.garbage.garbage",
        "api key unknown": "sk-" + b64(os.urandom(32)),
    }
    if real:
        out["jwt expired (real key)"] = jwt(real, {**claims, "iat": now - 3600, "nbf": now - 3600, "exp": now - 1800})
        out["jwt wrong audience (real key)"] = jwt(real, {**claims, "aud": "someone-else"})
    return out


# ---------------------------------------------------------------- targets
def targets(a, b):
    """(family, method, path, json body or callable returning kwargs) naming A's objects; b is the attacker's world."""
    A = a
    t = [
        ("assistants", "GET", f"/v1/assistants/{A['asst']}", None),
        ("assistants", "POST", f"/v1/assistants/{A['asst']}", {"name": "pwned"}),
        ("assistants", "DELETE", f"/v1/assistants/{A['asst']}", None),
        ("models", "GET", f"/v1/models/{A['asst']}", None),
        ("threads", "GET", f"/v1/threads/{A['thread']}", None),
        ("threads", "POST", f"/v1/threads/{A['thread']}", {"metadata": {"owner": "pwned"}}),
        ("threads", "DELETE", f"/v1/threads/{A['thread']}", None),
        ("threads", "GET", f"/v1/threads/{A['thread_unbound']}", None),
        ("threads", "POST", f"/v1/threads/{A['thread_unbound']}/messages", {"role": "user", "content": "x"}),
        ("messages", "GET", f"/v1/threads/{A['thread']}/messages", None),
        ("messages", "POST", f"/v1/threads/{A['thread']}/messages", {"role": "user", "content": "injected"}),
        ("messages", "GET", f"/v1/threads/{A['thread']}/messages/{A['msg']}", None),
        ("messages", "POST", f"/v1/threads/{A['thread']}/messages/{A['msg']}", {"metadata": {"x": "pwned"}}),
        ("messages", "DELETE", f"/v1/threads/{A['thread']}/messages/{A['msg']}", None),
        ("messages", "GET", f"/v1/threads/{b['thread']}/messages/{A['msg']}", None),
        ("runs", "GET", f"/v1/threads/{A['thread']}/runs", None),
        ("runs", "POST", f"/v1/threads/{A['thread']}/runs", {"assistant_id": b["asst"]}),
        ("runs", "GET", f"/v1/threads/{A['thread']}/runs/{A['run']}", None),
        ("runs", "GET", f"/v1/threads/{b['thread']}/runs/{A['run']}", None),
        ("runs", "POST", f"/v1/threads/{A['thread']}/runs/{A['run']}/cancel", None),
        ("runs", "POST", f"/v1/threads/{A['thread']}/runs/{A['run']}/submit_tool_outputs", {"tool_outputs": []}),
        ("run steps", "GET", f"/v1/threads/{A['thread']}/runs/{A['run']}/steps", None),
        ("run steps", "GET", f"/v1/threads/{A['thread']}/runs/{A['run']}/steps/{A['step']}", None),
        ("runs by ref", "POST", "/v1/threads/runs", {"assistant_id": A["asst"], "thread": {"messages": [{"role": "user", "content": "vacation?"}]}}),
        ("runs by ref", "POST", f"/v1/threads/{b['thread']}/runs", {"assistant_id": A["asst"]}),
        ("runs by ref", "POST", "/v1/threads/runs", {"assistant_id": b["asst"], "thread": {"tool_resources": {"file_search": {"vector_store_ids": [A["vs"]]}},
                                                                                          "messages": [{"role": "user", "content": "vacation?"}]}}),
        ("runs by ref", "POST", "/v1/threads/runs", {"assistant_id": b["asst"], "tool_resources": {"file_search": {"vector_store_ids": [A["vs"]]}},
                                                     "thread": {"messages": [{"role": "user", "content": "vacation?"}]}}),
        ("runs by ref", "POST", "/v1/threads/runs", {"assistant_id": b["asst"], "thread": {"messages": [
            {"role": "user", "content": "vacation?", "attachments": [{"file_id": A["file"], "tools": [{"type": "file_search"}]}]}]}}),
        ("threads by ref", "POST", "/v1/threads", {"tool_resources": {"file_search": {"vector_store_ids": [A["vs"]]}}}),
        ("threads by ref", "POST", "/v1/threads", {"messages": [{"role": "user", "content": "x",
                                                               "attachments": [{"file_id": A["file"], "tools": [{"type": "file_search"}]}]}]}),
        ("messages by ref", "POST", f"/v1/threads/{b['thread']}/messages", {"role": "user", "content": "x",
                                                                          "attachments": [{"file_id": A["file"], "tools": [{"type": "file_search"}]}]}),
        ("assistants by ref", "POST", "/v1/assistants", {"model": "gpt-4o-mini", "tools": [{"type": "file_search"}],
                                                        "tool_resources": {"file_search": {"vector_store_ids": [A["vs"]]}}}),
        ("assistants by ref", "POST", f"/v1/assistants/{b['asst']}", {"tool_resources": {"file_search": {"vector_store_ids": [A["vs"]]}}}),
        ("assistants by ref", "POST", f"/v1/assistants/{b['asst']}", {"tool_resources": {"file_search": {"vector_store_ids": [A["vs_asst"]]}}}),
        ("chat completions", "POST", "/v1/chat/completions", {"model": A["asst"], "messages": [{"role": "user", "content": "vacation days?"}]}),
        ("chat completions", "POST", "/v1/chat/completions", {"model": A["asst"], "stream": True, "messages": [{"role": "user", "content": "vacation?"}]}),
        ("responses", "GET", f"/v1/responses/{A['resp']}", None),
        ("responses", "GET", f"/v1/responses/{A['resp']}?stream=true&starting_after=0", None),
        ("responses", "DELETE", f"/v1/responses/{A['resp']}", None),
        ("responses", "POST", f"/v1/responses/{A['resp']}/cancel", None),
        ("responses", "GET", f"/v1/responses/{A['resp']}/input_items", None),
        ("responses by ref", "POST", "/v1/responses", {"model": A["asst"], "input": "vacation days?"}),
        ("responses by ref", "POST", "/v1/responses", {"model": b["asst"], "input": "what did I say?", "previous_response_id": A["resp"]}),
        ("responses by ref", "POST", "/v1/responses", {"model": "gpt-4o-mini", "input": "what did I say?", "previous_response_id": A["resp"]}),
        ("responses by ref", "POST", "/v1/responses", {"model": b["asst"], "input": "what did I say?", "conversation": A["conv"]}),
        ("responses by ref", "POST", "/v1/responses", {"model": b["asst"], "input": "what did I say?", "conversation": {"id": A["conv"]}}),
        ("responses by ref", "POST", "/v1/responses", {"model": b["asst"], "input": "vacation days?",
                                                      "tools": [{"type": "file_search", "vector_store_ids": [A["vs"]]}]}),
        ("responses by ref", "POST", "/v1/responses", {"model": b["asst"], "input": "vacation days?",
                                                      "tools": [{"type": "file_search", "vector_store_ids": [A["vs_asst"]]}]}),
        ("responses by ref", "POST", "/v1/responses", {"model": b["asst"], "input": "vacation days?", "stream": True,
                                                      "tools": [{"type": "file_search", "vector_store_ids": [A["vs"]]}]}),
        ("conversations", "GET", f"/v1/conversations/{A['conv']}", None),
        ("conversations", "POST", f"/v1/conversations/{A['conv']}", {"metadata": {"x": "pwned"}}),
        ("conversations", "DELETE", f"/v1/conversations/{A['conv']}", None),
        ("conversation items", "GET", f"/v1/conversations/{A['conv']}/items", None),
        ("conversation items", "POST", f"/v1/conversations/{A['conv']}/items", {"items": [{"type": "message", "role": "user", "content": "injected"}]}),
        ("conversation items", "GET", f"/v1/conversations/{A['conv']}/items/{A['item']}", None),
        ("conversation items", "GET", f"/v1/conversations/{b['conv']}/items/{A['item']}", None),
        ("conversation items", "DELETE", f"/v1/conversations/{A['conv']}/items/{A['item']}", None),
        ("conversation items", "DELETE", f"/v1/conversations/{b['conv']}/items/{A['item']}", None),
        ("files", "GET", f"/v1/files/{A['file']}", None),
        ("files", "GET", f"/v1/files/{A['file']}/content", None),
        ("files", "DELETE", f"/v1/files/{A['file']}", None),
        ("vector stores", "GET", f"/v1/vector_stores/{A['vs']}", None),
        ("vector stores", "POST", f"/v1/vector_stores/{A['vs']}", {"name": "pwned"}),
        ("vector stores", "DELETE", f"/v1/vector_stores/{A['vs']}", None),
        ("vector stores", "POST", f"/v1/vector_stores/{A['vs']}/search", {"query": "vacation"}),
        ("vector stores", "GET", f"/v1/vector_stores/{A['vs_asst']}", None),
        ("vector stores", "POST", f"/v1/vector_stores/{A['vs_asst']}/search", {"query": "vacation"}),
        ("vector stores by ref", "POST", "/v1/vector_stores", {"name": "mine", "file_ids": [A["file"]]}),
        ("vector store files", "GET", f"/v1/vector_stores/{A['vs']}/files", None),
        ("vector store files", "POST", f"/v1/vector_stores/{A['vs']}/files", {"file_id": b["file"]}),
        ("vector store files", "GET", f"/v1/vector_stores/{A['vs']}/files/{A['file']}", None),
        ("vector store files", "POST", f"/v1/vector_stores/{A['vs']}/files/{A['file']}", {"attributes": {"x": "pwned"}}),
        ("vector store files", "DELETE", f"/v1/vector_stores/{A['vs']}/files/{A['file']}", None),
        ("vector store files", "GET", f"/v1/vector_stores/{A['vs']}/files/{A['file']}/content", None),
        ("vector store files", "GET", f"/v1/vector_stores/{A['vs_asst']}/files", None),
        ("vector store files", "GET", f"/v1/vector_stores/{A['vs_asst']}/files/{A['doc']}", None),
        ("vector store files", "GET", f"/v1/vector_stores/{A['vs_asst']}/files/{A['doc']}/content", None),
        ("vector store files", "DELETE", f"/v1/vector_stores/{A['vs_asst']}/files/{A['doc']}", None),
        ("vector store files", "POST", f"/v1/vector_stores/{A['vs_asst']}/files", {"file_id": b["file"]}),
        ("vector store files by ref", "POST", f"/v1/vector_stores/{b['vs']}/files", {"file_id": A["file"]}),
        ("vector store files by ref", "POST", f"/v1/vector_stores/{b['vs']}/files", {"file_id": A["doc"]}),
        ("vector store files by ref", "GET", f"/v1/vector_stores/{b['vs']}/files/{A['file']}", None),
        ("vector store files by ref", "GET", f"/v1/vector_stores/{b['vs']}/files/{A['file']}/content", None),
        ("file batches", "POST", f"/v1/vector_stores/{A['vs']}/file_batches", {"file_ids": [b["file"]]}),
        ("file batches", "GET", f"/v1/vector_stores/{A['vs']}/file_batches/{A['batch']}", None),
        ("file batches", "POST", f"/v1/vector_stores/{A['vs']}/file_batches/{A['batch']}/cancel", None),
        ("file batches", "GET", f"/v1/vector_stores/{A['vs']}/file_batches/{A['batch']}/files", None),
        ("file batches", "GET", f"/v1/vector_stores/{b['vs']}/file_batches/{A['batch']}", None),
        ("file batches", "GET", f"/v1/vector_stores/{b['vs']}/file_batches/{A['batch']}/files", None),
        ("file batches by ref", "POST", f"/v1/vector_stores/{b['vs']}/file_batches", {"file_ids": [A["file"]]}),
        ("file batches by ref", "POST", f"/v1/vector_stores/{b['vs']}/file_batches", {"files": [{"file_id": A["file"]}]}),
        ("documents", "GET", f"/api/documents/{A['doc']}", None),
        ("documents", "GET", f"/api/documents/{A['doc']}/content", None),
        ("documents", "PUT", f"/api/documents/{A['doc']}", lambda: {"files": {"file": ("x.txt", b"pwned", "text/plain")}, "data": {}}),
        ("documents", "DELETE", f"/api/documents/{A['doc']}", None),
        ("documents by ref", "POST", "/api/documents", lambda: {"files": {"file": ("x.txt", b"pwned", "text/plain")},
                                                                  "data": {"type": "rag", "assistant_id": A["asst"]}}),
        ("documents by ref", "POST", "/api/documents/search", {"assistant_id": A["asst"], "query": "vacation", "top_k": 5}),
        ("knowledge", "GET", f"/api/assistants/{A['asst']}/knowledge", None),
        ("internal only", "DELETE", f"/api/assistants/{A['asst']}/documents", None),
        ("ask", "POST", f"/api/ask?assistant_id={A['asst']}", lambda: {"raw": b"vacation days?", "headers": {"content-type": "text/plain"}}),
        ("channel chats", "GET", f"/api/chats/{A['chat']}", None),
        ("channel chats", "POST", f"/api/chats/{A['chat']}/activate", None),
        ("channel chats", "POST", f"/api/chats/{A['chat']}/deactivate", None),
        ("channel chats by ref", "POST", "/api/chats/messages", {"assistant_id": A["asst"], "username": "eve",
                                                                  "channel": {"id": "+1555" + "A", "service": "whatsapp"}, "message": "hi"}),
        ("intents", "GET", f"/api/intents/{A['asst']}", None),
        ("intents", "PUT", f"/api/intents/{A['asst']}", {"intents": [{"name": "pwned", "examples": ["a", "b"]}]}),
        ("intents", "POST", f"/api/intents/{A['asst']}/classify", {"text": "holiday allowance"}),
        ("intent cache", "DELETE", f"/api/intent-cache/{A['asst']}", None),
        ("intent cache by ref", "POST", "/api/intent-cache/feedback", {"assistant_id": A["asst"], "text": "how many vacation days", "helpful": False}),
        ("internal only", "POST", "/api/intent-cache/lookup", {"assistant_id": A["asst"], "text": "how many vacation days", "context": [], "knowledge_version": "x"}),
        ("internal only", "POST", "/api/intent-cache/store", {"assistant_id": A["asst"], "text": "q", "context": [], "knowledge_version": "x", "answer": "pwned"}),
        ("internal only", "DELETE", f"/api/intent-cache/assistants/{A['asst']}", None),
        ("voice", "POST", "/api/voice/speak", {"text": "hello", "assistant_id": A["asst"]}),
        ("voice", "POST", "/api/voice/speak", {"prompt": "vacation days?", "assistant_id": A["asst"]}),
        ("audio", "POST", "/v1/audio/speech", {"model": A["asst"], "input": "hello", "voice": "alloy"}),
        ("audio", "POST", "/v1/audio/transcriptions", lambda: {"files": {"file": ("q.wav", wav(), "audio/wav")}, "data": {"model": A["asst"]}}),
        ("voice", "POST", "/api/voice/respond", lambda: {"files": {"file": ("q.wav", wav(), "audio/wav")}, "data": {"assistant_id": A["asst"]}}),
        ("keys", "DELETE", f"/api/keys/{A['key_id']}", None),
        ("keys by ref", "POST", "/api/keys", {"name": "stolen", "assistants": [A["asst"]]}),
    ]
    for lst in ["/v1/assistants", "/v1/threads", "/v1/files", "/v1/vector_stores", "/api/conversations",
                f"/v1/threads/{b['thread']}/messages", f"/v1/threads/{b['thread']}/runs", f"/v1/vector_stores/{b['vs']}/files",
                f"/v1/conversations/{b['conv']}/items"]:
        last = {"assistants": "asst", "threads": "thread", "files": "file", "vector_stores": "vs", "conversations": "conv",
                "messages": "msg", "runs": "run", "items": "item"}[lst.rsplit("/", 1)[1]]
        t.append(("lists by ref", "GET", f"{lst}?after={A[last]}", None))
        if lst != "/v1/files":  # OpenAI's Files API pages forwards only: no `before`
            t.append(("lists by ref", "GET", f"{lst}?before={A[last]}", None))
    return t


def scope_targets(A):
    """For A's key scoped to asst2: A's objects bound to asst1 or made by A's session, used from asst2's side."""
    q = {"role": "user", "content": "vacation days?"}
    return [
        ("key scope by ref", "POST", "/v1/responses", {"model": A["asst2"], "input": "what did I say?", "previous_response_id": A["resp"]}),
        ("key scope by ref", "POST", "/v1/responses", {"model": A["asst2"], "input": "what did I say?", "conversation": A["conv"]}),
        ("key scope by ref", "POST", "/v1/responses", {"model": A["asst2"], "input": "vacation?", "tools": [{"type": "file_search", "vector_store_ids": [A["vs"]]}]}),
        ("key scope by ref", "POST", "/v1/responses", {"model": A["asst2"], "input": "vacation?", "tools": [{"type": "file_search", "vector_store_ids": [A["vs_asst"]]}]}),
        ("key scope by ref", "POST", "/v1/threads/runs", {"assistant_id": A["asst2"], "thread": {"messages": [q], "tool_resources": {"file_search": {"vector_store_ids": [A["vs_asst"]]}}}}),
        ("key scope by ref", "POST", "/v1/threads/runs", {"assistant_id": A["asst2"], "tool_resources": {"file_search": {"vector_store_ids": [A["vs"]]}}, "thread": {"messages": [q]}}),
        ("key scope by ref", "POST", "/v1/threads", {"tool_resources": {"file_search": {"vector_store_ids": [A["vs_asst"]]}}}),
        ("key scope by ref", "POST", "/v1/threads", {"messages": [{**q, "attachments": [{"file_id": A["file"], "tools": [{"type": "file_search"}]}]}]}),
        ("key scope by ref", "POST", f"/v1/threads/{A['thread']}/runs", {"assistant_id": A["asst2"]}),
        ("key scope by ref", "POST", f"/v1/threads/{A['thread_unbound']}/runs", {"assistant_id": A["asst2"]}),
        ("key scope by ref", "POST", f"/v1/assistants/{A['asst2']}", {"tool_resources": {"file_search": {"vector_store_ids": [A["vs_asst"]]}}}),
        ("key scope by ref", "POST", f"/v1/assistants/{A['asst2']}", {"tool_resources": {"file_search": {"vector_store_ids": [A["vs"]]}}}),
        ("key scope by ref", "POST", "/v1/vector_stores", {"name": "k", "file_ids": [A["file"]]}),
        ("key scope by ref", "POST", f"/v1/vector_stores/vs_{A['asst2']}/files", {"file_id": A["file"]}),
        ("key scope by ref", "POST", f"/v1/vector_stores/vs_{A['asst2']}/files", {"file_id": A["doc"]}),
        ("key scope by ref", "POST", f"/v1/vector_stores/vs_{A['asst2']}/file_batches", {"file_ids": [A["file"]]}),
        ("key scope by ref", "GET", f"/v1/vector_stores/vs_{A['asst2']}/files/{A['doc']}", None),
    ]


def session_only_targets(A):
    """For A's key scoped to asst1: what A's session made and bound to no assistant is not the key's."""
    return [
        ("session objects", "GET", f"/v1/files/{A['file']}", None),
        ("session objects", "GET", f"/v1/files/{A['file']}/content", None),
        ("session objects", "DELETE", f"/v1/files/{A['file']}", None),
        ("session objects", "GET", f"/v1/vector_stores/{A['vs']}", None),
        ("session objects", "POST", f"/v1/vector_stores/{A['vs']}/search", {"query": "vacation"}),
        ("session objects", "GET", f"/v1/vector_stores/{A['vs']}/files", None),
        ("session objects", "GET", f"/v1/vector_stores/{A['vs']}/file_batches/{A['batch']}", None),
        ("session objects", "DELETE", f"/v1/vector_stores/{A['vs']}", None),
        ("session objects", "GET", f"/v1/threads/{A['thread_unbound']}", None),
        ("session objects", "GET", f"/v1/conversations/{A['conv']}", None),
        ("session objects", "GET", f"/v1/conversations/{A['conv']}/items", None),
        ("session objects", "DELETE", f"/v1/conversations/{A['conv']}", None),
        ("session objects by ref", "POST", "/v1/responses", {"model": A["asst"], "input": "what did I say?", "conversation": A["conv"]}),
        ("session objects by ref", "POST", "/v1/responses", {"model": A["asst"], "input": "vacation?", "tools": [{"type": "file_search", "vector_store_ids": [A["vs"]]}]}),
        ("session objects by ref", "POST", f"/v1/vector_stores/{A['vs_asst']}/files", {"file_id": A["file"]}),
        ("session objects by ref", "POST", "/v1/vector_stores", {"name": "k", "file_ids": [A["file"]]}),
        ("session objects by ref", "POST", f"/v1/threads/{A['thread_unbound']}/runs", {"assistant_id": A["asst"]}),
        ("session objects by ref", "POST", "/v1/threads", {"tool_resources": {"file_search": {"vector_store_ids": [A["vs"]]}}}),
        ("session objects by ref", "POST", f"/v1/assistants/{A['asst']}", {"tool_resources": {"file_search": {"vector_store_ids": [A["vs"]]}}}),
        ("session objects by ref", "POST", "/v1/threads/runs", {"assistant_id": A["asst"], "thread": {"messages": [
            {"role": "user", "content": "vacation?", "attachments": [{"file_id": A["file"], "tools": [{"type": "file_search"}]}]}]}}),
    ]


def wav(seconds=0.5, rate=16000):
    n = int(seconds * rate) * 2
    header = b"RIFF" + (36 + n).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little") + (1).to_bytes(2, "little") \
        + (1).to_bytes(2, "little") + rate.to_bytes(4, "little") + (rate * 2).to_bytes(4, "little") + (2).to_bytes(2, "little") \
        + (16).to_bytes(2, "little") + b"data" + n.to_bytes(4, "little")
    return header + b"\0" * n


def kwargs_of(body):
    if body is None:
        return {}
    if callable(body):
        return body()
    return {"body": body}


ID_RE = re.compile(r"\b(?:asst|thread|msg|run|step|file|doc|vs|vsfb|resp|conv|item|chat|key|usr|msg)_[A-Za-z0-9_]+")


def fake_of(path_or_body, a, own=()):
    """The same request with every id of A's (but the caller's own) replaced by a made-up id of the same kind."""
    text = json.dumps(path_or_body) if not isinstance(path_or_body, str) else path_or_body
    for k, v in sorted(a.items(), key=lambda kv: -len(kv[1])):
        if isinstance(v, str) and "_" in v and k not in ("key",) and v not in own and not any(o in v for o in own):
            prefix = v.split("_")[0]
            if v.startswith("vs_asst_"):
                prefix = "vs_asst"
            text = text.replace(v, prefix + "_" + "0" * 24)
    return text if isinstance(path_or_body, str) else json.loads(text)


def a_ids(a):
    return {v for k, v in a.items() if k != "key" and isinstance(v, str) and "_" in v}


def error_code(r):
    try:
        j = r.json()
    except Exception:
        return None
    if isinstance(j, dict):
        if isinstance(j.get("error"), dict):
            return j["error"].get("code")
        return j.get("code")
    return None


def body_text(r):
    try:
        return r.text
    except Exception:
        return ""


def check(a, caller, kind, family, method, path, body, own=()):
    kw = kwargs_of(body)
    if kind == "nobody":
        kw["session"] = anonymous_session()
    r = call(caller_tokens[caller], method, path, **kw)
    text = body_text(r)
    label = f"{family}: {caller} {method} {path}" + (f" {json.dumps(body)[:160]}" if isinstance(body, dict) else "")
    status = r.status_code
    results.append((family, caller, status))
    if status >= 500:
        finding("5xx", f"{label} -> {status} {text[:200]}")
    if SECRET + "A" in text:
        finding("LEAK", f"{label} -> {status} carries A's secret text: {text[:300]}")
    named = set(ID_RE.findall(path + json.dumps(body if isinstance(body, dict) else "")))
    leaked = (set(ID_RE.findall(text)) & a_ids(a)) - named
    if leaked:
        finding("LEAK", f"{label} -> {status} names A's ids {sorted(leaked)}")
    if family == "internal only":
        if status != 404 and not (kind == "nobody" and status == 401):
            finding("INTERNAL", f"{label} -> {status}, expected the gateway's 404: {text[:200]}")
        return
    if kind == "nobody":
        if status != 401:
            finding("AUTHN", f"{label} -> {status}, expected 401: {text[:200]}")
        return
    if 200 <= status < 300:
        finding("AUTHZ", f"{label} -> {status} (allowed!) {text[:300]}")
        return
    # No existence oracle: the same call with made-up ids must be answered the same way.
    fpath = fake_of(path, a, own)
    fkw = dict(kw)
    if "body" in fkw:
        fkw["body"] = fake_of(fkw["body"], a, own)
    if "data" in fkw and isinstance(fkw["data"], dict):
        fkw["data"] = fake_of(fkw["data"], a, own)
    f = call(caller_tokens[caller], method, fpath, **fkw)
    if (f.status_code, error_code(f)) != (status, error_code(r)):
        finding("ORACLE", f"{label} -> {status} {error_code(r)} but with made-up ids {f.status_code} {error_code(f)}: {text[:200]}")
    elif status == 403:
        pass  # a key's documented limits (scope, no key management, no assistant creation): the same for any id
    elif status not in (404,) and not (status == 400 and family.endswith("by ref")) and not (status == 405):
        finding("STATUS", f"{label} -> {status} {error_code(r)} (expected 404): {text[:200]}")


LISTS = ["/v1/assistants?limit=100", "/v1/threads?limit=100", "/v1/files?limit=100", "/v1/vector_stores?limit=100",
         "/api/documents", "/api/chats", "/api/conversations?limit=100", "/api/voice/turns", "/api/keys",
         "/api/intent-cache/stats", "/v1/models"]


def snapshot(token, a):
    paths = [f"/v1/assistants/{a['asst']}", f"/v1/threads/{a['thread']}", f"/v1/threads/{a['thread']}/messages",
             f"/v1/threads/{a['thread']}/runs", f"/v1/threads/{a['thread_unbound']}/messages",
             f"/v1/responses/{a['resp']}", f"/v1/conversations/{a['conv']}", f"/v1/conversations/{a['conv']}/items",
             f"/v1/files/{a['file']}", f"/v1/files/{a['file']}/content", f"/v1/vector_stores/{a['vs']}",
             f"/v1/vector_stores/{a['vs']}/files", f"/v1/vector_stores/{a['vs']}/file_batches/{a['batch']}",
             f"/v1/vector_stores/{a['vs_asst']}/files", f"/api/documents/{a['doc']}", f"/api/documents/{a['doc']}/content",
             f"/api/intents/{a['asst']}", f"/api/chats/{a['chat']}", "/api/keys"]
    volatile = re.compile(r'"(last_active_at|usage_bytes|expires_at|last_used_at|revision_checked)":\s*[^,}]+')
    return {p: (lambda r: (r.status_code, volatile.sub("", r.text)))(call(token, "GET", p)) for p in paths}


def hostile(token, a):
    """Hostile ids in every id position and hostile bodies on every writable route, as A on A's own world."""
    ids = ["x" * 5000, "asst_" + "9" * 3000, "a%2Fb", "..%2F..%2Fetc%2Fpasswd", "%00", "asst_%00", "%E2%80%AE%F0%9F%92%A9",
           "%C0%AF", "%FF%FE", "' OR 1=1 --", "%252e%252e", "thread_%0d%0aX-Injected:%201", "%7B%7D", "null", "-1",
           "1e309", "%20"]
    shapes = sorted({(m, p) for (_, m, p, _) in targets(a, a)})
    tried = 0
    for method, path in shapes:
        for victim in [v for v in a_ids(a) if v in path][:1]:
            for bad in ids:
                p = path.replace(victim, bad)
                r = call(token, method, p, body={} if method in ("POST", "PUT") else None)
                tried += 1
                t = body_text(r)
                if r.status_code >= 500 or "   at " in t or "Exception" in t:
                    finding("HOSTILE", f"{method} {p[:120]} -> {r.status_code} {t[:200]}")
    wrong_types = [[], "s", 1e308, {"a": {"b": [1]}}, "x" * 100000]
    writable = sorted({(m, p) for (_, m, p, b) in targets(a, a) if isinstance(b, dict)})
    fields = {}
    for _, m, p, b in targets(a, a):
        if isinstance(b, dict):
            fields.setdefault((m, p), set()).update(b.keys())
    for (method, path) in writable:
        for field in sorted(fields[(method, path)]) + ["model", "metadata", "limit"]:
            for value in wrong_types:
                r = call(token, method, path, body={field: value})
                tried += 1
                t = body_text(r)
                if r.status_code >= 500 or "   at " in t:
                    finding("HOSTILE", f"{method} {path} {{{field}: {json.dumps(value)[:40]}}} -> {r.status_code} {t[:200]}")
        for raw in [b"{", b"[]", b"null", b"\xff\xfe", b'{"a":' * 10000, b'"' + b"a" * 1000 + b'"']:
            r = call(token, method, path, raw=raw, headers={"content-type": "application/json"})
            tried += 1
            if r.status_code >= 500:
                finding("HOSTILE", f"{method} {path} raw {raw[:20]!r} -> {r.status_code} {body_text(r)[:200]}")
    big = b'{"name":"' + b"a" * (10 * 1024 * 1024) + b'"}'
    for method, path in [("POST", "/v1/assistants"), ("POST", "/v1/chat/completions"), ("POST", "/v1/responses"),
                         ("POST", "/v1/vector_stores"), ("PUT", f"/api/intents/{a['asst']}"), ("POST", "/api/voice/speak"),
                         ("POST", "/v1/audio/speech"), ("POST", "/v1/conversations"), ("POST", "/v1/embeddings"),
                         ("POST", f"/v1/threads/{a['thread']}/messages"), ("POST", "/api/chats/messages")]:
        r = call(token, method, path, raw=big, headers={"content-type": "application/json"}, timeout=120)
        tried += 1
        if r.status_code not in (400, 413):
            finding("HOSTILE", f"{method} {path} 10 MB body -> {r.status_code} {body_text(r)[:200]}")
    for name in ["../../etc/passwd", "..\\..\\win.ini", "/etc/passwd", "a/b/c.txt", "%2e%2e%2fx.txt", "nul\0.txt", "ｓｅｃｒｅｔ.txt",
                 "x" * 1000 + ".txt", ".", "..", "", "CON"]:
        for path, data in [("/v1/files", {"purpose": "assistants"}), ("/api/documents", {"type": "rag", "assistant_id": a["asst"]})]:
            r = call(token, "POST", path, files={"file": (name, b"plain words", "text/plain")}, data=data)
            tried += 1
            t = body_text(r)
            if r.status_code >= 500:
                finding("HOSTILE", f"upload {path} name {name[:40]!r} -> {r.status_code} {t[:200]}")
            elif r.status_code < 300:
                j = r.json()
                stored = j.get("filename", "")
                if "/" in stored or "\\" in stored or stored in (".", "..") or "\0" in stored:
                    finding("HOSTILE", f"upload {path} name {name[:40]!r} stored as {stored[:60]!r}")
    return tried


def auth_checks(a_token, a_refresh, a_email_token, tokens):
    """The native auth routes: rotation, forged credentials, header tricks."""
    out = []

    def expect(label, r, statuses):
        out.append(r.status_code)
        if r.status_code not in statuses or r.status_code >= 500:
            finding("AUTH", f"{label} -> {r.status_code}, expected {statuses}: {body_text(r)[:200]}")

    first = call(None, "POST", "/auth/refresh", {"refresh_token": a_refresh})
    expect("refresh with a fresh refresh token", first, (200,))
    expect("the same refresh token again (rotated)", call(None, "POST", "/auth/refresh", {"refresh_token": a_refresh}), (401,))
    expect("refresh with an access token", call(None, "POST", "/auth/refresh", {"refresh_token": a_token}), (401,))
    expect("refresh with nothing", call(None, "POST", "/auth/refresh", {}), (400, 401))
    expect("refresh with a number", call(None, "POST", "/auth/refresh", {"refresh_token": 5}), (400,))
    expect("login with a wrong password", call(None, "POST", "/auth/login", {"email": a_email_token, "password": "wrong horse"}), (401,))
    expect("login with an unknown email", call(None, "POST", "/auth/login", {"email": "nobody-" + uuid.uuid4().hex + "@example.com", "password": "wrong horse"}), (401,))
    expect("register the same email again", call(None, "POST", "/auth/register", {"name": "x", "email": a_email_token, "password": "correct horse battery"}), (400, 409))
    expect("register with a short password", call(None, "POST", "/auth/register", {"name": "x", "email": uuid.uuid4().hex + "@example.com", "password": "a"}), (400,))
    expect("register with no email", call(None, "POST", "/auth/register", {"name": "x", "password": "correct horse battery"}), (400,))
    expect("register with a 100k name", call(None, "POST", "/auth/register", {"name": "x" * 100000, "email": uuid.uuid4().hex + "@example.com", "password": "correct horse battery"}), (400, 413))
    expect("register with an array", call(None, "POST", "/auth/register", raw=b"[]", headers={"content-type": "application/json"}), (400,))
    for name, token in tokens.items():
        expect(f"/auth/me as {name}", call(token, "GET", "/auth/me"), (401,))
        r = anonymous_session().get(BASE + "/auth/me", headers={"X-API-Key": token or ""})
        calls[r.status_code] += 1
        expect(f"/auth/me with X-API-Key {name}", r, (401,))
    # A client's own caller-identity header is dropped at the door: anonymous stays anonymous.
    r = anonymous_session().get(BASE + "/v1/assistants", headers={"X-Caller-Identity": "usr_x.forged.sig"})
    calls[r.status_code] += 1
    expect("anonymous with an X-Caller-Identity header", r, (401,))
    r = anonymous_session().get(BASE + "/auth/me", headers={"Authorization": "Basic " + base64.b64encode(b"a:b").decode()})
    calls[r.status_code] += 1
    expect("Basic credentials", r, (401,))
    return out


if __name__ == "__main__":
    t0 = time.time()
    a_token, a_id, a_refresh = user("alice")
    b_token, b_id, _ = user("bob")
    print("setting up A and B ...", flush=True)
    A = world("A", a_token)
    B = world("B", b_token)
    b_key_scoped, _ = key(b_token, [B["asst"]], "b-scoped")
    b_key_all, _ = key(b_token, None, "b-all")
    a_key_other, _ = key(a_token, [A["asst2"]], "a-other")
    revoked, revoked_id = key(b_token, None, "revoked")
    ok(call(b_token, "DELETE", f"/api/keys/{revoked_id}"), "revoke")
    a_key_revoked, a_revoked_id = key(a_token, [A["asst"]], "a-revoked")
    ok(call(a_token, "DELETE", f"/api/keys/{a_revoked_id}"), "revoke")

    caller_tokens = {"anonymous": None, "revoked key (B)": revoked, "revoked key (A's own)": a_key_revoked,
                     **forged(a_id),
                     "B session": b_token, "B key scoped": b_key_scoped, "B key unscoped": b_key_all,
                     "A key for asst2": a_key_other, "A key for asst1": A["key"]}
    nobody = {"anonymous", "revoked key (B)", "revoked key (A's own)"} | set(forged(a_id))
    results = []
    before = snapshot(a_token, A)
    for caller in caller_tokens:
        if caller == "A key for asst1":
            continue
        kind = "nobody" if caller in nobody else "other"
        for family, method, path, body in targets(A, B):
            if caller == "A key for asst2" and family in ("keys by ref",):
                continue
            check(A, caller, kind, family, method, path, body)
    for family, method, path, body in scope_targets(A):
        check(A, "A key for asst2", "other", family, method, path, body, own=(A["asst2"],))
    for family, method, path, body in session_only_targets(A):
        check(A, "A key for asst1", "other", family, method, path, body, own=(A["asst"],))
    # lists as every authenticated other caller: nothing of A's
    for caller in caller_tokens:
        if caller in nobody:
            for path in LISTS:
                r = call(caller_tokens[caller], "GET", path, session=anonymous_session())
                results.append(("lists", caller, r.status_code))
                if r.status_code != 401:
                    finding("AUTHN", f"list {path} by {caller} -> {r.status_code}")
            continue
        for path in LISTS + [f"/api/documents?assistant_id={A['asst']}", f"/v1/vector_stores/{B['vs']}/files",
                             f"/v1/conversations/{B['conv']}/items", f"/v1/threads/{B['thread']}/messages"]:
            r = call(caller_tokens[caller], "GET", path)
            results.append(("lists", caller, r.status_code))
            t = body_text(r)
            leaked = (set(ID_RE.findall(t)) & a_ids(A)) - set(ID_RE.findall(path))
            if caller == "A key for asst1":
                continue
            if caller == "A key for asst2":
                leaked -= {A["asst2"], A["key_id"]} if "/api/keys" not in path else set()
            if r.status_code >= 500 or SECRET + "A" in t or leaked:
                finding("LIST", f"{path} by {caller} -> {r.status_code} shows {sorted(leaked)} {'SECRET' if SECRET + 'A' in t else ''}")
    after = snapshot(a_token, A)
    for p in before:
        if before[p] != after[p]:
            finding("CHANGED", f"A's {p}: {before[p][0]} -> {after[p][0]}\n   before {before[p][1][:300]}\n   after  {after[p][1][:300]}")
    authz_calls = sum(calls.values())
    print(f"authorization: {len(results)} cells, {authz_calls} calls so far", flush=True)
    by = Counter(s for _, _, s in results)
    print("cells per status:", dict(sorted(by.items())))
    fam = Counter((f, s) for f, _, s in results)
    for f in sorted({f for f, _, _ in results}):
        print(f"  {f:28s}", {s: n for (ff, s), n in sorted(fam.items()) if ff == f})
    if "--no-hostile" not in sys.argv:
        n = hostile(a_token, A)
        print(f"hostile: {n} calls")
    # Last: reusing A's rotated refresh token ends A's session, and with it a_token (logout semantics).
    n = auth_checks(a_token, a_refresh, EMAILS["alice"], {k: v for k, v in caller_tokens.items() if k in nobody and v})
    print(f"auth routes: {len(n)} checks")
    print(f"total calls {sum(calls.values())}; per status {dict(sorted(calls.items()))}; {time.time() - t0:.0f} s")
    print(f"{len(findings)} findings")
    for f in findings:
        print(" ", f)
    sys.exit(1 if findings else 0)
