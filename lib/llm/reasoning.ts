/**
 * A reasoning model's thinking, taken out of its answer. Servers send it in one of several
 * places: a field beside the content (`reasoning_content` in vLLM and DeepSeek, `reasoning`
 * in OpenRouter), Anthropic's thinking blocks, or inline as a leading `<think>…</think>`
 * (or only the closing tag, when the chat template opened the block in the prompt).
 */
export interface SplitAnswer {
  text: string;
  reasoning?: string;
}

const OPEN = '<think>';
const CLOSE = '</think>';

/** Takes a leading think block out of `content`: the answer is what follows it. */
export function splitThinking(content: string): SplitAnswer {
  const start = content.trimStart();
  if (start.startsWith(OPEN)) {
    const close = start.indexOf(CLOSE);
    // An unclosed block (the answer was cut off while thinking): all of it is reasoning.
    if (close < 0) return { text: '', reasoning: start.slice(OPEN.length).trim() };
    return { text: start.slice(close + CLOSE.length).trimStart(), reasoning: start.slice(OPEN.length, close).trim() };
  }
  const close = content.indexOf(CLOSE);
  if (close >= 0 && !content.slice(0, close).includes(OPEN)) {
    return { text: content.slice(close + CLOSE.length).trimStart(), reasoning: content.slice(0, close).trim() };
  }
  return { text: content };
}

/** The answer and reasoning of an OpenAI-style message, wherever the server put the reasoning. */
export function answerOf(content: string, message: { reasoning_content?: unknown; reasoning?: unknown }): SplitAnswer {
  const split = splitThinking(content);
  const field = typeof message.reasoning_content === 'string' ? message.reasoning_content : typeof message.reasoning === 'string' ? message.reasoning : undefined;
  const parts = [field, split.reasoning].filter((r): r is string => typeof r === 'string' && r.length > 0);
  return parts.length > 0 ? { text: split.text, reasoning: parts.join('\n\n') } : { text: split.text };
}
