import { readFile } from 'node:fs/promises';
import { Template } from '@huggingface/jinja';
import { isJsonObject } from '../record/item.js';
import type { ChatMessage } from './types.js';

/**
 * A model's chat template, applied here rather than by the server: for raw completions
 * (`/completions`) that must see the prompt exactly as the model was trained to read it.
 * Read from the model's `tokenizer_config.json` (its `chat_template`, `bos_token`,
 * `eos_token`) or from a bare Jinja file, and rendered with Hugging Face's Jinja.
 */
export interface ChatTemplate {
  /** The conversation as the model reads it; with `addGenerationPrompt`, opened for the assistant's reply. */
  render(messages: readonly ChatMessage[], addGenerationPrompt: boolean): string;
  /**
   * Magpie's pre-query: the template's text up to where a user's message would start (after
   * an optional system prompt), so that the model, completing it, writes a user's query.
   */
  preQuery(system?: string): string;
}

/** Marks where a user's message would go; it never reaches a model. */
const SLOT = '\u0000SYGRA_USER_SLOT\u0000';

export async function loadChatTemplate(file: string): Promise<ChatTemplate | { error: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { error: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  let source = text;
  const tokens: Record<string, string> = { bos_token: '', eos_token: '' };
  if (file.endsWith('.json')) {
    let config: unknown;
    try {
      config = JSON.parse(text);
    } catch {
      return { error: `${file} is not JSON` };
    }
    const written = isJsonObject(config) ? config.chat_template : undefined;
    // A list of named templates: the default one (or the first) is the chat template.
    const named = Array.isArray(written) ? (written.find((t) => isJsonObject(t) && t.name === 'default') ?? written[0]) : written;
    const template = isJsonObject(named) ? named.template : named;
    if (typeof template !== 'string') return { error: `${file} has no chat_template` };
    source = template;
    for (const name of ['bos_token', 'eos_token'] as const) {
      const v = isJsonObject(config) ? config[name] : undefined;
      tokens[name] = typeof v === 'string' ? v : isJsonObject(v) && typeof v.content === 'string' ? v.content : '';
    }
  }
  let template: Template;
  try {
    template = new Template(source);
  } catch (err) {
    return { error: `${file}: the chat template does not parse: ${(err as Error).message}` };
  }
  const render = (messages: readonly ChatMessage[], addGenerationPrompt: boolean): string =>
    template.render({ messages: messages.map((m) => ({ role: m.role, content: m.content })), add_generation_prompt: addGenerationPrompt, ...tokens });
  return {
    render,
    preQuery(system) {
      const text = render([...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: SLOT }], false);
      const at = text.indexOf(SLOT);
      if (at < 0) throw new Error('the chat template does not show the user message; no pre-query can be taken from it');
      return text.slice(0, at);
    },
  };
}
