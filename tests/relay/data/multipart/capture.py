#!/usr/bin/python3
"""Captures the multipart/form-data bodies real clients send, for tests/relay/tst_multipartform.cpp.

Run once by hand (/usr/bin/python3 capture.py, Debian's python; needs curl, node >= 18 and python3-httpx): each client posts the same
form (fields, a repeated field, a UTF-8 field and a binary file full of CRLF and "--") to a one-shot
loopback server that writes <client>.content-type and <client>.body here. The files are committed, so the
test needs none of these clients."""
import os, socket, subprocess, threading

HERE = os.path.dirname(os.path.abspath(__file__))
# The file part: every byte value, and the CRLF / dash runs that look like delimiters of any of the clients.
PAYLOAD = (b"\x00\x01--\r\n--\r\n\r\n----\r\n" + bytes(range(256)) + b"\r\n------formdata-undici-0\r\n"
           + b"\r\n--------------------------\r\n--" + b"\r\n\r\n" + bytes(range(255, -1, -1)) + b"\r\n--")


def serve_once(sock, name):
    conn, _ = sock.accept()
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        k, v = line.split(b":", 1)
        headers[k.strip().lower()] = v.strip()
    if headers.get(b"expect", b"").lower() == b"100-continue":
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    if b"content-length" in headers:
        n = int(headers[b"content-length"])
        while len(body) < n:
            body += conn.recv(65536)
    else:  # chunked
        while not body.endswith(b"0\r\n\r\n"):
            body += conn.recv(65536)
        raw, body = body, b""
        while True:
            size_line, raw = raw.split(b"\r\n", 1)
            size = int(size_line, 16)
            if size == 0:
                break
            body, raw = body + raw[:size], raw[size + 2:]
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
    conn.close()
    with open(os.path.join(HERE, name + ".content-type"), "wb") as f:
        f.write(headers[b"content-type"])
    with open(os.path.join(HERE, name + ".body"), "wb") as f:
        f.write(body)


def capture(name, command):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    url = "http://127.0.0.1:%d/v1/audio/transcriptions" % sock.getsockname()[1]
    t = threading.Thread(target=serve_once, args=(sock, name))
    t.start()
    command(url)
    t.join()
    sock.close()


def curl(url):
    payload = os.path.join(HERE, "payload.bin")
    subprocess.run(["curl", "-sS", "-o", "/dev/null", url, "-F", "model=whisper-1",
                    "-F", "timestamp_granularities[]=word", "-F", "timestamp_granularities[]=segment",
                    "-F", "prompt=Grüße, 你好", "-F", "file=@%s;filename=speech file.bin;type=application/octet-stream" % payload],
                   check=True)


NODE = r"""
const fs = require('fs');
const fd = new FormData();
fd.append('model', 'whisper-1');
fd.append('timestamp_granularities[]', 'word');
fd.append('timestamp_granularities[]', 'segment');
fd.append('prompt', 'Grüße, 你好');
fd.append('file', new Blob([fs.readFileSync(process.argv[2])], {type: 'application/octet-stream'}), 'speech file.bin');
fetch(process.argv[1], {method: 'POST', body: fd}).then(r => r.text()).catch(e => { console.error(e); process.exit(1); });
"""


def undici(url):
    subprocess.run(["node", "-e", NODE, url, os.path.join(HERE, "payload.bin")], check=True)


def httpx_client(url):
    import httpx
    httpx.post(url, data={"model": "whisper-1", "timestamp_granularities[]": ["word", "segment"],
                          "prompt": "Grüße, 你好"},
               files={"file": ("speech file.bin", PAYLOAD, "application/octet-stream")})


with open(os.path.join(HERE, "payload.bin"), "wb") as f:
    f.write(PAYLOAD)
capture("curl", curl)
capture("undici", undici)
capture("httpx", httpx_client)
