#!/usr/bin/env python3
"""An agent-style chat completions body of about SIZE_KB kilobytes, for run_body_bench.sh.

A system prompt, then alternating user/assistant messages of mixed English prose and code (fenced blocks with
quotes, backslashes and indentation, so JSON escapes occur as in real traffic, and a little non-ASCII punctuation
as LLM output has), ending with a short user message that holds the marker @TURN@: the bench replaces it with the
same text every request ("same") or a different text every request ("turns", an agent resending its context
with a new turn). The text is pseudo-random but seeded: the same SIZE_KB gives the same body on every run.

    make_chat_body.py SIZE_KB [MODEL] > body.json        (stream:false; within a few % of SIZE_KB)
"""
import json
import random
import sys

WORDS = """the a an of to in for on with that this it is are was be by as from at or not we you they can will
should would could request response relay upstream client server token tokens model message messages context
conversation function value values buffer parser thread queue latency budget cache error errors retry timeout
stream chunk chunks header headers body field fields record records ledger quota price user users key keys
channel channels config file files test tests build release change changes review patch commit branch merge
because when while after before since until unless then also only still already again instead however every
each both either neither first last next previous small large fast slow simple careful honest clear short long
read write parse count measure check return call send receive open close start stop keep drop move copy split
join sort filter map reduce hold settle refund reserve admit refuse accept reject log trace profile""".split()
FANCY = ["—", "→", "“", "”", "é", "…", "·", "✓"]
IDENTS = ["request", "body", "tokens", "count", "result", "buffer", "offset", "limit", "items", "entry", "state",
          "payload", "model", "usage", "hold", "quota", "channel", "reply", "chunk", "index"]


def sentence(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 22))]
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words)), rng.choice(FANCY))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), "`" + rng.choice(IDENTS) + "()`")
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", ":"])


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))


def code_block(rng):
    a, b, c = rng.sample(IDENTS, 3)
    if rng.random() < 0.5:
        lines = [f"def {a}_{b}({c}, limit={rng.randint(1, 4096)}):",
                 f"    \"\"\"{sentence(rng)}\"\"\"",
                 f"    {a} = []",
                 f"    for i, {b} in enumerate({c}):",
                 f"        if {b}.get(\"{a}\") is None or i >= limit:",
                 f"            raise ValueError(f\"bad {b} at {{i}}: {{{b}!r}}\")",
                 f"        {a}.append({b}[\"{c}\"].strip().split(\"\\t\"))",
                 f"    return {a}"]
        lang = "python"
    else:
        lines = [f"static qint64 {a}{b.title()}(const QJsonObject &{c}, qint64 limit)",
                 "{",
                 f"    // {sentence(rng)}",
                 f"    const QString path = {c}.value(\"{a}\").toString(u\"C:\\\\tmp\\\\{b}\"_s);",
                 f"    qint64 total = 0;",
                 f"    for (const auto &v : {c}.value(\"{b}\").toArray())",
                 f"        total += v.toObject().value(\"{a}\").toInteger();",
                 f"    return total > limit ? -1 : total; // {rng.choice(WORDS)}",
                 "}"]
        lang = "cpp"
    return "```" + lang + "\n" + "\n".join(lines) + "\n```"


def message_text(rng, size):
    parts, n = [], 0
    while n < size:
        part = code_block(rng) if rng.random() < 0.35 else paragraph(rng)
        parts.append(part)
        n += len(part) + 2
    return "\n\n".join(parts)[:size]


def body(size_kb, model):
    rng = random.Random(size_kb)
    target = size_kb * 1024
    system = ("You are a coding agent working in a user's repository. Follow the user's instructions, keep "
              "changes small, explain what you did. " + message_text(rng, min(3000, target // 5)))
    last = {"role": "user", "content": paragraph(rng)[:400] + " @TURN@"}
    doc = {"model": model, "messages": [{"role": "system", "content": system}], "stream": False,
           "max_tokens": 200}

    def length():
        return len(json.dumps(doc, ensure_ascii=False).encode())

    role = "user"
    while True:
        room = target - length() - len(json.dumps(last, ensure_ascii=False).encode()) - 40
        if room <= 0:
            break
        size = min(room, rng.randint(400, max(400, min(12000, target // 8))))
        doc["messages"].append({"role": role, "content": message_text(rng, size)})
        role = "assistant" if role == "user" else "user"
    if doc["messages"][-1]["role"] == "user":  # alternate: the last turn before the new one is the assistant's
        doc["messages"].append({"role": "assistant", "content": paragraph(rng)[:200]})
    doc["messages"].append(last)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.stdout.write(body(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "gpt-4o-mini"))
