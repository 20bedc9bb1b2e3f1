# A peer for the OASST benchmark: the plain Python script a user would write instead of
# `sygra-stream oasst` for trees → SFT. One tree per input line; messages that are deleted,
# failed review or model-written go with their subtree; a message id seen before is skipped
# with its subtree; every kept assistant message with no kept assistant message below it
# ends one conversation, the path from the root to it, written with the same meta.
import json
import sys

ROLES = {"prompter": "user", "assistant": "assistant"}


def main() -> None:
    seen = set()
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        tree = json.loads(line)
        root = tree["prompt"]
        records = []

        def kept(message):
            if message["message_id"] in seen:
                return False
            seen.add(message["message_id"])
            return not (message.get("deleted") or message.get("review_result") is False or message.get("synthetic"))

        def walk(message, path):
            if not kept(message):
                return False
            path.append(message)
            below = False
            for reply in message.get("replies") or []:
                below = walk(reply, path) or below
            if message["role"] == "assistant" and not below:
                records.append(conversation(tree, path))
                below = True
            path.pop()
            return below or message["role"] == "assistant"

        walk(root, [])
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")


def conversation(tree, path):
    return {
        "id": path[-1]["message_id"],
        "messages": [{"role": ROLES[m["role"]], "content": m["text"]} for m in path],
        "meta": {
            "tree_id": tree["message_tree_id"],
            "message_ids": [m["message_id"] for m in path],
            "lang": path[0].get("lang"),
            "ranks": [m.get("rank") for m in path],
            "labels": [m.get("labels") for m in path],
        },
    }


main()
