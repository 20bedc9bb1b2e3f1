# A peer for the LLM benchmark: what a Python user would write instead, C aiohttp workers
# posting the same chat requests over one connection pool, no engine, no cache. Reads the
# prompts (one JSON record with a `question` per line) from the file named first; prints
# the count done.
import asyncio
import json
import sys

import aiohttp


async def main(path: str, base_url: str, concurrency: int) -> None:
    with open(path, encoding="utf-8") as f:
        questions = [json.loads(line)["question"] for line in f if line.strip()]
    queue = iter(questions)
    done = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal done
            for question in queue:
                body = {"model": "mock-1", "messages": [{"role": "user", "content": question}]}
                async with session.post(f"{base_url}/chat/completions", json=body) as res:
                    answer = await res.json()
                    if answer["choices"][0]["message"]["content"]:
                        done += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    print(done)


asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
